"""Upsampling of feature maps with a FIR filter."""

import keras

from keras_gans.layers import _validation
from keras_gans.layers import resampling
from keras_gans.utils import validation


def _scaled(side, factor):
    return None if side is None else side * factor


@keras.saving.register_keras_serializable(package="keras_gans")
class Upsample2D(keras.layers.Layer):
    """Upsamples NHWC feature maps by an integer factor with a FIR filter.

    Inserts `factor - 1` zeros after every pixel along both axes, then
    convolves each channel with `outer(blur_kernel, blur_kernel)` normalised
    to a gain of `factor**2` (so that a constant image stays constant). The
    zero paddings, `(p + 1) // 2 + factor - 1` before and `p // 2` after
    with `p = len(blur_kernel) - factor`, give `factor` times the input
    size; the output is centred on the input when the number of taps and
    the factor are both even (the default) or both odd. Outputs within
    `len(blur_kernel)` pixels of the border see the padding. With the
    default filter and factor this is StyleGAN2's `upsample_2d`; with
    `blur_kernel=(1, 1)` it is nearest-neighbour upsampling.

    Args:
        factor: int. Upsampling factor. Defaults to `2`.
        blur_kernel: sequence of floats. The 1-D filter taps. Defaults to
            `(1, 3, 3, 1)`.
        **kwargs: base layer arguments (`name`, `dtype`, `trainable`).

    Example:
    ```python
    upsampled = keras_gans.layers.Upsample2D()(keras.random.normal((2, 8, 8, 3)))
    # upsampled.shape == (2, 16, 16, 3)
    ```

    Reference:
        [Karras et al., 2020](https://arxiv.org/abs/1912.04958) (StyleGAN2)
    """

    def __init__(self, factor=2, blur_kernel=resampling.DEFAULT_BLUR_KERNEL, **kwargs):
        super().__init__(**kwargs)
        self.factor = validation.check_positive_int(factor, "factor")
        self.blur_kernel = _validation.filter_taps(blur_kernel)

    def build(self, input_shape):
        _validation.feature_shape(input_shape, "Upsample2D", rank=4)

    def call(self, inputs):
        return resampling.upsample(inputs, self.blur_kernel, self.factor)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        return (batch, _scaled(height, self.factor), _scaled(width, self.factor), channels)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "blur_kernel": self.blur_kernel})
        return config
