"""Modulated convolution (StyleGAN2)."""

import math

import keras
import tensorflow as tf
from keras import ops

from keras_gans.layers import _activations
from keras_gans.layers import _validation
from keras_gans.layers import resampling
from keras_gans.layers.equalized_dense import EqualizedDense
from keras_gans.utils import validation

FUSED_MODCONV_OPTIONS = ("auto", True, False)


def _gpu_available():
    return bool(tf.config.list_logical_devices("GPU"))


@keras.saving.register_keras_serializable(package="keras_gans")
class ModulatedConv2D(keras.layers.Layer):
    """StyleGAN2's convolution whose weights are modulated by a style per sample.

    Called as `layer(x, w)` with NHWC features `x` of `C_in` channels and
    latent vectors `w` of shape `(batch, w_dim)`. The styles
    `s = EqualizedDense(C_in, gain=1, bias_initial_value=1)(w)` (so `s` is
    close to 1 at initialisation) scale the input channels of the kernel,
    one copy per sample:

        weight[n, kh, kw, i, o] = kernel[kh, kw, i, o] * kernel_scale * s[n, i]

    with the equalised-learning-rate variable `kernel ~ N(0, 1)` and
    `kernel_scale = 1 / sqrt(kh * kw * C_in)`. With `demodulate=True` every
    output channel of every sample is then rescaled by
    `d[n, o] = rsqrt(sum_{kh, kw, i} weight[n, kh, kw, i, o]**2 + epsilon)`
    (computed in float32), which keeps unit-variance inputs at unit variance
    without the statistics of instance normalisation. StyleGAN2's ToRGB
    layers use `kernel_size=1, demodulate=False`.

    Two computations give the same result. The fused one builds the
    per-sample weights and runs one grouped convolution with the batch
    folded into the channels. The non-fused one scales the activations
    instead, `conv(x * s) * d`, with the shared kernel. `fused_modconv="auto"`
    uses the fused path when a GPU is visible and the non-fused one
    otherwise: TensorFlow's grouped convolutions are slow on CPUs, or
    unsupported by some CPU builds.

    With `up=2` the layer is StyleGAN2's upsampling convolution: a
    transposed convolution of stride 2 (with the kernel flipped, so that it
    correlates the zero-upsampled input with the kernel, as `conv` would),
    followed by the `blur_kernel` filter with a gain of 4. The output has
    twice the input's height and width. Otherwise the convolution pads with
    zeros like `keras.layers.Conv2D(padding="same")`.

    An optional bias (one per output channel) and activation follow. In
    StyleGAN2's synthesis layers the noise is added between the convolution
    and the bias: use `use_bias=False` followed by `NoiseInjection` and
    `BiasActivation("lrelu")`.

    Args:
        filters: int. Number of output channels.
        kernel_size: int. Size of the square kernel. Defaults to `3`.
        demodulate: bool. Whether to demodulate. Defaults to `True`.
        up: int. `1`, or `2` for an upsampling convolution. Defaults to `1`.
        blur_kernel: sequence of floats. 1-D taps of the filter of the
            upsampling convolution; unused when `up == 1`. Defaults to
            `(1, 3, 3, 1)`.
        fused_modconv: bool or `"auto"`. Which computation to use (see
            above). Defaults to `"auto"`.
        use_bias: bool. Whether to add a bias. Defaults to `True`.
        activation: str or None. `None` or `"linear"` for none,
            `"leaky_relu"` for LeakyReLU(0.2), or `"lrelu"` for LeakyReLU(0.2)
            times `sqrt(2)`. Defaults to `None`.
        epsilon: float. Added under the demodulation's square root, > 0.
            Defaults to `1e-8`.
        **kwargs: base layer arguments (`name`, `dtype`, `trainable`).

    Example:
    ```python
    conv = keras_gans.layers.ModulatedConv2D(64, 3, up=2)
    features = conv(keras.random.normal((2, 8, 8, 32)), keras.random.normal((2, 128)))
    # features.shape == (2, 16, 16, 64)

    to_rgb = keras_gans.layers.ModulatedConv2D(3, 1, demodulate=False)
    ```

    Reference:
        [Karras et al., 2020](https://arxiv.org/abs/1912.04958) (StyleGAN2,
        section 2.2)
    """

    def __init__(
        self,
        filters,
        kernel_size=3,
        demodulate=True,
        up=1,
        blur_kernel=resampling.DEFAULT_BLUR_KERNEL,
        fused_modconv="auto",
        use_bias=True,
        activation=None,
        epsilon=1e-8,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = validation.check_positive_int(filters, "filters")
        self.kernel_size = validation.check_positive_int(kernel_size, "kernel_size")
        self.demodulate = validation.check_bool(demodulate, "demodulate")
        self.up = validation.check_one_of(up, "up", (1, 2))
        self.blur_kernel = _validation.filter_taps(blur_kernel)
        self.fused_modconv = validation.check_one_of(
            fused_modconv, "fused_modconv", FUSED_MODCONV_OPTIONS
        )
        self.use_bias = validation.check_bool(use_bias, "use_bias")
        self.activation = _activations.validate(activation)
        self.epsilon = validation.check_number(epsilon, "epsilon", minimum=0.0, exclusive=True)
        self.kernel_scale = None

    def build(self, inputs_shape, w_shape):
        inputs_shape = _validation.feature_shape(inputs_shape, "ModulatedConv2D", rank=4)
        _validation.feature_shape(w_shape, "ModulatedConv2D", rank=2, what="w")
        channels = int(inputs_shape[-1])
        self.affine = EqualizedDense(
            channels,
            gain=1.0,
            bias_initial_value=1.0,
            dtype=self.dtype_policy,
            name="affine",
        )
        self.affine.build(w_shape)
        size = self.kernel_size
        self.kernel = self.add_weight(
            name="kernel",
            shape=(size, size, channels, self.filters),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )
        self.kernel_scale = 1.0 / math.sqrt(size * size * channels)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")

    def _use_fused(self):
        if self.fused_modconv == "auto":
            return _gpu_available()
        return self.fused_modconv

    def _demodulation(self, kernel, styles):
        """`d[n, o]`, in float32, from `sum_i s[n, i]^2 * sum_{kh, kw} kernel[..., i, o]^2`."""
        kernel = ops.cast(kernel, "float32")
        styles = ops.cast(styles, "float32")
        kernel_energy = ops.sum(ops.square(kernel), axis=(0, 1))  # (C_in, filters)
        return ops.rsqrt(ops.matmul(ops.square(styles), kernel_energy) + self.epsilon)

    def _upsample_blur(self, x):
        # The transposed convolution gives (side - 1) * 2 + k pixels; these
        # paddings bring the blurred output to side * 2.
        taps = len(self.blur_kernel)
        p = (taps - 2) - (self.kernel_size - 1)
        before, after = (p + 1) // 2 + 1, p // 2 + 1
        kernel = resampling.make_blur_kernel(self.blur_kernel, gain=4.0)
        return resampling.upfirdn2d(x, kernel, padding=(before, after, before, after))

    def _convolve(self, x, kernel):
        """Convolves `x` with `kernel` (k, k, in, out), upsampling if `up == 2`."""
        if self.up == 1:
            return tf.nn.conv2d(x, kernel, strides=1, padding="SAME")
        shape = tf.shape(x)
        size = self.kernel_size
        out_channels = kernel.shape[-1]
        output_shape = tf.stack(
            [shape[0], (shape[1] - 1) * 2 + size, (shape[2] - 1) * 2 + size, out_channels]
        )
        # conv2d_transpose convolves (flips); flipping the kernel makes it
        # correlate, like conv2d. Its filter is (k, k, out, in).
        transposed = tf.transpose(kernel[::-1, ::-1], (0, 1, 3, 2))
        x = tf.nn.conv2d_transpose(x, transposed, output_shape, strides=2, padding="VALID")
        return self._upsample_blur(x)

    def _non_fused(self, x, kernel, styles, demodulation):
        x = x * styles[:, None, None, :]
        x = self._convolve(x, kernel)
        if demodulation is not None:
            x = x * ops.cast(demodulation, x.dtype)[:, None, None, :]
        return x

    def _fused(self, x, kernel, styles, demodulation):
        channels = int(x.shape[-1])
        shape = tf.shape(x)
        batch_size, height, width = shape[0], shape[1], shape[2]
        weight = (
            ops.cast(kernel, "float32")[None] * ops.cast(styles, "float32")[:, None, None, :, None]
        )
        if demodulation is not None:
            weight = weight * demodulation[:, None, None, None, :]
        weight = ops.cast(weight, x.dtype)  # (N, k, k, C_in, filters)
        size = self.kernel_size
        # Fold the batch into the channels: sample n uses input channels
        # [n * C_in, (n + 1) * C_in) and output channels [n * F, (n + 1) * F).
        grouped_kernel = tf.reshape(
            tf.transpose(weight, (1, 2, 3, 0, 4)), (size, size, channels, -1)
        )
        grouped_x = tf.reshape(tf.transpose(x, (1, 2, 0, 3)), (1, height, width, -1))
        if self.up == 1:
            y = tf.nn.conv2d(grouped_x, grouped_kernel, strides=1, padding="SAME")
        else:
            # A grouped transposed convolution: its filter is (k, k, F, N * C_in).
            transposed = tf.reshape(
                tf.transpose(weight[:, ::-1, ::-1], (1, 2, 4, 0, 3)),
                (size, size, self.filters, -1),
            )
            output_shape = tf.stack(
                [1, (height - 1) * 2 + size, (width - 1) * 2 + size, batch_size * self.filters]
            )
            # TensorFlow's CPU kernels have no grouped transposed convolution
            # in float16 (oneDNN, where present, hides it): compute it in float32.
            compute_dtype = grouped_x.dtype
            if compute_dtype == tf.float16:
                grouped_x = tf.cast(grouped_x, tf.float32)
                transposed = tf.cast(transposed, tf.float32)
            y = tf.nn.conv2d_transpose(
                grouped_x, transposed, output_shape, strides=2, padding="VALID"
            )
            y = tf.cast(y, compute_dtype)
        # Unfold the batch from the channels.
        out_shape = tf.shape(y)
        y = tf.reshape(y, (out_shape[1], out_shape[2], batch_size, self.filters))
        y = tf.transpose(y, (2, 0, 1, 3))
        if self.up == 2:
            y = self._upsample_blur(y)
        return y

    def call(self, inputs, w):
        styles = self.affine(w)
        kernel = self.kernel * self.kernel_scale
        demodulation = self._demodulation(kernel, styles) if self.demodulate else None
        if self._use_fused():
            outputs = self._fused(inputs, kernel, styles, demodulation)
        else:
            outputs = self._non_fused(inputs, kernel, styles, demodulation)
        if self.use_bias:
            outputs = outputs + self.bias
        return _activations.apply(outputs, self.activation)

    def compute_output_shape(self, inputs_shape, w_shape):
        batch, height, width, _ = inputs_shape
        if self.up == 2:
            height = None if height is None else height * 2
            width = None if width is None else width * 2
        return (batch, height, width, self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "demodulate": self.demodulate,
                "up": self.up,
                "blur_kernel": self.blur_kernel,
                "fused_modconv": self.fused_modconv,
                "use_bias": self.use_bias,
                "activation": self.activation,
                "epsilon": self.epsilon,
            }
        )
        return config
