import math

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans.layers import ModulatedConv2D
from tests.layers import layer_testing
from tests.layers import numpy_reference

TAPS = np.array([1.0, 3.0, 3.0, 1.0]) / 8.0


def _normal(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _reference(layer, x, w):
    """Per-sample modulated (and demodulated) weights, then a plain convolution."""
    w_dim, channels = layer.affine.kernel.shape
    styles = w @ layer.affine.kernel.numpy() / math.sqrt(w_dim) + layer.affine.bias.numpy()
    size = layer.kernel_size
    kernel = layer.kernel.numpy().astype(np.float64) / math.sqrt(size * size * channels)
    outputs = []
    for n in range(x.shape[0]):
        weight = kernel * styles[n][None, None, :, None]
        if layer.demodulate:
            weight = weight / np.sqrt(np.sum(weight**2, axis=(0, 1, 2)) + 1e-8)
        sample = x[n : n + 1]
        if layer.up == 1:
            outputs.append(numpy_reference.conv2d(sample, weight, padding="same"))
        else:
            # Transposed convolution of stride 2: the zero-upsampled input
            # correlated with the weights over the full support, then the
            # [1, 3, 3, 1] filter (gain 4) with StyleGAN2's paddings.
            h, w_ = sample.shape[1:3]
            upsampled = np.zeros((1, 2 * h - 1, 2 * w_ - 1, channels))
            upsampled[:, ::2, ::2] = sample
            full = numpy_reference.conv2d(upsampled, weight, padding=(size - 1,) * 4)
            pads = {3: (1, 1, 1, 1), 1: (2, 2, 2, 2)}[size]
            outputs.append(numpy_reference.upfirdn_separable(full, 2 * TAPS, 2 * TAPS, pads=pads))
    result = np.concatenate(outputs)
    if layer.use_bias:
        result = result + layer.bias.numpy()
    return result


def _with_random_weights(layer, x, w, seed=5):
    layer(x, w)
    rng = np.random.default_rng(seed)
    layer.affine.bias.assign(rng.normal(1.0, 0.5, size=layer.affine.bias.shape))
    if layer.use_bias:
        layer.bias.assign(rng.normal(size=layer.bias.shape))
    return layer


class ModulatedConv2DTest(tf.test.TestCase, parameterized.TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    @parameterized.named_parameters(
        (
            f"{'fused' if fused else 'nonfused'}_k{k}_up{up}_{'demod' if demod else 'mod'}",
            fused,
            k,
            up,
            demod,
        )
        for fused in (True, False)
        for k in (1, 3)
        for up in (1, 2)
        for demod in (True, False)
    )
    def test_matches_numpy_reference(self, fused, kernel_size, up, demodulate):
        layer = ModulatedConv2D(4, kernel_size, demodulate=demodulate, up=up, fused_modconv=fused)
        x, w = _normal((2, 5, 4, 3)), _normal((2, 6), seed=1)
        _with_random_weights(layer, x, w)
        outputs = layer(x, w).numpy()
        self.assertEqual(outputs.shape, (2, 5 * up, 4 * up, 4))
        self.assertEqual(layer.compute_output_shape(x.shape, w.shape), outputs.shape)
        self.assertAllClose(outputs, _reference(layer, x, w), atol=1e-4, rtol=1e-4)

    @parameterized.named_parameters(("up1", 1), ("up2", 2))
    def test_fused_and_non_fused_agree_with_gradients_and_xla(self, up):
        fused = ModulatedConv2D(5, 3, up=up, activation="lrelu", fused_modconv=True)
        non_fused = ModulatedConv2D(5, 3, up=up, activation="lrelu", fused_modconv=False)
        x, w = _normal((3, 6, 6, 4)), _normal((3, 8), seed=1)
        _with_random_weights(fused, x, w)
        non_fused(x, w)
        non_fused.set_weights(fused.get_weights())
        upstream = _normal((3, 6 * up, 6 * up, 5), seed=2)
        results = []
        for layer in (fused, non_fused):
            x_var, w_var = tf.Variable(x), tf.Variable(w)
            with tf.GradientTape() as tape:
                outputs = layer(x_var, w_var)
                loss = tf.reduce_sum(outputs * upstream)
            gradients = tape.gradient(loss, [x_var, w_var, *layer.trainable_weights])
            compiled = tf.function(layer, jit_compile=True)(x, w)
            self.assertAllClose(compiled, outputs, atol=1e-4)
            results.append((outputs, gradients))
        self.assertAllClose(results[0][0], results[1][0], atol=1e-5)
        for fused_grad, non_fused_grad in zip(results[0][1], results[1][1], strict=True):
            self.assertAllClose(fused_grad, non_fused_grad, atol=1e-4, rtol=1e-4)

    def test_auto_uses_the_non_fused_path_without_a_gpu(self):
        if tf.config.list_logical_devices("GPU"):
            self.skipTest("A GPU is visible.")
        self.assertFalse(ModulatedConv2D(4)._use_fused())
        self.assertTrue(ModulatedConv2D(4, fused_modconv=True)._use_fused())

    def test_unknown_batch_size_in_a_graph(self):
        x, w = _normal((3, 4, 4, 2)), _normal((3, 5), seed=1)
        for fused in (True, False):
            layer = ModulatedConv2D(3, up=2, fused_modconv=fused)
            expected = layer(x, w)
            function = tf.function(
                layer,
                input_signature=[tf.TensorSpec((None, 4, 4, 2)), tf.TensorSpec((None, 5))],
            )
            self.assertAllClose(function(x, w), expected, atol=1e-5)

    def test_demodulation_keeps_unit_variance(self):
        layer = ModulatedConv2D(16, 3, use_bias=False)
        x = _normal((8, 16, 16, 64))
        w = _normal((8, 32), seed=1)
        layer(x, w)
        styles = layer.affine(w).numpy()
        self.assertGreater(np.std(styles), 0.8)  # the styles vary widely
        outputs = layer(x, w).numpy()[:, 1:-1, 1:-1]  # away from the padding
        stds = outputs.reshape(-1, 16).std(axis=0)
        self.assertAllInRange(stds, 0.9, 1.1)
        self.assertAllClose(np.mean(stds), 1.0, atol=0.03)
        # Without demodulation the output scale follows the styles.
        plain = ModulatedConv2D(16, 3, use_bias=False, demodulate=False)
        plain(x, w)
        plain.set_weights(layer.get_weights())
        self.assertGreater(np.mean(plain(x, w).numpy()[:, 1:-1, 1:-1].std(axis=(0, 1, 2))), 1.2)

    def test_styles_start_at_one(self):
        layer = ModulatedConv2D(4, 3)
        layer(_normal((2, 4, 4, 3)), _normal((2, 6)))
        self.assertAllClose(layer.affine(np.zeros((2, 6), "float32")), np.ones((2, 3)))
        self.assertEqual(layer.affine.gain, 1.0)
        self.assertAllClose(layer.kernel_scale, 1.0 / math.sqrt(27))

    @parameterized.named_parameters(("float32", "float32"), ("float16", "float16"))
    def test_zero_style_gives_no_nan(self, dtype):
        x, w = _normal((2, 4, 4, 3)), _normal((2, 6), seed=1)
        for fused in (True, False):
            for up in (1, 2):
                layer = ModulatedConv2D(4, 3, up=up, fused_modconv=fused, dtype=dtype)
                layer(x, w)
                layer.affine.kernel.assign(np.zeros(layer.affine.kernel.shape))
                layer.affine.bias.assign(np.zeros(layer.affine.bias.shape))
                outputs = np.asarray(keras.ops.cast(layer(x, w), "float32"))
                self.assertAllEqual(outputs, np.zeros((2, 4 * up, 4 * up, 4)))

    @parameterized.named_parameters(
        ("filters", {"filters": 0}, "filters=0"),
        ("kernel_size", {"filters": 2, "kernel_size": (3, 3)}, r"kernel_size=\(3, 3\)"),
        ("up", {"filters": 2, "up": 4}, "up=4"),
        ("fused", {"filters": 2, "fused_modconv": "yes"}, "fused_modconv='yes'"),
        ("fused_int", {"filters": 2, "fused_modconv": 1}, "fused_modconv=1"),
        ("demodulate", {"filters": 2, "demodulate": None}, "demodulate=None"),
        ("epsilon", {"filters": 2, "epsilon": 0.0}, "epsilon=0.0"),
    )
    def test_invalid_arguments_raise(self, kwargs, message):
        with self.assertRaisesRegex(ValueError, message):
            ModulatedConv2D(**kwargs)

    def test_invalid_inputs_raise(self):
        with self.assertRaisesRegex(ValueError, r"w_shape=\(2,\)"):
            ModulatedConv2D(2)(_normal((2, 4, 4, 3)), _normal((2,)))

    def test_serialization(self):
        x, w = _normal((2, 4, 4, 3)), _normal((2, 5), seed=1)
        layer = ModulatedConv2D(
            2, 1, demodulate=False, up=2, blur_kernel=(1, 2, 1), activation="lrelu", epsilon=1e-6
        )
        layer_testing.run_serialization_test(self, layer, [x, w])
        layer_testing.run_keras_file_test(self, lambda: ModulatedConv2D(2, up=2), [x, w])

    @parameterized.named_parameters(("fused", True), ("non_fused", False))
    def test_mixed_precision(self, fused):
        x, w = _normal((2, 4, 4, 3)), _normal((2, 5), seed=1)
        layer_testing.run_mixed_precision_test(
            self,
            lambda: ModulatedConv2D(4, 3, up=2, fused_modconv=fused),
            [x, w],
            rtol=5e-2,
            atol=5e-2,
        )
