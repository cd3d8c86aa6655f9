import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import losses
from keras_gans import presets
from keras_gans.architectures import DCGANDiscriminator
from keras_gans.architectures import DCGANGenerator
from keras_gans.architectures import DenseDiscriminator
from keras_gans.architectures import DenseGenerator
from keras_gans.data import load_mnist_sample
from keras_gans.models.schedules import Alternating

SMALL = {"base_filters": 4}


def _digits(n=40):
    images, labels = load_mnist_sample()
    return (images[:n].astype("float32") / 127.5 - 1.0), labels[:n]


def _sgd(learning_rate, momentum):
    return (keras.optimizers.SGD, {"learning_rate": learning_rate, "momentum": momentum})


def _adam(learning_rate, beta_1, beta_2=0.999):
    return (
        keras.optimizers.Adam,
        {"learning_rate": learning_rate, "beta_1": beta_1, "beta_2": beta_2},
    )


def _dcgan_networks(normalization="batch", spectral_norm=False):
    return {
        "generator": (DCGANGenerator, {"base_filters": 64}),
        "discriminator": (
            DCGANDiscriminator,
            {"base_filters": 64, "normalization": normalization, "spectral_norm": spectral_norm},
        ),
    }


_MLP_NETWORKS = {
    "generator": (DenseGenerator, {"hidden_units": (1200, 1200)}),
    "discriminator": (DenseDiscriminator, {"hidden_units": (240, 240), "dropout": 0.5}),
}

# The README's table "Losses, penalties and presets", row by row.
README_PRESETS = {
    "gan": {
        "networks": _MLP_NETWORKS,
        "num_classes": None,
        "loss": losses.NonSaturating,
        "d_steps": 1,
        "weight_clip": None,
        "regularizers": [],
        "optimizer": _sgd(0.1, 0.5),
    },
    "cgan": {
        "networks": _MLP_NETWORKS,
        "num_classes": 10,
        "loss": losses.NonSaturating,
        "d_steps": 1,
        "weight_clip": None,
        "regularizers": [],
        "optimizer": _sgd(0.1, 0.5),
    },
    "dcgan": {
        "networks": _dcgan_networks(),
        "num_classes": None,
        "loss": losses.NonSaturating,
        "d_steps": 1,
        "weight_clip": None,
        "regularizers": [],
        "optimizer": _adam(2e-4, 0.5),
    },
    "lsgan": {
        "networks": _dcgan_networks(),
        "num_classes": None,
        "loss": losses.LeastSquares,
        "d_steps": 1,
        "weight_clip": None,
        "regularizers": [],
        "optimizer": _adam(2e-4, 0.5),
    },
    "wgan": {
        "networks": _dcgan_networks(),
        "num_classes": None,
        "loss": losses.Wasserstein,
        "d_steps": 5,
        "weight_clip": 0.01,
        "regularizers": [],
        "optimizer": (keras.optimizers.RMSprop, {"learning_rate": 5e-5}),
    },
    "wgan_gp": {
        "networks": _dcgan_networks(normalization="layer"),
        "num_classes": None,
        "loss": losses.Wasserstein,
        "d_steps": 5,
        "weight_clip": None,
        "regularizers": [
            (
                losses.GradientPenalty,
                {"weight": 10.0, "target": 1.0, "one_sided": False, "every": 1},
            )
        ],
        "optimizer": _adam(1e-4, 0.0, 0.9),
    },
    "sngan": {
        "networks": _dcgan_networks(normalization=None, spectral_norm=True),
        "num_classes": None,
        "loss": losses.Hinge,
        "d_steps": 5,
        "weight_clip": None,
        "regularizers": [],
        "optimizer": _adam(2e-4, 0.0, 0.9),
    },
}


