"""The growing schedule of progressive GANs, as an update schedule."""

import keras
import tensorflow as tf
from keras import ops

from keras_gans.architectures.progressive import blend_images
from keras_gans.architectures.progressive import compute_progress
from keras_gans.architectures.progressive import stage_index
from keras_gans.models.schedules import Alternating
from keras_gans.models.schedules import UpdateSchedule
from keras_gans.utils import validation
from keras_gans.utils.ema import base_optimizer


def _optimizer_state(optimizer):
    """The variables a reset clears: the step count and the moment estimates.

    The learning rate and the moving average of the weights (`use_ema`) stay.
    """
    optimizer = base_optimizer(optimizer)
    keep = {id(optimizer._learning_rate)} if hasattr(optimizer, "_learning_rate") else set()
    return [
        variable
        for variable in optimizer.variables
        if id(variable) not in keep
        and not variable.path.endswith("_average")
        and not variable.path.endswith("learning_rate")
    ]


@keras.saving.register_keras_serializable(package="keras_gans")
class Progressive(UpdateSchedule):
    """Grows the networks from 4x4 to full size within one `fit` (ProGAN).

    The level of both networks (`keras_gans.architectures.ProgressiveGenerator`
    and `ProgressiveDiscriminator`) follows the images shown
    (`compute_progress`): `stable_images` images at each resolution, then
    `transition_images` images over which the next block fades in. Real
    images are blended the same way (`blend_images`). Each step is one
    discriminator and one generator update on the first
    `batch_sizes[resolution]` images of the data batch (feed batches of the
    largest of them), and counts those images. At the start of every stable
    phase and every transition both optimizers' state (moments and step
    count) is reset, as in ProGAN; their learning rates and the generator's
    weight average are kept (the average restarts from the current weights,
    through the optimizer's first-step rule). The images shown and the phase
    are model weights, so a run resumed from a backup goes on at the same
    level.

    Args:
        stable_images: int. Images per stable phase. Defaults to `600_000`.
        transition_images: int. Images per transition. Defaults to `600_000`.
        batch_sizes: dict. Batch size per resolution, e.g. `{4: 128, 8: 128,
            16: 128, 32: 64, 64: 32}`; resolutions missing take the closest
            smaller one's. Defaults to `None` (the whole data batch).
        reset_optimizers: bool. Defaults to `True`.

    Reference:
        Karras et al., "Progressive Growing of GANs for Improved Quality,
        Stability, and Variation", ICLR 2018.
    """

    def __init__(
        self,
        stable_images=600_000,
        transition_images=600_000,
        batch_sizes=None,
        reset_optimizers=True,
    ):
        self.stable_images = validation.check_positive_int(stable_images, "stable_images")
        self.transition_images = validation.check_positive_int(
            transition_images, "transition_images"
        )
        if batch_sizes is not None:
            if not isinstance(batch_sizes, dict) or not batch_sizes:
                raise ValueError(
                    "`batch_sizes` must be a dict {resolution: batch size} or None. "
                    f"Received: batch_sizes={batch_sizes!r}"
                )
            batch_sizes = {
                int(
                    validation.check_positive_int(int(k), "resolution")
                ): validation.check_positive_int(v, f"batch_sizes[{k}]")
                for k, v in batch_sizes.items()
            }
        self.batch_sizes = batch_sizes
        self.reset_optimizers = validation.check_bool(reset_optimizers, "reset_optimizers")

    @property
    def min_batch_size(self):
        return max(self.batch_sizes.values()) if self.batch_sizes else 1

    def build(self, model):
        for role in ("generator", "discriminator"):
            network = getattr(model, role)
            if not hasattr(network, "level") or not hasattr(network, "num_blocks"):
                raise ValueError(
                    "The Progressive schedule grows networks with a `level` (such as "
                    f"keras_gans.architectures.Progressive{role.capitalize()}); the {role} "
                    f"has none. Received: {role}={network!r}"
                )
        self.images_shown = model.add_weight(
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
            name="images_shown",
        )
        self.stage = model.add_weight(
            shape=(),
            dtype="int32",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
            name="stage",
        )
        self._num_blocks = model.generator.num_blocks
        self._resolutions = list(model.generator.resolutions)

    def batch_size_at(self, resolution):
        """The batch size of the phases at `resolution`."""
        if not self.batch_sizes:
            return None
        known = [r for r in sorted(self.batch_sizes) if r <= resolution] or [min(self.batch_sizes)]
        return self.batch_sizes[known[-1]]

    def total_images(self):
        """Images until the last block is fully faded in (training may go on after)."""
        blocks = self._num_blocks if hasattr(self, "_num_blocks") else None
        if blocks is None:
            raise ValueError("The schedule is not built: compile a model with it first.")
        return (blocks - 1) * (self.stable_images + self.transition_images) + self.stable_images

    def level(self):
        return compute_progress(
            self.images_shown, self.stable_images, self.transition_images, self._num_blocks
        )

    def _batch(self, real, labels, level):
        """The real batch of the current resolution: its first `batch_size_at` images."""
        if not self.batch_sizes:
            return real, labels, ops.shape(real)[0]
        block = ops.minimum(ops.cast(ops.ceil(level), "int32"), self._num_blocks - 1)
        sizes = ops.convert_to_tensor(
            [self.batch_size_at(r) for r in self._resolutions], dtype="int32"
        )
        size = ops.minimum(ops.take(sizes, block), ops.shape(real)[0])
        return real[:size], None if labels is None else labels[:size], size

    def _reset(self, model):
        variables = _optimizer_state(model.g_optimizer) + _optimizer_state(model.d_optimizer)

        def reset():
            for variable in variables:
                variable.assign(ops.zeros_like(variable))
            return ops.convert_to_tensor(True)

        return reset

    def train_step(self, model, real, labels):
        level = self.level()
        stage = stage_index(level, self._num_blocks)
        if self.reset_optimizers:
            changed = ops.not_equal(stage, self.stage)
            tf.cond(changed, self._reset(model), lambda: ops.convert_to_tensor(False))
        self.stage.assign(stage)
        model.generator.level.assign(level)
        model.discriminator.level.assign(level)
        real, labels, size = self._batch(real, labels, level)
        real = blend_images(real, level, self._num_blocks)
        logs = Alternating(1).train_step(model, real, labels)
        self.images_shown.assign_add(ops.cast(size, "int64"))
        return logs

    def get_config(self):
        return {
            "stable_images": self.stable_images,
            "transition_images": self.transition_images,
            "batch_sizes": None
            if self.batch_sizes is None
            else {str(k): v for k, v in self.batch_sizes.items()},
            "reset_optimizers": self.reset_optimizers,
        }
