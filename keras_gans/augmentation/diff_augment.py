"""Differentiable augmentation of the discriminator's inputs (DiffAugment)."""

import keras
import tensorflow as tf
from keras import ops

from keras_gans.utils import validation

TRANSFORMS = ("color", "translation", "cutout")


@keras.saving.register_keras_serializable(package="keras_gans")
class DiffAugment:
    """Random, differentiable transforms of every sample the discriminator sees.

    With few training images the discriminator memorises them and stops
    teaching the generator. DiffAugment (Zhao et al. 2020) transforms real and
    generated samples alike, with transforms through which gradients flow to
    the generator, so the discriminator never sees the same real image twice
    and the generator is not pushed to reproduce the transforms. The engine
    applies it in `AdversarialModel.discriminate` when training: to both
    players' updates and inside the penalties.

    Each transform draws its parameters per sample (from the model's noise
    stream, so a resumed run repeats them), in this order:

    - `"color"`: brightness `x + (u - 0.5)`, saturation
      `(x - mean_c) * 2u + mean_c` (colour images only), contrast
      `(x - mean) * (u + 0.5) + mean`, with `u ~ U(0, 1)` drawn for each and
      means over the channels (`mean_c`) or the whole image (`mean`);
    - `"translation"`: a shift by a whole number of pixels up to
      `translation_ratio` of the side in each direction, filling with zeros
      (the value of mid grey for images in [-1, 1]);
    - `"cutout"`: a square of side `cutout_ratio` of the image, placed
      uniformly (centre anywhere in the image), set to zero.

    Args:
        policy: str or sequence of str. The transforms, from `"color"`,
            `"translation"`, `"cutout"`, e.g. `"color,translation,cutout"` (the
            paper's choice, the default) or `("translation", "cutout")`.
        translation_ratio: float. Largest shift as a share of the side.
            Defaults to `0.125`.
        cutout_ratio: float. Side of the cut-out square as a share of the
            image's side. Defaults to `0.5`.

    Example:

    ```python
    gan.compile(augmentation=keras_gans.augmentation.DiffAugment("color,translation,cutout"))
    ```

    Reference:
        Zhao et al., "Differentiable Augmentation for Data-Efficient GAN
        Training", NeurIPS 2020.
    """

    def __init__(
        self, policy="color,translation,cutout", translation_ratio=0.125, cutout_ratio=0.5
    ):
        try:
            names = policy.split(",") if isinstance(policy, str) else list(policy)
        except TypeError:
            names = [None]
        names = [name.strip() if isinstance(name, str) else name for name in names]
        names = [name for name in names if name != ""]
        unknown = [name for name in names if name not in TRANSFORMS]
        if not names or unknown or len(set(names)) != len(names):
            raise ValueError(
                f"`policy` must name transforms among {list(TRANSFORMS)}, each once, e.g. "
                f"'color,translation,cutout'. Received: policy={policy!r}"
            )
        self.policy = tuple(names)
        self.translation_ratio = validation.check_number(
            translation_ratio, "translation_ratio", minimum=0.0, maximum=1.0
        )
        self.cutout_ratio = validation.check_number(
            cutout_ratio, "cutout_ratio", minimum=0.0, maximum=1.0
        )

    def __call__(self, images, seed_generator):
        """Augments a batch `(batch, height, width, channels)`; differentiable in `images`."""
        if len(images.shape) != 4:
            raise ValueError(
                "DiffAugment transforms images of shape (batch, height, width, channels). "
                f"Received: shape={tuple(images.shape)}"
            )
        for name in self.policy:
            images = getattr(self, f"_{name}")(images, seed_generator)
        return images

    @staticmethod
    def _uniform(images, seed_generator):
        batch = ops.shape(images)[0]
        return keras.random.uniform((batch, 1, 1, 1), dtype=images.dtype, seed=seed_generator)

    def _color(self, images, seed_generator):
        images = images + (self._uniform(images, seed_generator) - 0.5)
        if images.shape[-1] > 1:
            mean = ops.mean(images, axis=-1, keepdims=True)
            images = (images - mean) * (self._uniform(images, seed_generator) * 2.0) + mean
        mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
        return (images - mean) * (self._uniform(images, seed_generator) + 0.5) + mean

    def _shifted(self, images, axis, shifts):
        """Rows (axis 1) or columns (axis 2) moved by per-sample `shifts`, zeros filled in."""
        size = images.shape[axis]
        positions = ops.arange(size, dtype="int32")[None, :] - shifts[:, None]
        inside = ops.logical_and(positions >= 0, positions < size)
        gathered = tf.gather(images, ops.clip(positions, 0, size - 1), axis=axis, batch_dims=1)
        mask = ops.cast(inside, images.dtype)
        mask = mask[:, :, None, None] if axis == 1 else mask[:, None, :, None]
        return gathered * mask

    def _translation(self, images, seed_generator):
        batch = ops.shape(images)[0]
        for axis in (1, 2):
            limit = int(images.shape[axis] * self.translation_ratio + 0.5)
            if limit == 0:
                continue
            shifts = keras.random.randint(
                (batch,), -limit, limit + 1, dtype="int32", seed=seed_generator
            )
            images = self._shifted(images, axis, shifts)
        return images

    def _cutout(self, images, seed_generator):
        batch = ops.shape(images)[0]
        height, width = images.shape[1], images.shape[2]
        cut_h = int(height * self.cutout_ratio + 0.5)
        cut_w = int(width * self.cutout_ratio + 0.5)
        if cut_h == 0 or cut_w == 0:
            return images
        centre_y = keras.random.randint((batch,), 0, height, dtype="int32", seed=seed_generator)
        centre_x = keras.random.randint((batch,), 0, width, dtype="int32", seed=seed_generator)
        top = centre_y - cut_h // 2
        left = centre_x - cut_w // 2
        y = ops.arange(height, dtype="int32")[None, :]
        x = ops.arange(width, dtype="int32")[None, :]
        in_rows = ops.logical_and(y >= top[:, None], y < (top + cut_h)[:, None])
        in_cols = ops.logical_and(x >= left[:, None], x < (left + cut_w)[:, None])
        hole = ops.logical_and(in_rows[:, :, None], in_cols[:, None, :])
        keep = 1.0 - ops.cast(hole, images.dtype)
        return images * keep[..., None]

    def get_config(self):
        return {
            "policy": ",".join(self.policy),
            "translation_ratio": self.translation_ratio,
            "cutout_ratio": self.cutout_ratio,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return (
            f"DiffAugment(policy={','.join(self.policy)!r}, "
            f"translation_ratio={self.translation_ratio}, cutout_ratio={self.cutout_ratio})"
        )


def get(augmentation):
    """The augmentation of `compile(augmentation=...)`: None, a callable or a policy string."""
    if augmentation is None or isinstance(augmentation, DiffAugment):
        return augmentation
    if isinstance(augmentation, str):
        return DiffAugment(augmentation)
    if callable(augmentation):
        return augmentation
    raise ValueError(
        "`augmentation` must be None, a DiffAugment policy such as "
        "'color,translation,cutout', or a callable `augment(images, seed_generator)`. "
        f"Received: augmentation={augmentation!r}"
    )
