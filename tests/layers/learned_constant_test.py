import keras
import numpy as np
import tensorflow as tf

from keras_gans.layers import LearnedConstant
from tests.layers import layer_testing


class LearnedConstantTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    def test_tiles_the_constant_to_the_batch(self):
        layer = LearnedConstant(5, size=3)
        w = np.random.default_rng(0).normal(size=(4, 7)).astype("float32")
        outputs = layer(w).numpy()
        self.assertEqual(outputs.shape, (4, 3, 3, 5))
        for sample in outputs:
            self.assertAllEqual(sample, layer.constant.numpy())
        # The input's values do not matter.
        self.assertAllEqual(layer(w * 10.0 + 3.0), outputs)
        self.assertEqual(layer.compute_output_shape((None, 7)), (None, 3, 3, 5))

    def test_initializers(self):
        normal = LearnedConstant(1024)
        normal.build((None, 8))
        values = normal.constant.numpy()
        self.assertEqual(values.shape, (4, 4, 1024))
        # StyleGAN2: N(0, 1), not Keras' "random_normal" (stddev 0.05).
        self.assertAllClose(np.std(values), 1.0, rtol=0.05)
        self.assertAllClose(np.mean(values), 0.0, atol=0.05)
        ones = LearnedConstant(8, initializer="ones")
        ones.build((None, 8))
        self.assertAllEqual(ones.constant.numpy(), np.ones((4, 4, 8)))

    def test_gradient_sums_over_the_batch(self):
        layer = LearnedConstant(2, size=2)
        upstream = np.random.default_rng(1).normal(size=(3, 2, 2, 2)).astype("float32")
        w = np.zeros((3, 4), "float32")
        layer.build(w.shape)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(w) * upstream)
        self.assertAllClose(tape.gradient(loss, layer.constant), upstream.sum(0), rtol=1e-6)

    def test_unknown_batch_size_in_a_graph(self):
        layer = LearnedConstant(2, size=2)
        function = tf.function(layer, input_signature=[tf.TensorSpec((None, 3))])
        self.assertEqual(tuple(function(np.zeros((5, 3), "float32")).shape), (5, 2, 2, 2))

    def test_invalid_arguments_raise(self):
        with self.assertRaisesRegex(ValueError, "channels=0"):
            LearnedConstant(0)
        with self.assertRaisesRegex(ValueError, "size=4.0"):
            LearnedConstant(3, size=4.0)

    def test_serialization(self):
        w = np.zeros((2, 3), "float32")
        layer_testing.run_serialization_test(self, LearnedConstant(3, 2, initializer="ones"), [w])
        layer_testing.run_serialization_test(self, LearnedConstant(3), [w])
        layer_testing.run_keras_file_test(self, lambda: LearnedConstant(3), [w])

    def test_mixed_precision(self):
        layer_testing.run_mixed_precision_test(
            self, lambda: LearnedConstant(3), [np.zeros((2, 3), "float32")]
        )
