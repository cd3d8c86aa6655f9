import keras
import numpy as np
import tensorflow as tf

from keras_gans.layers import PixelNormalization
from tests.layers import layer_testing


class PixelNormalizationTest(tf.test.TestCase):
    def test_tfgan_pixel_norm_values(self):
        # TF-GAN's progressive_gan layers_test, ported as is.
        x = np.array(
            [
                [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]],
                [[[0, 0, 0], [-1, -2, -3]], [[1, -2, 2], [2, 5, 3]]],
            ],
            dtype="float32",
        )
        expected = [
            [
                [[0.46291006, 0.92582011, 1.38873017], [0.78954202, 0.98692751, 1.18431306]],
                [[0.87047803, 0.99483204, 1.11918604], [0.90659684, 0.99725652, 1.08791625]],
            ],
            [
                [[0.0, 0.0, 0.0], [-0.46291006, -0.92582011, -1.38873017]],
                [[0.57735026, -1.15470052, 1.15470052], [0.56195146, 1.40487862, 0.84292722]],
            ],
        ]
        self.assertAllClose(PixelNormalization()(x), expected, atol=1e-5)

    def test_matches_numpy_reference(self):
        x = np.random.default_rng(0).normal(size=(3, 4, 5, 6)).astype("float32") * 3.0
        for axis, epsilon in ((-1, 1e-8), (1, 1e-8), (3, 0.5)):
            expected = x / np.sqrt(np.mean(x**2, axis=axis, keepdims=True) + epsilon)
            self.assertAllClose(PixelNormalization(axis, epsilon)(x), expected, atol=1e-5)
        # On latent vectors (StyleGAN's normalisation of z).
        z = np.random.default_rng(1).normal(size=(4, 16)).astype("float32")
        normalized = PixelNormalization()(z).numpy()
        self.assertAllClose(np.mean(normalized**2, axis=-1), np.ones(4), atol=1e-5)

    def test_all_zero_input_is_finite_in_every_dtype(self):
        for dtype in ("float32", "float16", "bfloat16"):
            layer = PixelNormalization(dtype=dtype)
            outputs = layer(np.zeros((2, 2, 2, 3), "float32"))
            self.assertEqual(keras.backend.standardize_dtype(outputs.dtype), dtype)
            self.assertAllEqual(
                np.asarray(keras.ops.cast(outputs, "float32")), np.zeros((2, 2, 2, 3))
            )

    def test_large_float16_activations_do_not_overflow(self):
        # 300^2 overflows float16 (max 65504): the statistic is taken in float32.
        x = np.full((1, 1, 1, 4), 300.0, "float16")
        outputs = PixelNormalization(dtype="float16")(x)
        self.assertAllClose(np.asarray(outputs, "float32"), np.ones((1, 1, 1, 4)), atol=1e-3)

    def test_larger_epsilon_damps_tiny_vectors(self):
        x = np.full((1, 1, 1, 2), 1e-3, "float32")
        outputs = PixelNormalization(epsilon=1e-4)(x)
        self.assertAllClose(outputs, np.full((1, 1, 1, 2), 1e-3 / np.sqrt(1e-6 + 1e-4)), rtol=1e-5)

    def test_invalid_arguments_raise(self):
        with self.assertRaisesRegex(ValueError, "epsilon=0"):
            PixelNormalization(epsilon=0)
        with self.assertRaisesRegex(ValueError, "axis=1.0"):
            PixelNormalization(axis=1.0)
        with self.assertRaisesRegex(ValueError, "axis=0"):
            PixelNormalization(axis=0)(np.ones((2, 3), "float32"))
        with self.assertRaisesRegex(ValueError, "axis=4"):
            PixelNormalization(axis=4)(np.ones((2, 3, 3, 3), "float32"))

    def test_serialization(self):
        x = np.random.default_rng(2).normal(size=(2, 3, 3, 4)).astype("float32")
        layer_testing.run_serialization_test(self, PixelNormalization(epsilon=1e-4), [x])
        layer_testing.run_keras_file_test(self, PixelNormalization, [x])

    def test_mixed_precision(self):
        x = np.random.default_rng(3).normal(size=(2, 3, 3, 4)).astype("float32")
        layer_testing.run_mixed_precision_test(self, PixelNormalization, [x])
