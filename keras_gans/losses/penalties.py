"""Penalties on the discriminator's gradients: WGAN-GP and R1.

The pure functions take a `discriminator_fn` (samples -> logits, with any
conditioning already bound) and return the unweighted penalty. The classes are
`keras_gans.losses.Regularizer`s: they carry the weight and interval and are
what `AdversarialModel.compile(regularizers=...)` takes; their values are
logged under their `name` during `fit`.
"""

import keras
import tensorflow as tf
from keras import ops

from keras_gans.losses.regularizer import Regularizer
from keras_gans.utils import distribution
from keras_gans.utils import validation


def _squared_gradient_norms(discriminator_fn, samples, packing=1):
    """Squared norm of the gradient of the summed logits per input, in float32.

    An input is a sample, or with `packing > 1` a pack of `packing`
    consecutive samples, the discriminator's actual input: the squared norms
    of a pack's samples add up.
    """
    samples = ops.cast(samples, "float32")
    with tf.GradientTape() as tape:
        tape.watch(samples)
        total = ops.sum(ops.cast(discriminator_fn(samples), "float32"))
    gradients = tape.gradient(total, samples)
    squared = ops.sum(ops.square(gradients), axis=tuple(range(1, len(samples.shape))))
    if packing == 1:
        return squared
    return ops.sum(ops.reshape(squared, (-1, packing)), axis=1)


def gradient_penalty(
    discriminator_fn,
    real,
    fake,
    interpolation_weights,
    target=1.0,
    one_sided=False,
    epsilon=1e-10,
    packing=1,
):
    """Gradient penalty of WGAN-GP, unweighted.

    On samples `x = a * real + (1 - a) * fake` with per-sample weights `a`:

        mean((||grad_x D(x)||_2 - target)^2)

    For a packed discriminator (`packing > 1`, PacGAN) `x` is a pack of
    `packing` consecutive samples, the input the discriminator is a function
    of: the norm is that of the gradient with respect to the whole pack, and
    the samples of a pack should share one weight `a`.

    or, one-sided, `mean(max(0, ||grad_x D(x)||_2 - target)^2)`. The norm is
    `sqrt(sum(grad^2) + epsilon)`, so its own gradient stays finite where the
    discriminator's gradient is zero.

    Args:
        discriminator_fn: callable. Maps samples to logits of any shape.
        real: tensor. Real samples, `(batch, ...)`.
        fake: tensor. Generated samples of the same shape.
        interpolation_weights: tensor. `a`, shape `(batch,)`, in [0, 1].
        target: float. The gradient norm aimed at. Defaults to `1.0`.
        one_sided: bool. Penalise only norms above `target` (Petzka et al.
            2018). Defaults to `False`.
        epsilon: float. Added under the square root. Defaults to `1e-10`.
        packing: int. Samples per discriminator input. Defaults to `1`.

    Returns:
        A float32 scalar.

    Reference:
        Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS
        2017.
    """
    real = ops.cast(real, "float32")
    fake = ops.cast(fake, "float32")
    weights = ops.reshape(
        ops.cast(interpolation_weights, "float32"), (-1,) + (1,) * (len(real.shape) - 1)
    )
    mixed = weights * real + (1.0 - weights) * fake
    norms = ops.sqrt(_squared_gradient_norms(discriminator_fn, mixed, packing) + epsilon)
    excess = norms - target
    if one_sided:
        excess = ops.relu(excess)
    return ops.mean(ops.square(excess))


def r1_penalty(discriminator_fn, real, packing=1):
    """R1 penalty, unweighted: `mean(||grad_x D(x)||_2^2)` on real samples.

    With `packing > 1` `x` is a pack of `packing` consecutive samples (the
    discriminator's input), so a pack's squared norms add up.

    Args:
        discriminator_fn: callable. Maps samples to logits of any shape.
        real: tensor. Real samples, `(batch, ...)`.
        packing: int. Samples per discriminator input. Defaults to `1`.

    Returns:
        A float32 scalar.

    Reference:
        Mescheder et al., "Which Training Methods for GANs do actually
        Converge?", ICML 2018.
    """
    return ops.mean(_squared_gradient_norms(discriminator_fn, real, packing))


