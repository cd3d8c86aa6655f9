import math

import keras
import numpy as np
import tensorflow as tf

from keras_gans.layers import MappingNetwork
from tests.layers import layer_testing
from tests.layers import numpy_reference


def _normal(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _reference(mapping, z, normalize=True):
    x = z.astype(np.float64)
    if normalize:
        x = x / np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + 1e-8)
    for layer in mapping.dense_layers:
        kernel = layer.kernel.numpy() * (0.01 / math.sqrt(x.shape[-1]))
        x = x @ kernel + layer.bias.numpy() * 0.01
        x = math.sqrt(2.0) * numpy_reference.leaky_relu(x)
    return x


class MappingNetworkTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)

    def test_signal_propagation_at_initialisation(self):
        mapping = MappingNetwork(w_dim=128, num_layers=8)
        z = _normal((512, 128))
        mapping.build(z.shape)
        x = z / np.sqrt(np.mean(z**2, axis=-1, keepdims=True))
        second_moments = []
        for layer in mapping.dense_layers:
            x = layer(x)
            second_moments.append(float(np.mean(np.square(x))))
        # LeakyReLU(0.2) times sqrt(2): about 1.04 per layer, not 0.52.
        self.assertLen(second_moments, 8)
        for moment in second_moments:
            self.assertBetween(moment, 0.5, 2.0)
        self.assertAllClose(second_moments[0], 1.04, rtol=0.1)

    def test_matches_numpy_reference(self):
        mapping = MappingNetwork(w_dim=6, num_layers=3, hidden_units=9)
        z = _normal((4, 5)) * 2.0
        outputs = mapping(z).numpy()
        self.assertEqual(outputs.shape, (4, 6))
        self.assertEqual([layer.units for layer in mapping.dense_layers], [9, 9, 6])
        self.assertAllClose(outputs, _reference(mapping, z), rtol=1e-4, atol=1e-5)

    def test_latents_are_normalised(self):
        mapping = MappingNetwork(w_dim=8, num_layers=2)
        z = _normal((3, 8))
        self.assertAllClose(mapping(3.0 * z), mapping(z), rtol=1e-5, atol=1e-6)
        raw = MappingNetwork(w_dim=8, num_layers=2, normalize_latents=False)
        raw.build(z.shape)
        raw.set_weights(mapping.get_weights())
        self.assertAllClose(raw(z), _reference(raw, z, normalize=False), rtol=1e-4, atol=1e-5)
        self.assertNotAllClose(raw(3.0 * z), raw(z))

    def test_layers_use_the_lr_multiplier(self):
        mapping = MappingNetwork(w_dim=256, num_layers=2)
        mapping.build((None, 512))
        first = mapping.dense_layers[0]
        self.assertEqual(first.lr_multiplier, 0.01)
        self.assertEqual(first.activation, "lrelu")
        self.assertAllClose(np.std(first.kernel.numpy()), 100.0, rtol=0.05)
        self.assertAllClose(first.kernel_scale, 0.01 / math.sqrt(512))
        self.assertLen(mapping.trainable_weights, 4)

    def test_invalid_arguments_raise(self):
        with self.assertRaisesRegex(ValueError, "num_layers=0"):
            MappingNetwork(num_layers=0)
        with self.assertRaisesRegex(ValueError, "lr_multiplier=0"):
            MappingNetwork(lr_multiplier=0)
        with self.assertRaisesRegex(ValueError, "hidden_units=-2"):
            MappingNetwork(hidden_units=-2)
        with self.assertRaisesRegex(ValueError, r"z_shape=\(None, 4, 4\)"):
            MappingNetwork(8, 2).build((None, 4, 4))

    def test_serialization(self):
        z = _normal((2, 6))
        layer_testing.run_serialization_test(
            self, MappingNetwork(4, 3, hidden_units=5, lr_multiplier=0.1, epsilon=1e-6), [z]
        )
        layer_testing.run_keras_file_test(self, lambda: MappingNetwork(4, 2), [z])

    def test_mixed_precision(self):
        layer_testing.run_mixed_precision_test(
            self, lambda: MappingNetwork(8, 4), [_normal((3, 8))], rtol=5e-2, atol=5e-2
        )
