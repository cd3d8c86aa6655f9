from importlib import resources

import numpy as np
import tensorflow as tf

from keras_gans.data import load_mnist_sample


class LoadMNISTSampleTest(tf.test.TestCase):
    def test_shapes_and_dtypes(self):
        images, labels = load_mnist_sample()
        self.assertEqual(images.shape, (5000, 28, 28, 1))
        self.assertEqual(images.dtype, np.uint8)
        self.assertEqual(labels.shape, (5000,))
        self.assertEqual(labels.dtype, np.int32)

    def test_500_per_class(self):
        _, labels = load_mnist_sample()
        self.assertAllEqual(np.bincount(labels, minlength=10), [500] * 10)

    def test_pinned_content(self):
        # Made by scripts/make_mnist_sample.py with seed 0: first pick is x_train[4].
        images, labels = load_mnist_sample()
        self.assertAllEqual(labels[:10], [9, 5, 9, 4, 7, 8, 7, 7, 9, 9])
        self.assertEqual(int(images.astype(np.int64).sum()), 130_729_116)
        self.assertEqual(images.min(), 0)
        self.assertEqual(images.max(), 255)

    def test_packaged_file_is_small(self):
        resource = resources.files("keras_gans.data").joinpath("mnist_sample.npz")
        size = len(resource.read_bytes())
        self.assertLessEqual(size, 2 * 1024 * 1024)
        self.assertEqual(size, 826_791)

    def test_returns_fresh_arrays(self):
        images, _ = load_mnist_sample()
        images[...] = 0
        images_again, _ = load_mnist_sample()
        self.assertGreater(int(images_again.max()), 0)
