import os
import warnings
from unittest import mock

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

import keras_gans
from keras_gans import AdversarialModel
from keras_gans.losses import GANLoss
from keras_gans.losses import GradientPenalty
from keras_gans.losses import Minimax
from keras_gans.losses import R1Penalty
from keras_gans.losses import Wasserstein
from keras_gans.models import Alternating
from keras_gans.models import input_checks
from tests.models import replay
from tests.testing import IMAGE_SHAPE
from tests.testing import LATENT_DIM
from tests.testing import NUM_CLASSES
from tests.testing import tiny_discriminator
from tests.testing import tiny_gan
from tests.testing import tiny_generator
from tests.testing import tiny_images
from tests.testing import tiny_labels
from tests.testing import weights_of

LR = replay.LR
_d_loss = replay.ns_d_loss
_g_loss = replay.ns_g_loss


def _r1(gamma):
    """R1 written out: gamma / 2 * mean over samples of ||grad_x D(x)||^2 on real data."""

    def penalty(discriminator_fn, real, fake):
        with tf.GradientTape() as tape:
            tape.watch(real)
            total = tf.reduce_sum(discriminator_fn(real))
        gradients = tape.gradient(total, real)
        return gamma / 2 * tf.reduce_mean(tf.reduce_sum(tf.square(gradients), axis=[1, 2, 3]))

    return penalty


def _pinned(gan, latents):
    """Gives `gan` the same latents at every draw (to compare with a replay)."""
    latents = tf.constant(latents, "float32")
    gan.sample_latents = lambda batch_size, training=True: latents
    return latents


def _assert_weights(test, model, expected, atol=1e-6):
    for got, want in zip(model.get_weights(), expected, strict=True):
        test.assertAllClose(got, want, atol=atol)


class ConstructionTest(tf.test.TestCase):
    def test_infers_shapes_and_conditioning(self):
        gan = AdversarialModel(tiny_generator(), tiny_discriminator())
        self.assertEqual(gan.latent_dim, LATENT_DIM)
        self.assertEqual(gan.image_shape, IMAGE_SHAPE)
        self.assertFalse(gan.conditional)
        self.assertIsNone(gan.num_classes)
        cgan = AdversarialModel(
            tiny_generator(num_classes=NUM_CLASSES),
            tiny_discriminator(num_classes=NUM_CLASSES),
        )
        self.assertTrue(cgan.conditional)
        self.assertEqual(cgan.num_classes, NUM_CLASSES)

    def test_list_inputs_are_called_in_their_order(self):
        label = keras.Input((), dtype="int32", name="label")
        latent = keras.Input((LATENT_DIM,), name="latent")
        embedded = keras.layers.Embedding(NUM_CLASSES, LATENT_DIM)(label)
        out = keras.layers.Reshape(IMAGE_SHAPE)(
            keras.layers.Dense(16)(keras.layers.Add()([latent, embedded]))
        )
        generator = keras.Model([label, latent], out)
        gan = AdversarialModel(
            generator, tiny_discriminator(num_classes=NUM_CLASSES), num_classes=3
        )
        z = np.ones((2, LATENT_DIM), "float32")
        self.assertAllClose(
            gan.generate(z, labels=[0, 2]),
            generator([np.array([0, 2]), z]),
        )

    def test_conditional_pair_needs_num_classes(self):
        generator = tiny_generator(num_classes=NUM_CLASSES)
        generator.num_classes = None  # a custom network that does not say
        discriminator = tiny_discriminator(num_classes=NUM_CLASSES)
        with self.assertRaisesRegex(ValueError, "needs the number of classes.*num_classes=N"):
            AdversarialModel(generator, discriminator)
        self.assertEqual(AdversarialModel(generator, discriminator, num_classes=3).num_classes, 3)
        discriminator.num_classes = NUM_CLASSES  # found on the discriminator
        self.assertEqual(AdversarialModel(generator, discriminator).num_classes, NUM_CLASSES)

    def test_mismatched_shapes(self):
        with self.assertRaisesRegex(ValueError, r"\(4, 4, 1\).*\(8, 8, 1\)"):
            AdversarialModel(tiny_generator(), tiny_discriminator((8, 8, 1)))

    def test_only_one_conditional_model(self):
        with self.assertRaisesRegex(ValueError, "Only the generator takes"):
            AdversarialModel(tiny_generator(num_classes=3), tiny_discriminator())
        with self.assertRaisesRegex(ValueError, "Only the discriminator takes"):
            AdversarialModel(tiny_generator(), tiny_discriminator(num_classes=3))

    def test_not_a_model(self):
        with self.assertRaisesRegex(ValueError, "Received: generator=.*function"):
            AdversarialModel(lambda z: z, tiny_discriminator())

    def test_unbuilt_model(self):
        unbuilt = keras.Sequential([keras.layers.Dense(16)])
        with self.assertRaisesRegex(
            ValueError,
            r"generator is a Sequential model whose input is unknown: start it with "
            r"`keras.Input\(shape\)`. Received: generator=<Sequential",
        ):
            AdversarialModel(unbuilt, tiny_discriminator())

    def test_latent_input_must_be_a_vector(self):
        latent = keras.Input((2, 2), name="latent")
        hidden = keras.layers.Flatten()(keras.layers.Dense(8)(latent))
        generator = keras.Model(latent, keras.layers.Reshape(IMAGE_SHAPE)(hidden))
        with self.assertRaisesRegex(ValueError, r"Received: shape=\(None, 2, 2\)"):
            AdversarialModel(generator, tiny_discriminator())

    def test_two_inputs_without_a_label(self):
        a = keras.Input((LATENT_DIM,), name="a")
        b = keras.Input((LATENT_DIM,), name="b")
        out = keras.layers.Reshape(IMAGE_SHAPE)(keras.layers.Dense(16)(keras.layers.Add()([a, b])))
        with self.assertRaisesRegex(ValueError, r"named 'label'.*\['a', 'b'\]"):
            AdversarialModel(keras.Model([a, b], out), tiny_discriminator())

    def test_bad_num_classes(self):
        with self.assertRaisesRegex(ValueError, "num_classes=1"):
            AdversarialModel(
                tiny_generator(num_classes=3),
                tiny_discriminator(num_classes=3),
                num_classes=1,
            )
        with self.assertRaisesRegex(ValueError, "no 'label' input"):
            AdversarialModel(tiny_generator(), tiny_discriminator(), num_classes=3)


class CompileTest(tf.test.TestCase):
    def test_unknown_loss_lists_valid_names(self):
        gan = AdversarialModel(tiny_generator(), tiny_discriminator())
        with self.assertRaisesRegex(ValueError, r"'wgan'. Valid names are \[.*'minimax'.*\]"):
            gan.compile(loss="wgan")

    def test_bad_arguments(self):
        gan = AdversarialModel(tiny_generator(), tiny_discriminator())
        with self.assertRaisesRegex(ValueError, "d_steps=0"):
            gan.compile(d_steps=0)
        with self.assertRaisesRegex(ValueError, "update='sequential'"):
            gan.compile(update="sequential")
        with self.assertRaisesRegex(ValueError, "d_steps=2, update='simultaneous'"):
            gan.compile(d_steps=2, update="simultaneous")
        with self.assertRaisesRegex(ValueError, "g_optimizer=42"):
            gan.compile(g_optimizer=42)

    def test_default_optimizers_follow_dcgan(self):
        gan = AdversarialModel(tiny_generator(), tiny_discriminator())
        gan.compile()
        for opt in (gan.g_optimizer, gan.d_optimizer):
            self.assertIsInstance(opt, keras.optimizers.Adam)
            self.assertAllClose(opt.learning_rate, 2e-4)
            self.assertAllClose(opt.beta_1, 0.5)
        self.assertIsNot(gan.g_optimizer, gan.d_optimizer)


class TrainStepTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.named_parameters(
        ("alternating", "alternating", 1, None, None),
        ("alternating_d_steps", "alternating", 2, None, None),
        ("simultaneous", "simultaneous", 1, None, None),
        ("conditional", "alternating", 1, NUM_CLASSES, None),
        ("conditional_d_steps", "alternating", 4, NUM_CLASSES, None),
        ("alternating_d_steps_r1", "alternating", 2, None, 2.0),
        ("conditional_d_steps_r1", "alternating", 4, NUM_CLASSES, 2.0),
    )
    def test_step_equals_hand_replay(self, update, d_steps, num_classes, r1_gamma):
        penalties = [R1Penalty(gamma=r1_gamma)] if r1_gamma else []
        gan = tiny_gan(num_classes=num_classes, update=update, d_steps=d_steps, penalties=penalties)
        real = tf.constant(tiny_images(8))
        labels = tf.constant(tiny_labels(8)) if num_classes else None
        expected_g, expected_d, expected = replay.replay_step(
            gan,
            real,
            labels,
            update=update,
            d_steps=d_steps,
            d_penalty=("r1_penalty", _r1(r1_gamma)) if r1_gamma else None,
        )
        g_before = gan.generator.get_weights()
        y = None if labels is None else labels.numpy()
        history = gan.fit(real.numpy(), y, batch_size=8, epochs=1, shuffle=False, verbose=0).history
        for got, want, before in zip(
            gan.generator.get_weights(), expected_g, g_before, strict=True
        ):
            self.assertNotAllClose(got, before)
            self.assertAllClose(got, want, atol=1e-6)
        _assert_weights(self, gan.discriminator, expected_d)
        self.assertEqual(int(gan.g_optimizer.iterations), 1)
        self.assertEqual(int(gan.d_optimizer.iterations), d_steps)
        # The logs: d_loss, d_real, d_fake and the penalty are means over the
        # discriminator's slices, g_loss is the generator's update's.
        names = ["d_fake", "d_loss", "d_real", "g_loss"] + (["r1_penalty"] if r1_gamma else [])
        self.assertEqual(sorted(history), names)
        for key in names:
            self.assertAllClose(history[key], [expected[key]], atol=1e-6, msg=key)
        if d_steps > 1:  # the slices differ, so the mean is not the last slice's value
            for key in ("d_loss", "d_real") + (("r1_penalty",) if r1_gamma else ()):
                self.assertNotAllClose(
                    expected[key], expected["slices"][-1][key], atol=1e-4, msg=key
                )

    def test_alternating_generator_sees_the_updated_discriminator(self):
        real = tiny_images(8)
        results = []
        for update in ("alternating", "simultaneous"):
            gan = tiny_gan(update=update)
            gan.fit(real, batch_size=8, epochs=1, verbose=0)
            results.append(gan)
        alternating, simultaneous = results
        # Same discriminator update, different generator update.
        for a, b in zip(
            alternating.discriminator.weights, simultaneous.discriminator.weights, strict=True
        ):
            self.assertAllClose(a, b, atol=1e-6)
        self.assertNotAllClose(
            alternating.generator.get_weights()[0], simultaneous.generator.get_weights()[0]
        )

    @parameterized.parameters("alternating", "simultaneous")
    def test_each_player_moves_only_its_own_weights(self, update):
        real = tiny_images(8)
        gan = tiny_gan(update=update, g_optimizer=keras.optimizers.SGD(0.0))
        g_before, d_before = weights_of(gan.generator), weights_of(gan.discriminator)
        gan.fit(real, batch_size=8, epochs=1, verbose=0)
        for a, b in zip(weights_of(gan.generator), g_before, strict=True):
            self.assertAllEqual(a, b)
        for a, b in zip(weights_of(gan.discriminator), d_before, strict=True):
            self.assertNotAllClose(a, b)

        gan = tiny_gan(update=update, d_optimizer=keras.optimizers.SGD(0.0))
        g_before, d_before = weights_of(gan.generator), weights_of(gan.discriminator)
        gan.fit(real, batch_size=8, epochs=1, verbose=0)
        for a, b in zip(weights_of(gan.discriminator), d_before, strict=True):
            self.assertAllEqual(a, b)
        for a, b in zip(weights_of(gan.generator), g_before, strict=True):
            self.assertNotAllClose(a, b)

    @parameterized.named_parameters(
        ("non_saturating", "non_saturating", np.log(2.0)),
        ("minimax", "minimax", -np.log(2.0)),
    )
    def test_logged_values_at_a_blind_discriminator(self, loss, g_loss):
        # A discriminator with zero weights outputs logit 0 everywhere: it
        # cannot tell real from fake, D = 0.5 on both.
        d = tiny_discriminator()
        d.set_weights([np.zeros_like(w) for w in d.get_weights()])
        gan = AdversarialModel(tiny_generator(), d)
        gan.compile(
            loss=loss,
            g_optimizer=keras.optimizers.SGD(0.0),
            d_optimizer=keras.optimizers.SGD(0.0),
        )
        history = gan.fit(tiny_images(8), batch_size=4, epochs=1, verbose=0).history
        self.assertAllClose(history["d_real"], [0.5])
        self.assertAllClose(history["d_fake"], [0.5])
        self.assertAllClose(history["d_loss"], [2 * np.log(2.0)])
        self.assertAllClose(history["g_loss"], [g_loss])

    def test_logged_values_equal_the_losses(self):
        # With a frozen discriminator the generator's loss, logged after the
        # discriminator's step, is computed on the same logits.
        gan = tiny_gan(d_optimizer=keras.optimizers.SGD(0.0))
        real = tf.constant(tiny_images(8))
        z = keras.random.normal((8, LATENT_DIM), seed=keras.random.SeedGenerator(1))
        fake_logits = gan.discriminator(gan.generator(z, training=True))
        real_logits = gan.discriminator(real)
        logs = gan.train_on_batch(real, return_dict=True)
        self.assertAllClose(logs["d_loss"], _d_loss(real_logits, fake_logits))
        self.assertAllClose(logs["g_loss"], _g_loss(fake_logits))
        self.assertAllClose(logs["d_real"], tf.reduce_mean(tf.sigmoid(real_logits)))
        self.assertAllClose(logs["d_fake"], tf.reduce_mean(tf.sigmoid(fake_logits)))

    def test_jit_compile_gives_the_same_step(self):
        # XLA draws another random stream from the same seed, so both steps
        # are given the same latents to compare the updates alone.
        real = tiny_images(8)
        latents = tf.constant(np.random.default_rng(0).normal(size=(8, LATENT_DIM)), "float32")
        results = []
        for jit in (False, True):
            gan = tiny_gan(jit_compile=jit, d_steps=2)
            gan.sample_latents = lambda batch_size, training=True: latents
            self.assertEqual(gan.jit_compile, jit)
            logs = gan.fit(real, batch_size=8, epochs=1, verbose=0).history
            results.append((logs, weights_of(gan)))
        (logs_a, w_a), (logs_b, w_b) = results
        for key in logs_a:
            self.assertAllClose(logs_a[key], logs_b[key], atol=1e-5)
        for a, b in zip(w_a, w_b, strict=True):
            self.assertAllClose(a, b, atol=1e-5)

    def _expected_validation(self, gan, images, latents, batch_size):
        """The objectives on held-out batches, at the model's current weights."""
        fake_logits = gan.discriminator(gan.generator(latents))
        values = []
        for start in range(0, len(images), batch_size):
            real_logits = gan.discriminator(images[start : start + batch_size])
            values.append(
                [
                    _d_loss(real_logits, fake_logits),
                    _g_loss(fake_logits),
                    tf.reduce_mean(tf.sigmoid(real_logits)),
                    tf.reduce_mean(tf.sigmoid(fake_logits)),
                ]
            )
        # Keras averages the batches' values.
        return dict(
            zip(["d_loss", "g_loss", "d_real", "d_fake"], np.mean(values, axis=0), strict=True)
        )

    def test_validation_logs_the_objectives_on_held_out_data(self):
        gan = tiny_gan()
        latents = _pinned(gan, np.random.default_rng(0).normal(size=(4, LATENT_DIM)))
        held_out = tiny_images(8, seed=1)
        history = gan.fit(
            tiny_images(8),
            batch_size=4,
            epochs=1,
            verbose=0,
            validation_data=(held_out,),
            validation_batch_size=4,
        ).history
        self.assertEqual(
            sorted(history),
            [
                "d_fake",
                "d_loss",
                "d_real",
                "g_loss",
                "val_d_fake",
                "val_d_loss",
                "val_d_real",
                "val_g_loss",
            ],
        )
        expected = self._expected_validation(gan, held_out, latents, 4)
        for key, value in expected.items():
            self.assertAllClose(history[f"val_{key}"], [value], atol=1e-6, msg=key)

        before = weights_of(gan)
        iterations = int(gan.g_optimizer.iterations), int(gan.d_optimizer.iterations)
        logs = gan.evaluate(held_out, batch_size=4, verbose=0, return_dict=True)
        for key, value in expected.items():
            self.assertAllClose(logs[key], value, atol=1e-6, msg=key)
        for a, b in zip(weights_of(gan), before, strict=True):
            if a.dtype.kind == "f":
                self.assertAllEqual(a, b)
        self.assertEqual(
            (int(gan.g_optimizer.iterations), int(gan.d_optimizer.iterations)), iterations
        )
        self.assertEqual(int(gan.trained_steps.numpy()), 2)

    def test_fit_with_validation_trains_as_without(self):
        latents = np.random.default_rng(0).normal(size=(4, LATENT_DIM))
        twins = []
        for validation in (None, (tiny_images(8, seed=1),)):
            gan = tiny_gan(d_steps=2)
            _pinned(gan, latents)
            gan.fit(tiny_images(8), batch_size=4, epochs=2, verbose=0, validation_data=validation)
            twins.append(gan)
        plain, validated = twins
        for a, b in zip(weights_of(plain), weights_of(validated), strict=True):
            self.assertAllEqual(a, b)
        for name in ("g_optimizer", "d_optimizer"):
            self.assertEqual(
                int(getattr(plain, name).iterations), int(getattr(validated, name).iterations)
            )
        self.assertEqual(int(validated.g_optimizer.iterations), 4)
        self.assertEqual(int(validated.d_optimizer.iterations), 8)
        self.assertEqual(int(validated.trained_steps.numpy()), 4)

    def test_validation_leaves_the_training_noise_alone(self):
        twins = []
        for validation in (None, (tiny_images(8, seed=1),)):
            gan = tiny_gan()
            gan.fit(tiny_images(8), batch_size=4, epochs=2, verbose=0, validation_data=validation)
            twins.append(gan)
        plain, validated = twins
        self.assertAllEqual(plain.seed_generator.state, validated.seed_generator.state)
        for a, b in zip(weights_of(plain), weights_of(validated), strict=True):
            self.assertAllEqual(a, b)
        state = plain.seed_generator.state.numpy()
        plain.evaluate(tiny_images(8, seed=1), batch_size=4, verbose=0)
        self.assertAllEqual(plain.seed_generator.state, state)

    def test_evaluate_with_a_penalty_leaves_batch_norm_alone(self):
        image = keras.Input(IMAGE_SHAPE, name="image")
        hidden = keras.layers.BatchNormalization()(keras.layers.Flatten()(image))
        discriminator = keras.Model(image, keras.layers.Dense(1)(hidden))
        gan = AdversarialModel(tiny_generator(), discriminator, seed=0)
        gan.compile(penalties=[GradientPenalty(10.0)])
        before = weights_of(gan)
        gan.evaluate(tiny_images(8), batch_size=8, verbose=0)
        for variable, a, b in zip(gan.weights, weights_of(gan), before, strict=True):
            if a.dtype.kind == "f":
                self.assertAllEqual(a, b, msg=variable.path)

    def test_batch_smaller_than_d_steps(self):
        gan = tiny_gan(d_steps=4)
        with self.assertRaisesRegex(
            ValueError, "A batch must hold at least 4 samples .*Received a batch of 2"
        ):
            gan.fit(tiny_images(2), batch_size=2, verbose=0)


