import os

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import presets
from keras_gans.losses import GradientPenalty
from tests.testing import tiny_images
from tests.testing import tiny_labels


class MixedPrecisionTest(tf.test.TestCase, parameterized.TestCase):
    def tearDown(self):
        keras.mixed_precision.set_global_policy("float32")
        super().tearDown()

    def _gan(self, policy, **compile_args):
        keras.mixed_precision.set_global_policy(policy)
        return presets.gan(
            image_shape=(28, 28, 1),
            latent_dim=8,
            num_classes=3,
            generator_args={"hidden_units": (16,)},
            discriminator_args={"hidden_units": (16,)},
            seed=0,
            **compile_args,
        )

    @parameterized.parameters("mixed_float16", "mixed_bfloat16")
    def test_fit_is_finite_and_outputs_float32(self, policy):
        gan = self._gan(policy, penalties=[GradientPenalty(10.0)])
        dense = [layer for layer in gan.generator.layers if isinstance(layer, keras.layers.Dense)]
        self.assertEqual(dense[0].compute_dtype, policy.split("_")[1])
        history = gan.fit(
            tiny_images(16, image_shape=(28, 28, 1)), tiny_labels(16), batch_size=8, verbose=0
        ).history
        for key in ("d_loss", "g_loss", "gradient_penalty"):
            self.assertTrue(np.isfinite(history[key][0]), (key, history))
        images = gan.generate(4, labels=1)
        self.assertEqual(images.dtype, np.float32)
        exported = tf.saved_model.load(
            gan.export_generator(os.path.join(self.get_temp_dir(), policy))
        )
        outputs = exported.serve(tf.zeros((2, 8)), tf.constant([0, 2]))["images"]
        self.assertEqual(outputs.dtype, tf.float32)

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
