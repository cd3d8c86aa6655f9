import math
import types
from unittest import mock

import numpy as np
import scipy.special
import scipy.stats
import tensorflow as tf

from keras_gans.applications import mode_collapse
from keras_gans.applications.mode_collapse import metrics as metrics_module


def _reference_summary(samples, means, std, threshold=3.0):
    """The VEEGAN/PacGAN protocol written out sample by sample.

    Each sample's distance to each mode is normalised by the std per axis;
    a sample within `threshold` of its nearest mode counts for that mode.
    The reverse KL is log K minus the entropy of the high-quality histogram.
    """
    counts = np.zeros(len(means))
    for point in samples:
        distances = [math.sqrt(np.sum((point - mean) ** 2 / std**2)) for mean in means]
        nearest = int(np.argmin(distances))
        if distances[nearest] < threshold:
            counts[nearest] += 1
    entropy = scipy.stats.entropy(counts / counts.sum()) if counts.sum() else float("nan")
    return {
        "modes": int(np.count_nonzero(counts)),
        "hq_share": counts.sum() / len(samples),
        "reverse_kl": math.log(len(means)) - entropy,
    }


def _at_modes(target, modes):
    """One sample exactly at the centre of each listed mode."""
    return target.means[np.asarray(modes)].astype(np.float32)