class DataTest(tf.test.TestCase):
    def test_conditional_fit_from_arrays_and_dataset(self):
        images, labels = tiny_images(16), tiny_labels(16)
        gan = tiny_gan(num_classes=NUM_CLASSES)
        gan.fit(images, labels, batch_size=8, epochs=1, shuffle=False, verbose=0)
        from_arrays = weights_of(gan)
        gan = tiny_gan(num_classes=NUM_CLASSES)
        dataset = tf.data.Dataset.from_tensor_slices((images, labels)).batch(8)
        gan.fit(dataset, epochs=1, verbose=0)
        for a, b in zip(from_arrays, weights_of(gan), strict=True):
            self.assertAllClose(a, b, atol=1e-6)

    def test_conditional_without_labels(self):
        gan = tiny_gan(num_classes=NUM_CLASSES)
        with self.assertRaisesRegex(ValueError, "is conditional.*needs class labels"):
            gan.fit(tiny_images(8), batch_size=4, verbose=0)

    def test_labels_out_of_range(self):
        gan = tiny_gan(num_classes=NUM_CLASSES)
        labels = np.array([0, 1, 2, 3], "int32")
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "must be < num_classes=3"):
            gan.fit(tiny_images(4), labels, batch_size=4, verbose=0)
        with self.assertRaisesRegex(ValueError, "integers. Received dtype float32"):
            gan.fit(tiny_images(4), labels.astype("float32"), batch_size=4, verbose=0)

    def test_unconditional_model_ignores_labels(self):
        images = tiny_images(8)
        with_labels, without = tiny_gan(), tiny_gan()
        with_labels.fit(images, tiny_labels(8), batch_size=4, shuffle=False, verbose=0)
        without.fit(images, batch_size=4, shuffle=False, verbose=0)
        for a, b in zip(weights_of(with_labels), weights_of(without), strict=True):
            self.assertAllEqual(a, b)

    def test_no_samples(self):
        gan = tiny_gan()
        with self.assertRaisesRegex(ValueError, r"no training samples.*\(0, 4, 4, 1\)"):
            gan.fit(np.zeros((0, *IMAGE_SHAPE), "float32"), batch_size=4, verbose=0)

    def test_bad_images(self):
        gan = tiny_gan()
        with self.assertRaisesRegex(ValueError, "floating point.*uint8"):
            gan.fit(np.zeros((4, *IMAGE_SHAPE), "uint8"), batch_size=4, verbose=0)
        with self.assertRaisesRegex(ValueError, r"Received: shape=\(\w+, 8, 8, 1\)"):
            gan.fit(np.zeros((4, 8, 8, 1), "float32"), batch_size=4, verbose=0)


