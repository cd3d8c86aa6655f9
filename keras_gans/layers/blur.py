"""Low-pass filtering of feature maps with a FIR filter."""

import keras

from keras_gans.layers import _validation
from keras_gans.layers import resampling


@keras.saving.register_keras_serializable(package="keras_gans")
class Blur(keras.layers.Layer):
    """Filters NHWC feature maps with a normalised separable FIR filter.

    Each channel is convolved with `outer(blur_kernel, blur_kernel) / sum`
    (a gain of 1, so a constant image stays constant), with zero padding of
    `len(blur_kernel) // 2` pixels before and `(len(blur_kernel) - 1) // 2`
    after along each axis, which keeps the spatial size. Outputs within
    `len(blur_kernel)` pixels of the border see the padding. With an
    even number of taps the content moves by half a pixel towards the bottom
    right.

    Args:
        blur_kernel: sequence of floats. The 1-D filter taps. Defaults to
            `(1, 3, 3, 1)` (StyleGAN2); StyleGAN v1 blurs with `(1, 2, 1)`.
        **kwargs: base layer arguments (`name`, `dtype`, `trainable`).

    Example:
    ```python
    blurred = keras_gans.layers.Blur()(keras.random.normal((2, 8, 8, 3)))
    ```

    Reference:
        [Zhang, 2019](https://arxiv.org/abs/1904.11486) (anti-aliased
        CNNs); [Karras et al., 2020](https://arxiv.org/abs/1912.04958)
        (StyleGAN2)
    """

    def __init__(self, blur_kernel=resampling.DEFAULT_BLUR_KERNEL, **kwargs):
        super().__init__(**kwargs)
        self.blur_kernel = _validation.filter_taps(blur_kernel)

    def build(self, input_shape):
        _validation.feature_shape(input_shape, "Blur", rank=4)

    def call(self, inputs):
        return resampling.blur(inputs, self.blur_kernel)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"blur_kernel": self.blur_kernel})
        return config
