"""Update schedules: the built-in ones' arguments, and a user-defined schedule."""

import os

import keras
import tensorflow as tf
from keras import ops

from keras_gans.models import Alternating
from keras_gans.models import Simultaneous
from keras_gans.models import StepLogs
from keras_gans.models import UpdateSchedule
from tests.models import replay
from tests.testing import tiny_gan
from tests.testing import tiny_images
from tests.testing import weights_of


@keras.saving.register_keras_serializable(package="keras_gans_tests")
class DiscriminatorOnly(UpdateSchedule):
    """Trains the discriminator alone, `updates` times on the whole batch.

    Written with the engine's public hooks only.
    """

    def __init__(self, updates=1):
        self.updates = updates

    def train_step(self, model, real, labels):
        latents = model.sample_latents(ops.shape(real)[0])
        fake = model.run_generator(latents, labels, training=True)
        losses, real_summaries, fake_summaries = [], [], []
        for _ in range(self.updates):
            with tf.GradientTape() as tape:
                real_outputs = model.discriminate(real, labels, training=True)
                fake_outputs = model.discriminate(fake, labels, training=True)
                d_loss = model.discriminator_loss(real_outputs, fake_outputs)
                scaled = model.scaled_loss(d_loss, "discriminator")
            model.update_discriminator(tape, scaled)
            losses.append(d_loss)
            real_summaries.append(model.loss.output_summary(real_outputs))
            fake_summaries.append(model.loss.output_summary(fake_outputs))
        return StepLogs(
            losses[-1],
            ops.zeros(()),
            real_summaries[-1],
            fake_summaries[-1],
            {},
        )

    def get_config(self):
        return {"updates": self.updates}


class BuiltInSchedulesTest(tf.test.TestCase):
    def test_compile_names_and_objects(self):
        gan = tiny_gan(d_steps=3)
        self.assertIsInstance(gan.schedule, Alternating)
        self.assertEqual(gan.schedule.d_steps, 3)
        self.assertEqual(gan.schedule.min_batch_size, 3)
        self.assertIsInstance(tiny_gan().schedule, Alternating)
        self.assertEqual(tiny_gan().schedule.d_steps, 1)
        self.assertIsInstance(tiny_gan(update="simultaneous").schedule, Simultaneous)
        schedule = Alternating(d_steps=4)
        self.assertIs(tiny_gan(update=schedule).schedule, schedule)

    def test_data_batch_size(self):
        # WGAN: 5 critic updates on 64 images each need batches of 320.
        self.assertEqual(Alternating(d_steps=5).data_batch_size(64), 320)
        self.assertEqual(Alternating().data_batch_size(64), 64)
        self.assertEqual(Simultaneous().data_batch_size(64), 64)
        with self.assertRaisesRegex(ValueError, "images_per_update=0"):
            Alternating(2).data_batch_size(0)

    def test_d_steps_beside_a_schedule_object_is_an_error(self):
        gan = tiny_gan()
        with self.assertRaisesRegex(
            ValueError,
            r"`d_steps` is an argument of the update schedule: pass "
            r"`Alternating\(d_steps=2\)` alone. Received: update=Alternating\(d_steps=2\), "
            r"d_steps=2",
        ):
            gan.compile(update=Alternating(2), d_steps=2)
        with self.assertRaisesRegex(ValueError, "d_steps=0"):
            Alternating(d_steps=0)
        with self.assertRaisesRegex(ValueError, "update=42"):
            gan.compile(update=42)

    def test_schedules_serialize(self):
        for schedule in (Alternating(d_steps=3), Simultaneous()):
            again = keras.saving.deserialize_keras_object(
                keras.saving.serialize_keras_object(schedule)
            )
            self.assertIsInstance(again, type(schedule))
            self.assertEqual(again.get_config(), schedule.get_config())
        self.assertEqual(repr(Alternating(d_steps=3)), "Alternating(d_steps=3)")


class CustomScheduleTest(tf.test.TestCase):
    def test_a_user_schedule_runs_and_round_trips(self):
        gan = tiny_gan(update=DiscriminatorOnly(updates=2))
        real = tf.constant(tiny_images(8))
        g_before = weights_of(gan.generator)
        # Replay: two discriminator updates on the whole batch, no generator update.
        d = gan.discriminator
        d_init = d.get_weights()
        z = replay.first_latents(gan, 8)
        fake = replay.generate(gan.generator, z)
        for _ in range(2):
            with tf.GradientTape() as tape:
                real_logits, fake_logits = d(real, training=True), d(fake, training=True)
                loss = replay.ns_d_loss(real_logits, fake_logits)
            replay.sgd(tape.gradient(loss, d.trainable_variables), d.trainable_variables)
        expected_d = d.get_weights()
        d.set_weights(d_init)

        logs = gan.train_on_batch(real, return_dict=True)
        self.assertAllClose(logs["d_loss"], loss, atol=1e-6)  # the last update's
        self.assertAllClose(logs["d_real"], tf.reduce_mean(tf.sigmoid(real_logits)), atol=1e-6)
        self.assertAllClose(logs["d_fake"], tf.reduce_mean(tf.sigmoid(fake_logits)), atol=1e-6)
        self.assertEqual(float(logs["g_loss"]), 0.0)
        for got, want in zip(gan.discriminator.get_weights(), expected_d, strict=True):
            self.assertAllClose(got, want, atol=1e-6)
        for got, want in zip(weights_of(gan.generator), g_before, strict=True):
            self.assertAllEqual(got, want)
        self.assertEqual(int(gan.d_optimizer.iterations), 2)
        self.assertEqual(int(gan.g_optimizer.iterations), 0)

        path = os.path.join(self.get_temp_dir(), "custom_schedule.keras")
        gan.save(path)
        loaded = keras.models.load_model(path)
        self.assertIsInstance(loaded.schedule, DiscriminatorOnly)
        self.assertEqual(loaded.schedule.updates, 2)
        for model in (gan, loaded):
            model.fit(tiny_images(8, seed=1), batch_size=4, shuffle=False, verbose=0)
        for a, b in zip(weights_of(gan), weights_of(loaded), strict=True):
            self.assertAllClose(a, b, atol=1e-6)
        for got, want in zip(weights_of(loaded.generator), g_before, strict=True):
            self.assertAllEqual(got, want)
        self.assertEqual(int(loaded.d_optimizer.iterations), 6)

    def test_a_schedule_must_implement_train_step(self):
        class Nothing(UpdateSchedule):
            pass

        gan = tiny_gan(update=Nothing())
        with self.assertRaisesRegex(NotImplementedError, "Nothing must implement `train_step`"):
            gan.train_on_batch(tiny_images(4))
