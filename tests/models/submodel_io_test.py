"""Any Keras model works as a player: functional, Sequential and subclassed pairs.

Each kind of pair goes through the whole life of a GAN: one `fit` step equal to
the hand replay, `generate` equal to the generator itself, a `.keras` round
trip after which training goes on as in the original, and an exported
SavedModel that serves what `generate` gives.
"""

import os

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

import keras_gans
from keras_gans import AdversarialModel
from tests.models import replay
from tests.testing import NUM_CLASSES
from tests.testing import weights_of

PACKAGE = "keras_gans_tests"
LATENT_DIM = 3
IMAGE_SHAPE = (2, 2, 1)


@keras.saving.register_keras_serializable(package=PACKAGE)
class SubclassedGenerator(keras.Model):
    """An MLP generator as a subclass; a dict `{"latent", "label"}` when conditional."""

    def __init__(self, latent_dim=LATENT_DIM, image_shape=IMAGE_SHAPE, num_classes=None, **kwargs):
        super().__init__(**kwargs)
        self.latent_dim = latent_dim
        self.sample_shape = tuple(image_shape)
        self.num_classes = num_classes
        self.embedding = keras.layers.Embedding(num_classes, 2) if num_classes else None
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.out = keras.layers.Dense(int(np.prod(image_shape)), activation="tanh")
        self.reshape = keras.layers.Reshape(self.sample_shape)

    def call(self, inputs, training=False):
        if self.num_classes:
            hidden = keras.ops.concatenate(
                [inputs["latent"], self.embedding(inputs["label"])], axis=-1
            )
        else:
            hidden = inputs
        return self.reshape(self.out(self.hidden(hidden)))

    def get_config(self):
        config = super().get_config()
        config.update(
            latent_dim=self.latent_dim,
            image_shape=self.sample_shape,
            num_classes=self.num_classes,
        )
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class SubclassedDiscriminator(keras.Model):
    """An MLP discriminator as a subclass; a dict `{"image", "label"}` when conditional.

    With `declare_shape` it has an `image_shape` attribute; without, the
    engine builds it for the generator's output shape.
    """

    def __init__(self, image_shape=IMAGE_SHAPE, num_classes=None, declare_shape=True, **kwargs):
        super().__init__(**kwargs)
        self.declare_shape = declare_shape
        if declare_shape:
            self.image_shape = tuple(image_shape)
        self.num_classes = num_classes
        self.embedding = keras.layers.Embedding(num_classes, 2) if num_classes else None
        self.flatten = keras.layers.Flatten()
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.out = keras.layers.Dense(1)

    def call(self, inputs, training=False):
        if self.num_classes:
            hidden = keras.ops.concatenate(
                [self.flatten(inputs["image"]), self.embedding(inputs["label"])], axis=-1
            )
        else:
            hidden = self.flatten(inputs)
        return self.out(self.hidden(hidden))

    def get_config(self):
        config = super().get_config()
        config.update(
            image_shape=getattr(self, "image_shape", IMAGE_SHAPE),
            num_classes=self.num_classes,
            declare_shape=self.declare_shape,
        )
        return config


def _sequential_pair():
    # As in the keras.io DCGAN tutorial: Sequential models that start with keras.Input.
    generator = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8),
            keras.layers.Dense(6, activation="tanh"),
        ]
    )
    discriminator = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1)])
    return generator, discriminator


def _pair(kind):
    if kind == "sequential":
        return _sequential_pair()
    if kind == "subclassed":
        return SubclassedGenerator(), SubclassedDiscriminator(declare_shape=False)
    return (
        SubclassedGenerator(num_classes=NUM_CLASSES),
        SubclassedDiscriminator(num_classes=NUM_CLASSES),
    )


KINDS = (
    # kind, latent_dim, sample shape, conditional
    ("sequential", 4, (6,), False),
    ("subclassed", LATENT_DIM, IMAGE_SHAPE, False),
    ("conditional_subclassed", LATENT_DIM, IMAGE_SHAPE, True),
)


