"""Per-pixel noise with a learned strength (StyleGAN)."""

import keras
from keras import ops

from keras_gans.layers import _validation
from keras_gans.utils import validation

NOISE_MODES = ("random", "const", "auto", "none")


@keras.saving.register_keras_serializable(package="keras_gans")
class NoiseInjection(keras.layers.Layer):
    """Adds single-channel Gaussian noise scaled by a learned strength.

    Computes `inputs + noise * strength`, where `noise` has one value per
    pixel of each NHWC sample, shape `(batch, height, width, 1)`, broadcast
    over the channels. `strength` starts at zero, so the layer is the
    identity at initialisation and learns how much noise to let in (its
    gradient is `sum(noise * upstream_gradient)`, non-zero from the first
    step). StyleGAN2 learns one strength per layer (`per_channel=False`),
    StyleGAN v1 one per channel (`per_channel=True`).

    The noise is drawn afresh at every call with `keras.random.normal` and
    the layer's own `keras.random.SeedGenerator` (`noise_mode="random"`,
    during training and inference alike, as in StyleGAN), read from a stored
    non-trainable buffer of shape `(height, width, 1)` drawn from `N(0, 1)`
    when the layer is built (`"const"`, for reproducible images; the
    spatial size must then be known), drawn afresh in training and read from
    the buffer in inference (`"auto"`: the trained generator and its export
    give the same image for the same latent), or left out (`"none"`).

    Args:
        per_channel: bool. Whether to learn one strength per channel instead
            of a single one. Defaults to `False`.
        noise_mode: str. `"random"`, `"const"`, `"auto"` or `"none"`.
            Defaults to `"random"`.
        seed: int or None. Seed of the noise (and of the constant buffer).
            Defaults to `None`.
        **kwargs: base layer arguments (`name`, `dtype`, `trainable`).

    Example:
    ```python
    layer = keras_gans.layers.NoiseInjection(seed=1)
    features = layer(keras.random.normal((2, 8, 8, 16)))  # unchanged at init
    ```

    Reference:
        [Karras et al., 2019](https://arxiv.org/abs/1812.04948) (StyleGAN);
        [Karras et al., 2020](https://arxiv.org/abs/1912.04958) (StyleGAN2)
    """

    def __init__(self, per_channel=False, noise_mode="random", seed=None, **kwargs):
        super().__init__(**kwargs)
        self.per_channel = validation.check_bool(per_channel, "per_channel")
        self.noise_mode = validation.check_one_of(noise_mode, "noise_mode", NOISE_MODES)
        if seed is not None and (not validation.is_int(seed) or seed < 0):
            raise ValueError(f"`seed` must be an integer >= 0 or None. Received: seed={seed!r}")
        self.seed = None if seed is None else int(seed)
        self.seed_generator = keras.random.SeedGenerator(self.seed)

    def build(self, input_shape):
        input_shape = _validation.feature_shape(input_shape, "NoiseInjection", rank=4)
        self.strength = self.add_weight(
            name="strength",
            shape=(int(input_shape[-1]),) if self.per_channel else (),
            initializer="zeros",
        )
        if self.noise_mode in ("const", "auto"):
            height, width = input_shape[1:3]
            if height is None or width is None:
                raise ValueError(
                    f"`NoiseInjection(noise_mode={self.noise_mode!r})` stores one noise map, "
                    f"so the height and width must be known. Received: input_shape={input_shape}"
                )
            self.noise_const = self.add_weight(
                name="noise_const",
                shape=(int(height), int(width), 1),
                initializer=keras.initializers.RandomNormal(stddev=1.0, seed=self.seed),
                trainable=False,
            )

    def call(self, inputs, training=False):
        if self.noise_mode == "none":
            return inputs
        if self.noise_mode == "const" or (self.noise_mode == "auto" and not training):
            noise = ops.cast(self.noise_const, inputs.dtype)[None]
        else:
            shape = ops.shape(inputs)
            noise = keras.random.normal((shape[0], shape[1], shape[2], 1), seed=self.seed_generator)
            noise = ops.cast(noise, inputs.dtype)
        return inputs + noise * ops.cast(self.strength, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "per_channel": self.per_channel,
                "noise_mode": self.noise_mode,
                "seed": self.seed,
            }
        )
        return config
