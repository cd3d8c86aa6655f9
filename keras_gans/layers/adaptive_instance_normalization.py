"""Adaptive instance normalisation (StyleGAN v1)."""

import keras
from keras import ops

from keras_gans.layers import _validation
from keras_gans.layers.equalized_dense import EqualizedDense
from keras_gans.utils import validation


@keras.saving.register_keras_serializable(package="keras_gans")
class AdaptiveInstanceNormalization(keras.layers.Layer):
    """Instance normalisation followed by a per-sample style from `w`.

    Called as `layer(x, w)` with NHWC features `x` and latent vectors `w`
    of shape `(batch, w_dim)`. Each channel of each sample is normalised
    over the pixels, `x_hat = (x - mean) * rsqrt(mean((x - mean)**2) +
    epsilon)`, then styled as `x_hat * (scale + 1) + bias`, where `(scale,
    bias)` are the two halves of an affine `EqualizedDense(2 * C, gain=1)` of
    `w` with zero initial bias. The `+ 1` makes the expected scale 1 at
    initialisation (exactly 1 for `w = 0`), so the layer starts close to a
    plain instance normalisation. The normalisation is computed in float32
    whatever the compute dtype.

    Args:
        epsilon: float. Added to the variance, > 0. Defaults to `1e-8`.
        **kwargs: base layer arguments (`name`, `dtype`, `trainable`).

    Example:
    ```python
    adain = keras_gans.layers.AdaptiveInstanceNormalization()
    styled = adain(keras.random.normal((2, 8, 8, 16)), keras.random.normal((2, 32)))
    ```

    Reference:
        [Karras et al., 2019](https://arxiv.org/abs/1812.04948) (StyleGAN,
        section 2); [Huang & Belongie, 2017](https://arxiv.org/abs/1703.06868)
        (AdaIN)
    """

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = validation.check_number(epsilon, "epsilon", minimum=0.0, exclusive=True)

    def build(self, inputs_shape, w_shape):
        inputs_shape = _validation.feature_shape(
            inputs_shape, "AdaptiveInstanceNormalization", rank=4
        )
        _validation.feature_shape(w_shape, "AdaptiveInstanceNormalization", rank=2, what="w")
        self.style = EqualizedDense(
            2 * int(inputs_shape[-1]), gain=1.0, dtype=self.dtype_policy, name="style"
        )
        self.style.build(w_shape)

    def call(self, inputs, w):
        channels = int(inputs.shape[-1])
        x = ops.cast(inputs, "float32")
        x = x - ops.mean(x, axis=(1, 2), keepdims=True)
        x = x * ops.rsqrt(ops.mean(ops.square(x), axis=(1, 2), keepdims=True) + self.epsilon)
        style = ops.cast(self.style(w), "float32")
        scale = style[:, None, None, :channels] + 1.0
        bias = style[:, None, None, channels:]
        return ops.cast(x * scale + bias, self.compute_dtype)

    def compute_output_shape(self, inputs_shape, w_shape):
        return tuple(inputs_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"epsilon": self.epsilon})
        return config