class GenerateTest(tf.test.TestCase):
    def test_generate(self):
        gan = tiny_gan()
        images = gan.generate(5, seed=3)
        self.assertEqual(images.shape, (5, *IMAGE_SHAPE))
        self.assertEqual(images.dtype, np.float32)
        self.assertAllInRange(images, -1.0, 1.0)
        self.assertAllEqual(images, gan.generate(5, seed=3))
        self.assertNotAllClose(images, gan.generate(5, seed=4))
        unseeded = gan.generate(5)
        self.assertNotAllClose(unseeded, gan.generate(5))
        self.assertNotAllClose(unseeded, images)
        z = np.random.default_rng(0).normal(size=(600, LATENT_DIM)).astype("float32")
        self.assertAllClose(gan.generate(z, batch_size=256), gan.generator(z, training=False))

    def test_generate_conditional(self):
        gan = tiny_gan(num_classes=NUM_CLASSES)
        z = np.ones((3, LATENT_DIM), "float32")
        per_class = gan.generate(z, labels=[0, 1, 2])
        self.assertAllClose(gan.generate(z, labels=2)[2], per_class[2])
        self.assertNotAllClose(per_class[0], per_class[1])

    def test_bad_generate_arguments(self):
        gan = tiny_gan(num_classes=NUM_CLASSES)
        with self.assertRaisesRegex(ValueError, "pass `labels`"):
            gan.generate(2)
        with self.assertRaisesRegex(ValueError, r"\[0, 3\).*from 0 to 5"):
            gan.generate(2, labels=[0, 5])
        with self.assertRaisesRegex(
            ValueError,
            r"`labels` must be one class for all samples or one per sample \(2\). "
            r"Received: labels.shape=\(3,\)",
        ):
            gan.generate(2, labels=[0, 1, 2])
        with self.assertRaisesRegex(ValueError, r"\(num_samples, 3\). Received: shape=\(2, 5\)"):
            gan.generate(np.zeros((2, 5)), labels=0)
        with self.assertRaisesRegex(ValueError, "unconditional"):
            tiny_gan().generate(2, labels=0)
        with self.assertRaisesRegex(ValueError, "latents=0"):
            tiny_gan().generate(0)


class SerializationTest(tf.test.TestCase):
    def test_keras_file_round_trip_and_resumed_training(self):
        images, labels = tiny_images(16), tiny_labels(16)
        gan = tiny_gan(
            num_classes=NUM_CLASSES,
            d_steps=2,
            loss="minimax",
            g_optimizer=keras.optimizers.Adam(1e-2),
            d_optimizer=keras.optimizers.Adam(1e-3),
        )
        fit = dict(batch_size=8, shuffle=False, verbose=0)
        gan.fit(images, labels, epochs=1, **fit)
        path = os.path.join(self.get_temp_dir(), "gan.keras")
        gan.save(path)
        loaded = keras.models.load_model(path)

        self.assertIsInstance(loaded, AdversarialModel)
        self.assertEqual(loaded.num_classes, NUM_CLASSES)
        self.assertIsInstance(loaded.schedule, Alternating)
        self.assertEqual(loaded.schedule.d_steps, 2)
        self.assertIsInstance(loaded.loss, Minimax)
        self.assertEqual(loaded.loss.generator_fn.__name__, "minimax_generator_loss")
        self.assertEqual(loaded.loss.discriminator_fn.__name__, "minimax_discriminator_loss")
        self.assertAllClose(loaded.g_optimizer.learning_rate, 1e-2)
        self.assertAllClose(loaded.d_optimizer.learning_rate, 1e-3)
        for a, b in zip(gan.variables, loaded.variables, strict=True):  # seed state included
            self.assertAllEqual(a, b)
        for opt in ("g_optimizer", "d_optimizer"):
            for a, b in zip(
                getattr(gan, opt).variables, getattr(loaded, opt).variables, strict=True
            ):
                self.assertAllEqual(a, b)
        self.assertEqual(int(loaded.d_optimizer.iterations), 4)

        # Training goes on exactly as if the model had never been saved.
        gan.fit(images, labels, epochs=1, **fit)
        loaded.fit(images, labels, epochs=1, **fit)
        for a, b in zip(weights_of(gan), weights_of(loaded), strict=True):
            self.assertAllClose(a, b, atol=1e-6)

    def test_custom_loss_pair_round_trip(self):
        @keras.saving.register_keras_serializable(package="test")
        def g_loss(fake_logits):
            return tf.reduce_mean(-fake_logits)

        @keras.saving.register_keras_serializable(package="test")
        def d_loss(real_logits, fake_logits):
            return tf.reduce_mean(fake_logits - real_logits)

        gan = tiny_gan(loss=(g_loss, d_loss))
        path = os.path.join(self.get_temp_dir(), "custom.keras")
        gan.save(path)
        loaded = keras.models.load_model(path)
        self.assertIsInstance(loaded.loss, GANLoss)
        self.assertIs(loaded.loss.generator_fn, g_loss)
        self.assertIs(loaded.loss.discriminator_fn, d_loss)
        self.assertEqual(loaded.loss.outputs, "score")


def _linear_critic(norm):
    """D(x) = <w, x> with ||w|| = norm: every input gradient has that norm."""
    image = keras.Input(IMAGE_SHAPE, name="image")
    dense = keras.layers.Dense(1, use_bias=False)
    critic = keras.Model(image, dense(keras.layers.Flatten()(image)))
    size = int(np.prod(IMAGE_SHAPE))
    dense.kernel.assign(np.full((size, 1), norm / np.sqrt(size), "float32"))
    return critic


@keras.saving.register_keras_serializable(package="tests")
def _zero_generator_loss(fake_logits):
    return 0.0 * tf.reduce_mean(fake_logits)


@keras.saving.register_keras_serializable(package="tests")
def _zero_discriminator_loss(real_logits, fake_logits):
    return 0.0 * tf.reduce_mean(real_logits + fake_logits)


