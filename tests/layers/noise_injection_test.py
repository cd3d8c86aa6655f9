import keras
import numpy as np
import tensorflow as tf

from keras_gans.layers import NoiseInjection
from tests.layers import layer_testing


def _normal(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


class NoiseInjectionTest(tf.test.TestCase):
    def test_identity_at_initialisation(self):
        x = _normal((2, 4, 4, 3))
        for kwargs in ({}, {"per_channel": True}, {"noise_mode": "const"}):
            layer = NoiseInjection(**kwargs)
            self.assertAllEqual(layer(x), x)
            self.assertAllEqual(layer.strength.numpy(), np.zeros(layer.strength.shape))

    def test_strength_shapes(self):
        scalar = NoiseInjection()
        scalar.build((None, 4, 4, 5))
        self.assertEqual(tuple(scalar.strength.shape), ())
        per_channel = NoiseInjection(per_channel=True)
        per_channel.build((None, 4, 4, 5))
        self.assertEqual(tuple(per_channel.strength.shape), (5,))
        self.assertLen(per_channel.trainable_weights, 1)

    def test_random_noise_statistics(self):
        layer = NoiseInjection(seed=1)
        x = _normal((4, 32, 32, 3))
        layer.build(x.shape)
        layer.strength.assign(1.0)
        noise = (layer(x) - x).numpy()
        # One map per sample, the same for every channel, N(0, 1).
        self.assertAllClose(noise[..., 1], noise[..., 0], atol=1e-6)
        self.assertAllClose(noise[..., 2], noise[..., 0], atol=1e-6)
        self.assertAllClose(np.mean(noise[..., 0]), 0.0, atol=0.05)
        self.assertAllClose(np.std(noise[..., 0]), 1.0, rtol=0.05)
        self.assertGreater(np.abs(noise[0, ..., 0] - noise[1, ..., 0]).mean(), 0.5)
        # Fresh noise at every call.
        again = (layer(x) - x).numpy()
        self.assertGreater(np.abs(again - noise).mean(), 0.5)

    def test_seed_makes_the_noise_reproducible(self):
        x = _normal((2, 4, 4, 1))
        first, second = NoiseInjection(seed=7), NoiseInjection(seed=7)
        for layer in (first, second):
            layer.build(x.shape)
            layer.strength.assign(1.0)
        self.assertAllEqual(first(x), second(x))
        self.assertAllEqual(first(x), second(x))

    def test_per_channel_strength_scales_each_channel(self):
        layer = NoiseInjection(per_channel=True, noise_mode="const", seed=0)
        x = _normal((2, 3, 3, 3))
        layer.build(x.shape)
        strength = np.array([0.0, 1.0, -2.0], "float32")
        layer.strength.assign(strength)
        expected = x + layer.noise_const.numpy()[None] * strength
        self.assertAllClose(layer(x), expected, atol=1e-6)

    def test_gradient_wrt_strength_const_mode(self):
        upstream = _normal((2, 5, 5, 4), seed=1)
        x = _normal((2, 5, 5, 4))
        for per_channel in (False, True):
            layer = NoiseInjection(per_channel=per_channel, noise_mode="const", seed=3)
            layer.build(x.shape)
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(layer(x) * upstream)
            gradient = tape.gradient(loss, layer.strength).numpy()
            products = layer.noise_const.numpy()[None] * upstream
            expected = products.sum((0, 1, 2)) if per_channel else products.sum()
            self.assertAllClose(gradient, expected, rtol=1e-5)
            self.assertTrue(np.all(np.abs(gradient) > 0))

    def test_gradient_wrt_strength_random_mode(self):
        layer = NoiseInjection(seed=2)
        x = _normal((2, 6, 6, 3))
        upstream = _normal((2, 6, 6, 3), seed=4)
        layer.build(x.shape)
        layer.strength.assign(1.0)
        with tf.GradientTape() as tape:
            outputs = layer(x)
            loss = tf.reduce_sum(outputs * upstream)
        gradient = tape.gradient(loss, layer.strength)
        # The noise of that very call is outputs - x (strength 1).
        self.assertAllClose(gradient, np.sum((outputs.numpy() - x) * upstream), rtol=1e-4)
        self.assertGreater(abs(float(gradient)), 0.0)

    def test_none_mode_adds_nothing(self):
        layer = NoiseInjection(noise_mode="none")
        x = _normal((2, 3, 3, 2))
        layer.build(x.shape)
        layer.strength.assign(5.0)
        self.assertAllEqual(layer(x), x)

    def test_const_mode_is_deterministic_and_seeded(self):
        x = _normal((2, 4, 4, 2))
        layer = NoiseInjection(noise_mode="const", seed=5)
        layer.build(x.shape)
        layer.strength.assign(1.0)
        self.assertAllEqual(layer(x), layer(x))
        self.assertAllClose(layer(x)[0] - x[0], layer(x)[1] - x[1], atol=1e-6)
        self.assertEqual(tuple(layer.noise_const.shape), (4, 4, 1))
        self.assertFalse(layer.noise_const.trainable)
        other = NoiseInjection(noise_mode="const", seed=5)
        other.build(x.shape)
        self.assertAllEqual(other.noise_const, layer.noise_const)
        self.assertAllClose(np.std(layer.noise_const.numpy()), 1.0, atol=0.5)

    def test_unknown_batch_and_size_in_a_graph(self):
        layer = NoiseInjection(seed=0)
        layer.build((None, None, None, 2))
        layer.strength.assign(1.0)
        function = tf.function(layer, input_signature=[tf.TensorSpec((None, None, None, 2))])
        outputs = function(np.zeros((3, 5, 4, 2), "float32"))
        self.assertEqual(tuple(outputs.shape), (3, 5, 4, 2))
        self.assertAllEqual(outputs[..., 0], outputs[..., 1])

    def test_invalid_arguments_raise(self):
        with self.assertRaisesRegex(ValueError, "noise_mode='fixed'"):
            NoiseInjection(noise_mode="fixed")
        with self.assertRaisesRegex(ValueError, "per_channel=1"):
            NoiseInjection(per_channel=1)
        with self.assertRaisesRegex(ValueError, "seed=-1"):
            NoiseInjection(seed=-1)
        with self.assertRaisesRegex(ValueError, r"input_shape=\(None, None, 4, 2\)"):
            NoiseInjection(noise_mode="const").build((None, None, 4, 2))

    def test_serialization(self):
        x = _normal((2, 4, 4, 3))
        layer_testing.run_serialization_test(self, NoiseInjection(True, "random", seed=3), [x])

        def make_layer():
            layer = NoiseInjection(noise_mode="const", seed=1)
            layer.build((None, 4, 4, 3))
            layer.strength.assign(0.7)
            return layer

        restored = layer_testing.run_keras_file_test(self, make_layer, [x])
        self.assertAllClose(restored.layers[-1].strength, 0.7)

    def test_mixed_precision(self):
        x = _normal((2, 4, 4, 3))

        def make_layer():
            layer = NoiseInjection(noise_mode="const", seed=1)
            layer.build(x.shape)
            layer.strength.assign(0.5)
            return layer

        layer_testing.run_mixed_precision_test(self, make_layer, [x])
        keras.mixed_precision.set_global_policy("mixed_float16")
        try:
            layer = NoiseInjection(seed=1)
        finally:
            keras.mixed_precision.set_global_policy("float32")
        self.assertEqual(layer(x).dtype, tf.float16)
