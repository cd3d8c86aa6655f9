import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans
from tests.examples import run_example

NUM_SAMPLES = 500


def _patterns():
    """Ten "digits": class k is a white 7 x 7 block at its own place of a 4 x 3 grid."""
    patterns = np.zeros((10, 28, 28), np.uint8)
    for k in range(10):
        row, column = divmod(k, 4)
        patterns[k, 7 * row + 1 : 7 * row + 8, 7 * column : 7 * column + 7] = 255
    return patterns


def _fake_mnist(n, rng):
    """n digits, as many of each class, on a noisy background (uint8, as MNIST)."""
    labels = np.arange(n) % 10
    rng.shuffle(labels)
    noise = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
    return np.maximum(_patterns()[labels], noise), labels.astype(np.uint8)


def _pattern_generator(table):
    """A generator drawing pattern `table[argmax(z)]` for a latent z of size 10, in [-1, 1]."""
    latent = keras.Input((10,), name="latent")
    choice = keras.layers.Lambda(lambda z: keras.ops.one_hot(keras.ops.argmax(z, axis=-1), 10))
    dense = keras.layers.Dense(28 * 28, use_bias=False)
    images = keras.layers.Reshape((28, 28, 1))(dense(choice(latent)))
    generator = keras.Model(latent, images)
    dense.set_weights([table.reshape(10, -1).astype("float32") / 127.5 - 1.0])
    return generator


def _conditional_pattern_generator(table):
    """A conditional generator drawing pattern `table[label]`, whatever the latent."""
    latent = keras.Input((10,), name="latent")
    label = keras.Input((), dtype="int32", name="label")
    dense = keras.layers.Dense(28 * 28, use_bias=False)
    chosen = keras.layers.Lambda(lambda y: keras.ops.one_hot(y, 10))(label)
    shift = keras.layers.Lambda(lambda z: 0.0 * z[:, :1])(latent)
    images = keras.layers.Reshape((28, 28, 1))(keras.layers.Add()([dense(chosen), shift]))
    generator = keras.Model({"latent": latent, "label": label}, images)
    dense.set_weights([table.reshape(10, -1).astype("float32") / 127.5 - 1.0])
    generator.num_classes = 10
    return generator


def _expected_shares(seed=0):
    # The script draws standard normal latents from NumPy's default_rng(seed).
    latents = np.random.default_rng(seed).standard_normal((NUM_SAMPLES, 10))
    counts = np.bincount(latents.argmax(axis=1), minlength=10)
    return [round(c / NUM_SAMPLES, 4) for c in counts]