def _class_table_pair(b):
    """A conditional pair: G(z, y) = b_y e_y (z ignored), D(x, y) = <e_y, x>^2 / 2."""
    size = int(np.prod(IMAGE_SHAPE))
    latent = keras.Input((LATENT_DIM,), name="latent")
    label = keras.Input((), dtype="int32", name="label")
    ignored = keras.layers.Dense(size, use_bias=False, kernel_initializer="zeros")(latent)
    table = keras.layers.Embedding(NUM_CLASSES, size)
    samples = keras.layers.Add()([ignored, table(label)])
    generator = keras.Model(
        {"latent": latent, "label": label}, keras.layers.Reshape(IMAGE_SHAPE)(samples)
    )
    generator.num_classes = NUM_CLASSES
    rows = np.zeros((NUM_CLASSES, size), "float32")
    rows[np.arange(NUM_CLASSES), np.arange(NUM_CLASSES)] = b
    table.embeddings.assign(rows)

    image = keras.Input(IMAGE_SHAPE, name="image")
    critic_label = keras.Input((), dtype="int32", name="label")
    directions = keras.layers.Embedding(NUM_CLASSES, size)
    projection = keras.layers.Dot(axes=1)([keras.layers.Flatten()(image), directions(critic_label)])
    scores = keras.layers.Rescaling(0.5)(keras.layers.Multiply()([projection, projection]))
    critic = keras.Model({"image": image, "label": critic_label}, scores)
    directions.embeddings.assign(np.eye(NUM_CLASSES, size, dtype="float32"))
    return generator, critic


def _class_images(b, labels):
    size = int(np.prod(IMAGE_SHAPE))
    images = np.zeros((len(labels), size), "float32")
    images[np.arange(len(labels)), labels] = b[labels]
    return images.reshape((len(labels), *IMAGE_SHAPE))


class PenaltyTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.parameters("alternating", "simultaneous")
    def test_gradient_penalty_is_logged_and_trained(self, update):
        gan = AdversarialModel(tiny_generator(), _linear_critic(3.0), seed=0)
        gan.compile(
            loss=(_zero_generator_loss, _zero_discriminator_loss),
            update=update,
            penalties=[GradientPenalty(weight=10.0)],
            d_optimizer=keras.optimizers.SGD(0.01),
        )
        logs = gan.train_on_batch(tiny_images(8), return_dict=True)
        # Computed before the update: 10 * (3 - 1)^2.
        self.assertAllClose(logs["gradient_penalty"], 40.0, rtol=1e-5)
        # Only the penalty drives the critic: its weight norm falls towards 1.
        for _ in range(50):
            logs = gan.train_on_batch(tiny_images(8), return_dict=True)
        kernel = gan.discriminator.trainable_weights[0]
        self.assertAllClose(np.linalg.norm(kernel), 1.0, atol=1e-2)
        self.assertLess(float(logs["gradient_penalty"]), 1e-2)

    def test_conditional_gradient_penalty(self):
        # Class k's samples are the vector b_k e_k (the generator ignores z), and
        # the critic is D(x, y) = <e_y, x>^2 / 2, so grad_x D(x, y) = <e_y, x> e_y.
        # Real and generated samples of a pair are equal, so every interpolate is
        # b_y e_y, whatever its weight: the gradient norm is exactly b_y when the
        # penalty sees each sample with its own label, and 0 with another's.
        b = np.array([3.0, 2.5, 0.5], "float32")
        gan = AdversarialModel(*_class_table_pair(b), seed=0)
        gan.compile(
            loss=(_zero_generator_loss, _zero_discriminator_loss),
            penalties=[GradientPenalty(10.0)],
            g_optimizer=keras.optimizers.SGD(0.0),
            d_optimizer=keras.optimizers.SGD(0.0),
        )
        labels = np.array([0, 1, 2, 0, 1, 2, 2, 0], "int32")
        images = _class_images(b, labels)
        logs = gan.train_on_batch(images, labels, return_dict=True)
        expected = np.mean(10.0 * (b[labels] - 1.0) ** 2)  # (40, 22.5, 2.5 by class)
        self.assertAllClose(logs["gradient_penalty"], expected, rtol=1e-5)
        # The same images with their labels permuted: another value.
        permuted = np.roll(labels, 1)
        logs = gan.train_on_batch(images, permuted, return_dict=True)
        self.assertNotAllClose(logs["gradient_penalty"], expected, rtol=1e-2)
        # The reversed pairing within the batch would give another value too.
        reversed_pairs = np.where(labels == labels[::-1], 10.0 * (b[labels] - 1.0) ** 2, 10.0)
        self.assertNotAllClose(np.mean(reversed_pairs), expected, rtol=1e-2)

    def test_lazy_r1_in_fit(self):
        gan = AdversarialModel(tiny_generator(), _linear_critic(2.0), seed=0)
        gan.compile(
            loss=(_zero_generator_loss, _zero_discriminator_loss),
            penalties=[R1Penalty(gamma=1.0, every=2)],
            d_optimizer=keras.optimizers.SGD(0.0),
        )
        history = gan.fit(tiny_images(8), batch_size=4, epochs=1, verbose=0).history
        # Step 0: 0.5 * gamma * every * ||w||^2 = 4; step 1: skipped.
        self.assertAllClose(history["r1_penalty"], [2.0])

    def test_weight_clipping_bounds_every_critic_weight(self):
        gan = tiny_gan(loss="wasserstein", weight_clip=0.01, d_optimizer=keras.optimizers.SGD(10.0))
        gan.fit(tiny_images(8), batch_size=4, epochs=1, verbose=0)
        for weight in gan.discriminator.trainable_weights:
            self.assertAllInRange(weight, -0.01, 0.01)
        self.assertGreater(max(float(np.abs(w).max()) for w in gan.generator.get_weights()), 0.01)

    def test_weight_clipping_after_each_critic_update(self):
        clip = 0.3
        gan = tiny_gan(loss="wasserstein", weight_clip=clip, d_steps=2)
        real = tf.constant(tiny_images(8))
        wasserstein = dict(
            d_loss=replay.wasserstein_d_loss,
            g_loss=replay.wasserstein_g_loss,
            summary=tf.identity,
            d_steps=2,
        )
        expected_g, expected_d, expected = replay.replay_step(gan, real, clip=clip, **wasserstein)
        # Clipping once after the step's two updates would end elsewhere.
        _, unclipped_d, _ = replay.replay_step(gan, real, **wasserstein)
        clipped_once = [np.clip(w, -clip, clip) for w in unclipped_d]
        self.assertNotAllClose(
            np.concatenate([w.ravel() for w in clipped_once]),
            np.concatenate([w.ravel() for w in expected_d]),
        )
        history = gan.fit(real.numpy(), batch_size=8, shuffle=False, verbose=0).history
        _assert_weights(self, gan.discriminator, expected_d)
        _assert_weights(self, gan.generator, expected_g)
        flat = np.concatenate([np.abs(w).ravel() for w in gan.discriminator.get_weights()])
        self.assertAllInRange(flat, 0.0, clip)
        self.assertTrue(np.any(np.isclose(flat, clip)) and np.any(flat < clip - 1e-3))
        for key, name in (("d_real", "critic_real"), ("d_fake", "critic_fake")):
            self.assertAllClose(history[name], [expected[key]], atol=1e-6)
        for key in ("d_loss", "g_loss"):
            self.assertAllClose(history[key], [expected[key]], atol=1e-6)

    def test_scores_are_logged_raw_for_non_probability_losses(self):
        d = tiny_discriminator()
        gan = AdversarialModel(tiny_generator(), d, seed=1)
        gan.compile(loss="wasserstein", d_optimizer=keras.optimizers.SGD(0.0))
        real = tf.constant(tiny_images(8))
        logs = gan.train_on_batch(real, return_dict=True)
        self.assertEqual(sorted(logs), ["critic_fake", "critic_real", "d_loss", "g_loss"])
        self.assertAllClose(logs["critic_real"], tf.reduce_mean(d(real)))
        self.assertAllClose(logs["d_loss"], logs["critic_fake"] - logs["critic_real"])

    def test_generator_loss_with_real_logits(self):
        gan = tiny_gan(loss="relativistic_average", d_optimizer=keras.optimizers.SGD(0.0))
        real = tf.constant(tiny_images(8))
        z = keras.random.normal((8, LATENT_DIM), seed=keras.random.SeedGenerator(1))
        fake_logits = gan.discriminator(gan.generator(z))
        real_logits = gan.discriminator(real)
        logs = gan.train_on_batch(real, return_dict=True)
        # RaSGAN generator: the discriminator's loss with real and fake swapped.
        expected = tf.reduce_mean(
            tf.math.softplus(-(fake_logits - tf.reduce_mean(real_logits)))
        ) + tf.reduce_mean(tf.math.softplus(real_logits - tf.reduce_mean(fake_logits)))
        self.assertAllClose(logs["g_loss"], expected, rtol=1e-5)

    @parameterized.parameters("alternating", "simultaneous")
    def test_feature_matching(self, update):
        gan = tiny_gan(
            feature_matching="hidden", update=update, d_optimizer=keras.optimizers.SGD(0.0)
        )
        real = tf.constant(tiny_images(8))
        z = keras.random.normal((8, LATENT_DIM), seed=keras.random.SeedGenerator(1))
        features = keras.Model(
            gan.discriminator.input, gan.discriminator.get_layer("hidden").output
        )
        expected = tf.reduce_mean(
            tf.square(
                tf.reduce_mean(features(real), 0) - tf.reduce_mean(features(gan.generator(z)), 0)
            )
        )
        logs = gan.train_on_batch(real, return_dict=True)
        self.assertAllClose(logs["g_loss"], expected, rtol=1e-5)

    @parameterized.named_parameters(
        ("alternating", "alternating", 1, None),
        ("simultaneous", "simultaneous", 1, None),
        ("conditional_d_steps", "alternating", 2, NUM_CLASSES),
    )
    def test_feature_matching_step_equals_hand_replay(self, update, d_steps, num_classes):
        gan = tiny_gan(
            num_classes=num_classes, feature_matching="hidden", update=update, d_steps=d_steps
        )
        real = tf.constant(tiny_images(8))
        labels = tf.constant(tiny_labels(8)) if num_classes else None
        expected_g, expected_d, expected = replay.replay_step(
            gan, real, labels, update=update, d_steps=d_steps, features="hidden"
        )
        # The adversarial generator loss would move the generator elsewhere.
        adversarial_g, _, _ = replay.replay_step(gan, real, labels, update=update, d_steps=d_steps)
        self.assertNotAllClose(adversarial_g[0], expected_g[0])
        y = None if labels is None else labels.numpy()
        history = gan.fit(real.numpy(), y, batch_size=8, shuffle=False, verbose=0).history
        _assert_weights(self, gan.generator, expected_g)
        _assert_weights(self, gan.discriminator, expected_d)
        for key in ("g_loss", "d_loss", "d_real", "d_fake"):
            self.assertAllClose(history[key], [expected[key]], atol=1e-6, msg=key)

    def test_evaluate_logs_the_feature_matching_objective(self):
        gan = tiny_gan(feature_matching="hidden")
        latents = _pinned(gan, np.random.default_rng(0).normal(size=(8, LATENT_DIM)))
        real = tiny_images(8, seed=1)
        features = keras.Model(
            gan.discriminator.input, gan.discriminator.get_layer("hidden").output
        )
        fake = gan.generator(latents)
        logs = gan.evaluate(real, batch_size=8, verbose=0, return_dict=True)
        self.assertAllClose(
            logs["g_loss"], replay.feature_distance(features(real), features(fake)), atol=1e-6
        )
        self.assertAllClose(
            logs["d_loss"], _d_loss(gan.discriminator(real), gan.discriminator(fake)), atol=1e-6
        )
        # It is the objective the training step logs, on the same data: with
        # both players frozen, train and evaluate agree.
        frozen = tiny_gan(
            feature_matching="hidden",
            g_optimizer=keras.optimizers.SGD(0.0),
            d_optimizer=keras.optimizers.SGD(0.0),
        )
        _pinned(frozen, latents)
        trained = frozen.train_on_batch(real, return_dict=True)
        evaluated = frozen.evaluate(real, batch_size=8, verbose=0, return_dict=True)
        self.assertAllClose(trained["g_loss"], evaluated["g_loss"], atol=1e-6)
        self.assertAllClose(trained["g_loss"], logs["g_loss"], atol=1e-6)

    def test_bad_arguments(self):
        gan = AdversarialModel(tiny_generator(), tiny_discriminator())
        with self.assertRaisesRegex(ValueError, "feature_matching='nope'.*'hidden'"):
            gan.compile(feature_matching="nope")
        with self.assertRaisesRegex(ValueError, "weight_clip=-0.1"):
            gan.compile(weight_clip=-0.1)
        with self.assertRaisesRegex(
            ValueError, r"must be a `keras_gans.losses.Regularizer`.*Received: 'gp'"
        ):
            gan.compile(penalties=["gp"])
        with self.assertRaisesRegex(ValueError, "unique"):
            gan.compile(penalties=[GradientPenalty(), GradientPenalty(1.0)])

    def test_round_trip_keeps_penalties_and_clipping(self):
        gan = tiny_gan(
            loss="wasserstein",
            penalties=[GradientPenalty(5.0, one_sided=True), R1Penalty(2.0, every=2)],
            weight_clip=0.5,
            feature_matching="hidden",
            d_steps=2,
            d_optimizer=keras.optimizers.Adam(1e-2),
        )
        gan.fit(tiny_images(8), batch_size=8, verbose=0)  # state worth keeping
        path = os.path.join(self.get_temp_dir(), "wgan.keras")
        gan.save(path)
        loaded = keras.models.load_model(path)
        self.assertEqual(
            [(type(p), p.get_config()) for p in loaded.regularizers],
            [(type(p), p.get_config()) for p in gan.regularizers],
        )
        self.assertEqual(loaded.weight_clip, 0.5)
        self.assertEqual(loaded.feature_matching, "hidden")
        self.assertIsInstance(loaded.loss, Wasserstein)
        self.assertIsInstance(loaded.schedule, Alternating)
        self.assertEqual(loaded.schedule.d_steps, 2)
        self.assertEqual(int(loaded.d_optimizer.iterations), 2)
        # Training goes on as in the original: the penalty's noise, R1's
        # interval, the clip, feature matching and the slices all survived.
        histories = [
            model.fit(tiny_images(16, seed=2), batch_size=8, epochs=2, verbose=0).history
            for model in (gan, loaded)
        ]
        self.assertEqual(sorted(histories[1]), sorted(histories[0]))
        self.assertIn("gradient_penalty", histories[1])
        self.assertIn("r1_penalty", histories[1])
        for key in histories[0]:
            self.assertAllClose(histories[1][key], histories[0][key], atol=1e-6, msg=key)
        for a, b in zip(weights_of(loaded), weights_of(gan), strict=True):
            self.assertAllClose(a, b, atol=1e-6)
        for a, b in zip(loaded.d_optimizer.variables, gan.d_optimizer.variables, strict=True):
            self.assertAllClose(a, b, atol=1e-6)
        self.assertAllInRange(
            np.concatenate([w.ravel() for w in loaded.discriminator.get_weights()]), -0.5, 0.5
        )


