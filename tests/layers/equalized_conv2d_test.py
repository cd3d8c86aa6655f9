import math

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans.layers import EqualizedConv2D
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


class EqualizedConv2DTest(tf.test.TestCase, parameterized.TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    def test_tfgan_he_initializer_scales(self):
        # TF-GAN's he_initializer_scale([3, 4, 5, 6], slope):
        # sqrt(2 / ((1 + slope^2) * fan_in)) with fan_in = 3 * 4 * 5.
        linear = EqualizedConv2D(6, (3, 4), gain=1.0)
        linear.build((None, 8, 8, 5))
        self.assertAlmostEqual(linear.kernel_scale, 0.1290994, places=6)
        relu = EqualizedConv2D(6, (3, 4), gain=math.sqrt(2.0))
        relu.build((None, 8, 8, 5))
        self.assertAlmostEqual(relu.kernel_scale, 0.1825742, places=6)

    @parameterized.named_parameters(
        ("dense", None, 1, 48),
        ("conv_1x1", 1, 1, 48),
        ("conv_3x3", 3, 1, 9 * 48),
        ("conv_2x3", (2, 3), 1, 6 * 48),
        ("conv_3x3_down", 3, 2, 9 * 48),
    )
    def test_fan_in_of_every_layer_kind(self, kernel_size, down, fan_in):
        gain, lr_multiplier = 1.7, 0.5
        if kernel_size is None:
            layer = EqualizedDense(8, gain=gain, lr_multiplier=lr_multiplier)
            layer.build((None, 48))
        else:
            layer = EqualizedConv2D(
                8, kernel_size, gain=gain, lr_multiplier=lr_multiplier, down=down
            )
            layer.build((None, 8, 8, 48))
        self.assertAllClose(layer.kernel_scale, gain / math.sqrt(fan_in) * lr_multiplier)

    @parameterized.named_parameters(("lr_1", 1.0), ("lr_0.1", 0.1))
    def test_variable_and_effective_kernel_statistics(self, lr_multiplier):
        layer = EqualizedConv2D(128, 3, lr_multiplier=lr_multiplier)
        layer.build((None, 8, 8, 256))
        kernel = layer.kernel.numpy()
        self.assertAllClose(np.std(kernel), 1.0 / lr_multiplier, rtol=0.05)
        effective = kernel * layer.kernel_scale
        self.assertAllClose(np.std(effective), math.sqrt(2.0) / math.sqrt(9 * 256), rtol=0.05)

    @parameterized.named_parameters(
        (
            "square",
            2,
            [
                [[[68.54998016], [42.56921768]], [[50.36344528], [29.57883835]]],
                [[[5.33012676], [4.46410179]], [[10.52627945], [9.66025352]]],
            ],
        ),
        (
            "rectangular",
            (2, 3),
            [
                [[[56.15432739], [56.15432739]], [[41.30508804], [41.30508804]]],
                [[[4.53553391], [4.53553391]], [[8.7781744], [8.7781744]]],
            ],
        ),
    )
    def test_tfgan_custom_conv2d_output(self, kernel_size, expected):
        # TF-GAN's custom_conv2d (SAME padding, weight scaling, slope 1), its
        # N(0, 1) kernel replaced by 3 and its zero bias by 1.
        layer = EqualizedConv2D(1, kernel_size, gain=1.0)
        layer.build(TFGAN_X.shape)
        layer.kernel.assign(np.full(layer.kernel.shape, 3.0))
        layer.bias.assign(np.ones(1))
        self.assertAllClose(layer(TFGAN_X), expected, atol=1e-5)

    @parameterized.named_parameters(
        ("same_3x3", 3, "same", None),
        ("same_4x4", 4, "same", "leaky_relu"),
        ("valid_2x3", (2, 3), "valid", "lrelu"),
    )
    def test_matches_numpy_reference(self, kernel_size, padding, activation):
        layer = EqualizedConv2D(
            5,
            kernel_size,
            lr_multiplier=0.1,
            bias_initial_value=0.2,
            activation=activation,
            padding=padding,
        )
        x = _normal((2, 7, 6, 3))
        outputs = layer(x).numpy()
        effective = layer.kernel.numpy() * layer.kernel_scale
        pre = numpy_reference.conv2d(x, effective, padding=padding) + 0.2
        expected = {
            None: pre,
            "leaky_relu": numpy_reference.leaky_relu(pre),
            "lrelu": numpy_reference.leaky_relu(pre) * math.sqrt(2.0),
        }[activation]
        self.assertEqual(outputs.shape, expected.shape)
        self.assertEqual(layer.compute_output_shape(x.shape), expected.shape)
        self.assertAllClose(outputs, expected, atol=1e-5)

    @parameterized.named_parameters(("3x3", 3, (2, 2)), ("1x1", 1, (1, 1)))
    def test_downsampling_matches_blur_then_strided_conv(self, kernel_size, pads):
        layer = EqualizedConv2D(4, kernel_size, gain=1.0, down=2)
        x = _normal((2, 8, 6, 3), seed=3)
        outputs = layer(x).numpy()
        taps = np.array([1.0, 3.0, 3.0, 1.0]) / 8.0
        blurred = numpy_reference.upfirdn_separable(x, taps, taps, pads=pads * 2)
        effective = layer.kernel.numpy() * layer.kernel_scale
        expected = numpy_reference.conv2d(blurred, effective, stride=2, padding="valid")
        self.assertEqual(outputs.shape, (2, 4, 3, 4))
        self.assertAllClose(outputs, expected, atol=1e-5)
        self.assertEqual(layer.compute_output_shape((None, 8, 6, 3)), (None, 4, 3, 4))

    def test_gradient_of_the_kernel_variable(self):
        layer = EqualizedConv2D(3, 3, lr_multiplier=0.1)
        x = _normal((2, 5, 5, 2))
        upstream = _normal((2, 5, 5, 3), seed=1)
        layer.build(x.shape)
        effective = tf.Variable(layer.kernel * layer.kernel_scale)
        with tf.GradientTape(persistent=True) as tape:
            loss = tf.reduce_sum(layer(x) * upstream)
            effective_loss = tf.reduce_sum(tf.nn.conv2d(x, effective, 1, "SAME") * upstream)
        raw_grad = tape.gradient(loss, layer.kernel)
        effective_grad = tape.gradient(effective_loss, effective)
        self.assertAllClose(raw_grad, effective_grad * layer.kernel_scale, rtol=1e-5, atol=1e-6)
        bias_grad = tape.gradient(loss, layer.bias)
        self.assertAllClose(bias_grad, upstream.sum((0, 1, 2)) * 0.1, rtol=1e-5)

    @parameterized.named_parameters(
        ("filters", {"filters": 0}, "filters=0"),
        ("kernel_size", {"filters": 2, "kernel_size": (3, 3, 3)}, r"kernel_size=\(3, 3, 3\)"),
        ("padding", {"filters": 2, "padding": "reflect"}, "padding='reflect'"),
        ("down", {"filters": 2, "down": 0}, "down=0"),
        ("down_valid", {"filters": 2, "down": 2, "padding": "valid"}, "padding='valid'"),
        ("activation", {"filters": 2, "activation": "tanh"}, "activation='tanh'"),
    )
    def test_invalid_arguments_raise(self, kwargs, message):
        with self.assertRaisesRegex(ValueError, message):
            EqualizedConv2D(**kwargs)

    def test_serialization(self):
        x = _normal((2, 6, 6, 3))
        layer = EqualizedConv2D(
            4, (3, 1), gain=1.0, lr_multiplier=0.5, activation="lrelu", bias_initial_value=0.1
        )
        layer_testing.run_serialization_test(self, layer, [x])
        layer_testing.run_keras_file_test(
            self, lambda: EqualizedConv2D(4, 3, down=2, blur_kernel=(1, 2, 1)), [x]
        )

    def test_mixed_precision(self):
        x = _normal((2, 6, 6, 3))
        layer_testing.run_mixed_precision_test(
            self, lambda: EqualizedConv2D(4, 3, activation="leaky_relu"), [x], rtol=3e-2, atol=3e-2
        )
        layer_testing.run_mixed_precision_test(
            self, lambda: EqualizedConv2D(4, 3, down=2), [x], rtol=3e-2, atol=3e-2
        )
