import numpy as np
import tensorflow as tf

from keras_gans.applications.poisson import poisson_blend


def dense_poisson(image, fill, known):
    """Solves Perez et al.'s discrete equation for one channel with a dense matrix.

    For each missing pixel p: |N_p| f_p - sum_{q missing} f_q =
    sum_{q known} image_q + sum_q (fill_p - fill_q), over the in-image
    4-neighbours q of p; known pixels keep their value.
    """
    height, width = image.shape
    unknown = [(i, j) for i in range(height) for j in range(width) if not known[i, j]]
    index = {p: k for k, p in enumerate(unknown)}
    matrix = np.zeros((len(unknown), len(unknown)))
    rhs = np.zeros(len(unknown))
    for k, (i, j) in enumerate(unknown):
        for di, dj in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            q = (i + di, j + dj)
            if not (0 <= q[0] < height and 0 <= q[1] < width):
                continue
            matrix[k, k] += 1
            rhs[k] += fill[i, j] - fill[q]
            if known[q]:
                rhs[k] += image[q]
            else:
                matrix[k, index[q]] -= 1
    result = image.astype("float64").copy()
    for k, value in enumerate(np.linalg.solve(matrix, rhs)):
        result[unknown[k]] = value
    return result


class PoissonBlendTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        rng = np.random.default_rng(0)
        self.images = rng.uniform(-1, 1, (2, 5, 6, 2)).astype("float32")
        self.fill = rng.uniform(-1, 1, (2, 5, 6, 2)).astype("float32")
        known = np.ones((2, 5, 6, 2), "float32")
        known[0, 1:4, 1:5] = 0  # an interior hole
        known[1, 0:3, 0:2, 0] = 0  # a hole on the border, channel 0
        known[1, 2, 3:6, 1] = 0  # a strip touching the right edge, channel 1
        known[1, 4, 5, 1] = 0  # one pixel in a corner
        self.known = known

    def test_matches_a_dense_solve(self):
        blended = poisson_blend(self.images, self.fill, self.known, tolerance=1e-10)
        self.assertEqual(blended.dtype, np.float32)
        for n in range(2):
            for c in range(2):
                expected = dense_poisson(
                    self.images[n, ..., c], self.fill[n, ..., c], self.known[n, ..., c] > 0
                )
                self.assertAllClose(blended[n, ..., c], expected, atol=1e-5)

    def test_known_pixels_are_kept_exactly(self):
        blended = poisson_blend(self.images, self.fill, self.known)
        self.assertAllEqual(blended[self.known > 0], self.images[self.known > 0])

    def test_fill_with_the_same_gradients_gives_the_image_back(self):
        # The guidance field of `images + 0.3` is that of `images`: the
        # solution with `images` on the boundary is `images` itself.
        blended = poisson_blend(self.images, self.images + 0.3, self.known, tolerance=1e-10)
        self.assertAllClose(blended, self.images, atol=1e-5)

    def test_single_image_and_shared_mask(self):
        mask = np.ones((5, 6), "float32")
        mask[2, 2:4] = 0
        blended = poisson_blend(self.images[0], self.fill[0], mask, tolerance=1e-10)
        self.assertEqual(blended.shape, (5, 6, 2))
        expected = dense_poisson(self.images[0, ..., 1], self.fill[0, ..., 1], mask > 0)
        self.assertAllClose(blended[..., 1], expected, atol=1e-5)

    def test_a_channel_without_known_pixels_is_the_fill(self):
        known = self.known.copy()
        known[0, ..., 1] = 0
        blended = poisson_blend(self.images, self.fill, known)
        self.assertAllEqual(blended[0, ..., 1], self.fill[0, ..., 1])
        self.assertFalse(np.any(np.isnan(blended)))

    def test_bad_inputs(self):
        with self.assertRaisesRegex(ValueError, r"`fill` must have the shape of `images`"):
            poisson_blend(self.images, self.fill[:1], self.known)
        with self.assertRaisesRegex(ValueError, "`max_iterations` must be a positive integer"):
            poisson_blend(self.images, self.fill, self.known, max_iterations=0)
