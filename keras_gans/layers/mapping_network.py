"""StyleGAN's mapping network from `z` to `w`."""

import keras
from keras import ops

from keras_gans.layers import _validation
from keras_gans.layers.equalized_dense import EqualizedDense
from keras_gans.utils import validation


@keras.saving.register_keras_serializable(package="keras_gans")
class MappingNetwork(keras.layers.Layer):
    """Maps latent vectors `z` to intermediate latent vectors `w`.

    Normalises `z` to a unit second moment, `z * rsqrt(mean(z**2) +
    epsilon)` (computed in float32), then applies `num_layers`
    `EqualizedDense` layers with `gain=1`, the learning-rate multiplier
    `lr_multiplier` and StyleGAN2's `"lrelu"` activation (LeakyReLU(0.2)
    times `sqrt(2)`, which keeps the second moment of the activations
    close to 1 from layer to layer at initialisation). All layers but the
    last have `hidden_units` units; the last has `w_dim`.

    The network is unconditional: StyleGAN2-ADA's label embedding for class
    conditioning is not part of it. Tracking the average `w` for the
    truncation trick is left to the generator that owns the network.

    Args:
        w_dim: int. Size of `w`. Defaults to `512`.
        num_layers: int. Number of dense layers: 8 in StyleGAN and
            StyleGAN2, 2 in StyleGAN2-ADA's CIFAR-10 configuration.
            Defaults to `8`.
        hidden_units: int or None. Units of the hidden layers; `None` for
            `w_dim`. Defaults to `None`.
        lr_multiplier: float. Learning-rate multiplier of every layer, > 0.
            Defaults to `0.01`.
        normalize_latents: bool. Whether to normalise `z` first. Defaults to
            `True`.
        epsilon: float. Added to the mean square of `z`, > 0. Defaults to
            `1e-8`.
        **kwargs: base layer arguments (`name`, `dtype`, `trainable`).

    Example:
    ```python
    mapping = keras_gans.layers.MappingNetwork(w_dim=512, num_layers=8)
    w = mapping(keras.random.normal((2, 512)))  # (2, 512)
    ```

    Reference:
        [Karras et al., 2019](https://arxiv.org/abs/1812.04948) (StyleGAN,
        section 2 and appendix C)
    """

    def __init__(
        self,
        w_dim=512,
        num_layers=8,
        hidden_units=None,
        lr_multiplier=0.01,
        normalize_latents=True,
        epsilon=1e-8,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.w_dim = validation.check_positive_int(w_dim, "w_dim")
        self.num_layers = validation.check_positive_int(num_layers, "num_layers")
        self.hidden_units = (
            None
            if hidden_units is None
            else validation.check_positive_int(hidden_units, "hidden_units")
        )
        self.lr_multiplier = validation.check_number(
            lr_multiplier, "lr_multiplier", minimum=0.0, exclusive=True
        )
        self.normalize_latents = validation.check_bool(normalize_latents, "normalize_latents")
        self.epsilon = validation.check_number(epsilon, "epsilon", minimum=0.0, exclusive=True)
        hidden = self.w_dim if self.hidden_units is None else self.hidden_units
        self.dense_layers = [
            EqualizedDense(
                self.w_dim if i == self.num_layers - 1 else hidden,
                gain=1.0,
                lr_multiplier=self.lr_multiplier,
                activation="lrelu",
                dtype=self.dtype_policy,
                name=f"dense_{i}",
            )
            for i in range(self.num_layers)
        ]

    def build(self, input_shape):
        input_shape = _validation.feature_shape(input_shape, "MappingNetwork", rank=2, what="z")
        shape = input_shape
        for layer in self.dense_layers:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)

    def call(self, inputs):
        x = inputs
        if self.normalize_latents:
            z = ops.cast(inputs, "float32")
            z = z * ops.rsqrt(ops.mean(ops.square(z), axis=-1, keepdims=True) + self.epsilon)
            x = ops.cast(z, self.compute_dtype)
        for layer in self.dense_layers:
            x = layer(x)
        return x

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.w_dim)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "w_dim": self.w_dim,
                "num_layers": self.num_layers,
                "hidden_units": self.hidden_units,
                "lr_multiplier": self.lr_multiplier,
                "normalize_latents": self.normalize_latents,
                "epsilon": self.epsilon,
            }
        )
        return config
