import os
from statistics import NormalDist

import keras
import numpy as np
import tensorflow as tf

import keras_gans
from keras_gans.architectures import DCGANDiscriminator
from keras_gans.architectures import DCGANGenerator
from keras_gans.models import UnconditionalGenerator
from keras_gans.models.unconditional import nearest_prior
from tests.test_case import TestCase

PROBABILITIES = [0.2, 0.5, 0.3]


def _conditional_generator():
    return DCGANGenerator(latent_dim=6, image_shape=(28, 28, 1), base_filters=4, num_classes=3)


class UnconditionalGeneratorTest(TestCase):
    def test_builder(self):
        keras.utils.set_random_seed(0)
        images = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
        self.run_builder_test(
            UnconditionalGenerator,
            {"generator": _conditional_generator(), "class_probabilities": PROBABILITIES},
            np.random.default_rng(1).standard_normal((4, 6)).astype("float32"),
            expected_output_shape=(4, 28, 28, 1),
            partner=DCGANDiscriminator(image_shape=(28, 28, 1), base_filters=4),
            images=images,
        )

    def test_split_at_known_points(self):
        generator = UnconditionalGenerator(_conditional_generator(), PROBABILITIES)
        normal = NormalDist()
        # u = 0.1 lies in class 0's [0, 0.2), at half its width; u = 0.3 in
        # class 1's [0.2, 0.7), at a fifth; u = 0.91 in class 2's [0.7, 1), at 0.7.
        u = np.array([0.1, 0.3, 0.91])
        latent = np.stack([[normal.inv_cdf(v), 0.5, -1.0, 2.0, 0.0, 3.0] for v in u])
        labels, split = generator.split_latent(latent.astype("float32"))
        self.assertAllEqual(labels, [0, 1, 2])
        expected = [normal.inv_cdf(0.5), normal.inv_cdf(0.2), normal.inv_cdf(0.7)]
        self.assertAllClose(split[:, 0], expected, atol=1e-4)
        self.assertAllClose(split[:, 1:], latent[:, 1:])  # the rest is kept

    def test_classes_drawn_by_their_probabilities_with_a_normal_latent_each(self):
        generator = UnconditionalGenerator(_conditional_generator(), PROBABILITIES)
        n = 200_000
        latent = np.random.default_rng(3).standard_normal((n, 6)).astype("float32")
        labels, split = generator.split_latent(latent)
        labels, first = labels.numpy(), split[:, 0].numpy()
        shares = np.bincount(labels, minlength=3) / n
        # Five binomial standard errors.
        tolerance = 5 * np.sqrt(np.array(PROBABILITIES) * (1 - np.array(PROBABILITIES)) / n)
        self.assertTrue(np.all(np.abs(shares - PROBABILITIES) <= tolerance), shares)
        for k in range(3):
            values = first[labels == k]
            self.assertAllClose([values.mean(), values.std()], [0.0, 1.0], atol=0.02)
            # Its quartiles are the standard normal's.
            self.assertAllClose(np.quantile(values, [0.25, 0.75]), [-0.6745, 0.6745], atol=0.03)

    def test_call_is_the_conditional_generator_on_the_split(self):
        conditional = _conditional_generator()
        generator = UnconditionalGenerator(conditional, PROBABILITIES)
        latent = np.random.default_rng(4).standard_normal((5, 6)).astype("float32")
        labels, split = generator.split_latent(latent)
        self.assertAllClose(
            generator(latent), conditional({"latent": split, "label": labels}), atol=1e-6
        )

    def test_exports_as_an_unconditional_generator(self):
        generator = UnconditionalGenerator(_conditional_generator(), PROBABILITIES)
        path = os.path.join(self.get_temp_dir(), "generator")
        keras_gans.export_generator(generator, path)
        loaded = tf.saved_model.load(path)
        latent = np.random.default_rng(5).standard_normal((7, 6)).astype("float32")
        self.assertAllClose(loaded.serve(latent)["images"], generator(latent), atol=1e-5)

    def test_bad_arguments_are_refused(self):
        unconditional = DCGANGenerator(latent_dim=6, image_shape=(28, 28, 1), base_filters=4)
        with self.assertRaisesRegex(ValueError, "wraps a conditional generator"):
            UnconditionalGenerator(unconditional, PROBABILITIES)
        wrong_size = r"class_probabilities` must have shape \(3,\).*\(2,\)"
        with self.assertRaisesRegex(ValueError, wrong_size):
            UnconditionalGenerator(_conditional_generator(), [0.5, 0.5])
        with self.assertRaisesRegex(ValueError, "positive and sum to 1.*min=0.0"):
            UnconditionalGenerator(_conditional_generator(), [0.0, 0.5, 0.5])


