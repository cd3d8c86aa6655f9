"""Training engines."""

from keras_gans.models.adversarial_model import AdversarialModel

__all__ = ["AdversarialModel"]
