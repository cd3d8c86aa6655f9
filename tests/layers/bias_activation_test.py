import math

import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans.layers import BiasActivation
from tests.layers import layer_testing
from tests.layers import numpy_reference


def _normal(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


class BiasActivationTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.named_parameters(
        ("linear", "linear", 1.0),
        ("none", None, 0.5),
        ("leaky_relu", "leaky_relu", 1.0),
        ("lrelu", "lrelu", 0.01),
    )
    def test_matches_numpy_reference(self, activation, lr_multiplier):
        layer = BiasActivation(activation, lr_multiplier=lr_multiplier)
        x = _normal((2, 3, 3, 4))
        layer.build(x.shape)
        bias = _normal((4,), seed=1)
        layer.bias.assign(bias)
        pre = x + bias * lr_multiplier
        expected = {
            None: pre,
            "linear": pre,
            "leaky_relu": numpy_reference.leaky_relu(pre),
            "lrelu": math.sqrt(2.0) * numpy_reference.leaky_relu(pre),
        }[activation]
        self.assertAllClose(layer(x), expected, atol=1e-6)

    def test_lrelu_keeps_the_second_moment_near_one(self):
        # (1 + 0.2^2) / 2 * 2 = 1.04 for a zero-mean symmetric input.
        x = _normal((200_000,))
        y = BiasActivation("lrelu", use_bias=False)(x).numpy()
        self.assertAllClose(np.mean(y**2), 1.04, rtol=0.02)
        plain = BiasActivation("leaky_relu", use_bias=False)(x).numpy()
        self.assertAllClose(np.mean(plain**2), 0.52, rtol=0.02)

    def test_bias_initial_value_and_lr_multiplier(self):
        layer = BiasActivation(None, lr_multiplier=0.01, bias_initial_value=2.0)
        self.assertAllClose(layer(np.zeros((1, 3), "float32")), np.full((1, 3), 2.0))
        self.assertAllClose(layer.bias.numpy(), np.full(3, 200.0))
        x = _normal((2, 3))
        identity = BiasActivation(None, use_bias=False)
        self.assertAllEqual(identity(x), x)
        self.assertEmpty(identity.weights)

    def test_invalid_arguments_raise(self):
        with self.assertRaisesRegex(ValueError, "activation='gelu'"):
            BiasActivation("gelu")
        with self.assertRaisesRegex(ValueError, "lr_multiplier=-1"):
            BiasActivation(lr_multiplier=-1)

    def test_serialization(self):
        x = _normal((2, 4, 4, 3))
        layer_testing.run_serialization_test(
            self, BiasActivation("leaky_relu", lr_multiplier=0.5, bias_initial_value=0.1), [x]
        )
        layer_testing.run_keras_file_test(self, BiasActivation, [x])

    def test_mixed_precision(self):
        layer_testing.run_mixed_precision_test(
            self, lambda: BiasActivation(bias_initial_value=0.3), [_normal((2, 4, 4, 3))]
        )
