import json

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans.architectures import DCGANDiscriminator
from keras_gans.architectures import DCGANGenerator
from keras_gans.architectures import DenseDiscriminator
from keras_gans.architectures import DenseGenerator
from keras_gans.architectures import conditional
from tests.architectures.builder_checks import float32_training_outputs
from tests.test_case import TestCase

NUM_CLASSES = 3

_LABELS = {"latent_dim": 8, "num_classes": NUM_CLASSES, "label_embedding_dim": 5}
GENERATOR_ARGS = {
    "dense": (DenseGenerator, {**_LABELS, "image_shape": (8, 8, 1), "hidden_units": (16,)}),
    "dcgan": (DCGANGenerator, {**_LABELS, "image_shape": (28, 28, 1), "base_filters": 4}),
}


def _generator(kind, image_shape=None):
    cls, kwargs = GENERATOR_ARGS[kind]
    return cls(**{**kwargs, "image_shape": image_shape or kwargs["image_shape"]})


def _discriminator_args(kind, label_conditioning, **kwargs):
    if kind == "dense":
        return DenseDiscriminator, {
            "image_shape": (8, 8, 1),
            "hidden_units": (16, 8),
            "num_classes": NUM_CLASSES,
            "label_conditioning": label_conditioning,
            "label_embedding_dim": 5,
            **kwargs,
        }
    return DCGANDiscriminator, {
        "image_shape": (32, 32, 2),
        "base_filters": 4,
        "num_classes": NUM_CLASSES,
        "label_conditioning": label_conditioning,
        **kwargs,
    }


def _discriminator(kind, label_conditioning, **kwargs):
    cls, init_kwargs = _discriminator_args(kind, label_conditioning, **kwargs)
    return cls(**init_kwargs)


def _training_batch(image_shape):
    rng = np.random.default_rng(4)
    images = rng.uniform(-1, 1, (4, *image_shape)).astype("float32")
    return images, np.array([0, 1, 2, 1], "int32")


DISCRIMINATOR_CASES = [
    ("dense_input", "dense", "input"),
    ("dense_projection", "dense", "projection"),
    ("dcgan_input", "dcgan", "input"),
    ("dcgan_projection", "dcgan", "projection"),
]


def _latents(generator, labels):
    # The same latent vector for every row: rows differ only by label.
    latent_dim = generator if isinstance(generator, int) else generator.latent_dim
    z = np.random.default_rng(0).normal(size=(1, latent_dim))
    z = np.repeat(z, len(labels), axis=0).astype("float32")
    return {"latent": z, "label": np.array(labels, dtype="int32")}


def _images(discriminator, labels):
    shape = discriminator if isinstance(discriminator, tuple) else discriminator.image_shape
    x = np.random.default_rng(0).uniform(-1, 1, size=(1,) + shape)
    x = np.repeat(x, len(labels), axis=0).astype("float32")
    return {"image": x, "label": np.array(labels, dtype="int32")}


