import json

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans.architectures import DenseDiscriminator
from keras_gans.architectures import DenseGenerator
from tests.architectures.builder_checks import float32_training_outputs
from tests.test_case import TestCase

# Tiny models keep the suite fast; they exercise the same code paths.
SMALL_GENERATOR = {"latent_dim": 8, "image_shape": (8, 8, 1), "hidden_units": (16, 32)}
SMALL_DISCRIMINATOR = {"image_shape": (8, 8, 1), "hidden_units": (16, 8)}


def _latents(seed=1):
    return np.random.default_rng(seed).normal(size=(2, 8)).astype("float32")


def _images(seed=1):
    return np.random.default_rng(seed).uniform(-1, 1, (2, 8, 8, 1)).astype("float32")


class DenseGeneratorTest(TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    @parameterized.named_parameters(
        ("grey", (8, 8, 1)), ("colour", (8, 8, 3)), ("non_square", (6, 10, 3))
    )
    def test_output_shape_dtype_and_range(self, image_shape):
        generator = DenseGenerator(latent_dim=8, image_shape=image_shape, hidden_units=(16,))
        # Large latents push the pre-activations far into tanh saturation.
        z = 100.0 * np.random.default_rng(0).normal(size=(2, 8)).astype("float32")
        images = generator(z)
        self.assertEqual(tuple(images.shape), (2,) + image_shape)
        self.assertEqual(generator.output_shape, (None,) + image_shape)
        self.assertEqual(images.dtype, tf.float32)
        self.assertAllInRange(images, -1.0, 1.0)

    def test_single_named_latent_input_and_attributes(self):
        generator = DenseGenerator(**SMALL_GENERATOR)
        self.assertLen(generator.inputs, 1)
        self.assertEqual(generator.inputs[0].name, "latent")
        self.assertEqual(tuple(generator.inputs[0].shape), (None, 8))
        self.assertEqual(generator.latent_dim, 8)
        self.assertEqual(generator.image_shape, (8, 8, 1))
        self.assertIsNone(generator.num_classes)

    def test_default_parameter_count(self):
        # Goodfellow et al. MNIST MLP: 100 -> 256 -> 512 -> 1024 -> 784.
        generator = DenseGenerator()
        expected = (100 + 1) * 256 + (256 + 1) * 512 + (512 + 1) * 1024 + (1024 + 1) * 784
        self.assertEqual(expected, 1_486_352)
        self.assertEqual(generator.count_params(), expected)
        self.assertEqual(generator.output_shape, (None, 28, 28, 1))

    def test_hidden_layers_use_leaky_relu_0_2(self):
        generator = DenseGenerator(**SMALL_GENERATOR)
        slopes = [
            layer.negative_slope
            for layer in generator.layers
            if isinstance(layer, keras.layers.LeakyReLU)
        ]
        self.assertAllClose(slopes, [0.2, 0.2])
        self.assertEqual(
            [layer.units for layer in generator.layers if isinstance(layer, keras.layers.Dense)],
            [16, 32, 64],
        )

    def test_batch_norm_flag(self):
        plain = DenseGenerator(**SMALL_GENERATOR)
        normed = DenseGenerator(**SMALL_GENERATOR, use_batch_norm=True)
        self.assertEmpty(
            [x for x in plain.layers if isinstance(x, keras.layers.BatchNormalization)]
        )
        bn_layers = [x for x in normed.layers if isinstance(x, keras.layers.BatchNormalization)]
        self.assertEqual([x.name for x in bn_layers], ["hidden_0_bn", "hidden_1_bn"])
        # Hidden biases are dropped (BN's beta replaces them); BN adds 4 per unit.
        plain_params = (8 + 1) * 16 + (16 + 1) * 32 + (32 + 1) * 64
        normed_params = 8 * 16 + 16 * 32 + (32 + 1) * 64 + 4 * (16 + 32)
        self.assertEqual(plain.count_params(), plain_params)
        self.assertEqual(normed.count_params(), normed_params)

    def test_builder(self):
        kwargs = {**SMALL_GENERATOR, "use_batch_norm": True}
        self.run_builder_test(
            DenseGenerator,
            kwargs,
            _latents(),
            expected_output_shape=(2, 8, 8, 1),
            partner=DenseDiscriminator(**SMALL_DISCRIMINATOR),
            images=_images(),
        )
        float32_training_outputs(self, DenseGenerator, kwargs, _latents(), "hidden_0_dense")

    def test_config(self):
        generator = DenseGenerator(**SMALL_GENERATOR, use_batch_norm=True, name="g")
        config = generator.get_config()
        self.assertEqual(
            config,
            {
                "name": "g",
                "trainable": True,
                "latent_dim": 8,
                "image_shape": (8, 8, 1),
                "hidden_units": (16, 32),
                "use_batch_norm": True,
                "num_classes": None,
                "label_embedding_dim": 50,
            },
        )
        # JSON turns tuples into lists; the constructor turns them back.
        restored = DenseGenerator.from_config(json.loads(json.dumps(config)))
        self.assertEqual(restored.get_config(), config)

    @parameterized.named_parameters(
        ("latent_zero", {"latent_dim": 0}, "latent_dim=0"),
        ("latent_float", {"latent_dim": 2.5}, "latent_dim=2.5"),
        ("latent_bool", {"latent_dim": True}, "latent_dim=True"),
        ("shape_rank", {"image_shape": (8, 8)}, r"image_shape=\(8, 8\)"),
        ("shape_zero", {"image_shape": (8, 0, 1)}, r"image_shape=\(8, 0, 1\)"),
        ("shape_str", {"image_shape": "8x8"}, "image_shape='8x8'"),
        ("units_empty", {"hidden_units": ()}, r"hidden_units=\(\)"),
        ("units_negative", {"hidden_units": (16, -1)}, r"hidden_units=\(16, -1\)"),
        ("units_int", {"hidden_units": 16}, "hidden_units=16"),
        ("classes_one", {"num_classes": 1}, "num_classes=1"),
        ("embedding_zero", {"label_embedding_dim": 0}, "label_embedding_dim=0"),
        ("unknown_kwarg", {"latnt_dim": 8}, "latnt_dim"),
    )
    def test_invalid_arguments_raise(self, kwargs, message):
        with self.assertRaisesRegex(ValueError, message):
            DenseGenerator(**kwargs)


class DenseDiscriminatorTest(TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    @parameterized.named_parameters(("grey", (8, 8, 1)), ("colour", (8, 8, 3)))
    def test_output_is_one_logit_per_image(self, image_shape):
        discriminator = DenseDiscriminator(image_shape=image_shape, hidden_units=(16,))
        images = np.random.default_rng(0).uniform(-1, 1, size=(2,) + image_shape)
        logits = discriminator(images.astype("float32"))
        self.assertEqual(tuple(logits.shape), (2, 1))
        self.assertEqual(discriminator.output_shape, (None, 1))
        self.assertEqual(logits.dtype, tf.float32)

    def test_single_named_image_input_and_attributes(self):
        discriminator = DenseDiscriminator(**SMALL_DISCRIMINATOR)
        self.assertLen(discriminator.inputs, 1)
        self.assertEqual(discriminator.inputs[0].name, "image")
        self.assertEqual(tuple(discriminator.inputs[0].shape), (None, 8, 8, 1))
        self.assertEqual(discriminator.image_shape, (8, 8, 1))
        self.assertIsNone(discriminator.num_classes)

    def test_default_parameter_count(self):
        discriminator = DenseDiscriminator()
        expected = (784 + 1) * 512 + (512 + 1) * 256 + (256 + 1) * 1
        self.assertEqual(expected, 533_505)
        self.assertEqual(discriminator.count_params(), expected)

    def test_logits_are_an_affine_function_of_last_features(self):
        # Output = features @ W + b with no squashing: compare by hand.
        discriminator = DenseDiscriminator(**SMALL_DISCRIMINATOR)
        features_model = keras.Model(
            discriminator.input, discriminator.get_layer("hidden_1_leaky_relu").output
        )
        images = np.random.default_rng(1).uniform(-1, 1, (2, 8, 8, 1)).astype("float32")
        kernel, bias = discriminator.get_layer("logits").get_weights()
        features = keras.ops.convert_to_numpy(features_model(images))
        self.assertAllClose(discriminator(images), features @ kernel + bias)

    def test_hidden_layers_use_leaky_relu_0_2(self):
        discriminator = DenseDiscriminator(**SMALL_DISCRIMINATOR)
        layer = discriminator.get_layer("hidden_0_leaky_relu")
        x = np.array([[-1.0, 2.0]], dtype="float32")
        self.assertAllClose(layer(x), [[-0.2, 2.0]])

    def test_dropout(self):
        no_dropout = DenseDiscriminator(**SMALL_DISCRIMINATOR)
        self.assertEmpty([x for x in no_dropout.layers if isinstance(x, keras.layers.Dropout)])
        discriminator = DenseDiscriminator(**SMALL_DISCRIMINATOR, dropout=0.5)
        rates = [x.rate for x in discriminator.layers if isinstance(x, keras.layers.Dropout)]
        self.assertEqual(rates, [0.5, 0.5])
        images = np.random.default_rng(2).uniform(-1, 1, (2, 8, 8, 1)).astype("float32")
        # Inference is deterministic; training mode drops units.
        self.assertAllClose(discriminator(images), discriminator(images))
        self.assertNotAllClose(
            discriminator(images, training=True), discriminator(images, training=False)
        )

    def test_builder(self):
        self.run_builder_test(
            DenseDiscriminator,
            {**SMALL_DISCRIMINATOR, "dropout": 0.25},
            _images(),
            expected_output_shape=(2, 1),
            partner=DenseGenerator(**SMALL_GENERATOR),
            images=_images(),
        )

    def test_config(self):
        discriminator = DenseDiscriminator(
            **SMALL_DISCRIMINATOR, dropout=0.25, trainable=False, name="d"
        )
        config = discriminator.get_config()
        self.assertEqual(
            config,
            {
                "name": "d",
                "trainable": False,
                "image_shape": (8, 8, 1),
                "hidden_units": (16, 8),
                "dropout": 0.25,
                "num_classes": None,
                "label_conditioning": "input",
                "label_embedding_dim": 50,
                "spectral_norm": False,
                "packing": 1,
            },
        )
        self.assertEmpty(discriminator.trainable_weights)
        restored = DenseDiscriminator.from_config(json.loads(json.dumps(config)))
        self.assertEqual(restored.get_config(), config)
        self.assertEmpty(restored.trainable_weights)

    @parameterized.named_parameters(
        ("shape_rank", {"image_shape": (8, 8, 1, 1)}, r"image_shape=\(8, 8, 1, 1\)"),
        ("units_empty", {"hidden_units": []}, r"hidden_units=\[\]"),
        ("units_zero", {"hidden_units": (0,)}, r"hidden_units=\(0,\)"),
        ("dropout_one", {"dropout": 1.0}, "dropout=1.0"),
        ("dropout_negative", {"dropout": -0.1}, "dropout=-0.1"),
        ("dropout_str", {"dropout": "0.5"}, "dropout='0.5'"),
        ("classes_zero", {"num_classes": 0}, "num_classes=0"),
        (
            "conditioning",
            {"label_conditioning": "concat"},
            "label_conditioning='concat'",
        ),
        ("unknown_kwarg", {"dtype": "float16"}, "dtype"),
        ("spectral_norm_str", {"spectral_norm": "yes"}, "spectral_norm='yes'"),
        ("spectral_norm_int", {"spectral_norm": 0}, "spectral_norm=0"),
        ("spectral_norm_list", {"spectral_norm": [True]}, r"spectral_norm=\[True\]"),
        ("normalization", {"normalization": "layer"}, "normalization"),
    )
    def test_invalid_arguments_raise(self, kwargs, message):
        with self.assertRaisesRegex(ValueError, message):
            DenseDiscriminator(**kwargs)


def _spectral_norm_layers(model):
    return [x for x in model.layers if isinstance(x, keras.layers.SpectralNormalization)]


def _largest_singular_value(kernel):
    return np.linalg.svd(keras.ops.convert_to_numpy(kernel), compute_uv=False)[0]


def _leaky_relu(x):
    return np.where(x > 0, x, 0.2 * x)


class DenseDiscriminatorSpectralNormTest(TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    def test_every_dense_is_wrapped(self):
        plain = DenseDiscriminator(**SMALL_DISCRIMINATOR)
        discriminator = DenseDiscriminator(**SMALL_DISCRIMINATOR, spectral_norm=True)
        self.assertTrue(discriminator.spectral_norm)
        wrappers = _spectral_norm_layers(discriminator)
        self.assertEqual([x.name for x in wrappers], ["hidden_0_dense", "hidden_1_dense", "logits"])
        self.assertEqual([type(x.layer) for x in wrappers], [keras.layers.Dense] * 3)
        self.assertEqual([x.power_iterations for x in wrappers], [1] * 3)
        self.assertEmpty([x for x in discriminator.layers if isinstance(x, keras.layers.Dense)])
        self.assertEqual([x.name for x in discriminator.layers], [x.name for x in plain.layers])
        self.assertEqual(discriminator.count_params(), plain.count_params() + 16 + 8 + 1)
        self.assertEqual(discriminator.output_shape, (None, 1))

    def test_training_calls_normalise_the_kernels_used_in_the_forward_pass(self):
        discriminator = DenseDiscriminator(**SMALL_DISCRIMINATOR, spectral_norm=True)
        wrappers = _spectral_norm_layers(discriminator)
        initial = [_largest_singular_value(x.kernel) for x in wrappers]
        self.assertTrue(all(abs(s - 1.0) > 0.1 for s in initial), initial)
        images = np.random.default_rng(0).uniform(-1, 1, (2, 8, 8, 1)).astype("float32")
        train_call = tf.function(lambda x: discriminator(x, training=True))
        for _ in range(40):
            train_call(images)
        logits = keras.ops.convert_to_numpy(train_call(images))
        weights = [(x.kernel.numpy(), x.layer.bias.numpy()) for x in wrappers]
        for kernel, _ in weights:
            self.assertAllClose(_largest_singular_value(kernel), 1.0, atol=1e-3)
        # The last training call used exactly these (normalised) kernels.
        x = images.reshape(2, -1)
        for kernel, bias in weights[:-1]:
            x = _leaky_relu(x @ kernel + bias)
        kernel, bias = weights[-1]
        self.assertAllClose(logits, x @ kernel + bias, atol=1e-5)

    def test_builder(self):
        kwargs = {**SMALL_DISCRIMINATOR, "spectral_norm": True}
        model = self.run_builder_test(
            DenseDiscriminator, kwargs, _images(2), expected_output_shape=(2, 1)
        )
        self.assertIs(model.get_config()["spectral_norm"], True)
        self.assertLen(_spectral_norm_layers(model), 3)
        float32_training_outputs(self, DenseDiscriminator, kwargs, _images(), "hidden_0_dense")

    def test_keras_file_round_trip_keeps_the_power_iteration_state(self):
        discriminator = DenseDiscriminator(**SMALL_DISCRIMINATOR, spectral_norm=True)
        images = _images(1)
        for _ in range(3):
            discriminator(images, training=True)
        restored = self.run_model_saving_test(discriminator, images)
        self.assertEqual(restored.get_config(), discriminator.get_config())
        self.assertAllClose(restored(images), discriminator(images), atol=0.0, rtol=0.0)
        wrappers = _spectral_norm_layers(restored)
        originals = _spectral_norm_layers(discriminator)
        u_saved = [x.vector_u.numpy() for x in wrappers]
        for u, original in zip(u_saved, originals, strict=True):
            self.assertAllEqual(u, original.vector_u.numpy())
        restored(images, training=False)
        for wrapper, u in zip(wrappers, u_saved, strict=True):
            self.assertAllEqual(wrapper.vector_u.numpy(), u)
        self.assertAllClose(
            restored(images, training=True), discriminator(images, training=True), atol=1e-6
        )
        # The hidden layers' u move; the Dense(1)'s 1-element u stays +-1.
        for wrapper, u, original in zip(wrappers, u_saved, originals, strict=True):
            if wrapper.kernel.shape[-1] > 1:
                self.assertNotAllClose(wrapper.vector_u.numpy(), u)
            self.assertAllClose(wrapper.vector_u.numpy(), original.vector_u.numpy(), atol=1e-6)
