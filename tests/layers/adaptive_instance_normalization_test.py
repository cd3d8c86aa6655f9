import math

import keras
import numpy as np
import tensorflow as tf

from keras_gans.layers import AdaptiveInstanceNormalization
from tests.layers import layer_testing


def _normal(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _instance_norm(x, epsilon=1e-8):
    x = x.astype(np.float64)
    centred = x - x.mean(axis=(1, 2), keepdims=True)
    return centred / np.sqrt((centred**2).mean(axis=(1, 2), keepdims=True) + epsilon)


class AdaptiveInstanceNormalizationTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    def test_zero_w_gives_unit_scale_and_zero_bias(self):
        x = _normal((2, 5, 4, 3)) * 3.0 + 1.0
        outputs = AdaptiveInstanceNormalization()(x, np.zeros((2, 8), "float32"))
        self.assertAllClose(outputs, _instance_norm(x), atol=1e-5)

    def test_initial_scale_is_centred_on_one(self):
        # keras.io's StyleGAN example computes x * s + b without the +1, so
        # its initial scale is centred on 0.
        layer = AdaptiveInstanceNormalization()
        x = _normal((16, 2, 2, 256))
        w = _normal((16, 64), seed=1)
        layer(x, w)
        style = layer.style(w).numpy()
        scale, bias = style[:, :256] + 1.0, style[:, 256:]
        self.assertAllClose(np.mean(scale), 1.0, atol=0.06)
        self.assertAllClose(np.mean(bias), 0.0, atol=0.06)
        self.assertAllClose(np.std(scale), 1.0, rtol=0.1)  # gain 1, E[w^2] = 1
        self.assertAllEqual(layer.style.bias.numpy(), np.zeros(512))
        self.assertEqual(layer.style.gain, 1.0)

    def test_matches_numpy_reference(self):
        layer = AdaptiveInstanceNormalization()
        x = _normal((3, 4, 5, 6))
        w = _normal((3, 10), seed=1)
        layer(x, w)
        layer.style.bias.assign(_normal((12,), seed=2))
        outputs = layer(x, w).numpy()
        style = w @ layer.style.kernel.numpy() / math.sqrt(10) + layer.style.bias.numpy()
        expected = _instance_norm(x) * (style[:, None, None, :6] + 1) + style[:, None, None, 6:]
        self.assertAllClose(outputs, expected, atol=1e-5)

    def test_constant_channel_is_finite(self):
        x = np.ones((2, 3, 3, 4), "float32")
        outputs = AdaptiveInstanceNormalization()(x, _normal((2, 5)))
        self.assertAllEqual(np.isfinite(outputs), np.ones((2, 3, 3, 4), bool))

    def test_statistics_are_computed_in_float32(self):
        x = np.zeros((1, 2, 2, 1), "float32")
        x[0, 0, 0, 0] = 600.0  # squared deviations overflow float16
        layer = AdaptiveInstanceNormalization(dtype="float16")
        outputs = layer(x, np.zeros((1, 4), "float32"))
        self.assertEqual(outputs.dtype, tf.float16)
        self.assertAllClose(np.asarray(outputs, "float32"), _instance_norm(x), atol=2e-3)

    def test_invalid_inputs_raise(self):
        with self.assertRaisesRegex(ValueError, "epsilon=0"):
            AdaptiveInstanceNormalization(epsilon=0)
        with self.assertRaisesRegex(ValueError, r"w_shape=\(2, 3, 4\)"):
            AdaptiveInstanceNormalization()(_normal((2, 3, 3, 2)), _normal((2, 3, 4)))

    def test_serialization(self):
        x, w = _normal((2, 3, 3, 4)), _normal((2, 5), seed=1)
        layer_testing.run_serialization_test(self, AdaptiveInstanceNormalization(1e-5), [x, w])
        layer_testing.run_keras_file_test(self, AdaptiveInstanceNormalization, [x, w])

    def test_mixed_precision(self):
        x, w = _normal((2, 3, 3, 4)), _normal((2, 5), seed=1)
        layer_testing.run_mixed_precision_test(
            self, AdaptiveInstanceNormalization, [x, w], rtol=3e-2, atol=3e-2
        )