@pytest.mark.large
class CheckMNISTGeneratorTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        tmp = self.get_temp_dir()
        rng = np.random.default_rng(0)
        (x_train, y_train), (x_test, y_test) = _fake_mnist(3000, rng), _fake_mnist(200, rng)
        self.data = os.path.join(tmp, "fake_mnist.npz")
        np.savez(self.data, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
        self.test_shares = (np.bincount(y_test, minlength=10) / len(y_test)).tolist()
        self.even = keras_gans.export_generator(
            _pattern_generator(_patterns()), os.path.join(tmp, "even"), overwrite=True
        )
        self.only_threes = keras_gans.export_generator(
            _pattern_generator(_patterns()[[3] * 10]), os.path.join(tmp, "threes"), overwrite=True
        )

    def _check(self, generator, *flags):
        report_path = os.path.join(self.get_temp_dir(), "report.json")
        result = run_example(
            "check_mnist_generator.py",
            f"--generator={generator}",
            f"--data={self.data}",
            f"--num_samples={NUM_SAMPLES}",
            f"--report={report_path}",
            # The ten patterns drawn from 500 normal latents: shares of 8% to 12%,
            # and no noise, unlike the test digits.
            "--min_class_share=0.05",
            "--max_class_share=0.15",
            "--max_fd_ratio=1000",
            *flags,
        )
        with open(report_path) as f:
            report = json.load(f)
        # The report printed is the report written, followed by the verdict.
        printed = result.stdout[result.stdout.index("{") : result.stdout.rindex("}") + 1]
        self.assertEqual(json.loads(printed), report)
        return result, report

    def _assert_classifier(self, report):
        self.assertEqual(
            sorted(report),
            [
                "classifier_test_accuracy",
                "frechet_distance",
                "generated",
                "mnist_test_digits",
                "num_samples",
            ],
        )
        distances = report["frechet_distance"]
        self.assertGreater(distances["train_vs_test"], 0)
        self.assertAllClose(
            distances["ratio"],
            distances["generated_vs_test"] / distances["train_vs_test"],
            rtol=1e-3,  # both distances are rounded to 3 decimals
        )
        self.assertEqual(report["num_samples"], NUM_SAMPLES)
        # The classifier learned the ten patterns: every test digit right, confidently.
        self.assertEqual(report["classifier_test_accuracy"], 1.0)
        real = report["mnist_test_digits"]
        self.assertAllClose(real["class_shares"], self.test_shares, atol=0)
        self.assertGreaterEqual(real["confident_share"], 0.99)
        # A share s of maxima >= 0.9 makes their mean at least 0.9 s.
        self.assertGreaterEqual(real["mean_max_probability"], 0.9 * real["confident_share"])
        self.assertLessEqual(real["mean_max_probability"], 1.0)

    def test_even_generator_passes(self):
        result, report = self._check(self.even)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertEqual(result.stdout.strip().splitlines()[-1], "PASS")
        self._assert_classifier(report)
        generated = report["generated"]
        self.assertEqual(generated["class_shares"], _expected_shares())
        self.assertGreaterEqual(generated["confident_share"], 0.99)
        self.assertGreaterEqual(generated["mean_max_probability"], 0.9 * 0.99)
        # The same samples fail a tighter bound on the largest share.
        largest = max(_expected_shares())
        result, _ = self._check(self.even, f"--max_class_share={largest - 0.01}")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stdout.strip().splitlines()[-1], "FAIL")
        # And a bound on the distance below theirs.
        ratio = report["frechet_distance"]["ratio"]
        result, _ = self._check(self.even, f"--max_fd_ratio={ratio / 2}")
        self.assertEqual(result.returncode, 1)

    def test_collapsed_generator_fails(self):
        result, report = self._check(self.only_threes)
        self.assertEqual(result.returncode, 1, result.stderr[-3000:])
        self.assertEqual(result.stdout.strip().splitlines()[-1], "FAIL")
        self._assert_classifier(report)
        self.assertEqual(report["generated"]["class_shares"], [0, 0, 0, 1.0, 0, 0, 0, 0, 0, 0])
        self.assertGreaterEqual(report["generated"]["confident_share"], 0.99)

    def test_conditional_generator_is_checked_class_by_class(self):
        tmp = self.get_temp_dir()
        right = keras_gans.export_generator(
            _conditional_pattern_generator(_patterns()), os.path.join(tmp, "right"), overwrite=True
        )
        result, report = self._check(right)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertEqual(report["conditional"]["class_accuracy"], [1.0] * 10)
        self.assertEqual(report["generated"]["class_shares"], [0.1] * 10)
        # Drawing digit k + 1 when asked for k: every share even, every class wrong.
        shifted = _patterns()[(np.arange(10) + 1) % 10]
        wrong = keras_gans.export_generator(
            _conditional_pattern_generator(shifted), os.path.join(tmp, "wrong"), overwrite=True
        )
        result, report = self._check(wrong)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(report["conditional"]["class_accuracy"], [0.0] * 10)
        self.assertEqual(report["generated"]["class_shares"], [0.1] * 10)

    def test_repeated_checks_report_every_run_and_the_spread(self):
        result, report = self._check(self.even, "--seed=3", "--repeats=2")
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertEqual(result.stdout.strip().splitlines()[-1], "PASS")
        self.assertEqual(report["seeds"], [3, 4])
        self.assertEqual(report["passed"], [True, True])
        first, second = report["runs"]
        self._assert_classifier(first)
        self._assert_classifier(second)
        # Each run draws its latent vectors from its own seed.
        self.assertEqual(first["generated"]["class_shares"], _expected_shares(3))
        self.assertEqual(second["generated"]["class_shares"], _expected_shares(4))
        summary = report["summary"]
        shares = np.array([_expected_shares(3), _expected_shares(4)])
        self.assertEqual(summary["num_passed"], 2)
        self.assertAllClose(summary["class_shares_mean"], shares.mean(axis=0), atol=1e-4)
        self.assertAllClose(summary["class_shares_min"], shares.min(axis=0), atol=0)
        self.assertAllClose(summary["class_shares_max"], shares.max(axis=0), atol=0)
        self.assertEqual(
            summary["frechet_ratio"],
            [first["frechet_distance"]["ratio"], second["frechet_distance"]["ratio"]],
        )
        # One failing run fails the whole check: a share bound that seed 3's
        # samples meet and seed 4's do not.
        top3, top4 = max(_expected_shares(3)), max(_expected_shares(4))
        self.assertNotEqual(top3, top4)
        result, report = self._check(
            self.even, "--seed=3", "--repeats=2", f"--max_class_share={min(top3, top4)}"
        )
        self.assertEqual(result.returncode, 1)
        self.assertEqual(report["passed"], [top3 <= top4, top4 <= top3])
        self.assertEqual(report["summary"]["num_passed"], 1)

    def test_repeats_below_one_are_refused(self):
        result = run_example("check_mnist_generator.py", "--repeats=0", f"--data={self.data}")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--repeats must be at least 1", result.stderr)
