"""Pixelwise feature-vector normalisation (ProGAN)."""

import keras
from keras import ops

from keras_gans.utils import validation


@keras.saving.register_keras_serializable(package="keras_gans")
class PixelNormalization(keras.layers.Layer):
    """Normalises each feature vector to a unit second moment.

    Computes `x * rsqrt(mean(x**2, axis) + epsilon)`: in ProGAN after every
    convolution of the generator (with `axis=-1`, over the channels of each
    pixel), and in StyleGAN on the latent vector `z`. The layer has no
    weights. The statistic is computed in float32 whatever the compute
    dtype, so the default `epsilon` is representable and an all-zero input
    gives zeros, also under a float16 policy. With float16 activations a
    larger `epsilon` such as `1e-4` (ProGAN's float16 configuration) is
    still advised: it keeps the layer from amplifying float16 round-off in
    near-zero feature vectors to unit scale.

    Args:
        axis: int. The axis normalised over. Defaults to `-1` (channels).
        epsilon: float. Added to the mean square, > 0. Defaults to `1e-8`.
        **kwargs: base layer arguments (`name`, `dtype`).

    Example:
    ```python
    normalized = keras_gans.layers.PixelNormalization()(
        keras.random.normal((2, 4, 4, 8))
    )
    ```

    Reference:
        [Karras et al., 2018](https://arxiv.org/abs/1710.10196) (ProGAN,
        section 4.2)
    """

    def __init__(self, axis=-1, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        if not validation.is_int(axis):
            raise ValueError(f"`axis` must be an integer. Received: axis={axis!r}")
        self.axis = int(axis)
        self.epsilon = validation.check_number(epsilon, "epsilon", minimum=0.0, exclusive=True)

    def build(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank or self.axis % rank == 0:
            raise ValueError(
                "`axis` must name a non-batch axis of the inputs. Received: "
                f"axis={self.axis} for inputs of shape {tuple(input_shape)}"
            )

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        mean_square = ops.mean(ops.square(x), axis=self.axis, keepdims=True)
        outputs = x * ops.rsqrt(mean_square + self.epsilon)
        return ops.cast(outputs, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config