class HelpersTest(TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    def test_validate_num_classes_normalises(self):
        self.assertIsNone(conditional.validate_num_classes(None))
        value = conditional.validate_num_classes(np.int64(10))
        self.assertEqual(value, 10)
        self.assertIs(type(value), int)

    @parameterized.named_parameters(
        ("one", 1, "num_classes=1"),
        ("negative", -2, "num_classes=-2"),
        ("float", 2.0, "num_classes=2.0"),
        ("string", "10", "num_classes='10'"),
        ("bool", True, "num_classes=True"),
    )
    def test_validate_num_classes_rejects(self, value, message):
        with self.assertRaisesRegex(ValueError, message):
            conditional.validate_num_classes(value)

    def test_validate_label_conditioning(self):
        self.assertEqual(conditional.validate_label_conditioning("input"), "input")
        self.assertEqual(conditional.validate_label_conditioning("projection"), "projection")
        with self.assertRaisesRegex(
            ValueError, r"\['input', 'projection'\].*label_conditioning='concat'"
        ):
            conditional.validate_label_conditioning("concat")
        with self.assertRaisesRegex(ValueError, "label_conditioning=None"):
            conditional.validate_label_conditioning(None)

    def test_label_input_and_model_inputs(self):
        label = conditional.label_input()
        self.assertEqual(tuple(label.shape), (None,))
        self.assertEqual(label.dtype, "int32")
        self.assertEqual(label.name, "label")
        latent = keras.Input((4,), name="latent")
        self.assertIs(conditional.model_inputs(latent, None), latent)
        self.assertEqual(
            conditional.model_inputs(latent, label), {"latent": latent, "label": label}
        )

    def test_embed_label_into_latent_concatenates_embedding_row(self):
        latent, label = keras.Input((4,), name="latent"), conditional.label_input()
        out = conditional.embed_label_into_latent(latent, label, NUM_CLASSES, 3)
        self.assertEqual(tuple(out.shape), (None, 7))
        model = keras.Model({"latent": latent, "label": label}, out)
        table = model.get_layer("label_embedding").embeddings.numpy()
        z = np.arange(8, dtype="float32").reshape(2, 4)
        y = np.array([2, 0], dtype="int32")
        expected = np.concatenate([z, table[y]], axis=-1)
        self.assertAllClose(model({"latent": z, "label": y}), expected)

    def test_label_as_channel_appends_embedding_map(self):
        image, label = keras.Input((4, 5, 2), name="image"), conditional.label_input()
        out = conditional.label_as_channel(image, label, NUM_CLASSES)
        self.assertEqual(tuple(out.shape), (None, 4, 5, 3))
        model = keras.Model({"image": image, "label": label}, out)
        table = model.get_layer("label_embedding").embeddings.numpy()
        self.assertEqual(table.shape, (NUM_CLASSES, 4 * 5))
        x = np.random.default_rng(0).normal(size=(2, 4, 5, 2)).astype("float32")
        y = np.array([1, 2], dtype="int32")
        result = keras.ops.convert_to_numpy(model({"image": x, "label": y}))
        self.assertAllClose(result[..., :2], x)
        self.assertAllClose(result[..., 2], table[y].reshape(2, 4, 5))

    def test_projection_logits_formula(self):
        features, label = keras.Input((6,), name="features"), conditional.label_input()
        out = conditional.projection_logits(features, label, NUM_CLASSES)
        model = keras.Model({"features": features, "label": label}, out)
        kernel, bias = model.get_layer("linear_logits").get_weights()
        table = model.get_layer("projection_embedding").embeddings.numpy()
        phi = np.random.default_rng(0).normal(size=(2, 6)).astype("float32")
        y = np.array([0, 2], dtype="int32")
        expected = phi @ kernel + bias + np.sum(table[y] * phi, axis=-1, keepdims=True)
        self.assertAllClose(model({"features": phi, "label": y}), expected)
        self.assertFalse(any(isinstance(x, keras.layers.Lambda) for x in model.layers))


class ConditionalGeneratorTest(TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    @parameterized.named_parameters(("dense", "dense"), ("dcgan", "dcgan"))
    def test_dict_inputs_and_attributes(self, kind):
        generator = _generator(kind)
        self.assertEqual(sorted(generator.input), ["label", "latent"])
        self.assertEqual(generator.input["latent"].name, "latent")
        self.assertEqual(generator.input["label"].name, "label")
        self.assertEqual(generator.input["label"].dtype, "int32")
        self.assertEqual(generator.num_classes, NUM_CLASSES)
        self.assertEqual(generator.latent_dim, 8)
        table = generator.get_layer("label_embedding").embeddings
        self.assertEqual(tuple(table.shape), (NUM_CLASSES, 5))
        # z and the embedded label are concatenated before the first dense.
        first_dense = next(x for x in generator.layers if isinstance(x, keras.layers.Dense))
        self.assertEqual(first_dense.kernel.shape[0], 8 + 5)

    @parameterized.named_parameters(("dense", "dense"), ("dcgan", "dcgan"))
    def test_output_depends_on_label(self, kind):
        generator = _generator(kind)
        images = keras.ops.convert_to_numpy(generator(_latents(generator, [0, 1, 1])))
        self.assertEqual(images.shape, (3,) + generator.image_shape)
        self.assertAllInRange(images, -1.0, 1.0)
        self.assertNotAllClose(images[0], images[1])
        self.assertAllClose(images[1], images[2])

    @parameterized.named_parameters(("dense", "dense"), ("dcgan", "dcgan"))
    def test_builder(self, kind):
        cls, kwargs = GENERATOR_ARGS[kind]
        partner = _discriminator(kind, "input", image_shape=kwargs["image_shape"])
        images, labels = _training_batch(kwargs["image_shape"])
        generator = self.run_builder_test(
            cls,
            kwargs,
            _latents(8, [0, 2]),
            expected_output_shape=(2, *kwargs["image_shape"]),
            partner=partner,
            images=images,
            labels=labels,
        )
        config = generator.get_config()
        self.assertEqual(config["num_classes"], NUM_CLASSES)
        self.assertEqual(config["label_embedding_dim"], 5)
        restored = cls.from_config(json.loads(json.dumps(config)))
        self.assertEqual(restored.get_config(), config)

    def test_unconditional_generator_has_no_label_layers(self):
        generator = DCGANGenerator(latent_dim=8, image_shape=(28, 28, 1), base_filters=4)
        self.assertFalse(any(isinstance(x, keras.layers.Embedding) for x in generator.layers))


class ConditionalDiscriminatorTest(TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    @parameterized.named_parameters(*DISCRIMINATOR_CASES)
    def test_dict_inputs_and_logits_depend_on_label(self, kind, label_conditioning):
        discriminator = _discriminator(kind, label_conditioning)
        self.assertEqual(sorted(discriminator.input), ["image", "label"])
        self.assertEqual(discriminator.input["image"].name, "image")
        self.assertEqual(discriminator.input["label"].name, "label")
        self.assertEqual(discriminator.num_classes, NUM_CLASSES)
        self.assertEqual(discriminator.label_conditioning, label_conditioning)
        logits = keras.ops.convert_to_numpy(discriminator(_images(discriminator, [0, 1, 1])))
        self.assertEqual(logits.shape, (3, 1))
        self.assertEqual(discriminator.output_shape, (None, 1))
        self.assertNotAllClose(logits[0], logits[1])
        self.assertAllClose(logits[1], logits[2])

    def test_dcgan_input_conditioning_adds_one_image_channel(self):
        discriminator = _discriminator("dcgan", "input")
        table = discriminator.get_layer("label_embedding").embeddings
        self.assertEqual(tuple(table.shape), (NUM_CLASSES, 32 * 32))
        kernel = discriminator.get_layer("downsample_0_conv").kernel
        self.assertEqual(tuple(kernel.shape), (4, 4, 2 + 1, 4))

    def test_dense_input_conditioning_concatenates_embedding(self):
        discriminator = _discriminator("dense", "input")
        kernel = discriminator.get_layer("hidden_0_dense").kernel
        self.assertEqual(tuple(kernel.shape), (8 * 8 * 1 + 5, 16))

    @parameterized.named_parameters(
        ("dense", "dense", "hidden_1_leaky_relu", 8, "hidden_0_dense", (64, 16)),
        ("dcgan", "dcgan", "flatten", 4 * 4 * 16, "downsample_0_conv", (4, 4, 2, 4)),
    )
    def test_projection_logits_by_hand(
        self, kind, features_layer, feature_dim, first_layer, first_kernel_shape
    ):
        discriminator = _discriminator(kind, "projection")
        # The label does not enter the network before the projection.
        self.assertEqual(
            tuple(discriminator.get_layer(first_layer).kernel.shape), first_kernel_shape
        )
        self.assertFalse(any(isinstance(x, keras.layers.Lambda) for x in discriminator.layers))
        phi_model = keras.Model(
            discriminator.input["image"],
            discriminator.get_layer(features_layer).output,
        )
        kernel, bias = discriminator.get_layer("linear_logits").get_weights()
        table = discriminator.get_layer("projection_embedding").embeddings.numpy()
        self.assertEqual(table.shape, (NUM_CLASSES, feature_dim))

        rng = np.random.default_rng(1)
        x = rng.uniform(-1, 1, size=(2,) + discriminator.image_shape).astype("float32")
        y = np.array([2, 0], dtype="int32")
        phi = keras.ops.convert_to_numpy(phi_model(x))
        self.assertEqual(phi.shape, (2, feature_dim))
        expected = phi @ kernel + bias + np.sum(table[y] * phi, axis=-1, keepdims=True)
        self.assertAllClose(discriminator({"image": x, "label": y}), expected, atol=1e-6)

    @parameterized.named_parameters(*DISCRIMINATOR_CASES)
    def test_builder(self, kind, label_conditioning):
        cls, kwargs = _discriminator_args(kind, label_conditioning)
        images, labels = _training_batch(kwargs["image_shape"])
        discriminator = self.run_builder_test(
            cls,
            kwargs,
            _images(kwargs["image_shape"], [0, 2]),
            expected_output_shape=(2, 1),
            # A conditional generator of the discriminator's sample shape.
            partner=_generator(kind) if kind == "dense" else _generator("dcgan", (32, 32, 2)),
            images=images,
            labels=labels,
        )
        config = discriminator.get_config()
        self.assertEqual(config["num_classes"], NUM_CLASSES)
        self.assertEqual(config["label_conditioning"], label_conditioning)
        restored = cls.from_config(json.loads(json.dumps(config)))
        self.assertEqual(restored.get_config(), config)

    @parameterized.named_parameters(("plain", False), ("spectral_norm", True))
    def test_projection_trains_under_mixed_precision(self, spectral_norm):
        cls, kwargs = _discriminator_args("dcgan", "projection", spectral_norm=spectral_norm)
        inputs = {k: tf.constant(v) for k, v in _images(kwargs["image_shape"], [0, 1]).items()}
        float32_training_outputs(self, cls, kwargs, inputs, "downsample_1_conv")

    @parameterized.named_parameters(
        ("dense_input", "dense", "input", ["hidden_0_dense", "hidden_1_dense", "logits"]),
        (
            "dense_projection",
            "dense",
            "projection",
            ["hidden_0_dense", "hidden_1_dense", "linear_logits"],
        ),
        (
            "dcgan_projection",
            "dcgan",
            "projection",
            ["downsample_0_conv", "downsample_1_conv", "downsample_2_conv", "linear_logits"],
        ),
    )
    def test_spectral_norm_wraps_the_projection_dense_but_not_embeddings(
        self, kind, label_conditioning, wrapped
    ):
        discriminator = _discriminator(kind, label_conditioning, spectral_norm=True)
        wrappers = [
            x for x in discriminator.layers if isinstance(x, keras.layers.SpectralNormalization)
        ]
        self.assertEqual([x.name for x in wrappers], wrapped)
        self.assertEqual(type(wrappers[-1].layer), keras.layers.Dense)
        # Keras' wrapper casts its output to its input's dtype: around an
        # Embedding it would turn the embedded labels into integers.
        embeddings = [x for x in discriminator.layers if isinstance(x, keras.layers.Embedding)]
        self.assertLen(embeddings, 1)
        # The projection formula holds with the (stored, normalised) kernel.
        inputs = _images(discriminator, [0, 2, 1])
        for _ in range(2):
            discriminator(inputs, training=True)
        if label_conditioning == "projection":
            features_layer = "hidden_1_leaky_relu" if kind == "dense" else "flatten"
            phi_model = keras.Model(
                discriminator.input["image"], discriminator.get_layer(features_layer).output
            )
            phi = keras.ops.convert_to_numpy(phi_model(inputs["image"]))
            linear = discriminator.get_layer("linear_logits")
            kernel, bias = linear.kernel.numpy(), linear.layer.bias.numpy()
            table = discriminator.get_layer("projection_embedding").embeddings.numpy()
            expected = phi @ kernel + bias
            expected += np.sum(table[inputs["label"]] * phi, axis=-1, keepdims=True)
            self.assertAllClose(discriminator(inputs), expected, atol=1e-6)

    @parameterized.named_parameters(
        ("dense", "dense", {"spectral_norm": True}),
        ("dcgan", "dcgan", {"spectral_norm": True, "normalization": "layer"}),
    )
    def test_spectral_norm_projection_builder_and_power_iteration_state(self, kind, kwargs):
        cls, init_kwargs = _discriminator_args(kind, "projection", **kwargs)
        inputs = _images(init_kwargs["image_shape"], [0, 2])
        model = self.run_builder_test(cls, init_kwargs, inputs, expected_output_shape=(2, 1))
        self.assertIs(model.get_config()["spectral_norm"], True)
        discriminator = cls(**init_kwargs)
        for _ in range(2):
            discriminator(inputs, training=True)
        loaded = self.run_model_saving_test(discriminator, inputs)
        self.assertEqual(loaded.get_config(), discriminator.get_config())
        self.assertAllClose(loaded(inputs), discriminator(inputs), atol=0.0, rtol=0.0)
        self.assertAllEqual(
            loaded.get_layer("linear_logits").vector_u.numpy(),
            discriminator.get_layer("linear_logits").vector_u.numpy(),
        )
        self.assertAllClose(
            loaded(inputs, training=True), discriminator(inputs, training=True), atol=1e-6
        )

    def test_unconditional_discriminator_ignores_label_conditioning(self):
        discriminator = DCGANDiscriminator(
            image_shape=(32, 32, 1), base_filters=4, label_conditioning="projection"
        )
        self.assertLen(discriminator.inputs, 1)
        self.assertEqual(discriminator.inputs[0].name, "image")
        self.assertIsNone(discriminator.num_classes)
        names = [x.name for x in discriminator.layers]
        self.assertNotIn("projection_embedding", names)
        self.assertIn("logits", names)

    @parameterized.named_parameters(
        ("dense_mode", DenseDiscriminator, {"label_conditioning": "proj"}),
        ("dcgan_mode", DCGANDiscriminator, {"label_conditioning": "proj"}),
        ("dense_classes", DenseDiscriminator, {"num_classes": 1}),
        ("dcgan_classes", DCGANDiscriminator, {"num_classes": 1}),
    )
    def test_invalid_conditioning_raises_even_when_unconditional(self, cls, kwargs):
        message = "label_conditioning='proj'" if "label_conditioning" in kwargs else "num_classes=1"
        with self.assertRaisesRegex(ValueError, message):
            cls(**kwargs)


class GradientFlowTest(TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    @parameterized.named_parameters(
        ("dense_generator", "dense", None),
        ("dcgan_generator", "dcgan", None),
        *DISCRIMINATOR_CASES,
        ("dense_projection_sn", "dense", "projection", {"spectral_norm": True}),
        (
            "dcgan_projection_sn_layer_norm",
            "dcgan",
            "projection",
            {"spectral_norm": True, "normalization": "layer"},
        ),
        (
            "dcgan_input_sn_no_norm",
            "dcgan",
            "input",
            {"spectral_norm": True, "normalization": None},
        ),
    )
    def test_every_weight_including_label_embeddings_gets_a_gradient(
        self, kind, label_conditioning, kwargs=None
    ):
        if label_conditioning is None:
            model = _generator(kind)
            inputs = _latents(model, [0, 1])
        else:
            model = _discriminator(kind, label_conditioning, **(kwargs or {}))
            inputs = _images(model, [0, 1])
        inputs = {k: tf.constant(v) for k, v in inputs.items()}
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(model(inputs, training=True)))
        grads = tape.gradient(loss, model.trainable_weights)
        no_gradient = [
            w.path
            for w, g in zip(model.trainable_weights, grads, strict=True)
            if g is None or not np.any(tf.convert_to_tensor(g).numpy())
        ]
        self.assertEmpty(no_gradient)
