import itertools

import numpy as np
import scipy.special
import scipy.stats
import tensorflow as tf

from keras_gans.applications import mode_collapse


def _mixture_pdf(x, means, std):
    """The equal-weight mixture density from SciPy's multivariate normal."""
    return np.mean([scipy.stats.multivariate_normal(mean, std**2).pdf(x) for mean in means], axis=0)


class TargetsTest(tf.test.TestCase):
    def test_ring_modes(self):
        ring = mode_collapse.ring_2d()
        self.assertEqual((ring.num_modes, ring.dim, ring.std), (8, 2, 0.01))
        half = np.sqrt(0.5)
        self.assertAllClose(ring.means[0], [1.0, 0.0], atol=1e-15)
        self.assertAllClose(ring.means[1], [half, half], atol=1e-15)
        self.assertAllClose(ring.means[2], [0.0, 1.0], atol=1e-15)
        self.assertAllClose(ring.means[4], [-1.0, 0.0], atol=1e-15)
        self.assertAllClose(ring.means[6], [0.0, -1.0], atol=1e-15)
        self.assertAllClose(np.linalg.norm(ring.means, axis=1), np.ones(8))

    def test_grid_modes(self):
        grid = mode_collapse.grid_2d()
        self.assertEqual((grid.num_modes, grid.dim, grid.std), (25, 2, 0.05))
        expected = set(itertools.product([-4.0, -2.0, 0.0, 2.0, 4.0], repeat=2))
        self.assertEqual({tuple(mean) for mean in grid.means}, expected)
        self.assertAllEqual(grid.means[:2], [[-4.0, -4.0], [-4.0, -2.0]])

    def test_mixture_1d_modes(self):
        target = mode_collapse.mixture_1d()
        self.assertEqual((target.num_modes, target.dim, target.std), (2, 1, 1.0))
        self.assertAllEqual(target.means, [[2.0], [8.0]])

    def test_means_are_read_only(self):
        with self.assertRaises(ValueError):
            mode_collapse.ring_2d().means[0, 0] = 5.0

    def test_density_1d_matches_scipy_and_integrates_to_one(self):
        target = mode_collapse.mixture_1d()
        x = np.linspace(-10.0, 20.0, 30_001)
        expected = 0.5 * scipy.stats.norm.pdf(x, 2.0, 1.0) + 0.5 * scipy.stats.norm.pdf(x, 8.0, 1.0)
        self.assertAllClose(target.density(x), expected, rtol=1e-12, atol=1e-300)
        self.assertAllClose(target.density(x[:, None]), expected, rtol=1e-12, atol=1e-300)
        self.assertAllClose(np.trapezoid(target.density(x), x), 1.0, atol=1e-9)

    def test_density_2d_matches_scipy(self):
        for target in (mode_collapse.ring_2d(std=0.3), mode_collapse.grid_2d(std=0.7)):
            x = np.random.default_rng(0).normal(scale=2.0, size=(50, 2))
            self.assertAllClose(
                target.density(x), _mixture_pdf(x, target.means, target.std), rtol=1e-10
            )

    def test_log_density_is_finite_far_from_the_modes(self):
        ring = mode_collapse.ring_2d()
        x = np.array([[30.0, 40.0]])
        # log-sum-exp of the component log densities, by SciPy.
        components = [
            scipy.stats.multivariate_normal(mean, ring.std**2).logpdf(x) for mean in ring.means
        ]
        expected = scipy.special.logsumexp(components) - np.log(8)
        got = ring.log_density(x)
        self.assertTrue(np.isfinite(got).all())
        self.assertAllClose(got, [expected], rtol=1e-12)
        self.assertEqual(ring.density(x)[0], 0.0)  # underflows, the log does not

    def test_sample_is_seeded(self):
        grid = mode_collapse.grid_2d()
        first, second = grid.sample(100, seed=3), grid.sample(100, seed=3)
        self.assertEqual(first.dtype, np.float32)
        self.assertEqual(first.shape, (100, 2))
        self.assertAllEqual(first, second)
        self.assertNotAllClose(first, grid.sample(100, seed=4))
        self.assertAllEqual(grid.sample(100, seed=np.random.default_rng(3)), first)
        self.assertEqual(grid.sample(0, seed=0).shape, (0, 2))

    def test_sample_statistics(self):
        ring = mode_collapse.ring_2d()
        n = 16_000
        points, modes = ring.sample(n, seed=0, return_modes=True)
        counts = np.bincount(modes, minlength=8)
        # Uniform modes: each count is Binomial(n, 1/8); 5 standard deviations.
        self.assertAllClose(counts, np.full(8, n / 8), atol=5 * np.sqrt(n / 8 * 7 / 8))
        for k in range(8):
            offsets = points[modes == k] - ring.means[k]
            self.assertAllClose(offsets.mean(axis=0), [0.0, 0.0], atol=5 * 0.01 / np.sqrt(1800))
            self.assertAllClose(offsets.std(axis=0), [0.01, 0.01], rtol=0.1)

    def test_dataset_serves_the_training_set_each_epoch_in_a_new_order(self):
        ring = mode_collapse.ring_2d()
        dataset = ring.dataset(num_samples=1000, batch_size=100, seed=7)
        self.assertEqual(dataset.element_spec.shape, (100, 2))
        self.assertEqual(dataset.element_spec.dtype, tf.float32)
        self.assertEqual(int(dataset.cardinality()), 10)
        first = np.concatenate([batch.numpy() for batch in dataset])
        second = np.concatenate([batch.numpy() for batch in dataset])
        points = ring.sample(1000, seed=7)

        def rows(array):
            return array[np.lexsort(array.T)]

        self.assertAllEqual(rows(first), rows(points))
        self.assertAllEqual(rows(second), rows(points))
        self.assertNotAllClose(first, second)
        again = ring.dataset(num_samples=1000, batch_size=100, seed=7)
        self.assertAllEqual(np.concatenate([batch.numpy() for batch in again]), first)

    def test_dataset_without_shuffle_or_drop_remainder(self):
        target = mode_collapse.mixture_1d()
        dataset = target.dataset(
            num_samples=10, batch_size=4, seed=1, shuffle=False, drop_remainder=False
        )
        batches = [batch.numpy() for batch in dataset]
        self.assertEqual([len(batch) for batch in batches], [4, 4, 2])
        self.assertAllEqual(np.concatenate(batches), target.sample(10, seed=1))

    def test_optimal_discriminator(self):
        target = mode_collapse.mixture_1d()
        x = np.array([2.0, 5.0, 8.0])
        p_data = target.density(x)
        # A generator collapsed onto N(2, 1).
        p_g = scipy.stats.norm.pdf(x, 2.0, 1.0)
        got = mode_collapse.optimal_discriminator(p_data, p_g)
        self.assertAllClose(got, p_data / (p_data + p_g), rtol=1e-12)
        self.assertAllClose(got[0], 1.0 / 3.0, atol=1e-7)  # p_data(2) is about p_g(2) / 2
        self.assertAllClose(got[2], 1.0, atol=1e-7)
        # p_g = p_data gives 1/2 everywhere, as at the equilibrium.
        self.assertAllClose(mode_collapse.optimal_discriminator(p_data, p_data), [0.5] * 3)
        self.assertAllEqual(mode_collapse.optimal_discriminator([0.0, 1.0], [0.0, 0.0]), [0.5, 1])

    def test_bad_input(self):
        with self.assertRaisesRegex(ValueError, r"std.*> 0. Received: std=0"):
            mode_collapse.GaussianMixture([[0.0]], std=0)
        with self.assertRaisesRegex(ValueError, r"means.shape=\(3,\)"):
            mode_collapse.GaussianMixture([0.0, 1.0, 2.0], std=1.0)
        with self.assertRaisesRegex(ValueError, "NaN"):
            mode_collapse.GaussianMixture([[np.nan]], std=1.0)
        with self.assertRaisesRegex(ValueError, r"dim=2.*x.shape=\(5, 3\)"):
            mode_collapse.ring_2d().density(np.zeros((5, 3)))
        with self.assertRaisesRegex(ValueError, r"x.shape=\(5,\)"):
            mode_collapse.ring_2d().density(np.zeros(5))
        with self.assertRaisesRegex(ValueError, "num_samples=-1"):
            mode_collapse.ring_2d().sample(-1)
        with self.assertRaisesRegex(ValueError, "batch_size=200, num_samples=100"):
            mode_collapse.ring_2d().dataset(num_samples=100, batch_size=200)
        with self.assertRaisesRegex(ValueError, "shuffle='yes'"):
            mode_collapse.ring_2d().dataset(num_samples=100, shuffle="yes")
        with self.assertRaisesRegex(ValueError, "num_modes=0"):
            mode_collapse.ring_2d(num_modes=0)
        with self.assertRaisesRegex(ValueError, r"data_density.shape=\(2,\), model_density"):
            mode_collapse.optimal_discriminator([1.0, 2.0], [1.0])
        with self.assertRaisesRegex(ValueError, ">= 0"):
            mode_collapse.optimal_discriminator([1.0], [-1.0])
