import keras
import numpy as np
import tensorflow as tf

from keras_gans.losses.penalties import GradientPenalty
from keras_gans.losses.penalties import R1Penalty
from keras_gans.losses.penalties import gradient_penalty
from keras_gans.losses.penalties import r1_penalty


def _linear_critic(w):
    """D(x) = <w, x>: its gradient is w everywhere, of norm ||w||."""
    w = tf.constant(w, tf.float32)
    return lambda x: tf.reduce_sum(x * w, axis=[1, 2, 3])[:, None]


def _quadratic_critic(x):
    """D(x) = sum(x^2): its gradient is 2x."""
    return tf.reduce_sum(tf.square(x), axis=[1, 2, 3])


class GradientPenaltyTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        rng = np.random.default_rng(0)
        self.real = rng.normal(size=(4, 2, 2, 1)).astype("float32")
        self.fake = rng.normal(size=(4, 2, 2, 1)).astype("float32")
        self.weights = rng.uniform(size=(4,)).astype("float32")

    def test_linear_critic_closed_form(self):
        w = np.full((2, 2, 1), 1.5, "float32")  # ||w|| = 3
        value = gradient_penalty(_linear_critic(w), self.real, self.fake, self.weights)
        self.assertAllClose(value, (3.0 - 1.0) ** 2)
        small = np.full((2, 2, 1), 0.25, "float32")  # ||w|| = 0.5
        critic = _linear_critic(small)
        self.assertAllClose(gradient_penalty(critic, self.real, self.fake, self.weights), 0.25)
        self.assertAllClose(
            gradient_penalty(critic, self.real, self.fake, self.weights, one_sided=True), 0.0
        )
        self.assertAllClose(
            gradient_penalty(_linear_critic(w), self.real, self.fake, self.weights, target=3.0),
            0.0,
            atol=1e-6,
        )

    def test_interpolates_per_sample(self):
        value = gradient_penalty(_quadratic_critic, self.real, self.fake, self.weights)
        a = self.weights.astype("float64")[:, None, None, None]
        mixed = a * self.real + (1 - a) * self.fake
        norms = np.sqrt(np.sum((2 * mixed) ** 2, axis=(1, 2, 3)) + 1e-10)
        self.assertAllClose(value, np.mean((norms - 1.0) ** 2), rtol=1e-5)

    def test_zero_gradient_is_safe(self):
        scale = tf.Variable(0.0)
        with tf.GradientTape() as tape:
            value = gradient_penalty(
                lambda x: scale * tf.reduce_sum(x, axis=[1, 2, 3]),
                self.real,
                self.fake,
                self.weights,
            )
        self.assertAllClose(value, 1.0, atol=1e-4)
        gradient = tape.gradient(value, scale)
        self.assertTrue(np.isfinite(gradient.numpy()))

    def test_penalty_object_draws_uniform_weights(self):
        penalty = GradientPenalty(weight=10.0)
        seed = keras.random.SeedGenerator(7)
        expected_weights = keras.random.uniform((4,), seed=keras.random.SeedGenerator(7))
        value = penalty(_quadratic_critic, self.real, self.fake, 0, seed)
        expected = 10.0 * gradient_penalty(
            _quadratic_critic, self.real, self.fake, expected_weights
        )
        self.assertAllClose(value, expected)
        draws = keras.random.uniform((10000,), seed=keras.random.SeedGenerator(1))
        self.assertAllInRange(draws, 0.0, 1.0)
        self.assertAllClose(np.mean(draws), 0.5, atol=0.02)

    def test_config_and_errors(self):
        penalty = GradientPenalty(5.0, target=2.0, one_sided=True)
        self.assertEqual(
            GradientPenalty.from_config(penalty.get_config()).get_config(),
            {"weight": 5.0, "target": 2.0, "one_sided": True},
        )
        with self.assertRaisesRegex(ValueError, "weight=-1"):
            GradientPenalty(-1)


class R1PenaltyTest(tf.test.TestCase):
    def test_against_numpy(self):
        real = np.random.default_rng(1).normal(size=(3, 2, 2, 1)).astype("float32")
        expected = np.mean(np.sum((2.0 * real.astype("float64")) ** 2, axis=(1, 2, 3)))
        self.assertAllClose(r1_penalty(_quadratic_critic, real), expected, rtol=1e-5)
        w = np.full((2, 2, 1), 1.5, "float32")
        self.assertAllClose(r1_penalty(_linear_critic(w), real), 9.0)

    def test_lazy_regularisation(self):
        real = np.ones((2, 2, 2, 1), "float32")  # r1 = 16 for the quadratic critic
        penalty = R1Penalty(gamma=2.0, every=4)
        seed = keras.random.SeedGenerator(0)
        values = [float(penalty(_quadratic_critic, real, real, step, seed)) for step in range(8)]
        # 0.5 * gamma * every * r1 on steps 0 and 4, zero elsewhere: the same
        # average as 0.5 * gamma * r1 on every step.
        self.assertAllClose(values, [64.0, 0, 0, 0, 64.0, 0, 0, 0])
        self.assertAllClose(np.mean(values), 0.5 * 2.0 * 16.0)
        eager = R1Penalty(gamma=2.0)
        self.assertAllClose(eager(_quadratic_critic, real, real, 3, seed), 16.0)

    def test_config_and_errors(self):
        self.assertEqual(R1Penalty(3.0, every=16).get_config(), {"gamma": 3.0, "every": 16})
        with self.assertRaisesRegex(ValueError, "every=0"):
            R1Penalty(every=0)
        with self.assertRaisesRegex(ValueError, "gamma='a'"):
            R1Penalty(gamma="a")
