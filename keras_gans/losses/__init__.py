"""Adversarial losses: pure functions of discriminator logits."""

from keras_gans.losses.adversarial import LOSSES
from keras_gans.losses.adversarial import get
from keras_gans.losses.adversarial import minimax_discriminator_loss
from keras_gans.losses.adversarial import minimax_generator_loss
from keras_gans.losses.adversarial import non_saturating_discriminator_loss
from keras_gans.losses.adversarial import non_saturating_generator_loss

__all__ = [
    "LOSSES",
    "get",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "non_saturating_discriminator_loss",
    "non_saturating_generator_loss",
]
