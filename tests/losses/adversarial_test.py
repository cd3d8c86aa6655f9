import functools
import inspect
import json
import os

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import losses
from tests.losses.tfgan_reference import INPUTS
from tests.testing import tiny_gan
from tests.testing import tiny_images


def _softplus(x):
    return np.logaddexp(0.0, x)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# NumPy float64 references, written from the papers' formulas.
def _reference_discriminator_losses(real, fake, label_smoothing=0.0):
    target = 1.0 - label_smoothing / 2.0
    return {
        "minimax": np.mean(target * _softplus(-real) + (1 - target) * _softplus(real))
        + np.mean(_softplus(fake)),
        "least_squares": 0.5 * np.mean((real - 1) ** 2) + 0.5 * np.mean(fake**2),
        "wasserstein": np.mean(fake) - np.mean(real),
        "hinge": np.mean(np.maximum(0.0, 1 - real)) + np.mean(np.maximum(0.0, 1 + fake)),
        "relativistic_average": np.mean(_softplus(-(real - np.mean(fake))))
        + np.mean(_softplus(fake - np.mean(real))),
    }


def _reference_generator_losses(real, fake):
    return {
        "minimax": -np.mean(_softplus(fake)),
        "non_saturating": np.mean(_softplus(-fake)),
        "least_squares": 0.5 * np.mean((fake - 1) ** 2),
        "wasserstein": -np.mean(fake),
        "hinge": -np.mean(fake),
        "relativistic_average": np.mean(_softplus(-(fake - np.mean(real))))
        + np.mean(_softplus(real - np.mean(fake))),
    }


def _generator_loss(name, fake, real):
    """The named loss object's generator loss (it passes `real` only where it is read)."""
    return losses.get(name).generator_loss(fake, real)


def _discriminator_loss(name, real, fake):
    return losses.get(name).discriminator_loss(real, fake)


NAMES = [
    "minimax",
    "non_saturating",
    "least_squares",
    "wasserstein",
    "hinge",
    "relativistic_average",
]


