import numpy as np
import scipy.linalg
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import metrics


def _reference_fid(activations1, activations2):
    """The reference FID computation (Heusel et al.'s code) with scipy's sqrtm."""
    mu1, mu2 = activations1.mean(axis=0), activations2.mean(axis=0)
    sigma1 = np.cov(activations1, rowvar=False)
    sigma2 = np.cov(activations2, rowvar=False)
    covmean = scipy.linalg.sqrtm(sigma1 @ sigma2)
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean.real))


def _correlated(rng, num_samples, dim, offset=0.0):
    mixing = rng.normal(size=(dim, dim)) / np.sqrt(dim)
    return rng.normal(size=(num_samples, dim)) @ mixing + offset


class FrechetDistanceTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.parameters((0, 8), (1, 32), (2, 64))
    def test_matches_scipy_sqrtm_reference(self, seed, dim):
        rng = np.random.default_rng(seed)
        real = _correlated(rng, 500, dim)
        fake = _correlated(rng, 300, dim, offset=0.3)
        expected = _reference_fid(real, fake)
        got = metrics.frechet_distance_from_activations(real, fake)
        self.assertIsInstance(got, float)
        self.assertAllClose(got, expected, rtol=1e-6, atol=0)

    def test_statistics_and_activations_agree(self):
        rng = np.random.default_rng(3)
        real, fake = _correlated(rng, 100, 6), _correlated(rng, 80, 6, offset=1.0)
        mu1, sigma1 = metrics.gaussian_statistics(real)
        mu2, sigma2 = metrics.gaussian_statistics(fake)
        self.assertAllClose(mu1, real.mean(axis=0))
        self.assertAllClose(sigma1, np.cov(real, rowvar=False))
        self.assertEqual(
            metrics.frechet_distance(mu1, sigma1, mu2, sigma2),
            metrics.frechet_distance_from_activations(real, fake),
        )

    def test_closed_form_for_diagonal_covariances(self):
        # For commuting covariances d^2 = ||mu1 - mu2||^2 + sum (sqrt(a) - sqrt(b))^2.
        a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 0.0])
        mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
        expected = 1.0 + 4.0 + (1 + 1 + 9)
        self.assertAllClose(
            metrics.frechet_distance(mu1, np.diag(a), mu2, np.diag(b)), expected, rtol=1e-12
        )

    def test_same_set_is_zero(self):
        activations = _correlated(np.random.default_rng(4), 200, 16)
        self.assertAllClose(
            metrics.frechet_distance_from_activations(activations, activations), 0.0, atol=1e-10
        )

    def test_mean_shift_adds_squared_norm(self):
        activations = _correlated(np.random.default_rng(5), 300, 12)
        shift = np.linspace(-1.0, 2.0, 12)
        got = metrics.frechet_distance_from_activations(activations, activations + shift)
        self.assertAllClose(got, shift @ shift, rtol=1e-9)

    def test_singular_covariances_are_finite_and_real(self):
        # 10 samples of 64 dimensions: both covariances have rank 9.
        rng = np.random.default_rng(6)
        real, fake = rng.normal(size=(10, 64)), rng.normal(size=(10, 64)) + 0.1
        got = metrics.frechet_distance_from_activations(real, fake)
        self.assertIsInstance(got, float)
        # scipy's sqrtm of the singular product, as the reference code takes it...
        self.assertAllClose(got, _reference_fid(real, fake), rtol=1e-6, atol=0)
        # ...and Tr((S1 S2)^(1/2)) as the sum of the roots of the eigenvalues of
        # the PSD matrix S1^(1/2) S2 S1^(1/2), which has the same spectrum.
        sigma1, sigma2 = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
        self.assertEqual(np.linalg.matrix_rank(sigma1), 9)
        values, vectors = np.linalg.eigh(sigma1)
        root = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
        spectrum = np.clip(np.linalg.eigvalsh(root @ sigma2 @ root), 0, None)
        diff = real.mean(axis=0) - fake.mean(axis=0)
        expected = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.sqrt(spectrum).sum()
        self.assertAllClose(got, expected, rtol=1e-6, atol=0)
        self.assertAllClose(metrics.frechet_distance_from_activations(real, real), 0.0, atol=1e-9)
        # Tr((S S)^(1/2)) = Tr(S) holds exactly for singular S too.
        _, sigma = metrics.gaussian_statistics(real)
        self.assertAllClose(metrics.trace_sqrt_product(sigma, sigma), np.trace(sigma), rtol=1e-10)

    def test_zero_covariance_is_clipped_not_nan(self):
        # Constant features: covariances of zeros, rounding must not give NaN.
        ones = np.ones((5, 4))
        self.assertEqual(metrics.frechet_distance_from_activations(ones, ones), 0.0)
        self.assertAllClose(metrics.frechet_distance_from_activations(ones, ones * 0.5), 1.0)

    def test_bad_activations(self):
        good = np.zeros((4, 3))
        cases = [
            (np.zeros(4), good, r"rank 2.*activations1.shape=\(4,\)"),
            (good, np.zeros((4, 5)), r"same feature dimension.*\(4, 5\)"),
            (np.zeros((1, 3)), good, r"at least 2 samples.*\(1, 3\)"),
            (good, np.full((4, 3), np.nan), "NaN"),
            (good, np.zeros((4, 0)), r"at least one feature.*\(4, 0\)"),
        ]
        for first, second, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                metrics.frechet_distance_from_activations(first, second)

    def test_bad_statistics(self):
        mu, sigma = np.zeros(3), np.eye(3)
        with self.assertRaisesRegex(ValueError, r"mu1.shape=\(3,\), mu2.shape=\(4,\)"):
            metrics.frechet_distance(mu, sigma, np.zeros(4), np.eye(4))
        with self.assertRaisesRegex(ValueError, r"sigma2.shape=\(3, 2\)"):
            metrics.frechet_distance(mu, sigma, mu, np.zeros((3, 2)))
        with self.assertRaisesRegex(ValueError, r"mu1.shape=\(3, 1\)"):
            metrics.frechet_distance(np.zeros((3, 1)), sigma, mu, sigma)
        with self.assertRaisesRegex(ValueError, "`sigma1` contains NaN"):
            metrics.frechet_distance(mu, np.full((3, 3), np.inf), mu, sigma)
