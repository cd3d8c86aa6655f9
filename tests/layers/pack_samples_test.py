import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans.layers import PackSamples
from tests.layers import layer_testing


def _reference(x, packing):
    """Sample by sample: sample i * m + j fills channels [j * C, (j + 1) * C) of group i."""
    x = np.asarray(x)
    channels = x.shape[-1]
    groups = x.shape[0] // packing
    out = np.zeros((groups, *x.shape[1:-1], packing * channels), x.dtype)
    for i in range(groups):
        for j in range(packing):
            out[i, ..., j * channels : (j + 1) * channels] = x[i * packing + j]
    return out


def _numbered(shape):
    """Every entry distinct: sample s, entry e holds 1000 * s + e."""
    per_sample = int(np.prod(shape[1:]))
    values = 1000 * np.arange(shape[0])[:, None] + np.arange(per_sample)[None, :]
    return values.reshape(shape).astype("float32")


class PackSamplesTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.named_parameters(
        ("images_by_2", (8, 4, 4, 3), 2, (4, 4, 4, 6)),
        ("images_by_4", (8, 4, 4, 3), 4, (2, 4, 4, 12)),
        ("grey_non_square", (6, 2, 5, 1), 3, (2, 2, 5, 3)),
        ("vectors_by_2", (10, 2), 2, (5, 4)),
        ("vectors_by_4", (12, 2), 4, (3, 8)),
        ("whole_batch", (4, 3), 4, (1, 12)),
    )
    def test_shape_and_grouping_match_numpy(self, shape, packing, expected_shape):
        x = _numbered(shape)
        outputs = PackSamples(packing)(x).numpy()
        self.assertEqual(outputs.shape, expected_shape)
        self.assertAllEqual(outputs, _reference(x, packing))

    def test_known_values_of_a_vector_batch(self):
        # Four 2-D samples a, b, c, d packed by 2: (a, b) and (c, d), not (a, c), (b, d).
        x = np.array([[1, 2], [3, 4], [5, 6], [7, 8]], "float32")
        self.assertAllEqual(PackSamples(2)(x), [[1, 2, 3, 4], [5, 6, 7, 8]])

    def test_known_values_of_an_image_batch(self):
        # Three one-pixel grey images per group, concatenated along channels.
        x = np.arange(6, dtype="float32").reshape(6, 1, 1, 1)
        outputs = PackSamples(3)(x).numpy()
        self.assertAllEqual(outputs[:, 0, 0, :], [[0, 1, 2], [3, 4, 5]])
        # Images keep their pixels in place: pixel (r, c) of sample 2 is at
        # (r, c), channels 4-5, of group 0.
        x = _numbered((4, 3, 3, 2))
        outputs = PackSamples(4)(x).numpy()
        self.assertAllEqual(outputs[0, 1, 2, 4:6], x[2, 1, 2])

    def test_packing_one_is_the_identity(self):
        x = _numbered((3, 2, 2, 2))
        self.assertAllEqual(PackSamples(1)(x), x)

    def test_real_and_generated_batches_are_grouped_alike(self):
        # Each batch is grouped on its own, by position: packing a real batch
        # and a generated batch never mixes the two, and a batch's groups do
        # not depend on its content.
        real = _numbered((8, 2))
        fake = -_numbered((8, 2)) - 1.0
        layer = PackSamples(4)
        packed_real, packed_fake = layer(real).numpy(), layer(fake).numpy()
        self.assertAllEqual(packed_real, _reference(real, 4))
        self.assertAllEqual(packed_fake, _reference(fake, 4))
        self.assertAllEqual(packed_fake, -packed_real - 1.0)
        self.assertTrue(np.all(packed_real >= 0) and np.all(packed_fake < 0))
        # One batch of both, real first, gives the real groups then the fake ones.
        both = layer(np.concatenate([real, fake])).numpy()
        self.assertAllEqual(both, np.concatenate([packed_real, packed_fake]))

    def test_gradient_unpacks(self):
        # d/dx sum(w * pack(x)) is w put back sample by sample.
        x = tf.constant(_numbered((6, 2, 2, 1)))
        weights = np.random.default_rng(0).normal(size=(3, 2, 2, 2)).astype("float32")
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = tf.reduce_sum(weights * PackSamples(2)(x))
        gradient = tape.gradient(total, x).numpy()
        expected = np.stack([weights[k // 2, ..., k % 2 : k % 2 + 1] for k in range(6)])
        self.assertAllClose(gradient, expected)

    def test_batch_not_divisible_raises(self):
        with self.assertRaisesRegex(
            ValueError, r"PackSamples\(packing=4\) needs a batch divisible by 4.*batch of 6"
        ):
            PackSamples(4)(np.zeros((6, 2), "float32"))
        with self.assertRaisesRegex(ValueError, "batch of 5"):
            PackSamples(2)(np.zeros((5, 2, 2, 1), "float32"))

    def test_batch_not_divisible_raises_in_a_graph_of_unknown_batch(self):
        layer = PackSamples(4)
        function = tf.function(layer, input_signature=[tf.TensorSpec((None, 2))])
        x = _numbered((8, 2))
        self.assertAllEqual(function(x), _reference(x, 4))
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "divisible by packing=4"):
            function(x[:6])

    def test_compute_output_shape(self):
        self.assertEqual(PackSamples(4).compute_output_shape((None, 2)), (None, 8))
        self.assertEqual(PackSamples(2).compute_output_shape((8, 4, 4, 3)), (4, 4, 4, 6))
        inputs = keras.Input((4, 4, 3))
        self.assertEqual(tuple(PackSamples(3)(inputs).shape), (None, 4, 4, 9))

    @parameterized.named_parameters(
        ("zero", 0), ("negative", -2), ("float", 2.5), ("bool", True), ("string", "2")
    )
    def test_invalid_packing_raises(self, packing):
        with self.assertRaisesRegex(ValueError, f"packing={packing!r}"):
            PackSamples(packing)

    def test_config_and_keras_file_round_trips(self):
        layer = PackSamples(4, name="pack")
        self.assertEqual(layer.get_config()["packing"], 4)
        self.assertEqual(PackSamples.from_config(layer.get_config()).packing, 4)
        x = _numbered((8, 2, 2, 3))
        layer_testing.run_serialization_test(self, layer, [x])
        for batch_size in (None, 8):
            restored = layer_testing.run_keras_file_test(
                self, lambda: PackSamples(4), [x], batch_size=batch_size
            )
            packs = [item for item in restored.layers if isinstance(item, PackSamples)]
            self.assertEqual([item.packing for item in packs], [4])
            self.assertAllEqual(restored([x]), _reference(x, 4))

    def test_mixed_precision(self):
        x = np.random.default_rng(1).normal(size=(8, 2, 2, 3)).astype("float32")
        layer_testing.run_mixed_precision_test(self, lambda: PackSamples(2), [x])