class PresetTest(tf.test.TestCase, parameterized.TestCase):
    def test_every_readme_preset_has_a_row(self):
        # The growing and style-based recipes are pinned with their networks:
        # tests/architectures/progressive_test.py and stylegan_test.py.
        grown = {"progan", "stylegan", "stylegan2"}
        self.assertEqual(sorted(set(presets.PRESETS) - grown), sorted(README_PRESETS))
        self.assertLessEqual(grown, set(presets.PRESETS))

    @parameterized.named_parameters(*[(name, name) for name in sorted(README_PRESETS)])
    def test_recipe_matches_the_readme_table(self, name):
        row = README_PRESETS[name]
        gan = presets.get(name, image_shape=(32, 32, 1))
        # Loss and schedule.
        self.assertIs(type(gan.loss), row["loss"])
        if row["loss"] is losses.NonSaturating:
            self.assertEqual(gan.loss.label_smoothing, 0.0)
        self.assertIs(type(gan.schedule), Alternating)
        self.assertEqual(gan.schedule.d_steps, row["d_steps"])
        # Each critic update of the paper sees 64 images: batches of d_steps * 64.
        self.assertEqual(gan.schedule.data_batch_size(64), row["d_steps"] * 64)
        self.assertEqual(gan.weight_clip, row["weight_clip"])
        self.assertEqual([(type(r), r.get_config()) for r in gan.regularizers], row["regularizers"])
        self.assertIsNone(gan.feature_matching)
        self.assertIsNone(gan.augmentation)
        # Both players' optimizers: their own objects, of the paper's kind and settings.
        self.assertIsNot(gan.g_optimizer, gan.d_optimizer)
        cls, settings = row["optimizer"]
        for optimizer in (gan.g_optimizer, gan.d_optimizer):
            self.assertIs(type(optimizer), cls)
            config = optimizer.get_config()
            for key, value in settings.items():
                self.assertAllClose(config[key], value, rtol=1e-6, msg=f"{name} {key}")
            self.assertFalse(config["use_ema"])
            if cls is keras.optimizers.SGD:
                self.assertFalse(config["nesterov"])
        # Networks.
        self.assertEqual(gan.num_classes, row["num_classes"])
        for role in ("generator", "discriminator"):
            network = getattr(gan, role)
            cls, attributes = row["networks"][role]
            self.assertIs(type(network), cls)
            self.assertEqual(network.num_classes, row["num_classes"])
            for key, value in attributes.items():
                self.assertEqual(getattr(network, key), value, f"{name} {role} {key}")
        if row["networks"]["generator"][0] is DenseGenerator:
            self.assertFalse(gan.generator.use_batch_norm)
            rates = [
                x.rate for x in gan.discriminator.layers if isinstance(x, keras.layers.Dropout)
            ]
            self.assertEqual(rates, [0.5, 0.5])
        layer_types = {type(layer).__name__ for layer in gan.discriminator.layers}
        norm = getattr(gan.discriminator, "normalization", None)
        self.assertEqual("LayerNormalization" in layer_types, norm == "layer")
        self.assertEqual("BatchNormalization" in layer_types, norm == "batch")
        if name == "sngan":
            wrapped = [
                layer
                for layer in gan.discriminator.layers
                if type(layer).__name__ == "SpectralNormalization"
            ]
            self.assertLen(wrapped, 4)  # three convolutions and the logits

    def test_defaults(self):
        dc = presets.dcgan()
        self.assertEqual(dc.image_shape, (64, 64, 3))
        self.assertEqual(dc.latent_dim, 100)
        mlp = presets.gan()
        self.assertEqual((mlp.image_shape, mlp.latent_dim), ((28, 28, 1), 100))
        self.assertEqual(presets.cgan().num_classes, 10)

    @parameterized.named_parameters(
        ("gan", "gan", {"hidden_units": (16,)}, {"hidden_units": (16,)}),
        ("cgan", "cgan", {"hidden_units": (16,)}, {"hidden_units": (16,)}),
        ("dcgan", "dcgan", SMALL, SMALL),
        ("lsgan", "lsgan", SMALL, SMALL),
        ("wgan", "wgan", SMALL, SMALL),
        ("wgan_gp", "wgan_gp", SMALL, SMALL),
        ("sngan", "sngan", SMALL, SMALL),
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
        # 40 images in batches of 10, twice: 8 generator updates, d_steps critic
        # updates each (on slices of 10 // d_steps images).
        d_steps = README_PRESETS[name]["d_steps"]
        self.assertEqual(int(gan.g_optimizer.iterations), 8)
        self.assertEqual(int(gan.d_optimizer.iterations), 8 * d_steps)
        names = ["gradient_penalty"] if name == "wgan_gp" else []
        kind = ("d_real", "d_fake") if gan.loss.outputs == "probability" else None
        kind = kind or ("critic_real", "critic_fake")
        self.assertEqual(sorted(history), sorted(["d_loss", "g_loss", *kind, *names]))
        if name == "wgan":
            # Clipped after each of the 5 critic updates: every critic weight,
            # the last update's too, lies in [-0.01, 0.01].
            for variable in gan.discriminator.trainable_variables:
                self.assertAllInRange(variable, -0.01, 0.01)

    def test_overrides(self):
        gan = presets.wgan(
            image_shape=(32, 32, 3), d_steps=2, weight_clip=0.05, generator_args={"base_filters": 8}
        )
        self.assertEqual(gan.schedule.d_steps, 2)
        self.assertEqual(gan.schedule.data_batch_size(64), 128)
        self.assertEqual(gan.weight_clip, 0.05)
        self.assertEqual(gan.generator.base_filters, 8)
        self.assertEqual(gan.discriminator.base_filters, 64)
        self.assertIs(type(gan.loss), losses.Wasserstein)  # the rest of the recipe stays
        gp = presets.wgan_gp(image_shape=(32, 32, 1), regularizers=[losses.R1Penalty(5.0)])
        self.assertEqual([type(r) for r in gp.regularizers], [losses.R1Penalty])
        smoothed = presets.dcgan(
            image_shape=(32, 32, 1), loss=losses.NonSaturating(label_smoothing=0.2)
        )
        self.assertEqual(smoothed.loss.label_smoothing, 0.2)

    def test_errors(self):
        with self.assertRaisesRegex(ValueError, r"'began'. Valid names are \['cgan', 'dcgan',"):
            presets.get("began")
        with self.assertRaisesRegex(ValueError, r"image_shape=\(48, 48, 3\)"):
            presets.dcgan(image_shape=(48, 48, 3))
        with self.assertRaisesRegex(ValueError, "give `num_classes`"):
            presets.cgan(num_classes=None)
        with self.assertRaisesRegex(
            ValueError, "`d_steps` must be a positive integer. Received: d_steps=0"
        ):
            presets.dcgan(image_shape=(28, 28, 1), d_steps=0)
