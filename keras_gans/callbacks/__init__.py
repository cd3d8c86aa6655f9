"""Keras callbacks for GAN training."""

from keras_gans.callbacks.sample_grid import SampleGrid
from keras_gans.callbacks.sample_grid import image_grid
from keras_gans.callbacks.sample_grid import save_image_grid

__all__ = ["SampleGrid", "image_grid", "save_image_grid"]
