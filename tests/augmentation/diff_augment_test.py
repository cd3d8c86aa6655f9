import os

import keras
import numpy as np
import tensorflow as tf

from keras_gans import AdversarialModel
from keras_gans.augmentation import DiffAugment
from keras_gans.losses import GradientPenalty
from tests.testing import IMAGE_SHAPE
from tests.testing import tiny_discriminator
from tests.testing import tiny_gan
from tests.testing import tiny_generator
from tests.testing import tiny_images


def _images(n=5, size=8, channels=3, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, channels)).astype("float32")


def _shift_reference(images, shifts, axis):
    """Each image moved by its shift along `axis` (1 rows, 2 columns), zeros filled in."""
    out = np.zeros_like(images)
    size = images.shape[axis]
    for i, shift in enumerate(shifts):
        for target in range(size):
            source = target - shift
            if 0 <= source < size:
                if axis == 1:
                    out[i, target] = images[i, source]
                else:
                    out[i, :, target] = images[i, :, source]
    return out


class DiffAugmentTest(tf.test.TestCase):
    def test_policy_and_arguments(self):
        self.assertEqual(DiffAugment().policy, ("color", "translation", "cutout"))
        self.assertEqual(DiffAugment(("cutout", "color")).policy, ("cutout", "color"))
        for policy in ("", "colour", "color,color", ("translation", 3)):
            with self.assertRaisesRegex(ValueError, "`policy` must name transforms"):
                DiffAugment(policy)
        with self.assertRaisesRegex(ValueError, "cutout_ratio=1.5"):
            DiffAugment(cutout_ratio=1.5)
        with self.assertRaisesRegex(ValueError, r"\(batch, height, width, channels\)"):
            DiffAugment()(tf.zeros((2, 8)), keras.random.SeedGenerator(0))

    def test_color_follows_its_formulas_with_the_same_draws(self):
        images = _images()
        got = DiffAugment("color")(tf.constant(images), keras.random.SeedGenerator(7))
        seed = keras.random.SeedGenerator(7)
        draws = [
            keras.random.uniform((5, 1, 1, 1), seed=seed).numpy() for _ in range(3)
        ]  # brightness, saturation, contrast, in this order
        x = images + (draws[0] - 0.5)
        mean = x.mean(axis=-1, keepdims=True)
        x = (x - mean) * (2.0 * draws[1]) + mean
        mean = x.mean(axis=(1, 2, 3), keepdims=True)
        x = (x - mean) * (draws[2] + 0.5) + mean
        self.assertAllClose(got, x, atol=1e-5)

    def test_grey_images_skip_saturation(self):
        images = _images(channels=1)
        got = DiffAugment("color")(tf.constant(images), keras.random.SeedGenerator(3))
        seed = keras.random.SeedGenerator(3)
        brightness, contrast = (keras.random.uniform((5, 1, 1, 1), seed=seed).numpy() for _ in "bc")
        x = images + (brightness - 0.5)
        mean = x.mean(axis=(1, 2, 3), keepdims=True)
        self.assertAllClose(got, (x - mean) * (contrast + 0.5) + mean, atol=1e-5)

    def test_translation_moves_each_image_by_whole_pixels(self):
        images = _images(n=6, size=16)
        got = DiffAugment("translation")(tf.constant(images), keras.random.SeedGenerator(5)).numpy()
        seed = keras.random.SeedGenerator(5)
        limit = 2  # 16 * 0.125
        rows = keras.random.randint((6,), -limit, limit + 1, dtype="int32", seed=seed).numpy()
        cols = keras.random.randint((6,), -limit, limit + 1, dtype="int32", seed=seed).numpy()
        expected = _shift_reference(_shift_reference(images, rows, 1), cols, 2)
        self.assertAllEqual(got, expected)
        self.assertTrue(np.all(np.abs(rows) <= limit) and np.all(np.abs(cols) <= limit))

    def test_cutout_zeroes_one_square_per_image(self):
        ones = np.ones((20, 16, 16, 2), "float32")
        got = DiffAugment("cutout")(tf.constant(ones), keras.random.SeedGenerator(2)).numpy()
        self.assertTrue(np.all((got == 0) | (got == 1)))
        for image in got:
            hole = image[..., 0] == 0
            self.assertAllEqual(image[..., 0], image[..., 1])  # every channel alike
            rows, cols = np.nonzero(hole.any(axis=1))[0], np.nonzero(hole.any(axis=0))[0]
            # One rectangle: the hole is the product of a run of rows and a run of columns.
            self.assertAllEqual(hole, np.outer(hole.any(axis=1), hole.any(axis=0)))
            self.assertAllEqual(rows, np.arange(rows[0], rows[-1] + 1))
            self.assertAllEqual(cols, np.arange(cols[0], cols[-1] + 1))
            self.assertLessEqual(len(rows), 8)  # half the side, cut at the border
            self.assertLessEqual(len(cols), 8)
        # Squares inside the image are whole: 8 x 8 pixels.
        sizes = [int((image[..., 0] == 0).sum()) for image in got]
        self.assertIn(64, sizes)

    def test_same_seed_same_output_and_differentiable(self):
        images = tf.constant(_images())
        augment = DiffAugment()
        first = augment(images, keras.random.SeedGenerator(11))
        again = augment(images, keras.random.SeedGenerator(11))
        self.assertAllEqual(first, again)
        self.assertNotAllClose(first, augment(images, keras.random.SeedGenerator(12)))
        weights = tf.constant(_images(seed=1))
        with tf.GradientTape() as tape:
            tape.watch(images)
            value = tf.reduce_sum(augment(images, keras.random.SeedGenerator(11)) * weights)
        gradient = tape.gradient(value, images).numpy()
        self.assertTrue(np.all(np.isfinite(gradient)))
        self.assertGreater(np.abs(gradient).sum(), 0.0)

    def test_config_round_trip(self):
        augment = DiffAugment("translation,cutout", translation_ratio=0.25, cutout_ratio=0.3)
        again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(augment))
        self.assertEqual(again.get_config(), augment.get_config())
        self.assertEqual(again.policy, ("translation", "cutout"))


