import math

import keras
import numpy as np
import scipy.stats
import tensorflow as tf

from keras_gans.applications import mode_collapse

# Ten random "digits", one per class: a stand-in for MNIST that a
# nearest-template rule classifies without error.
TEMPLATES = np.random.default_rng(0).integers(0, 256, size=(10, 28, 28), dtype=np.uint8)
SCALED_TEMPLATES = TEMPLATES.astype(np.float32) / 127.5 - 1.0


def nearest_template_probabilities(images):
    """A fake classifier: one-hot of the nearest template, from known arrays."""
    flat = np.asarray(images).reshape(len(images), -1)
    distances = ((flat[:, None, :] - SCALED_TEMPLATES.reshape(1, 10, -1)) ** 2).sum(-1)
    return np.eye(10, dtype=np.float32)[np.argmin(distances, axis=1)]


def nearest_template_model():
    """The same rule as a Keras model with pinned weights.

    argmax_d (x . t_d - |t_d|^2 / 2) is the template nearest to x; the
    logits are scaled down so the softmax does not saturate.
    """
    templates = SCALED_TEMPLATES.reshape(10, -1)
    inputs = keras.Input((28, 28, 1))
    flat = keras.layers.Flatten()(inputs)
    dense = keras.layers.Dense(10, activation="softmax")
    outputs = dense(flat)
    dense.set_weights([templates.T / 100.0, -0.5 * (templates**2).sum(1) / 100.0])
    return keras.Model(inputs, outputs)


def stack(a, b, c):
    """A stacked image of templates a, b, c, in [-1, 1]."""
    return np.stack([SCALED_TEMPLATES[a], SCALED_TEMPLATES[b], SCALED_TEMPLATES[c]], axis=-1)


