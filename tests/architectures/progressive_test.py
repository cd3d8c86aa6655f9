import os

import keras
import numpy as np
import tensorflow as tf

import keras_gans
from keras_gans.architectures import ProgressiveDiscriminator
from keras_gans.architectures import ProgressiveGenerator
from keras_gans.architectures.progressive import blend_images
from keras_gans.architectures.progressive import compute_progress
from keras_gans.architectures.progressive import stage_index
from keras_gans.losses import DriftPenalty
from keras_gans.losses import GradientPenalty
from keras_gans.models import Progressive
from tests.test_case import TestCase

TINY_G = {"latent_dim": 8, "image_shape": (16, 16, 1), "channel_base": 64, "channel_max": 16}
TINY_D = {"image_shape": (16, 16, 1), "channel_base": 64, "channel_max": 16}


def _latents(n=4, seed=0):
    return np.random.default_rng(seed).standard_normal((n, 8)).astype("float32")


def _images(n=8, seed=0, side=16):
    return np.random.default_rng(seed).uniform(-1, 1, (n, side, side, 1)).astype("float32")


def _box_down(x, factor):
    n, h, w, c = x.shape
    return x.reshape(n, h // factor, factor, w // factor, factor, c).mean(axis=(2, 4))


def _nearest_up(x, factor):
    return x.repeat(factor, axis=1).repeat(factor, axis=2)


class ScheduleMathTest(TestCase):
    def test_progress_matches_tf_gan(self):
        # TF-GAN's compute_progress test: stable 7, transition 8, 2 blocks.
        ids = np.array([0, 3, 6, 7, 8, 10, 15, 29, 100])
        expected = [0, 0, 0, 0, 0.125, 0.375, 1, 1, 1]
        self.assertAllClose(compute_progress(ids, 7, 8, 2), expected)

    def test_generator_block_weights_match_tf_gan(self):
        # TF-GAN's _generator_alpha(2, p): the weight of the second block's image.
        g = ProgressiveGenerator(**{**TINY_G, "image_shape": (32, 32, 1)})  # 4 blocks
        z = _latents()
        rgb = [g._stable(z, i, False).numpy() for i in range(4)]  # each block alone, full size
        progresses = [0, 0.2, 1, 1.2, 2, 2.2, 3]
        for progress, weight in zip(progresses, [0, 0.2, 1, 0.8, 0, 0, 0], strict=True):
            g.level.assign(progress)
            # Each block's share of the image; the second block's is TF-GAN's alpha.
            shares = np.zeros(4)
            block = int(np.floor(progress))
            alpha = progress - block
            shares[block] = 1 - alpha
            if alpha:
                shares[block + 1] = alpha
            self.assertAllClose(shares[1], weight)
            expected = sum(share * image for share, image in zip(shares, rgb, strict=True))
            self.assertAllClose(g(z), expected, atol=1e-5)

    def test_fade_in_ends_at_both_paths(self):
        g = ProgressiveGenerator(**TINY_G)
        d = ProgressiveDiscriminator(**TINY_D)
        z, x = _latents(), _images(4)
        for i in range(g.num_blocks - 1):
            self.assertAllClose(g._fading(z, i, 0.0, False), g._stable(z, i, False), atol=1e-6)
            self.assertAllClose(g._fading(z, i, 1.0, False), g._stable(z, i + 1, False), atol=1e-6)
            self.assertAllClose(d._fading(x, i, 0.0, False), d._stable(x, i, False), atol=1e-5)
            self.assertAllClose(d._fading(x, i, 1.0, False), d._stable(x, i + 1, False), atol=1e-5)

    def test_stage_index(self):
        levels = [0.0, 0.3, 1.0, 1.5, 2.0, 5.0]
        self.assertAllEqual([int(stage_index(v, 3)) for v in levels], [0, 1, 2, 3, 4, 4])

    def test_blended_real_images(self):
        # TF-GAN's blend_images test: progress 0 gives the coarsest images,
        # 0.2 mixes 0.8 of them with 0.2 of the next resolution.
        x = _images(2)
        coarse = _nearest_up(_box_down(x, 4), 4)
        finer = _nearest_up(_box_down(x, 2), 2)
        self.assertAllClose(blend_images(tf.constant(x), 0.0, 3), coarse, atol=1e-6)
        self.assertAllClose(
            blend_images(tf.constant(x), 0.2, 3), 0.8 * coarse + 0.2 * finer, atol=1e-6
        )
        self.assertAllClose(blend_images(tf.constant(x), 2.0, 3), x, atol=1e-6)
        # A constant image stays that constant at every level.
        constant = np.full((1, 16, 16, 1), 0.3, "float32")
        for level in (0.0, 0.7, 1.4, 2.0):
            self.assertAllClose(blend_images(tf.constant(constant), level, 3), constant, atol=1e-6)

    def test_batch_sizes_per_stage_match_tf_gan(self):
        # TF-GAN's get_batch_size: schedule [8, 4, 2] left-padded over 5 resolutions.
        schedule = Progressive(1, 1, batch_sizes={4: 8, 32: 4, 64: 2})
        schedule._resolutions = [4, 8, 16, 32, 64]
        sizes = [schedule.batch_size_at(r) for r in (4, 8, 16, 32, 64)]
        self.assertEqual(sizes, [8, 8, 8, 4, 2])
        levels = [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]
        per_stage = [sizes[min(int(np.ceil(v)), 4)] for v in levels]
        self.assertEqual(per_stage, [8, 8, 8, 8, 8, 4, 4, 2, 2])


class NetworkTest(TestCase):
    def test_builders(self):
        self.run_builder_test(
            ProgressiveGenerator,
            TINY_G,
            _latents(),
            expected_output_shape=(4, 16, 16, 1),
            partner=ProgressiveDiscriminator(**TINY_D),
            images=_images(),
        )
        self.run_builder_test(
            ProgressiveDiscriminator,
            TINY_D,
            _images(4),
            expected_output_shape=(4, 1),
            partner=ProgressiveGenerator(**TINY_G),
            images=_images(),
        )

    def test_only_the_blocks_in_use_get_gradients(self):
        # TF-GAN's gradient gating: a block trains from the image it fades in
        # at; a block's to-RGB only while its image is shown.
        g = ProgressiveGenerator(**TINY_G)

        def gradient_norms(layers):
            with tf.GradientTape() as tape:
                value = tf.reduce_sum(g(_latents()) ** 2)
            variables = [v for layer in layers for v in layer.trainable_variables]
            norms, position = [], 0
            gradients = tape.gradient(value, variables)
            for layer in layers:
                count = len(layer.trainable_variables)
                grads = gradients[position : position + count]
                position += count
                norms.append(
                    sum(0.0 if x is None else float(tf.reduce_sum(tf.abs(x))) for x in grads)
                )
            return norms

        for level in (0.0, 0.5, 1.0, 1.5, 2.0):
            g.level.assign(level)
            low, high = int(np.floor(level)), int(np.ceil(level))
            convs = gradient_norms([layer for block in g.blocks for layer in block][::-1])[::-1]
            blocks_used = [i for i, block in enumerate(g.blocks) for _ in block]
            for used_by, norm in zip(blocks_used, convs, strict=True):
                self.assertEqual(norm > 0, used_by <= high, msg=f"level {level}, block {used_by}")
            rgb = gradient_norms(g.to_rgb)
            for i, norm in enumerate(rgb):
                self.assertEqual(norm > 0, i in (low, high), msg=f"level {level}, to_rgb {i}")


class ProgressiveTrainingTest(TestCase):
    def _gan(self, **kwargs):
        keras.utils.set_random_seed(0)  # the same initial weights every time
        # Two blocks (4x4 and 8x8): three stages, the fewest that grow.
        return keras_gans.presets.progan(
            image_shape=(8, 8, 1),
            size="small",
            stable_images=32,
            transition_images=32,
            batch_sizes={4: 16, 8: 8},
            seed=0,
            generator_args={"channel_base": 64, "channel_max": 16, "latent_dim": 8},
            discriminator_args={"channel_base": 64, "channel_max": 16},
            **kwargs,
        )

    def test_grows_over_one_fit_and_resets_the_optimizers(self):
        gan = self._gan()
        x = _images(64, side=8)
        levels, stages = [], []
        for _ in range(8):
            gan.fit(x, batch_size=16, epochs=1, verbose=0, steps_per_epoch=1)
            levels.append(float(gan.generator.level.numpy()))
            stages.append(int(gan.schedule.stage.numpy()))
        # Each step runs at the level of the images shown before it: 3 steps of
        # 16 at 4x4 (0, 16, 32 shown: the fade starts after 32), then 8 at a time.
        shown = int(gan.schedule.images_shown.numpy())
        self.assertEqual(shown, 16 * 3 + 8 * 5)
        self.assertAllClose(levels, [0, 0, 0, 0.5, 0.75, 1, 1, 1])
        self.assertEqual(stages, [0, 0, 0, 1, 1, 2, 2, 2])
        self.assertEqual(float(gan.discriminator.level.numpy()), levels[-1])
        # The optimizers restarted when the stable phase at 8x8 began (3 steps ago).
        self.assertEqual(int(gan.d_optimizer.iterations.numpy()), 3)
        self.assertEqual(int(gan.g_optimizer.iterations.numpy()), 3)
        self.assertAllClose(gan.d_optimizer.learning_rate, 0.001)

    def test_a_saved_model_resumes_the_schedule_where_it_was(self):
        x = _images(64, side=8)
        # Without the gradient penalty, whose nested gradients double the time
        # to trace the step; its noise's resumption is the engine's (tests/models).
        # 4 epochs of 64 images: through all three stages (32 + 32 images, then
        # stable at 8x8), saved and resumed after 2, in the last stage.
        straight = self._gan(regularizers=[DriftPenalty(0.001)])
        straight.fit(x, batch_size=16, epochs=4, verbose=0)
        resumed = self._gan(regularizers=[DriftPenalty(0.001)])
        resumed.fit(x, batch_size=16, epochs=2, verbose=0)
        path = os.path.join(self.get_temp_dir(), "progan.keras")
        resumed.save(path)
        resumed = keras.models.load_model(path)
        self.assertIsInstance(resumed.schedule, Progressive)
        resumed.fit(x, batch_size=16, epochs=2, verbose=0)
        for name in ("images_shown", "stage"):
            self.assertEqual(
                int(getattr(resumed.schedule, name).numpy()),
                int(getattr(straight.schedule, name).numpy()),
            )
        self.assertEqual(
            float(resumed.generator.level.numpy()), float(straight.generator.level.numpy())
        )
        for a, b in zip(
            resumed.generator.get_weights(), straight.generator.get_weights(), strict=True
        ):
            self.assertAllClose(a, b, atol=1e-5)

    def test_recipe(self):
        gan = keras_gans.presets.progan(image_shape=(64, 64, 3))
        self.assertIsInstance(gan.loss, keras_gans.losses.Wasserstein)
        gp, drift = gan.regularizers
        self.assertIsInstance(gp, GradientPenalty)
        self.assertEqual(gp.weight, 10.0)
        self.assertIsInstance(drift, DriftPenalty)
        self.assertEqual(drift.weight, 0.001)
        for optimizer in (gan.g_optimizer, gan.d_optimizer):
            self.assertAllClose(
                (optimizer.learning_rate, optimizer.beta_1, optimizer.beta_2, optimizer.epsilon),
                (0.001, 0.0, 0.99, 1e-8),
            )
        self.assertTrue(gan.uses_ema)
        self.assertAllClose(gan.g_optimizer.ema_momentum, 0.999)
        self.assertEqual(gan.schedule.batch_sizes, {4: 128, 8: 128, 16: 128, 32: 64, 64: 32})
        self.assertEqual(gan.schedule.total_images(), 4 * 1_200_000 + 600_000)
        self.assertEqual(gan.generator.channels(4), 512)
        self.assertEqual(gan.generator.channels(64), 256)

    def test_drift_is_on_real_scores_only(self):
        critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, use_bias=False)])
        critic.set_weights([np.array([[1.0], [2.0]], "float32")])
        real = np.array([[1.0, 0.0], [0.0, 1.0]], "float32")  # scores 1 and 2

        class Inputs:
            def discriminator_fn(self, samples):
                return critic(samples)

        inputs = Inputs()
        inputs.real, inputs.fake = real, np.full((2, 2), 9.0, "float32")
        self.assertAllClose(DriftPenalty(0.001).compute(inputs), (1 + 4) / 2)

    def test_mixed_precision_steps_are_finite(self):
        keras.mixed_precision.set_global_policy("mixed_float16")
        try:
            # The drift term only: the gradient penalty under float16 is
            # tests/models/mixed_precision_test.py's, and doubles the tracing here.
            gan = self._gan(regularizers=[DriftPenalty(0.001)])
            history = gan.fit(_images(64, side=8), batch_size=16, epochs=3, verbose=0).history
        finally:
            keras.mixed_precision.set_global_policy("float32")
        for key, values in history.items():
            self.assertTrue(np.all(np.isfinite(values)), msg=f"{key}: {values}")
        self.assertEqual(float(gan.generator.level.numpy()), 1.0)