class HandComputedTest(tf.test.TestCase):
    def test_values_at_zero_logits(self):
        # D(x) = 0.5 everywhere: each cross-entropy term is log 2.
        zeros = tf.zeros((4, 1))
        log2 = np.log(2.0)
        self.assertAllClose(losses.minimax_discriminator_loss(zeros, zeros), 2 * log2)
        self.assertAllClose(losses.non_saturating_discriminator_loss(zeros, zeros), 2 * log2)
        self.assertAllClose(losses.minimax_generator_loss(zeros), -log2)
        self.assertAllClose(losses.non_saturating_generator_loss(zeros), log2)
        # Any target t gives -t log(1/2) - (1 - t) log(1/2) = log 2.
        self.assertAllClose(
            losses.minimax_discriminator_loss(zeros, zeros, label_smoothing=0.2), 2 * log2
        )
        self.assertAllClose(losses.relativistic_average_discriminator_loss(zeros, zeros), 2 * log2)
        self.assertAllClose(losses.relativistic_average_generator_loss(zeros, zeros), 2 * log2)

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

    def test_label_smoothing_is_a_target_of_one_minus_half_of_it(self):
        real = tf.constant([2.0, -1.0])
        fake = tf.constant([0.5, -3.0])
        d_real = _sigmoid(np.array([2.0, -1.0]))
        d_fake = _sigmoid(np.array([0.5, -3.0]))
        # label_smoothing=0.2 is Salimans et al.'s real target of 0.9.
        expected = -np.mean(0.9 * np.log(d_real) + 0.1 * np.log(1 - d_real)) - np.mean(
            np.log(1 - d_fake)
        )
        self.assertAllClose(
            losses.minimax_discriminator_loss(real, fake, label_smoothing=0.2), expected
        )
        self.assertAllClose(
            losses.non_saturating_discriminator_loss(real, fake, label_smoothing=0.2), expected
        )
        # One-sided: smoothing changes only the real term, by (ls / 2) * mean(real).
        self.assertAllClose(
            losses.minimax_discriminator_loss(real, fake, label_smoothing=0.5)
            - losses.minimax_discriminator_loss(real, fake),
            0.25 * 0.5,
        )
        self.assertAllClose(
            losses.minimax_discriminator_loss(real, fake, label_smoothing=tf.constant(0.2)),
            expected,
        )

    def test_label_smoothing_out_of_range(self):
        for value in (-0.1, 1.5):
            with self.assertRaisesRegex(ValueError, f"Received: label_smoothing={value}"):
                losses.minimax_discriminator_loss([1.0], [0.0], label_smoothing=value)

    def test_least_squares_by_hand(self):
        real = tf.constant([3.0, 1.0])
        fake = tf.constant([1.0, -1.0])
        # 0.5 * mean([4, 0]) + 0.5 * mean([1, 1]).
        self.assertAllClose(losses.least_squares_discriminator_loss(real, fake), 1.5)
        # 0.5 * mean([0, 4]).
        self.assertAllClose(losses.least_squares_generator_loss(fake), 1.0)
        # LSGAN's a=-1, b=1, c=0: 0.5 * mean([4, 0]) + 0.5 * mean([4, 0]); 0.5 * mean([1, 1]).
        self.assertAllClose(
            losses.least_squares_discriminator_loss(real, fake, real_label=1.0, fake_label=-1.0),
            2.0,
        )
        self.assertAllClose(losses.least_squares_generator_loss(fake, real_label=0.0), 0.5)

    def test_wasserstein_and_hinge_by_hand(self):
        real = tf.constant([3.0, 0.5])
        fake = tf.constant([-2.0, 0.5])
        self.assertAllClose(losses.wasserstein_discriminator_loss(real, fake), -0.75 - 1.75)
        self.assertAllClose(losses.wasserstein_generator_loss(fake), 0.75)
        # mean([relu(-2), relu(0.5)]) + mean([relu(-1), relu(1.5)]).
        self.assertAllClose(losses.hinge_discriminator_loss(real, fake), 0.25 + 0.75)
        self.assertAllClose(losses.hinge_generator_loss(fake), 0.75)

    def test_relativistic_average_by_hand(self):
        real = tf.constant([1.0, 1.0])
        fake = tf.constant([-1.0, -1.0])
        # Real data looks 2 more real than the average fake, and fake 2 less than real.
        self.assertAllClose(
            losses.relativistic_average_discriminator_loss(real, fake), 2 * _softplus(-2.0)
        )
        self.assertAllClose(
            losses.relativistic_average_generator_loss(fake, real_logits=real), 2 * _softplus(2.0)
        )
        # Shifting both logits by the same amount changes nothing: only differences count.
        self.assertAllClose(
            losses.relativistic_average_discriminator_loss(real + 5.0, fake + 5.0),
            2 * _softplus(-2.0),
        )

    def test_feature_matching_by_hand(self):
        real = tf.constant([[1.0, 2.0], [3.0, 4.0]])  # batch mean [2, 3]
        fake = tf.constant([[0.0, 0.0], [2.0, 2.0], [4.0, 1.0]])  # batch mean [2, 1]
        # Mean over the features of [0, 2] ** 2; the paper's sum would be 4.
        self.assertAllClose(losses.feature_matching_loss(real, fake), 2.0)
        self.assertAllClose(losses.feature_matching_loss(real, real), 0.0)

    def test_feature_matching_needs_a_batch_dimension(self):
        with self.assertRaisesRegex(ValueError, "batch dimension.*real_features.shape=()"):
            losses.feature_matching_loss(1.0, [1.0])


class StabilityTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.parameters("float16", "bfloat16", "float32")
    def test_finite_for_large_logits(self, dtype):
        big = tf.constant([[100.0], [-100.0]], dtype)
        flipped = -big
        values = [losses.feature_matching_loss(big, flipped)]
        values.append(losses.minimax_discriminator_loss(big, flipped, label_smoothing=0.2))
        for name in NAMES:
            values.append(_discriminator_loss(name, big, flipped))
            values.append(_generator_loss(name, flipped, big))
        for value in values:
            self.assertTrue(np.isfinite(np.float32(value)), msg=f"{value}")

    def test_limits(self):
        high, low = tf.constant([100.0]), tf.constant([-100.0])
        # A confident, correct discriminator has (almost) zero loss.
        self.assertAllClose(losses.minimax_discriminator_loss(high, low), 0.0)
        self.assertAllClose(losses.hinge_discriminator_loss(high, low), 0.0)
        self.assertAllClose(losses.relativistic_average_discriminator_loss(high, low), 0.0)
        # A confidently wrong one pays linearly (hinge: 1 + 100 twice; RaSGAN: 200 twice).
        self.assertAllClose(losses.hinge_discriminator_loss(low, high), 202.0)
        self.assertAllClose(losses.relativistic_average_discriminator_loss(low, high), 400.0)
        self.assertAllClose(losses.relativistic_average_generator_loss(low, high), 400.0)
        self.assertAllClose(losses.least_squares_discriminator_loss(high, low), 0.5 * 99**2 + 5e3)
        # The non-saturating loss grows linearly where the minimax one saturates.
        self.assertAllClose(losses.non_saturating_generator_loss(low), 100.0)
        self.assertAllClose(losses.minimax_generator_loss(low), 0.0, atol=1e-6)
        # A smoothed target 0.9 costs (1 - t) * x = 10 on a real logit of 100 and
        # t * 100 = 90 on one of -100.
        self.assertAllClose(
            losses.minimax_discriminator_loss(high, low, label_smoothing=0.2), 10.0, rtol=1e-5
        )
        self.assertAllClose(
            losses.minimax_discriminator_loss(low, low, label_smoothing=0.2), 90.0, rtol=1e-5
        )


class ReferenceTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.parameters(((16,),), ((8, 1),), ((2, 5, 5, 1),))
    def test_against_numpy_any_rank(self, shape):
        rng = np.random.default_rng(0)
        real = rng.normal(scale=3.0, size=shape)
        fake = rng.normal(scale=3.0, size=shape)
        real32, fake32 = real.astype("float32"), fake.astype("float32")
        expected_g = _reference_generator_losses(real, fake)
        expected_d = _reference_discriminator_losses(real, fake)
        for name in NAMES:
            self.assertAllClose(_generator_loss(name, fake32, real32), expected_g[name], msg=name)
            self.assertAllClose(
                _discriminator_loss(name, real32, fake32),
                expected_d["minimax" if name == "non_saturating" else name],
                msg=name,
            )
        self.assertAllClose(
            losses.minimax_discriminator_loss(real32, fake32, label_smoothing=0.3),
            _reference_discriminator_losses(real, fake, label_smoothing=0.3)["minimax"],
        )

    def test_relativistic_average_with_different_batch_sizes(self):
        rng = np.random.default_rng(1)
        real = rng.normal(size=(6, 2, 2, 1))
        fake = rng.normal(size=(3, 2, 2, 1))
        self.assertAllClose(
            losses.relativistic_average_discriminator_loss(real, fake),
            _reference_discriminator_losses(real, fake)["relativistic_average"],
        )
        self.assertAllClose(
            losses.relativistic_average_generator_loss(fake, real),
            _reference_generator_losses(real, fake)["relativistic_average"],
        )

    @parameterized.parameters(((8,), (5,)), ((8, 3), (4, 3)), ((4, 2, 2, 3), (6, 2, 2, 3)))
    def test_feature_matching_against_numpy(self, real_shape, fake_shape):
        rng = np.random.default_rng(2)
        real = rng.normal(size=real_shape)
        fake = rng.normal(loc=0.5, size=fake_shape)
        expected = np.mean((real.mean(axis=0) - fake.mean(axis=0)) ** 2)
        self.assertAllClose(
            losses.feature_matching_loss(real.astype("float32"), fake.astype("float32")),
            expected,
        )

    @parameterized.parameters("float16", "bfloat16", "float32", "float64")
    def test_keeps_dtype(self, dtype):
        logits = tf.constant([[0.5], [-0.5]], dtype)
        other = tf.constant([[1.5], [-2.0]], dtype)
        values = [
            losses.minimax_discriminator_loss(logits, other, label_smoothing=0.2),
            losses.minimax_discriminator_loss(logits, other, label_smoothing=tf.constant(0.2)),
            losses.least_squares_generator_loss(logits, real_label=tf.constant(0.9)),
            losses.least_squares_discriminator_loss(logits, other, 0.9, -1.0),
            losses.feature_matching_loss(logits, other),
        ]
        for name in NAMES:
            values.append(_discriminator_loss(name, logits, other))
            values.append(_generator_loss(name, other, logits))
        for value in values:
            self.assertEqual(value.dtype, dtype)
            self.assertEqual(value.shape, ())

    def test_low_precision_close_to_float32(self):
        real = np.array([[1.5], [-0.5], [3.0], [0.25]])
        fake = np.array([[-1.0], [0.75], [-2.5], [0.5]])
        for dtype, rtol in (("float16", 2e-3), ("bfloat16", 2e-2)):
            real_low, fake_low = tf.constant(real, dtype), tf.constant(fake, dtype)
            for name in NAMES:
                self.assertAllClose(
                    tf.cast(_discriminator_loss(name, real_low, fake_low), "float32"),
                    _discriminator_loss(name, real, fake),
                    rtol=rtol,
                    atol=rtol,
                    msg=f"{name} {dtype}",
                )
                self.assertAllClose(
                    tf.cast(_generator_loss(name, fake_low, real_low), "float32"),
                    _generator_loss(name, fake, real),
                    rtol=rtol,
                    atol=rtol,
                    msg=f"{name} {dtype}",
                )


