import os
from statistics import NormalDist

import keras
import numpy as np
import tensorflow as tf

import keras_gans
from keras_gans.architectures import DCGANDiscriminator
from keras_gans.architectures import DCGANGenerator
from keras_gans.models import UnconditionalGenerator
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