class AnyKerasModelTest(tf.test.TestCase, parameterized.TestCase):
    def _gan(self, kind):
        keras.utils.set_random_seed(1)
        generator, discriminator = _pair(kind)
        gan = AdversarialModel(generator, discriminator, seed=1)
        gan.compile(
            g_optimizer=keras.optimizers.SGD(replay.LR),
            d_optimizer=keras.optimizers.SGD(replay.LR),
            d_steps=2,
        )
        return gan

    @parameterized.named_parameters(*[(kind, kind, *rest) for kind, *rest in KINDS])
    def test_fit_generate_save_and_export(self, kind, latent_dim, sample_shape, conditional):
        gan = self._gan(kind)
        self.assertEqual(gan.latent_dim, latent_dim)
        self.assertEqual(gan.image_shape, sample_shape)
        self.assertEqual(gan.conditional, conditional)
        self.assertEqual(gan.num_classes, NUM_CLASSES if conditional else None)
        rng = np.random.default_rng(0)
        images = rng.uniform(-1, 1, (8, *sample_shape)).astype("float32")
        labels = (np.arange(8) % NUM_CLASSES).astype("int32") if conditional else None

        # One step of fit is the hand replay.
        expected_g, expected_d, logs = replay.replay_step(
            gan, images, None if labels is None else tf.constant(labels), d_steps=2
        )
        history = gan.fit(images, labels, batch_size=8, shuffle=False, verbose=0).history
        for got, want in zip(gan.generator.get_weights(), expected_g, strict=True):
            self.assertAllClose(got, want, atol=1e-6)
        for got, want in zip(gan.discriminator.get_weights(), expected_d, strict=True):
            self.assertAllClose(got, want, atol=1e-6)
        for key in ("d_loss", "g_loss", "d_real", "d_fake"):
            self.assertAllClose(history[key], [logs[key]], atol=1e-6)

        # generate is the generator in inference mode.
        z = rng.normal(size=(5, latent_dim)).astype("float32")
        y = np.array([0, 1, 2, 1, 0], "int32") if conditional else None
        samples = gan.generate(z, labels=y)
        self.assertEqual(samples.shape, (5, *sample_shape))
        self.assertAllClose(samples, replay.generate(gan.generator, z, y, training=False))

        # A .keras round trip keeps everything: training goes on identically.
        path = os.path.join(self.get_temp_dir(), f"{kind}.keras")
        gan.save(path)
        loaded = keras.models.load_model(path)
        self.assertIsInstance(loaded.generator, type(gan.generator))
        self.assertIsInstance(loaded.discriminator, type(gan.discriminator))
        self.assertAllClose(loaded.generate(z, labels=y), samples, atol=0)
        for a, b in zip(weights_of(loaded), weights_of(gan), strict=True):
            self.assertAllEqual(a, b)
        gan.fit(images, labels, batch_size=8, shuffle=False, verbose=0)
        loaded.fit(images, labels, batch_size=8, shuffle=False, verbose=0)
        for a, b in zip(weights_of(loaded), weights_of(gan), strict=True):
            self.assertAllClose(a, b, atol=1e-6)
        self.assertNotAllClose(gan.generate(z, labels=y), samples)

        # The exported SavedModel serves what generate gives.
        exported = tf.saved_model.load(
            keras_gans.export_generator(gan, os.path.join(self.get_temp_dir(), kind))
        )
        served = exported.serve(z) if y is None else exported.serve(z, y)
        self.assertAllClose(served["images"], gan.generate(z, labels=y), atol=1e-6)


class ClearErrorsTest(tf.test.TestCase):
    def test_subclassed_generator_without_latent_dim(self):
        class NoLatentDim(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(4)

            def call(self, inputs):
                return keras.ops.reshape(self.dense(inputs), (-1, *IMAGE_SHAPE))

        with self.assertRaisesRegex(
            ValueError,
            r"subclassed generator must declare .*`self.latent_dim = N`.*latent_dim=None",
        ):
            AdversarialModel(NoLatentDim(), SubclassedDiscriminator())

    def test_unbuilt_sequential(self):
        unbuilt = keras.Sequential([keras.layers.Dense(4), keras.layers.Reshape(IMAGE_SHAPE)])
        with self.assertRaisesRegex(
            ValueError,
            r"The generator is a Sequential model whose input is unknown: start it with "
            r"`keras.Input\(shape\)`",
        ):
            AdversarialModel(unbuilt, SubclassedDiscriminator())
        with self.assertRaisesRegex(ValueError, "The discriminator is a Sequential model"):
            AdversarialModel(
                SubclassedGenerator(),
                keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(1)]),
            )

    def test_subclassed_discriminator_shape_must_match(self):
        with self.assertRaisesRegex(ValueError, r"\(2, 2, 1\).*\(3, 3, 1\)"):
            AdversarialModel(SubclassedGenerator(), SubclassedDiscriminator(image_shape=(3, 3, 1)))