class GradientTest(tf.test.TestCase):
    def _gradients(self, fn, *tensors):
        tensors = [tf.constant(t, "float32") for t in tensors]
        with tf.GradientTape() as tape:
            for t in tensors:
                tape.watch(t)
            loss = fn(*tensors)
        return [g.numpy() for g in tape.gradient(loss, tensors)]

    def test_gradients_saturate_only_for_minimax(self):
        (minimax,) = self._gradients(losses.minimax_generator_loss, [-10.0])
        (non_saturating,) = self._gradients(losses.non_saturating_generator_loss, [-10.0])
        self.assertAllClose(minimax, [-_sigmoid(-10.0)], rtol=1e-4)
        self.assertAllClose(non_saturating, [-_sigmoid(10.0)], rtol=1e-4)

    def test_hinge_ignores_confident_logits(self):
        real = [2.0, 0.5, -3.0, 1.5]
        fake = [-2.0, -0.5, 3.0, -1.5]
        real_grad, fake_grad = self._gradients(losses.hinge_discriminator_loss, real, fake)
        # Real logits above 1 and fake logits below -1 get no gradient.
        self.assertAllClose(real_grad, [0.0, -0.25, -0.25, 0.0])
        self.assertAllClose(fake_grad, [0.0, 0.25, 0.25, 0.0])
        (g_grad,) = self._gradients(losses.hinge_generator_loss, fake)
        self.assertAllClose(g_grad, [-0.25] * 4)

    def test_wasserstein_gradients_are_constant(self):
        real_grad, fake_grad = self._gradients(
            losses.wasserstein_discriminator_loss, [50.0, -3.0], [0.1, 7.0]
        )
        self.assertAllClose(real_grad, [-0.5, -0.5])
        self.assertAllClose(fake_grad, [0.5, 0.5])

    def test_least_squares_gradients(self):
        fake = [3.0, -1.0, 1.0]
        (g_grad,) = self._gradients(losses.least_squares_generator_loss, fake)
        self.assertAllClose(g_grad, (np.array(fake) - 1.0) / 3)
        real_grad, fake_grad = self._gradients(
            losses.least_squares_discriminator_loss, [2.0, 1.0, 0.0], fake
        )
        self.assertAllClose(real_grad, [1 / 3, 0.0, -1 / 3])
        self.assertAllClose(fake_grad, np.array(fake) / 3)

    def test_label_smoothing_gradient_vanishes_at_target(self):
        # With target t = 0.9, the real term's gradient sigmoid(x) - t is zero at
        # x = log(9), and a very confident real logit is pulled back down.
        def d_loss(real, fake):
            return losses.minimax_discriminator_loss(real, fake, label_smoothing=0.2)

        real_grad, _ = self._gradients(d_loss, [np.log(9.0), 100.0], [0.0, 0.0])
        self.assertAllClose(real_grad, [0.0, 0.05], atol=1e-6)

    def test_relativistic_average_generator_gradient(self):
        real = np.array([1.0, -0.5, 2.0])
        fake = np.array([0.5, -2.0])
        fake_grad, real_grad = self._gradients(
            losses.relativistic_average_generator_loss, fake, real
        )
        # L = mean_k softplus(mean(real) - fake_k) + mean_j softplus(real_j - mean(fake)).
        expected_fake = -(_sigmoid(real.mean() - fake) + _sigmoid(real - fake.mean()).mean()) / 2
        expected_real = (_sigmoid(real.mean() - fake).mean() + _sigmoid(real - fake.mean())) / 3
        self.assertAllClose(fake_grad, expected_fake)
        self.assertAllClose(real_grad, expected_real)

    def test_feature_matching_gradient(self):
        real = np.array([[1.0, 2.0], [3.0, 4.0]])
        fake = np.array([[0.0, 0.0], [2.0, 2.0], [4.0, 1.0]])
        _, fake_grad = self._gradients(losses.feature_matching_loss, real, fake)
        # d/d fake_k of mean_f (m_real - m_fake)^2 = -2 (m_real - m_fake) / (F * n_fake).
        difference = real.mean(axis=0) - fake.mean(axis=0)
        self.assertAllClose(fake_grad, np.tile(-2 * difference / (2 * 3), (3, 1)))


