import os

import numpy as np
import tensorflow as tf
from scipy import signal

from keras_gans import export_generator
from keras_gans.applications.generator_source import GeneratorSource
from keras_gans.applications.inpainting import contextual_weights
from keras_gans.applications.inpainting import hole_psnr
from keras_gans.applications.inpainting import inpaint
from keras_gans.applications.inpainting import mean_fill
from keras_gans.applications.inpainting import psnr
from keras_gans.applications.masks import center_mask
from keras_gans.applications.masks import random_mask
from keras_gans.applications.poisson import poisson_blend
from tests.applications.toy_generators import images_of
from tests.applications.toy_generators import linear_generator
from tests.applications.toy_generators import orthonormal_matrix
from tests.testing import tiny_gan
from tests.testing import weights_of

LATENT_DIM = 8  # 12 known pixels of a 4x4 image determine 8 latent coordinates


def scipy_weights(mask, window_size):
    """The weights as `mask * convolve2d(1 - mask, ones / n^2, "same", "symm")`."""
    kernel = np.ones((window_size, window_size)) / window_size**2
    return mask * signal.convolve2d(1 - mask, kernel, mode="same", boundary="symm")


class ContextualWeightsTest(tf.test.TestCase):
    def test_one_pixel_hole_with_window_3(self):
        mask = np.ones((5, 5), "float32")
        mask[2, 2] = 0
        expected = np.zeros((5, 5))
        expected[1:4, 1:4] = 1 / 9
        expected[2, 2] = 0
        self.assertAllClose(contextual_weights(mask, window_size=3), expected, atol=1e-7)

    def test_one_pixel_hole_with_window_7(self):
        mask = np.ones((11, 11), "float32")
        mask[5, 5] = 0
        weights = contextual_weights(mask)
        rows, cols = np.indices((11, 11))
        distance = np.maximum(np.abs(rows - 5), np.abs(cols - 5))
        expected = np.where((distance >= 1) & (distance <= 3), 1 / 49, 0.0)
        self.assertAllClose(weights, expected, atol=1e-7)

    def test_matches_a_symmetric_convolution(self):
        masks = np.stack(
            [random_mask(9, fraction=0.3, seed=s) for s in range(4)] + [center_mask(9)]
        ).reshape(1, 5, 9, 9)
        masks = np.moveaxis(masks, 1, -1)  # one image, five channels
        for window_size in (3, 7, 15):
            weights = contextual_weights(masks, window_size)
            for c in range(5):
                expected = scipy_weights(masks[0, ..., c], window_size)
                self.assertAllClose(weights[0, ..., c], expected, atol=1e-6)

    def test_weights_grow_toward_the_hole(self):
        weights = contextual_weights(center_mask(64))
        diagonal = weights[np.arange(8, 16), np.arange(8, 16)]
        self.assertAllEqual(diagonal[:5], np.zeros(5))
        self.assertAllGreater(np.diff(diagonal[4:]), 0.0)
        self.assertAllEqual(weights[16:48, 16:48], np.zeros((32, 32)))

    def test_bad_masks(self):
        with self.assertRaisesRegex(ValueError, "`window_size` must be odd"):
            contextual_weights(np.ones((4, 4)), window_size=4)
        with self.assertRaisesRegex(ValueError, "only 0"):
            contextual_weights(np.full((4, 4), 2.0))


class MetricsTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        rng = np.random.default_rng(0)
        self.images = rng.uniform(-1, 1, (3, 6, 6, 2)).astype("float32")
        self.references = rng.uniform(-1, 1, (3, 6, 6, 2)).astype("float32")
        self.mask = center_mask(6)

    def test_psnr_of_whole_images_matches_tensorflow(self):
        expected = tf.image.psnr(self.images, self.references, max_val=2.0)
        self.assertAllClose(psnr(self.images, self.references), expected, atol=1e-4)
        self.assertAllEqual(psnr(self.images, self.images), [np.inf] * 3)

    def test_hole_psnr(self):
        hole = self.mask == 0
        squared = (self.images - self.references)[:, hole] ** 2
        expected = 10 * np.log10(4.0 / squared.reshape(3, -1).mean(axis=1))
        self.assertAllClose(hole_psnr(self.images, self.references, self.mask), expected)

    def test_mean_fill(self):
        filled = mean_fill(self.images, self.mask)
        known = self.mask > 0
        self.assertAllEqual(filled[:, known], self.images[:, known])
        expected = self.images[:, known].mean(axis=1)  # (3, 2): per image and channel
        self.assertAllClose(filled[:, 2, 3], expected, atol=1e-6)


class InpaintTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        self.matrix = orthonormal_matrix(LATENT_DIM)
        rng = np.random.default_rng(1)
        self.true_latents = np.clip(rng.standard_normal((3, LATENT_DIM)), -1.5, 1.5)
        self.targets = images_of(self.matrix, self.true_latents).astype("float32")
        self.mask = center_mask(4)  # the 2x2 centre is missing
        # What the generator cannot know: the hole holds garbage.
        self.images = self.targets.copy()
        self.images[:, 1:3, 1:3] = 0.9

    def test_recovers_a_representable_image(self):
        generator = linear_generator(self.matrix)
        weights = weights_of(generator)
        result = inpaint(generator, self.images, self.mask, prior_weight=0, seed=0, verbose=0)
        self.assertEqual(result.images.shape, (3, 4, 4, 1))
        self.assertEqual(result.loss_history.shape, (1500, 3, 8))
        self.assertAllClose(result.latents, self.true_latents, atol=3e-3)
        self.assertAllGreater(hole_psnr(result.images, self.targets, self.mask), 60.0)
        self.assertAllLess(
            hole_psnr(mean_fill(self.images, self.mask), self.targets, self.mask), 40
        )
        known = np.broadcast_to(self.mask[..., None] > 0, self.images.shape)
        self.assertAllEqual(result.images[known], self.images[known])
        self.assertAllEqual(result.images[~known], result.generated[~known])
        self.assertAllEqual(result.prior_losses, np.zeros(3))
        for before, after in zip(weights, weights_of(generator), strict=True):
            self.assertAllEqual(before, after)

    def test_contextual_loss_falls_on_average(self):
        result = inpaint(
            linear_generator(self.matrix),
            self.images,
            self.mask,
            prior_weight=0,
            num_steps=400,
            seed=0,
            verbose=0,
        )
        means = result.loss_history.reshape(10, 40, -1).mean(axis=(1, 2))
        self.assertAllLess(np.diff(means), 0.0)

    def test_prior_loss_with_a_discriminator(self):
        gan = tiny_gan(num_classes=3)
        labels = np.array([0, 2])
        targets = gan.generate(np.array([[0.3, -0.2, 0.1], [-0.4, 0.2, 0.2]]), labels)
        before = weights_of(gan)
        mask = random_mask(4, fraction=0.25, seed=0)
        result = inpaint(
            gan,
            targets,
            mask,
            labels=labels,
            prior_weight=0.5,
            num_steps=100,
            num_candidates=3,
            latent_range=0.5,
            seed=0,
            verbose=0,
        )
        for a, b in zip(before, weights_of(gan), strict=True):
            self.assertAllEqual(a, b)
        self.assertAllLessEqual(np.abs(result.latents), 0.5)
        generated = gan.generate(result.latents, labels)
        self.assertAllClose(result.generated, generated, atol=1e-6)
        logits = gan.discriminator({"image": generated, "label": labels}, training=False)
        expected_prior = np.log(1.0 - 1.0 / (1.0 + np.exp(-np.asarray(logits)[:, 0])))
        self.assertAllClose(result.prior_losses, expected_prior, atol=1e-5)
        weights = scipy_weights(mask, 7)[None, ..., None]
        expected_context = np.sum(weights * np.abs(generated - targets), axis=(1, 2, 3))
        self.assertAllClose(result.contextual_losses, expected_context, atol=1e-5)
        self.assertAllClose(result.losses, expected_context + 0.5 * expected_prior, atol=1e-5)

    def test_latents_stay_in_range(self):
        # The hole's best match lies outside the range: the latents end on its edge.
        far = images_of(self.matrix, np.full((1, LATENT_DIM), 2.5)).astype("float32")
        result = inpaint(
            linear_generator(self.matrix),
            far,
            self.mask,
            prior_weight=0,
            num_steps=300,
            num_candidates=2,
            latent_range=1.0,
            learning_rate=0.05,
            seed=0,
            verbose=0,
        )
        self.assertAllLessEqual(np.abs(result.latents), 1.0)
        self.assertAllClose(result.latents, np.ones((1, LATENT_DIM)), atol=0.05)

    def test_poisson_blending(self):
        generator = linear_generator(self.matrix)
        result = inpaint(
            generator,
            self.images,
            self.mask,
            prior_weight=0,
            num_steps=50,
            blending="poisson",
            seed=0,
            verbose=0,
        )
        expected = np.clip(poisson_blend(self.images, result.generated, self.mask), -1, 1)
        self.assertAllClose(result.images, expected, atol=1e-6)
        known = np.broadcast_to(self.mask[..., None] > 0, self.images.shape)
        self.assertAllEqual(result.images[known], self.images[known])

    def test_saved_model(self):
        path = export_generator(
            linear_generator(self.matrix), os.path.join(self.get_temp_dir(), "linear")
        )
        result = inpaint(path, self.images, self.mask, prior_weight=0, seed=0, verbose=0)
        self.assertAllClose(result.latents, self.true_latents, atol=3e-3)

    def test_bad_arguments(self):
        generator = linear_generator(self.matrix)
        with self.assertRaisesRegex(ValueError, "needs a discriminator.*prior_weight=0"):
            inpaint(generator, self.images, self.mask, verbose=0)
        source = GeneratorSource(generator)
        with self.assertRaisesRegex(
            ValueError, r"must have shape \(4, 4\).*Received: shape=\(4, 5\)"
        ):
            inpaint(source, self.images, np.ones((4, 5)), prior_weight=0, verbose=0)
        with self.assertRaisesRegex(ValueError, r"only 0 \(missing pixel\) and 1.*\{0, 0.5, 1\}"):
            mask = self.mask.copy()
            mask[0, 0] = 0.5
            inpaint(source, self.images, mask, prior_weight=0, verbose=0)
        with self.assertRaisesRegex(ValueError, r"must lie in \[-1, 1\].*to 3.0"):
            inpaint(source, self.images * 0 + 3.0, self.mask, prior_weight=0, verbose=0)
        with self.assertRaisesRegex(
            ValueError, r"generator's image shape. Received: shape=\(3, 8, 8, 1\)"
        ):
            inpaint(source, np.zeros((3, 8, 8, 1)), center_mask(8), prior_weight=0, verbose=0)
        with self.assertRaisesRegex(ValueError, "`window_size` must be odd"):
            inpaint(source, self.images, self.mask, prior_weight=0, window_size=6, verbose=0)
        with self.assertRaisesRegex(
            ValueError, r"`blending` must be one of \['paste', 'poisson'\]"
        ):
            inpaint(source, self.images, self.mask, prior_weight=0, blending="alpha", verbose=0)
        with self.assertRaisesRegex(ValueError, "`prior_weight` must be a number >= 0.0"):
            inpaint(source, self.images, self.mask, prior_weight=-1.0, verbose=0)
