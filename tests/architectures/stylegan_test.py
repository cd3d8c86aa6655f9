import os

import keras
import numpy as np
import tensorflow as tf

import keras_gans
from keras_gans.architectures import StyleGANDiscriminator
from keras_gans.architectures import StyleGANGenerator
from keras_gans.architectures.stylegan import num_ws_for
from keras_gans.losses import lazy_optimizer_settings
from keras_gans.models import StyleGAN
from tests.test_case import TestCase

TINY = {
    "latent_dim": 8,
    "image_shape": (8, 8, 3),
    "w_dim": 8,
    "mapping_layers": 2,
    "channel_base": 64,
    "channel_max": 16,
    "seed": 0,
}
TINY_D = {"image_shape": (8, 8, 3), "channel_base": 64, "channel_max": 16}


def _latents(n=4, seed=0):
    return np.random.default_rng(seed).standard_normal((n, 8)).astype("float32")


def _images(n=4, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 8, 8, 3)).astype("float32")


class BuilderTest(TestCase):
    def test_generators(self):
        for style in ("modulation", "adain"):
            self.run_builder_test(
                StyleGANGenerator,
                {**TINY, "style": style},
                _latents(),
                expected_output_shape=(4, 8, 8, 3),
                partner=StyleGANDiscriminator(**TINY_D),
                images=_images(),
            )

    def test_discriminators(self):
        for architecture in ("resnet", "orig"):
            self.run_builder_test(
                StyleGANDiscriminator,
                {**TINY_D, "architecture": architecture},
                _images(),
                expected_output_shape=(4, 1),
                partner=StyleGANGenerator(**TINY),
                images=_images(),
            )

    def test_conditional_pair(self):
        generator = StyleGANGenerator(**TINY, num_classes=3)
        discriminator = StyleGANDiscriminator(**TINY_D, num_classes=3)
        labels = np.array([0, 1, 2, 0], "int32")
        images = generator({"latent": tf.constant(_latents()), "label": tf.constant(labels)})
        self.assertEqual(tuple(images.shape), (4, 8, 8, 3))
        labels_tensor = tf.constant(labels)
        scores = discriminator({"image": images, "label": labels_tensor})
        self.assertEqual(tuple(scores.shape), (4, 1))
        # The label changes the image and the score.
        other = generator({"latent": tf.constant(_latents()), "label": tf.constant(labels[::-1])})
        self.assertNotAllClose(images, other)
        self.run_fit_step_test(generator, discriminator, _images(), labels)

    def test_sizes_and_errors(self):
        self.assertEqual(num_ws_for(64), 10)
        self.assertEqual(num_ws_for(32), 8)
        self.assertEqual(StyleGANGenerator(**TINY).num_ws, 4)
        with self.assertRaisesRegex(ValueError, r"power of two >= 4. Received: image_shape=\(28"):
            StyleGANGenerator(**{**TINY, "image_shape": (28, 28, 1)})
        with self.assertRaisesRegex(ValueError, "style=.*'adaptive'"):
            StyleGANGenerator(**{**TINY, "style": "adaptive"})
        with self.assertRaisesRegex(ValueError, "architecture=.*'skip'"):
            StyleGANDiscriminator(**TINY_D, architecture="skip")


