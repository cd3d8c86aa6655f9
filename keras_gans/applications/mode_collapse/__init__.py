"""The mode-collapse lab: synthetic targets, mode-coverage metrics, stacked MNIST.

* Targets (`targets`): equal-weight Gaussian mixtures that know their mode
  centres, sample with a seed and make `tf.data` pipelines for `fit`:
  `mixture_1d()` (`0.5 N(2, 1) + 0.5 N(8, 1)`, with its density for the
  optimal discriminator), `ring_2d()` (8 modes) and `grid_2d()` (25 modes).
* Metrics (`metrics`, pure NumPy): modes captured, share of high-quality
  samples and the reverse KL of the mode histogram, following VEEGAN and
  PacGAN.
* Stacked MNIST (`stacked_mnist`): three digits as colour channels, 1,000
  modes, counted with the digit classifier of `classifier`.
* Small dense encoder and decoder (`networks`) for a VAE baseline
  (`keras_gans.models.vae.VAE`) on the low-dimensional targets.
* The recipes of the experiments (`lab`): networks, training and scoring of
  one trial. Importing keras_gans registers its layers, so a model the lab
  saved loads with `keras.models.load_model`.
"""

from keras_gans.applications.mode_collapse import lab  # noqa: F401  (registers its layers)
from keras_gans.applications.mode_collapse.classifier import build_digit_classifier
from keras_gans.applications.mode_collapse.classifier import digit_classifier
from keras_gans.applications.mode_collapse.metrics import mode_counts
from keras_gans.applications.mode_collapse.metrics import nearest_modes
from keras_gans.applications.mode_collapse.metrics import reverse_kl_to_uniform
from keras_gans.applications.mode_collapse.metrics import summary
from keras_gans.applications.mode_collapse.networks import dense_decoder
from keras_gans.applications.mode_collapse.networks import dense_encoder
from keras_gans.applications.mode_collapse.stacked_mnist import make_stacked_mnist
from keras_gans.applications.mode_collapse.stacked_mnist import stacked_mnist_dataset
from keras_gans.applications.mode_collapse.stacked_mnist import stacked_mnist_modes
from keras_gans.applications.mode_collapse.stacked_mnist import stacked_mnist_summary
from keras_gans.applications.mode_collapse.targets import GaussianMixture
from keras_gans.applications.mode_collapse.targets import grid_2d
from keras_gans.applications.mode_collapse.targets import mixture_1d
from keras_gans.applications.mode_collapse.targets import optimal_discriminator
from keras_gans.applications.mode_collapse.targets import ring_2d

__all__ = [
    "GaussianMixture",
    "build_digit_classifier",
    "dense_decoder",
    "dense_encoder",
    "digit_classifier",
    "grid_2d",
    "make_stacked_mnist",
    "mixture_1d",
    "mode_counts",
    "nearest_modes",
    "optimal_discriminator",
    "reverse_kl_to_uniform",
    "ring_2d",
    "stacked_mnist_dataset",
    "stacked_mnist_modes",
    "stacked_mnist_summary",
    "summary",
]