@keras.saving.register_keras_serializable(package="keras_gans")
class GradientPenalty(Regularizer):
    """The WGAN-GP gradient penalty, `weight * gradient_penalty(...)`.

    The interpolation weight is drawn uniformly in [0, 1] for each sample (for
    each pack of a packed discriminator) at every step, from the model's noise
    stream. The discriminator is called
    through `AdversarialModel.discriminate`, so its conditioning, augmentation
    and packing are those of the loss.

    Args:
        weight: float. The penalty's weight, lambda. Defaults to `10.0`, the
            paper's value.
        target: float. The gradient norm aimed at. Defaults to `1.0`.
        one_sided: bool. Penalise only norms above `target`. Defaults to
            `False`.
        every: int. Lazy regularisation interval (see
            `keras_gans.losses.Regularizer`). Defaults to `1`.

    Example:

    ```python
    gan.compile(loss="wasserstein", regularizers=[keras_gans.losses.GradientPenalty(10.0)])
    ```

    Reference:
        Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS
        2017.
    """

    name = "gradient_penalty"

    def __init__(self, weight=10.0, target=1.0, one_sided=False, every=1):
        super().__init__(weight, every)
        self.target = validation.check_number(target, "target", minimum=0.0)
        self.one_sided = validation.check_bool(one_sided, "one_sided")

    def compute(self, inputs):
        packing = inputs.packing
        weights = distribution.replica_rows(
            lambda n: keras.random.uniform(
                (n,), 0.0, 1.0, dtype="float32", seed=inputs.seed_generator
            ),
            ops.shape(inputs.real)[0] // packing,
        )
        if packing > 1:  # one weight per pack
            weights = ops.repeat(weights, packing, axis=0)
        return gradient_penalty(
            inputs.discriminator_fn,
            inputs.real,
            inputs.fake,
            weights,
            self.target,
            self.one_sided,
            packing=packing,
        )

    def get_config(self):
        return {
            "weight": self.weight,
            "target": self.target,
            "one_sided": self.one_sided,
            "every": self.every,
        }


@keras.saving.register_keras_serializable(package="keras_gans")
class R1Penalty(Regularizer):
    """The R1 penalty on real data, `gamma / 2 * r1_penalty(...)`.

    With lazy regularisation (`every=k`, as in StyleGAN2) it is computed on
    one discriminator update in `k`, multiplied by `k` so that its average
    strength is unchanged, and is zero on the other updates.

    Args:
        gamma: float. The penalty's weight is `gamma / 2`. Defaults to `10.0`.
        every: int. Compute the penalty every `every` discriminator updates.
            Defaults to `1`.

    Example:

    ```python
    gan.compile(regularizers=[keras_gans.losses.R1Penalty(gamma=10.0, every=16)])
    ```

    Reference:
        Mescheder et al., "Which Training Methods for GANs do actually
        Converge?", ICML 2018; Karras et al., "Analyzing and Improving the
        Image Quality of StyleGAN", CVPR 2020 (lazy regularisation).
    """

    name = "r1_penalty"

    def __init__(self, gamma=10.0, every=1):
        self.gamma = validation.check_number(gamma, "gamma", minimum=0.0)
        super().__init__(0.5 * self.gamma, every)

    def compute(self, inputs):
        return r1_penalty(inputs.discriminator_fn, inputs.real, inputs.packing)

    def get_config(self):
        return {"gamma": self.gamma, "every": self.every}


@keras.saving.register_keras_serializable(package="keras_gans")
class DriftPenalty(Regularizer):
    """ProGAN's drift penalty, `weight * mean(D(x)^2)` on real samples only.

    Keeps a Wasserstein critic's scores from drifting far from zero.

    Args:
        weight: float. Defaults to `0.001`, the paper's value.

    Reference:
        Karras et al., "Progressive Growing of GANs for Improved Quality,
        Stability, and Variation", ICLR 2018, appendix A.1.
    """

    name = "drift_penalty"

    def __init__(self, weight=0.001, every=1):
        super().__init__(weight, every)

    def compute(self, inputs):
        return ops.mean(ops.square(inputs.discriminator_fn(inputs.real)))
