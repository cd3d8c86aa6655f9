"""The base class of the terms added to a player's loss: penalties and regularisers.

A `Regularizer` belongs to one player (`player = "discriminator"` or
`"generator"`), has a `name` under which the engine logs its value, a `weight`,
and an interval `every`: computed on one update of its player in `every`
(lazy regularisation, Karras et al. 2020), multiplied by `every` so that its
average strength is unchanged, and zero on the other updates. Subclasses
implement `compute(inputs)`, the unweighted value, and may keep state
(variables) created in `build(model)`.

```python
class R2Penalty(keras_gans.losses.Regularizer):
    name = "r2_penalty"

    def compute(self, inputs):
        return keras_gans.losses.r1_penalty(inputs.discriminator_fn, inputs.fake)

gan.compile(regularizers=[R2Penalty(weight=5.0, every=4)])
```
"""

import keras
from keras import ops

from keras_gans.layers import pack_samples
from keras_gans.utils import validation

DISCRIMINATOR = "discriminator"
GENERATOR = "generator"
PLAYERS = (DISCRIMINATOR, GENERATOR)


class RegularizerInputs:
    """What a regulariser sees of one update.

    Attributes:
        model: the `AdversarialModel`.
        real: tensor. The real samples of the update.
        fake: tensor. The generated samples of the update (computed under the
            generator's tape in generator updates).
        labels: int32 tensor or None. Class labels of a conditional model.
        latents: the latent inputs `fake` was generated from.
        step: int64 scalar tensor. The number of updates the regulariser's
            player made before this one (its optimizer's `iterations`).
        seed_generator: `keras.random.SeedGenerator`. The model's noise
            stream, for random draws that a resumed run repeats.
        training: bool. False in evaluation (`test_step`): networks run in
            inference mode, and state such as moving averages stays put.
    """

    def __init__(self, model, real, fake, labels, latents, step, seed_generator, training=True):
        self.model = model
        self.real = real
        self.fake = fake
        self.labels = labels
        self.latents = latents
        self.step = step
        self.seed_generator = seed_generator
        self.training = training

    def discriminator_fn(self, samples):
        """The discriminator's outputs on `samples`, as the losses see them.

        Goes through `AdversarialModel.discriminate`, so augmentation and
        packing apply here as in the loss.
        """
        return self.model.discriminate(samples, self.labels, training=self.training)

    @property
    def packing(self):
        """Samples per discriminator input: the model's and the discriminator's packing."""
        discriminator = getattr(self.model, "discriminator", None)
        packing = getattr(self.model, "packing", 1)
        if discriminator is not None:
            packing *= pack_samples.packing_of(discriminator)
        return packing

    def generator_fn(self, latents, labels=None):
        """The generator's samples of `latents`."""
        return self.model.run_generator(latents, labels, training=self.training)


@keras.saving.register_keras_serializable(package="keras_gans")
class Regularizer:
    """A term added to one player's loss, computed every `every` updates.

    Args:
        weight: float. Multiplies `compute(inputs)`. Defaults to `1.0`.
        every: int. Compute the term on one update of its player in `every`,
            multiplied by `every`, and give zero on the others. Defaults to `1`.

    Attributes:
        name: str. The name its value is logged under (a class attribute;
            unique among a model's regularisers).
        player: str. `"discriminator"` or `"generator"`: whose loss it joins.
    """

    name = None
    player = DISCRIMINATOR

    def __init__(self, weight=1.0, every=1):
        self.weight = validation.check_number(weight, "weight", minimum=0.0)
        self.every = validation.check_positive_int(every, "every")

    def build(self, model):
        """Creates the regulariser's state, e.g. with `model.add_weight`. Optional."""

    def compute(self, inputs):
        """The unweighted value on one update, a float32 scalar.

        Args:
            inputs: `RegularizerInputs`.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement `compute(inputs)`.")

    def __call__(self, inputs, lazy=True):
        """The weighted value: with `lazy`, scaled by `every` on one update in `every`."""
        if not lazy or self.every == 1:
            return self.weight * ops.cast(self.compute(inputs), "float32")
        weight = self.weight * self.every

        def value():
            return weight * ops.cast(self.compute(inputs), "float32")

        return ops.cond(
            ops.equal(ops.mod(inputs.step, self.every), 0),
            value,
            lambda: ops.zeros((), "float32"),
        )

    def get_config(self):
        return {"weight": self.weight, "every": self.every}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class CallablePenalty(Regularizer):
    """A discriminator penalty given as `penalty(discriminator_fn, real, fake, step, seed)`.

    The protocol of keras_gans 0.1: a callable with a `name` returning its
    weighted value. It is computed on every update.
    """

    def __init__(self, penalty):
        super().__init__()
        self.penalty = penalty
        self.name = penalty.name

    def compute(self, inputs):
        return self.penalty(
            inputs.discriminator_fn, inputs.real, inputs.fake, inputs.step, inputs.seed_generator
        )

    def get_config(self):
        return {"penalty": keras.saving.serialize_keras_object(self.penalty)}

    @classmethod
    def from_config(cls, config):
        return cls(keras.saving.deserialize_keras_object(config["penalty"]))


def get(regularizers):
    """Checks a list of regularisers and returns it (old-style penalties wrapped).

    Raises `ValueError` for entries that are not regularisers, unknown
    players, or repeated names.
    """
    if regularizers is None:
        return []
    if not isinstance(regularizers, (list, tuple)):
        regularizers = [regularizers]
    checked = []
    for entry in regularizers:
        if not isinstance(entry, Regularizer):
            if callable(entry) and isinstance(getattr(entry, "name", None), str):
                entry = CallablePenalty(entry)
            else:
                raise ValueError(
                    "Each regulariser must be a `keras_gans.losses.Regularizer`, such as "
                    "`keras_gans.losses.GradientPenalty(10.0)`. Received: "
                    f"{entry!r}"
                )
        if not isinstance(entry.name, str) or not entry.name:
            raise ValueError(
                f"A regulariser needs a `name` to log its value under. Received: {entry!r}"
            )
        validation.check_one_of(entry.player, f"{type(entry).__name__}.player", PLAYERS)
        checked.append(entry)
    names = [entry.name for entry in checked]
    if len(set(names)) != len(names):
        raise ValueError(f"Regulariser names must be unique. Received: {names}")
    return checked


def lazy_optimizer_settings(every, learning_rate, beta_1, beta_2):
    """Adam's settings for a player regularised every `every` updates (StyleGAN2).

    With lazy regularisation the optimizer is asked to follow updates whose
    size is the regular updates' plus the regulariser's every `every` steps;
    StyleGAN2 keeps the optimizer's effective time scale by shortening its
    steps and memory: `learning_rate * c` and `beta ** c` with
    `c = every / (every + 1)`.

    Args:
        every: int. The regulariser's interval.
        learning_rate, beta_1, beta_2: float. The settings without lazy
            regularisation.

    Returns:
        `(learning_rate, beta_1, beta_2)` for the lazily regularised player.

    Reference:
        Karras et al., "Analyzing and Improving the Image Quality of
        StyleGAN", CVPR 2020, appendix B.
    """
    every = validation.check_positive_int(every, "every")
    ratio = every / (every + 1)
    return learning_rate * ratio, beta_1**ratio, beta_2**ratio
