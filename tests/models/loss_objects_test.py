"""Loss objects in the engine: what they log, their arguments, and saving them."""

import functools
import os

import keras
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import losses
from tests.models import replay
from tests.testing import tiny_gan
from tests.testing import tiny_images
from tests.testing import weights_of

PROBABILITY_LOGS = ["d_fake", "d_loss", "d_real", "g_loss"]


@keras.saving.register_keras_serializable(package="keras_gans_tests")
def custom_generator_loss(fake_outputs):
    return tf.reduce_mean(tf.math.softplus(-fake_outputs))


@keras.saving.register_keras_serializable(package="keras_gans_tests")
def custom_discriminator_loss(real_outputs, fake_outputs):
    return tf.reduce_mean(tf.math.softplus(-real_outputs)) + tf.reduce_mean(
        tf.math.softplus(fake_outputs)
    )


def _pre_update_outputs(gan, real):
    """The discriminator's outputs on `real` and on the first step's samples."""
    z = replay.first_latents(gan, int(real.shape[0]))
    return gan.discriminator(real), gan.discriminator(gan.generator(z))


class LabelSmoothingTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.named_parameters(
        ("object", losses.NonSaturating(label_smoothing=0.2)),
        (
            # The README's recipe of keras_gans 0.1: the same loss object.
            "pair",
            (
                losses.non_saturating_generator_loss,
                functools.partial(losses.non_saturating_discriminator_loss, label_smoothing=0.2),
            ),
        ),
    )
    def test_smoothed_loss_logs_trains_and_round_trips(self, loss):
        gan = tiny_gan(loss=loss)
        self.assertIsInstance(gan.loss, losses.NonSaturating)
        self.assertEqual(gan.loss.get_config(), {"label_smoothing": 0.2})
        real = tf.constant(tiny_images(8))
        real_logits, fake_logits = _pre_update_outputs(gan, real)
        target = 0.9  # Salimans et al.'s real target: 1 - 0.2 / 2
        expected_g, expected_d, logs = replay.replay_step(
            gan, real, d_loss=replay.smoothed_d_loss(target)
        )
        history = gan.fit(real.numpy(), batch_size=8, shuffle=False, verbose=0).history
        self.assertEqual(sorted(history), PROBABILITY_LOGS)
        self.assertAllClose(
            history["d_loss"], [replay.smoothed_d_loss(target)(real_logits, fake_logits)]
        )
        self.assertAllClose(history["d_loss"], [logs["d_loss"]], atol=1e-6)
        self.assertAllClose(history["d_real"], [tf.reduce_mean(tf.sigmoid(real_logits))])
        self.assertAllClose(history["d_fake"], [tf.reduce_mean(tf.sigmoid(fake_logits))])
        self.assertAllClose(history["g_loss"], [logs["g_loss"]], atol=1e-6)
        for got, want in zip(gan.generator.get_weights(), expected_g, strict=True):
            self.assertAllClose(got, want, atol=1e-6)
        for got, want in zip(gan.discriminator.get_weights(), expected_d, strict=True):
            self.assertAllClose(got, want, atol=1e-6)

        path = os.path.join(self.get_temp_dir(), "smoothed.keras")
        gan.save(path)
        loaded = keras.models.load_model(path)
        self.assertIsInstance(loaded.loss, losses.NonSaturating)
        self.assertEqual(loaded.loss.label_smoothing, 0.2)
        for model in (gan, loaded):
            model.fit(tiny_images(8, seed=1), batch_size=4, shuffle=False, verbose=0)
        for a, b in zip(weights_of(gan), weights_of(loaded), strict=True):
            self.assertAllClose(a, b, atol=1e-6)

    def test_smoothing_changes_the_step(self):
        real = tf.constant(tiny_images(8))
        plain = tiny_gan(loss="non_saturating")
        smoothed = tiny_gan(loss=losses.NonSaturating(label_smoothing=0.2))
        for gan in (plain, smoothed):
            gan.fit(real.numpy(), batch_size=8, shuffle=False, verbose=0)
        self.assertNotAllClose(
            plain.discriminator.get_weights()[0], smoothed.discriminator.get_weights()[0]
        )


class OutputSummaryTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.named_parameters(
        (
            "probability",
            losses.GANLoss(custom_generator_loss, custom_discriminator_loss, outputs="probability"),
            "probability",
        ),
        ("score", losses.GANLoss(custom_generator_loss, custom_discriminator_loss), "score"),
        ("pair_of_callables", (custom_generator_loss, custom_discriminator_loss), "score"),
        ("hinge", "hinge", "score"),
        ("minimax", "minimax", "probability"),
    )
    def test_logged_names_and_values(self, loss, outputs):
        # Logits of "real" are logged as mean probabilities d_real/d_fake;
        # critic scores as their raw means critic_real/critic_fake.
        real_name, fake_name, summary = {
            "probability": ("d_real", "d_fake", tf.sigmoid),
            "score": ("critic_real", "critic_fake", tf.identity),
        }[outputs]
        gan = tiny_gan(loss=loss, d_optimizer=keras.optimizers.SGD(0.0))
        self.assertEqual(gan.loss.outputs, outputs)
        self.assertEqual(tuple(gan.loss.log_names), (real_name, fake_name))
        real = tf.constant(tiny_images(8))
        real_outputs, fake_outputs = _pre_update_outputs(gan, real)
        logs = gan.train_on_batch(real, return_dict=True)
        self.assertEqual(sorted(logs), sorted(["d_loss", "g_loss", real_name, fake_name]))
        self.assertAllClose(logs[real_name], tf.reduce_mean(summary(real_outputs)), atol=1e-6)
        self.assertAllClose(logs[fake_name], tf.reduce_mean(summary(fake_outputs)), atol=1e-6)
        self.assertAllClose(
            logs["d_loss"], gan.loss.discriminator_loss(real_outputs, fake_outputs), atol=1e-6
        )

    def test_custom_pair_round_trips(self):
        loss = losses.GANLoss(
            custom_generator_loss, custom_discriminator_loss, outputs="probability"
        )
        gan = tiny_gan(loss=loss)
        path = os.path.join(self.get_temp_dir(), "custom_loss.keras")
        gan.save(path)
        loaded = keras.models.load_model(path)
        self.assertIsInstance(loaded.loss, losses.GANLoss)
        self.assertIs(loaded.loss.generator_fn, custom_generator_loss)
        self.assertIs(loaded.loss.discriminator_fn, custom_discriminator_loss)
        self.assertEqual(loaded.loss.outputs, "probability")
        self.assertEqual(list(loaded.loss.log_names), ["d_real", "d_fake"])
