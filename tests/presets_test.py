import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import losses
from keras_gans import presets
from keras_gans.data import load_mnist_sample

SMALL = {"base_filters": 4}


def _digits(n=40):
    images, labels = load_mnist_sample()
    return (images[:n].astype("float32") / 127.5 - 1.0), labels[:n]


class PresetTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.parameters(
        ("gan", {"hidden_units": (16,)}, {"hidden_units": (16,)}),
        ("cgan", {"hidden_units": (16,)}, {"hidden_units": (16,)}),
        ("dcgan", SMALL, SMALL),
        ("lsgan", SMALL, SMALL),
        ("wgan", SMALL, SMALL),
        ("wgan_gp", SMALL, SMALL),
        ("sngan", SMALL, SMALL),
    )
    def test_fits_with_finite_changing_losses(self, name, generator_args, discriminator_args):
        gan = presets.get(
            name,
            image_shape=(28, 28, 1),
            latent_dim=8,
            generator_args=generator_args,
            discriminator_args=discriminator_args,
            seed=0,
        )
        images, labels = _digits()
        y = labels if gan.conditional else None
        before = [w.copy() for w in gan.generator.get_weights()]
        history = gan.fit(images, y, batch_size=10, epochs=2, shuffle=False, verbose=0).history
        for key in ("d_loss", "g_loss"):
            self.assertTrue(np.all(np.isfinite(history[key])), (key, history[key]))
            self.assertNotEqual(history[key][0], history[key][1])
        self.assertTrue(
            any(
                not np.allclose(a, b)
                for a, b in zip(before, gan.generator.get_weights(), strict=True)
            )
        )

    def test_recipes(self):
        wgan = presets.wgan(image_shape=(28, 28, 1))
        self.assertIs(wgan.d_loss_fn, losses.wasserstein_discriminator_loss)
        self.assertEqual(wgan.d_steps, 5)
        self.assertEqual(wgan.weight_clip, 0.01)
        self.assertIsInstance(wgan.d_optimizer, keras.optimizers.RMSprop)
        self.assertAllClose(wgan.d_optimizer.learning_rate, 5e-5)

        gp = presets.wgan_gp(image_shape=(28, 28, 1))
        self.assertEqual(
            [p.get_config() for p in gp.penalties],
            [{"weight": 10.0, "target": 1.0, "one_sided": False}],
        )
        self.assertEqual(gp.d_steps, 5)
        self.assertAllClose(gp.g_optimizer.learning_rate, 1e-4)
        self.assertAllClose(gp.g_optimizer.beta_1, 0.0)
        self.assertAllClose(gp.g_optimizer.beta_2, 0.9)
        layer_types = {type(layer).__name__ for layer in gp.discriminator.layers}
        self.assertIn("LayerNormalization", layer_types)
        self.assertNotIn("BatchNormalization", layer_types)

        sn = presets.sngan(image_shape=(32, 32, 3))
        self.assertIs(sn.d_loss_fn, losses.hinge_discriminator_loss)
        wrapped = [
            layer
            for layer in sn.discriminator.layers
            if type(layer).__name__ == "SpectralNormalization"
        ]
        self.assertLen(wrapped, 4)  # three convolutions and the logits

        dc = presets.dcgan()
        self.assertEqual(dc.image_shape, (64, 64, 3))
        self.assertEqual(dc.latent_dim, 100)
        self.assertAllClose(dc.g_optimizer.beta_1, 0.5)
        self.assertIs(
            presets.lsgan(image_shape=(32, 32, 1)).g_loss_fn, losses.least_squares_generator_loss
        )
        self.assertEqual(presets.cgan().num_classes, 10)

    def test_overrides(self):
        gan = presets.wgan(
            image_shape=(32, 32, 3), d_steps=2, weight_clip=0.05, generator_args={"base_filters": 8}
        )
        self.assertEqual(gan.d_steps, 2)
        self.assertEqual(gan.weight_clip, 0.05)
        self.assertEqual(gan.generator.base_filters, 8)
        self.assertEqual(gan.discriminator.base_filters, 64)

    def test_errors(self):
        with self.assertRaisesRegex(ValueError, r"'began'. Valid names are \['cgan', 'dcgan',"):
            presets.get("began")
        with self.assertRaisesRegex(ValueError, r"image_shape=\(48, 48, 3\)"):
            presets.dcgan(image_shape=(48, 48, 3))
        with self.assertRaisesRegex(ValueError, "give `num_classes`"):
            presets.cgan(num_classes=None)
        with self.assertRaisesRegex(ValueError, "d_steps=0"):
            presets.dcgan(image_shape=(28, 28, 1), d_steps=0)