class ModeMetricsTest(tf.test.TestCase):
    def test_matches_a_sample_by_sample_reference(self):
        rng = np.random.default_rng(0)
        for target in (
            mode_collapse.ring_2d(),
            mode_collapse.grid_2d(),
            mode_collapse.mixture_1d(),
        ):
            # A generator that favours a few modes and spreads 2 to 5 std around them.
            weights = rng.dirichlet(np.full(target.num_modes, 0.3))
            modes = rng.choice(target.num_modes, size=600, p=weights)
            spread = rng.uniform(0.5, 5.0, size=(600, 1)) * target.std
            samples = target.means[modes] + spread * rng.standard_normal((600, target.dim))
            expected = _reference_summary(samples, target.means, target.std)
            got = mode_collapse.summary(samples, target)
            self.assertEqual(got["modes"], expected["modes"])
            self.assertAllClose(got["hq_share"], expected["hq_share"], rtol=1e-12)
            self.assertAllClose(got["reverse_kl"], expected["reverse_kl"], rtol=1e-9, atol=1e-12)
            self.assertGreater(got["hq_share"], 0.2)
            self.assertLess(got["hq_share"], 0.9)

    def test_all_samples_on_one_mode(self):
        for target in (mode_collapse.ring_2d(), mode_collapse.grid_2d()):
            samples = _at_modes(target, [3] * 50)
            got = mode_collapse.summary(samples, target)
            self.assertEqual(got["modes"], 1)
            self.assertEqual(got["hq_share"], 1.0)
            self.assertAllClose(got["reverse_kl"], math.log(target.num_modes), rtol=1e-12)

    def test_perfectly_balanced_samples(self):
        for target in (mode_collapse.ring_2d(), mode_collapse.grid_2d()):
            samples = _at_modes(target, np.tile(np.arange(target.num_modes), 4))
            got = mode_collapse.summary(samples, target)
            self.assertEqual(got, {"modes": target.num_modes, "hq_share": 1.0, "reverse_kl": 0.0})

    def test_samples_far_away(self):
        ring = mode_collapse.ring_2d()
        got = mode_collapse.summary(np.full((10, 2), 5.0), ring)
        self.assertEqual(got["modes"], 0)
        self.assertEqual(got["hq_share"], 0.0)
        self.assertTrue(math.isnan(got["reverse_kl"]))
        self.assertAllEqual(mode_collapse.mode_counts(np.full((10, 2), 5.0), ring), np.zeros(8))

    def test_low_quality_samples_are_left_out_of_the_histogram(self):
        ring = mode_collapse.ring_2d()
        # Two HQ samples on each of modes 0 and 1, four samples between modes.
        samples = np.concatenate([_at_modes(ring, [0, 0, 1, 1]), np.zeros((4, 2))])
        got = mode_collapse.summary(samples, ring)
        self.assertEqual(got["modes"], 2)
        self.assertEqual(got["hq_share"], 0.5)
        # p = (1/2, 1/2, 0, ..., 0) over 8 modes: KL = log(8 / 2).
        self.assertAllClose(got["reverse_kl"], math.log(4.0), rtol=1e-12)

    def test_threshold_is_strict_and_in_units_of_std(self):
        grid = mode_collapse.grid_2d()  # std 0.05
        centre = grid.means[12]
        samples = centre + np.array([[0.0, 2.99 * 0.05], [3.01 * 0.05, 0.0], [0.3, 0.4]])
        modes, distances = mode_collapse.nearest_modes(samples, grid)
        self.assertAllEqual(modes, [12, 12, 12])
        self.assertAllClose(distances, [2.99, 3.01, 10.0], rtol=1e-9)
        self.assertAllEqual(mode_collapse.mode_counts(samples, grid)[12], 1)
        self.assertAllEqual(mode_collapse.mode_counts(samples, grid, threshold=3.02)[12], 2)
        self.assertAllEqual(mode_collapse.mode_counts(samples, grid, threshold=10.5)[12], 3)
        # Exactly 3 std (all binary fractions) is not high quality.
        target = types.SimpleNamespace(means=np.array([[0.0, 0.0]]), std=0.25)
        _, distances = mode_collapse.nearest_modes([[0.0, 0.75]], target)
        self.assertEqual(distances[0], 3.0)
        self.assertEqual(mode_collapse.summary([[0.0, 0.75]], target)["modes"], 0)

    def test_ties_go_to_the_lower_index(self):
        target = mode_collapse.mixture_1d()
        modes, distances = mode_collapse.nearest_modes(np.array([5.0]), target)
        self.assertAllEqual(modes, [0])
        self.assertAllClose(distances, [3.0])

    def test_samples_of_the_target_itself(self):
        # In 2-D, ||x - mean|| / std is Rayleigh: P(< 3) = 1 - exp(-9/2).
        n = 20_000
        for target in (mode_collapse.ring_2d(), mode_collapse.grid_2d()):
            got = mode_collapse.summary(target.sample(n, seed=1), target)
            expected = 1.0 - math.exp(-4.5)
            self.assertEqual(got["modes"], target.num_modes)
            self.assertAllClose(got["hq_share"], expected, atol=4 * math.sqrt(expected / n))
            self.assertLess(got["reverse_kl"], 0.01)
        # In 1-D, P(|z| < 3) = erf(3 / sqrt(2)); the modes are 6 std apart.
        target = mode_collapse.mixture_1d()
        got = mode_collapse.summary(target.sample(n, seed=2), target)
        expected = math.erf(3.0 / math.sqrt(2.0))
        self.assertEqual(got["modes"], 2)
        self.assertAllClose(got["hq_share"], expected, atol=4 * math.sqrt(expected * 0.003 / n))

    def test_reverse_kl_of_the_target_is_its_sampling_noise(self):
        # For n draws from K equally likely modes, 2 n KL(p_hat || uniform) is
        # asymptotically chi-square with K - 1 degrees of freedom.
        for target in (mode_collapse.ring_2d(), mode_collapse.grid_2d()):
            values, hq = [], []
            for seed in range(40):
                got = mode_collapse.summary(target.sample(2500, seed=seed), target)
                values.append(got["reverse_kl"])
                hq.append(got["hq_share"] * 2500)
            expected = (target.num_modes - 1) / (2 * np.mean(hq))
            self.assertAllClose(np.mean(values), expected, rtol=0.25)

    def test_chunked_distances_agree(self):
        grid = mode_collapse.grid_2d()
        samples = grid.sample(1000, seed=3) + np.random.default_rng(4).normal(0, 0.1, (1000, 2))
        whole = mode_collapse.nearest_modes(samples, grid)
        with mock.patch.object(metrics_module, "_CHUNK_ELEMENTS", 7 * 25 * 2):
            chunked = mode_collapse.nearest_modes(samples, grid)
        self.assertAllEqual(whole[0], chunked[0])
        self.assertAllEqual(whole[1], chunked[1])

    def test_any_object_with_means_and_std_is_a_target(self):
        target = types.SimpleNamespace(means=np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]), std=0.1)
        samples = np.array([[0.0, 0.0, 0.05], [1.0, 1.0, 1.0], [0.5, 0.5, 0.6]])
        self.assertAllEqual(mode_collapse.mode_counts(samples, target), [1, 1])
        self.assertAllClose(mode_collapse.summary(samples, target)["hq_share"], 2 / 3)

    def test_reverse_kl_to_uniform_matches_scipy(self):
        rng = np.random.default_rng(5)
        for num_modes in (2, 8, 25, 1000):
            counts = rng.integers(0, 20, size=num_modes) * (rng.random(num_modes) < 0.6)
            counts[0] += 1
            p = counts / counts.sum()
            expected = scipy.stats.entropy(p, np.full(num_modes, 1.0 / num_modes))
            self.assertAllClose(mode_collapse.reverse_kl_to_uniform(counts), expected, rtol=1e-10)
            self.assertAllClose(
                mode_collapse.reverse_kl_to_uniform(counts),
                np.sum(scipy.special.rel_entr(p, 1.0 / num_modes)),
                rtol=1e-10,
            )
        self.assertAllClose(mode_collapse.reverse_kl_to_uniform([7, 0, 0, 0, 0]), math.log(5))
        self.assertEqual(mode_collapse.reverse_kl_to_uniform([3, 3, 3]), 0.0)
        self.assertEqual(mode_collapse.reverse_kl_to_uniform([4]), 0.0)
        self.assertTrue(math.isnan(mode_collapse.reverse_kl_to_uniform([0, 0])))

    def test_bad_input(self):
        ring = mode_collapse.ring_2d()
        with self.assertRaisesRegex(ValueError, r"\(num_samples, 2\).*samples.shape=\(4, 3\)"):
            mode_collapse.summary(np.zeros((4, 3)), ring)
        with self.assertRaisesRegex(ValueError, r"at least one sample.*\(0, 2\)"):
            mode_collapse.summary(np.zeros((0, 2)), ring)
        with self.assertRaisesRegex(ValueError, "NaN"):
            mode_collapse.summary(np.full((2, 2), np.nan), ring)
        with self.assertRaisesRegex(ValueError, "`target` must have `means`.*ndarray"):
            mode_collapse.summary(np.zeros((2, 2)), np.zeros((8, 2)))
        with self.assertRaisesRegex(ValueError, "threshold=0"):
            mode_collapse.summary(np.zeros((2, 2)), ring, threshold=0)
        with self.assertRaisesRegex(ValueError, r"min\(counts\)=-1"):
            mode_collapse.reverse_kl_to_uniform([1, -1])
        with self.assertRaisesRegex(ValueError, r"counts.shape=\(2, 2\)"):
            mode_collapse.reverse_kl_to_uniform(np.ones((2, 2)))
