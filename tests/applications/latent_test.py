import numpy as np
import tensorflow as tf

from keras_gans.applications.generator_source import GeneratorSource
from keras_gans.applications.latent import interpolate
from keras_gans.applications.latent import latent_arithmetic
from keras_gans.applications.latent import lerp
from keras_gans.applications.latent import slerp
from tests.applications.toy_generators import images_of
from tests.applications.toy_generators import linear_generator
from tests.applications.toy_generators import orthonormal_matrix
from tests.applications.toy_generators import style_generator
from tests.testing import tiny_gan


def shoemake_slerp(a, b, t):
    """The textbook sin-weighted slerp of unit vectors, as an independent reference."""
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    theta = np.arccos(np.clip(a @ b, -1, 1))
    return (np.sin((1 - t) * theta) * a + np.sin(t * theta) * b) / np.sin(theta)


class LerpSlerpTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        rng = np.random.default_rng(0)
        self.a = rng.standard_normal(6).astype("float32")
        self.b = rng.standard_normal(6).astype("float32")
        self.t = np.linspace(0, 1, 7).astype("float32")

    def test_lerp(self):
        path = lerp(self.a[None], self.b[None], self.t)
        self.assertEqual(path.shape, (7, 6))
        expected = [(1 - t) * self.a + t * self.b for t in self.t]
        self.assertAllClose(path, expected, atol=1e-6)

    def test_slerp_matches_the_sine_formula_on_the_unit_sphere(self):
        path = slerp(self.a[None], self.b[None], self.t).numpy()
        expected = [shoemake_slerp(self.a, self.b, t) for t in self.t]
        self.assertAllClose(path, expected, atol=1e-5)
        self.assertAllClose(np.linalg.norm(path, axis=-1), np.ones(7), atol=1e-6)
        # Endpoints: the directions of a and b.
        self.assertAllClose(path[0], self.a / np.linalg.norm(self.a), atol=1e-6)
        self.assertAllClose(path[-1], self.b / np.linalg.norm(self.b), atol=1e-6)
        # Constant angular speed.
        angles = np.arccos(np.clip(path[:-1] @ path[-1], -1, 1))
        self.assertAllClose(np.diff(angles), np.full(5, angles[1] - angles[0]), atol=1e-4)

    def test_slerp_with_interpolated_norm(self):
        path = slerp(self.a[None], self.b[None], self.t, interpolate_norm=True).numpy()
        self.assertAllClose(path[0], self.a, atol=1e-5)
        self.assertAllClose(path[-1], self.b, atol=1e-5)
        norms = (1 - self.t) * np.linalg.norm(self.a) + self.t * np.linalg.norm(self.b)
        self.assertAllClose(np.linalg.norm(path, axis=-1), norms, atol=1e-5)
        directions = path / np.linalg.norm(path, axis=-1, keepdims=True)
        self.assertAllClose(directions, slerp(self.a[None], self.b[None], self.t), atol=1e-5)

    def test_parallel_vectors_agree_with_lerp(self):
        a, b = self.a, 3.0 * self.a
        path = slerp(a[None], b[None], self.t, interpolate_norm=True)
        self.assertAllClose(path, lerp(a[None], b[None], self.t), atol=1e-5)
        unit = slerp(a[None], b[None], self.t).numpy()
        self.assertFalse(np.any(np.isnan(unit)))
        self.assertAllClose(unit, np.tile(a / np.linalg.norm(a), (7, 1)), atol=1e-6)

    def test_batches_broadcast(self):
        a = np.stack([self.a, self.b])
        b = np.stack([self.b, self.a])
        path = slerp(a[:, None], b[:, None], self.t[None])
        self.assertEqual(path.shape, (2, 7, 6))
        self.assertAllClose(path[1, 2], shoemake_slerp(self.b, self.a, self.t[2]), atol=1e-5)
        self.assertEqual(lerp(a, b, 0.5).shape, (2, 6))


class InterpolateTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        self.matrix = orthonormal_matrix(4)
        rng = np.random.default_rng(1)
        self.z0, self.z1 = rng.standard_normal((2, 4)).astype("float32")

    def test_z_space_walks_follow_slerp_and_lerp(self):
        source = GeneratorSource(linear_generator(self.matrix))
        frames = interpolate(source, self.z0, self.z1, num_frames=5)
        self.assertEqual(frames.shape, (5, 4, 4, 1))
        t = np.linspace(0, 1, 5)
        path = slerp(self.z0[None], self.z1[None], t, interpolate_norm=True)
        self.assertAllClose(frames, images_of(self.matrix, path), atol=1e-5)
        self.assertAllClose(frames[0], images_of(self.matrix, self.z0[None])[0], atol=1e-5)
        self.assertAllClose(frames[-1], images_of(self.matrix, self.z1[None])[0], atol=1e-5)
        linear = interpolate(source, self.z0, self.z1, num_frames=5, method="lerp")
        # A linear generator on a straight line: equal steps between frames.
        steps = np.diff(linear, axis=0)
        self.assertAllClose(steps, np.broadcast_to(steps[0], steps.shape), atol=1e-5)

    def test_batches_of_walks_with_labels(self):
        offsets = np.random.default_rng(2).uniform(-0.2, 0.2, (3, 16)).astype("float32")
        source = GeneratorSource(linear_generator(self.matrix, offsets))
        start = np.stack([self.z0, self.z1])
        end = np.stack([self.z1, self.z0])
        frames = interpolate(source, start, end, num_frames=3, method="lerp", labels=[2, 0])
        self.assertEqual(frames.shape, (2, 3, 4, 4, 1))
        midpoint = (self.z0 + self.z1) / 2
        self.assertAllClose(
            frames[:, 1], images_of(self.matrix, [midpoint] * 2, offsets, [2, 0]), atol=1e-5
        )

    def test_w_space_walks_lerp_between_mapped_latents(self):
        rng = np.random.default_rng(3)
        m = rng.standard_normal((4, 5)).astype("float32")
        s = 0.1 * rng.standard_normal((5, 16)).astype("float32")
        source = GeneratorSource(style_generator(m, s))
        frames = interpolate(source, self.z0, self.z1, num_frames=4, space="w")
        w0, w1 = self.z0 @ m, self.z1 @ m
        expected = [((1 - t) * w0 + t * w1) @ s for t in np.linspace(0, 1, 4)]
        self.assertAllClose(frames.reshape(4, 16), expected, atol=1e-5)

    def test_bad_arguments(self):
        source = GeneratorSource(linear_generator(self.matrix))
        with self.assertRaisesRegex(ValueError, "`num_frames` must be >= 2"):
            interpolate(source, self.z0, self.z1, num_frames=1)
        with self.assertRaisesRegex(ValueError, r"`method` must be one of \['slerp', 'lerp'\]"):
            interpolate(source, self.z0, self.z1, num_frames=3, method="cubic")
        with self.assertRaisesRegex(ValueError, "needs a style-based generator"):
            interpolate(source, self.z0, self.z1, num_frames=3, space="w")
        with self.assertRaisesRegex(ValueError, r"same shape.*\(1, 4\).*\(2, 4\)"):
            interpolate(source, self.z0, np.stack([self.z0, self.z1]), num_frames=3)
        with self.assertRaisesRegex(ValueError, r"shape \(4,\).*Received: shape=\(3,\)"):
            interpolate(source, self.z0[:3], self.z1, num_frames=3)


class LatentArithmeticTest(tf.test.TestCase):
    def test_linear_generator_gives_the_expected_vector(self):
        matrix = orthonormal_matrix(4)
        rng = np.random.default_rng(4)
        a, b, c = (rng.standard_normal((k, 4)).astype("float32") for k in (3, 2, 4))
        latent, images = latent_arithmetic(GeneratorSource(linear_generator(matrix)), a, b, c)
        expected = a.mean(0) - b.mean(0) + c.mean(0)
        self.assertAllClose(latent, expected, atol=1e-6)
        self.assertEqual(images.shape, (1, 4, 4, 1))
        self.assertAllClose(images, images_of(matrix, expected[None]), atol=1e-5)

    def test_conditional_renders_one_image_per_label(self):
        matrix = orthonormal_matrix(4)
        offsets = np.random.default_rng(5).uniform(-0.2, 0.2, (3, 16)).astype("float32")
        source = GeneratorSource(linear_generator(matrix, offsets))
        a, b, c = np.eye(4, dtype="float32")[:3]
        latent, images = latent_arithmetic(source, a, b, c, labels=[0, 2])
        self.assertAllClose(latent, a - b + c)
        self.assertAllClose(images, images_of(matrix, [a - b + c] * 2, offsets, [0, 2]), atol=1e-5)
        with self.assertRaisesRegex(ValueError, "conditional: pass `labels`"):
            latent_arithmetic(source, a, b, c)

    def test_bad_groups(self):
        source = GeneratorSource(tiny_gan())
        with self.assertRaisesRegex(ValueError, r"`b` must be a latent vector of shape \(3,\)"):
            latent_arithmetic(source, np.zeros(3), np.zeros((2, 5)), np.zeros(3))
        with self.assertRaisesRegex(ValueError, "non-empty batch"):
            latent_arithmetic(source, np.zeros((0, 3)), np.zeros(3), np.zeros(3))
