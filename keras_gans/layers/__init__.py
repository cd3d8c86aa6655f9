"""Layers of the progressive (ProGAN) and style-based (StyleGAN, StyleGAN2) models.

Equalised-learning-rate dense and convolution layers, pixel normalisation,
minibatch standard deviation, FIR-filtered resampling (`upfirdn2d` and the
`Blur`, `Upsample2D` and `Downsample2D` layers), StyleGAN2's modulated
convolution, noise injection, the learned constant input, StyleGAN's
adaptive instance normalisation and mapping network. Every layer is
registered as Keras-serialisable and returns its constructor arguments from
`get_config`.
"""

from keras_gans.layers.adaptive_instance_normalization import AdaptiveInstanceNormalization
from keras_gans.layers.bias_activation import BiasActivation
from keras_gans.layers.blur import Blur
from keras_gans.layers.downsample2d import Downsample2D
from keras_gans.layers.equalized_conv2d import EqualizedConv2D
from keras_gans.layers.equalized_dense import EqualizedDense
from keras_gans.layers.learned_constant import LearnedConstant
from keras_gans.layers.mapping_network import MappingNetwork
from keras_gans.layers.minibatch_standard_deviation import MinibatchStandardDeviation
from keras_gans.layers.modulated_conv2d import ModulatedConv2D
from keras_gans.layers.noise_injection import NoiseInjection
from keras_gans.layers.pack_samples import PackSamples
from keras_gans.layers.pixel_normalization import PixelNormalization
from keras_gans.layers.resampling import make_blur_kernel
from keras_gans.layers.resampling import upfirdn2d
from keras_gans.layers.upsample2d import Upsample2D

__all__ = [
    "AdaptiveInstanceNormalization",
    "BiasActivation",
    "Blur",
    "Downsample2D",
    "EqualizedConv2D",
    "EqualizedDense",
    "LearnedConstant",
    "MappingNetwork",
    "MinibatchStandardDeviation",
    "ModulatedConv2D",
    "NoiseInjection",
    "PackSamples",
    "PixelNormalization",
    "Upsample2D",
    "make_blur_kernel",
    "upfirdn2d",
]