# Produced by TF-GAN 2.1.0's `tensorflow_gan.python.losses.losses_impl` (on
# TensorFlow 2.21, float32) from `tfgan_reference.INPUTS` by running
# `tests/losses/tfgan_reference.py`; the keys name the TF-GAN function and its arguments.
TFGAN_VALUES = {
    "rank1": {
        "minimax_d_ls0": 1.0953643321990967,
        "minimax_d_ls0.2": 1.1766142845153809,
        "minimax_d_ls0.25": 1.1969268321990967,
        "modified_d_ls0": 1.0953643321990967,
        "minimax_g": -0.9390365481376648,
        "modified_g": 1.18827486038208,
        "least_squares_g": 2.0703125,
        "least_squares_d": 1.515625,
        "least_squares_g_c0": 1.0078125,
        "least_squares_d_a-1": 1.453125,
        "wasserstein_g": 0.5625,
        "wasserstein_d": -1.375,
        "wasserstein_hinge_g": 0.5625,
        "wasserstein_hinge_d": 1.375,
        "relativistic_g": 3.405505418777466,
        "relativistic_d": 0.6555054187774658,
    },
    "rank2": {
        "minimax_d_ls0": 1.3738067150115967,
        "minimax_d_ls0.2": 1.4175567626953125,
        "minimax_d_ls0.25": 1.4284942150115967,
        "modified_d_ls0": 1.3738067150115967,
        "minimax_g": -0.9812345504760742,
        "modified_g": 1.209639549255371,
        "least_squares_g": 2.2786457538604736,
        "least_squares_d": 2.36328125,
        "least_squares_g_c0": 1.2369791269302368,
        "least_squares_d_a-1": 2.3216147422790527,
        "wasserstein_g": 0.5416666865348816,
        "wasserstein_d": -0.9791666865348816,
        "wasserstein_hinge_g": 0.5416666865348816,
        "wasserstein_hinge_d": 1.7916667461395264,
        "relativistic_g": 2.959638833999634,
        "relativistic_d": 1.0013055801391602,
    },
    "patch": {
        "minimax_d_ls0": 1.6137421131134033,
        "minimax_d_ls0.2": 1.6762418746948242,
        "minimax_d_ls0.25": 1.6918671131134033,
        "modified_d_ls0": 1.6137421131134033,
        "minimax_g": -1.3226511478424072,
        "modified_g": 0.953833818435669,
        "least_squares_g": 1.7916666269302368,
        "least_squares_d": 2.258680582046509,
        "least_squares_g_c0": 1.3472222089767456,
        "least_squares_d_a-1": 2.8142361640930176,
        "wasserstein_g": -0.0555555559694767,
        "wasserstein_d": -0.5694444179534912,
        "wasserstein_hinge_g": -0.0555555559694767,
        "wasserstein_hinge_d": 2.097222328186035,
        "relativistic_g": 2.485776662826538,
        "relativistic_d": 1.3468875885009766,
    },
}


class TFGANReferenceTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.parameters("rank1", "rank2", "patch")
    def test_matches_tfgan(self, key):
        real, fake = INPUTS[key]
        expected = TFGAN_VALUES[key]
        ours = {
            "minimax_d_ls0": losses.minimax_discriminator_loss(real, fake),
            "minimax_d_ls0.2": losses.minimax_discriminator_loss(real, fake, label_smoothing=0.2),
            "minimax_d_ls0.25": losses.minimax_discriminator_loss(real, fake, label_smoothing=0.25),
            "modified_d_ls0": losses.non_saturating_discriminator_loss(real, fake),
            "modified_g": losses.non_saturating_generator_loss(fake),
            "least_squares_g": losses.least_squares_generator_loss(fake),
            "least_squares_d": losses.least_squares_discriminator_loss(real, fake),
            "least_squares_g_c0": losses.least_squares_generator_loss(fake, real_label=0.0),
            "least_squares_d_a-1": losses.least_squares_discriminator_loss(
                real, fake, real_label=1.0, fake_label=-1.0
            ),
            "wasserstein_g": losses.wasserstein_generator_loss(fake),
            "wasserstein_d": losses.wasserstein_discriminator_loss(real, fake),
            "wasserstein_hinge_g": losses.hinge_generator_loss(fake),
            "wasserstein_hinge_d": losses.hinge_discriminator_loss(real, fake),
            "relativistic_g": losses.relativistic_average_generator_loss(fake, real_logits=real),
            "relativistic_d": losses.relativistic_average_discriminator_loss(real, fake),
        }
        for name, value in ours.items():
            self.assertAllClose(value, expected[name], rtol=1e-6, atol=1e-6, msg=name)

    @parameterized.parameters("rank1", "rank2", "patch")
    def test_minimax_generator_differs_by_a_constant(self, key):
        # TF-GAN's minimax_generator_loss is -minimax_discriminator_loss(ones_like(x), x):
        # it also counts softplus(-1), the discriminator's loss on a real logit of 1.
        _, fake = INPUTS[key]
        self.assertAllClose(
            losses.minimax_generator_loss(fake) - TFGAN_VALUES[key]["minimax_g"],
            _softplus(-1.0),
            rtol=1e-6,
            atol=1e-6,
        )


