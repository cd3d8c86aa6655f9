import contextlib
import io
import os

import keras
import numpy as np
import tensorflow as tf

from keras_gans import export_generator
from keras_gans.applications.generator_source import GeneratorSource
from keras_gans.applications.projection import project
from tests.applications.toy_generators import images_of
from tests.applications.toy_generators import linear_generator
from tests.applications.toy_generators import orthonormal_matrix
from tests.applications.toy_generators import style_generator
from tests.testing import tiny_gan
from tests.testing import weights_of

LATENT_DIM = 8


class ProjectTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        self.matrix = orthonormal_matrix(LATENT_DIM)
        rng = np.random.default_rng(1)
        self.true_latents = np.clip(rng.standard_normal((3, LATENT_DIM)), -1.5, 1.5)
        self.targets = images_of(self.matrix, self.true_latents).astype("float32")

    def test_recovers_a_representable_target(self):
        generator = linear_generator(self.matrix)
        weights = weights_of(generator)
        result = project(generator, self.targets, num_steps=300, num_restarts=3, seed=0, verbose=0)
        self.assertEqual(result.latents.shape, (3, LATENT_DIM))
        self.assertEqual(result.loss_history.shape, (300, 3, 3))
        # The matrix is injective: the latent is the only exact match.
        self.assertAllClose(result.latents, self.true_latents, atol=1e-3)
        self.assertAllClose(result.images, self.targets, atol=1e-4)
        self.assertAllLess(result.losses, 1e-8)
        # The loss is the mean squared error of the returned images.
        self.assertAllClose(
            result.losses, np.mean((result.images - self.targets) ** 2, axis=(1, 2, 3)), atol=1e-9
        )
        # Each image keeps its best candidate, at least as good as any step.
        self.assertTrue(np.all(result.losses <= result.loss_history.min(axis=(0, 2))))
        for before, after in zip(weights, weights_of(generator), strict=True):
            self.assertAllEqual(before, after)

    def test_loss_falls_on_average(self):
        result = project(
            linear_generator(self.matrix), self.targets, num_steps=100, seed=0, verbose=0
        )
        means = result.loss_history.reshape(10, 10, -1).mean(axis=(1, 2))
        self.assertAllLess(np.diff(means), 0.0)

    def test_latent_range(self):
        # A target the generator makes only from a latent outside the range.
        far = np.full((1, LATENT_DIM), 2.0)
        targets = images_of(self.matrix, far).astype("float32")
        result = project(
            linear_generator(self.matrix),
            targets,
            num_steps=200,
            latent_range=1.0,
            seed=0,
            verbose=0,
        )
        self.assertAllLessEqual(np.abs(result.latents), 1.0)
        self.assertAllClose(result.latents, np.ones((1, LATENT_DIM)), atol=1e-3)

    def test_saved_model(self):
        path = export_generator(
            linear_generator(self.matrix), os.path.join(self.get_temp_dir(), "linear")
        )
        result = project(path, self.targets, num_steps=300, seed=0, verbose=0)
        self.assertAllClose(result.latents, self.true_latents, atol=1e-3)

    def test_w_space(self):
        rng = np.random.default_rng(2)
        m = rng.standard_normal((3, 5)).astype("float32")
        s = orthonormal_matrix(5, seed=3)
        true_w = np.clip(rng.standard_normal((2, 5)), -1.5, 1.5)
        targets = images_of(s, true_w).astype("float32")
        result = project(
            style_generator(m, s), targets, space="w", num_steps=300, seed=0, verbose=0
        )
        self.assertEqual(result.latents.shape, (2, 5))
        self.assertAllClose(result.latents, true_w, atol=1e-3)

    def test_feature_distance(self):
        features = keras.Sequential(
            [keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(3)]
        )
        # A target off the generator's range: the loss is not zero.
        targets = np.random.default_rng(4).uniform(-1, 1, (2, 4, 4, 1)).astype("float32")
        result = project(
            linear_generator(self.matrix),
            targets,
            num_steps=20,
            feature_model=features,
            feature_weight=0.5,
            seed=0,
            verbose=0,
        )
        pixels = np.mean((result.images - targets) ** 2, axis=(1, 2, 3))
        distance = np.mean((features(result.images) - features(targets)) ** 2, axis=1)
        self.assertAllClose(result.losses, pixels + 0.5 * distance, rtol=1e-4)

    def test_one_trace_whatever_the_number_of_steps(self):
        calls = []

        def features(images):
            calls.append(1)  # Python runs only while tracing
            return tf.reshape(images, (-1, 16))

        counts = []
        for num_steps in (10, 200):
            calls.clear()
            project(
                linear_generator(self.matrix),
                self.targets,
                num_steps=num_steps,
                feature_model=features,
                seed=0,
                verbose=1,
            )
            counts.append(len(calls))
        self.assertEqual(counts[0], counts[1])
        self.assertLessEqual(counts[0], 4)

    def test_verbose(self):
        outputs = []
        for verbose in (0, 1, 2):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                project(
                    linear_generator(self.matrix),
                    self.targets,
                    num_steps=10,
                    verbose=verbose,
                    seed=0,
                )
            outputs.append(out.getvalue())
        self.assertEqual(outputs[0], "")
        self.assertIn("10/10", outputs[1])
        self.assertIn("loss:", outputs[1])
        self.assertIn("10/10", outputs[2])

    def test_conditional_gan_weights_untouched(self):
        gan = tiny_gan(num_classes=3)
        targets = gan.generate(np.zeros((2, 3)), [0, 1])
        before = weights_of(gan)
        result = project(gan, targets, labels=[0, 1], num_steps=50, seed=0, verbose=0)
        self.assertAllClose(result.images, gan.generate(result.latents, [0, 1]), atol=1e-6)
        for a, b in zip(before, weights_of(gan), strict=True):
            self.assertAllEqual(a, b)

    def test_bad_arguments(self):
        generator = linear_generator(self.matrix)
        with self.assertRaisesRegex(ValueError, r"shape \(n, 4, 4, 1\).*Received: shape=\(3, 16\)"):
            project(generator, self.targets.reshape(3, 16), verbose=0)
        with self.assertRaisesRegex(ValueError, r"must lie in \[-1, 1\].*from 2.0 to 2.0"):
            project(generator, np.full((1, 4, 4, 1), 2.0), verbose=0)
        with self.assertRaisesRegex(ValueError, "needs a style-based generator"):
            project(generator, self.targets, space="w", verbose=0)
        with self.assertRaisesRegex(ValueError, r"`verbose` must be one of \['auto', 0, 1, 2\]"):
            project(generator, self.targets, verbose=3)
        with self.assertRaisesRegex(ValueError, "`num_restarts` must be a positive integer"):
            project(generator, self.targets, num_restarts=0, verbose=0)
        generator.output_range = (0.0, 1.0)
        with self.assertRaisesRegex(ValueError, r"must lie in \[0, 1\].*from -0.5 to -0.5"):
            project(generator, np.full((1, 4, 4, 1), -0.5), verbose=0)
        style = style_generator(np.ones((3, 5), "float32"), np.ones((5, 16), "float32"))
        with self.assertRaisesRegex(ValueError, "w has no such range"):
            project(GeneratorSource(style), self.targets, space="w", latent_range=3.0, verbose=0)
