"""keras_gans: generative adversarial networks for TensorFlow and Keras 3."""

from keras_gans import applications
from keras_gans import architectures
from keras_gans import augmentation
from keras_gans import callbacks
from keras_gans import data
from keras_gans import layers
from keras_gans import losses
from keras_gans import metrics
from keras_gans import models
from keras_gans import presets
from keras_gans.export import export_generator
from keras_gans.models import AdversarialModel

__version__ = "0.2.0"

__all__ = [
    "AdversarialModel",
    "applications",
    "architectures",
    "augmentation",
    "callbacks",
    "data",
    "export_generator",
    "layers",
    "losses",
    "metrics",
    "models",
    "presets",
]
