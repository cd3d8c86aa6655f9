import json
import math
import os

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import AdversarialModel
from keras_gans.applications import mode_collapse
from keras_gans.applications.mode_collapse import lab
from keras_gans.layers import PackSamples
from keras_gans.losses import GradientPenalty
from keras_gans.losses import NonSaturating
from keras_gans.losses import Wasserstein
from keras_gans.models.vae import VAE

# Tiny networks and epochs: the recipes' code paths at a fraction of the cost.
TINY_GAN = {
    "generator_units": (8,),
    "discriminator_units": (8,),
    "pieces": 2,
    "epoch_examples": 200,
    "batch_size": 20,
}
TINY = {
    "gan": TINY_GAN,
    "pacgan": TINY_GAN,
    "wgan_gp": TINY_GAN,
    "vae": {"vae_units": (8,), "epoch_examples": 200, "batch_size": 20},
}


def _two_modes():
    """A tiny 2-D target: two modes far apart."""
    return mode_collapse.GaussianMixture([[-2.0, 0.0], [2.0, 0.0]], std=0.1, name="two_modes")


class MaxoutTest(tf.test.TestCase):
    def test_largest_piece_per_unit(self):
        layer = lab.Maxout(units=2, pieces=3)
        x = np.array([[1.0, -2.0], [0.5, 3.0]], "float32")
        layer.build(x.shape)
        kernel = np.arange(12, dtype="float32").reshape(2, 6) / 10 - 0.5
        bias = np.array([0.1, -0.2, 0.3, 0.0, 0.5, -1.0], "float32")
        layer.set_weights([kernel, bias])
        affine = x @ kernel + bias
        # Unit j takes the max over outputs j * 3 .. j * 3 + 2.
        expected = affine.reshape(2, 2, 3).max(axis=-1)
        self.assertAllClose(layer(x), expected, atol=1e-6)
        self.assertAllClose(expected[0], [max(affine[0, :3]), max(affine[0, 3:])])

    def test_shapes_config_and_keras_file(self):
        layer = lab.Maxout(4, pieces=2, name="maxout")
        self.assertEqual(layer.compute_output_shape((None, 3)), (None, 4))
        config = layer.get_config()
        self.assertEqual((config["units"], config["pieces"]), (4, 2))
        inputs = keras.Input((3,))
        model = keras.Model(inputs, lab.Maxout(4, pieces=2)(inputs))
        self.assertEqual(model.count_params(), 3 * 8 + 8)
        x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
        path = os.path.join(self.get_temp_dir(), "maxout.keras")
        model.save(path)
        self.assertAllClose(keras.models.load_model(path)(x), model(x))

    def test_invalid_arguments(self):
        with self.assertRaisesRegex(ValueError, "units=0"):
            lab.Maxout(0)
        with self.assertRaisesRegex(ValueError, "pieces=1.5"):
            lab.Maxout(3, pieces=1.5)


