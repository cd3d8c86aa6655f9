"""What users do with trained generators: latent walks, arithmetic, projection, inpainting.

Every operation takes a `GeneratorSource` or anything it wraps: an
`AdversarialModel`, a generator `keras.Model`, or an exported SavedModel (or
its path). The mode-collapse lab is `keras_gans.applications.mode_collapse`.
"""

from keras_gans.applications import mode_collapse
from keras_gans.applications.generator_source import GeneratorSource
from keras_gans.applications.generator_source import as_generator_source
from keras_gans.applications.inpainting import InpaintingResult
from keras_gans.applications.inpainting import contextual_weights
from keras_gans.applications.inpainting import hole_psnr
from keras_gans.applications.inpainting import inpaint
from keras_gans.applications.inpainting import mean_fill
from keras_gans.applications.inpainting import psnr
from keras_gans.applications.latent import interpolate
from keras_gans.applications.latent import latent_arithmetic
from keras_gans.applications.latent import lerp
from keras_gans.applications.latent import slerp
from keras_gans.applications.masks import center_mask
from keras_gans.applications.masks import half_mask
from keras_gans.applications.masks import load_mask
from keras_gans.applications.masks import random_mask
from keras_gans.applications.poisson import poisson_blend
from keras_gans.applications.projection import ProjectionResult
from keras_gans.applications.projection import project
from keras_gans.applications.rejection_sampling import DiscriminatorRejectionSampler
from keras_gans.applications.rejection_sampling import calibrate_discriminator
from keras_gans.applications.rejection_sampling import choose_packmates
from keras_gans.applications.rejection_sampling import log_density_ratios
from keras_gans.applications.visualization import plot_images
from keras_gans.applications.visualization import save_gif
from keras_gans.applications.visualization import save_grid
from keras_gans.applications.visualization import save_strip

__all__ = [
    "DiscriminatorRejectionSampler",
    "GeneratorSource",
    "InpaintingResult",
    "ProjectionResult",
    "as_generator_source",
    "calibrate_discriminator",
    "center_mask",
    "choose_packmates",
    "contextual_weights",
    "half_mask",
    "hole_psnr",
    "inpaint",
    "interpolate",
    "latent_arithmetic",
    "lerp",
    "load_mask",
    "log_density_ratios",
    "mean_fill",
    "mode_collapse",
    "plot_images",
    "poisson_blend",
    "project",
    "psnr",
    "random_mask",
    "save_gif",
    "save_grid",
    "save_strip",
    "slerp",
]
