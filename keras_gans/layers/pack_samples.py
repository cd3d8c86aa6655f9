"""Packing: a discriminator that judges several samples at once (PacGAN)."""

import keras
import tensorflow as tf
from keras import ops

from keras_gans.utils import validation


@keras.saving.register_keras_serializable(package="keras_gans")
class PackSamples(keras.layers.Layer):
    """Groups `packing` consecutive samples into one, along the last axis.

    `(batch, ..., channels)` becomes `(batch // packing, ..., packing * channels)`:
    samples `i * packing` to `(i + 1) * packing - 1` are concatenated along
    their last axis (channels of images, features of vectors). As the first
    layer of a discriminator it makes it judge `packing` samples at once, so it
    sees whether a batch lacks diversity (PacGAN). Real and generated batches
    are grouped the same way (consecutive samples); the batch must be
    divisible by `packing`.

    Args:
        packing: int. Samples per group. Defaults to `2`.
        **kwargs: base layer arguments.

    Reference:
        Lin et al., "PacGAN: The power of two samples in generative adversarial
        networks", NeurIPS 2018.
    """

    def __init__(self, packing=2, **kwargs):
        super().__init__(**kwargs)
        self.packing = validation.check_positive_int(packing, "packing")

    def call(self, inputs):
        m = self.packing
        if m == 1:
            return inputs
        batch = inputs.shape[0]
        if batch is not None and batch % m:
            raise ValueError(
                f"PackSamples(packing={m}) needs a batch divisible by {m}. "
                f"Received a batch of {batch}."
            )
        shape = ops.shape(inputs)
        check = tf.debugging.assert_equal(
            shape[0] % m, 0, message=f"The batch must be divisible by packing={m}."
        )
        with tf.control_dependencies([check]):
            inputs = tf.identity(inputs)
        rank = len(inputs.shape)
        grouped = ops.reshape(inputs, (-1, m, *inputs.shape[1:]))
        # (groups, m, ..., channels) -> (groups, ..., m, channels) -> (groups, ..., m * channels)
        order = (0, *range(2, rank), 1, rank)
        grouped = ops.transpose(grouped, order)
        return ops.reshape(grouped, (-1, *inputs.shape[1:-1], m * inputs.shape[-1]))

    def compute_output_shape(self, input_shape):
        batch = None if input_shape[0] is None else input_shape[0] // self.packing
        return (batch, *input_shape[1:-1], self.packing * input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config["packing"] = self.packing
        return config


def packing_of(discriminator):
    """How many samples `discriminator` judges at once (1 when unpacked).

    Its `packing` attribute when it has one (the package's discriminators),
    else the product of the `packing` of the `PackSamples` layers among its
    layers (a model built by hand).
    """
    packing = getattr(discriminator, "packing", None)
    if isinstance(packing, int) and not isinstance(packing, bool) and packing >= 1:
        return packing
    packing = 1
    for layer in getattr(discriminator, "layers", ()):
        if isinstance(layer, PackSamples):
            packing *= layer.packing
    return packing