# The loss objects, their functions and what they log, by name.
LOSS_OBJECTS = {
    "minimax": (
        losses.Minimax,
        losses.minimax_generator_loss,
        losses.minimax_discriminator_loss,
        "probability",
    ),
    "non_saturating": (
        losses.NonSaturating,
        losses.non_saturating_generator_loss,
        losses.non_saturating_discriminator_loss,
        "probability",
    ),
    "least_squares": (
        losses.LeastSquares,
        losses.least_squares_generator_loss,
        losses.least_squares_discriminator_loss,
        "score",
    ),
    "wasserstein": (
        losses.Wasserstein,
        losses.wasserstein_generator_loss,
        losses.wasserstein_discriminator_loss,
        "score",
    ),
    "hinge": (
        losses.Hinge,
        losses.hinge_generator_loss,
        losses.hinge_discriminator_loss,
        "score",
    ),
    "relativistic_average": (
        losses.RelativisticAverage,
        losses.relativistic_average_generator_loss,
        losses.relativistic_average_discriminator_loss,
        "probability",
    ),
}
SMOOTHED = ("minimax", "non_saturating")


def _outputs(seed, shape=(6, 1)):
    rng = np.random.default_rng(seed)
    return (
        rng.normal(scale=3.0, size=shape).astype("float32"),
        rng.normal(scale=3.0, size=shape).astype("float32"),
    )


class LossObjectTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.parameters(*NAMES)
    def test_object_equals_its_pure_functions(self, name):
        cls, g_fn, d_fn, _ = LOSS_OBJECTS[name]
        loss = losses.get(name)
        self.assertIs(type(loss), cls)
        self.assertIs(loss.generator_fn, g_fn)
        self.assertIs(loss.discriminator_fn, d_fn)
        real, fake = _outputs(0, (4, 3, 3, 1))
        self.assertEqual(loss.uses_real_outputs, name == "relativistic_average")
        expected_g = g_fn(fake, real) if loss.uses_real_outputs else g_fn(fake)
        self.assertAllClose(loss.generator_loss(fake, real), expected_g, rtol=0, atol=0)
        self.assertAllClose(loss.discriminator_loss(real, fake), d_fn(real, fake), rtol=0, atol=0)
        if name in SMOOTHED:
            smoothed = cls(label_smoothing=0.3)
            self.assertEqual(smoothed.label_smoothing, 0.3)
            self.assertAllClose(
                smoothed.discriminator_loss(real, fake),
                d_fn(real, fake, label_smoothing=0.3),
                rtol=0,
                atol=0,
            )
            # The generator's loss does not smooth.
            self.assertAllClose(smoothed.generator_loss(fake, real), g_fn(fake), rtol=0, atol=0)
            self.assertNotAllClose(
                smoothed.discriminator_loss(real, fake), loss.discriminator_loss(real, fake)
            )

    @parameterized.parameters(*NAMES)
    def test_output_summary_and_log_names(self, name):
        kind = LOSS_OBJECTS[name][3]
        loss = losses.get(name)
        self.assertEqual(loss.outputs, kind)
        outputs, _ = _outputs(1, (3, 2, 2, 1))  # any rank: a PatchGAN map
        values = outputs.astype("float64")
        if kind == "probability":
            expected = np.mean(_sigmoid(values))
            self.assertEqual(loss.log_names, ("d_real", "d_fake"))
        else:
            expected = np.mean(values)
            self.assertEqual(loss.log_names, ("critic_real", "critic_fake"))
        self.assertAllClose(loss.output_summary(outputs), expected, rtol=1e-6, atol=1e-7)

    @parameterized.parameters(
        (losses.Minimax(label_smoothing=0.2), {"label_smoothing": 0.2}),
        (losses.NonSaturating(label_smoothing=0.25), {"label_smoothing": 0.25}),
        (losses.NonSaturating(), {"label_smoothing": 0.0}),
        (losses.LeastSquares(), {}),
        (losses.Wasserstein(), {}),
        (losses.Hinge(), {}),
        (losses.RelativisticAverage(), {}),
    )
    def test_config_round_trip(self, loss, config):
        self.assertEqual(loss.get_config(), config)
        serialized = keras.saving.serialize_keras_object(loss)
        self.assertEqual(serialized["registered_name"], f"keras_gans>{type(loss).__name__}")
        # Through JSON, as in a .keras file.
        restored = keras.saving.deserialize_keras_object(json.loads(json.dumps(serialized)))
        self.assertIs(type(restored), type(loss))
        self.assertEqual(restored.get_config(), config)
        real, fake = _outputs(2)
        self.assertAllClose(
            restored.discriminator_loss(real, fake), loss.discriminator_loss(real, fake), 0, 0
        )

    def test_custom_pair_config_round_trip(self):
        loss = losses.GANLoss(
            losses.non_saturating_generator_loss,
            losses.hinge_discriminator_loss,
            outputs="probability",
        )
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
        self.assertIs(type(restored), losses.GANLoss)
        self.assertIs(restored.generator_fn, losses.non_saturating_generator_loss)
        self.assertIs(restored.discriminator_fn, losses.hinge_discriminator_loss)
        self.assertEqual(restored.outputs, "probability")
        self.assertEqual(restored.log_names, ("d_real", "d_fake"))

    @parameterized.parameters(("minimax", losses.Minimax), ("non_saturating", losses.NonSaturating))
    def test_get_of_a_pair_of_package_functions(self, name, cls):
        _, g_fn, d_fn, _ = LOSS_OBJECTS[name]
        plain = losses.get((g_fn, d_fn))
        self.assertIs(type(plain), cls)
        self.assertEqual(plain.label_smoothing, 0.0)
        # The README's recipe: one-sided label smoothing through functools.partial.
        smoothed = losses.get((g_fn, functools.partial(d_fn, label_smoothing=0.2)))
        self.assertIs(type(smoothed), cls)
        self.assertEqual(smoothed.get_config(), {"label_smoothing": 0.2})
        real, fake = _outputs(3)
        expected = _reference_discriminator_losses(
            real.astype("float64"), fake.astype("float64"), label_smoothing=0.2
        )["minimax"]
        self.assertAllClose(smoothed.discriminator_loss(real, fake), expected)
        self.assertEqual(smoothed.log_names, ("d_real", "d_fake"))

    @parameterized.parameters(*[name for name in NAMES if name not in SMOOTHED])
    def test_get_of_each_named_pair(self, name):
        cls, g_fn, d_fn, _ = LOSS_OBJECTS[name]
        self.assertIs(type(losses.get([g_fn, d_fn])), cls)

    def test_get_keeps_a_partial_the_object_does_not_take(self):
        # LSGAN's a=-1 target is no argument of LeastSquares: the pair stays as given.
        d_fn = functools.partial(losses.least_squares_discriminator_loss, fake_label=-1.0)
        loss = losses.get((losses.least_squares_generator_loss, d_fn))
        self.assertIs(type(loss), losses.GANLoss)
        self.assertIs(loss.discriminator_fn, d_fn)
        self.assertEqual(loss.outputs, "score")
        real, fake = _outputs(4)
        expected = 0.5 * np.mean((real - 1.0) ** 2) + 0.5 * np.mean((fake + 1.0) ** 2)
        self.assertAllClose(loss.discriminator_loss(real, fake), expected, rtol=1e-6)

    def test_get_returns_a_loss_object_unchanged(self):
        loss = losses.NonSaturating(label_smoothing=0.1)
        self.assertIs(losses.get(loss), loss)

    def test_a_plain_callable_may_read_the_real_outputs_by_name(self):
        # The real outputs go to a parameter of one of these names, by keyword.
        def by_outputs(fake_outputs, real_outputs):
            return fake_outputs - real_outputs

        def by_logits(fake, real_logits):
            return fake - real_logits

        def by_scores(fake, real_scores=None):
            return fake - real_scores

        for fn in (by_outputs, by_logits, by_scores):
            loss = losses.GANLoss(fn, losses.wasserstein_discriminator_loss)
            self.assertTrue(loss.uses_real_outputs, fn.__name__)
            self.assertAllClose(loss.generator_loss(np.float32(5.0), np.float32(2.0)), 3.0)
        loss = losses.GANLoss(lambda fake: -fake, losses.wasserstein_discriminator_loss)
        self.assertFalse(loss.uses_real_outputs)
        self.assertAllClose(loss.generator_loss(np.float32(5.0), np.float32(2.0)), -5.0)

    def test_loss_object_errors(self):
        with self.assertRaisesRegex(
            ValueError, "`generator_fn` must be a callable. Received: generator_fn=None"
        ):
            losses.GANLoss(None, losses.hinge_discriminator_loss)
        with self.assertRaisesRegex(
            ValueError, "`discriminator_fn` must be a callable. Received: discriminator_fn='hinge'"
        ):
            losses.GANLoss(losses.hinge_generator_loss, "hinge")
        with self.assertRaisesRegex(
            ValueError,
            r"`outputs` must be one of \['probability', 'score'\]. Received: outputs='logits'",
        ):
            losses.GANLoss(losses.hinge_generator_loss, losses.hinge_discriminator_loss, "logits")
        for value in (-0.1, 1.5, "0.2"):
            with self.assertRaisesRegex(ValueError, f"Received: label_smoothing={value!r}"):
                losses.NonSaturating(label_smoothing=value)


