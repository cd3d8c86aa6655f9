"""Loss objects: a generator loss and a discriminator loss that read the same outputs.

A `GANLoss` pairs the two players' losses and knows what the discriminator's
outputs mean: logits of the probability that a sample is real
(`outputs="probability"`: the cross-entropy losses) or unbounded scores
(`outputs="score"`: least squares, Wasserstein, hinge). The engine asks it how
to summarise the outputs for the logs (mean probability or mean score) and
under which names, so nothing in the engine switches on a loss's name. Loss
arguments such as one-sided label smoothing are constructor arguments, saved
with the model.

```python
gan.compile(loss=keras_gans.losses.NonSaturating(label_smoothing=0.2))
gan.compile(loss="hinge")  # a name gives the loss with its default arguments
gan.compile(loss=keras_gans.losses.GANLoss(my_g_loss, my_d_loss, outputs="probability"))
```
"""

import functools
import inspect

import keras
from keras import ops

from keras_gans.losses import adversarial
from keras_gans.utils import validation

PROBABILITY = "probability"
SCORE = "score"
OUTPUT_KINDS = (PROBABILITY, SCORE)

# The names the engine logs, one definition for the engine and the callbacks.
D_LOSS = "d_loss"
G_LOSS = "g_loss"
OUTPUT_LOG_NAMES = {PROBABILITY: ("d_real", "d_fake"), SCORE: ("critic_real", "critic_fake")}

# Parameter names by which a plain generator loss asks for the real outputs.
_REAL_PARAMETERS = ("real_outputs", "real_logits", "real_scores")


