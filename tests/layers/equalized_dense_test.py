import math

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans.layers import EqualizedDense
from tests.layers import layer_testing
from tests.layers import numpy_reference

# TF-GAN's progressive_gan layers_test input.
TFGAN_X = np.array(
    [
        [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]],
        [[[0, 0, 0], [-1, -2, -3]], [[1, -2, 2], [2, 5, 3]]],
    ],
    dtype="float32",
)


def _normal(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


class EqualizedDenseTest(tf.test.TestCase, parameterized.TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    @parameterized.named_parameters(
        ("he", math.sqrt(2.0), 1.0),
        ("linear", 1.0, 1.0),
        ("mapping", 1.0, 0.01),
    )
    def test_variable_and_effective_kernel_statistics(self, gain, lr_multiplier):
        layer = EqualizedDense(256, gain=gain, lr_multiplier=lr_multiplier)
        layer.build((None, 512))
        kernel = layer.kernel.numpy()
        # The variable is N(0, 1 / lr_multiplier), not He-scaled (and not
        # truncated): the scale is applied once, at run time.
        self.assertAllClose(np.std(kernel), 1.0 / lr_multiplier, rtol=0.05)
        self.assertAllClose(np.mean(kernel), 0.0, atol=0.02 / lr_multiplier)
        self.assertGreater(np.max(np.abs(kernel)) * lr_multiplier, 3.5)
        self.assertAllClose(layer.kernel_scale, gain / math.sqrt(512) * lr_multiplier)
        self.assertAllClose(np.std(kernel * layer.kernel_scale), gain / math.sqrt(512), rtol=0.05)

    def test_tfgan_custom_dense_output(self):
        # TF-GAN's custom_dense with weight scaling and slope 1 (gain 1), its
        # N(0, 1) kernel replaced by 3 and its zero bias by 1.
        layer = EqualizedDense(3, gain=1.0)
        x = TFGAN_X.reshape(2, 12)
        layer.build(x.shape)
        layer.kernel.assign(np.full((12, 3), 3.0))
        layer.bias.assign(np.ones(3))
        self.assertAllClose(
            layer(x),
            [[68.54998016, 68.54998016, 68.54998016], [5.33012676, 5.33012676, 5.33012676]],
            atol=1e-5,
        )

    @parameterized.named_parameters(
        ("linear", None, 1.0),
        ("leaky_relu", "leaky_relu", 0.01),
        ("lrelu", "lrelu", 0.1),
    )
    def test_matches_numpy_reference(self, activation, lr_multiplier):
        layer = EqualizedDense(
            5, lr_multiplier=lr_multiplier, bias_initial_value=0.3, activation=activation
        )
        x = _normal((4, 3, 7))
        outputs = layer(x).numpy()
        bias = layer.bias.numpy()
        self.assertAllClose(bias, np.full(5, 0.3 / lr_multiplier))
        pre = x @ (layer.kernel.numpy() * math.sqrt(2.0) / math.sqrt(7) * lr_multiplier)
        pre += bias * lr_multiplier
        expected = {
            None: pre,
            "leaky_relu": numpy_reference.leaky_relu(pre),
            "lrelu": numpy_reference.leaky_relu(pre) * math.sqrt(2.0),
        }[activation]
        self.assertEqual(outputs.shape, (4, 3, 5))
        self.assertAllClose(outputs, expected, atol=1e-5)

    def test_effective_bias_starts_at_initial_value(self):
        layer = EqualizedDense(4, lr_multiplier=0.01, bias_initial_value=1.0)
        outputs = layer(np.zeros((2, 3), "float32"))
        self.assertAllClose(outputs, np.ones((2, 4)))
        self.assertAllClose(layer.bias.numpy(), np.full(4, 100.0))
        no_bias = EqualizedDense(4, use_bias=False)
        no_bias.build((None, 3))
        self.assertLen(no_bias.weights, 1)

    def test_gradients_of_the_variables(self):
        lr_multiplier = 0.01
        layer = EqualizedDense(6, gain=1.0, lr_multiplier=lr_multiplier)
        x = _normal((5, 4))
        upstream = _normal((5, 6), seed=1)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x) * upstream)
        kernel_grad, bias_grad = tape.gradient(loss, [layer.kernel, layer.bias])
        scale = 1.0 / math.sqrt(4) * lr_multiplier
        # d loss / d effective kernel = x^T upstream; the chain rule through
        # the constant scale multiplies it by the scale.
        self.assertAllClose(kernel_grad, x.T @ upstream * scale, rtol=1e-5, atol=1e-7)
        self.assertAllClose(bias_grad, upstream.sum(0) * lr_multiplier, rtol=1e-5, atol=1e-7)

    def test_sgd_step_moves_the_effective_kernel_by_lr_times_scale_squared(self):
        # A large rate keeps the step far above the float32 rounding of the
        # variable (about 100 * 2**-23).
        lr_multiplier, learning_rate = 0.01, 100.0
        layer = EqualizedDense(3, gain=1.0, lr_multiplier=lr_multiplier)
        x = _normal((8, 16))
        upstream = _normal((8, 3), seed=2)
        layer.build(x.shape)
        scale = layer.kernel_scale
        before = layer.kernel.numpy() * scale
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x) * upstream)
        gradients = tape.gradient(loss, layer.trainable_weights)
        pairs = zip(gradients, layer.trainable_weights, strict=True)
        keras.optimizers.SGD(learning_rate).apply_gradients(pairs)
        after = layer.kernel.numpy() * scale
        effective_gradient = x.T @ upstream
        self.assertAllClose(
            after - before, -learning_rate * scale**2 * effective_gradient, rtol=1e-3, atol=1e-8
        )

    def test_compute_output_shape(self):
        layer = EqualizedDense(7)
        self.assertEqual(layer.compute_output_shape((None, 3, 5)), (None, 3, 7))

    @parameterized.named_parameters(
        ("units_zero", {"units": 0}, "units=0"),
        ("gain_negative", {"units": 2, "gain": -1.0}, "gain=-1.0"),
        ("lr_zero", {"units": 2, "lr_multiplier": 0}, "lr_multiplier=0"),
        ("use_bias_str", {"units": 2, "use_bias": "yes"}, "use_bias='yes'"),
        ("bias_nan", {"units": 2, "bias_initial_value": float("nan")}, "bias_initial_value=nan"),
        ("activation", {"units": 2, "activation": "relu"}, "activation='relu'"),
    )
    def test_invalid_arguments_raise(self, kwargs, message):
        with self.assertRaisesRegex(ValueError, message):
            EqualizedDense(**kwargs)

    def test_unknown_input_features_raise(self):
        with self.assertRaisesRegex(ValueError, r"input_shape=\(None, None\)"):
            EqualizedDense(2).build((None, None))

    def test_serialization(self):
        x = _normal((2, 5))
        layer = EqualizedDense(
            3, gain=1.0, lr_multiplier=0.01, bias_initial_value=1.0, activation="lrelu", name="fc"
        )
        layer_testing.run_serialization_test(self, layer, [x])
        layer_testing.run_keras_file_test(
            self, lambda: EqualizedDense(3, lr_multiplier=0.01, activation="lrelu"), [x]
        )

    def test_mixed_precision(self):
        layer_testing.run_mixed_precision_test(
            self, lambda: EqualizedDense(4, activation="lrelu"), [_normal((3, 8))]
        )