class NetworksTest(tf.test.TestCase):
    def test_generator_is_the_pacgan_mlp(self):
        generator = lab.generator(seed=0)
        self.assertEqual(tuple(generator.input.shape), (None, 2))
        self.assertEqual(tuple(generator.output.shape), (None, 2))
        dense = [x for x in generator.layers if isinstance(x, keras.layers.Dense)]
        self.assertEqual([x.units for x in dense], [400, 400, 400, 400, 2])
        self.assertEqual([x.use_bias for x in dense], [False] * 4 + [True])
        self.assertEqual(dense[-1].activation.__name__, "linear")
        norms = [x for x in generator.layers if isinstance(x, keras.layers.BatchNormalization)]
        self.assertLen(norms, 4)
        self.assertLen([x for x in generator.layers if isinstance(x, keras.layers.ReLU)], 4)
        # Kernels 2x400, 3 x 400x400 and 400x2 with a bias of 2; each batch
        # normalisation has a scale, an offset and two moving statistics of 400.
        self.assertEqual(generator.count_params(), 800 + 3 * 160_000 + 802 + 4 * 4 * 400)
        self.assertAllClose(np.std(dense[1].kernel.numpy()), 0.02, rtol=0.02)

    def test_discriminator_is_three_maxout_layers_and_a_logit(self):
        discriminator = lab.discriminator(seed=0)
        maxouts = [x for x in discriminator.layers if isinstance(x, lab.Maxout)]
        self.assertEqual([(x.units, x.pieces) for x in maxouts], [(200, 5)] * 3)
        self.assertEqual(discriminator.count_params(), (2 + 1) * 1000 + 2 * (200 + 1) * 1000 + 201)
        self.assertAllClose(np.std(maxouts[1].kernel.numpy()), 0.02, rtol=0.02)
        self.assertAllClose(maxouts[1].bias.numpy(), np.zeros(1000))
        self.assertNotIn("pack", [x.name for x in discriminator.layers])
        logits = discriminator(np.zeros((6, 2), "float32"))
        self.assertEqual(tuple(logits.shape), (6, 1))

    def test_packed_and_leaky_relu_discriminators(self):
        discriminator = lab.discriminator(packing=4, activation="leaky_relu", seed=0)
        self.assertEqual(discriminator.get_layer("pack").packing, 4)
        first = discriminator.get_layer("hidden_0_dense")
        self.assertEqual(first.kernel.shape, (8, 200))
        self.assertEqual(tuple(discriminator(np.zeros((8, 2), "float32")).shape), (2, 1))
        slopes = [
            x.negative_slope for x in discriminator.layers if isinstance(x, keras.layers.LeakyReLU)
        ]
        self.assertAllClose(slopes, [0.2] * 3)

    def test_seeded_weights(self):
        a, b = lab.discriminator(seed=3), lab.discriminator(seed=3)
        for x, y in zip(a.get_weights(), b.get_weights(), strict=True):
            self.assertAllEqual(x, y)
        c = lab.discriminator(seed=4)
        self.assertNotAllClose(a.get_weights()[0], c.get_weights()[0])

    def test_fourier_features_of_each_sample_are_packed(self):
        samples = np.random.default_rng(0).normal(size=(8, 2)).astype("float32")
        for keep in (False, True):
            discriminator = lab.discriminator(
                packing=4,
                fourier_features=64,
                fourier_scale=3.0,
                fourier_keep_inputs=keep,
                seed=1,
            )
            layer = discriminator.get_layer("fourier_features")
            frequencies = keras.ops.convert_to_numpy(layer.frequencies)
            phases = keras.ops.convert_to_numpy(layer.phases)
            self.assertEqual(frequencies.shape, (2, 64))
            self.assertAllClose(frequencies.std(), 3.0, atol=0.6)
            self.assertEqual(layer.trainable_weights, [])
            features = np.sin(samples @ frequencies + phases)
            if keep:
                features = np.concatenate([samples, features], axis=1)
            packed = keras.Model(discriminator.input, discriminator.get_layer("pack").output)
            # Consecutive samples' features side by side: (8, d) -> (2, 4 * d).
            self.assertAllClose(packed(samples), features.reshape(2, -1), atol=1e-5)
            self.assertEqual(tuple(discriminator(samples).shape), (2, 1))
        with self.assertRaisesRegex(ValueError, "fourier_keep_inputs='yes'"):
            lab.settings("pacgan", fourier_keep_inputs="yes")

    def test_fourier_features_at_several_scales(self):
        single = lab.FourierFeatures(4000, scale=2.0, seed=3)
        single.build((None, 2))
        split = lab.FourierFeatures(4000, scale=[1.0, 4.0], seed=3)
        split.build((None, 2))
        frequencies = keras.ops.convert_to_numpy(split.frequencies)
        # Feature j has frequencies of std scales[j % 2]; the same normal draws.
        self.assertAllClose(frequencies[:, 0::2].std(), 1.0, atol=0.05)
        self.assertAllClose(frequencies[:, 1::2].std(), 4.0, atol=0.2)
        one = keras.ops.convert_to_numpy(single.frequencies)
        self.assertAllClose(frequencies[:, 0::2], one[:, 0::2] / 2.0, rtol=1e-5, atol=1e-6)
        self.assertAllClose(frequencies[:, 1::2], one[:, 1::2] * 2.0, rtol=1e-5, atol=1e-6)
        restored = lab.FourierFeatures.from_config(split.get_config())
        self.assertEqual(restored.scale, [1.0, 4.0])
        self.assertEqual(lab.settings("pacgan", fourier_scale=(1.0, 4.0))["fourier_scale"], [1, 4])
        with self.assertRaisesRegex(ValueError, r"fourier_scale=\[\]"):
            lab.settings("pacgan", fourier_scale=[])
        with self.assertRaisesRegex(ValueError, "fourier_scale=-1"):
            lab.settings("pacgan", fourier_scale=[1.0, -1.0])


