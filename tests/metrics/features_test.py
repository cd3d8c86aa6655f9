import os
import pathlib

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import data
from keras_gans import metrics
from tests import testing

IMAGE_SHAPE = testing.IMAGE_SHAPE  # (4, 4, 1)
DIM = int(np.prod(IMAGE_SHAPE))


def _flatten_extractor(image_shape=IMAGE_SHAPE):
    """Features = pixels, so expected values are plain NumPy on the images."""
    images = keras.Input(image_shape)
    return keras.Model(images, keras.layers.Flatten()(images))


def _softmax_classifier(num_classes=3):
    images = keras.Input(IMAGE_SHAPE)
    hidden = keras.layers.Flatten()(images)
    logits = keras.layers.Dense(num_classes, kernel_initializer="glorot_normal")(hidden)
    return keras.Model(images, keras.layers.Softmax()(logits))


def _flat(images):
    return np.asarray(images, dtype=np.float64).reshape(len(images), -1)


def _latents(n, seed, latent_dim=testing.LATENT_DIM):
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype("float32")


class ComputeStatisticsTest(tf.test.TestCase, parameterized.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.extractor = _flatten_extractor()
        cls.images = testing.tiny_images(20, seed=0)
        cls.expected = (_flat(cls.images).mean(axis=0), np.cov(_flat(cls.images), rowvar=False))

    def assertStatistics(self, statistics, images):
        mean, covariance = statistics
        self.assertEqual(mean.dtype, np.float64)
        self.assertAllClose(mean, _flat(images).mean(axis=0), rtol=1e-6, atol=1e-7)
        self.assertAllClose(covariance, np.cov(_flat(images), rowvar=False), rtol=1e-6, atol=1e-7)

    @parameterized.parameters(1, 3, 8, 64)
    def test_array_for_several_batch_sizes(self, batch_size):
        statistics = metrics.compute_statistics(self.extractor, self.images, batch_size=batch_size)
        self.assertStatistics(statistics, self.images)

    def test_num_samples_takes_the_first_images(self):
        statistics = metrics.compute_statistics(self.extractor, self.images, num_samples=7)
        self.assertStatistics(statistics, self.images[:7])

    def test_uint8_and_grey_arrays(self):
        pixels = np.random.default_rng(1).integers(0, 256, (10, 4, 4), dtype="uint8")
        statistics = metrics.compute_statistics(self.extractor, pixels, batch_size=4)
        self.assertStatistics(statistics, pixels / 127.5 - 1.0)

    @parameterized.parameters((5, True), (6, False))
    def test_dataset(self, dataset_batch_size, with_labels):
        labels = testing.tiny_labels(20) if with_labels else None
        dataset = data.from_arrays(
            self.images, labels, batch_size=dataset_batch_size, shuffle=False, drop_remainder=False
        )
        statistics = metrics.compute_statistics(self.extractor, dataset, batch_size=4)
        self.assertStatistics(statistics, self.images)
        statistics = metrics.compute_statistics(self.extractor, dataset, num_samples=13)
        self.assertStatistics(statistics, self.images[:13])

    def test_unbatched_and_repeated_dataset(self):
        dataset = tf.data.Dataset.from_tensor_slices(self.images)
        statistics = metrics.compute_statistics(self.extractor, dataset, batch_size=6)
        self.assertStatistics(statistics, self.images)
        statistics = metrics.compute_statistics(
            self.extractor, dataset.repeat(), num_samples=30, batch_size=7
        )
        self.assertStatistics(statistics, np.concatenate([self.images, self.images[:10]]))

    def test_dataset_of_dicts(self):
        dataset = tf.data.Dataset.from_tensor_slices({"image": self.images, "label": np.zeros(20)})
        statistics = metrics.compute_statistics(self.extractor, dataset.batch(8))
        self.assertStatistics(statistics, self.images)

    def test_adversarial_model(self):
        gan = testing.tiny_gan()
        statistics = metrics.compute_statistics(
            self.extractor, gan, num_samples=10, batch_size=4, seed=3
        )
        self.assertStatistics(statistics, gan.generate(_latents(10, seed=3)))

    def test_conditional_model_cycles_labels(self):
        gan = testing.tiny_gan(num_classes=3)
        features = metrics.compute_features(
            self.extractor, gan, num_samples=7, batch_size=4, seed=0
        )
        expected = gan.generate(_latents(7, seed=0), labels=np.array([0, 1, 2, 0, 1, 2, 0]))
        self.assertAllClose(features, _flat(expected), atol=1e-6)

    def test_keras_generator_and_callable(self):
        gan = testing.tiny_gan()
        expected = _flat(gan.generate(_latents(9, seed=4)))
        features = metrics.compute_features(
            self.extractor, gan.generator, num_samples=9, batch_size=4, seed=4
        )
        self.assertAllClose(features, expected, atol=1e-6)
        calls = []

        def sample(n):
            calls.append(n)
            return self.images[:n]

        features = metrics.compute_features(self.extractor, sample, num_samples=9, batch_size=4)
        self.assertEqual(calls, [4, 4, 1])
        self.assertAllClose(
            features, _flat(np.concatenate([self.images[:4]] * 2 + [self.images[:1]]))
        )

    def test_compute_features_of_array(self):
        features = metrics.compute_features(self.extractor, (self.images, np.zeros(20, "int32")))
        self.assertEqual(features.dtype, np.float32)
        self.assertAllClose(features, _flat(self.images))

    def test_bad_sources(self):
        gan = testing.tiny_gan()
        infinite = tf.data.Dataset.from_tensor_slices(self.images).repeat()
        small = tf.data.Dataset.from_tensor_slices(self.images).batch(8)
        cases = [
            (gan, {}, "needs `num_samples`.*num_samples=None"),
            (infinite, {}, "repeats forever.*num_samples=None"),
            (small, dict(num_samples=25), "gave 20 images, fewer than num_samples=25"),
            (self.images, dict(num_samples=25), "holds 20 images, fewer than num_samples=25"),
            (self.images * 255, {}, "must give images in \\[-1, 1\\].*values from"),
            (self.images.astype("int64") + 300, {}, "pixels in \\[0, 255\\].*Received values"),
            ("images", {}, "source of type str"),
            (np.zeros((3, 4)), {}, "source of type ndarray"),
            (self.images, dict(num_samples=0), "num_samples=0"),
            (self.images, dict(batch_size=0), "batch_size=0"),
            (self.images, dict(seed=-1), "seed=-1"),
            (lambda n: self.images[:2], dict(num_samples=4), "Called with 4.*\\(2, 4, 4, 1\\)"),
        ]
        for source, kwargs, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                metrics.compute_statistics(self.extractor, source, **kwargs)

    def test_generator_overshoot_is_clamped_like_the_papers_evaluation(self):
        # A linear output layer (StyleGAN2's) overshoots [-1, 1]: clamped, as the
        # reference code clamps to pixels. An array that does is refused, and so
        # is a generator whose values are of another scale.
        overshoot = self.images * 1.7
        features = metrics.compute_features(self.extractor, lambda n: overshoot[:n], num_samples=6)
        self.assertAllClose(features, _flat(np.clip(overshoot[:6], -1, 1)))
        with self.assertRaisesRegex(ValueError, "must give images in \\[-1, 1\\]"):
            metrics.compute_features(self.extractor, overshoot)
        with self.assertRaisesRegex(ValueError, "The generator must give images in"):
            metrics.compute_features(
                self.extractor, lambda n: self.images[:n] * 127.5 + 127.5, num_samples=6
            )

    def test_bad_extractors(self):
        maps = keras.Sequential([keras.Input(IMAGE_SHAPE), keras.layers.Conv2D(2, 3)])
        with self.assertRaisesRegex(ValueError, r"shape \(batch, features\).*\(20, 2, 2, 2\)"):
            metrics.compute_statistics(maps, self.images)
        with self.assertRaisesRegex(ValueError, "extractor of type str"):
            metrics.compute_statistics("inception", self.images)
        with self.assertRaisesRegex(ValueError, r"at least 2 images.*Received: 1"):
            metrics.compute_statistics(self.extractor, self.images, num_samples=1)

    def test_conditional_model_needs_num_classes(self):
        gan = testing.tiny_gan(num_classes=3)
        gan.num_classes = None
        with self.assertRaisesRegex(ValueError, "num_classes=None"):
            metrics.compute_statistics(self.extractor, gan, num_samples=4)


class MetricsTest(tf.test.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.extractor = _flatten_extractor()
        cls.images = testing.tiny_images(40, seed=1)

    def test_fid_pins_a_mean_shift(self):
        # Halved images shifted by 0.25: FID = 16 pixels * 0.25^2 = 1.
        real, fake = 0.5 * self.images, 0.5 * self.images + 0.25
        self.assertAllClose(metrics.fid(real, real, self.extractor, batch_size=16), 0.0, atol=1e-9)
        self.assertAllClose(metrics.fid(real, fake, self.extractor, batch_size=16), 1.0, rtol=1e-5)

    def test_fid_takes_every_image_of_arrays(self):
        expected = metrics.frechet_distance_from_activations(
            _flat(self.images[:10]), _flat(self.images)
        )
        self.assertAllClose(metrics.fid(self.images[:10], self.images, self.extractor), expected)
        self.assertAllClose(metrics.fid(self.images, self.images[:10], self.extractor), expected)

    def test_fid_with_precomputed_statistics(self):
        gan = testing.tiny_gan()
        statistics = metrics.compute_statistics(self.extractor, self.images)
        expected = metrics.frechet_distance_from_activations(
            _flat(self.images), _flat(gan.generate(_latents(40, seed=0)))
        )
        # A generator makes as many samples as the real source gave (40).
        self.assertAllClose(metrics.fid(self.images, gan, self.extractor), expected, rtol=1e-6)
        self.assertAllClose(metrics.fid(gan, self.images, self.extractor), expected, rtol=1e-6)
        running = metrics.RunningStatistics()
        running.update(_flat(self.images))  # knows its count: 40 samples are generated
        self.assertAllClose(metrics.fid(running, gan, self.extractor), expected, rtol=1e-6)
        self.assertAllClose(
            metrics.fid(tuple(statistics), gan, self.extractor, num_samples=40),
            expected,
            rtol=1e-6,
        )
        with self.assertRaisesRegex(ValueError, "needs `num_samples`"):
            metrics.fid(tuple(statistics), gan, self.extractor)

    def test_kid_and_precision_recall(self):
        gan = testing.tiny_gan()
        real = _flat(self.images)
        fake = _flat(gan.generate(_latents(40, seed=2)))
        self.assertAllClose(
            metrics.kid(self.images, gan, self.extractor, num_subsets=5, subset_size=10, seed=2),
            metrics.kernel_distance_from_activations(real, fake, 5, 10, seed=2),
            rtol=1e-6,
        )
        self.assertEqual(
            metrics.precision_recall(self.images, gan, self.extractor, seed=2),
            metrics.precision_recall_from_activations(real, fake),
        )
        self.assertEqual(
            metrics.precision_recall(self.images, self.images, self.extractor), (1.0, 1.0)
        )

    def test_inception_score_with_own_classifier(self):
        classifier = _softmax_classifier()
        probabilities = classifier.predict(self.images, verbose=0)
        expected = metrics.inception_score_from_probabilities(probabilities, num_splits=4)
        self.assertAllClose(
            metrics.inception_score(self.images, classifier, num_splits=4), expected, rtol=1e-5
        )
        logits = keras.Model(classifier.inputs, classifier.layers[-2].output)
        self.assertAllClose(
            metrics.inception_score(self.images, logits, num_splits=4, from_logits=True),
            expected,
            rtol=1e-5,
        )
        with self.assertRaisesRegex(ValueError, "from_logits='yes'"):
            metrics.inception_score(self.images, logits, from_logits="yes")


class InceptionFeatureExtractorTest(tf.test.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        keras.utils.set_random_seed(0)
        cls.extractor = metrics.inception_feature_extractor(weights=None)

    def _expected(self, inception, images):
        """Keras' InceptionV3 on a plain bilinear resize to 299 x 299, grey repeated to RGB."""
        resized = tf.image.resize(images, (299, 299), method="bilinear", antialias=False)
        if resized.shape[-1] == 1:
            resized = tf.repeat(resized, 3, axis=-1)
        return inception(resized, training=False)

    def test_features_are_inception_of_the_bilinear_resize(self):
        # Odd sizes up (27 x 29, 31 x 17) and down (331 x 313, where an
        # antialiased resize would differ); pixels in [-1, 1] as they are, with
        # no rescaling to [0, 255].
        rng = np.random.default_rng(0)
        inception = self.extractor.get_layer("inception_v3")
        for shape in ((2, 27, 29, 1), (2, 31, 17, 3), (1, 331, 313, 3)):
            images = rng.uniform(-1, 1, shape).astype("float32")
            features = metrics.compute_features(self.extractor, images)
            self.assertEqual(features.shape, (shape[0], 2048))
            self.assertAllClose(
                features, self._expected(inception, images), rtol=1e-5, atol=1e-5, msg=shape
            )
        # The check can tell the resizes apart on the downscaled image.
        antialiased = tf.image.resize(images, (299, 299), "bilinear", antialias=True)
        self.assertNotAllClose(
            inception(antialiased, training=False), self._expected(inception, images)
        )
        grey = rng.uniform(-1, 1, (2, 28, 28, 1)).astype("float32")
        self.assertAllClose(
            metrics.compute_features(self.extractor, grey),
            self.extractor(np.repeat(grey, 3, axis=-1)),
            rtol=1e-4,
            atol=1e-5,
        )

    def test_probabilities_for_the_inception_score(self):
        classifier = metrics.inception_feature_extractor(weights=None, include_top=True)
        images = np.random.default_rng(1).uniform(-1, 1, (2, 16, 16, 3)).astype("float32")
        probabilities = classifier.predict(images, verbose=0)
        self.assertEqual(probabilities.shape, (2, 1000))
        self.assertAllClose(probabilities.sum(axis=1), [1.0, 1.0], atol=1e-5)
        self.assertAllClose(
            probabilities,
            self._expected(classifier.get_layer("inception_v3"), images),
            rtol=1e-5,
            atol=1e-7,
        )

    def test_local_weights_file(self):
        # A weights file of a randomly initialised InceptionV3, as a user would
        # have saved the ImageNet one: loaded, it gives the same features.
        path = os.path.join(self.get_temp_dir(), "inception_v3_notop.weights.h5")
        self.extractor.get_layer("inception_v3").save_weights(path)
        keras.utils.set_random_seed(1)  # the file's weights, not a new random draw
        loaded = metrics.inception_feature_extractor(weights=pathlib.Path(path))
        images = np.random.default_rng(2).uniform(-1, 1, (2, 21, 21, 3)).astype("float32")
        self.assertAllClose(
            metrics.compute_features(loaded, images),
            metrics.compute_features(self.extractor, images),
            rtol=1e-6,
            atol=1e-6,
        )
        for got, want in zip(loaded.weights, self.extractor.weights, strict=True):
            self.assertAllEqual(got, want)

    def test_bad_arguments(self):
        with self.assertRaisesRegex(ValueError, "weights='/no/such/weights.h5'"):
            metrics.inception_feature_extractor(weights=os.path.join("/no", "such", "weights.h5"))
        with self.assertRaisesRegex(ValueError, "weights=3"):
            metrics.inception_feature_extractor(weights=3)
        with self.assertRaisesRegex(ValueError, "include_top='yes'"):
            metrics.inception_feature_extractor(weights=None, include_top="yes")
        with self.assertRaisesRegex(ValueError, r"1 \(grey\) or 3 \(RGB\).*\(1, 8, 8, 2\)"):
            self.extractor(np.zeros((1, 8, 8, 2), "float32"))
        with self.assertRaisesRegex(ValueError, r"1 \(grey\) or 3 \(RGB\).*\(2, 8, 8, 2\)"):
            metrics.compute_features(self.extractor, np.zeros((2, 8, 8, 2), "float32"))
