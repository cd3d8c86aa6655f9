"""Evaluation metrics for generative models: FID, KID, Inception Score, precision and recall,
and the sliced Wasserstein distance of progressive growing (no pretrained network needed).

The math on features is in pure NumPy functions (`frechet_distance`,
`kernel_distance_from_activations`, `inception_score_from_probabilities`,
`precision_recall_from_activations`); the features come from a Keras model
run over a dataset, an array or a generator in batches (`compute_statistics`,
`compute_features`). `fid`, `kid`, `inception_score` and `precision_recall`
combine the two, with Keras' InceptionV3 as the default extractor; see
`keras_gans.metrics.features` for how its numbers relate to published ones.
"""

from keras_gans.metrics.features import compute_features
from keras_gans.metrics.features import compute_statistics
from keras_gans.metrics.features import fid
from keras_gans.metrics.features import inception_feature_extractor
from keras_gans.metrics.features import inception_score
from keras_gans.metrics.features import kid
from keras_gans.metrics.features import precision_recall
from keras_gans.metrics.features import sliced_wasserstein_distance
from keras_gans.metrics.frechet import frechet_distance
from keras_gans.metrics.frechet import frechet_distance_from_activations
from keras_gans.metrics.frechet import gaussian_statistics
from keras_gans.metrics.frechet import trace_sqrt_product
from keras_gans.metrics.inception_score import inception_score_from_probabilities
from keras_gans.metrics.kernel import kernel_distance_from_activations
from keras_gans.metrics.kernel import polynomial_kernel
from keras_gans.metrics.kernel import unbiased_mmd2
from keras_gans.metrics.precision_recall import manifold_radii
from keras_gans.metrics.precision_recall import precision_recall_from_activations
from keras_gans.metrics.running_statistics import RunningStatistics
from keras_gans.metrics.sliced import laplacian_pyramid
from keras_gans.metrics.sliced import reconstruct_laplacian_pyramid
from keras_gans.metrics.sliced import sliced_wasserstein
from keras_gans.metrics.sliced import swd

__all__ = [
    "RunningStatistics",
    "compute_features",
    "compute_statistics",
    "fid",
    "frechet_distance",
    "frechet_distance_from_activations",
    "gaussian_statistics",
    "inception_feature_extractor",
    "inception_score",
    "inception_score_from_probabilities",
    "kernel_distance_from_activations",
    "kid",
    "laplacian_pyramid",
    "manifold_radii",
    "polynomial_kernel",
    "precision_recall",
    "precision_recall_from_activations",
    "reconstruct_laplacian_pyramid",
    "sliced_wasserstein",
    "sliced_wasserstein_distance",
    "swd",
    "trace_sqrt_product",
    "unbiased_mmd2",
]
