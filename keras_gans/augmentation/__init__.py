"""Augmentations of the samples the discriminator sees (`compile(augmentation=...)`)."""

from keras_gans.augmentation.diff_augment import DiffAugment
from keras_gans.augmentation.diff_augment import get

__all__ = ["DiffAugment", "get"]
