import math

import keras
import numpy as np
import tensorflow as tf

from keras_gans import AdversarialModel
from keras_gans.losses import PathLengthPenalty
from keras_gans.losses import path_lengths
from tests.testing import tiny_discriminator

LATENT_DIM = 3
IMAGE_SHAPE = (2, 2, 1)


def _linear_generator(matrix):
    """G(z) = reshape(z @ A): its Jacobian is A^T, so J^T y = A y."""
    latent = keras.Input((LATENT_DIM,), name="latent")
    dense = keras.layers.Dense(int(np.prod(IMAGE_SHAPE)), use_bias=False)
    model = keras.Model(latent, keras.layers.Reshape(IMAGE_SHAPE)(dense(latent)))
    dense.set_weights([matrix])
    return model


class PathLengthsTest(tf.test.TestCase):
    def test_lengths_of_a_linear_map(self):
        rng = np.random.default_rng(0)
        matrix = rng.normal(size=(LATENT_DIM, 4)).astype("float32")
        latents = rng.normal(size=(5, LATENT_DIM)).astype("float32")
        noise = rng.normal(size=(5, *IMAGE_SHAPE)).astype("float32")
        lengths = path_lengths(lambda z: tf.reshape(z @ matrix, (-1, *IMAGE_SHAPE)), latents, noise)
        expected = np.linalg.norm(noise.reshape(5, 4).astype("float64") @ matrix.T, axis=1)
        self.assertEqual(lengths.shape, (5,))
        self.assertAllClose(lengths, np.sqrt(expected**2 + 1e-8), rtol=1e-5)

    def test_per_layer_latents_are_averaged_before_the_root(self):
        # A style generator's latents (batch, layers, dim): the squares are
        # averaged over the layers, then the root is taken.
        rng = np.random.default_rng(1)
        matrix = rng.normal(size=(2 * LATENT_DIM, 4)).astype("float32")
        latents = rng.normal(size=(3, 2, LATENT_DIM)).astype("float32")
        noise = rng.normal(size=(3, *IMAGE_SHAPE)).astype("float32")

        def generator(z):
            return tf.reshape(tf.reshape(z, (-1, 2 * LATENT_DIM)) @ matrix, (-1, *IMAGE_SHAPE))

        gradients = (noise.reshape(3, 4).astype("float64") @ matrix.T).reshape(3, 2, LATENT_DIM)
        expected = np.sqrt(np.mean(np.sum(gradients**2, axis=-1), axis=1) + 1e-8)
        self.assertAllClose(path_lengths(generator, latents, noise), expected, rtol=1e-5)


class PathLengthPenaltyTest(tf.test.TestCase):
    def _gan(self, matrix, **kwargs):
        gan = AdversarialModel(
            _linear_generator(matrix), tiny_discriminator(image_shape=IMAGE_SHAPE), seed=0
        )
        self.penalty = PathLengthPenalty(**kwargs)
        gan.compile(regularizers=[self.penalty])
        return gan

    def test_moving_mean_and_value(self):
        rng = np.random.default_rng(2)
        matrix = rng.normal(size=(LATENT_DIM, 4)).astype("float32")
        gan = self._gan(matrix, weight=2.0, every=1, decay=0.1, batch_shrink=2)
        self.assertEqual(self.penalty.player, "generator")
        self.assertAllClose(self.penalty.mean_length, 0.0)  # saved with the model
        self.assertIn(self.penalty.mean_length.path, [v.path for v in gan.variables])
        latents = rng.normal(size=(6, LATENT_DIM)).astype("float32")
        fake = gan.generator(latents)
        mean = 0.0
        for _ in range(3):
            # The penalty's noise: N(0, 1) / sqrt(H * W) on the first 6 // 2
            # latents, drawn from the model's stream (replayed here).
            replay = keras.random.SeedGenerator(0)
            replay.state.assign(gan.seed_generator.state)
            noise = keras.random.normal((3, *IMAGE_SHAPE), seed=replay).numpy() / math.sqrt(4)
            lengths = np.linalg.norm(noise.reshape(3, 4).astype("float64") @ matrix.T, axis=1)
            mean = mean + 0.1 * (lengths.mean() - mean)
            value = gan.regularization("generator", None, fake, None, latents)["path_length"]
            self.assertAllClose(self.penalty.mean_length, mean, rtol=1e-5)
            self.assertAllClose(value, 2.0 * np.mean((lengths - mean) ** 2), rtol=1e-4)

    def test_lazy_interval_counts_generator_updates(self):
        matrix = np.eye(LATENT_DIM, 4, dtype="float32")
        gan = self._gan(matrix, weight=1.0, every=4, decay=0.5)
        latents = np.ones((2, LATENT_DIM), "float32")
        fake = gan.generator(latents)
        values = []
        for _ in range(5):
            values.append(
                float(gan.regularization("generator", None, fake, None, latents)["path_length"])
            )
            gan.g_optimizer.iterations.assign_add(1)
        # Computed on generator updates 0 and 4 only; the mean moves only then.
        self.assertEqual([v != 0 for v in values], [True, False, False, False, True])
        self.assertEqual(gan.regularization("discriminator", None, fake, None, latents), {})

    def test_config(self):
        penalty = PathLengthPenalty(weight=1.0, every=8, decay=0.05, batch_shrink=4)
        config = {"weight": 1.0, "every": 8, "decay": 0.05, "batch_shrink": 4}
        self.assertEqual(penalty.get_config(), config)
        restored = keras.saving.deserialize_keras_object(
            keras.saving.serialize_keras_object(penalty)
        )
        self.assertIsInstance(restored, PathLengthPenalty)
        self.assertEqual(restored.get_config(), config)
        self.assertEqual(
            PathLengthPenalty().get_config(),
            {"weight": 2.0, "every": 4, "decay": 0.01, "batch_shrink": 2},
        )
        with self.assertRaisesRegex(ValueError, "decay=1.5"):
            PathLengthPenalty(decay=1.5)
        with self.assertRaisesRegex(ValueError, "batch_shrink=0"):
            PathLengthPenalty(batch_shrink=0)
