import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import losses


def _softplus(x):
    return np.logaddexp(0.0, x)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class HandComputedTest(tf.test.TestCase):
    def test_values_at_zero_logits(self):
        # D(x) = 0.5 everywhere: each cross-entropy term is log 2.
        zeros = tf.zeros((4, 1))
        log2 = np.log(2.0)
        self.assertAllClose(losses.minimax_discriminator_loss(zeros, zeros), 2 * log2)
        self.assertAllClose(losses.non_saturating_discriminator_loss(zeros, zeros), 2 * log2)
        self.assertAllClose(losses.minimax_generator_loss(zeros), -log2)
        self.assertAllClose(losses.non_saturating_generator_loss(zeros), log2)

    def test_values_by_hand(self):
        real = tf.constant([[2.0], [-1.0]])
        fake = tf.constant([[0.5], [-3.0]])
        # -mean(log sigmoid(real)) - mean(log(1 - sigmoid(fake))).
        d_real = _sigmoid(np.array([2.0, -1.0]))
        d_fake = _sigmoid(np.array([0.5, -3.0]))
        expected_d = -np.mean(np.log(d_real)) - np.mean(np.log(1 - d_fake))
        self.assertAllClose(losses.minimax_discriminator_loss(real, fake), expected_d)
        self.assertAllClose(losses.minimax_generator_loss(fake), np.mean(np.log(1 - d_fake)))
        self.assertAllClose(losses.non_saturating_generator_loss(fake), -np.mean(np.log(d_fake)))

    def test_stable_for_large_logits(self):
        big = tf.constant([[100.0], [-100.0]])
        for value in (
            losses.minimax_discriminator_loss(big, big),
            losses.minimax_generator_loss(big),
            losses.non_saturating_generator_loss(big),
        ):
            self.assertTrue(np.isfinite(value))
        # A confident, correct discriminator has (almost) zero loss.
        self.assertAllClose(
            losses.minimax_discriminator_loss(tf.constant([100.0]), tf.constant([-100.0])), 0.0
        )
        # The non-saturating loss grows linearly where the minimax one saturates.
        self.assertAllClose(losses.non_saturating_generator_loss(tf.constant([-100.0])), 100.0)
        self.assertAllClose(losses.minimax_generator_loss(tf.constant([-100.0])), 0.0, atol=1e-6)

    def test_gradients_saturate_only_for_minimax(self):
        fake = tf.constant([-10.0])
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(fake)
            minimax = losses.minimax_generator_loss(fake)
            non_saturating = losses.non_saturating_generator_loss(fake)
        self.assertAllClose(tape.gradient(minimax, fake), [-_sigmoid(-10.0)], rtol=1e-4)
        self.assertAllClose(tape.gradient(non_saturating, fake), [-_sigmoid(10.0)], rtol=1e-4)


class ReferenceTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.parameters(((16,),), ((8, 1),), ((2, 5, 5, 1),))
    def test_against_numpy_any_rank(self, shape):
        rng = np.random.default_rng(0)
        real = rng.normal(scale=3.0, size=shape)
        fake = rng.normal(scale=3.0, size=shape)
        self.assertAllClose(
            losses.minimax_discriminator_loss(real.astype("float32"), fake.astype("float32")),
            np.mean(_softplus(-real)) + np.mean(_softplus(fake)),
        )
        self.assertAllClose(
            losses.minimax_generator_loss(fake.astype("float32")), -np.mean(_softplus(fake))
        )
        self.assertAllClose(
            losses.non_saturating_generator_loss(fake.astype("float32")),
            np.mean(_softplus(-fake)),
        )

    @parameterized.parameters("float16", "bfloat16", "float32", "float64")
    def test_keeps_dtype(self, dtype):
        logits = tf.constant([[0.5], [-0.5]], dtype)
        self.assertEqual(losses.minimax_discriminator_loss(logits, logits).dtype, dtype)
        self.assertEqual(losses.minimax_generator_loss(logits).dtype, dtype)
        self.assertEqual(losses.non_saturating_generator_loss(logits).dtype, dtype)


class GetTest(tf.test.TestCase):
    def test_names(self):
        self.assertEqual(
            losses.get("minimax"),
            (losses.minimax_generator_loss, losses.minimax_discriminator_loss),
        )
        self.assertEqual(
            losses.get("non_saturating"),
            (losses.non_saturating_generator_loss, losses.non_saturating_discriminator_loss),
        )

    def test_pair_of_callables(self):
        pair = (lambda f: f, lambda r, f: r)
        self.assertEqual(losses.get(list(pair)), pair)

    def test_errors(self):
        with self.assertRaisesRegex(
            ValueError, r"'hinge'. Valid names are \['minimax', 'non_saturating'\]"
        ):
            losses.get("hinge")
        with self.assertRaisesRegex(ValueError, "Received: loss=3"):
            losses.get(3)
        with self.assertRaisesRegex(ValueError, "Received: loss=.*'a', 'b'"):
            losses.get(("a", "b"))