def _kl(p, q):
    return float(np.sum(p * np.log(p / q)))


class NearestPriorTest(TestCase):
    def test_pure_classes_have_the_closed_form(self):
        # Every class read as one label: the nearest prior rescales each
        # label's classes by target / (their current total), keeping their ratios.
        prior = np.array([0.1, 0.3, 0.2, 0.4])
        readings = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], np.float64)
        p = nearest_prior(prior, readings, np.array([0.5, 0.5]))
        self.assertAllClose(p, [0.125, 0.375, 1 / 6, 1 / 3], atol=1e-9)

    def test_mixed_classes_meet_the_target_at_the_smallest_divergence(self):
        rng = np.random.default_rng(0)
        prior = rng.dirichlet(np.ones(12))
        readings = rng.dirichlet(np.full(3, 0.5), size=12)
        target = np.array([0.3, 0.3, 0.4])
        p = nearest_prior(prior, readings, target)
        self.assertAllClose(p @ readings, target, atol=1e-9)
        self.assertAllClose(p.sum(), 1.0)
        # Optimality: log(p / prior) is an affine function of the readings.
        design = np.concatenate([readings, np.ones((12, 1))], axis=1)
        coefficients = np.linalg.lstsq(design, np.log(p / prior), rcond=None)[0]
        self.assertAllClose(design @ coefficients, np.log(p / prior), atol=1e-7)
        # And every other prior meeting the target diverges more: move along
        # directions that keep the label shares and the total.
        _, _, vt = np.linalg.svd(design.T)
        step = 0.5 * p.min()  # keeps every class's probability positive
        for direction in vt[4:]:
            for size in (step, -step):
                moved = p + size * direction
                self.assertAllClose(moved @ readings, target, atol=1e-9)
                self.assertGreater(_kl(moved, prior), _kl(p, prior))

    def test_a_target_already_met_keeps_the_prior(self):
        prior = np.array([0.2, 0.5, 0.3])
        readings = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8]])
        p = nearest_prior(prior, readings, prior @ readings)
        self.assertAllClose(p, prior, atol=1e-9)

    def test_unreachable_targets_are_refused(self):
        prior = np.array([0.5, 0.5])
        readings = np.array([[0.7, 0.3, 0.0], [0.4, 0.6, 0.0]])
        with self.assertRaisesRegex(ValueError, r"ever read as label\(s\) \[2\]"):
            nearest_prior(prior, readings, np.array([0.4, 0.4, 0.2]))
        # Label 0 is at least 40% of any mix of these classes.
        with self.assertRaisesRegex(ValueError, "closest reached is"):
            nearest_prior(prior, readings[:, :2], np.array([0.2, 0.8]))


class ShiftedGenerator(keras.Model):
    """Class k draws flat 4x4 images of value `shifts[k] + latent_0 / 2`."""

    def __init__(self, shifts):
        super().__init__()
        self.latent_dim = 2
        self.num_classes = len(shifts)
        self.shifts = np.array(shifts, "float32")

    def call(self, inputs, training=False):
        value = keras.ops.take(self.shifts, inputs["label"]) + 0.5 * inputs["latent"][:, 0]
        return keras.ops.broadcast_to(
            value[:, None, None, None], (keras.ops.shape(value)[0], 4, 4, 1)
        )


def _sign_classifier(images):
    """Label 1 for images brighter than 0, else label 0."""
    mean = keras.ops.mean(images, axis=(1, 2, 3))
    return keras.ops.stack([-mean, mean], axis=1)