class EMATest(tf.test.TestCase):
    def test_average_follows_the_closed_form_and_serves_sampling_and_export(self):
        momentum = 0.5
        gan = tiny_gan(g_optimizer=keras.optimizers.SGD(0.1, use_ema=True, ema_momentum=momentum))
        self.assertTrue(gan.uses_ema)
        z = np.random.default_rng(0).normal(size=(4, LATENT_DIM)).astype("float32")
        untrained = gan.generate(z)
        self.assertAllClose(untrained, gan.generator(z))  # no average before training
        average = None
        for step in range(4):
            gan.train_on_batch(tiny_images(8, seed=step))
            weights = gan.generator.get_weights()
            # Keras' EMA: the first average is the weights themselves.
            average = (
                weights
                if average is None
                else [
                    momentum * a + (1 - momentum) * w for a, w in zip(average, weights, strict=True)
                ]
            )
        raw = gan.generator.get_weights()
        with gan.ema_weights():
            for got, want in zip(gan.generator.get_weights(), average, strict=True):
                self.assertAllClose(got, want, atol=1e-6)
            ema_images = np.asarray(gan.generator(z, training=False))
        for got, want in zip(gan.generator.get_weights(), raw, strict=True):
            self.assertAllEqual(got, want)
        self.assertAllClose(gan.generate(z), ema_images)
        self.assertAllClose(gan.generate(z, use_ema=False), gan.generator(z, training=False))
        self.assertNotAllClose(ema_images, gan.generate(z, use_ema=False))

        path = keras_gans.export_generator(gan, os.path.join(self.get_temp_dir(), "ema"))
        exported = tf.saved_model.load(path)
        self.assertAllClose(exported.serve(z)["images"], ema_images, atol=1e-6)
        for got, want in zip(gan.generator.get_weights(), raw, strict=True):
            self.assertAllEqual(got, want)

    def test_no_average_without_the_option(self):
        gan = tiny_gan()
        self.assertFalse(gan.uses_ema)
        before = gan.generator.get_weights()
        with gan.ema_weights():
            for got, want in zip(gan.generator.get_weights(), before, strict=True):
                self.assertAllEqual(got, want)


class AtomicSaveTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.parameters(("gan.keras", "save"), ("gan.weights.h5", "save_weights"))
    def test_a_crash_while_saving_keeps_the_previous_file(self, name, method):
        folder = os.path.join(self.get_temp_dir(), method)
        path = os.path.join(folder, name)
        gan = tiny_gan()
        getattr(gan, method)(path)
        good = weights_of(gan)
        gan.fit(tiny_images(8), batch_size=4, verbose=0)

        def crash(filepath, *args, **kwargs):
            with open(filepath, "wb") as f:
                f.write(b"half a file")
            raise KeyboardInterrupt("killed while saving")

        with mock.patch.object(keras.Model, method, side_effect=crash):
            with self.assertRaises(KeyboardInterrupt):
                getattr(gan, method)(path)
        self.assertEqual(os.listdir(folder), [name])  # no partial file left
        restored = tiny_gan()
        if method == "save":
            restored = keras.models.load_model(path)
        else:
            restored.load_weights(path)
        for got, want in zip(weights_of(restored), good, strict=True):
            self.assertAllEqual(got, want)

    def test_model_checkpoint_writes_through_the_atomic_save(self):
        folder = os.path.join(self.get_temp_dir(), "checkpoints")
        path = os.path.join(folder, "checkpoint.keras")
        gan = tiny_gan()
        # A run that ends well leaves its last epoch's model.
        gan.fit(
            tiny_images(8),
            batch_size=4,
            epochs=2,
            verbose=0,
            callbacks=[keras.callbacks.ModelCheckpoint(path)],
        )
        last = keras.models.load_model(path)
        for got, want in zip(weights_of(last), weights_of(gan), strict=True):
            self.assertAllEqual(got, want)
        self.assertEqual(os.listdir(folder), ["checkpoint.keras"])
        # A run killed while writing its second checkpoint leaves its first.
        after_first_epoch = []
        record = keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: (
                after_first_epoch.append(weights_of(gan)) if epoch == 0 else None
            )
        )
        real_save = keras.Model.save
        written = []

        def save(model, filepath, *args, **kwargs):
            written.append(os.fspath(filepath))
            if len(written) == 2:  # the second epoch's checkpoint dies half-written
                with open(filepath, "wb") as f:
                    f.write(b"half a file")
                raise KeyboardInterrupt("killed while saving")
            return real_save(model, filepath, *args, **kwargs)

        with mock.patch.object(keras.Model, "save", save):
            with self.assertRaises(KeyboardInterrupt):
                gan.fit(
                    tiny_images(8),
                    batch_size=4,
                    epochs=2,
                    verbose=0,
                    callbacks=[record, keras.callbacks.ModelCheckpoint(path)],
                )
        self.assertLen(written, 2)
        for staging in written:  # Keras wrote beside the checkpoint, never on it
            self.assertEqual(os.path.dirname(os.path.abspath(staging)), folder)
            self.assertNotEqual(os.path.abspath(staging), path)
            self.assertTrue(staging.endswith(".keras"))
        self.assertEqual(os.listdir(folder), ["checkpoint.keras"])
        loaded = keras.models.load_model(path)  # epoch 1's, whole
        (expected,) = after_first_epoch
        for got, want in zip(weights_of(loaded), expected, strict=True):
            self.assertAllEqual(got, want)
        self.assertEqual(int(loaded.trained_steps.numpy()), 6)


class BadBatchTest(tf.test.TestCase):
    def test_label_count_and_shape(self):
        gan = tiny_gan(num_classes=NUM_CLASSES)
        uneven = tf.data.Dataset.from_tensors((tiny_images(4), tiny_labels(3)))
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "as many class labels"):
            gan.fit(uneven, verbose=0)
        one_hot = np.eye(NUM_CLASSES, dtype="int32")[tiny_labels(8)]
        with self.assertRaisesRegex(ValueError, r"argmax. Received: shape=\(\w+, 3\)"):
            gan.fit(tiny_images(8), one_hot, batch_size=4, verbose=0)

    def test_last_batch_smaller_than_d_steps(self):
        gan = tiny_gan(d_steps=4)
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "drop_remainder"):
            gan.fit(tiny_images(11), batch_size=4, verbose=0)

    def test_generate_edge_cases(self):
        gan = tiny_gan(num_classes=NUM_CLASSES)
        empty = gan.generate(np.zeros((0, LATENT_DIM)), labels=np.zeros((0,), "int32"))
        self.assertEqual(empty.shape, (0, *IMAGE_SHAPE))
        for bad in (0, -1, 2.5):
            with self.assertRaisesRegex(ValueError, f"batch_size={bad}"):
                gan.generate(2, labels=0, batch_size=bad)


