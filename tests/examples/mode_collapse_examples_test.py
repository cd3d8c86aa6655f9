"""The mode-collapse lab's examples, shortened, as a user runs them."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf
from matplotlib import image as mpimg

from tests.examples import run_example

pytestmark = pytest.mark.large


class ModeCollapseExamplesTest(tf.test.TestCase):
    def test_optimal_discriminator_matches_d_star(self):
        tmp = self.get_temp_dir()
        figure, report = os.path.join(tmp, "d.png"), os.path.join(tmp, "d.json")
        result = run_example(
            "optimal_discriminator.py", "--steps=600", f"--figure={figure}", f"--report={report}"
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertEqual(mpimg.imread(figure).ndim, 3)
        with open(report) as f:
            values = json.load(f)
        collapsed = values["collapsed"]
        # Where p_g = N(2, 1) covers one of the two modes, D* = 1/3 at x = 2.
        self.assertAllClose(collapsed["d_star_at_generator_mode"], 1.0 / 3.0, atol=1e-4)
        self.assertAllClose(collapsed["d_at_generator_mode"], 1.0 / 3.0, atol=0.03)
        self.assertGreater(collapsed["d_at_missed_mode"], 0.95)
        self.assertLess(collapsed["mean_abs_error"], 0.03)
        # With p_g = p_data the discriminator cannot do better than 1/2.
        self.assertLess(values["matched"]["max_abs_deviation_from_half"], 0.05)

    def test_wasserstein_critic_keeps_its_gradient_where_the_gan_loses_it(self):
        tmp = self.get_temp_dir()
        figure, report = os.path.join(tmp, "w.png"), os.path.join(tmp, "w.json")
        result = run_example(
            "wasserstein_gradients.py", "--steps=400", f"--figure={figure}", f"--report={report}"
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertEqual(mpimg.imread(figure).ndim, 3)
        with open(report) as f:
            at_fake = json.load(f)["at_generated_samples"]
        self.assertLess(at_fake["mean_d"], 0.01)  # the discriminator separates them
        self.assertLess(at_fake["mean_abs_grad_minimax_loss"], 0.01)
        self.assertGreater(at_fake["mean_abs_grad_critic"], 0.5)
        self.assertGreater(
            at_fake["mean_abs_grad_critic"], 100 * at_fake["mean_abs_grad_minimax_loss"]
        )

    def test_mode_collapse_table_and_figure(self):
        out = os.path.join(self.get_temp_dir(), "lab")
        small = [f"--set={recipe}.epoch_examples=1000" for recipe in ("gan", "pacgan", "vae")]
        result = run_example(
            "mode_collapse.py", "--recipes=gan,pacgan,vae", "--targets=ring_2d", "--trials=1",
            "--epochs=1", "--snapshot_epochs=1", "--num_samples=200", f"--output_dir={out}",
            *small,
        )  # fmt: skip
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertEqual(mpimg.imread(os.path.join(out, "mode_collapse_ring_2d.png")).ndim, 3)
        with open(os.path.join(out, "trials.jsonl")) as f:
            trials = [json.loads(line) for line in f]
        self.assertEqual(sorted(t["recipe"] for t in trials), ["gan", "pacgan", "vae"])
        for trial in trials:
            self.assertEqual(trial["target"], "ring_2d")
            self.assertTrue(0 <= trial["modes"] <= 8, trial)
            self.assertTrue(0.0 <= trial["hq_share"] <= 1.0, trial)
        table = open(os.path.join(out, "table.md")).read()
        self.assertEqual(table.count("| ring_2d |"), 3)

    def test_bad_setting_is_a_usage_error(self):
        result = run_example("mode_collapse.py", "--set=gan.nonsense", "--trials=1")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("recipe.name=value", result.stderr)
        self.assertFalse(np.any(["Traceback" in line for line in result.stderr.splitlines()]))
