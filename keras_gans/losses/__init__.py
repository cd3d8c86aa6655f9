"""Adversarial losses and regularisers.

Pure functions of discriminator outputs (`*_generator_loss`,
`*_discriminator_loss`, the penalties), the loss objects `AdversarialModel`
takes (`GANLoss` and the named losses), and the regularisers of either player.
"""

from keras_gans.losses.adversarial import feature_matching_loss
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
from keras_gans.losses.gan_loss import LOSSES
from keras_gans.losses.gan_loss import GANLoss
from keras_gans.losses.gan_loss import Hinge
from keras_gans.losses.gan_loss import LeastSquares
from keras_gans.losses.gan_loss import Minimax
from keras_gans.losses.gan_loss import NonSaturating
from keras_gans.losses.gan_loss import RelativisticAverage
from keras_gans.losses.gan_loss import Wasserstein
from keras_gans.losses.gan_loss import get
from keras_gans.losses.path_length import PathLengthPenalty
from keras_gans.losses.path_length import path_lengths
from keras_gans.losses.penalties import DriftPenalty
from keras_gans.losses.penalties import GradientPenalty
from keras_gans.losses.penalties import R1Penalty
from keras_gans.losses.penalties import gradient_penalty
from keras_gans.losses.penalties import r1_penalty
from keras_gans.losses.regularizer import Regularizer
from keras_gans.losses.regularizer import RegularizerInputs
from keras_gans.losses.regularizer import lazy_optimizer_settings

__all__ = [
    "DriftPenalty",
    "GANLoss",
    "GradientPenalty",
    "Hinge",
    "LOSSES",
    "LeastSquares",
    "Minimax",
    "NonSaturating",
    "PathLengthPenalty",
    "R1Penalty",
    "Regularizer",
    "RegularizerInputs",
    "RelativisticAverage",
    "Wasserstein",
    "feature_matching_loss",
    "get",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "lazy_optimizer_settings",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "non_saturating_discriminator_loss",
    "non_saturating_generator_loss",
    "path_lengths",
    "r1_penalty",
    "relativistic_average_discriminator_loss",
    "relativistic_average_generator_loss",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
]
