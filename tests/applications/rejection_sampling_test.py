"""Discriminator rejection sampling against densities known in closed form.

The generator is the identity on 2-D latents, so `p_g = N(0, I)`. A
discriminator whose logit is `log 2 - |x|^2 / 2` is the optimal one against
data `N(0, I / 2)`: rejection sampling must then draw from `N(0, I / 2)`, and
accept `E[exp(-|x|^2 / 2)] = 1/2` of the samples.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gans import AdversarialModel
from keras_gans.applications import rejection_sampling
from keras_gans.applications.rejection_sampling import DiscriminatorRejectionSampler
from keras_gans.layers import PackSamples

LOG_2 = float(np.log(2.0))


def identity_generator():
    latent = keras.Input((2,))
    linear = keras.layers.Dense(2, use_bias=False)
    model = keras.Model(latent, linear(latent))
    linear.set_weights([np.eye(2, dtype="float32")])
    return model


def exact_discriminator(packing=1, packs_itself=True):
    """Logit `sum over the pack of (log 2 - |x|^2 / 2)`: additive, as the optimal packed one.

    With `packs_itself=False` it takes packs, as `AdversarialModel(packing=m)` feeds them.
    """
    samples = keras.Input((2 if packs_itself else 2 * packing,))
    x = PackSamples(packing)(samples) if packing > 1 and packs_itself else samples
    logit = keras.layers.Lambda(
        lambda v: packing * LOG_2 - 0.5 * ops.sum(ops.square(v), axis=-1, keepdims=True),
        output_shape=(1,),
    )(x)
    return keras.Model(samples, logit)


def quadratic_discriminator():
    """Logit `w . x^2 + b`, trainable; the optimum against `N(0, I / 2)` is w = -1/2, b = log 2."""
    samples = keras.Input((2,))
    squares = keras.layers.Lambda(ops.square, output_shape=(2,))(samples)
    return keras.Model(samples, keras.layers.Dense(1, kernel_initializer="zeros")(squares))


def gan_of(discriminator, loss="non_saturating", **kwargs):
    gan = AdversarialModel(identity_generator(), discriminator, seed=0, **kwargs)
    gan.compile(
        g_optimizer=keras.optimizers.Adam(1e-3),
        d_optimizer=keras.optimizers.Adam(1e-3),
        loss=loss,
    )
    return gan


class LogDensityRatiosTest(tf.test.TestCase):
    def test_unpacked_is_the_logit(self):
        gan = gan_of(exact_discriminator())
        x = np.random.default_rng(0).standard_normal((50, 2)).astype("float32")
        ratios = rejection_sampling.log_density_ratios(gan, x)
        self.assertEqual(ratios.shape, (50,))
        self.assertAllClose(ratios, LOG_2 - 0.5 * np.sum(x**2, axis=1), atol=1e-5)

    def test_packed_recovers_each_samples_ratio(self):
        x = np.random.default_rng(1).standard_normal((203, 2)).astype("float32")
        expected = LOG_2 - 0.5 * np.sum(x**2, axis=1)
        for gan in (
            gan_of(exact_discriminator(packing=4)),
            gan_of(exact_discriminator(4, packs_itself=False), packing=4),
        ):
            self.assertEqual(rejection_sampling.discriminator_packing(gan), 4)
            ratios = rejection_sampling.log_density_ratios(gan, x, packings=400, seed=0)
            # The packmates' share averages out to within ~0.1 over 400 packings.
            self.assertLess(np.abs(ratios - expected).mean(), 0.12)
            self.assertGreater(np.corrcoef(ratios, expected)[0, 1], 0.99)
            # One packing: the noise of three packmates' ratios.
            noisy = rejection_sampling.log_density_ratios(gan, x, packings=1, seed=0)
            self.assertGreater(np.abs(noisy - expected).mean(), 0.4)

    def test_shared_packmates_recover_each_samples_ratio_exactly(self):
        rng = np.random.default_rng(2)
        x = rng.standard_normal((203, 2)).astype("float32")
        expected = LOG_2 - 0.5 * np.sum(x**2, axis=1)
        # Packmates far from the samples' scale: their share must still come off exactly.
        mates = (3.0 * rng.standard_normal((5, 3, 2))).astype("float32")
        for gan in (
            gan_of(exact_discriminator(packing=4)),
            gan_of(exact_discriminator(4, packs_itself=False), packing=4),
        ):
            ratios = rejection_sampling.log_density_ratios(gan, x, packmates=mates)
            self.assertAllClose(ratios, expected, atol=1e-4)
            # One pack is enough for an additive logit; the sample's position does not matter.
            one = rejection_sampling.log_density_ratios(gan, x, packmates=mates[2:3])
            self.assertAllClose(one, expected, atol=1e-4)

    def test_shared_packmates_on_a_logit_that_is_not_additive(self):
        # logit = sum of the pack's ratios, clipped below at -20 (a saturating unit):
        # a packmate far out pins the pack at -20 and hides the sample's ratio.
        samples = keras.Input((8,))
        logit = keras.layers.Lambda(
            lambda v: ops.maximum(
                4 * LOG_2 - 0.5 * ops.sum(ops.square(v), axis=-1, keepdims=True), -20.0
            ),
            output_shape=(1,),
        )(samples)
        gan = gan_of(keras.Model(samples, logit), packing=4)
        rng = np.random.default_rng(3)
        x = rng.standard_normal((400, 2)).astype("float32")
        x[:40] *= 8.0  # samples "between the modes"
        expected = LOG_2 - 0.5 * np.sum(x**2, axis=1)
        mates = rejection_sampling.choose_packmates(gan, x, num_packs=4, seed=0)
        self.assertEqual(mates.shape, (4, 3, 2))
        # Drawn from the upper half of the estimated ratios: none of the far samples
        # (most of which have ratios below -20).
        self.assertGreater(np.sum(expected < -20), 20)
        self.assertGreater(np.min(LOG_2 - 0.5 * np.sum(mates**2, axis=-1)), -5.0)
        for pack in mates:
            self.assertLen({tuple(v) for v in pack}, 3)
        on_mode = expected > -5
        shared = rejection_sampling.log_density_ratios(gan, x, packmates=mates)
        self.assertAllClose(shared[on_mode], expected[on_mode], atol=1e-3)
        # Random packings mix in the far packmates: their estimates are far off.
        random = rejection_sampling.log_density_ratios(gan, x, packings=8, seed=0)
        self.assertGreater(np.abs(random - expected)[on_mode].mean(), 1.0)

    def test_bad_inputs(self):
        x = np.zeros((3, 2), "float32")
        with self.assertRaisesRegex(ValueError, "loss=Wasserstein"):
            rejection_sampling.log_density_ratios(gan_of(exact_discriminator(), "wasserstein"), x)
        with self.assertRaisesRegex(ValueError, "at least 4 samples to score. Received 3"):
            rejection_sampling.log_density_ratios(gan_of(exact_discriminator(packing=4)), x)
        with self.assertRaisesRegex(ValueError, "packings"):
            rejection_sampling.log_density_ratios(gan_of(exact_discriminator()), x, packings=0)
        packed = gan_of(exact_discriminator(packing=4))
        x = np.zeros((8, 2), "float32")
        with self.assertRaisesRegex(
            ValueError, r"\(num_packs, \*\(3, 2\)\).*Received shape \(2, 2, 2\)"
        ):
            rejection_sampling.log_density_ratios(packed, x, packmates=np.zeros((2, 2, 2)))
        with self.assertRaisesRegex(ValueError, "at least one pack"):
            rejection_sampling.log_density_ratios(packed, x, packmates=np.zeros((0, 3, 2)))
        with self.assertRaisesRegex(ValueError, "judges samples one by one"):
            rejection_sampling.log_density_ratios(
                gan_of(exact_discriminator()), x, packmates=np.zeros((1, 3, 2))
            )
        with self.assertRaisesRegex(ValueError, "packing 1"):
            rejection_sampling.choose_packmates(gan_of(exact_discriminator()), x)
        with self.assertRaisesRegex(ValueError, "at least 8 samples. Received 7"):
            rejection_sampling.choose_packmates(packed, x[:7])


class CalibrateDiscriminatorTest(tf.test.TestCase):
    def test_learns_the_log_ratio(self):
        gan = gan_of(quadratic_discriminator())
        data = tf.data.Dataset.from_tensor_slices(
            np.random.default_rng(2).normal(0, np.sqrt(0.5), (512, 2)).astype("float32")
        )
        losses = rejection_sampling.calibrate_discriminator(
            gan, data.repeat().batch(256), steps=600, learning_rate=0.02
        )
        self.assertLen(losses, 600)
        kernel, bias = gan.discriminator.layers[-1].get_weights()
        self.assertAllClose(kernel.ravel(), [-0.5, -0.5], atol=0.12)
        self.assertAllClose(bias, [LOG_2], atol=0.15)
        self.assertLess(np.mean(losses[-50:]), np.mean(losses[:5]))
        with self.assertRaisesRegex(ValueError, "ran out after 2 batches"):
            rejection_sampling.calibrate_discriminator(gan, data.batch(256), steps=5)


class DiscriminatorRejectionSamplerTest(tf.test.TestCase):
    def test_draws_from_the_data_distribution(self):
        sampler = DiscriminatorRejectionSampler(gan_of(exact_discriminator()), burn_in=20_000)
        samples = sampler.sample(6000, seed=0)
        self.assertEqual(samples.shape, (6000, 2))
        self.assertEqual(samples.dtype, np.float32)
        # N(0, I / 2), not the generator's N(0, I).
        self.assertAllClose(samples.var(axis=0), [0.5, 0.5], atol=0.04)
        self.assertAllClose(samples.mean(axis=0), [0.0, 0.0], atol=0.04)
        self.assertAllClose(sampler.acceptance_rate, 0.5, atol=0.03)
        self.assertAllClose(sampler.max_log_ratio, LOG_2, atol=0.01)
        self.assertGreaterEqual(sampler.draws, 6000 / 0.55)
        # Repeatable.
        gan = gan_of(exact_discriminator())
        self.assertAllEqual(
            DiscriminatorRejectionSampler(gan).sample(100, seed=3),
            DiscriminatorRejectionSampler(gan).sample(100, seed=3),
        )

    def test_packed_discriminator_draws_from_the_data_distribution(self):
        gan = gan_of(exact_discriminator(packing=4))
        sampler = DiscriminatorRejectionSampler(gan, burn_in=20_000)
        samples = sampler.sample(6000, seed=0)
        self.assertEqual(sampler.reference_packmates.shape, (8, 3, 2))
        self.assertAllClose(samples.var(axis=0), [0.5, 0.5], atol=0.04)
        self.assertAllClose(sampler.acceptance_rate, 0.5, atol=0.03)
        self.assertAllClose(sampler.max_log_ratio, LOG_2, atol=0.01)
        # Random packmates: each estimate carries its packmates' noise. Here it
        # does not depend on x, so what is kept is still N(0, I / 2), but the
        # noise raises r_max and so lowers the share kept...
        noisy = DiscriminatorRejectionSampler(gan, burn_in=20_000, packmates="random")
        kept = noisy.sample(6000, seed=0)
        self.assertIsNone(noisy.reference_packmates)
        self.assertAllClose(kept.var(axis=0), [0.5, 0.5], atol=0.04)
        self.assertLess(noisy.acceptance_rate, 0.2)
        # ...and with a quantile it blurs which samples are the surest.
        medians = {}
        for packmates in ("shared", "random"):
            sampler = DiscriminatorRejectionSampler(
                gan, gamma_quantile=0.9, burn_in=20_000, packmates=packmates
            )
            medians[packmates] = np.median(np.sum(sampler.sample(2000, seed=0) ** 2, axis=1))
        self.assertLess(medians["shared"], 0.45)
        self.assertGreater(medians["random"], 0.65)
        with self.assertRaisesRegex(ValueError, "packmates"):
            DiscriminatorRejectionSampler(gan, packmates="fixed")

    def test_gamma_keeps_the_surer_samples(self):
        gan = gan_of(exact_discriminator())
        plain = DiscriminatorRejectionSampler(gan)
        strict = DiscriminatorRejectionSampler(gan, gamma=2.0)
        a, b = plain.sample(2000, seed=0), strict.sample(2000, seed=0)
        self.assertLess(strict.acceptance_rate, plain.acceptance_rate - 0.2)
        self.assertLess(np.sum(b**2, axis=1).mean(), np.sum(a**2, axis=1).mean() - 0.3)

    def test_acceptance_probabilities(self):
        sampler = DiscriminatorRejectionSampler(gan_of(exact_discriminator()), gamma=1.5)
        sampler.max_log_ratio = 2.0
        r = np.array([-10.0, -1.0, 1.0, 2.0])
        delta = r - 2.0
        f = delta - np.log(1 - np.exp(delta - 1e-6)) - 1.5
        self.assertAllClose(sampler.acceptance_probabilities(r), 1 / (1 + np.exp(-f)))
        sampler.gamma = 0.0
        self.assertAllClose(sampler.acceptance_probabilities(r[:3]), np.exp(delta[:3]), atol=1e-4)

    def test_bad_inputs(self):
        with self.assertRaisesRegex(ValueError, "loss=LeastSquares"):
            DiscriminatorRejectionSampler(gan_of(exact_discriminator(), "least_squares"))
        with self.assertRaisesRegex(ValueError, "burn_in"):
            DiscriminatorRejectionSampler(gan_of(exact_discriminator()), burn_in=-1)
        with self.assertRaisesRegex(ValueError, "batch_size=2"):
            DiscriminatorRejectionSampler(gan_of(exact_discriminator(4)), batch_size=2)
        sampler = DiscriminatorRejectionSampler(gan_of(exact_discriminator()), gamma=40.0)
        with self.assertRaisesRegex(RuntimeError, "max_draws=5000; lower `gamma`"):
            sampler.sample(10, seed=0, max_draws=5000)

    def test_gamma_quantile(self):
        gan = gan_of(exact_discriminator())
        sampler = DiscriminatorRejectionSampler(gan, gamma_quantile=0.9, burn_in=20_000)
        sampler.sample(1000, seed=0)
        # F is monotone in |x|^2 ~ chi2(2): its 0.9-quantile sits where
        # exp(-|x|^2 / 2) = 0.9, i.e. |x|^2 = 2 log(1 / 0.9).
        delta = -np.log(1 / 0.9)
        expected = delta - np.log(1 - np.exp(delta))
        self.assertAllClose(sampler.gamma, expected, atol=0.05)
        # About 10% of samples score above gamma; fewer are kept than with gamma=0.
        self.assertBetween(sampler.acceptance_rate, 0.08, 0.3)
        with self.assertRaisesRegex(ValueError, "gamma=1.0, gamma_quantile=0.5"):
            DiscriminatorRejectionSampler(gan, gamma=1.0, gamma_quantile=0.5)
        with self.assertRaisesRegex(ValueError, "gamma_quantile"):
            DiscriminatorRejectionSampler(gan, gamma_quantile=1.0)
