import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import metrics


class RunningStatisticsTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.parameters(1, 7, 64, 1000)
    def test_equals_one_shot_numpy(self, batch_size):
        features = np.random.default_rng(0).normal(size=(250, 9)) * 3.0 + 2.0
        statistics = metrics.RunningStatistics()
        for start in range(0, len(features), batch_size):
            statistics.update(features[start : start + batch_size])
        self.assertEqual(statistics.count, 250)
        self.assertEqual(statistics.dim, 9)
        mean, covariance = statistics.result()
        self.assertAllClose(mean, features.mean(axis=0), rtol=1e-12, atol=1e-12)
        self.assertAllClose(covariance, np.cov(features, rowvar=False), rtol=1e-10, atol=1e-12)

    def test_stable_far_from_origin(self):
        # Plain sums of x x^T lose the variance of data at 1e6 in float64.
        features = 1e6 + np.random.default_rng(1).normal(size=(1000, 4))
        statistics = metrics.RunningStatistics()
        for batch in np.array_split(features, 9):
            statistics.update(batch)
        self.assertAllClose(statistics.covariance, np.cov(features, rowvar=False), rtol=1e-7)

    def test_empty_batch_is_ignored(self):
        statistics = metrics.RunningStatistics()
        statistics.update(np.zeros((0, 3)))
        self.assertEqual(statistics.count, 0)
        self.assertIsNone(statistics.dim)

    def test_errors(self):
        statistics = metrics.RunningStatistics()
        with self.assertRaisesRegex(ValueError, r"at least 1 samples.*0 samples"):
            _ = statistics.mean
        statistics.update(np.ones((1, 3)))
        with self.assertRaisesRegex(ValueError, r"covariance needs at least 2.*1 samples"):
            _ = statistics.covariance
        with self.assertRaisesRegex(ValueError, r"3 features.*features.shape=\(2, 4\)"):
            statistics.update(np.ones((2, 4)))
        with self.assertRaisesRegex(ValueError, r"rank 2.*features.shape=\(3,\)"):
            statistics.update(np.ones(3))