class StyleMachineryTest(TestCase):
    def setUp(self):
        super().setUp()
        self.generator = StyleGANGenerator(**TINY)
        # A non-zero mean of w, as after training.
        self.generator.w_avg.assign(np.linspace(-1, 1, 8).astype("float32"))

    def test_truncation(self):
        g, z = self.generator, _latents()
        self.assertAllClose(g(z, truncation_psi=1.0), g(z))
        # psi = 0 gives the image of the mean w for every latent.
        mean_image = g.synthesis(np.tile(g.w_avg.numpy(), (4, g.num_ws, 1)))
        self.assertAllClose(g(z, truncation_psi=0.0), mean_image, atol=1e-5)
        # psi = 0.5 halves the distance to the mean, on the first `cutoff` layers only.
        ws = g.mapping(z).numpy()
        expected = ws.copy()
        expected[:, :2] = g.w_avg.numpy() + 0.5 * (ws[:, :2] - g.w_avg.numpy())
        self.assertAllClose(g.mapped(z, truncation_psi=0.5, truncation_cutoff=2), expected)
        # Not in training.
        before = g.w_avg.numpy()
        training = g.mapped(z, training=True, truncation_psi=0.0, update_w_avg=False)
        self.assertAllClose(training, ws)
        self.assertAllEqual(g.w_avg.numpy(), before)

    def test_w_average_follows_its_formula_and_skips_the_mixing_pass(self):
        g, z = self.generator, _latents()
        old = g.w_avg.numpy()
        mean = g.mapping(z).numpy()[:, 0].mean(axis=0)
        g(
            {"latent": z, "mixing_latent": _latents(seed=1), "mixing_cutoff": np.full(4, 2)},
            training=True,
        )
        self.assertAllClose(g.w_avg.numpy(), mean + 0.995 * (old - mean), atol=1e-6)
        g(z, training=False)  # inference leaves it
        self.assertAllClose(g.w_avg.numpy(), mean + 0.995 * (old - mean), atol=1e-6)

    def test_style_mixing_takes_the_second_styles_from_the_cutoff(self):
        g = self.generator
        z1, z2 = _latents(seed=1), _latents(seed=2)
        cutoffs = np.array([1, 2, 3, 4], "int32")  # 4 = num_ws: no mixing
        mixed = g.mapped(
            {"latent": z1, "mixing_latent": z2, "mixing_cutoff": cutoffs},
            training=True,
            update_w_avg=False,
        ).numpy()
        w1, w2 = g.mapping(z1).numpy(), g.mapping(z2).numpy()
        for i, cutoff in enumerate(cutoffs):
            self.assertAllClose(mixed[i, :cutoff], w1[i, :cutoff])
            self.assertAllClose(mixed[i, cutoff:], w2[i, cutoff:])

    def test_every_layer_has_its_own_style(self):
        # One w per layer (the keras.io example broadcast one w per block).
        g = self.generator
        ws = g.mapping(_latents()).numpy()
        reference = g.synthesis(ws).numpy()
        for layer in range(g.num_ws):
            changed = ws.copy()
            changed[:, layer] += 1.0
            self.assertNotAllClose(g.synthesis(changed), reference, msg=f"layer {layer}")

    def test_reference_pitfalls(self):
        g = StyleGANGenerator(**TINY)
        d = StyleGANDiscriminator(**TINY_D)
        constant = g.synthesis.get_layer("constant")
        self.assertTrue(constant.trainable_weights, "the constant input is learned")
        noise_layers = [layer for layer in g.synthesis.layers if "noise" in layer.name]
        self.assertEqual(len(noise_layers), g.num_ws - 1)  # one per conv
        for layer in noise_layers:
            self.assertAllEqual(layer.strength.numpy(), np.zeros_like(layer.strength.numpy()))
        self.assertEqual(len({layer.seed for layer in noise_layers}), len(noise_layers))
        self.assertEqual(d.get_layer("logits").gain, 1.0)  # the output layer's gain is 1
        self.assertEqual(g.synthesis.get_layer("images").activation.__name__, "linear")
        # AdaIN's scale starts at 1: a zero w normalises without scaling.
        adain = StyleGANGenerator(**{**TINY, "style": "adain"})
        self.assertEqual(adain.synthesis.get_layer("constant").constant.numpy().min(), 1.0)

    def test_noise_is_fixed_in_inference_and_fresh_in_training(self):
        g, z = self.generator, _latents()
        self.assertAllEqual(g(z), g(z))
        for layer in g.synthesis.layers:
            if "noise" in layer.name:
                layer.strength.assign(1.0)
        self.assertNotAllClose(g(z, training=True), g(z, training=True))

    def test_signal_propagation_at_initialisation(self):
        g = StyleGANGenerator(**{**TINY, "image_shape": (32, 32, 3), "channel_base": 512})
        ws = g.mapping(np.random.default_rng(0).standard_normal((64, 8)).astype("float32"))
        activations = [layer.output for layer in g.synthesis.layers if layer.name.endswith("_act")]
        probe = keras.Model(g.synthesis.inputs, activations)
        for layer, value in zip(
            [n for n in g.synthesis.layers if n.name.endswith("_act")], probe(ws), strict=True
        ):
            second_moment = float(np.mean(np.square(value)))
            self.assertBetween(second_moment, 0.3, 3.0, msg=layer.name)

    def test_discriminator_signal_propagation_at_initialisation(self):
        # Each "lrelu" layer has unit-gain weights and applies sqrt(2) itself, so
        # the second moment does not grow through the stack (measured: at most
        # 0.56 over three seeds). With the He gain in the weights as well, it
        # doubled at every layer: 2.8 to 30 at the last two.
        keras.utils.set_random_seed(0)
        d = StyleGANDiscriminator(**{**TINY_D, "image_shape": (32, 32, 3), "channel_base": 512})
        # Smooth images (8x8 blocks), which the blurred downsampling passes.
        coarse = np.random.default_rng(1).uniform(-1, 1, (64, 4, 4, 3))
        images = np.repeat(np.repeat(coarse, 8, axis=1), 8, axis=2).astype("float32")
        names = [layer.name for layer in d.layers if layer.name.endswith(("conv0", "conv1"))]
        names += ["from_rgb", "epilogue_conv", "epilogue_dense"]
        probe = keras.Model(d.inputs, [d.get_layer(name).output for name in names])
        for name, value in zip(names, probe(images), strict=True):
            second_moment = float(np.mean(np.square(value)))
            self.assertBetween(second_moment, 0.005, 1.0, msg=name)


