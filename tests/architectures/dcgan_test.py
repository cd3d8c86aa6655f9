import json
import os

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans.architectures import DCGANDiscriminator
from keras_gans.architectures import DCGANGenerator

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


class DCGANGeneratorTest(tf.test.TestCase, parameterized.TestCase):
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

    def test_mixed_precision_outputs_float32(self):
        keras.mixed_precision.set_global_policy("mixed_float16")
        self.addCleanup(keras.mixed_precision.set_global_policy, "float32")
        generator = DCGANGenerator(latent_dim=8, image_shape=(32, 32, 3), base_filters=4)
        self.assertEqual(generator.get_layer("output_conv").compute_dtype, "float16")
        images = generator(np.zeros((2, 8), "float32"))
        self.assertEqual(images.dtype, tf.float32)

    def test_config_round_trip(self):
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
        restored.set_weights(generator.get_weights())
        z = np.random.default_rng(1).normal(size=(2, 8)).astype("float32")
        self.assertAllClose(restored(z), generator(z))

    def test_keras_file_round_trip(self):
        generator = DCGANGenerator(latent_dim=8, image_shape=(28, 28, 1), base_filters=4)
        # Non-trivial BN statistics must survive the round trip too.
        z = np.random.default_rng(2).normal(size=(2, 8)).astype("float32")
        generator(z, training=True)
        for bn in (x for x in generator.layers if isinstance(x, keras.layers.BatchNormalization)):
            bn.moving_mean.assign(np.random.default_rng(3).normal(size=bn.moving_mean.shape))
        path = os.path.join(self.get_temp_dir(), "dcgan_generator.keras")
        generator.save(path)
        restored = keras.models.load_model(path)
        self.assertIsInstance(restored, DCGANGenerator)
        self.assertEqual(restored.get_config(), generator.get_config())
        self.assertAllClose(restored(z), generator(z), atol=0.0, rtol=0.0)

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


class DCGANDiscriminatorTest(tf.test.TestCase, parameterized.TestCase):
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

    def test_mixed_precision_outputs_float32(self):
        keras.mixed_precision.set_global_policy("mixed_float16")
        self.addCleanup(keras.mixed_precision.set_global_policy, "float32")
        discriminator = DCGANDiscriminator(image_shape=(32, 32, 3), base_filters=4)
        logits = discriminator(np.zeros((2, 32, 32, 3), "float32"))
        self.assertEqual(logits.dtype, tf.float32)

    def test_config_round_trip(self):
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
            },
        )
        restored = DCGANDiscriminator.from_config(json.loads(json.dumps(config)))
        self.assertEqual(restored.get_config(), config)
        self.assertEmpty(restored.trainable_weights)
        restored.set_weights(discriminator.get_weights())
        images = np.random.default_rng(1).uniform(-1, 1, (2, 32, 32, 1)).astype("float32")
        self.assertAllClose(restored(images), discriminator(images))

    def test_keras_file_round_trip(self):
        discriminator = DCGANDiscriminator(image_shape=(32, 32, 3), base_filters=4)
        path = os.path.join(self.get_temp_dir(), "dcgan_discriminator.keras")
        discriminator.save(path)
        restored = keras.models.load_model(path)
        self.assertIsInstance(restored, DCGANDiscriminator)
        self.assertEqual(restored.get_config(), discriminator.get_config())
        images = np.random.default_rng(2).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
        self.assertAllClose(restored(images), discriminator(images), atol=0.0, rtol=0.0)

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
    )
    def test_invalid_arguments_raise(self, kwargs, message):
        with self.assertRaisesRegex(ValueError, message):
            DCGANDiscriminator(**kwargs)
