"""Datasets as `tf.data` pipelines of images in [-1, 1], and the bundled MNIST sample."""

from keras_gans.data.arrays import from_arrays
from keras_gans.data.arrays import from_npz
from keras_gans.data.clusters import ImageClusters
from keras_gans.data.folder import from_folder
from keras_gans.data.mnist_sample import load_mnist_sample
from keras_gans.data.sources import load_dataset
from keras_gans.data.tfds_source import from_tfds

__all__ = [
    "ImageClusters",
    "from_arrays",
    "from_folder",
    "from_npz",
    "from_tfds",
    "load_dataset",
    "load_mnist_sample",
]