class LossObjectInModelTest(tf.test.TestCase):
    """The README's label smoothing recipe through `compile`, `fit` and `.keras`."""

    def test_label_smoothing_logs_probabilities_and_survives_a_keras_file(self):
        recipe = (
            losses.non_saturating_generator_loss,
            functools.partial(losses.non_saturating_discriminator_loss, label_smoothing=0.2),
        )
        gan = tiny_gan(loss=recipe)
        self.assertIs(type(gan.loss), losses.NonSaturating)
        self.assertEqual(gan.loss.label_smoothing, 0.2)
        history = gan.fit(tiny_images(8), batch_size=4, epochs=1, verbose=0).history
        self.assertEqual(sorted(history), ["d_fake", "d_loss", "d_real", "g_loss"])
        path = os.path.join(self.get_temp_dir(), "smoothed.keras")
        gan.save(path)
        loaded = keras.models.load_model(path)
        self.assertIs(type(loaded.loss), losses.NonSaturating)
        self.assertEqual(loaded.loss.label_smoothing, 0.2)
        self.assertIs(loaded.loss.discriminator_fn, losses.non_saturating_discriminator_loss)


class GetTest(tf.test.TestCase):
    def test_names(self):
        self.assertEqual(sorted(losses.LOSSES), sorted(NAMES))
        for name, (cls, _, _, _) in LOSS_OBJECTS.items():
            self.assertIs(losses.LOSSES[name], cls)
            self.assertIs(type(losses.get(name)), cls)
        # A name gives the loss with its default arguments.
        self.assertEqual(losses.get("non_saturating").label_smoothing, 0.0)

    def test_parameter_names_say_what_the_outputs_are(self):
        # Logits of "real" for the cross-entropy losses, critic scores for the others;
        # only the relativistic generator loss reads the outputs on real data.
        for name, (_, g_fn, d_fn, kind) in LOSS_OBJECTS.items():
            suffix = "logits" if kind == "probability" else "scores"
            g_parameters = list(inspect.signature(g_fn).parameters)
            d_parameters = list(inspect.signature(d_fn).parameters)
            self.assertEqual(g_parameters[0], f"fake_{suffix}", name)
            self.assertEqual(d_parameters[:2], [f"real_{suffix}", f"fake_{suffix}"], name)
            self.assertEqual(f"real_{suffix}" in g_parameters, name == "relativistic_average")
        self.assertEqual(
            list(inspect.signature(losses.relativistic_average_generator_loss).parameters),
            ["fake_logits", "real_logits"],
        )

    def test_serializable(self):
        functions = [fn for _, g_fn, d_fn, _ in LOSS_OBJECTS.values() for fn in (g_fn, d_fn)]
        functions.append(losses.feature_matching_loss)
        for fn in functions:
            config = keras.saving.serialize_keras_object(fn)
            self.assertIs(keras.saving.deserialize_keras_object(config), fn)

    def test_pair_of_callables(self):
        pair = (lambda f: f, lambda r, f: r)
        loss = losses.get(list(pair))
        self.assertIs(type(loss), losses.GANLoss)
        self.assertIs(loss.generator_fn, pair[0])
        self.assertIs(loss.discriminator_fn, pair[1])
        # Outputs of callables the package does not know are read as scores.
        self.assertEqual(loss.outputs, "score")
        self.assertEqual(loss.log_names, ("critic_real", "critic_fake"))

    def test_errors(self):
        with self.assertRaisesRegex(
            ValueError,
            r"'lsgan'. Valid names are \['hinge', 'least_squares', 'minimax', "
            r"'non_saturating', 'relativistic_average', 'wasserstein'\]",
        ):
            losses.get("lsgan")
        with self.assertRaisesRegex(ValueError, "Received: loss=3"):
            losses.get(3)
        with self.assertRaisesRegex(ValueError, "Received: loss=.*'a', 'b'"):
            losses.get(("a", "b"))
        with self.assertRaisesRegex(ValueError, r"Received: loss=\(<function"):
            losses.get((losses.wasserstein_generator_loss,))
