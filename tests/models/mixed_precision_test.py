import os

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

import keras_gans
from keras_gans import AdversarialModel
from keras_gans import presets
from keras_gans.losses import GANLoss
from keras_gans.losses import GradientPenalty
from keras_gans.losses import non_saturating_discriminator_loss
from keras_gans.losses import non_saturating_generator_loss
from tests.testing import tiny_discriminator
from tests.testing import tiny_generator
from tests.testing import tiny_images
from tests.testing import tiny_labels


class MixedPrecisionTest(tf.test.TestCase, parameterized.TestCase):
    def tearDown(self):
        keras.mixed_precision.set_global_policy("float32")
        super().tearDown()

    def _gan(self, policy, dropout=0.5, **compile_args):
        keras.mixed_precision.set_global_policy(policy)
        return presets.gan(
            image_shape=(28, 28, 1),
            latent_dim=8,
            num_classes=3,
            generator_args={"hidden_units": (16,)},
            discriminator_args={"hidden_units": (16,), "dropout": dropout},
            seed=0,
            **compile_args,
        )

    @parameterized.parameters("mixed_float16", "mixed_bfloat16")
    def test_fit_is_finite_and_outputs_float32(self, policy):
        gan = self._gan(policy, penalties=[GradientPenalty(10.0)])
        dense = [layer for layer in gan.generator.layers if isinstance(layer, keras.layers.Dense)]
        self.assertEqual(dense[0].compute_dtype, policy.split("_")[1])
        # Latents are drawn in float32 (a bfloat16 draw would keep 8 bits of each).
        self.assertEqual(gan.sample_latents(4).dtype, tf.float32)
        history = gan.fit(
            tiny_images(16, image_shape=(28, 28, 1)), tiny_labels(16), batch_size=8, verbose=0
        ).history
        for key in ("d_loss", "g_loss", "gradient_penalty"):
            self.assertTrue(np.isfinite(history[key][0]), (key, history))
        images = gan.generate(4, labels=1)
        self.assertEqual(images.dtype, np.float32)
        exported = tf.saved_model.load(
            keras_gans.export_generator(gan, os.path.join(self.get_temp_dir(), policy))
        )
        outputs = exported.serve(tf.zeros((2, 8)), tf.constant([0, 2]))["images"]
        self.assertEqual(outputs.dtype, tf.float32)

    @parameterized.parameters("mixed_float16", "mixed_bfloat16")
    def test_one_step_logs_agree_with_float32(self, policy):
        # The same weights and latents under float32 and a mixed policy: the
        # logged losses and penalty of one step differ only by rounding.
        latents = tf.constant(np.random.default_rng(0).normal(size=(8, 8)), "float32")
        images = tiny_images(8, image_shape=(28, 28, 1))
        labels = tiny_labels(8)
        logs, weights = {}, None
        for name in ("float32", policy):
            gan = self._gan(
                name,
                dropout=0.0,  # the same forward pass under both policies
                penalties=[GradientPenalty(10.0)],
                g_optimizer=keras.optimizers.SGD(0.01),
                d_optimizer=keras.optimizers.SGD(0.01),
            )
            if weights is None:
                weights = [v.numpy() for v in gan.generator.weights + gan.discriminator.weights]
            else:
                for variable, value in zip(
                    gan.generator.weights + gan.discriminator.weights, weights, strict=True
                ):
                    variable.assign(value)
            gan.sample_latents = lambda batch_size, training=True: latents
            logs[name] = gan.train_on_batch(images, labels, return_dict=True)
        self.assertEqual(sorted(logs[policy]), sorted(logs["float32"]))
        for key, value in logs["float32"].items():
            self.assertAllClose(logs[policy][key], value, rtol=1e-2, atol=1e-2, msg=key)
        self.assertGreater(float(logs["float32"]["gradient_penalty"]), 0.1)

    def test_float16_logits_give_float32_losses_and_penalties(self):
        # A custom discriminator under mixed_float16 returns float16 logits;
        # the losses and penalties still see float32 outputs.
        seen = []

        def g_loss(fake_logits):
            seen.append(("generator_loss", fake_logits.dtype))
            return non_saturating_generator_loss(fake_logits)

        def d_loss(real_logits, fake_logits):
            seen.append(("discriminator_loss", real_logits.dtype))
            seen.append(("discriminator_loss", fake_logits.dtype))
            return non_saturating_discriminator_loss(real_logits, fake_logits)

        class RecordingPenalty(GradientPenalty):
            def compute(self, inputs):
                seen.append(("penalty_outputs", inputs.discriminator_fn(inputs.real).dtype))
                value = super().compute(inputs)
                seen.append(("penalty_value", value.dtype))
                return value

        keras.mixed_precision.set_global_policy("mixed_float16")
        generator, discriminator = tiny_generator(), tiny_discriminator()
        raw = discriminator(tf.zeros((2, 4, 4, 1)))
        self.assertEqual(raw.dtype, tf.float16)  # the network itself gives float16
        gan = AdversarialModel(generator, discriminator, seed=0)
        gan.compile(
            loss=GANLoss(g_loss, d_loss, outputs="probability"),
            penalties=[RecordingPenalty(10.0)],
        )
        history = gan.fit(tiny_images(8), batch_size=8, verbose=0).history
        self.assertEqual(
            sorted({name for name, _ in seen}),
            ["discriminator_loss", "generator_loss", "penalty_outputs", "penalty_value"],
        )
        for name, dtype in seen:
            self.assertEqual(tf.as_dtype(dtype), tf.float32, msg=name)
        for key in ("d_loss", "g_loss", "gradient_penalty", "d_real", "d_fake"):
            self.assertTrue(np.isfinite(history[key][0]), (key, history))

    def test_float16_gets_loss_scaling_and_keeps_it_across_saving(self):
        gan = self._gan("mixed_float16")
        for optimizer in (gan.g_optimizer, gan.d_optimizer):
            self.assertIsInstance(optimizer, keras.optimizers.LossScaleOptimizer)
        gan.fit(tiny_images(16, image_shape=(28, 28, 1)), tiny_labels(16), batch_size=8, verbose=0)
        gan.d_optimizer.dynamic_scale.assign(1024.0)  # a state worth keeping
        path = os.path.join(self.get_temp_dir(), "mixed.keras")
        gan.save(path)
        loaded = keras.models.load_model(path)
        for name in ("g_optimizer", "d_optimizer"):
            original, restored = getattr(gan, name), getattr(loaded, name)
            self.assertIsInstance(restored, keras.optimizers.LossScaleOptimizer)
            self.assertEqual(float(restored.dynamic_scale), float(original.dynamic_scale))
            self.assertEqual(int(restored.step_counter), int(original.step_counter))
            self.assertEqual(int(restored.iterations), int(original.iterations))
        self.assertEqual(float(loaded.d_optimizer.dynamic_scale), 1024.0)

    def test_bfloat16_needs_no_loss_scaling(self):
        gan = self._gan("mixed_bfloat16")
        self.assertNotIsInstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)
