import functools
from unittest import mock

import keras
import numpy as np
import tensorflow as tf

from keras_gans.callbacks import TerminateOnDivergence
from keras_gans.models import divergence
from tests.testing import tiny_gan
from tests.testing import tiny_images


class TerminateOnDivergenceTest(tf.test.TestCase):
    def test_stops_and_restores_the_last_finite_epoch(self):
        gan = tiny_gan()
        saved = {}

        def remember(epoch, logs):
            if epoch == 0:
                saved["weights"] = [v.numpy() for v in gan.variables]
                saved["optimizer"] = [v.numpy() for v in gan.d_optimizer.variables]
                saved["g_optimizer"] = [v.numpy() for v in gan.g_optimizer.variables]
                saved["seed"] = gan.seed_generator.state.numpy()

        def poison(epoch, logs):
            if epoch == 1:  # a weight blows up at the start of the second epoch
                kernel = gan.discriminator.trainable_weights[0]
                kernel.assign(np.full(kernel.shape, np.inf, "float32"))

        callbacks = [keras.callbacks.LambdaCallback(on_epoch_end=remember, on_epoch_begin=poison)]
        with self.assertWarnsRegex(
            RuntimeWarning, "after epoch 2, where these became NaN or infinite: .*end of epoch 1"
        ):
            history = gan.fit(
                tiny_images(8), batch_size=4, epochs=5, verbose=0, callbacks=callbacks
            ).history
        self.assertLen(history["d_loss"], 2)  # stopped after the second epoch
        for got, want in zip(gan.variables, saved["weights"], strict=True):
            self.assertAllEqual(got, want)
        for got, want in zip(gan.d_optimizer.variables, saved["optimizer"], strict=True):
            self.assertAllEqual(got, want)
        for got, want in zip(gan.g_optimizer.variables, saved["g_optimizer"], strict=True):
            self.assertAllEqual(got, want)
        self.assertAllEqual(gan.seed_generator.state, saved["seed"])
        # The restored model trains on.
        history = gan.fit(tiny_images(8), batch_size=4, epochs=1, verbose=0).history
        self.assertTrue(np.isfinite(history["d_loss"][0]))

    def test_bad_data_from_the_start(self):
        gan = tiny_gan()
        initial = [v.numpy() for v in gan.generator.variables]
        images = tiny_images(8)
        images[3, 0, 0, 0] = np.nan
        guard = TerminateOnDivergence()
        with self.assertWarnsRegex(RuntimeWarning, "infinite: .*kernel.*start of training"):
            gan.fit(images, batch_size=4, epochs=3, verbose=0, callbacks=[guard])
        self.assertEqual(guard.stopped_epoch, 0)
        for got, want in zip(gan.generator.variables, initial, strict=True):
            self.assertAllEqual(got, want)

    def test_silent_when_finite_and_added_once(self):
        gan = tiny_gan()
        guard = TerminateOnDivergence()
        given = []
        keras_fit = keras.Model.fit

        @functools.wraps(keras_fit)  # the same signature, which `fit` binds
        def spy(self, *args, **kwargs):
            given.append(list(kwargs.get("callbacks") or []))
            return keras_fit(self, *args, **kwargs)

        with mock.patch.object(keras.Model, "fit", spy):
            gan.fit(tiny_images(8), batch_size=4, epochs=2, verbose=0, callbacks=[guard])
            gan.fit(tiny_images(8), batch_size=4, epochs=1, verbose=0)
            other = keras.callbacks.LambdaCallback()
            gan.fit(tiny_images(8), batch_size=4, epochs=1, verbose=0, callbacks=[other])
        self.assertIsNone(guard.stopped_epoch)
        self.assertIsNone(guard.message)
        self.assertLen(given, 3)
        guards = [[c for c in cbs if isinstance(c, TerminateOnDivergence)] for cbs in given]
        # The user's own guard, not a second one; one added when none is given.
        self.assertLen(guards[0], 1)
        self.assertIs(guards[0][0], guard)
        self.assertLen(guards[1], 1)
        self.assertLen(guards[2], 1)
        self.assertIn(other, given[2])
        self.assertIsNot(guards[1][0], guard)
        # The guard of the engine is the one the callbacks package exports.
        self.assertIs(TerminateOnDivergence, divergence.TerminateOnDivergence)

    def test_bad_keys(self):
        with self.assertRaisesRegex(ValueError, "keys='d_loss'"):
            TerminateOnDivergence(keys="d_loss")

    def test_non_finite_loss_is_named(self):
        def d_loss(real_logits, fake_logits):
            return tf.math.log(-1.0 - tf.reduce_mean(tf.abs(real_logits - fake_logits)))

        gan = tiny_gan(loss=(lambda fake_logits: tf.reduce_mean(fake_logits), d_loss))
        with self.assertWarnsRegex(RuntimeWarning, r"infinite: d_loss=nan\. .*start of training"):
            gan.fit(tiny_images(8), batch_size=4, epochs=3, verbose=0)
