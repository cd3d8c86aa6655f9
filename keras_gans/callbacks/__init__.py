"""Keras callbacks for GAN training: samples, metrics, convergence checks and loss curves."""

from keras_gans.callbacks.convergence_monitor import ConvergenceMonitor
from keras_gans.callbacks.loss_curves import LossCurves
from keras_gans.callbacks.loss_curves import plot_history
from keras_gans.callbacks.metric_evaluator import MetricEvaluator
from keras_gans.callbacks.sample_grid import SampleGrid
from keras_gans.callbacks.sample_grid import image_grid
from keras_gans.callbacks.sample_grid import save_image_grid
from keras_gans.callbacks.terminate_on_divergence import TerminateOnDivergence

__all__ = [
    "ConvergenceMonitor",
    "LossCurves",
    "MetricEvaluator",
    "SampleGrid",
    "TerminateOnDivergence",
    "image_grid",
    "plot_history",
    "save_image_grid",
]