@keras.saving.register_keras_serializable(package="keras_gans")
class GANLoss:
    """A pair of adversarial losses and the meaning of the discriminator's outputs.

    Subclass it (overriding `generator_loss` and `discriminator_loss`) or give
    it two callables. The engine calls `discriminator_loss(real_outputs,
    fake_outputs)` and `generator_loss(fake_outputs, real_outputs)` with the
    discriminator's float32 outputs of any shape, and logs
    `output_summary(outputs)` of the real and generated batches under
    `log_names`.

    Args:
        generator_fn: callable. `generator_fn(fake_outputs)`, or with a second
            parameter named `real_outputs` (or `real_logits`) for losses that
            compare with the real outputs, such as the relativistic ones.
        discriminator_fn: callable. `discriminator_fn(real_outputs,
            fake_outputs)`.
        outputs: str. `"probability"` when the outputs are logits of the
            probability of "real" (logged as the mean probabilities `d_real`,
            `d_fake`), `"score"` for unbounded critic scores (logged as their
            means, `critic_real`, `critic_fake`). Defaults to `"score"`.

    Example:

    ```python
    loss = keras_gans.losses.GANLoss(
        keras_gans.losses.non_saturating_generator_loss,
        keras_gans.losses.non_saturating_discriminator_loss,
        outputs="probability",
    )
    ```
    """

    def __init__(self, generator_fn=None, discriminator_fn=None, outputs=SCORE):
        for name, fn in (("generator_fn", generator_fn), ("discriminator_fn", discriminator_fn)):
            if not callable(fn) and type(self) is GANLoss:
                raise ValueError(f"`{name}` must be a callable. Received: {name}={fn!r}")
        self.generator_fn = generator_fn
        self.discriminator_fn = discriminator_fn
        self.outputs = validation.check_one_of(outputs, "outputs", OUTPUT_KINDS)

    @property
    def uses_real_outputs(self):
        """Whether `generator_loss` reads the discriminator's outputs on real data."""
        try:
            parameters = inspect.signature(self.generator_fn).parameters
        except (TypeError, ValueError):
            return False
        return any(name in parameters for name in _REAL_PARAMETERS)

    def generator_loss(self, fake_outputs, real_outputs=None):
        """The generator's loss, a float32 scalar."""
        if not self.uses_real_outputs:
            return self.generator_fn(fake_outputs)
        parameters = inspect.signature(self.generator_fn).parameters
        (name,) = [name for name in _REAL_PARAMETERS if name in parameters][:1]
        return self.generator_fn(fake_outputs, **{name: real_outputs})

    def discriminator_loss(self, real_outputs, fake_outputs):
        """The discriminator's loss, a float32 scalar."""
        return self.discriminator_fn(real_outputs, fake_outputs)

    def output_summary(self, outputs):
        """What the logs show of a batch of outputs: mean probability or mean score."""
        if self.outputs == PROBABILITY:
            return ops.mean(ops.sigmoid(outputs))
        return ops.mean(outputs)

    @property
    def log_names(self):
        """The names of the summaries of the real and generated outputs."""
        return OUTPUT_LOG_NAMES[self.outputs]

    def get_config(self):
        return {
            "generator_fn": keras.saving.serialize_keras_object(self.generator_fn),
            "discriminator_fn": keras.saving.serialize_keras_object(self.discriminator_fn),
            "outputs": self.outputs,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator_fn", "discriminator_fn"):
            if isinstance(config.get(key), dict):
                config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    def __repr__(self):
        arguments = ", ".join(
            f"{key}={value!r}"
            for key, value in self.get_config().items()
            if not isinstance(value, dict)
        )
        return f"{type(self).__name__}({arguments})"


class _NamedLoss(GANLoss):
    """A loss of `keras_gans.losses.adversarial`, by its functions."""

    generator_function = None
    discriminator_function = None
    kind = SCORE

    def __init__(self):
        super().__init__(self.generator_function, self.discriminator_function, self.kind)

    @property
    def uses_real_outputs(self):
        return False

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_gans")
class Minimax(_NamedLoss):
    """The original GAN's minimax loss (Goodfellow et al. 2014), from logits.

    Args:
        label_smoothing: float. One-sided label smoothing of the real targets
            (`keras_gans.losses.minimax_discriminator_loss`). Defaults to `0.0`.
    """

    generator_function = staticmethod(adversarial.minimax_generator_loss)
    discriminator_function = staticmethod(adversarial.minimax_discriminator_loss)
    kind = PROBABILITY

    def __init__(self, label_smoothing=0.0):
        super().__init__()
        self.label_smoothing = validation.check_number(
            label_smoothing, "label_smoothing", minimum=0.0, maximum=1.0
        )

    def discriminator_loss(self, real_outputs, fake_outputs):
        return self.discriminator_fn(
            real_outputs, fake_outputs, label_smoothing=self.label_smoothing
        )

    def get_config(self):
        return {"label_smoothing": self.label_smoothing}


@keras.saving.register_keras_serializable(package="keras_gans")
class NonSaturating(Minimax):
    """The non-saturating GAN loss (Goodfellow et al. 2014), from logits.

    The generator maximises `log D(G(z))`; the discriminator minimises the
    binary cross-entropy, with optional one-sided label smoothing: Salimans et
    al.'s real target of 0.9 is `NonSaturating(label_smoothing=0.2)`
    (TF-GAN's convention, see
    `keras_gans.losses.non_saturating_discriminator_loss`).

    Args:
        label_smoothing: float. Defaults to `0.0`.
    """

    generator_function = staticmethod(adversarial.non_saturating_generator_loss)
    discriminator_function = staticmethod(adversarial.non_saturating_discriminator_loss)


@keras.saving.register_keras_serializable(package="keras_gans")
class LeastSquares(_NamedLoss):
    """The least squares loss of LSGAN (Mao et al. 2017), targets a=0, b=c=1."""

    generator_function = staticmethod(adversarial.least_squares_generator_loss)
    discriminator_function = staticmethod(adversarial.least_squares_discriminator_loss)


@keras.saving.register_keras_serializable(package="keras_gans")
class Wasserstein(_NamedLoss):
    """The Wasserstein loss of WGAN (Arjovsky et al. 2017) on critic scores."""

    generator_function = staticmethod(adversarial.wasserstein_generator_loss)
    discriminator_function = staticmethod(adversarial.wasserstein_discriminator_loss)


@keras.saving.register_keras_serializable(package="keras_gans")
class Hinge(_NamedLoss):
    """The hinge loss of SNGAN and SAGAN (Miyato et al. 2018; Zhang et al. 2019)."""

    generator_function = staticmethod(adversarial.hinge_generator_loss)
    discriminator_function = staticmethod(adversarial.hinge_discriminator_loss)


@keras.saving.register_keras_serializable(package="keras_gans")
class RelativisticAverage(_NamedLoss):
    """The relativistic average loss of RaSGAN (Jolicoeur-Martineau 2018), from logits.

    Its generator loss compares the generated outputs with the real ones.
    """

    generator_function = staticmethod(adversarial.relativistic_average_generator_loss)
    discriminator_function = staticmethod(adversarial.relativistic_average_discriminator_loss)
    kind = PROBABILITY

    @property
    def uses_real_outputs(self):
        return True

    def generator_loss(self, fake_outputs, real_outputs=None):
        return self.generator_fn(fake_outputs, real_outputs)


LOSSES = {
    "minimax": Minimax,
    "non_saturating": NonSaturating,
    "least_squares": LeastSquares,
    "wasserstein": Wasserstein,
    "hinge": Hinge,
    "relativistic_average": RelativisticAverage,
}


def _from_pair(generator_fn, discriminator_fn):
    """The loss object of a pair of callables; a named loss when they are its functions."""
    keywords = {}
    inner = discriminator_fn
    if isinstance(inner, functools.partial) and not inner.args:
        keywords, inner = dict(inner.keywords), inner.func
    for cls in LOSSES.values():
        if generator_fn is cls.generator_function and inner is cls.discriminator_function:
            try:
                return cls(**keywords)
            except TypeError:
                break  # arguments the loss object does not take: keep the pair as given
    kind = SCORE
    if inner in (Minimax.discriminator_function, NonSaturating.discriminator_function):
        kind = PROBABILITY
    return GANLoss(generator_fn, discriminator_fn, outputs=kind)


def get(identifier):
    """Returns the `GANLoss` of a name, a loss object or a pair of callables.

    Args:
        identifier: str, `GANLoss` or pair of callables. A name of
            `keras_gans.losses.LOSSES` gives that loss with its default
            arguments. A pair `(generator_loss, discriminator_loss)` of this
            package's functions (a discriminator loss possibly wrapped in
            `functools.partial` with keyword arguments) gives the loss object
            they make up; other callables give a `GANLoss` whose outputs are
            read as scores (pass a `GANLoss(..., outputs="probability")` for
            logits).

    Example:

    ```python
    loss = keras_gans.losses.get("non_saturating")
    loss.discriminator_loss(real_logits, fake_logits)
    ```
    """
    if isinstance(identifier, GANLoss):
        return identifier
    if isinstance(identifier, str):
        if identifier not in LOSSES:
            raise ValueError(
                f"Unknown GAN loss {identifier!r}. Valid names are {sorted(LOSSES)}, or "
                "pass a `keras_gans.losses.GANLoss` or a pair of callables "
                "(generator_loss, discriminator_loss)."
            )
        return LOSSES[identifier]()
    if (
        isinstance(identifier, (tuple, list))
        and len(identifier) == 2
        and all(callable(fn) for fn in identifier)
    ):
        return _from_pair(*identifier)
    raise ValueError(
        f"`loss` must be a loss name, one of {sorted(LOSSES)}, a "
        "`keras_gans.losses.GANLoss`, or a pair of callables "
        f"(generator_loss, discriminator_loss). Received: loss={identifier!r}"
    )
