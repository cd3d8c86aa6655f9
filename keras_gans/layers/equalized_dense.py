"""Fully connected layer with an equalised learning rate."""

import math

import keras
from keras import ops

from keras_gans.layers import _activations
from keras_gans.utils import validation


@keras.saving.register_keras_serializable(package="keras_gans")
class EqualizedDense(keras.layers.Layer):
    """Fully connected layer with an equalised learning rate.

    The kernel variable is initialised from `N(0, 1 / lr_multiplier)` and
    multiplied at run time by the constant

        kernel_scale = gain / sqrt(fan_in) * lr_multiplier,   fan_in = C_in

    so the effective kernel starts with He's standard deviation
    `gain / sqrt(fan_in)` while the optimiser updates a variable of standard
    deviation `1 / lr_multiplier`. With Adam, whose steps do not depend on
    the gradient's scale, every layer then learns at the same relative speed
    whatever its fan-in, and `lr_multiplier` slows that speed down
    (StyleGAN's mapping network uses 0.01). A plain SGD step on the variable
    moves the effective kernel by `learning_rate * kernel_scale**2` times the
    gradient with respect to the effective kernel. The bias variable is
    multiplied by `lr_multiplier` at run time too and starts at
    `bias_initial_value / lr_multiplier`, so the effective bias starts at
    `bias_initial_value`.

    The layer computes `activation(inputs @ (kernel * kernel_scale) + bias *
    lr_multiplier)` on the last axis of inputs of any rank.

    Args:
        units: int. Number of output units.
        gain: float. The effective kernel's initial standard deviation is
            `gain / sqrt(fan_in)`: `sqrt(2)` (He) before a (leaky) ReLU in
            ProGAN and StyleGAN v1, `1` for a linear layer or before
            `activation="lrelu"`, which applies the `sqrt(2)` itself.
            Defaults to `sqrt(2)`.
        lr_multiplier: float. Learning-rate multiplier of the layer's
            variables, > 0. Defaults to `1.0`.
        use_bias: bool. Whether to add a bias. Defaults to `True`.
        bias_initial_value: float. Initial value of every entry of the
            effective bias (StyleGAN2's style affines use 1). Defaults to
            `0.0`.
        activation: str or None. `None` or `"linear"` for none,
            `"leaky_relu"` for LeakyReLU(0.2), or `"lrelu"` for LeakyReLU(0.2)
            times `sqrt(2)` (StyleGAN2's `bias_act`). Defaults to `None`.
        **kwargs: base layer arguments (`name`, `dtype`, `trainable`).

    Example:
    ```python
    # A layer of StyleGAN's mapping network.
    layer = keras_gans.layers.EqualizedDense(
        512, gain=1.0, lr_multiplier=0.01, activation="lrelu"
    )
    w = layer(keras.random.normal((2, 512)))  # (2, 512)
    ```

    Reference:
        [Karras et al., 2018](https://arxiv.org/abs/1710.10196) (ProGAN,
        section 4.1)
    """

    def __init__(
        self,
        units,
        gain=_activations.HE_GAIN,
        lr_multiplier=1.0,
        use_bias=True,
        bias_initial_value=0.0,
        activation=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = validation.check_positive_int(units, "units")
        self.gain = validation.check_number(gain, "gain", minimum=0.0, exclusive=True)
        self.lr_multiplier = validation.check_number(
            lr_multiplier, "lr_multiplier", minimum=0.0, exclusive=True
        )
        self.use_bias = validation.check_bool(use_bias, "use_bias")
        self.bias_initial_value = validation.check_number(bias_initial_value, "bias_initial_value")
        self.activation = _activations.validate(activation)
        self.kernel_scale = None

    def build(self, input_shape):
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(
                "`EqualizedDense` expects inputs of rank >= 2 with a known last "
                f"axis. Received: input_shape={tuple(input_shape)}"
            )
        fan_in = int(input_shape[-1])
        self.kernel = self.add_weight(
            name="kernel",
            shape=(fan_in, self.units),
            initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier),
        )
        self.kernel_scale = self.gain / math.sqrt(fan_in) * self.lr_multiplier
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units,),
                initializer=keras.initializers.Constant(
                    self.bias_initial_value / self.lr_multiplier
                ),
            )

    def call(self, inputs):
        kernel = self.kernel * self.kernel_scale
        outputs = ops.matmul(inputs, kernel)
        if self.use_bias:
            outputs = outputs + self.bias * self.lr_multiplier
        return _activations.apply(outputs, self.activation)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "gain": self.gain,
                "lr_multiplier": self.lr_multiplier,
                "use_bias": self.use_bias,
                "bias_initial_value": self.bias_initial_value,
                "activation": self.activation,
            }
        )
        return config
