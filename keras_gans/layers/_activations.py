"""The activations of the equalised-learning-rate layers.

`"lrelu"` is StyleGAN2's: LeakyReLU(0.2) followed by a gain of sqrt(2), which
restores the second moment that the activation halves (for a zero-mean
symmetric input, `E[leaky_relu(x)^2] = (1 + 0.2^2) / 2 * E[x^2]`). StyleGAN v1
and ProGAN fold that gain into the weights instead (`gain=sqrt(2)` and
`"leaky_relu"`).
"""

import math

from keras import ops

from keras_gans.utils import validation

LEAKY_RELU_SLOPE = 0.2
LRELU_GAIN = math.sqrt(2.0)
# He's gain before a (leaky) ReLU: the default `gain` of the equalised layers.
HE_GAIN = math.sqrt(2.0)
ACTIVATIONS = (None, "linear", "leaky_relu", "lrelu")


def validate(activation):
    """Returns `activation` if it is one of `ACTIVATIONS`."""
    return validation.check_one_of(activation, "activation", ACTIVATIONS)


def apply(x, activation):
    """Applies one of `ACTIVATIONS` to `x`."""
    if activation is None or activation == "linear":
        return x
    x = ops.leaky_relu(x, negative_slope=LEAKY_RELU_SLOPE)
    if activation == "lrelu":
        x = x * ops.cast(LRELU_GAIN, x.dtype)
    return x
