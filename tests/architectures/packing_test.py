"""Packed discriminators (PacGAN): the builders' `packing` argument, and the engine with them."""

import json
import math
import os

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import AdversarialModel
from keras_gans.architectures import DCGANDiscriminator
from keras_gans.architectures import DCGANGenerator
from keras_gans.architectures import DenseDiscriminator
from keras_gans.architectures import DenseGenerator
from keras_gans.layers import PackSamples
from keras_gans.layers.pack_samples import packing_of
from keras_gans.losses import GradientPenalty
from keras_gans.losses import R1Penalty
from keras_gans.losses import gradient_penalty
from keras_gans.losses import r1_penalty
from tests.test_case import TestCase

DENSE = {"image_shape": (8, 8, 1), "hidden_units": (16, 8)}
DCGAN = {"image_shape": (28, 28, 1), "base_filters": 4}
BUILDERS = {"dense": (DenseDiscriminator, DENSE), "dcgan": (DCGANDiscriminator, DCGAN)}


def _images(n, image_shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *image_shape)).astype("float32")


def _pack(x, m):
    """Sample i * m + j in channels [j * C, (j + 1) * C) of group i, written out."""
    return np.stack(
        [np.concatenate([x[i * m + j] for j in range(m)], axis=-1) for i in range(len(x) // m)]
    )


class PackedDiscriminatorTest(TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    @parameterized.product(builder=("dense", "dcgan"), packing=(2, 4))
    def test_one_logit_per_group(self, builder, packing):
        cls, kwargs = BUILDERS[builder]
        discriminator = cls(**kwargs, packing=packing)
        logits = discriminator(_images(8, kwargs["image_shape"]), training=False)
        self.assertEqual(tuple(logits.shape), (8 // packing, 1))
        self.assertEqual(logits.dtype, tf.float32)
        self.assertEqual(discriminator.output_shape, (None, 1))
        # The first layer after the input groups the samples.
        pack = discriminator.get_layer("pack")
        self.assertIsInstance(pack, PackSamples)
        self.assertEqual(pack.packing, packing)
        self.assertIs(discriminator.layers[1], pack)

    @parameterized.named_parameters(("dense", "dense"), ("dcgan", "dcgan"))
    def test_packed_network_is_the_unpacked_one_on_stacked_channels(self, builder):
        # A packed discriminator of C-channel images is, weight for weight, the
        # unpacked one of m * C channels applied to the groups.
        cls, kwargs = BUILDERS[builder]
        height, width, channels = kwargs["image_shape"]
        packed = cls(**kwargs, packing=2)
        wide = cls(**{**kwargs, "image_shape": (height, width, 2 * channels)})
        self.assertEqual(
            [w.shape for w in packed.get_weights()], [w.shape for w in wide.get_weights()]
        )
        wide.set_weights(packed.get_weights())
        x = _images(6, kwargs["image_shape"], seed=1)
        self.assertAllClose(packed(x, training=False), wide(_pack(x, 2), training=False), atol=1e-5)
        # Swapping the two samples of a group changes its logit: order matters.
        swapped = x.reshape(3, 2, *x.shape[1:])[:, ::-1].reshape(x.shape)
        self.assertNotAllClose(packed(x, training=False), packed(swapped, training=False))

    @parameterized.named_parameters(("dense", "dense"), ("dcgan", "dcgan"))
    def test_config_includes_packing(self, builder):
        cls, kwargs = BUILDERS[builder]
        discriminator = cls(**kwargs, packing=4)
        config = discriminator.get_config()
        self.assertEqual(config["packing"], 4)
        restored = cls.from_config(json.loads(json.dumps(config)))
        self.assertEqual(restored.get_config(), config)
        self.assertEqual(restored.get_layer("pack").packing, 4)
        self.assertEqual(cls(**kwargs).get_config()["packing"], 1)
        self.assertNotIn("pack", [layer.name for layer in cls(**kwargs).layers])

    @parameterized.named_parameters(("dense", "dense"), ("dcgan", "dcgan"))
    def test_builder(self, builder):
        cls, kwargs = BUILDERS[builder]
        if builder == "dense":
            partner = DenseGenerator(latent_dim=4, image_shape=(8, 8, 1), hidden_units=(8,))
        else:
            partner = DCGANGenerator(latent_dim=4, image_shape=(28, 28, 1), base_filters=4)
        image_shape = kwargs["image_shape"]
        self.run_builder_test(
            cls,
            {**kwargs, "packing": 2},
            _images(4, image_shape),
            expected_output_shape=(2, 1),
            partner=partner,
            images=_images(4, image_shape, seed=2),
        )

    @parameterized.product(builder=("dense", "dcgan"), packing=(2, 4))
    def test_conditional_packing_is_refused(self, builder, packing):
        cls, kwargs = BUILDERS[builder]
        with self.assertRaisesRegex(
            ValueError, f"takes no labels.*packing={packing}, num_classes=3"
        ):
            cls(**kwargs, packing=packing, num_classes=3)
        # Packing 1 is the unpacked, conditional discriminator.
        self.assertEqual(cls(**kwargs, packing=1, num_classes=3).num_classes, 3)

    @parameterized.product(builder=("dense", "dcgan"), packing=(0, -1, 2.0, True, "2", None))
    def test_invalid_packing_raises(self, builder, packing):
        cls, kwargs = BUILDERS[builder]
        with self.assertRaisesRegex(ValueError, f"packing={packing!r}"):
            cls(**kwargs, packing=packing)


def _vector_generator(latent_dim=3, data_dim=2):
    latent = keras.Input((latent_dim,), name="latent")
    return keras.Model(latent, keras.layers.Dense(data_dim)(latent), name="generator")


def _linear_packed_critic(kernel, bias=0.5, data_dim=2):
    """`D(pack) = <kernel, pack> + bias` on packs of `len(kernel) // data_dim` samples."""
    kernel = np.asarray(kernel, "float32").reshape(-1, 1)
    sample = keras.Input((data_dim,), name="sample")
    packed = PackSamples(kernel.shape[0] // data_dim)(sample)
    dense = keras.layers.Dense(1, name="linear")
    model = keras.Model(sample, dense(packed), name="critic")
    dense.set_weights([kernel, np.array([bias], "float32")])
    return model


# Blocks of norm 1 and 2: the whole kernel has norm sqrt(5).
KERNEL = [0.6, 0.8, 1.2, 1.6]


class PackedTrainingTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    def test_gan_with_packed_discriminators_fits(self):
        for packing in (2, 4):
            generator = DenseGenerator(latent_dim=4, image_shape=(8, 8, 1), hidden_units=(8,))
            discriminator = DenseDiscriminator(**DENSE, packing=packing)
            gan = AdversarialModel(generator, discriminator, seed=1)
            gan.compile(
                g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.Adam(1e-3)
            )
            before = [v.numpy() for v in gan.trainable_variables]
            data = tf.data.Dataset.from_tensor_slices(_images(32, (8, 8, 1))).batch(8)
            history = gan.fit(data, epochs=2, verbose=0).history
            self.assertEqual(len(history["d_loss"]), 2)
            for name, values in history.items():
                self.assertTrue(np.all(np.isfinite(values)), msg=f"{name}={values}")
            moved = [
                not np.allclose(a, b.numpy())
                for a, b in zip(before, gan.trainable_variables, strict=True)
            ]
            self.assertTrue(all(moved), "every weight moved")
            # The discriminator gives one output per group of each batch.
            outputs = gan.discriminate(_images(8, (8, 8, 1)), training=False)
            self.assertEqual(tuple(outputs.shape), (8 // packing, 1))

    def test_fit_on_batches_not_divisible_by_packing_raises(self):
        generator = DenseGenerator(latent_dim=4, image_shape=(8, 8, 1), hidden_units=(8,))
        gan = AdversarialModel(generator, DenseDiscriminator(**DENSE, packing=4), seed=1)
        gan.compile()
        data = tf.data.Dataset.from_tensor_slices(_images(12, (8, 8, 1))).batch(6)
        with self.assertRaisesRegex(
            (ValueError, tf.errors.InvalidArgumentError), "divisible by (packing=)?4"
        ):
            gan.fit(data, epochs=1, verbose=0)

    def _penalty_model(self):
        gan = AdversarialModel(_vector_generator(), _linear_packed_critic(KERNEL), seed=3)
        gan.compile(loss="wasserstein", regularizers=[GradientPenalty(10.0)])
        real = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
        fake = np.random.default_rng(1).normal(size=(8, 2)).astype("float32")
        latents = np.zeros((8, 3), "float32")
        return gan, real, fake, latents

    def test_gradient_penalty_of_a_packed_critic_is_taken_per_pack(self):
        # The critic is linear in its pack, D(pack) = <kernel, pack> + b, so its
        # gradient with respect to a pack is the whole kernel (norm sqrt(5)),
        # whatever the interpolation weights: 10 * (sqrt(5) - 1)^2. Per-sample
        # norms (the kernel's blocks, 1 and 2) would give 10 * (0 + 1) / 2 = 5.
        gan, real, fake, latents = self._penalty_model()
        self.assertEqual(gan.discriminator.layers[1].packing, 2)
        expected = 10.0 * (math.sqrt(np.sum(np.square(KERNEL)) + 1e-10) - 1.0) ** 2
        self.assertAllClose(expected, 15.2786, atol=1e-4)
        for _ in range(3):  # fresh interpolation weights each time
            values = gan.regularization("discriminator", real, fake, None, latents)
            self.assertAllClose(values["gradient_penalty"], expected, atol=1e-4)
        weights = np.repeat(np.linspace(0.0, 1.0, 4, dtype="float32"), 2)
        packed = gradient_penalty(gan.discriminator, real, fake, weights, packing=2)
        self.assertAllClose(packed, expected / 10.0, atol=1e-5)
        per_sample = gradient_penalty(gan.discriminator, real, fake, weights)
        self.assertAllClose(per_sample, 0.5, atol=1e-5)
        # And a WGAN-GP with a packed critic trains, logging finite values.
        data = tf.data.Dataset.from_tensor_slices(real).repeat(4).batch(8)
        history = gan.fit(data, epochs=1, verbose=0).history
        self.assertTrue(np.all(np.isfinite(history["gradient_penalty"])))
        # The critic moves a little over the epoch; per-sample norms would give 5.
        self.assertAllClose(history["gradient_penalty"][0], expected, rtol=0.02)

    def test_r1_of_a_packed_critic_adds_the_squared_norms_of_a_pack(self):
        gan = AdversarialModel(_vector_generator(), _linear_packed_critic(KERNEL), seed=3)
        gan.compile(regularizers=[R1Penalty(gamma=2.0)])
        real = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
        values = gan.regularization("discriminator", real, real, None, np.zeros((8, 3), "float32"))
        # gamma / 2 * ||kernel||^2 = 1 * 5; per sample it would be (1 + 4) / 2.
        self.assertAllClose(values["r1_penalty"], 5.0, atol=1e-5)
        self.assertAllClose(r1_penalty(gan.discriminator, real, packing=2), 5.0, atol=1e-5)
        self.assertAllClose(r1_penalty(gan.discriminator, real), 2.5, atol=1e-5)

    def test_packing_is_read_from_the_discriminator(self):
        self.assertEqual(packing_of(DenseDiscriminator(**DENSE, packing=4)), 4)
        self.assertEqual(packing_of(_linear_packed_critic(KERNEL)), 2)
        self.assertEqual(packing_of(DenseDiscriminator(**DENSE)), 1)
        plain = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        self.assertEqual(packing_of(plain), 1)


def _linear_critic(kernel, bias=0.5):
    """`D(x) = <kernel, x> + bias` on inputs of `len(kernel)` features, unpacked."""
    kernel = np.asarray(kernel, "float32").reshape(-1, 1)
    model = keras.Sequential([keras.Input((kernel.shape[0],)), keras.layers.Dense(1)])
    model.layers[-1].set_weights([kernel, np.array([bias], "float32")])
    return model


class ModelPackingTest(TestCase):
    """`AdversarialModel(packing=m)`: the engine packs what the discriminator sees."""

    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    def test_engine_packing_equals_a_packing_discriminator(self):
        samples = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
        by_model = AdversarialModel(_vector_generator(), _linear_critic(KERNEL), packing=2)
        by_layer = AdversarialModel(_vector_generator(), _linear_packed_critic(KERNEL))
        expected = samples.reshape(4, 4) @ np.asarray(KERNEL, "float32").reshape(4, 1) + 0.5
        for gan in (by_model, by_layer):
            outputs = gan.discriminate(samples, training=True)
            self.assertAllClose(outputs, expected, atol=1e-5)
        # The penalty sees packs too: the whole kernel's norm, sqrt(5).
        by_model.compile(loss="wasserstein", regularizers=[GradientPenalty(10.0)])
        latents = np.zeros((8, 3), "float32")
        values = by_model.regularization("discriminator", samples, samples[::-1], None, latents)
        self.assertAllClose(
            values["gradient_penalty"], 10.0 * (math.sqrt(5.0) - 1.0) ** 2, atol=1e-3
        )

    def test_engine_packs_after_augmenting_each_sample(self):
        # The reference packs inside its discriminator, so the model augments
        # each sample before packing; the engine's packing must do the same.
        def critic(packed_inside):
            image = keras.Input((8, 8, 1 if packed_inside else 2))
            x = PackSamples(2)(image) if packed_inside else image
            dense = keras.layers.Dense(1)
            model = keras.Model(image, dense(keras.layers.Flatten()(x)))
            dense.set_weights([np.linspace(-1.0, 1.0, 128).reshape(128, 1), np.zeros(1)])
            return model

        def generator():
            latent = keras.Input((3,))
            return keras.Model(
                latent, keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64)(latent))
            )

        by_model = AdversarialModel(generator(), critic(False), packing=2, seed=5)
        by_layer = AdversarialModel(generator(), critic(True), seed=5)
        for gan in (by_model, by_layer):
            gan.compile(augmentation="color,translation")
        images = np.random.default_rng(2).uniform(-1, 1, (8, 8, 8, 1)).astype("float32")
        self.assertAllClose(
            by_model.discriminate(images, training=True),
            by_layer.discriminate(images, training=True),
            atol=1e-5,
        )

    def test_packed_dcgan_pair_fits_and_round_trips(self):
        generator = DCGANGenerator(latent_dim=8, image_shape=(28, 28, 1), base_filters=4)
        discriminator = DCGANDiscriminator(image_shape=(28, 28, 3), base_filters=4)
        gan = AdversarialModel(generator, discriminator, packing=3, seed=2)
        gan.compile(augmentation="translation")
        images = np.random.default_rng(1).uniform(-1, 1, (24, 28, 28, 1)).astype("float32")
        history = gan.fit(images, batch_size=6, epochs=1, verbose=0).history
        self.assertTrue(np.all(np.isfinite(history["d_loss"])))
        self.assertEqual(tuple(gan.discriminate(images[:6]).shape), (2, 1))
        path = os.path.join(self.get_temp_dir(), "packed.keras")
        gan.save(path)
        loaded = keras.models.load_model(path)
        self.assertEqual(loaded.packing, 3)
        self.assertAllClose(loaded.discriminate(images[:6]), gan.discriminate(images[:6]))

    def test_bad_packing(self):
        generator = DenseGenerator(latent_dim=4, image_shape=(8, 8, 1), hidden_units=(8,))
        with self.assertRaisesRegex(ValueError, r"inputs of shape \(8, 8, 2\).*\(8, 8, 1\)"):
            AdversarialModel(generator, DenseDiscriminator(**DENSE), packing=2)
        with self.assertRaisesRegex(ValueError, "packing"):
            AdversarialModel(generator, DenseDiscriminator(**DENSE), packing=0)
        conditional_g = DenseGenerator(
            latent_dim=4, image_shape=(8, 8, 1), hidden_units=(8,), num_classes=3
        )
        conditional_d = DenseDiscriminator(image_shape=(8, 8, 2), hidden_units=(8,), num_classes=3)
        with self.assertRaisesRegex(ValueError, "unconditional pairs only.*packing=2"):
            AdversarialModel(conditional_g, conditional_d, packing=2)
