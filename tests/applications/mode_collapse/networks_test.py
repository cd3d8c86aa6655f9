import keras
import numpy as np
import tensorflow as tf

from keras_gans.applications import mode_collapse


class DenseNetworksTest(tf.test.TestCase):
    def test_encoder(self):
        encoder = mode_collapse.dense_encoder(data_dim=2, latent_dim=3, hidden_units=(8, 5))
        self.assertEqual(encoder.name, "encoder")
        self.assertEqual(tuple(encoder.input.shape), (None, 2))
        self.assertEqual(tuple(encoder.output.shape), (None, 6))
        # 2*8+8, 8*5+5, 5*6+6 weights.
        self.assertEqual(encoder.count_params(), 24 + 45 + 36)
        dense = [layer for layer in encoder.layers if isinstance(layer, keras.layers.Dense)]
        self.assertEqual([layer.activation.__name__ for layer in dense], ["relu", "relu", "linear"])

    def test_decoder_output_is_linear(self):
        decoder = mode_collapse.dense_decoder(latent_dim=2, data_dim=1, hidden_units=(4,))
        self.assertEqual(tuple(decoder.input.shape), (None, 2))
        self.assertEqual(tuple(decoder.output.shape), (None, 1))
        # A unit hidden layer and output weight make the output relu(z1) * 10 - 3.
        hidden, output = [
            layer for layer in decoder.layers if isinstance(layer, keras.layers.Dense)
        ]
        hidden.set_weights([np.array([[1, 0, 0, 0], [0, 0, 0, 0]], "float32"), np.zeros(4)])
        output.set_weights([np.array([[10], [0], [0], [0]], "float32"), np.array([-3.0])])
        z = np.array([[-1.0, 5.0], [2.0, 0.0]], "float32")
        self.assertAllClose(decoder(z), [[-3.0], [17.0]])

    def test_bad_arguments(self):
        with self.assertRaisesRegex(ValueError, "latent_dim=0"):
            mode_collapse.dense_encoder(latent_dim=0)
        with self.assertRaisesRegex(ValueError, r"hidden_units=\(8, -4\)"):
            mode_collapse.dense_decoder(hidden_units=(8, -4))
        with self.assertRaisesRegex(ValueError, "hidden_units=8"):
            mode_collapse.dense_decoder(hidden_units=8)
