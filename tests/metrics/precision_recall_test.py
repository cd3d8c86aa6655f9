import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import metrics


def _reference(real, fake, k):
    """Brute force: every pairwise distance at once."""

    def distances(a, b):
        return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))

    real_radii = np.sort(distances(real, real), axis=1)[:, k]
    fake_radii = np.sort(distances(fake, fake), axis=1)[:, k]
    precision = (distances(fake, real) <= real_radii[None, :]).any(axis=1).mean()
    recall = (distances(real, fake) <= fake_radii[None, :]).any(axis=1).mean()
    return precision, recall, real_radii


def _clusters(rng, centres, per_cluster):
    return np.concatenate([c + 0.1 * rng.normal(size=(per_cluster, len(c))) for c in centres])


class PrecisionRecallTest(tf.test.TestCase, parameterized.TestCase):
    def test_identical_sets(self):
        points = np.random.default_rng(0).normal(size=(60, 5))
        self.assertEqual(metrics.precision_recall_from_activations(points, points), (1.0, 1.0))

    def test_far_apart_sets(self):
        rng = np.random.default_rng(1)
        real, fake = rng.normal(size=(40, 4)), rng.normal(size=(40, 4)) + 100.0
        self.assertEqual(metrics.precision_recall_from_activations(real, fake), (0.0, 0.0))

    def test_generated_set_covering_half_the_clusters(self):
        rng = np.random.default_rng(2)
        centres = 50.0 * np.eye(4)
        real = _clusters(rng, centres, 25)
        fake = real[:50]  # the first two clusters only: realistic, half as diverse
        self.assertEqual(metrics.precision_recall_from_activations(real, fake), (1.0, 0.5))

    def test_by_hand_with_boundary(self):
        # k = 1. Real radii are all 1; fake radii are all 0.5.
        real = np.array([[0.0], [1.0], [2.0], [3.0]])
        fake = np.array([[0.5], [1.0], [10.0], [10.5]])
        self.assertAllClose(metrics.manifold_radii(real, num_neighbors=1), [1.0] * 4)
        self.assertAllClose(metrics.manifold_radii(fake, num_neighbors=1), [0.5] * 4)
        # Precision: 0.5 and 1.0 lie in the real balls, 10 and 10.5 do not.
        # Recall: 0 lies on the boundary of the ball of 0.5 (inside), 1 is a
        # fake point, 2 and 3 are farther than 0.5 from every fake point.
        self.assertEqual(
            metrics.precision_recall_from_activations(real, fake, num_neighbors=1), (0.5, 0.5)
        )

    @parameterized.parameters((1, 3), (3, 3), (7, 1), (1024, 5))
    def test_batches_match_brute_force(self, batch_size, k):
        rng = np.random.default_rng(3)
        real = rng.normal(size=(30, 3))
        fake = 1.3 * rng.normal(size=(25, 3)) + 0.4
        precision, recall, real_radii = _reference(real, fake, k)
        self.assertAllClose(
            metrics.manifold_radii(real, num_neighbors=k, batch_size=batch_size), real_radii
        )
        self.assertEqual(
            metrics.precision_recall_from_activations(
                real, fake, num_neighbors=k, batch_size=batch_size
            ),
            (precision, recall),
        )
        self.assertGreater(precision, 0.0)
        self.assertLess(precision, 1.0)

    def test_bad_inputs(self):
        x = np.zeros((5, 3))
        cases = [
            (dict(num_neighbors=0), "num_neighbors=0"),
            (dict(batch_size=0), "batch_size=0"),
            (dict(num_neighbors=5), r"at least 6 samples.*\(5, 3\)"),
            (dict(fake_activations=np.zeros((5, 2))), r"same feature dimension.*\(5, 2\)"),
        ]
        for kwargs, message in cases:
            arguments = dict(real_activations=x, fake_activations=x)
            arguments.update(kwargs)
            with self.assertRaisesRegex(ValueError, message):
                metrics.precision_recall_from_activations(**arguments)