class _Doubling:
    """An augmentation with a known effect: every sample times two."""

    def __call__(self, images, seed_generator):
        return 2.0 * images


class EngineAugmentationTest(tf.test.TestCase):
    def test_discriminate_augments_only_in_training(self):
        gan = tiny_gan(augmentation=_Doubling())
        x = tf.constant(tiny_images(4))
        d = gan.discriminator
        self.assertAllClose(gan.discriminate(x, training=True), d(2.0 * x, training=True))
        self.assertAllClose(gan.discriminate(x, training=False), d(x, training=False))

    def test_penalty_sees_the_augmented_samples(self):
        # A linear critic D(x) = w . x: its input gradient is w; through a
        # doubling augmentation it is 2w, so the penalty is 10 (2|w| - 1)^2.
        image = keras.Input(IMAGE_SHAPE)
        critic = keras.Model(
            image, keras.layers.Dense(1, use_bias=False)(keras.layers.Flatten()(image))
        )
        w = np.linspace(-0.2, 0.3, 16).astype("float32")[:, None]
        critic.set_weights([w])
        gan = AdversarialModel(tiny_generator(), critic, seed=0)
        gan.compile(
            loss="wasserstein",
            regularizers=[GradientPenalty(10.0)],
            augmentation=_Doubling(),
            d_optimizer=keras.optimizers.SGD(0.0),
            g_optimizer=keras.optimizers.SGD(0.0),
        )
        logs = gan.train_on_batch(tiny_images(4), return_dict=True)
        expected = 10.0 * (2.0 * np.linalg.norm(w) - 1.0) ** 2
        self.assertAllClose(logs["gradient_penalty"], expected, rtol=1e-5)

    def test_validation_logs_ignore_the_augmentation(self):
        x = tiny_images(8)
        plain = tiny_gan(seed=3)
        augmented = tiny_gan(seed=3, augmentation="color,translation,cutout")
        self.assertAllClose(
            plain.evaluate(x, batch_size=8, verbose=0),
            augmented.evaluate(x, batch_size=8, verbose=0),
        )

    def test_fit_with_diffaugment_and_round_trip(self):
        gan = tiny_gan(augmentation="translation,cutout", seed=4)
        history = gan.fit(tiny_images(16), batch_size=8, epochs=1, verbose=0).history
        self.assertTrue(np.all(np.isfinite(history["d_loss"])))
        path = os.path.join(self.get_temp_dir(), "gan.keras")
        gan.save(path)
        loaded = keras.models.load_model(path)
        self.assertIsInstance(loaded.augmentation, DiffAugment)
        self.assertEqual(loaded.augmentation.policy, ("translation", "cutout"))
        # Both go on identically: the augmentation draws from the saved noise stream.
        data = tiny_images(8, seed=5)
        a = gan.train_on_batch(data, return_dict=True)
        b = loaded.train_on_batch(data, return_dict=True)
        for key in a:
            self.assertAllClose(a[key], b[key], atol=1e-6)

    def test_bad_augmentation(self):
        gan = AdversarialModel(tiny_generator(), tiny_discriminator())
        with self.assertRaisesRegex(ValueError, "augmentation=42"):
            gan.compile(augmentation=42)
