import numpy as np
import scipy.ndimage
import tensorflow as tf
from scipy import stats

from keras_gans import metrics
from keras_gans.metrics import sliced as swd_module


def _scipy_blur(images):
    kernel = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256.0
    return scipy.ndimage.convolve(images, kernel[None, :, :, None], mode="mirror")


class LaplacianPyramidTest(tf.test.TestCase):
    def test_blur_matches_scipy_mirror_convolution(self):
        images = np.random.default_rng(0).normal(size=(2, 16, 8, 3))
        self.assertAllClose(swd_module._blur(images), _scipy_blur(images), atol=1e-12)

    def test_levels_halve_and_reconstruct_exactly(self):
        images = np.random.default_rng(1).uniform(-1, 1, size=(3, 32, 32, 3))
        pyramid = metrics.laplacian_pyramid(images, 3)
        self.assertEqual([level.shape[1] for level in pyramid], [32, 16, 8])
        self.assertAllClose(metrics.reconstruct_laplacian_pyramid(pyramid), images, atol=1e-12)

    def test_constant_image_has_empty_detail_levels(self):
        pyramid = metrics.laplacian_pyramid(np.full((1, 16, 16, 1), 0.25), 3)
        self.assertAllClose(pyramid[0], np.zeros_like(pyramid[0]), atol=1e-12)
        self.assertAllClose(pyramid[1], np.zeros_like(pyramid[1]), atol=1e-12)
        self.assertAllClose(pyramid[2], np.full((1, 4, 4, 1), 0.25), atol=1e-12)

    def test_sides_not_divisible_are_refused(self):
        with self.assertRaisesRegex(ValueError, "divisible by 4.*images.shape=\\(1, 18, 18, 3\\)"):
            metrics.laplacian_pyramid(np.zeros((1, 18, 18, 3)), 3)


class SlicedWassersteinTest(tf.test.TestCase):
    def test_each_direction_is_scipy_wasserstein_of_the_projections(self):
        rng = np.random.default_rng(2)
        a, b = rng.normal(size=(50, 4)), rng.normal(size=(50, 4)) * 2 + 1
        directions = np.random.default_rng(7).standard_normal((4, 3))
        directions /= np.linalg.norm(directions, axis=0, keepdims=True)
        expected = np.mean([stats.wasserstein_distance(a @ d, b @ d) for d in directions.T])
        self.assertAllClose(
            metrics.sliced_wasserstein(a, b, num_directions=3, seed=7), expected, rtol=1e-10
        )

    def test_a_shift_along_one_axis_by_hand(self):
        # One dimension: the only unit directions are +-1, so the distance is the shift.
        a = np.arange(10.0)[:, None]
        self.assertAllClose(metrics.sliced_wasserstein(a, a + 0.5, num_directions=8), 0.5)

    def test_same_set_is_zero_and_order_does_not_matter(self):
        a = np.random.default_rng(3).normal(size=(40, 6))
        self.assertEqual(metrics.sliced_wasserstein(a, a[::-1]), 0.0)

    def test_shapes_must_match(self):
        with self.assertRaisesRegex(ValueError, "a.shape=\\(4, 2\\), b.shape=\\(5, 2\\)"):
            metrics.sliced_wasserstein(np.zeros((4, 2)), np.zeros((5, 2)))


class SwdTest(tf.test.TestCase):
    def _images(self, seed, n=64, side=32):
        # Smooth random images: blurred noise, so that the levels differ.
        noise = np.random.default_rng(seed).normal(size=(n, side, side, 3))
        return np.tanh(_scipy_blur(_scipy_blur(noise)) * 4)

    def test_levels_named_by_side_and_mean(self):
        scores = metrics.swd(self._images(0), self._images(1), patches_per_image=16)
        self.assertEqual(sorted(scores), ["swd_16", "swd_32", "swd_mean"])
        self.assertAllClose(scores["swd_mean"], (scores["swd_16"] + scores["swd_32"]) / 2)

    def test_same_distribution_scores_below_a_degraded_one(self):
        real, other = self._images(0), self._images(1)
        degraded = np.clip(other + np.random.default_rng(5).normal(0, 0.5, other.shape), -1, 1)
        same = metrics.swd(real, other)
        worse = metrics.swd(real, degraded)
        # Measured 20.7 and 66.4: the noise lives in the fine level.
        self.assertLess(same["swd_32"] * 2, worse["swd_32"])
        self.assertLess(same["swd_mean"], worse["swd_mean"])

    def test_same_seed_same_scores(self):
        real, fake = self._images(0, n=8), self._images(1, n=8)
        first = metrics.swd(real, fake, patches_per_image=8, seed=3)
        self.assertEqual(first, metrics.swd(real, fake, patches_per_image=8, seed=3))
        self.assertNotEqual(first, metrics.swd(real, fake, patches_per_image=8, seed=4))

    def test_value_range_does_not_matter(self):
        real, fake = self._images(0, n=16), self._images(1, n=16)
        self.assertAllClose(
            metrics.swd(real, fake, patches_per_image=8),
            metrics.swd(127.5 * (real + 1), 127.5 * (fake + 1), patches_per_image=8),
        )

    def test_bad_input_is_named(self):
        with self.assertRaisesRegex(ValueError, "real_images.shape=\\(2, 32, 32, 3\\)"):
            metrics.swd(np.zeros((2, 32, 32, 3)), np.zeros((3, 32, 32, 3)))
        with self.assertRaisesRegex(ValueError, "patch_size=4"):
            metrics.swd(np.zeros((2, 32, 32, 3)), np.zeros((2, 32, 32, 3)), patch_size=4)
        with self.assertRaisesRegex(ValueError, "min_resolution=64"):
            metrics.swd(np.zeros((2, 32, 32, 3)), np.zeros((2, 32, 32, 3)), min_resolution=64)
        with self.assertRaisesRegex(ValueError, "finite"):
            metrics.swd(np.full((2, 32, 32, 3), np.nan), np.zeros((2, 32, 32, 3)))

    def test_from_sources_equals_the_arrays_version(self):
        real, fake = self._images(0, n=16), self._images(1, n=16)
        dataset = tf.data.Dataset.from_tensor_slices(real.astype("float32")).batch(5)
        scores = metrics.sliced_wasserstein_distance(
            dataset, fake.astype("float32"), patches_per_image=8, seed=3
        )
        expected = metrics.swd(
            real.astype("float32"), fake.astype("float32"), patches_per_image=8, seed=3
        )
        self.assertAllClose(scores, expected)

    def test_sources_of_different_sizes_are_refused(self):
        with self.assertRaisesRegex(ValueError, "16 real and 8 generated images"):
            metrics.sliced_wasserstein_distance(
                self._images(0, n=16).astype("float32"), self._images(1, n=8).astype("float32")
            )