class RecipesTest(tf.test.TestCase, parameterized.TestCase):
    def test_paper_settings(self):
        gan = lab.settings("gan")
        self.assertEqual(gan["generator_units"], (400, 400, 400, 400))
        self.assertEqual(gan["discriminator_units"], (200, 200, 200))
        self.assertEqual((gan["activation"], gan["pieces"], gan["init_std"]), ("maxout", 5, 0.02))
        self.assertEqual((gan["learning_rate"], gan["beta_1"]), (1e-4, 0.8))
        self.assertEqual(
            (gan["batch_size"], gan["epoch_examples"], gan["packing"]), (100, 100_000, 1)
        )
        self.assertEqual(gan["latent_dim"], 2)
        self.assertEqual(lab.settings("pacgan")["packing"], 4)
        self.assertEqual(lab.settings("pacgan", packing=2)["packing"], 2)
        wgan = lab.settings("wgan_gp")
        self.assertEqual(
            (wgan["loss"], wgan["d_steps"], wgan["gradient_penalty"]), ("wasserstein", 5, 10.0)
        )

    def test_bad_settings(self):
        with self.assertRaisesRegex(ValueError, "recipe='dcgan'"):
            lab.settings("dcgan")
        with self.assertRaisesRegex(ValueError, r"Unknown settings of recipe 'gan': \['packin'\]"):
            lab.settings("gan", packin=2)
        with self.assertRaisesRegex(ValueError, "packing=0"):
            lab.settings("pacgan", packing=0)
        with self.assertRaisesRegex(ValueError, "activation='relu'"):
            lab.settings("gan", activation="relu")
        with self.assertRaisesRegex(ValueError, "learning_rate=-0.1"):
            lab.settings("vae", learning_rate=-0.1)
        with self.assertRaisesRegex(ValueError, "target='moon'"):
            lab.run_trial("gan", "moon", epochs=1, seed=0)
        with self.assertRaisesRegex(ValueError, "steps_per_execution=0"):
            lab.settings("gan", steps_per_execution=0)
        with self.assertRaisesRegex(ValueError, "jit_compile='yes'"):
            lab.settings("vae", jit_compile="yes")

    @parameterized.named_parameters(("gan", "gan"), ("vae", "vae"))
    def test_execution_settings_reach_compile(self, recipe):
        tiny = TINY_GAN if recipe == "gan" else TINY["vae"]
        default = lab.build(recipe, seed=0, **tiny)
        self.assertEqual(default.steps_per_execution, 1)
        model = lab.build(recipe, seed=0, steps_per_execution=7, jit_compile=False, **tiny)
        self.assertEqual(model.steps_per_execution, 7)
        self.assertFalse(model.jit_compile)

    def test_generator_weight_average(self):
        self.assertIsNone(lab.settings("pacgan")["ema_momentum"])
        self.assertFalse(lab.build("gan", seed=0, **TINY_GAN).g_optimizer.use_ema)
        gan = lab.build("pacgan", seed=0, ema_momentum=0.999, **TINY_GAN)
        self.assertTrue(gan.g_optimizer.use_ema)
        self.assertAllClose(gan.g_optimizer.ema_momentum, 0.999)
        self.assertFalse(gan.d_optimizer.use_ema)
        with self.assertRaisesRegex(ValueError, "ema_momentum=1.5"):
            lab.settings("gan", ema_momentum=1.5)

    def test_learning_rate_decay(self):
        self.assertIsNone(lab.settings("pacgan")["decay_epochs"])
        constant = lab.build("gan", seed=0, **TINY_GAN)
        self.assertNotIsInstance(
            constant.g_optimizer._learning_rate, keras.optimizers.schedules.LearningRateSchedule
        )
        # WGAN-GP: 5 critic updates per step; an epoch of TINY_GAN is 10
        # critic updates and 2 generator updates.
        gan = lab.build("wgan_gp", seed=0, decay_epochs=3, generator_learning_rate=2e-4, **TINY_GAN)
        g_schedule = gan.g_optimizer._learning_rate
        d_schedule = gan.d_optimizer._learning_rate
        self.assertEqual(g_schedule.decay_steps, 6)
        self.assertEqual(d_schedule.decay_steps, 30)
        for step in (0, 2, 6, 9):
            fraction = min(step, 6) / 6
            expected = 2e-4 * 0.5 * (1 + np.cos(np.pi * fraction))
            self.assertAllClose(float(g_schedule(step)), expected, atol=1e-10)
        self.assertAllClose(float(d_schedule(15)), 1e-4 * 0.5, atol=1e-10)
        with self.assertRaisesRegex(ValueError, "decay_epochs=0"):
            lab.settings("gan", decay_epochs=0)

    def test_built_models(self):
        gan = lab.build("gan", seed=0, **TINY_GAN)
        self.assertIsInstance(gan, AdversarialModel)
        self.assertIsInstance(gan.loss, NonSaturating)
        self.assertEqual(gan.schedule.d_steps, 1)
        self.assertEmpty(gan.regularizers)
        for optimizer in (gan.g_optimizer, gan.d_optimizer):
            self.assertAllClose(float(optimizer.learning_rate), 1e-4)
            self.assertAllClose(optimizer.beta_1, 0.8)
        self.assertEqual(gan.latent_dim, 2)

        pacgan = lab.build("pacgan", seed=0, **TINY_GAN)
        self.assertEqual(pacgan.discriminator.get_layer("pack").packing, 4)
        self.assertIsInstance(pacgan.discriminator.layers[1], PackSamples)

        wgan = lab.build("wgan_gp", seed=0, **TINY_GAN)
        self.assertIsInstance(wgan.loss, Wasserstein)
        self.assertEqual(wgan.schedule.d_steps, 5)
        (penalty,) = wgan.regularizers
        self.assertIsInstance(penalty, GradientPenalty)
        self.assertEqual(penalty.weight, 10.0)

        vae = lab.build("vae", seed=0, **TINY["vae"])
        self.assertIsInstance(vae, VAE)
        self.assertEqual(vae.latent_dim, 2)
        self.assertAllClose(float(vae.optimizer.learning_rate), 1e-3)

    @parameterized.named_parameters(
        ("gan", "gan", 100, 1000), ("pacgan", "pacgan", 400, 1000), ("wgan_gp", "wgan_gp", 500, 200)
    )
    def test_training_data_batches(self, recipe, batch, steps):
        # Each discriminator update sees 100 examples (packs of 4 for PacGAN); an
        # epoch is 100,000 examples.
        data = lab.training_data(recipe, "ring_2d", seed=0)
        self.assertEqual(tuple(data.element_spec.shape), (batch, 2))
        self.assertEqual(int(data.cardinality()), steps)

    @parameterized.named_parameters(
        ("gan", "gan"), ("pacgan", "pacgan"), ("wgan_gp", "wgan_gp"), ("vae", "vae")
    )
    def test_recipe_fits_an_epoch_on_a_tiny_target(self, recipe):
        target = _two_modes()
        model = lab.build(recipe, seed=0, **TINY[recipe])
        before = [v.numpy() for v in model.trainable_variables]
        data = lab.training_data(recipe, target, seed=0, **TINY[recipe])
        history = model.fit(data, epochs=1, verbose=0).history
        expected = {"loss", "reconstruction", "kl"} if recipe == "vae" else {"d_loss", "g_loss"}
        self.assertContainsSubset(expected, set(history))
        for name, values in history.items():
            self.assertTrue(np.all(np.isfinite(values)), msg=f"{recipe}: {name}={values}")
        unchanged = [
            variable.path
            for value, variable in zip(before, model.trainable_variables, strict=True)
            if np.allclose(value, variable.numpy())
        ]
        # The Wasserstein loss and the penalty ignore a constant added to the
        # critic: its output bias gets no gradient. Every other weight moved.
        self.assertEqual(unchanged, ["logits/bias"] if recipe == "wgan_gp" else [])
        if recipe == "wgan_gp":
            self.assertGreater(history["gradient_penalty"][0], 0.0)