class StyleGANModelTest(TestCase):
    def _gan(self, **kwargs):
        return StyleGAN(
            StyleGANGenerator(**TINY), StyleGANDiscriminator(**TINY_D), seed=0, **kwargs
        )

    def test_mixing_draws(self):
        gan = self._gan()
        gan.compile()
        latents = gan.sample_latents(4000)
        cutoffs = latents["mixing_cutoff"].numpy()
        mixed = cutoffs < gan.generator.num_ws
        self.assertAllClose(mixed.mean(), 0.9, atol=0.02)
        self.assertEqual(set(np.unique(cutoffs[mixed])), {1, 2, 3})
        self.assertEqual(tuple(latents["mixing_latent"].shape), (4000, 8))
        self.assertEqual(tuple(gan.sample_latents(4, training=False).shape), (4, 8))
        unmixed = self._gan(style_mixing_prob=0.0)
        self.assertEqual(tuple(unmixed.sample_latents(4).shape), (4, 8))

    def test_path_length_pass_leaves_the_w_average(self):
        gan = self._gan()
        gan.compile()
        before = gan.generator.w_avg.numpy()
        ws, synthesize = gan.intermediate_latents(gan.sample_latents(4))
        self.assertEqual(tuple(ws.shape), (4, 4, 8))
        self.assertEqual(tuple(synthesize(ws).shape), (4, 8, 8, 3))
        self.assertAllEqual(gan.generator.w_avg.numpy(), before)

    def test_needs_a_style_based_generator(self):
        with self.assertRaisesRegex(ValueError, r"style-based generator.*\['mapping'"):
            StyleGAN(
                keras_gans.architectures.DCGANGenerator(8, (32, 32, 3)), StyleGANDiscriminator()
            )

    def test_presets_fit_save_and_export(self):
        for name in ("stylegan", "stylegan2"):
            gan = keras_gans.presets.get(
                name,
                image_shape=(8, 8, 3),
                size="small",
                batch_size=4,
                seed=1,
                generator_args={"latent_dim": 8, "w_dim": 8, "channel_base": 64, "channel_max": 16},
                discriminator_args={"channel_base": 64, "channel_max": 16},
            )
            history = gan.fit(_images(8), batch_size=4, epochs=1, verbose=0).history
            self.assertTrue(all(np.all(np.isfinite(v)) for v in history.values()), history)
            path = os.path.join(self.get_temp_dir(), f"{name}.keras")
            gan.save(path)
            loaded = keras.models.load_model(path)
            self.assertIsInstance(loaded, StyleGAN)
            self.assertAllClose(loaded.generator.w_avg, gan.generator.w_avg)
            z = _latents(3, seed=5)
            self.assertAllClose(loaded.generate(z), gan.generate(z), atol=1e-5)
            exported = tf.saved_model.load(
                keras_gans.export_generator(gan, os.path.join(self.get_temp_dir(), name))
            )
            self.assertAllClose(exported.serve(z)["images"], gan.generate(z), atol=1e-5)
            truncated = exported.serve(z, tf.constant(0.5))["images"]
            self.assertAllClose(truncated, gan.generate(z, truncation_psi=0.5), atol=1e-5)
            ws = exported.mapping(z)["w"]
            self.assertAllClose(exported.synthesis(ws)["images"], gan.generate(z), atol=1e-5)
            with gan.ema_weights():
                w_avg = gan.generator.w_avg.numpy()
            self.assertAllClose(exported.mean_w()["w"], w_avg)
            # The generator alone exports the same endpoints, truncation included.
            bare = tf.saved_model.load(
                keras_gans.export_generator(
                    gan.generator, os.path.join(self.get_temp_dir(), f"{name}_bare")
                )
            )
            raw = gan.generate(z, use_ema=False, truncation_psi=0.5)
            self.assertAllClose(bare.serve(z, tf.constant(0.5))["images"], raw, atol=1e-5)
            self.assertAllClose(bare.mean_w()["w"], gan.generator.w_avg)

    def test_stylegan2_recipe(self):
        gan = keras_gans.presets.stylegan2(image_shape=(64, 64, 3), size="paper", batch_size=32)
        d_lr, d_b1, d_b2 = lazy_optimizer_settings(16, 0.002, 0.0, 0.99)
        self.assertAllClose(gan.d_optimizer.learning_rate, 0.002 * 16 / 17)
        self.assertAllClose(gan.d_optimizer.beta_2, 0.99 ** (16 / 17))
        self.assertAllClose(gan.d_optimizer.learning_rate, d_lr)
        self.assertAllClose(gan.g_optimizer.learning_rate, 0.002 * 4 / 5)
        self.assertAllClose(gan.g_optimizer.beta_2, 0.99 ** (4 / 5))
        self.assertAllClose(gan.g_optimizer.epsilon, 1e-8)
        self.assertTrue(gan.uses_ema)
        self.assertAllClose(gan.g_optimizer.ema_momentum, 0.5 ** (32 / 10000))
        r1, path_length = gan.regularizers
        self.assertEqual((r1.gamma, r1.every), (10.0, 16))
        self.assertEqual((path_length.weight, path_length.every, path_length.decay), (2.0, 4, 0.01))
        self.assertEqual(gan.style_mixing_prob, 0.9)
        self.assertEqual(gan.generator.num_ws, 10)
        self.assertEqual(gan.generator.mapping_layers, 8)
        self.assertEqual(gan.discriminator.mbstd_group_size, 4)
        self.assertEqual(d_b1, 0.0)
        self.assertAllClose(d_b2, 0.99 ** (16 / 17))

    def test_lazy_optimizer_settings(self):
        lr, b1, b2 = lazy_optimizer_settings(4, 0.002, 0.5, 0.99)
        self.assertAllClose((lr, b1, b2), (0.0016, 0.5**0.8, 0.99**0.8))
        self.assertAllClose(lazy_optimizer_settings(1, 0.1, 0.9, 0.9), (0.05, 0.9**0.5, 0.9**0.5))
        with self.assertRaisesRegex(ValueError, "every=0"):
            lazy_optimizer_settings(0, 0.1, 0.9, 0.9)
