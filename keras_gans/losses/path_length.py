"""Path length regularisation of the generator (StyleGAN2)."""

import math

import keras
import tensorflow as tf
from keras import ops

from keras_gans.losses.regularizer import GENERATOR
from keras_gans.losses.regularizer import Regularizer
from keras_gans.utils import validation


def path_lengths(generator_fn, latents, noise):
    """Per-sample lengths `|J^T y|` of the generator's Jacobian applied to image noise.

    With `x = generator_fn(latents)` and `y = noise` (the shape of `x`), the
    gradient of `sum(x * y)` with respect to the latents is `J^T y`. Its length
    is the square root of the sum of squares over the last latent axis,
    averaged over any axes between the batch and the last (the per-layer
    latents of a style-based generator).

    Args:
        generator_fn: callable. Latents to samples, differentiable.
        latents: float tensor `(batch, ..., dim)`.
        noise: float tensor of the samples' shape.

    Returns:
        A float32 tensor `(batch,)`.
    """
    latents = ops.cast(latents, "float32")
    with tf.GradientTape() as tape:
        tape.watch(latents)
        samples = ops.cast(generator_fn(latents), "float32")
        projected = ops.sum(samples * ops.cast(noise, "float32"))
    gradients = tape.gradient(projected, latents)
    squares = ops.sum(ops.square(gradients), axis=-1)
    if len(squares.shape) > 1:
        squares = ops.mean(squares, axis=tuple(range(1, len(squares.shape))))
    return ops.sqrt(squares + 1e-8)


@keras.saving.register_keras_serializable(package="keras_gans")
class PathLengthPenalty(Regularizer):
    """Path length regularisation: `weight * mean((|J^T y| - a)^2)`.

    Encourages a fixed-size step in latent space to change the image by a
    fixed amount, whatever the direction: `J` is the generator's Jacobian at a
    latent, `y` Gaussian image noise scaled by `1 / sqrt(height * width)`, and
    `a` the moving average of the lengths (decay `decay`, updated on the
    updates where the penalty is computed, saved with the model). It is
    computed on a batch of `batch_size // batch_shrink` latents, on one
    generator update in `every`. On a style-based generator the lengths are
    taken in its intermediate latent space when the model provides it;
    otherwise with respect to the latents the generator takes.

    Args:
        weight: float. Defaults to `2.0`, StyleGAN2's value.
        every: int. Defaults to `4` (StyleGAN2's lazy interval).
        decay: float. Update rate of the moving average. Defaults to `0.01`.
        batch_shrink: int. The penalty's batch is the update's batch divided
            by this. Defaults to `2`.

    Reference:
        Karras et al., "Analyzing and Improving the Image Quality of
        StyleGAN", CVPR 2020, section 3.2.
    """

    name = "path_length"
    player = GENERATOR

    def __init__(self, weight=2.0, every=4, decay=0.01, batch_shrink=2):
        super().__init__(weight, every)
        self.decay = validation.check_number(decay, "decay", minimum=0.0, maximum=1.0)
        self.batch_shrink = validation.check_positive_int(batch_shrink, "batch_shrink")
        self.mean_length = None

    def build(self, model):
        self.mean_length = model.add_weight(
            shape=(),
            initializer="zeros",
            dtype="float32",
            trainable=False,
            aggregation="mean",
            name="path_length_mean",
        )

    def compute(self, inputs):
        count = ops.maximum(ops.shape(inputs.fake)[0] // self.batch_shrink, 1)
        latents = tf.nest.map_structure(lambda t: t[:count], inputs.latents)
        labels = None if inputs.labels is None else inputs.labels[:count]
        shape = inputs.fake.shape
        noise = keras.random.normal(
            (count, *shape[1:]), dtype="float32", seed=inputs.seed_generator
        ) / math.sqrt(shape[1] * shape[2] if len(shape) == 4 else max(shape[1], 1))
        w, synthesize = inputs.model.intermediate_latents(latents, labels, inputs.training)
        lengths = path_lengths(synthesize, w, noise)
        mean = self.mean_length + self.decay * (
            ops.mean(ops.stop_gradient(lengths)) - self.mean_length
        )
        if inputs.training:  # evaluation leaves the moving average alone
            self.mean_length.assign(mean)
        return ops.mean(ops.square(lengths - mean))

    def get_config(self):
        return {
            "weight": self.weight,
            "every": self.every,
            "decay": self.decay,
            "batch_shrink": self.batch_shrink,
        }
