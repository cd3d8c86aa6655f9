import hashlib
import importlib.util
import os
from importlib import resources

import numpy as np
import tensorflow as tf

from keras_gans.data import load_mnist_sample

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "make_mnist_sample.py")
# SHA-256 of the decoded arrays (images uint8 (5000, 28, 28, 1), labels int32 (5000,)),
# which no re-compression of the file changes.
IMAGES_SHA256 = "88fe97e86b19d3a60c533e4f4b11d2d15c73f75232730a16092f582ee1a12940"
LABELS_SHA256 = "0b15720c794bafc7f4750bef2fe4acbdd5e2bc7c082042be8910e30649bbbd75"


def _make_mnist_sample():
    spec = importlib.util.spec_from_file_location("make_mnist_sample", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
        self.assertEqual(hashlib.sha256(images.tobytes()).hexdigest(), IMAGES_SHA256)
        self.assertEqual(hashlib.sha256(labels.tobytes()).hexdigest(), LABELS_SHA256)

    def test_content_is_the_scripts_selection_of_mnist(self):
        script = _make_mnist_sample()
        if not os.path.exists(script.DEFAULT_SOURCE):
            self.skipTest(f"MNIST is not at {script.DEFAULT_SOURCE}")
        with np.load(script.DEFAULT_SOURCE) as data:
            x_train, y_train = data["x_train"], data["y_train"]
        indices = script.select_indices(y_train, script.PER_CLASS, seed=0)
        self.assertEqual(indices[0], 4)  # the first pick is x_train[4]
        images, labels = load_mnist_sample()
        self.assertAllEqual(images[..., 0], x_train[indices])
        self.assertAllEqual(labels, y_train[indices])

    def test_packaged_file_is_small(self):
        resource = resources.files("keras_gans.data").joinpath("mnist_sample.npz")
        size = len(resource.read_bytes())
        self.assertLessEqual(size, 2 * 1024 * 1024)
        self.assertLessEqual(size, _make_mnist_sample().MAX_BYTES)

    def test_returns_fresh_arrays(self):
        images, _ = load_mnist_sample()
        images[...] = 0
        images_again, _ = load_mnist_sample()
        self.assertGreater(int(images_again.max()), 0)
