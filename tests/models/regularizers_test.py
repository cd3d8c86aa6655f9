"""Regularisers in the engine: either player's, lazy intervals, path length, the 0.1 protocol."""

import math
import os

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gans import AdversarialModel
from keras_gans.losses import PathLengthPenalty
from keras_gans.losses import Regularizer
from tests.models import replay
from tests.testing import tiny_discriminator
from tests.testing import tiny_gan
from tests.testing import tiny_images
from tests.testing import weights_of


class FakeEnergy(Regularizer):
    """A generator-side term: the mean square of the generated samples."""

    name = "fake_energy"
    player = "generator"

    def compute(self, inputs):
        return ops.mean(ops.square(inputs.fake))


class Constant(Regularizer):
    """A term worth 1 (times its weight) whenever it is computed."""

    def __init__(self, name, player, weight=1.0, every=1):
        super().__init__(weight, every)
        self.name = name
        self.player = player

    def compute(self, inputs):
        return ops.ones((), "float32")


class GeneratorRegularizerTest(tf.test.TestCase):
    def test_a_generator_term_joins_the_generators_loss(self):
        # every=2: the first generator update (iteration 0) computes it, times 2.
        gan = tiny_gan(regularizers=[FakeEnergy(weight=0.3, every=2)], d_steps=2)
        real = tf.constant(tiny_images(8))
        expected_g, expected_d, logs = replay.replay_step(
            gan,
            real,
            d_steps=2,
            g_penalty=("fake_energy", lambda r, fake, z: 0.6 * tf.reduce_mean(tf.square(fake))),
        )
        # Without the term the generator would end elsewhere.
        without_g, _, _ = replay.replay_step(gan, real, d_steps=2)
        self.assertNotAllClose(without_g[0], expected_g[0])

        history = gan.fit(real.numpy(), batch_size=8, shuffle=False, verbose=0).history
        for got, want in zip(gan.generator.get_weights(), expected_g, strict=True):
            self.assertAllClose(got, want, atol=1e-6)
        for got, want in zip(gan.discriminator.get_weights(), expected_d, strict=True):
            self.assertAllClose(got, want, atol=1e-6)
        for key in ("fake_energy", "g_loss", "d_loss", "d_real", "d_fake"):
            self.assertAllClose(history[key], [logs[key]], atol=1e-6)

    def test_lazy_terms_count_their_own_players_updates(self):
        # d_steps=2: the discriminator makes 2 updates per step, the generator 1.
        gan = tiny_gan(
            d_steps=2,
            regularizers=[
                Constant("d_every_3", "discriminator", weight=1.0, every=3),
                Constant("g_every_2", "generator", weight=0.5, every=2),
                Constant("d_always", "discriminator", weight=0.25),
            ],
        )
        logged = {"d_every_3": [], "g_every_2": [], "d_always": []}
        for step in range(6):
            logs = gan.train_on_batch(tiny_images(4, seed=step), return_dict=True)
            for name in logged:
                logged[name].append(float(logs[name]))
        # Discriminator iterations 0..11, two per step: computed (x3) at 0, 3, 6, 9;
        # each step logs the mean of its two slices.
        self.assertAllClose(logged["d_every_3"], [1.5, 1.5, 0.0, 1.5, 1.5, 0.0])
        # Generator iterations 0..5: computed (x2) at 0, 2, 4.
        self.assertAllClose(logged["g_every_2"], [1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
        self.assertAllClose(logged["d_always"], [0.25] * 6)
        self.assertEqual(int(gan.d_optimizer.iterations), 12)
        self.assertEqual(int(gan.g_optimizer.iterations), 6)

    def test_regularizers_are_checked(self):
        gan = tiny_gan()
        with self.assertRaisesRegex(ValueError, "Regulariser names must be unique"):
            gan.compile(
                regularizers=[Constant("a", "generator")],
                penalties=[Constant("a", "discriminator")],
            )
        with self.assertRaisesRegex(ValueError, r"player.*'critic'"):
            gan.compile(regularizers=[Constant("a", "critic")])
        with self.assertRaisesRegex(
            ValueError, r"needs a `name` to log its value under. Received: Nameless"
        ):
            gan.compile(regularizers=[type("Nameless", (FakeEnergy,), {"name": None})()])


def _linear_generator(latent_dim=3, image_shape=(2, 2, 1)):
    """G(z) = A z, reshaped: its Jacobian is the kernel, whatever z."""
    latent = keras.Input((latent_dim,), name="latent")
    flat = keras.layers.Dense(int(np.prod(image_shape)), use_bias=False, name="linear")(latent)
    return keras.Model(latent, keras.layers.Reshape(image_shape)(flat))


class PathLengthTest(tf.test.TestCase):
    def test_analytic_value_moving_mean_and_round_trip(self):
        decay, weight, every = 0.01, 2.0, 2
        keras.utils.set_random_seed(3)
        gan = AdversarialModel(_linear_generator(), tiny_discriminator((2, 2, 1)), seed=4)
        penalty = PathLengthPenalty(weight=weight, every=every, decay=decay, batch_shrink=2)
        gan.compile(
            g_optimizer=keras.optimizers.SGD(replay.LR),
            d_optimizer=keras.optimizers.SGD(replay.LR),
            regularizers=[penalty],
        )
        self.assertEqual(gan.regularizers, [penalty])
        self.assertEqual(penalty.player, "generator")
        kernel = gan.generator.get_layer("linear").kernel
        # The model's noise stream: each step draws its latents (8 x 3), then,
        # when the penalty is computed, its image noise (4 x 2 x 2 x 1) / sqrt(2 * 2).
        stream = keras.random.SeedGenerator(4)

        def draw_noise():
            return keras.random.normal((4, 2, 2, 1), seed=stream) / math.sqrt(4.0)

        def lengths(noise):
            # J^T y = A^T y per sample, A the (3, 4) kernel: the gradient of
            # sum(G(z) * y) with respect to z.
            return tf.norm(tf.matmul(tf.reshape(noise, (4, 4)), kernel, transpose_b=True), axis=1)

        images = [tiny_images(8, seed=step, image_shape=(2, 2, 1)) for step in range(3)]

        # Step 1: computed (iteration 0), times `every`; the mean starts at 0.
        z = keras.random.normal((8, 3), seed=stream)
        noise = draw_noise()
        first = lengths(noise)
        mean = 0.0 + decay * (float(tf.reduce_mean(first)) - 0.0)

        def g_penalty(real, fake, latents):
            return every * weight * tf.reduce_mean(tf.square(lengths(noise) - mean))

        expected_g, _, expected = replay.replay_step(
            gan, images[0], latents=z, g_penalty=("path_length", g_penalty)
        )
        logs = gan.train_on_batch(images[0], return_dict=True)
        self.assertAllClose(logs["path_length"], expected["path_length"], rtol=1e-5)
        self.assertAllClose(
            logs["path_length"],
            every * weight * np.mean((first.numpy() - mean) ** 2),
            rtol=1e-5,
        )
        self.assertAllClose(float(penalty.mean_length), mean, rtol=1e-5)
        for got, want in zip(gan.generator.get_weights(), expected_g, strict=True):
            self.assertAllClose(got, want, atol=1e-6)

        # Step 2 (iteration 1): skipped, nothing drawn, the mean unchanged.
        keras.random.normal((8, 3), seed=stream)
        logs = gan.train_on_batch(images[1], return_dict=True)
        self.assertEqual(float(logs["path_length"]), 0.0)
        self.assertAllClose(float(penalty.mean_length), mean, rtol=1e-5)

        # Step 3 (iteration 2): computed with the kernel as trained so far.
        keras.random.normal((8, 3), seed=stream)
        third = lengths(draw_noise())
        mean = mean + decay * (float(tf.reduce_mean(third)) - mean)
        logs = gan.train_on_batch(images[2], return_dict=True)
        self.assertAllClose(float(penalty.mean_length), mean, rtol=1e-5)
        self.assertAllClose(
            logs["path_length"],
            every * weight * np.mean((third.numpy() - mean) ** 2),
            rtol=1e-4,
        )

        # The moving mean is state: a .keras round trip restores it.
        path = os.path.join(self.get_temp_dir(), "path_length.keras")
        gan.save(path)
        loaded = keras.models.load_model(path)
        (restored,) = loaded.regularizers
        self.assertIsInstance(restored, PathLengthPenalty)
        self.assertEqual(restored.get_config(), penalty.get_config())
        self.assertIsNot(restored, penalty)
        self.assertAllClose(float(restored.mean_length), mean, rtol=1e-6)
        self.assertEqual(restored.mean_length.name, "path_length_mean")
        for model in (gan, loaded):
            model.fit(images[0], batch_size=8, shuffle=False, epochs=2, verbose=0)
        self.assertAllClose(float(restored.mean_length), float(penalty.mean_length), atol=0)
        self.assertNotAllClose(float(restored.mean_length), mean)
        for a, b in zip(weights_of(loaded), weights_of(gan), strict=True):
            self.assertAllClose(a, b, atol=1e-6)

    def test_evaluate_leaves_the_moving_mean_alone(self):
        gan = tiny_gan(regularizers=[PathLengthPenalty(every=1)])
        (penalty,) = gan.regularizers
        gan.train_on_batch(tiny_images(8))
        mean = float(penalty.mean_length)
        self.assertGreater(mean, 0.0)
        logs = gan.evaluate(tiny_images(8, seed=1), batch_size=8, verbose=0, return_dict=True)
        self.assertGreater(float(logs["path_length"]), 0.0)
        self.assertEqual(float(penalty.mean_length), mean)


class OldPenaltyProtocolTest(tf.test.TestCase):
    def test_a_named_callable_in_penalties(self):
        # keras_gans 0.1: penalty(discriminator_fn, real, fake, step, seed_generator)
        # returns its weighted value; it has a `name`.
        def energy(discriminator_fn, real, fake, step, seed_generator):
            return 0.5 * ops.mean(ops.square(discriminator_fn(real)))

        def step_seen(discriminator_fn, real, fake, step, seed_generator):
            return ops.cast(step, "float32")  # no gradient: it only reports the step

        energy.name = "energy"
        step_seen.name = "step_seen"
        gan = tiny_gan(penalties=[energy, step_seen], d_steps=2)
        self.assertEqual([entry.name for entry in gan.regularizers], ["energy", "step_seen"])
        real = tf.constant(tiny_images(8))
        expected_g, expected_d, logs = replay.replay_step(
            gan,
            real,
            d_steps=2,
            d_penalty=(
                "energy",
                lambda d_fn, r, fake: 0.5 * tf.reduce_mean(tf.square(d_fn(r))),
            ),
        )
        history = gan.fit(real.numpy(), batch_size=8, epochs=2, shuffle=False, verbose=0).history
        self.assertAllClose(history["energy"][0], logs["energy"], atol=1e-6)
        self.assertAllClose(history["d_loss"][0], logs["d_loss"], atol=1e-6)
        # The step is the discriminator's iteration: 0 and 1, then 2 and 3.
        self.assertAllClose(history["step_seen"], [0.5, 2.5])
        gan2 = tiny_gan(penalties=[energy], d_steps=2)
        gan2.fit(real.numpy(), batch_size=8, shuffle=False, verbose=0)
        for got, want in zip(gan2.generator.get_weights(), expected_g, strict=True):
            self.assertAllClose(got, want, atol=1e-6)
        for got, want in zip(gan2.discriminator.get_weights(), expected_d, strict=True):
            self.assertAllClose(got, want, atol=1e-6)
