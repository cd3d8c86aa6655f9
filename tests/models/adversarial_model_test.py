import os
import warnings
from unittest import mock

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import AdversarialModel
from keras_gans.losses import GradientPenalty
from keras_gans.losses import R1Penalty
from tests.testing import IMAGE_SHAPE
from tests.testing import LATENT_DIM
from tests.testing import NUM_CLASSES
from tests.testing import tiny_discriminator
from tests.testing import tiny_gan
from tests.testing import tiny_generator
from tests.testing import tiny_images
from tests.testing import tiny_labels
from tests.testing import weights_of

LR = 0.1


def _d_loss(real_logits, fake_logits):
    # -log sigmoid(r) - log(1 - sigmoid(f)), written out independently.
    return tf.reduce_mean(tf.math.softplus(-real_logits)) + tf.reduce_mean(
        tf.math.softplus(fake_logits)
    )


def _g_loss(fake_logits):
    return tf.reduce_mean(tf.math.softplus(-fake_logits))


def _sgd(tape, loss, variables):
    for var, grad in zip(variables, tape.gradient(loss, variables), strict=True):
        var.assign_sub(LR * tf.convert_to_tensor(grad))


def _expected_weights(gan, real, labels, update, d_steps=1):
    """Replays one training step by hand, eagerly, with plain SGD.

    Returns the expected generator and discriminator weights and restores
    the models' initial weights.
    """
    g, d = gan.generator, gan.discriminator
    g_init, d_init = g.get_weights(), d.get_weights()

    def gen(z, y):
        return g(z if y is None else {"latent": z, "label": y}, training=True)

    def disc(x, y):
        return d(x if y is None else {"image": x, "label": y}, training=True)

    z = keras.random.normal((real.shape[0], LATENT_DIM), seed=keras.random.SeedGenerator(gan.seed))
    if update == "simultaneous":
        with tf.GradientTape(persistent=True) as tape:
            fake = gen(z, labels)
            fake_logits = disc(fake, labels)
            d_loss = _d_loss(disc(real, labels), fake_logits)
            g_loss = _g_loss(fake_logits)
        g_grads = tape.gradient(g_loss, g.trainable_variables)
        _sgd(tape, d_loss, d.trainable_variables)
        for var, grad in zip(g.trainable_variables, g_grads, strict=True):
            var.assign_sub(LR * tf.convert_to_tensor(grad))
    else:
        n = real.shape[0] // d_steps
        fake = gen(z, labels)
        for i in range(d_steps):
            part = slice(i * n, (i + 1) * n)
            y = None if labels is None else labels[part]
            with tf.GradientTape() as tape:
                d_loss = _d_loss(disc(real[part], y), disc(fake[part], y))
            _sgd(tape, d_loss, d.trainable_variables)
        # The generator step: the last slice's latents, against the new D.
        with tf.GradientTape() as tape:
            g_loss = _g_loss(disc(gen(z, labels)[part], y))
        _sgd(tape, g_loss, g.trainable_variables)
    expected = g.get_weights(), d.get_weights()
    g.set_weights(g_init)
    d.set_weights(d_init)
    return expected


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
        with self.assertRaisesRegex(ValueError, "must be a built Keras model"):
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
        ("alternating", "alternating", 1, None),
        ("alternating_d_steps", "alternating", 2, None),
        ("simultaneous", "simultaneous", 1, None),
        ("conditional", "alternating", 1, NUM_CLASSES),
        ("conditional_d_steps", "alternating", 4, NUM_CLASSES),
    )
    def test_step_equals_hand_replay(self, update, d_steps, num_classes):
        gan = tiny_gan(num_classes=num_classes, update=update, d_steps=d_steps)
        real = tf.constant(tiny_images(8))
        labels = tf.constant(tiny_labels(8)) if num_classes else None
        expected_g, expected_d = _expected_weights(gan, real, labels, update, d_steps)
        g_before = gan.generator.get_weights()
        y = None if labels is None else labels.numpy()
        gan.fit(real.numpy(), y, batch_size=8, epochs=1, shuffle=False, verbose=0)
        for got, want, before in zip(
            gan.generator.get_weights(), expected_g, g_before, strict=True
        ):
            self.assertNotAllClose(got, before)
            self.assertAllClose(got, want, atol=1e-6)
        for got, want in zip(gan.discriminator.get_weights(), expected_d, strict=True):
            self.assertAllClose(got, want, atol=1e-6)
        self.assertEqual(int(gan.g_optimizer.iterations), 1)
        self.assertEqual(int(gan.d_optimizer.iterations), d_steps)

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
            gan._sample_latents = lambda batch_size: latents
            self.assertEqual(gan.jit_compile, jit)
            logs = gan.fit(real, batch_size=8, epochs=1, verbose=0).history
            results.append((logs, weights_of(gan)))
        (logs_a, w_a), (logs_b, w_b) = results
        for key in logs_a:
            self.assertAllClose(logs_a[key], logs_b[key], atol=1e-5)
        for a, b in zip(w_a, w_b, strict=True):
            self.assertAllClose(a, b, atol=1e-5)

    def test_validation_data_does_not_train(self):
        gan = tiny_gan()
        history = gan.fit(
            tiny_images(8),
            batch_size=4,
            epochs=1,
            verbose=0,
            validation_data=(tiny_images(8, seed=1),),
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
        before = weights_of(gan)
        logs = gan.evaluate(tiny_images(8, seed=1), batch_size=4, verbose=0, return_dict=True)
        self.assertAllClose(logs["d_loss"], history["val_d_loss"][0], rtol=0.3)
        for a, b in zip(weights_of(gan), before, strict=True):
            if a.dtype.kind == "f":
                self.assertAllEqual(a, b)

    def test_batch_smaller_than_d_steps(self):
        gan = tiny_gan(d_steps=4)
        with self.assertRaisesRegex(ValueError, "at least d_steps=4.*batch of 2"):
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
        with self.assertRaisesRegex(ValueError, r"2 integers. Received: shape=\(3,\)"):
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
        self.assertEqual(loaded.d_steps, 2)
        self.assertEqual(loaded.g_loss_fn.__name__, "minimax_generator_loss")
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
        self.assertIs(loaded.g_loss_fn, g_loss)
        self.assertIs(loaded.d_loss_fn, d_loss)


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
        gan = tiny_gan(
            num_classes=NUM_CLASSES, loss="wasserstein", penalties=[GradientPenalty(10.0)]
        )
        history = gan.fit(tiny_images(8), tiny_labels(8), batch_size=4, verbose=0).history
        self.assertGreater(history["gradient_penalty"][0], 0.0)
        self.assertTrue(np.isfinite(history["d_loss"][0]))

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

    def test_bad_arguments(self):
        gan = AdversarialModel(tiny_generator(), tiny_discriminator())
        with self.assertRaisesRegex(ValueError, "feature_matching='nope'.*'hidden'"):
            gan.compile(feature_matching="nope")
        with self.assertRaisesRegex(ValueError, "weight_clip=-0.1"):
            gan.compile(weight_clip=-0.1)
        with self.assertRaisesRegex(ValueError, "callable with a `name`.*'gp'"):
            gan.compile(penalties=["gp"])
        with self.assertRaisesRegex(ValueError, "unique"):
            gan.compile(penalties=[GradientPenalty(), GradientPenalty(1.0)])

    def test_round_trip_keeps_penalties_and_clipping(self):
        gan = tiny_gan(
            loss="wasserstein",
            penalties=[GradientPenalty(5.0, one_sided=True), R1Penalty(2.0, every=4)],
            weight_clip=0.5,
            feature_matching="hidden",
            d_steps=2,
        )
        path = os.path.join(self.get_temp_dir(), "wgan.keras")
        gan.save(path)
        loaded = keras.models.load_model(path)
        self.assertEqual(
            [p.get_config() for p in loaded.penalties], [p.get_config() for p in gan.penalties]
        )
        self.assertEqual(loaded.weight_clip, 0.5)
        self.assertEqual(loaded.feature_matching, "hidden")
        history = loaded.fit(tiny_images(8), batch_size=8, verbose=0).history
        self.assertIn("r1_penalty", history)


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

        path = gan.export_generator(os.path.join(self.get_temp_dir(), "ema"))
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
        path = os.path.join(self.get_temp_dir(), "checkpoint.keras")
        gan = tiny_gan()
        gan.fit(
            tiny_images(8),
            batch_size=4,
            epochs=2,
            verbose=0,
            callbacks=[keras.callbacks.ModelCheckpoint(path)],
        )
        loaded = keras.models.load_model(path)
        for got, want in zip(weights_of(loaded), weights_of(gan), strict=True):
            self.assertAllEqual(got, want)
        self.assertEqual(os.listdir(self.get_temp_dir()).count("checkpoint.keras"), 1)


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
        import keras_gans
        from keras_gans.data.position import data_position

        dataset = keras_gans.data.from_arrays(
            tiny_images(16), tiny_labels(16), batch_size=4, seed=1
        )
        gan = tiny_gan(num_classes=NUM_CLASSES, jit_compile=True)
        checked = gan._checked_input(dataset)
        self.assertIs(data_position(checked), data_position(dataset))  # still positioned
        history = gan.fit(dataset, epochs=2, verbose=0)
        self.assertEqual(int(gan.trained_steps.numpy()), 8)
        self.assertTrue(np.isfinite(history.history["d_loss"]).all())
