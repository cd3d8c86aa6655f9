import json

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans.architectures import DCGANDiscriminator
from keras_gans.architectures import DCGANGenerator
from tests.architectures.builder_checks import float32_training_outputs
from tests.test_case import TestCase

SIZES_AND_CHANNELS = [
    (f"{size}_{'grey' if channels == 1 else 'colour'}", size, channels)
    for size in (28, 32, 64, 128, 256)
    for channels in (1, 3)
]


def _count(weights):
    return sum(int(np.prod(w.shape)) for w in weights)


def _feature_map_shapes(model, layer_type):
    return [
        tuple(layer.output.shape[1:]) for layer in model.layers if isinstance(layer, layer_type)
    ]


class DCGANGeneratorTest(TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    @parameterized.named_parameters(*SIZES_AND_CHANNELS)
    def test_output_shape_dtype_and_range(self, size, channels):
        generator = DCGANGenerator(latent_dim=8, image_shape=(size, size, channels), base_filters=4)
        # Blow up the last kernel so the pre-activations saturate the tanh
        # (training mode: BN batch statistics keep the hidden activations at
        # unit scale): the outputs must still be bounded by [-1, 1].
        output_conv = generator.get_layer("output_conv")
        output_conv.kernel.assign(output_conv.kernel * 1e4)
        z = np.random.default_rng(0).normal(size=(2, 8)).astype("float32")
        images = generator(z, training=True)
        self.assertEqual(tuple(images.shape), (2, size, size, channels))
        self.assertEqual(images.dtype, tf.float32)
        self.assertAllInRange(images, -1.0, 1.0)
        self.assertGreater(float(np.max(np.abs(images))), 0.99)

    @parameterized.named_parameters(
        ("28", 28, [(7, 7, 8), (14, 14, 4)]),
        ("32", 32, [(4, 4, 16), (8, 8, 8), (16, 16, 4)]),
        ("128", 128, [(4, 4, 64), (8, 8, 32), (16, 16, 16), (32, 32, 8), (64, 64, 4)]),
    )
    def test_feature_map_plan(self, size, expected):
        generator = DCGANGenerator(latent_dim=8, image_shape=(size, size, 2), base_filters=4)
        self.assertEqual(_feature_map_shapes(generator, keras.layers.ReLU), expected)
        self.assertEqual(generator.output_shape, (None, size, size, 2))

    def test_paper_64x64_widths_and_parameter_count(self):
        generator = DCGANGenerator(latent_dim=100, image_shape=(64, 64, 3), base_filters=64)
        self.assertEqual(
            _feature_map_shapes(generator, keras.layers.ReLU),
            [(4, 4, 512), (8, 8, 256), (16, 16, 128), (32, 32, 64)],
        )
        self.assertEqual(generator.output_shape, (None, 64, 64, 3))
        # Trainable: dense projection (no bias), transposed convolutions
        # (4x4 kernels, no bias except the output), BN gamma + beta.
        trainable = (
            100 * 4 * 4 * 512
            + 2 * 512
            + 4 * 4 * 512 * 256
            + 2 * 256
            + 4 * 4 * 256 * 128
            + 2 * 128
            + 4 * 4 * 128 * 64
            + 2 * 64
            + 4 * 4 * 64 * 3
            + 3
        )
        # The PyTorch DCGAN example's netG has 3,576,704 parameters; ours
        # only adds the 3 biases of the output layer.
        self.assertEqual(trainable, 3_576_704 + 3)
        non_trainable = 2 * (512 + 256 + 128 + 64)  # BN moving mean/variance.
        self.assertEqual(_count(generator.trainable_weights), trainable)
        self.assertEqual(_count(generator.non_trainable_weights), non_trainable)

    def test_initializer_statistics(self):
        generator = DCGANGenerator(latent_dim=100, image_shape=(64, 64, 3), base_filters=64)
        kernel = generator.get_layer("upsample_0_conv").kernel.numpy()
        self.assertEqual(kernel.shape, (4, 4, 256, 512))
        self.assertAllClose(np.std(kernel), 0.02, rtol=0.1)
        self.assertAllClose(np.mean(kernel), 0.0, atol=1e-3)
        projection = generator.get_layer("project_dense").kernel.numpy()
        self.assertAllClose(np.std(projection), 0.02, rtol=0.1)
        bn = generator.get_layer("project_bn")
        self.assertAllClose(np.mean(bn.gamma.numpy()), 1.0, atol=0.005)
        self.assertAllClose(np.std(bn.gamma.numpy()), 0.02, rtol=0.2)
        self.assertAllEqual(bn.beta.numpy(), np.zeros(512))
        # Two layers must not share the same "random" values.
        self.assertNotAllClose(
            generator.get_layer("upsample_1_conv").kernel.numpy()[..., :64, :64].ravel(),
            generator.get_layer("upsample_2_conv").kernel.numpy()[..., :64, :64].ravel(),
        )

    def test_single_named_latent_input_and_attributes(self):
        generator = DCGANGenerator(latent_dim=8, image_shape=(28, 28, 1), base_filters=4)
        self.assertLen(generator.inputs, 1)
        self.assertEqual(generator.inputs[0].name, "latent")
        self.assertEqual(tuple(generator.inputs[0].shape), (None, 8))
        self.assertEqual(generator.latent_dim, 8)
        self.assertEqual(generator.image_shape, (28, 28, 1))
        self.assertIsNone(generator.num_classes)

    def test_image_shape_list_is_stored_as_tuple(self):
        generator = DCGANGenerator(latent_dim=8, image_shape=[32, 32, 3], base_filters=4)
        self.assertEqual(generator.image_shape, (32, 32, 3))
        self.assertIsInstance(generator.get_config()["image_shape"], tuple)

    def test_builder(self):
        kwargs = {"latent_dim": 8, "image_shape": (28, 28, 1), "base_filters": 4}
        z = np.random.default_rng(1).normal(size=(2, 8)).astype("float32")
        self.run_builder_test(
            DCGANGenerator,
            kwargs,
            z,
            expected_output_shape=(2, 28, 28, 1),
            partner=DCGANDiscriminator(image_shape=(28, 28, 1), base_filters=4),
            images=np.random.default_rng(2).uniform(-1, 1, (4, 28, 28, 1)).astype("float32"),
        )
        float32_training_outputs(self, DCGANGenerator, kwargs, z, "output_conv")

    def test_config(self):
        generator = DCGANGenerator(latent_dim=8, image_shape=(32, 32, 3), base_filters=4, name="g")
        config = generator.get_config()
        self.assertEqual(
            config,
            {
                "name": "g",
                "trainable": True,
                "latent_dim": 8,
                "image_shape": (32, 32, 3),
                "base_filters": 4,
                "num_classes": None,
                "label_embedding_dim": 50,
            },
        )
        restored = DCGANGenerator.from_config(json.loads(json.dumps(config)))
        self.assertEqual(restored.get_config(), config)

    def test_keras_file_keeps_batch_norm_statistics(self):
        generator = DCGANGenerator(latent_dim=8, image_shape=(28, 28, 1), base_filters=4)
        # Non-trivial BN statistics must survive the round trip too.
        z = np.random.default_rng(2).normal(size=(2, 8)).astype("float32")
        generator(z, training=True)
        for bn in (x for x in generator.layers if isinstance(x, keras.layers.BatchNormalization)):
            bn.moving_mean.assign(np.random.default_rng(3).normal(size=bn.moving_mean.shape))
        restored = self.run_model_saving_test(generator, z)
        self.assertAllClose(restored(z), generator(z), atol=0.0, rtol=0.0)
        for got, want in zip(
            restored.non_trainable_weights, generator.non_trainable_weights, strict=True
        ):
            self.assertAllEqual(got, want)

    @parameterized.named_parameters(
        ("size_48", {"image_shape": (48, 48, 3)}, r"image_shape=\(48, 48, 3\)"),
        ("size_16", {"image_shape": (16, 16, 1)}, r"image_shape=\(16, 16, 1\)"),
        ("size_512", {"image_shape": (512, 512, 3)}, r"image_shape=\(512, 512, 3\)"),
        ("non_square", {"image_shape": (64, 32, 3)}, r"image_shape=\(64, 32, 3\)"),
        ("no_channels", {"image_shape": (64, 64, 0)}, r"image_shape=\(64, 64, 0\)"),
        ("rank_2", {"image_shape": (64, 64)}, r"image_shape=\(64, 64\)"),
        ("base_filters_zero", {"base_filters": 0}, "base_filters=0"),
        ("latent_negative", {"latent_dim": -3}, "latent_dim=-3"),
        ("latent_str", {"latent_dim": "100"}, "latent_dim='100'"),
        ("classes_one", {"num_classes": 1}, "num_classes=1"),
        ("embedding_float", {"label_embedding_dim": 0.5}, "label_embedding_dim=0.5"),
    )
    def test_invalid_arguments_raise(self, kwargs, message):
        with self.assertRaisesRegex(ValueError, message):
            DCGANGenerator(**kwargs)

    def test_unsupported_size_message_lists_valid_sizes(self):
        with self.assertRaisesRegex(ValueError, r"\(28, 28, C\), \(32, 32, C\), .*\(256, 256, C\)"):
            DCGANGenerator(image_shape=(48, 48, 3))


class DCGANDiscriminatorTest(TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    @parameterized.named_parameters(*SIZES_AND_CHANNELS)
    def test_output_is_one_logit_per_image(self, size, channels):
        discriminator = DCGANDiscriminator(image_shape=(size, size, channels), base_filters=4)
        images = np.random.default_rng(0).uniform(-1, 1, (2, size, size, channels))
        logits = discriminator(images.astype("float32"))
        self.assertEqual(tuple(logits.shape), (2, 1))
        self.assertEqual(logits.dtype, tf.float32)
        final = 7 if size == 28 else 4
        self.assertEqual(tuple(discriminator.get_layer("flatten").input.shape[1:3]), (final, final))

    @parameterized.named_parameters(
        ("28", 28, [(14, 14, 4), (7, 7, 8)]),
        ("32", 32, [(16, 16, 4), (8, 8, 8), (4, 4, 16)]),
        (
            "256",
            256,
            [
                (128, 128, 4),
                (64, 64, 8),
                (32, 32, 16),
                (16, 16, 32),
                (8, 8, 64),
                (4, 4, 128),
            ],
        ),
    )
    def test_feature_map_plan_and_no_batch_norm_on_first_layer(self, size, expected):
        discriminator = DCGANDiscriminator(image_shape=(size, size, 1), base_filters=4)
        self.assertEqual(_feature_map_shapes(discriminator, keras.layers.LeakyReLU), expected)
        bn_names = [
            x.name for x in discriminator.layers if isinstance(x, keras.layers.BatchNormalization)
        ]
        self.assertEqual(bn_names, [f"downsample_{i}_bn" for i in range(1, len(expected))])
        slopes = {
            float(x.negative_slope)
            for x in discriminator.layers
            if isinstance(x, keras.layers.LeakyReLU)
        }
        self.assertEqual(slopes, {0.2})

    def test_paper_64x64_widths_and_parameter_count(self):
        discriminator = DCGANDiscriminator(image_shape=(64, 64, 3), base_filters=64)
        self.assertEqual(
            _feature_map_shapes(discriminator, keras.layers.LeakyReLU),
            [(32, 32, 64), (16, 16, 128), (8, 8, 256), (4, 4, 512)],
        )
        trainable = (
            4 * 4 * 3 * 64
            + 64  # first conv keeps its bias (no BN after it)
            + 4 * 4 * 64 * 128
            + 2 * 128
            + 4 * 4 * 128 * 256
            + 2 * 256
            + 4 * 4 * 256 * 512
            + 2 * 512
            + 4 * 4 * 512
            + 1  # Dense(1) on the flattened 4x4x512 features
        )
        # The PyTorch DCGAN example's netD (bias-free, final 4x4 conv) has
        # 2,765,568 parameters; ours adds 64 + 1 biases.
        self.assertEqual(trainable, 2_765_568 + 65)
        self.assertEqual(_count(discriminator.trainable_weights), trainable)
        self.assertEqual(_count(discriminator.non_trainable_weights), 2 * (128 + 256 + 512))

    def test_initializer_statistics(self):
        discriminator = DCGANDiscriminator(image_shape=(64, 64, 3), base_filters=16)
        kernel = discriminator.get_layer("downsample_3_conv").kernel.numpy()
        self.assertEqual(kernel.size, 4 * 4 * 64 * 128)
        self.assertAllClose(np.std(kernel), 0.02, rtol=0.1)
        logits_kernel = discriminator.get_layer("logits").kernel.numpy()
        self.assertAllClose(np.std(logits_kernel), 0.02, rtol=0.1)
        bn = discriminator.get_layer("downsample_3_bn")
        self.assertAllClose(np.mean(bn.gamma.numpy()), 1.0, atol=0.01)
        self.assertAllEqual(bn.beta.numpy(), np.zeros(128))

    def test_single_named_image_input_and_attributes(self):
        discriminator = DCGANDiscriminator(image_shape=(28, 28, 1), base_filters=4)
        self.assertLen(discriminator.inputs, 1)
        self.assertEqual(discriminator.inputs[0].name, "image")
        self.assertEqual(discriminator.image_shape, (28, 28, 1))
        self.assertIsNone(discriminator.num_classes)
        self.assertEqual(discriminator.output_shape, (None, 1))

    def test_builder(self):
        images = np.random.default_rng(2).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
        self.run_builder_test(
            DCGANDiscriminator,
            {"image_shape": (32, 32, 3), "base_filters": 4},
            images,
            expected_output_shape=(2, 1),
            partner=DCGANGenerator(latent_dim=8, image_shape=(32, 32, 3), base_filters=4),
            images=images,
        )

    def test_config(self):
        discriminator = DCGANDiscriminator(
            image_shape=(32, 32, 1), base_filters=4, trainable=False, name="d"
        )
        config = discriminator.get_config()
        self.assertEqual(
            config,
            {
                "name": "d",
                "trainable": False,
                "image_shape": (32, 32, 1),
                "base_filters": 4,
                "num_classes": None,
                "label_conditioning": "input",
                "normalization": "batch",
                "spectral_norm": False,
                "packing": 1,
            },
        )
        restored = DCGANDiscriminator.from_config(json.loads(json.dumps(config)))
        self.assertEqual(restored.get_config(), config)
        self.assertEmpty(restored.trainable_weights)

    @parameterized.named_parameters(
        ("size_48", {"image_shape": (48, 48, 3)}, r"image_shape=\(48, 48, 3\)"),
        ("non_square", {"image_shape": (28, 32, 1)}, r"image_shape=\(28, 32, 1\)"),
        ("shape_none", {"image_shape": None}, "image_shape=None"),
        ("base_filters_negative", {"base_filters": -1}, "base_filters=-1"),
        ("classes_float", {"num_classes": 10.0}, "num_classes=10.0"),
        (
            "conditioning",
            {"label_conditioning": "Projection"},
            "label_conditioning='Projection'",
        ),
        ("unknown_kwarg", {"latent_dim": 100}, "latent_dim"),
        ("normalization_unknown", {"normalization": "instance"}, "normalization='instance'"),
        ("normalization_case", {"normalization": "Batch"}, "normalization='Batch'"),
        ("normalization_bool", {"normalization": False}, "normalization=False"),
        ("normalization_list", {"normalization": ["layer"]}, r"normalization=\['layer'\]"),
        ("spectral_norm_str", {"spectral_norm": "False"}, "spectral_norm='False'"),
        ("spectral_norm_int", {"spectral_norm": 1}, "spectral_norm=1"),
        ("spectral_norm_none", {"spectral_norm": None}, "spectral_norm=None"),
    )
    def test_invalid_arguments_raise(self, kwargs, message):
        with self.assertRaisesRegex(ValueError, message):
            DCGANDiscriminator(**kwargs)

    def test_unknown_normalization_message_lists_valid_values(self):
        with self.assertRaisesRegex(
            ValueError, r"\['batch', 'layer', None\].*Received: normalization='group'"
        ):
            DCGANDiscriminator(normalization="group")


def _layers(model, layer_type):
    return [x for x in model.layers if isinstance(x, layer_type)]


def _largest_singular_value(kernel):
    # Keras' SpectralNormalization reshapes the kernel to (-1, out): for a
    # conv kernel (kh, kw, cin, cout) that is (kh * kw * cin, cout).
    kernel = keras.ops.convert_to_numpy(kernel)
    return np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]


# 32x32x1 images, base_filters=4: convs 16x16x4 -> 8x8x8 -> 4x4x16, then
# Dense(1) on the 256 flattened features.
SMALL_IMAGE_SHAPE = (32, 32, 1)
CONV_KERNELS = 4 * 4 * 1 * 4 + 4 * 4 * 4 * 8 + 4 * 4 * 8 * 16
CONV_WIDTHS = (4, 8, 16)
DENSE_PARAMS = 4 * 4 * 16 + 1


def _small_discriminator(**kwargs):
    return DCGANDiscriminator(image_shape=SMALL_IMAGE_SHAPE, base_filters=4, **kwargs)


def _small_images(seed, batch_size=2):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (batch_size,) + SMALL_IMAGE_SHAPE).astype("float32")


