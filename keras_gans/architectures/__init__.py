"""Generator and discriminator builders.

Each builder is a functional `keras.Model` built in its constructor, whose
arguments are its configuration. Class-conditional variants are the same
classes with `num_classes` set; they take a dict of inputs
(`{"latent": z, "label": y}` or `{"image": x, "label": y}`).
"""

from keras_gans.architectures.dcgan import DCGANDiscriminator
from keras_gans.architectures.dcgan import DCGANGenerator
from keras_gans.architectures.dense import DenseDiscriminator
from keras_gans.architectures.dense import DenseGenerator
from keras_gans.architectures.progressive import ProgressiveDiscriminator
from keras_gans.architectures.progressive import ProgressiveGenerator
from keras_gans.architectures.stylegan import StyleGANDiscriminator
from keras_gans.architectures.stylegan import StyleGANGenerator

__all__ = [
    "DCGANDiscriminator",
    "DCGANGenerator",
    "DenseDiscriminator",
    "DenseGenerator",
    "ProgressiveDiscriminator",
    "ProgressiveGenerator",
    "StyleGANDiscriminator",
    "StyleGANGenerator",
]
