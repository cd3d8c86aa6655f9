"""2-D convolution with an equalised learning rate."""

import math

import keras
from keras import ops

from keras_gans.layers import _activations
from keras_gans.layers import _validation
from keras_gans.layers import resampling
from keras_gans.utils import validation


def _downsampled(side, factor):
    return None if side is None else side // factor


def _valid(side, kernel):
    return None if side is None else side - kernel + 1


@keras.saving.register_keras_serializable(package="keras_gans")
class EqualizedConv2D(keras.layers.Layer):
    """2-D convolution (NHWC) with an equalised learning rate.

    The kernel variable, of shape `(kh, kw, C_in, filters)`, is initialised
    from `N(0, 1 / lr_multiplier)` and multiplied at run time by the
    constant

        kernel_scale = gain / sqrt(fan_in) * lr_multiplier,   fan_in = kh * kw * C_in

    so the effective kernel starts with He's standard deviation
    `gain / sqrt(fan_in)` while the optimiser updates a variable of standard
    deviation `1 / lr_multiplier` (see `EqualizedDense`). The bias variable
    is multiplied by `lr_multiplier` at run time and starts at
    `bias_initial_value / lr_multiplier`.

    With `padding="same"` the input is zero-padded as by
    `keras.layers.Conv2D(padding="same")` (for an even kernel, one more
    pixel after than before), as in ProGAN and StyleGAN; `"valid"` does not
    pad. With `down > 1` the layer is StyleGAN2's downsampling convolution:
    the input is filtered with `blur_kernel` (zero padding
    `(p + 1) // 2` before and `p // 2` after, `p = len(blur_kernel) - down +
    kernel_side - 1`) and convolved with stride `down` without padding,
    which gives `side // down` pixels. The fan-in, hence the scale, is the
    same as without downsampling.

    Args:
        filters: int. Number of output channels.
        kernel_size: int or pair of ints. Size of the kernel. Defaults to
            `3`.
        gain: float. The effective kernel's initial standard deviation is
            `gain / sqrt(fan_in)`: `sqrt(2)` before a (leaky) ReLU (ProGAN,
            StyleGAN v1), `1` for a linear layer (ProGAN's ToRGB) or before
            `activation="lrelu"`. Defaults to `sqrt(2)`.
        lr_multiplier: float. Learning-rate multiplier of the layer's
            variables, > 0. Defaults to `1.0`.
        use_bias: bool. Whether to add a bias. Defaults to `True`.
        bias_initial_value: float. Initial value of the effective bias.
            Defaults to `0.0`.
        activation: str or None. `None` or `"linear"` for none,
            `"leaky_relu"` for LeakyReLU(0.2), or `"lrelu"` for LeakyReLU(0.2)
            times `sqrt(2)` (StyleGAN2). Defaults to `None`.
        padding: str. `"same"` or `"valid"`; must be `"same"` when
            `down > 1`. Defaults to `"same"`.
        down: int. Downsampling factor, `1` for none. Defaults to `1`.
        blur_kernel: sequence of floats. 1-D taps of the filter applied
            before a downsampling convolution; unused when `down == 1`.
            Defaults to `(1, 3, 3, 1)`.
        **kwargs: base layer arguments (`name`, `dtype`, `trainable`).

    Example:
    ```python
    # A ProGAN generator convolution (followed by pixel normalisation).
    conv = keras_gans.layers.EqualizedConv2D(64, 3, activation="leaky_relu")
    features = conv(keras.random.normal((2, 8, 8, 32)))  # (2, 8, 8, 64)

    # A StyleGAN2 discriminator convolution halving the resolution.
    conv = keras_gans.layers.EqualizedConv2D(
        64, 3, gain=1.0, activation="lrelu", down=2
    )
    features = conv(keras.random.normal((2, 8, 8, 32)))  # (2, 4, 4, 64)
    ```

    Reference:
        [Karras et al., 2018](https://arxiv.org/abs/1710.10196) (ProGAN,
        section 4.1); [Karras et al., 2020](https://arxiv.org/abs/1912.04958)
        (StyleGAN2)
    """

    def __init__(
        self,
        filters,
        kernel_size=3,
        gain=_activations.HE_GAIN,
        lr_multiplier=1.0,
        use_bias=True,
        bias_initial_value=0.0,
        activation=None,
        padding="same",
        down=1,
        blur_kernel=resampling.DEFAULT_BLUR_KERNEL,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = validation.check_positive_int(filters, "filters")
        self.kernel_size = _validation.kernel_size(kernel_size)
        self.gain = validation.check_number(gain, "gain", minimum=0.0, exclusive=True)
        self.lr_multiplier = validation.check_number(
            lr_multiplier, "lr_multiplier", minimum=0.0, exclusive=True
        )
        self.use_bias = validation.check_bool(use_bias, "use_bias")
        self.bias_initial_value = validation.check_number(bias_initial_value, "bias_initial_value")
        self.activation = _activations.validate(activation)
        self.padding = validation.check_one_of(padding, "padding", ("same", "valid"))
        self.down = validation.check_positive_int(down, "down")
        self.blur_kernel = _validation.filter_taps(blur_kernel)
        if self.down > 1 and self.padding != "same":
            raise ValueError(
                "A downsampling `EqualizedConv2D` pads its input itself: `padding` "
                f"must be 'same' when `down` > 1. Received: padding={padding!r}, "
                f"down={down!r}"
            )
        self.kernel_scale = None

    def build(self, input_shape):
        input_shape = _validation.feature_shape(input_shape, "EqualizedConv2D", rank=4)
        channels = int(input_shape[-1])
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, channels, self.filters),
            initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier),
        )
        fan_in = self.kernel_size[0] * self.kernel_size[1] * channels
        self.kernel_scale = self.gain / math.sqrt(fan_in) * self.lr_multiplier
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.filters,),
                initializer=keras.initializers.Constant(
                    self.bias_initial_value / self.lr_multiplier
                ),
            )

    def _blur_padding(self):
        taps = len(self.blur_kernel)
        pads = []
        for side in self.kernel_size:
            p = taps - self.down + side - 1
            pads += [(p + 1) // 2, p // 2]
        return tuple(pads)

    def call(self, inputs):
        kernel = self.kernel * self.kernel_scale
        if self.down == 1:
            outputs = ops.conv(inputs, kernel, strides=1, padding=self.padding)
        else:
            blurred = resampling.upfirdn2d(
                inputs,
                resampling.make_blur_kernel(self.blur_kernel),
                padding=self._blur_padding(),
            )
            outputs = ops.conv(blurred, kernel, strides=self.down, padding="valid")
        if self.use_bias:
            outputs = outputs + self.bias * self.lr_multiplier
        return _activations.apply(outputs, self.activation)

    def compute_output_shape(self, input_shape):
        batch, height, width, _ = input_shape
        if self.down > 1:
            height, width = _downsampled(height, self.down), _downsampled(width, self.down)
        elif self.padding == "valid":
            height = _valid(height, self.kernel_size[0])
            width = _valid(width, self.kernel_size[1])
        return (batch, height, width, self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "gain": self.gain,
                "lr_multiplier": self.lr_multiplier,
                "use_bias": self.use_bias,
                "bias_initial_value": self.bias_initial_value,
                "activation": self.activation,
                "padding": self.padding,
                "down": self.down,
                "blur_kernel": self.blur_kernel,
            }
        )
        return config