class DataRangeTest(tf.test.TestCase):
    def test_unscaled_images_for_a_tanh_generator(self):
        gan = tiny_gan()
        gan.generator.output_range = (-1.0, 1.0)  # as the builders declare
        with self.assertRaisesRegex(
            tf.errors.InvalidArgumentError, r"must lie in \[-1.0, 1.0\].*from.*0.*to.*255"
        ):
            gan.fit(
                np.full((4, *IMAGE_SHAPE), 255.0, "float32")
                * np.linspace(0, 1, 4)[:, None, None, None],
                batch_size=4,
                verbose=0,
            )
        gan.fit(tiny_images(4), batch_size=4, verbose=0)  # scaled data trains

    def test_images_in_0_1_get_a_warning(self):
        gan = tiny_gan()
        gan.generator.output_range = (-1.0, 1.0)
        unit = (tiny_images(4) + 1) / 2
        with self.assertWarnsRegex(UserWarning, r"training samples all lie in \[0, 1\]"):
            gan.fit(unit, batch_size=4, verbose=0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            gan.fit(unit * 2 - 1, batch_size=4, verbose=0)

    def test_builders_declare_their_range(self):
        from keras_gans.architectures import DCGANGenerator
        from keras_gans.architectures import DenseGenerator

        self.assertEqual(DCGANGenerator(8, (28, 28, 1), base_filters=2).output_range, (-1.0, 1.0))
        self.assertEqual(DenseGenerator(8, (4, 4, 1), hidden_units=(4,)).output_range, (-1.0, 1.0))


class FitDefaultsTest(tf.test.TestCase):
    def test_a_dataset_is_not_reshuffled_and_raises_no_warning(self):
        gan = tiny_gan()
        dataset = tf.data.Dataset.from_tensor_slices(tiny_images(8)).batch(4)
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            gan.fit(dataset, epochs=1, verbose=0)

    def test_a_dataset_is_taken_in_its_own_order(self):
        # The unconditional GAN ignores the labels: they name the images, and
        # a recording step lists the batches in the order fit trains on them.
        def dataset():
            return (
                tf.data.Dataset.from_tensor_slices((tiny_images(8), np.arange(8)))
                .shuffle(8, seed=2, reshuffle_each_iteration=False)
                .batch(4)
            )

        gan = tiny_gan()
        # Two epochs of the dataset's own (shuffled, fixed) order.
        expected = [labels.numpy().tolist() for _ in range(2) for _, labels in dataset()]
        self.assertNotEqual(sum(expected[:2], []), list(range(8)))
        seen = []
        train_step = gan.train_step

        def recording_step(data):
            images, labels = data

            def record(values):
                seen.append(values.tolist())
                return values

            tf.numpy_function(record, [labels], labels.dtype, stateful=True)
            return train_step(images)

        gan.train_step = recording_step
        gan.fit(dataset(), epochs=2, verbose=0)
        self.assertEqual(seen, expected)


class XLAInputChecksTest(tf.test.TestCase):
    """XLA drops `tf.debugging` asserts; under jit_compile the checks run before the step."""

    def test_out_of_range_labels(self):
        gan = tiny_gan(num_classes=NUM_CLASSES, jit_compile=True)
        images, bad = tiny_images(8), np.array([0, 1, 2, 3, 0, 1, 2, 0], "int32")
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "must be < num_classes=3"):
            gan.fit(images, bad, batch_size=4, verbose=0)
        dataset = tf.data.Dataset.from_tensor_slices((images, -bad)).batch(4)
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "must be >= 0"):
            gan.fit(dataset, verbose=0)
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "must be < num_classes=3"):
            gan.evaluate(images, bad, batch_size=4, verbose=0)
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "must be < num_classes=3"):
            gan.fit(images, bad % 3, batch_size=4, validation_data=(images, bad), verbose=0)
        self.assertEqual(int(gan.trained_steps.numpy()), 0)  # nothing trained on bad data

    def test_unscaled_images_and_label_count(self):
        gan = tiny_gan(num_classes=NUM_CLASSES, jit_compile=True)
        gan.generator.output_range = (-1.0, 1.0)
        labels = tiny_labels(8)
        dataset = tf.data.Dataset.from_tensor_slices(tiny_images(8) * 255).batch(4)
        dataset = tf.data.Dataset.zip(dataset, tf.data.Dataset.from_tensor_slices(labels).batch(4))
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, r"must lie in \[-1.0, 1.0\]"):
            gan.fit(dataset, verbose=0)
        mismatched = tf.data.Dataset.zip(
            tf.data.Dataset.from_tensor_slices(tiny_images(8)).batch(4),
            tf.data.Dataset.from_tensor_slices(labels).batch(3),
        )
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "as many class labels"):
            gan.fit(mismatched, verbose=0)

    def test_small_last_batch_with_d_steps(self):
        gan = tiny_gan(d_steps=4, jit_compile=True)
        with self.assertRaisesRegex(ValueError, "last batch of 3"):
            gan.fit(tiny_images(11), batch_size=4, verbose=0)
        dataset = tf.data.Dataset.from_tensor_slices(tiny_images(11)).batch(4)
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "drop_remainder"):
            gan.fit(dataset, verbose=0)

    def test_good_data_trains_as_without_xla_checks(self):
        from keras_gans.data.position import data_position

        dataset = keras_gans.data.from_arrays(
            tiny_images(16), tiny_labels(16), batch_size=4, seed=1
        )
        latents = np.random.default_rng(0).normal(size=(4, LATENT_DIM))
        checker = input_checks.checked_input
        results = []
        for checks in (checker, lambda model, x, y=None, batch_size=None: x):
            gan = tiny_gan(num_classes=NUM_CLASSES, jit_compile=True)
            _pinned(gan, latents)
            with mock.patch.object(input_checks, "checked_input", side_effect=checks) as spy:
                history = gan.fit(dataset, epochs=2, verbose=0).history
            self.assertEqual(spy.call_args_list[-1].args[:2], (gan, dataset))
            self.assertEqual(int(gan.trained_steps.numpy()), 8)
            results.append((history, weights_of(gan)))
        (checked_logs, checked_weights), (plain_logs, plain_weights) = results
        self.assertEqual(sorted(checked_logs), sorted(plain_logs))
        for key in checked_logs:
            self.assertAllClose(checked_logs[key], plain_logs[key], rtol=0, atol=0, msg=key)
        for a, b in zip(checked_weights, plain_weights, strict=True):
            self.assertAllEqual(a, b)
        self.assertTrue(np.isfinite(checked_logs["d_loss"]).all())
        checked = checker(gan, dataset)
        self.assertIsNot(checked, dataset)
        self.assertIs(data_position(checked), data_position(dataset))  # still positioned
