"""The learned constant input of a style-based generator."""

import keras
from keras import ops

from keras_gans.utils import validation


@keras.saving.register_keras_serializable(package="keras_gans")
class LearnedConstant(keras.layers.Layer):
    """A learned `size x size x channels` tensor, repeated for every sample.

    StyleGAN's synthesis network starts from a learned constant instead of
    the latent vector. The layer takes any tensor whose first axis is the
    batch (typically `w`) and returns the constant tiled to
    `(batch, size, size, channels)`; the input's values are not used.

    Args:
        channels: int. Number of channels.
        size: int. Height and width. Defaults to `4`.
        initializer: Keras initializer or None. Initial value: `"ones"` for
            StyleGAN v1, `None` for `N(0, 1)` as in StyleGAN2 (note that
            Keras' `"random_normal"` has a standard deviation of 0.05).
            Defaults to `None`.
        **kwargs: base layer arguments (`name`, `dtype`, `trainable`).

    Example:
    ```python
    constant = keras_gans.layers.LearnedConstant(512)
    x = constant(w)  # (batch, 4, 4, 512)
    ```

    Reference:
        [Karras et al., 2019](https://arxiv.org/abs/1812.04948) (StyleGAN,
        section 2)
    """

    def __init__(self, channels, size=4, initializer=None, **kwargs):
        super().__init__(**kwargs)
        self.channels = validation.check_positive_int(channels, "channels")
        self.size = validation.check_positive_int(size, "size")
        if initializer is None:
            initializer = keras.initializers.RandomNormal(mean=0.0, stddev=1.0)
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape):
        self.constant = self.add_weight(
            name="constant",
            shape=(self.size, self.size, self.channels),
            initializer=self.initializer,
        )

    def call(self, inputs):
        batch_size = ops.shape(inputs)[0]
        constant = ops.cast(self.constant, self.compute_dtype)
        return ops.broadcast_to(constant[None], (batch_size, self.size, self.size, self.channels))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.channels)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "channels": self.channels,
                "size": self.size,
                "initializer": keras.initializers.serialize(self.initializer),
            }
        )
        return config