class DCGANDiscriminatorNormalizationTest(TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    @parameterized.named_parameters(
        # Trainable: conv kernels, the first conv's bias, the Dense(1), plus
        # BN gamma + beta per channel / LN gamma + beta per feature-map
        # element (8x8x8 and 4x4x16) / the biases normalisation replaced.
        ("batch", "batch", keras.layers.BatchNormalization, "bn", 2 * (8 + 16), 2 * (8 + 16)),
        ("layer", "layer", keras.layers.LayerNormalization, "ln", 2 * (8 * 8 * 8 + 4 * 4 * 16), 0),
        ("none", None, None, None, 8 + 16, 0),
    )
    def test_normalization_layers_biases_and_parameter_counts(
        self, normalization, layer_type, suffix, extra_trainable, non_trainable
    ):
        discriminator = _small_discriminator(normalization=normalization)
        self.assertEqual(discriminator.normalization, normalization)
        norm_layers = [
            x
            for x in discriminator.layers
            if isinstance(x, (keras.layers.BatchNormalization, keras.layers.LayerNormalization))
        ]
        if layer_type is None:
            self.assertEmpty(norm_layers)
        else:
            self.assertTrue(all(isinstance(x, layer_type) for x in norm_layers))
            self.assertEqual(
                [x.name for x in norm_layers], [f"downsample_{i}_{suffix}" for i in (1, 2)]
            )
        convs = _layers(discriminator, keras.layers.Conv2D)
        # Only a conv followed by a normalisation layer drops its bias.
        self.assertEqual(
            [x.use_bias for x in convs], [True] + [normalization is None] * (len(convs) - 1)
        )
        self.assertEqual(
            _count(discriminator.trainable_weights),
            CONV_KERNELS + 4 + DENSE_PARAMS + extra_trainable,
        )
        self.assertEqual(_count(discriminator.non_trainable_weights), non_trainable)
        self.assertEqual(discriminator.output_shape, (None, 1))

    def test_layer_norm_normalises_each_sample_over_its_whole_feature_map(self):
        discriminator = _small_discriminator(normalization="layer")
        ln = discriminator.get_layer("downsample_1_ln")
        self.assertEqual(list(ln.axis), [1, 2, 3])
        self.assertEqual(tuple(ln.gamma.shape), (8, 8, 8))
        probe = keras.Model(
            discriminator.input,
            [discriminator.get_layer("downsample_1_conv").output, ln.output],
        )
        conv_out, ln_out = (keras.ops.convert_to_numpy(t) for t in probe(_small_images(0, 3)))
        mean = conv_out.mean(axis=(1, 2, 3), keepdims=True)
        var = conv_out.var(axis=(1, 2, 3), keepdims=True)
        self.assertAllClose(ln_out, (conv_out - mean) / np.sqrt(var + ln.epsilon), atol=1e-5)

    @parameterized.named_parameters(
        ("layer", "layer", True),
        ("none", None, True),
        ("batch", "batch", False),
    )
    def test_batch_independence_in_training_mode(self, normalization, independent):
        # The WGAN-GP penalty takes the gradient of each sample's output with
        # respect to that sample alone: it needs D(x)_i to depend on x_i only.
        discriminator = _small_discriminator(normalization=normalization)
        images = _small_images(1, 3)
        others = _small_images(2, 3)
        others[0] = images[0]
        alone = discriminator(images[:1], training=True)[0]
        with_images = discriminator(images, training=True)[0]
        with_others = discriminator(others, training=True)[0]
        images = tf.constant(images)
        with tf.GradientTape() as tape:
            tape.watch(images)
            first_logit = discriminator(images, training=True)[0, 0]
        cross_gradients = tape.gradient(first_logit, images).numpy()[1:]
        if independent:
            self.assertAllClose(with_images, alone, atol=1e-6)
            self.assertAllClose(with_others, alone, atol=1e-6)
            self.assertAllEqual(cross_gradients, np.zeros_like(cross_gradients))
        else:
            self.assertNotAllClose(with_images, alone)
            self.assertNotAllClose(with_others, with_images)
            self.assertGreater(np.abs(cross_gradients).max(), 0.0)

    @parameterized.named_parameters(("batch", "batch"), ("layer", "layer"), ("none", None))
    def test_spectral_norm_wraps_every_conv_and_the_dense(self, normalization):
        plain = _small_discriminator(normalization=normalization)
        discriminator = _small_discriminator(normalization=normalization, spectral_norm=True)
        self.assertTrue(discriminator.spectral_norm)
        wrappers = _layers(discriminator, keras.layers.SpectralNormalization)
        # The wrappers take the wrapped layers' names: the layer names (and
        # the output name) do not depend on spectral_norm.
        self.assertEqual([x.name for x in discriminator.layers], [x.name for x in plain.layers])
        self.assertEqual(
            [x.name for x in wrappers],
            ["downsample_0_conv", "downsample_1_conv", "downsample_2_conv", "logits"],
        )
        self.assertEqual(
            [type(x.layer) for x in wrappers], [keras.layers.Conv2D] * 3 + [keras.layers.Dense]
        )
        self.assertEqual([x.power_iterations for x in wrappers], [1] * 4)
        self.assertEmpty(_layers(discriminator, keras.layers.Conv2D))
        self.assertEmpty(_layers(discriminator, keras.layers.Dense))
        self.assertEqual(
            len(_layers(discriminator, keras.layers.BatchNormalization)),
            2 if normalization == "batch" else 0,
        )
        self.assertEqual(
            len(_layers(discriminator, keras.layers.LayerNormalization)),
            2 if normalization == "layer" else 0,
        )
        # Same trainable weights; one non-trainable u vector per wrapper.
        self.assertEqual(_count(discriminator.trainable_weights), _count(plain.trainable_weights))
        self.assertEqual(
            _count(discriminator.non_trainable_weights),
            _count(plain.non_trainable_weights) + sum(CONV_WIDTHS) + 1,
        )

    def test_spectral_norm_makes_the_largest_singular_values_one(self):
        discriminator = _small_discriminator(normalization=None, spectral_norm=True)
        wrappers = _layers(discriminator, keras.layers.SpectralNormalization)
        # N(0, 0.02) kernels start far below 1.
        for wrapper in wrappers:
            self.assertLess(_largest_singular_value(wrapper.kernel), 0.5)
        images = _small_images(3)
        train_call = tf.function(lambda x: discriminator(x, training=True))
        # One power iteration per training call.
        for _ in range(40):
            train_call(images)
        logits = train_call(images)
        for wrapper in wrappers:
            self.assertAllClose(_largest_singular_value(wrapper.kernel), 1.0, atol=1e-3)
            self.assertIs(wrapper.kernel, wrapper.layer.kernel)
        # Keras writes the normalised kernel to the wrapped layer, and the
        # training call used it: an inference call (no BN, no dropout, so
        # the same function of the stored weights) gives the same logits.
        self.assertAllClose(discriminator(images, training=False), logits, atol=1e-6)

    def test_spectral_norm_keras_file_round_trip_keeps_the_power_iteration_state(self):
        discriminator = _small_discriminator(normalization="layer", spectral_norm=True)
        images = _small_images(4)
        # A few training calls so u and the kernels are neither initial nor
        # converged.
        for _ in range(3):
            discriminator(images, training=True)
        restored = self.run_model_saving_test(discriminator, images)
        self.assertEqual(restored.get_config(), discriminator.get_config())
        self.assertLen(_layers(restored, keras.layers.SpectralNormalization), 4)
        self.assertAllClose(restored(images), discriminator(images), atol=0.0, rtol=0.0)
        wrappers = _layers(restored, keras.layers.SpectralNormalization)
        originals = _layers(discriminator, keras.layers.SpectralNormalization)
        u_saved = [x.vector_u.numpy() for x in wrappers]
        kernels_saved = [x.kernel.numpy() for x in wrappers]
        for u, original in zip(u_saved, originals, strict=True):
            self.assertAllEqual(u, original.vector_u.numpy())
        # Inference calls leave u and the kernels alone.
        restored(images, training=False)
        for wrapper, u, kernel in zip(wrappers, u_saved, kernels_saved, strict=True):
            self.assertAllEqual(wrapper.vector_u.numpy(), u)
            self.assertAllEqual(wrapper.kernel.numpy(), kernel)
        # A training call runs a power iteration: it changes u and the
        # kernels, exactly as in the original model, whose state was saved.
        # (Not for the Dense(1): its 1-element u is +-1 and its kernel a
        # vector, normalised exactly by the first training call.)
        self.assertAllClose(
            restored(images, training=True), discriminator(images, training=True), atol=1e-6
        )
        for wrapper, u, kernel in zip(wrappers[:-1], u_saved, kernels_saved, strict=False):
            self.assertNotAllClose(wrapper.vector_u.numpy(), u)
            self.assertNotAllClose(wrapper.kernel.numpy(), kernel)
        self.assertEqual(wrappers[-1].name, "logits")
        for wrapper, original in zip(wrappers, originals, strict=True):
            self.assertAllClose(wrapper.vector_u.numpy(), original.vector_u.numpy(), atol=1e-6)

    @parameterized.named_parameters(
        ("layer_sn", {"normalization": "layer", "spectral_norm": True}),
        ("none", {"normalization": None}),
        ("none_sn", {"normalization": None, "spectral_norm": True}),
        ("batch_sn", {"normalization": "batch", "spectral_norm": np.bool_(True)}),
    )
    def test_builder_with_normalization_options(self, kwargs):
        init_kwargs = {"image_shape": SMALL_IMAGE_SHAPE, "base_filters": 4, **kwargs}
        model = self.run_builder_test(
            DCGANDiscriminator, init_kwargs, _small_images(5), expected_output_shape=(2, 1)
        )
        config = model.get_config()
        self.assertEqual(config["normalization"], kwargs["normalization"])
        self.assertIs(config["spectral_norm"], bool(kwargs.get("spectral_norm", False)))
        restored = DCGANDiscriminator.from_config(json.loads(json.dumps(config)))
        self.assertEqual(restored.get_config(), config)
        float32_training_outputs(
            self, DCGANDiscriminator, init_kwargs, _small_images(6), "downsample_1_conv"
        )
