import numpy as np
import tensorflow as tf

from keras_gans import metrics


def _kernel(a, b):
    return (a @ b / len(a) + 1.0) ** 3


def _reference_mmd2(x, y):
    """The unbiased MMD^2 estimate, one pair of samples at a time."""
    n, m = len(x), len(y)
    xx = sum(_kernel(x[i], x[j]) for i in range(n) for j in range(n) if i != j)
    yy = sum(_kernel(y[i], y[j]) for i in range(m) for j in range(m) if i != j)
    xy = sum(_kernel(x[i], y[j]) for i in range(n) for j in range(m))
    return xx / (n * (n - 1)) + yy / (m * (m - 1)) - 2 * xy / (n * m)


class KernelDistanceTest(tf.test.TestCase):
    def test_polynomial_kernel_by_hand(self):
        x = np.array([[1.0, 2.0]])
        y = np.array([[3.0, -1.0], [0.0, 0.0]])
        # (x . y / 2 + 1)^3: x . y = 1 and 0.
        self.assertAllClose(metrics.polynomial_kernel(x, y), [[1.5**3, 1.0]])

    def test_unbiased_mmd2_matches_double_loop(self):
        rng = np.random.default_rng(0)
        x, y = rng.normal(size=(7, 5)), rng.normal(size=(9, 5)) + 0.5
        self.assertAllClose(metrics.unbiased_mmd2(x, y), _reference_mmd2(x, y), rtol=1e-12)

    def test_whole_sets_when_subsets_cover_them(self):
        rng = np.random.default_rng(1)
        x, y = rng.normal(size=(8, 4)), rng.normal(size=(8, 4)) * 2.0
        mean, std = metrics.kernel_distance_from_activations(x, y, num_subsets=3, subset_size=50)
        self.assertAllClose(mean, _reference_mmd2(x, y), rtol=1e-12)
        self.assertAllClose(std, 0.0, atol=1e-12)  # every subset is the whole set

    def test_subsets_match_reference(self):
        rng = np.random.default_rng(2)
        x, y = rng.normal(size=(12, 3)), rng.normal(size=(10, 3)) + 1.0
        mean, std = metrics.kernel_distance_from_activations(
            x, y, num_subsets=4, subset_size=6, seed=5
        )
        draws = np.random.default_rng(5)
        values = []
        for _ in range(4):
            xs = x[draws.choice(12, 6, replace=False)]
            ys = y[draws.choice(10, 6, replace=False)]
            values.append(_reference_mmd2(xs, ys))
        self.assertAllClose(mean, np.mean(values), rtol=1e-12)
        self.assertAllClose(std, np.std(values), rtol=1e-10)
        self.assertGreater(std, 0.0)

    def test_identical_distributions_near_zero(self):
        rng = np.random.default_rng(3)
        real, fake = rng.normal(size=(600, 8)), rng.normal(size=(600, 8))
        same, same_std = metrics.kernel_distance_from_activations(real, fake, 10, 300)
        scaled, scaled_std = metrics.kernel_distance_from_activations(real, 1.2 * fake, 10, 300)
        shifted, shifted_std = metrics.kernel_distance_from_activations(real, fake + 1.0, 10, 300)
        # Unbiased: about 0 within its spread over subsets (here -0.007 +- 0.008).
        self.assertLess(abs(same), 2 * same_std)
        self.assertLess(abs(same), 0.02)
        # Closed forms of MMD^2 under k(x, y) = (x . y / d + 1)^3 for Gaussians,
        # d = 8. With zero means the odd moments vanish and
        # E k = 1 + 3 tr(S_x S_y) / d^2, so MMD^2 = 3 ||S_x - S_y||_F^2 / d^2:
        # for S_y = 1.44 I, 3 * 8 * 0.44^2 / 64 = 0.0726.
        self.assertAllClose(scaled, 3 * 8 * 0.44**2 / 64, atol=0.01)
        self.assertLess(abs(scaled - 0.0726), 2 * scaled_std)
        # N(0, I) against N(1, I): E k(x, x') = 1 + 3/d, E k(x, y) = 1 + 6/d, and
        # for y, y' ~ N(1, I), E s = 1, E s^2 = (3d + d^2)/d^2,
        # E s^3 = 1 + 9/d + 6/d^2 (s = y . y' / d), so
        # MMD^2 = 1.375 + (1 + 3 + 4.125 + 2.21875) - 2 * 1.75 = 8.21875.
        self.assertAllClose(shifted, 8.21875, rtol=0.02)
        self.assertLess(abs(shifted - 8.21875), 2 * shifted_std)
        # The same closed forms from a larger sample, without subsets.
        rng = np.random.default_rng(9)
        x, y = rng.normal(size=(4000, 8)), rng.normal(size=(4000, 8))
        self.assertAllClose(metrics.unbiased_mmd2(x, 1.2 * y), 0.0726, atol=0.005)
        self.assertAllClose(metrics.unbiased_mmd2(x, y + 1.0), 8.21875, rtol=0.01)

    def test_seed_makes_it_repeatable(self):
        rng = np.random.default_rng(4)
        x, y = rng.normal(size=(50, 3)), rng.normal(size=(40, 3))
        first = metrics.kernel_distance_from_activations(x, y, 5, 10, seed=1)
        self.assertEqual(first, metrics.kernel_distance_from_activations(x, y, 5, 10, seed=1))
        self.assertNotEqual(first, metrics.kernel_distance_from_activations(x, y, 5, 10, seed=2))

    def test_float32_input_gives_float64_result(self):
        rng = np.random.default_rng(5)
        x, y = rng.normal(size=(20, 4)), rng.normal(size=(20, 4))
        self.assertAllClose(
            metrics.kernel_distance_from_activations(x.astype("float32"), y.astype("float32")),
            metrics.kernel_distance_from_activations(
                x.astype("float32").astype("float64"), y.astype("float32").astype("float64")
            ),
            rtol=1e-12,
        )

    def test_bad_inputs(self):
        x = np.zeros((5, 3))
        cases = [
            (dict(num_subsets=0), "num_subsets=0"),
            (dict(subset_size=1), "subset_size=1"),
            (dict(seed=-1), "seed=-1"),
            (dict(fake_activations=np.zeros((5, 2))), r"same feature dimension.*\(5, 2\)"),
            (dict(fake_activations=np.zeros((1, 3))), r"at least 2 samples.*\(1, 3\)"),
        ]
        for kwargs, message in cases:
            arguments = dict(real_activations=x, fake_activations=x)
            arguments.update(kwargs)
            with self.assertRaisesRegex(ValueError, message):
                metrics.kernel_distance_from_activations(**arguments)
