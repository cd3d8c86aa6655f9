import numpy as np
import tensorflow as tf

from keras_gans import metrics


class InceptionScoreTest(tf.test.TestCase):
    def test_uniform_predictions_score_one(self):
        mean, std = metrics.inception_score_from_probabilities(np.full((100, 10), 0.1))
        self.assertAllClose(mean, 1.0, rtol=1e-12)
        self.assertAllClose(std, 0.0, atol=1e-12)

    def test_confident_balanced_predictions_score_num_classes(self):
        one_hot = np.eye(10)[np.arange(1000) % 10]  # zeros everywhere else: no NaN
        mean, std = metrics.inception_score_from_probabilities(one_hot)
        self.assertAllClose(mean, 10.0, rtol=1e-12)
        self.assertAllClose(std, 0.0, atol=1e-12)

    def test_by_hand(self):
        probabilities = np.array([[1.0, 0.0], [0.5, 0.5]])
        # p(y) = [0.75, 0.25].
        kl = [np.log(1 / 0.75), 0.5 * np.log(0.5 / 0.75) + 0.5 * np.log(0.5 / 0.25)]
        mean, std = metrics.inception_score_from_probabilities(probabilities, num_splits=1)
        self.assertAllClose(mean, np.exp(np.mean(kl)), rtol=1e-12)
        self.assertEqual(std, 0.0)

    def test_splits(self):
        # First split uniform (score 1), second confident and balanced (score 4).
        probabilities = np.concatenate([np.full((8, 4), 0.25), np.eye(4)[np.arange(8) % 4]])
        mean, std = metrics.inception_score_from_probabilities(probabilities, num_splits=2)
        self.assertAllClose(mean, 2.5, rtol=1e-12)
        self.assertAllClose(std, 1.5, rtol=1e-12)

    def test_float32_softmax_rows_accepted(self):
        logits = np.random.default_rng(0).normal(size=(50, 1000)).astype("float32")
        probabilities = tf.nn.softmax(logits).numpy()
        self.assertEqual(probabilities.dtype, np.float32)
        mean, std = metrics.inception_score_from_probabilities(probabilities, num_splits=5)
        # The float64 computation of the same rows: exp(mean KL(p(y|x) || p(y))) per split.
        scores = []
        for split in np.split(probabilities.astype("float64"), 5):
            marginal = split.mean(axis=0)
            kl = np.sum(split * (np.log(split) - np.log(marginal)), axis=1)
            scores.append(np.exp(kl.mean()))
        self.assertAllClose(mean, np.mean(scores), rtol=1e-6)
        self.assertAllClose(std, np.std(scores), rtol=1e-5)
        self.assertGreater(mean, 1.0)

    def test_bad_inputs(self):
        cases = [
            (
                np.full((4, 2), 0.5),
                dict(num_splits=5),
                "at most the number of samples.*num_splits=5",
            ),
            (np.full((4, 2), 0.5), dict(num_splits=0), "num_splits=0"),
            (np.array([[1.5, -0.5]]), dict(num_splits=1), r"non-negative.*-0.5"),
            (np.array([[0.2, 0.2]]), dict(num_splits=1), "row 0 sums to 0.4"),
            (np.full(4, 0.25), dict(num_splits=1), r"rank 2.*\(4,\)"),
        ]
        for probabilities, kwargs, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                metrics.inception_score_from_probabilities(probabilities, **kwargs)
