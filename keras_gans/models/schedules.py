"""Update schedules: how one training step updates the two players.

`AdversarialModel.train_step` hands each batch to its schedule, which runs the
players' updates through the model's public hooks (`sample_latents`,
`run_generator`, `discriminate`, `discriminator_loss`, `generator_loss`,
`regularization`, `scaled_loss`, `update_discriminator`,
`update_generator`) and returns the values to log. Subclass `UpdateSchedule`
for another schedule (unrolled updates, growing networks) and pass it as
`compile(update=MySchedule())`.
"""

import keras
import tensorflow as tf
from keras import ops

from keras_gans.losses.regularizer import DISCRIMINATOR
from keras_gans.losses.regularizer import GENERATOR
from keras_gans.models import input_checks
from keras_gans.utils import validation


def rows(structure, part):
    """The rows `part` (a slice) of every tensor of a nested structure."""
    if structure is None:
        return None
    return tf.nest.map_structure(lambda tensor: tensor[part], structure)


def _total(loss, values):
    return loss + sum(values) if values else loss


@keras.saving.register_keras_serializable(package="keras_gans")
class UpdateSchedule:
    """How a training step updates the generator and the discriminator.

    Subclasses implement `train_step(model, real, labels)`, returning a
    `StepLogs` (or a dict with the same keys), and may set `min_batch_size`
    and `data_batch_size`.
    """

    @property
    def min_batch_size(self):
        """The smallest batch the schedule can train on."""
        return 1

    def build(self, model):
        """Creates the schedule's state (e.g. with `model.add_weight`). Optional."""

    def data_batch_size(self, images_per_update):
        """The data batch that gives each discriminator update `images_per_update` images."""
        return validation.check_positive_int(images_per_update, "images_per_update")

    def train_step(self, model, real, labels):
        """Updates the players on one batch; returns the values to log.

        Args:
            model: the `AdversarialModel`.
            real: tensor `(batch, *image_shape)`. Checked real samples.
            labels: int32 tensor `(batch,)`, or None for an unconditional model.

        Returns:
            A `StepLogs`.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement `train_step`.")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class StepLogs:
    """The values one step logs: losses, output summaries and regularisers by name."""

    def __init__(self, d_loss, g_loss, real_summary, fake_summary, regularizers):
        self.d_loss = d_loss
        self.g_loss = g_loss
        self.real_summary = real_summary
        self.fake_summary = fake_summary
        self.regularizers = dict(regularizers)


def discriminator_update(model, real, fake, labels, latents):
    """One discriminator update; returns `(d_loss, real_summary, fake_summary, values)`.

    `values` maps each discriminator regulariser's name to its value.
    """
    with tf.GradientTape() as tape:
        real_outputs = model.discriminate(real, labels, training=True)
        fake_outputs = model.discriminate(fake, labels, training=True)
        d_loss = model.discriminator_loss(real_outputs, fake_outputs)
        values = model.regularization(DISCRIMINATOR, real, fake, labels, latents)
        scaled = model.scaled_loss(_total(d_loss, list(values.values())), DISCRIMINATOR)
    model.update_discriminator(tape, scaled)
    return (
        d_loss,
        model.loss.output_summary(real_outputs),
        model.loss.output_summary(fake_outputs),
        values,
    )


@keras.saving.register_keras_serializable(package="keras_gans")
class Alternating(UpdateSchedule):
    """`d_steps` discriminator updates, then one generator update against the updated one.

    Each batch of `B` samples is split into `d_steps` slices of `B // d_steps`:
    each discriminator update sees one slice of real samples and as many
    generated ones, and the generator update sees the last slice's generated
    samples. One generator pass serves every update of the step (the
    generator does not change in between). So for the papers' recipes, where
    every critic update sees a batch of `n` (WGAN: 5 updates of 64), feed
    batches of `d_steps * n` (`data_batch_size(n)`).

    The logged discriminator loss, output summaries and discriminator
    regularisers are means over the slices.

    Args:
        d_steps: int. Discriminator updates per generator update. Defaults
            to `1`.
    """

    def __init__(self, d_steps=1):
        self.d_steps = validation.check_positive_int(d_steps, "d_steps")

    @property
    def min_batch_size(self):
        return self.d_steps

    def data_batch_size(self, images_per_update):
        return self.d_steps * super().data_batch_size(images_per_update)

    def train_step(self, model, real, labels):
        k = self.d_steps
        static = real.shape[0]
        batch_size = input_checks.check_batch_size(
            static if static is not None else ops.shape(real)[0], k
        )
        latents = model.sample_latents(batch_size)
        parts = [slice(i * batch_size // k, (i + 1) * batch_size // k) for i in range(k)]
        results = []
        with tf.GradientTape() as tape:
            fake = model.run_generator(latents, labels, training=True)
            with tape.stop_recording():
                for part in parts:
                    results.append(
                        discriminator_update(
                            model, real[part], fake[part], rows(labels, part), rows(latents, part)
                        )
                    )
            # The generator steps against the updated discriminator on the
            # last slice (sliced here, where the generator's tape records it).
            last = parts[-1]
            real_g, fake_g, labels_g = real[last], fake[last], rows(labels, last)
            g_loss = model.generator_loss(real_g, fake_g, labels_g)
            g_values = model.regularization(
                GENERATOR, real_g, fake_g, labels_g, rows(latents, last)
            )
            scaled = model.scaled_loss(_total(g_loss, list(g_values.values())), GENERATOR)
        model.update_generator(tape, scaled)

        def mean(values):
            return values[0] if k == 1 else ops.mean(ops.stack(values))

        d_losses, real_summaries, fake_summaries, d_values = zip(*results, strict=True)
        regularizers = {name: mean([v[name] for v in d_values]) for name in d_values[0]}
        regularizers.update(g_values)
        return StepLogs(
            mean(list(d_losses)),
            g_loss,
            mean(list(real_summaries)),
            mean(list(fake_summaries)),
            regularizers,
        )

    def get_config(self):
        return {"d_steps": self.d_steps}


@keras.saving.register_keras_serializable(package="keras_gans")
class Simultaneous(UpdateSchedule):
    """Both players' gradients from one forward pass, applied together.

    As in the TensorFlow DCGAN tutorial: cheaper than alternating updates (no
    second discriminator pass on the generated batch), at the cost of the
    generator stepping against the discriminator before its update.
    """

    def train_step(self, model, real, labels):
        latents = model.sample_latents(ops.shape(real)[0])
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = model.run_generator(latents, labels, training=True)
            real_outputs = model.discriminate(real, labels, training=True)
            fake_outputs = model.discriminate(fake, labels, training=True)
            d_loss = model.discriminator_loss(real_outputs, fake_outputs)
            with g_tape.stop_recording():
                d_values = model.regularization(DISCRIMINATOR, real, fake, labels, latents)
                d_scaled = model.scaled_loss(_total(d_loss, list(d_values.values())), DISCRIMINATOR)
            with d_tape.stop_recording():
                g_loss = model.generator_loss(real, fake, labels, real_outputs, fake_outputs)
                g_values = model.regularization(GENERATOR, real, fake, labels, latents)
                g_scaled = model.scaled_loss(_total(g_loss, list(g_values.values())), GENERATOR)
        model.update_generator(g_tape, g_scaled)
        model.update_discriminator(d_tape, d_scaled)
        return StepLogs(
            d_loss,
            g_loss,
            model.loss.output_summary(real_outputs),
            model.loss.output_summary(fake_outputs),
            {**d_values, **g_values},
        )


SCHEDULES = {"alternating": Alternating, "simultaneous": Simultaneous}


def get(update, d_steps=None):
    """The `UpdateSchedule` of `compile(update=..., d_steps=...)`."""
    if isinstance(update, UpdateSchedule):
        if d_steps is not None:
            raise ValueError(
                "`d_steps` is an argument of the update schedule: pass "
                f"`Alternating(d_steps={d_steps})` alone. Received: update={update!r}, "
                f"d_steps={d_steps!r}"
            )
        return update
    if not isinstance(update, str) or update not in SCHEDULES:
        raise ValueError(
            f"`update` must be one of {list(SCHEDULES)} or a "
            f"`keras_gans.models.UpdateSchedule`. Received: update={update!r}"
        )
    if update == "simultaneous":
        if d_steps not in (None, 1):
            raise ValueError(
                "`d_steps` > 1 needs update='alternating': simultaneous "
                "updates take one step of each player from one forward pass. "
                f"Received: d_steps={d_steps}, update={update!r}"
            )
        return Simultaneous()
    return Alternating(1 if d_steps is None else d_steps)
