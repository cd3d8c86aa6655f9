import os

import keras
import numpy as np
import tensorflow as tf

from keras_gans import export_generator
from keras_gans.applications.generator_source import GeneratorSource
from keras_gans.applications.generator_source import as_generator_source
from tests.applications.toy_generators import images_of
from tests.applications.toy_generators import linear_generator
from tests.applications.toy_generators import orthonormal_matrix
from tests.applications.toy_generators import style_generator
from tests.testing import LATENT_DIM
from tests.testing import NUM_CLASSES
from tests.testing import tiny_discriminator
from tests.testing import tiny_gan
from tests.testing import weights_of


class _NoServe(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="x")])
    def predict(self, x):
        return {"y": 2.0 * x}


class _StyleModule(tf.Module):
    """A SavedModel-able linear style generator with serve, mapping and synthesis."""

    def __init__(self, mapping_matrix, synthesis_matrix):
        super().__init__()
        self.m = tf.Variable(mapping_matrix)
        self.s = tf.Variable(synthesis_matrix)

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="latent")])
    def serve(self, latent):
        return {"images": tf.reshape(latent @ self.m @ self.s, [-1, 4, 4, 1])}

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="latent")])
    def mapping(self, latent):
        return {"w": latent @ self.m}

    @tf.function(input_signature=[tf.TensorSpec([None, 5], tf.float32, name="w")])
    def synthesis(self, w):
        return {"images": tf.reshape(w @ self.s, [-1, 4, 4, 1])}


def _save_module(module, path, names):
    tf.saved_model.save(module, path, signatures={name: getattr(module, name) for name in names})
    return path


class GeneratorSourceTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        rng = np.random.default_rng(0)
        self.latents = rng.standard_normal((5, LATENT_DIM)).astype("float32")
        self.labels = np.array([0, 1, 2, 0, 1], "int32")

    def test_three_forms_agree(self):
        gan = tiny_gan(num_classes=NUM_CLASSES)
        path = export_generator(gan, os.path.join(self.get_temp_dir(), "g"))
        expected = gan.generate(self.latents, self.labels)
        sources = {
            "gan": GeneratorSource(gan),
            "keras": GeneratorSource(gan.generator),
            "loaded": GeneratorSource(tf.saved_model.load(path)),
            "path": GeneratorSource(path),
        }
        for name, source in sources.items():
            with self.subTest(name):
                self.assertEqual(source.latent_dim, LATENT_DIM)
                self.assertEqual(source.image_shape, (4, 4, 1))
                self.assertTrue(source.conditional)
                images = source(self.latents, self.labels)
                self.assertEqual(images.dtype, tf.float32)
                self.assertAllClose(images, expected, atol=1e-6)
                # One label for all samples.
                self.assertAllClose(
                    source(self.latents, 2), gan.generate(self.latents, 2), atol=1e-6
                )
        self.assertEqual(sources["gan"].num_classes, NUM_CLASSES)
        self.assertEqual(sources["keras"].num_classes, NUM_CLASSES)
        self.assertIsNone(sources["path"].num_classes)  # a SavedModel does not record it

    def test_gradients_flow_and_match_the_closed_form(self):
        matrix = orthonormal_matrix(LATENT_DIM)
        generator = linear_generator(matrix)
        path = export_generator(generator, os.path.join(self.get_temp_dir(), "linear"))
        # d/dz sum(G(z) * c) = matrix @ c for every sample.
        c = np.random.default_rng(1).standard_normal((16,)).astype("float32")
        expected = np.tile(matrix @ c, (len(self.latents), 1))
        for name, source in (
            ("keras", GeneratorSource(generator)),
            ("saved", GeneratorSource(path)),
        ):
            with self.subTest(name):
                z = tf.constant(self.latents)
                with tf.GradientTape() as tape:
                    tape.watch(z)
                    value = tf.reduce_sum(tf.reshape(source(z), (-1, 16)) * c)
                self.assertAllClose(tape.gradient(value, z), expected, atol=1e-5)

                @tf.function
                def traced_gradient(z, source=source):
                    with tf.GradientTape() as tape:
                        tape.watch(z)
                        value = tf.reduce_sum(tf.reshape(source(z), (-1, 16)) * c)
                    return tape.gradient(value, z)

                self.assertAllClose(traced_gradient(z), expected, atol=1e-5)

    def test_discriminator(self):
        gan = tiny_gan(num_classes=NUM_CLASSES)
        images = gan.generate(self.latents, self.labels)
        source = GeneratorSource(gan)
        expected = gan.discriminator({"image": images, "label": self.labels}, training=False)
        logits = source.discriminator(images, self.labels)
        self.assertEqual(logits.dtype, tf.float32)
        self.assertAllClose(logits, expected, atol=1e-6)
        self.assertIsNone(GeneratorSource(gan.generator).discriminator)
        paired = GeneratorSource(gan.generator, discriminator=gan.discriminator)
        self.assertAllClose(paired.discriminator(images, self.labels), expected, atol=1e-6)
        path = export_generator(gan, os.path.join(self.get_temp_dir(), "g"))
        self.assertIsNone(GeneratorSource(path).discriminator)

    def test_ema_weights_serve_the_applications(self):
        gan = tiny_gan(
            g_optimizer=keras.optimizers.SGD(0.5, use_ema=True, ema_momentum=0.5),
        )
        gan.fit(np.random.default_rng(0).uniform(-1, 1, (8, 4, 4, 1)), batch_size=4, verbose=0)
        raw = weights_of(gan.generator)
        averaged = GeneratorSource(gan).generate(self.latents)
        self.assertAllClose(averaged, gan.generate(self.latents), atol=1e-6)
        plain = GeneratorSource(gan, use_ema=False).generate(self.latents)
        self.assertAllClose(plain, gan.generate(self.latents, use_ema=False), atol=1e-6)
        self.assertGreater(np.abs(averaged - plain).max(), 1e-4)
        for before, after in zip(raw, weights_of(gan.generator), strict=True):
            self.assertAllEqual(before, after)

    def test_w_space_of_a_keras_generator(self):
        rng = np.random.default_rng(2)
        m = rng.standard_normal((LATENT_DIM, 5)).astype("float32")
        s = rng.standard_normal((5, 16)).astype("float32")
        source = GeneratorSource(style_generator(m, s))
        self.assertEqual(source.w_shape, (5,))
        w = source.mapping(self.latents)
        self.assertAllClose(w, self.latents @ m, atol=1e-5)
        self.assertAllClose(source.synthesis(w), source(self.latents), atol=1e-5)
        self.assertAllClose(source.generate(w.numpy(), space="w"), source(self.latents), atol=1e-5)

    def test_w_space_of_a_saved_model(self):
        rng = np.random.default_rng(3)
        m = rng.standard_normal((3, 5)).astype("float32")
        s = rng.standard_normal((5, 16)).astype("float32")
        path = os.path.join(self.get_temp_dir(), "style")
        _save_module(_StyleModule(m, s), path, ["serve", "mapping", "synthesis"])
        source = GeneratorSource(path)
        self.assertEqual(source.w_shape, (5,))
        w = source.map_latents(self.latents)
        self.assertAllClose(w, self.latents @ m, atol=1e-5)
        expected = images_of(m @ s, self.latents)
        self.assertAllClose(source.generate(w, space="w"), expected, atol=1e-4)
        self.assertAllClose(source(self.latents), expected, atol=1e-4)

    def test_no_w_space(self):
        source = GeneratorSource(tiny_gan())
        self.assertIsNone(source.mapping)
        self.assertIsNone(source.synthesis)
        with self.assertRaisesRegex(ValueError, "mapping.*synthesis.*use space='z'"):
            source.check_space("w", "Interpolation")
        with self.assertRaisesRegex(ValueError, r"`space` must be one of \['z', 'w'\]"):
            source.check_space("x", "Interpolation")

    def test_bad_generators(self):
        with self.assertRaisesRegex(ValueError, "Received: generator=42 of type int"):
            GeneratorSource(42)
        empty = self.get_temp_dir()
        with self.assertRaisesRegex(ValueError, "holds no SavedModel"):
            GeneratorSource(empty)
        path = _save_module(_NoServe(), os.path.join(self.get_temp_dir(), "other"), ["predict"])
        with self.assertRaisesRegex(ValueError, r"no 'serve' signature.*\['predict'\]"):
            GeneratorSource(path)
        with self.assertRaisesRegex(ValueError, "input is unknown: start it with `keras.Input"):
            GeneratorSource(keras.Sequential([keras.layers.Dense(16)]))
        gan = tiny_gan()
        with self.assertRaisesRegex(ValueError, "brings its own discriminator"):
            GeneratorSource(gan, discriminator=gan.discriminator)
        with self.assertRaisesRegex(ValueError, "discriminator takes images of shape"):
            GeneratorSource(gan.generator, discriminator=tiny_discriminator((8, 8, 1)))
        with self.assertRaisesRegex(ValueError, "Only the discriminator takes a 'label'"):
            GeneratorSource(gan.generator, tiny_discriminator(num_classes=NUM_CLASSES))

    def test_bad_inputs(self):
        conditional = GeneratorSource(tiny_gan(num_classes=NUM_CLASSES))
        with self.assertRaisesRegex(ValueError, "conditional: pass `labels`"):
            conditional(self.latents)
        with self.assertRaisesRegex(ValueError, r"lie in \[0, 3\). Received values from 0 to 3"):
            conditional(self.latents, [0, 1, 2, 3, 0])
        with self.assertRaisesRegex(ValueError, r"5 integers. Received: shape=\(2,\)"):
            conditional(self.latents, [0, 1])
        unconditional = GeneratorSource(tiny_gan())
        with self.assertRaisesRegex(ValueError, "unconditional: `labels` must be None"):
            unconditional(self.latents, 1)
        with self.assertRaisesRegex(
            ValueError, r"shape \(num_samples, 3\). Received: shape=\(5, 4\)"
        ):
            unconditional(np.zeros((5, 4)))

    def test_output_range(self):
        generator = linear_generator(orthonormal_matrix(LATENT_DIM))
        self.assertEqual(GeneratorSource(generator).output_range, (-1.0, 1.0))
        generator.output_range = (0, 1)
        self.assertEqual(GeneratorSource(generator).output_range, (0.0, 1.0))

    def test_as_generator_source(self):
        source = GeneratorSource(tiny_gan())
        self.assertIs(as_generator_source(source), source)
        with self.assertRaisesRegex(ValueError, "Pass `discriminator` to the `GeneratorSource`"):
            as_generator_source(source, discriminator=tiny_discriminator())
