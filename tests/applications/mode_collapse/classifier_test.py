import os
from unittest import mock

import keras
import numpy as np
import tensorflow as tf

from keras_gans.applications import mode_collapse


def _easy_digits(n=60, seed=0):
    """Synthetic "digits": class d is a bright 6x6 square at one of 10 places."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 10
    images = rng.integers(0, 40, size=(n, 28, 28), dtype=np.uint8)
    for image, label in zip(images, labels, strict=True):
        row, col = 3 + 12 * (label // 5), 2 + 5 * (label % 5)
        image[row : row + 6, col : col + 6] = 255
    return images, labels


def _cross_entropy(model, images, labels):
    """Mean -log p(label), computed in NumPy from the model's probabilities."""
    probabilities = model.predict(images[..., None] / 127.5 - 1.0, verbose=0)
    return float(np.mean(-np.log(probabilities[np.arange(len(labels)), labels])))


class DigitClassifierTest(tf.test.TestCase):
    def test_architecture(self):
        model = mode_collapse.build_digit_classifier(seed=1)
        # conv 3*3*1*32+32, conv 3*3*32*64+64, dense 5*5*64*10+10.
        self.assertEqual(model.count_params(), 320 + 18_496 + 16_010)
        outputs = model(np.zeros((2, 28, 28, 1), np.float32)).numpy()
        self.assertEqual(outputs.shape, (2, 10))
        self.assertAllClose(outputs.sum(axis=1), [1.0, 1.0], atol=1e-6)
        again = mode_collapse.build_digit_classifier(seed=1)
        for first, second in zip(model.get_weights(), again.get_weights(), strict=True):
            self.assertAllEqual(first, second)

    def test_trains_once_then_loads_from_the_cache(self):
        images, labels = _easy_digits()
        directory = self.get_temp_dir()
        path = os.path.join(directory, "cache", "digits.keras")
        untrained = mode_collapse.build_digit_classifier(seed=0)
        trained = mode_collapse.digit_classifier(path, images, labels, epochs=3, batch_size=20)
        # Training lowered the cross-entropy of the same initial network.
        before = _cross_entropy(untrained, images, labels)
        after = _cross_entropy(trained, images, labels)
        self.assertAllClose(before, np.log(10.0), atol=0.3)
        self.assertLess(after, before - 0.3)
        # The cache is the only file written.
        self.assertEqual(os.listdir(os.path.dirname(path)), ["digits.keras"])

        with mock.patch.object(keras.Model, "fit", side_effect=AssertionError("trained again")):
            loaded = mode_collapse.digit_classifier(path)
            loaded_with_arrays = mode_collapse.digit_classifier(path, images, labels)
        probe = images[:8, ..., None] / 127.5 - 1.0
        expected = trained.predict(probe, verbose=0)
        self.assertAllClose(loaded.predict(probe, verbose=0), expected, atol=1e-6)
        self.assertAllClose(loaded_with_arrays.predict(probe, verbose=0), expected, atol=1e-6)

    def test_a_failed_save_leaves_nothing_behind(self):
        images, labels = _easy_digits(n=20)
        directory = self.get_temp_dir()
        path = os.path.join(directory, "failed", "digits.keras")
        with mock.patch.object(os, "replace", side_effect=OSError("disk full")):
            with self.assertRaisesRegex(OSError, "disk full"):
                mode_collapse.digit_classifier(path, images, labels, epochs=1, batch_size=20)
        self.assertEqual(os.listdir(os.path.dirname(path)), [])

    def test_bad_input(self):
        directory = self.get_temp_dir()
        images, labels = _easy_digits(n=20)
        with self.assertRaisesRegex(ValueError, "No cached classifier.*pass `images`"):
            mode_collapse.digit_classifier(os.path.join(directory, "missing.keras"))
        with self.assertRaisesRegex(ValueError, "`.keras` file.*digits.h5"):
            mode_collapse.digit_classifier(os.path.join(directory, "digits.h5"), images, labels)
        with self.assertRaisesRegex(ValueError, r"max\(labels\)=12"):
            mode_collapse.digit_classifier(
                os.path.join(directory, "x.keras"), images, labels + 3, epochs=1
            )
        with self.assertRaisesRegex(ValueError, r"28x28 grey digits.*\(n, 32, 32, 1\)"):
            mode_collapse.digit_classifier(
                os.path.join(directory, "y.keras"), np.zeros((20, 32, 32), np.uint8), labels
            )