class RunTrialTest(tf.test.TestCase):
    def test_documented_keys_and_consistent_scores(self):
        target = _two_modes()
        result = lab.run_trial(
            "pacgan",
            target,
            epochs=2,
            seed=5,
            num_samples=300,
            snapshot_epochs=(1, 2, 7),
            **TINY_GAN,
        )
        self.assertEqual(sorted(result), sorted(lab.RESULT_KEYS))
        self.assertEqual(
            (result["recipe"], result["target"], result["seed"], result["epochs"]),
            ("pacgan", "two_modes", 5, 2),
        )
        self.assertEqual((result["epochs_trained"], result["num_modes"]), (2, 2))
        self.assertEqual(result["samples"].shape, (300, 2))
        self.assertEqual(result["samples"].dtype, np.float32)
        scores = mode_collapse.summary(result["samples"], target)
        self.assertEqual(result["modes"], scores["modes"])
        self.assertEqual(result["hq_share"], scores["hq_share"])
        self.assertTrue(
            result["reverse_kl"] == scores["reverse_kl"]
            or (math.isnan(result["reverse_kl"]) and math.isnan(scores["reverse_kl"]))
        )
        # Snapshots of the epochs reached, from the latents of the final samples.
        self.assertEqual(sorted(result["snapshots"]), [1, 2])
        self.assertAllEqual(result["snapshots"][2], result["samples"])
        self.assertNotAllClose(result["snapshots"][1], result["samples"])
        self.assertGreater(result["train_seconds"], 0.0)
        self.assertEqual(result["settings"]["packing"], 4)
        self.assertEqual(len(result["history"]["d_loss"]), 2)
        self.assertEqual(result["generator_scores"], scores)
        self.assertIsNone(result["acceptance_rate"])
        json.dumps({k: v for k, v in result.items() if k not in ("samples", "snapshots")})

    def test_rejection_sampling_trial(self):
        target = _two_modes()
        options = dict(epochs=1, seed=5, num_samples=200, **TINY_GAN)
        plain = lab.run_trial("pacgan", target, **options)
        kept = lab.run_trial(
            "pacgan", target, rejection_quantile=0.5, calibration_steps=3, **options
        )
        self.assertEqual(kept["samples"].shape, (200, 2))
        self.assertBetween(kept["acceptance_rate"], 0.01, 0.99)
        # The same training and the same plain draws; the kept samples are
        # scored as the result.
        self.assertEqual(kept["generator_scores"], plain["generator_scores"])
        scores = mode_collapse.summary(kept["samples"], target)
        self.assertEqual(kept["hq_share"], scores["hq_share"])
        self.assertNotAllClose(kept["samples"], plain["samples"])
        self.assertEqual(kept["settings"]["rejection_quantile"], 0.5)
        with self.assertRaisesRegex(ValueError, "rejection_quantile=1.0"):
            lab.settings("gan", rejection_quantile=1.0)
        with self.assertRaisesRegex(ValueError, "loss='wasserstein'"):
            lab.settings("wgan_gp", rejection_quantile=0.5)
        with self.assertRaisesRegex(ValueError, "calibration_steps"):
            lab.settings("gan", calibration_steps=-1)

    def test_same_seed_same_trial(self):
        target = _two_modes()
        first = lab.run_trial("gan", target, epochs=1, seed=2, num_samples=50, **TINY_GAN)
        again = lab.run_trial("gan", target, epochs=1, seed=2, num_samples=50, **TINY_GAN)
        other = lab.run_trial("gan", target, epochs=1, seed=3, num_samples=50, **TINY_GAN)
        self.assertAllEqual(first["samples"], again["samples"])
        self.assertNotAllClose(first["samples"], other["samples"])

    def test_saved_model_draws_the_scored_samples(self):
        # The settings of the ring's recipe: Fourier features at two scales, a
        # moving average of the generator and decaying learning rates.
        ring_recipe = {
            "fourier_features": 4,
            "fourier_scale": [1.0, 4.0],
            "ema_momentum": 0.9,
            "decay_epochs": 2,
        }
        target = _two_modes()
        for recipe, options in (("pacgan", ring_recipe), ("vae", {})):
            path = os.path.join(self.get_temp_dir(), "models", f"{recipe}.keras")
            result = lab.run_trial(
                recipe, target, epochs=1, seed=4, num_samples=60, save_path=path,
                **TINY[recipe], **options,
            )  # fmt: skip
            loaded = keras.models.load_model(path)
            self.assertAllClose(loaded.generate(60, seed=5), result["samples"], atol=1e-6)
            if recipe == "pacgan":  # the averaged weights came back, not only the raw ones
                raw = loaded.generate(60, seed=5, use_ema=False)
                self.assertNotAllClose(raw, result["samples"], atol=1e-4)
        with self.assertRaisesRegex(ValueError, "save_path='model.h5'"):
            lab.run_trial("gan", target, epochs=1, seed=0, save_path="model.h5", **TINY_GAN)

    def test_saved_model_scored_again(self):
        target = _two_modes()
        path = os.path.join(self.get_temp_dir(), "scored", "pacgan.keras")
        options = dict(rejection_quantile=0.5, **TINY_GAN)
        result = lab.run_trial(
            "pacgan", target, epochs=1, seed=6, num_samples=100, save_path=path, **options
        )
        loaded = keras.models.load_model(path)
        again = lab.score_trial(loaded, "pacgan", target, 6, 100, **options)
        self.assertAllClose(again["samples"], result["samples"], atol=1e-6)
        for key in ("modes", "hq_share", "acceptance_rate", "generator_scores"):
            self.assertEqual(again[key], result[key], key)
        # Other scoring settings: the same generator draws, other kept samples.
        other = lab.score_trial(
            loaded, "pacgan", target, 6, 100, rejection_quantile=0.9,
            rejection_packmates="random", **TINY_GAN,
        )  # fmt: skip
        self.assertEqual(other["generator_scores"], result["generator_scores"])
        self.assertLess(other["acceptance_rate"], result["acceptance_rate"])
        plain = lab.score_trial(loaded, "pacgan", target, 6, 100, **TINY_GAN)
        self.assertIsNone(plain["acceptance_rate"])
        self.assertEqual(plain["hq_share"], result["generator_scores"]["hq_share"])
        # Only the scoring settings differ, so the training settings are equal.
        self.assertEqual(
            lab.training_settings(lab.settings("pacgan", rejection_quantile=0.9)),
            lab.training_settings(lab.settings("pacgan", calibration_steps=5)),
        )
        self.assertNotEqual(
            lab.training_settings(lab.settings("pacgan", packing=2)),
            lab.training_settings(lab.settings("pacgan")),
        )
        with self.assertRaisesRegex(ValueError, "rejection_packmates='fixed'"):
            lab.settings("pacgan", rejection_packmates="fixed")

    def test_vae_trial(self):
        target = _two_modes()
        result = lab.run_trial("vae", target, epochs=1, seed=0, num_samples=100, **TINY["vae"])
        self.assertEqual(result["samples"].shape, (100, 2))
        self.assertEqual(sorted(result["history"]), ["kl", "loss", "reconstruction"])


