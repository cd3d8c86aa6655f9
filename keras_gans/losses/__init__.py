"""Adversarial losses and penalties: pure functions of discriminator outputs."""

from keras_gans.losses.adversarial import LOSSES
from keras_gans.losses.adversarial import feature_matching_loss
from keras_gans.losses.adversarial import get
from keras_gans.losses.adversarial import hinge_discriminator_loss
from keras_gans.losses.adversarial import hinge_generator_loss
from keras_gans.losses.adversarial import least_squares_discriminator_loss
from keras_gans.losses.adversarial import least_squares_generator_loss
from keras_gans.losses.adversarial import minimax_discriminator_loss
from keras_gans.losses.adversarial import minimax_generator_loss
from keras_gans.losses.adversarial import non_saturating_discriminator_loss
from keras_gans.losses.adversarial import non_saturating_generator_loss
from keras_gans.losses.adversarial import relativistic_average_discriminator_loss
from keras_gans.losses.adversarial import relativistic_average_generator_loss
from keras_gans.losses.adversarial import wasserstein_discriminator_loss
from keras_gans.losses.adversarial import wasserstein_generator_loss
from keras_gans.losses.penalties import GradientPenalty
from keras_gans.losses.penalties import R1Penalty
from keras_gans.losses.penalties import gradient_penalty
from keras_gans.losses.penalties import r1_penalty

__all__ = [
    "GradientPenalty",
    "LOSSES",
    "R1Penalty",
    "feature_matching_loss",
    "get",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "non_saturating_discriminator_loss",
    "non_saturating_generator_loss",
    "r1_penalty",
    "relativistic_average_discriminator_loss",
    "relativistic_average_generator_loss",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
]
