import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans.layers import MinibatchStandardDeviation
from tests.layers import layer_testing


def _reference(x, group_size, num_features=1, epsilon=1e-8):
    """The appended features, sample by sample: sample i's group is i, i + M, ..."""
    x = x.astype(np.float64)
    n, h, w, c = x.shape
    g = min(group_size, n)
    m = n // g
    out = np.zeros((n, h, w, num_features))
    for i in range(n):
        members = x[[i % m + k * m for k in range(g)]]
        std = np.sqrt(members.var(axis=0) + epsilon)  # population variance
        for f, chunk in enumerate(np.split(std, num_features, axis=-1)):
            out[i, :, :, f] = chunk.mean()
    return out


class MinibatchStandardDeviationTest(tf.test.TestCase, parameterized.TestCase):
    def test_known_values_of_the_group_ordering(self):
        values = [0, 0, 0, 0, 1, 2, 3, 4, 100, 200, 300, 400]
        x = np.broadcast_to(np.array(values, "float32")[:, None, None, None], (12, 2, 2, 1))
        outputs = MinibatchStandardDeviation(group_size=4)(x).numpy()
        self.assertEqual(outputs.shape, (12, 2, 2, 2))
        self.assertAllEqual(outputs[..., :1], x)
        # Reshaping the batch to (4, 3, ...) groups samples {0, 3, 6, 9},
        # {1, 4, 7, 10} and {2, 5, 8, 11}, i.e. the values below (not four
        # consecutive samples, which would give 0 for the first group).
        groups = {0: [0, 0, 3, 200], 1: [0, 1, 4, 300], 2: [0, 2, 100, 400]}
        stds = {m: np.sqrt(np.var(v) + 1e-8) for m, v in groups.items()}
        self.assertAllClose(stds[0], 86.17823967, atol=1e-5)
        expected = np.array([stds[i % 3] for i in range(12)])
        self.assertAllClose(outputs[:, 0, 0, 1], expected, rtol=1e-6)
        self.assertAllClose(outputs[..., 1], np.broadcast_to(expected[:, None, None], (12, 2, 2)))

    @parameterized.named_parameters(
        ("groups_of_4", 8, 4, 1),
        ("two_features", 8, 4, 2),
        ("groups_of_2", 6, 2, 4),
        ("batch_smaller_than_group", 3, 4, 1),
    )
    def test_matches_numpy_reference(self, batch_size, group_size, num_features):
        x = np.random.default_rng(0).normal(size=(batch_size, 3, 2, 4)).astype("float32")
        layer = MinibatchStandardDeviation(group_size, num_features)
        outputs = layer(x).numpy()
        self.assertEqual(outputs.shape, (batch_size, 3, 2, 4 + num_features))
        self.assertAllEqual(outputs[..., :4], x)
        self.assertAllClose(outputs[..., 4:], _reference(x, group_size, num_features), atol=1e-5)

    def test_tfgan_whole_batch_mean_stddev(self):
        # TF-GAN's minibatch_mean_stddev (one group for the whole batch)
        # gives 3.0416667 on this tensor.
        x = np.array(
            [
                [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]],
                [[[0, 0, 0], [-1, -2, -3]], [[1, -2, 2], [2, 5, 3]]],
            ],
            dtype="float32",
        )
        outputs = MinibatchStandardDeviation(group_size=16)(x).numpy()
        self.assertAllClose(outputs[..., 3], np.full((2, 2, 2), 3.0416667), atol=1e-5)

    def test_unknown_batch_size_in_a_graph(self):
        layer = MinibatchStandardDeviation(group_size=4)
        function = tf.function(layer, input_signature=[tf.TensorSpec((None, 2, 2, 3))])
        x = np.random.default_rng(1).normal(size=(8, 2, 2, 3)).astype("float32")
        self.assertAllClose(function(x)[..., 3:], _reference(x, 4), atol=1e-5)
        small = x[:3]
        self.assertAllClose(function(small)[..., 3:], _reference(small, 4), atol=1e-5)
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "group_size=4"):
            function(x[:6])

    def test_indivisible_known_batch_size_raises(self):
        x = np.zeros((6, 2, 2, 3), "float32")
        with self.assertRaisesRegex(ValueError, "batch_size=6, group_size=4"):
            MinibatchStandardDeviation(group_size=4)(x)
        with self.assertRaisesRegex(ValueError, "batch_size=10, group_size=4"):
            MinibatchStandardDeviation(group_size=4).build((10, 2, 2, 3))

    def test_invalid_arguments_raise(self):
        with self.assertRaisesRegex(ValueError, "group_size=0"):
            MinibatchStandardDeviation(group_size=0)
        with self.assertRaisesRegex(ValueError, "num_features=2, input channels=3"):
            MinibatchStandardDeviation(num_features=2)(np.zeros((4, 2, 2, 3), "float32"))
        with self.assertRaisesRegex(ValueError, "epsilon=-1"):
            MinibatchStandardDeviation(epsilon=-1)

    def test_statistic_is_computed_in_float32(self):
        # Deviations of 300 square to more than float16's maximum (65504).
        x = np.zeros((4, 2, 2, 1), "float32")
        x[::2] = 300.0
        layer = MinibatchStandardDeviation(dtype="float16")
        outputs = layer(x.astype("float16"))
        self.assertEqual(outputs.dtype, tf.float16)
        self.assertAllClose(np.asarray(outputs[..., 1], "float32"), np.full((4, 2, 2), 150.0))

    def test_compute_output_shape(self):
        layer = MinibatchStandardDeviation(num_features=2)
        self.assertEqual(layer.compute_output_shape((None, 4, 4, 6)), (None, 4, 4, 8))

    def test_serialization(self):
        x = np.random.default_rng(2).normal(size=(4, 2, 2, 4)).astype("float32")
        layer_testing.run_serialization_test(
            self, MinibatchStandardDeviation(2, num_features=2, epsilon=1e-6), [x]
        )
        layer_testing.run_keras_file_test(self, MinibatchStandardDeviation, [x], batch_size=4)
        layer_testing.run_keras_file_test(self, MinibatchStandardDeviation, [x])

    def test_mixed_precision(self):
        x = np.random.default_rng(3).normal(size=(8, 2, 2, 4)).astype("float32")
        layer_testing.run_mixed_precision_test(self, MinibatchStandardDeviation, [x])