class FixedGeneratorTest(tf.test.TestCase):
    def test_mode_choice_and_placement(self):
        ring = mode_collapse.ring_2d()
        generator = lab.fixed_generator(ring)
        self.assertEmpty(generator.trainable_weights)
        self.assertEqual(tuple(generator.input.shape), (None, 3))
        # z_0 = Phi^-1((k + 0.5) / 8) picks mode k; z_1, z_2 are the offsets in std.
        import scipy.stats

        z0 = scipy.stats.norm.ppf((np.arange(8) + 0.5) / 8)
        offsets = np.array([[1.0, -2.0]] * 8)
        latents = np.concatenate([z0[:, None], offsets], axis=1).astype("float32")
        expected = ring.means + 0.01 * offsets
        self.assertAllClose(generator(latents), expected, atol=1e-5)

    def test_samples_score_like_the_target(self):
        # The lab's metrics on the fixed generator's samples: every mode, the
        # high-quality share of a 2-D Gaussian within 3 std, 1 - exp(-9/2), and an
        # even histogram.
        for target in (mode_collapse.ring_2d(), mode_collapse.grid_2d()):
            generator = lab.fixed_generator(target)
            latents = np.random.default_rng(0).standard_normal((20_000, 3)).astype("float32")
            samples = generator(latents).numpy()
            scores = mode_collapse.summary(samples, target)
            self.assertEqual(scores["modes"], target.num_modes)
            self.assertAllClose(scores["hq_share"], 1 - math.exp(-4.5), atol=0.003)
            self.assertLess(scores["reverse_kl"], 0.005)
            counts = np.bincount(mode_collapse.nearest_modes(samples, target)[0])
            expected = 20_000 / target.num_modes
            # Within 5 binomial standard deviations of an even share.
            self.assertLess(np.max(np.abs(counts - expected)), 5 * math.sqrt(expected))

    def test_a_collapsed_generator_scores_one_mode(self):
        ring = mode_collapse.ring_2d()
        collapsed = mode_collapse.GaussianMixture(ring.means[3:4], std=ring.std)
        latents = np.random.default_rng(1).standard_normal((2500, 3)).astype("float32")
        samples = lab.fixed_generator(collapsed)(latents).numpy()
        scores = mode_collapse.summary(samples, ring)
        self.assertEqual(scores["modes"], 1)
        self.assertAllClose(scores["reverse_kl"], math.log(8), atol=1e-9)