class MakeStackedMNISTTest(tf.test.TestCase):
    def test_channels_are_drawn_digits_and_modes_follow_their_labels(self):
        rng = np.random.default_rng(1)
        images = rng.integers(0, 256, size=(50, 28, 28, 1), dtype=np.uint8)
        labels = rng.integers(0, 10, size=50)
        stacked, modes = mode_collapse.make_stacked_mnist(images, labels, 300, seed=2)
        self.assertEqual(stacked.shape, (300, 28, 28, 3))
        self.assertEqual(stacked.dtype, np.float32)
        self.assertEqual(modes.shape, (300,))
        scaled = images[..., 0].astype(np.float32) / 127.5 - 1.0
        for image, mode in zip(stacked, modes, strict=True):
            digits = []
            for channel in range(3):
                matches = np.flatnonzero(np.all(scaled == image[None, :, :, channel], axis=(1, 2)))
                self.assertLen(matches, 1)  # the channel is one source digit, unchanged
                digits.append(labels[matches[0]])
            self.assertEqual(mode, 100 * digits[0] + 10 * digits[1] + digits[2])

    def test_draws_are_uniform_and_independent(self):
        stacked, modes = mode_collapse.make_stacked_mnist(TEMPLATES, np.arange(10), 20_000, seed=3)
        counts = np.bincount(modes, minlength=1000)
        # Independent uniform channels make the 1,000 modes equally likely.
        self.assertGreater(scipy.stats.chisquare(counts).pvalue, 1e-4)
        self.assertAllClose(np.bincount(modes // 100, minlength=10), np.full(10, 2000), atol=300)
        self.assertAllClose(np.mean(modes // 100 == (modes // 10) % 10), 0.1, atol=0.015)

    def test_seeded_and_float_input_agree_with_uint8(self):
        labels = np.arange(10)
        first = mode_collapse.make_stacked_mnist(TEMPLATES, labels, 20, seed=4)
        second = mode_collapse.make_stacked_mnist(SCALED_TEMPLATES, labels, 20, seed=4)
        self.assertAllEqual(first[0], second[0])
        self.assertAllEqual(first[1], second[1])
        third = mode_collapse.make_stacked_mnist(TEMPLATES, labels, 20, seed=5)
        self.assertNotAllClose(first[0], third[0])

    def test_padding_to_32(self):
        labels = np.arange(10)
        small, modes = mode_collapse.make_stacked_mnist(TEMPLATES, labels, 8, seed=6)
        padded, padded_modes = mode_collapse.make_stacked_mnist(
            TEMPLATES, labels, 8, seed=6, image_size=32
        )
        self.assertEqual(padded.shape, (8, 32, 32, 3))
        self.assertAllEqual(padded_modes, modes)
        self.assertAllEqual(padded[:, 2:30, 2:30], small)
        border = np.ones((32, 32), bool)
        border[2:30, 2:30] = False
        self.assertAllEqual(padded[:, border], np.full((8, border.sum(), 3), -1.0))

    def test_bilinear_resize_to_32(self):
        labels = np.arange(10)
        small, _ = mode_collapse.make_stacked_mnist(TEMPLATES, labels, 8, seed=6)
        resized, _ = mode_collapse.make_stacked_mnist(
            TEMPLATES, labels, 8, seed=6, image_size=32, resize="bilinear"
        )
        expected = tf.image.resize(small, (32, 32), method="bilinear", antialias=True).numpy()
        self.assertEqual(resized.shape, (8, 32, 32, 3))
        self.assertAllClose(resized, np.clip(expected, -1.0, 1.0), atol=1e-6)

    def test_bad_input(self):
        labels = np.arange(10)
        with self.assertRaisesRegex(ValueError, r"images.shape=\(10, 32, 32\)"):
            mode_collapse.make_stacked_mnist(np.zeros((10, 32, 32), np.uint8), labels, 4)
        with self.assertRaisesRegex(ValueError, r"min=0.0, max=255.0"):
            mode_collapse.make_stacked_mnist(TEMPLATES.astype("float32"), labels, 4)
        with self.assertRaisesRegex(ValueError, r"digits in \[0, 9\].*max\(labels\)=10"):
            mode_collapse.make_stacked_mnist(TEMPLATES, labels + 1, 4)
        with self.assertRaisesRegex(ValueError, r"labels.shape=\(9,\)"):
            mode_collapse.make_stacked_mnist(TEMPLATES, labels[:9], 4)
        with self.assertRaisesRegex(ValueError, "image_size=16"):
            mode_collapse.make_stacked_mnist(TEMPLATES, labels, 4, image_size=16)
        with self.assertRaisesRegex(ValueError, "resize='nearest'"):
            mode_collapse.make_stacked_mnist(TEMPLATES, labels, 4, resize="nearest")


class StackedMNISTDatasetTest(tf.test.TestCase):
    def test_unshuffled_pipeline_gives_the_arrays_of_make_stacked_mnist(self):
        rng = np.random.default_rng(7)
        images = rng.integers(0, 256, size=(40, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=40)
        expected, expected_modes = mode_collapse.make_stacked_mnist(images, labels, 50, seed=8)
        dataset, modes = mode_collapse.stacked_mnist_dataset(
            images, labels, 50, batch_size=16, seed=8, shuffle=False, drop_remainder=False
        )
        batches = [batch.numpy() for batch in dataset]
        self.assertEqual([len(b) for b in batches], [16, 16, 16, 2])
        self.assertEqual(batches[0].dtype, np.float32)
        self.assertAllEqual(np.concatenate(batches), expected)
        self.assertAllEqual(modes, expected_modes)

    def test_each_epoch_is_a_new_permutation_of_the_same_images(self):
        dataset, modes = mode_collapse.stacked_mnist_dataset(
            TEMPLATES, np.arange(10), 64, batch_size=32, seed=9
        )
        expected, _ = mode_collapse.make_stacked_mnist(TEMPLATES, np.arange(10), 64, seed=9)
        first = np.concatenate([batch.numpy() for batch in dataset])
        second = np.concatenate([batch.numpy() for batch in dataset])
        self.assertEqual(first.shape, (64, 28, 28, 3))

        def as_modes(stacked):
            # Each channel is one template, so the template index is its digit.
            return mode_collapse.stacked_mnist_modes(stacked, nearest_template_probabilities)

        self.assertAllEqual(np.sort(as_modes(first)), np.sort(modes))
        self.assertAllEqual(np.sort(as_modes(second)), np.sort(modes))
        self.assertNotAllClose(first, second)
        self.assertNotAllClose(first, expected)

    def test_bad_input(self):
        with self.assertRaisesRegex(ValueError, "batch_size=65, num_examples=64"):
            mode_collapse.stacked_mnist_dataset(TEMPLATES, np.arange(10), 64, batch_size=65)
        with self.assertRaisesRegex(ValueError, r"labels.shape=\(9,\)"):
            mode_collapse.stacked_mnist_dataset(TEMPLATES, np.arange(9), 64)


class StackedMNISTModesTest(tf.test.TestCase):
    def test_modes_recovered_by_a_callable_and_a_keras_classifier(self):
        labels = np.arange(10)
        for classifier in (nearest_template_probabilities, nearest_template_model()):
            for image_size, resize in ((28, "pad"), (32, "pad"), (32, "bilinear")):
                stacked, modes = mode_collapse.make_stacked_mnist(
                    TEMPLATES, labels, 64, seed=7, image_size=image_size, resize=resize
                )
                got = mode_collapse.stacked_mnist_modes(
                    stacked, classifier, batch_size=50, resize=resize
                )
                self.assertEqual(got.dtype, np.int64)
                self.assertAllEqual(got, modes)

    def test_channel_order(self):
        images = np.stack([stack(1, 2, 3), stack(9, 0, 4)])
        self.assertAllEqual(
            mode_collapse.stacked_mnist_modes(images, nearest_template_probabilities), [123, 904]
        )

    def test_summary_known_answers(self):
        one_mode = np.repeat(stack(4, 4, 7)[None], 20, axis=0)
        got = mode_collapse.stacked_mnist_summary(one_mode, nearest_template_probabilities)
        self.assertEqual(got["modes"], 1)
        self.assertAllClose(got["reverse_kl"], math.log(1000), rtol=1e-12)

        every_mode = np.stack(
            [stack(a, b, c) for a in range(10) for b in range(10) for c in range(10)]
        )
        got = mode_collapse.stacked_mnist_summary(every_mode, nearest_template_probabilities)
        self.assertEqual(got["modes"], 1000)
        self.assertAllClose(got["reverse_kl"], 0.0, atol=1e-12)

    def test_summary_matches_scipy_on_a_partial_histogram(self):
        # 3 x mode 0, 1 x mode 11, 2 x mode 999.
        triples = [(0, 0, 0)] * 3 + [(0, 1, 1)] + [(9, 9, 9)] * 2
        images = np.stack([stack(*t) for t in triples])
        got = mode_collapse.stacked_mnist_summary(images, nearest_template_probabilities)
        p = np.zeros(1000)
        p[[0, 11, 999]] = [3, 1, 2]
        expected = scipy.stats.entropy(p / p.sum(), np.full(1000, 1e-3))
        self.assertEqual(got["modes"], 3)
        self.assertAllClose(got["reverse_kl"], expected, rtol=1e-12)

    def test_bad_input(self):
        images = np.zeros((2, 28, 28, 3), np.float32)
        with self.assertRaisesRegex(ValueError, r"probabilities of shape \(n, 10\).*\(6, 3\)"):
            mode_collapse.stacked_mnist_modes(images, lambda x: np.zeros((len(x), 3)))
        with self.assertRaisesRegex(ValueError, r"images.shape=\(2, 28, 28, 1\)"):
            mode_collapse.stacked_mnist_modes(images[..., :1], nearest_template_probabilities)
        with self.assertRaisesRegex(ValueError, "resize='bilinear' to resize smaller"):
            mode_collapse.stacked_mnist_modes(images[:, :16, :16], nearest_template_probabilities)
        with self.assertRaisesRegex(ValueError, "images.dtype=uint8"):
            mode_collapse.stacked_mnist_modes(
                images.astype(np.uint8), nearest_template_probabilities
            )
        with self.assertRaisesRegex(ValueError, "NaN"):
            mode_collapse.stacked_mnist_modes(images * np.nan, nearest_template_probabilities)
