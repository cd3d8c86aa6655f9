"""Downsampling of feature maps with a FIR filter."""

import keras

from keras_gans.layers import _validation
from keras_gans.layers import resampling
from keras_gans.utils import validation


def _divided(side, factor):
    return None if side is None else side // factor


@keras.saving.register_keras_serializable(package="keras_gans")
class Downsample2D(keras.layers.Layer):
    """Downsamples NHWC feature maps by an integer factor with a FIR filter.

    Convolves each channel with `outer(blur_kernel, blur_kernel)` normalised
    to a gain of 1 and keeps every `factor`-th pixel. The zero paddings,
    `(p + 1) // 2` before and `p // 2` after with
    `p = len(blur_kernel) - factor`, give `side // factor` pixels; the
    output is centred on the input when the number of taps and the factor
    are both even (the default) or both odd. Outputs within
    `len(blur_kernel)` pixels of the border see the padding. With the
    default filter and factor this is StyleGAN2's `downsample_2d`; with
    `blur_kernel=(1, 1)` it is 2x2 average pooling (ProGAN's `downscale`).

    Args:
        factor: int. Downsampling factor. Defaults to `2`.
        blur_kernel: sequence of floats. The 1-D filter taps. Defaults to
            `(1, 3, 3, 1)`.
        **kwargs: base layer arguments (`name`, `dtype`, `trainable`).

    Example:
    ```python
    downsampled = keras_gans.layers.Downsample2D()(keras.random.normal((2, 8, 8, 3)))
    # downsampled.shape == (2, 4, 4, 3)
    ```

    Reference:
        [Karras et al., 2020](https://arxiv.org/abs/1912.04958) (StyleGAN2)
    """

    def __init__(self, factor=2, blur_kernel=resampling.DEFAULT_BLUR_KERNEL, **kwargs):
        super().__init__(**kwargs)
        self.factor = validation.check_positive_int(factor, "factor")
        self.blur_kernel = _validation.filter_taps(blur_kernel)

    def build(self, input_shape):
        _validation.feature_shape(input_shape, "Downsample2D", rank=4)

    def call(self, inputs):
        return resampling.downsample(inputs, self.blur_kernel, self.factor)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        return (batch, _divided(height, self.factor), _divided(width, self.factor), channels)

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor, "blur_kernel": self.blur_kernel})
        return config