class OptimalDiscriminatorTest(tf.test.TestCase):
    def test_trained_discriminator_approaches_d_star(self):
        # Data N(0, 1) against a fixed generator N(2, 1):
        # D*(x) = 1 / (1 + exp(2x - 2)).
        data = mode_collapse.GaussianMixture([[0.0]], std=1.0)
        fake = mode_collapse.GaussianMixture([[2.0]], std=1.0)
        model = lab.train_discriminator(data, lab.fixed_generator(fake), steps=400, seed=0)
        x = np.array([-0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5])
        d_star = mode_collapse.optimal_discriminator(data.density(x), fake.density(x))
        self.assertAllClose(d_star, 1.0 / (1.0 + np.exp(2 * x - 2)), atol=1e-12)
        logits = model.discriminator(x.reshape(-1, 1).astype("float32"))
        learned = keras.ops.convert_to_numpy(keras.ops.sigmoid(logits)).ravel()
        self.assertAllClose(learned, d_star, atol=0.1)
        # The generator did not move: it has no weights.
        self.assertEmpty(model.generator.trainable_weights)


class MeanAndErrorTest(tf.test.TestCase):
    def test_mean_and_standard_error(self):
        mean, error = lab.mean_and_error([1.0, 2.0, 3.0, 4.0])
        self.assertAllClose(mean, 2.5)
        self.assertAllClose(error, np.sqrt(5.0 / 3.0) / 2.0)  # sample std / sqrt(n)
        self.assertAllClose(lab.mean_and_error([1.0, float("nan"), 3.0]), (2.0, 1.0))
        self.assertEqual(lab.mean_and_error([7.0]), (7.0, 0.0))
        self.assertTrue(np.all(np.isnan(lab.mean_and_error([float("nan")]))))