class ReadAndBalanceLabelsTest(TestCase):
    SHIFTS = [-0.5, 0.0, 0.5]
    PRIOR = [0.6, 0.2, 0.2]

    def test_readings_are_the_classes_label_shares(self):
        generator = UnconditionalGenerator(ShiftedGenerator(self.SHIFTS), self.PRIOR)
        n = 20_000
        readings = generator.read_labels(_sign_classifier, samples_per_class=n, seed=0)
        normal = NormalDist(sigma=0.5)
        # Class k is read as 1 when shift_k + z / 2 > 0: probability Phi(2 shift_k).
        bright = np.array([1 - normal.cdf(-s) for s in self.SHIFTS])
        self.assertEqual(readings.shape, (3, 2))
        self.assertAllClose(readings.sum(axis=1), np.ones(3))
        tolerance = 5 * np.sqrt(bright * (1 - bright) / n)
        self.assertTrue(np.all(np.abs(readings[:, 1] - bright) <= tolerance), readings)

    def test_balanced_generator_draws_the_labels_evenly(self):
        generator = UnconditionalGenerator(ShiftedGenerator(self.SHIFTS), self.PRIOR)
        readings = generator.read_labels(_sign_classifier, samples_per_class=20_000, seed=1)
        balanced = generator.balance_labels(readings)
        self.assertIs(balanced.generator, generator.generator)
        self.assertAllClose(
            balanced.class_probabilities, nearest_prior(np.array(self.PRIOR), readings, [0.5, 0.5])
        )
        # The prior's own label shares are far from even ...
        latent = np.random.default_rng(2).standard_normal((100_000, 2)).astype("float32")
        before = keras.ops.convert_to_numpy(_sign_classifier(generator(latent))).argmax(1).mean()
        self.assertLess(before, 0.40)
        # ... the balanced one's are even (within the readings' sampling error).
        after = keras.ops.convert_to_numpy(_sign_classifier(balanced(latent))).argmax(1).mean()
        self.assertAllClose(after, 0.5, atol=0.01)
        # Asked for other shares, it draws those.
        skewed = generator.balance_labels(readings, label_shares=[0.3, 0.7])
        after = keras.ops.convert_to_numpy(_sign_classifier(skewed(latent))).argmax(1).mean()
        self.assertAllClose(after, 0.7, atol=0.01)

    def test_batches_cover_every_sample(self):
        generator = UnconditionalGenerator(ShiftedGenerator(self.SHIFTS), self.PRIOR)
        readings = generator.read_labels(
            _sign_classifier, samples_per_class=7, batch_size=3, seed=0
        )
        self.assertAllClose(readings.sum(axis=1), np.ones(3))
        self.assertAllClose(readings * 7, np.round(readings * 7))  # whole counts of 7

    def test_bad_arguments_are_refused(self):
        generator = UnconditionalGenerator(ShiftedGenerator(self.SHIFTS), self.PRIOR)
        with self.assertRaisesRegex(ValueError, r"shape \(batch, num_labels\).*\(5,\)"):
            generator.read_labels(lambda images: keras.ops.mean(images, axis=(1, 2, 3)), 5)
        with self.assertRaisesRegex(ValueError, r"`samples_per_class` must be a positive"):
            generator.read_labels(_sign_classifier, samples_per_class=0)
        with self.assertRaisesRegex(ValueError, r"shape \(3, num_labels\).*\(2, 2\)"):
            generator.balance_labels(np.full((2, 2), 0.5))
        with self.assertRaisesRegex(ValueError, "non-negative shares.*row sums from 0.9"):
            generator.balance_labels([[0.5, 0.5], [0.5, 0.4], [1.0, 0.0]])
        with self.assertRaisesRegex(ValueError, r"`label_shares` must have shape \(2,\)"):
            generator.balance_labels(np.full((3, 2), 0.5), label_shares=[0.2, 0.3, 0.5])
        with self.assertRaisesRegex(ValueError, r"ever read as label\(s\) \[1\]"):
            generator.balance_labels([[1.0, 0.0]] * 3)
