"""Bias and activation with a learning-rate multiplier (StyleGAN2's `bias_act`)."""

import keras

from keras_gans.layers import _activations
from keras_gans.utils import validation


@keras.saving.register_keras_serializable(package="keras_gans")
class BiasActivation(keras.layers.Layer):
    """Adds a per-channel bias, then applies an activation.

    Computes `activation(inputs + bias * lr_multiplier)` with one bias per
    entry of the last axis. The bias variable starts at
    `bias_initial_value / lr_multiplier`, so the effective bias starts at
    `bias_initial_value`.

    StyleGAN's synthesis layers add the noise between the convolution and
    the bias and activation: `EqualizedConv2D(use_bias=False)` or
    `ModulatedConv2D(use_bias=False)`, then `NoiseInjection`, then
    `BiasActivation`.

    Args:
        activation: str or None. `None` or `"linear"` for none,
            `"leaky_relu"` for LeakyReLU(0.2), or `"lrelu"` for LeakyReLU(0.2)
            times `sqrt(2)` (StyleGAN2). Defaults to `"lrelu"`.
        use_bias: bool. Whether to add the bias. Defaults to `True`.
        lr_multiplier: float. Learning-rate multiplier of the bias, > 0.
            Defaults to `1.0`.
        bias_initial_value: float. Initial value of the effective bias.
            Defaults to `0.0`.
        **kwargs: base layer arguments (`name`, `dtype`, `trainable`).

    Example:
    ```python
    layer = keras_gans.layers.BiasActivation("lrelu")
    outputs = layer(keras.random.normal((2, 8, 8, 16)))
    ```

    Reference:
        [Karras et al., 2020](https://arxiv.org/abs/1912.04958) (StyleGAN2)
    """

    def __init__(
        self,
        activation="lrelu",
        use_bias=True,
        lr_multiplier=1.0,
        bias_initial_value=0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.activation = _activations.validate(activation)
        self.use_bias = validation.check_bool(use_bias, "use_bias")
        self.lr_multiplier = validation.check_number(
            lr_multiplier, "lr_multiplier", minimum=0.0, exclusive=True
        )
        self.bias_initial_value = validation.check_number(bias_initial_value, "bias_initial_value")

    def build(self, input_shape):
        if len(input_shape) < 1 or input_shape[-1] is None:
            raise ValueError(
                "`BiasActivation` expects inputs with a known last axis. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(int(input_shape[-1]),),
                initializer=keras.initializers.Constant(
                    self.bias_initial_value / self.lr_multiplier
                ),
            )

    def call(self, inputs):
        outputs = inputs
        if self.use_bias:
            outputs = outputs + self.bias * self.lr_multiplier
        return _activations.apply(outputs, self.activation)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "activation": self.activation,
                "use_bias": self.use_bias,
                "lr_multiplier": self.lr_multiplier,
                "bias_initial_value": self.bias_initial_value,
            }
        )
        return config
