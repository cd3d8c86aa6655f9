"""Training engines, their update schedules, and `UnconditionalGenerator`."""

from keras_gans.models.adversarial_model import AdversarialModel
from keras_gans.models.progressive import Progressive
from keras_gans.models.schedules import Alternating
from keras_gans.models.schedules import Simultaneous
from keras_gans.models.schedules import StepLogs
from keras_gans.models.schedules import UpdateSchedule
from keras_gans.models.style_gan import StyleGAN
from keras_gans.models.unconditional import UnconditionalGenerator
from keras_gans.models.vae import VAE

__all__ = [
    "AdversarialModel",
    "Alternating",
    "Progressive",
    "Simultaneous",
    "StepLogs",
    "StyleGAN",
    "UnconditionalGenerator",
    "UpdateSchedule",
    "VAE",
]
