"""The mode-collapse lab's examples, shortened, as a user runs them."""

import importlib.util
import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from matplotlib import image as mpimg

import keras_gans  # noqa: F401  (registers the saved model's classes)
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
        small.append("--set=pacgan.rejection_quantile=0.5")

        def run_lab(*flags):
            return run_example(
                "mode_collapse.py", "--recipes=gan,pacgan,vae", "--targets=ring_2d",
                "--trials=1", "--epochs=1", "--snapshot_epochs=1", "--num_samples=200",
                f"--output_dir={out}", *flags,
            )  # fmt: skip

        result = run_lab("--save_models", *small)
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
        snapshots = sorted(os.listdir(os.path.join(out, "snapshots")))
        self.assertLen(snapshots, 3)
        models = sorted(os.listdir(os.path.join(out, "models")))
        self.assertLen(models, 3)
        self.assertTrue(all(m.endswith(".keras") for m in models), models)
        # The figure's last column: the samples rejection sampling kept, for PacGAN only.
        for name in snapshots:
            with np.load(os.path.join(out, "snapshots", name)) as stored:
                expected = ["epoch_1", "kept"] if "_pacgan_" in name else ["epoch_1"]
                self.assertEqual(sorted(stored.files), expected)
                if "_pacgan_" in name:
                    self.assertEqual(stored["kept"].shape, (200, 2))
                # The saved model of the trial draws its scored samples again
                # (those of the last epoch, from the scored samples' latents).
                model_name = name.rsplit("_", 1)[0] + "_"
                (model_file,) = [m for m in models if m.startswith(model_name)]
                model = keras.models.load_model(os.path.join(out, "models", model_file))
                self.assertAllClose(model.generate(200, seed=1), stored["epoch_1"], atol=1e-6)

        # Run again: every trial is done and the first trials' snapshots are kept,
        # so nothing trains and the figure is drawn again from them.
        os.remove(os.path.join(out, "mode_collapse_ring_2d.png"))
        again = run_lab(*small)
        self.assertEqual(again.returncode, 0, again.stderr[-3000:])
        self.assertNotIn("high quality, reverse KL", again.stdout)
        self.assertEqual(mpimg.imread(os.path.join(out, "mode_collapse_ring_2d.png")).ndim, 3)
        with open(os.path.join(out, "trials.jsonl")) as f:
            self.assertLen(f.readlines(), 3)
        self.assertEqual(open(os.path.join(out, "table.md")).read(), table)

        # Only PacGAN's scoring changes: its saved model is scored again, not trained.
        rescored = [a for a in small if "rejection_quantile" not in a]
        rescored += [
            "--set=pacgan.rejection_quantile=0.8",
            "--set=pacgan.rejection_packmates=random",
        ]
        third = run_lab("--save_models", *rescored)
        self.assertEqual(third.returncode, 0, third.stderr[-3000:])
        (pacgan_model,) = [m for m in models if "_pacgan_" in m]
        self.assertIn(f"ring_2d pacgan seed 0: scoring {os.path.join(out, 'models', pacgan_model)}",
                      third.stdout)  # fmt: skip
        self.assertEqual(third.stdout.count("high quality, reverse KL"), 1)
        self.assertEqual(sorted(os.listdir(os.path.join(out, "models"))), models)
        with open(os.path.join(out, "trials.jsonl")) as f:
            trials = [json.loads(line) for line in f]
        self.assertLen(trials, 4)
        first, again = [t for t in trials if t["recipe"] == "pacgan"]
        self.assertEqual(again["scored_from"], pacgan_model)
        self.assertEqual(again["settings"]["rejection_quantile"], 0.8)
        self.assertEqual(again["settings"]["rejection_packmates"], "random")
        for key in ("train_seconds", "epochs_trained", "final_logs", "generator_scores"):
            self.assertEqual(again[key], first[key], key)
        self.assertLess(again["acceptance_rate"], first["acceptance_rate"])
        # The figure's snapshots come from the training; the kept samples are new.
        snapshots_now = sorted(os.listdir(os.path.join(out, "snapshots")))
        (new_name,) = sorted(set(snapshots_now) - set(snapshots))
        (old_name,) = [n for n in snapshots if "_pacgan_" in n]
        with (
            np.load(os.path.join(out, "snapshots", new_name)) as new,
            np.load(os.path.join(out, "snapshots", old_name)) as old,
        ):
            self.assertAllEqual(new["epoch_1"], old["epoch_1"])
            self.assertNotAllClose(new["kept"], old["kept"])

    def test_table_shows_small_shares_kept(self):
        # A strict quantile keeps a fraction of a per cent of the draws: the table
        # shows the mean share to two significant digits, not rounded to 0%.
        script = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "mode_collapse.py")
        spec = importlib.util.spec_from_file_location("mode_collapse_example", script)
        example = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(example)

        def trial(seed, acceptance_rate):
            return {
                "target": "ring_2d", "recipe": "pacgan", "seed": seed, "epochs": 40,
                "modes": 8, "num_modes": 8, "hq_share": 0.95, "reverse_kl": 0.05,
                "train_seconds": 10.0, "settings": {}, "acceptance_rate": acceptance_rate,
                "generator_scores": {"modes": 8, "hq_share": 0.7, "reverse_kl": 0.1},
            }  # fmt: skip

        strict = example.markdown(example.summarise([trial(0, 0.0027), trial(1, 0.0015)]))
        self.assertIn("| 70.0% ± 0.0 (0.21% kept) |", strict)
        loose = example.markdown(example.summarise([trial(0, 0.112), trial(1, 0.126)]))
        self.assertIn("(12% kept)", loose)

    def test_bad_setting_is_a_usage_error(self):
        result = run_example("mode_collapse.py", "--set=gan.nonsense", "--trials=1")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("recipe.name=value", result.stderr)
        self.assertFalse(np.any(["Traceback" in line for line in result.stderr.splitlines()]))


class StackedMNISTExampleTest(tf.test.TestCase):
    def test_plain_and_packed_dcgan_scored_and_resumed(self):
        out = os.path.join(self.get_temp_dir(), "stacked")
        flags = (
            "--packings=1,2", "--num_train=128", "--batch_size=32", "--num_samples=300",
            "--classifier_epochs=1", "--base_filters=8", f"--output_dir={out}",
        )  # fmt: skip
        result = run_example("stacked_mnist.py", *flags)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        with open(os.path.join(out, "results.jsonl")) as f:
            results = [json.loads(line) for line in f]
        self.assertEqual([r["packing"] for r in results], [1, 2])
        for r in results:
            self.assertTrue(1 <= r["modes"] <= 300, r)
            self.assertTrue(0.0 <= r["reverse_kl"] <= np.log(1000) + 1e-6, r)
            self.assertEqual(r["settings"]["num_train"], 128)
            self.assertEqual(r["seed"], 0)
            self.assertNotIn("generator_scores", r)
        # The packed discriminator judges pairs: 2 * 32 stacked images per step.
        packed = keras.models.load_model(
            os.path.join(out, "packing_2", "seed_0", "stacked_mnist.keras")
        )
        self.assertEqual(packed.discriminator.input_shape[-1], 3)
        self.assertEqual(packed.discriminator.get_layer("pack").packing, 2)
        image = mpimg.imread(os.path.join(out, "stacked_mnist.png"))
        self.assertEqual(image.ndim, 3)
        table = open(os.path.join(out, "table.md")).read()
        # 300 uniform draws of 1,000 modes cover 1000 * (1 - exp(-0.3)) = 259 of them
        # on average (sd about 7): real images, read by the cached classifier.
        real_row = next(line for line in table.splitlines() if "real stacked images" in line)
        self.assertBetween(int(real_row.split("|")[3]), 225, 290)
        self.assertIn("| DCGAN |", table)
        self.assertIn("| PacDCGAN2 |", table)

        # Again with the same flags: both packings are done, nothing trains.
        again = run_example("stacked_mnist.py", *flags)
        self.assertEqual(again.returncode, 0, again.stderr[-3000:])
        self.assertNotIn("modes, KL", again.stdout)
        with open(os.path.join(out, "results.jsonl")) as f:
            self.assertLen(f.readlines(), 2)
        self.assertEqual(open(os.path.join(out, "table.md")).read(), table)
        # Asked for the plain DCGAN only: the table still shows every training of
        # the folder with these settings.
        plain = run_example("stacked_mnist.py", *flags, "--packings=1")
        self.assertEqual(plain.returncode, 0, plain.stderr[-3000:])
        self.assertNotIn("modes, KL", plain.stdout)
        self.assertEqual(open(os.path.join(out, "table.md")).read(), table)

        # Two seeds of the packed DCGAN with a moving average of the generator and
        # rejection sampling: new settings, so both train beside the earlier runs.
        more = (*flags, "--packings=2", "--trials=2", "--ema_momentum=0.9", "--epochs=2")
        more = (*more, "--score_every=1")
        result = run_example("stacked_mnist.py", *more, "--rejection_quantile=0.5")
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        with open(os.path.join(out, "results.jsonl")) as f:
            results = [json.loads(line) for line in f][2:]
        self.assertEqual([(r["packing"], r["seed"]) for r in results], [(2, 0), (2, 1)])
        for r in results:
            self.assertEqual(r["settings"]["ema_momentum"], 0.9)
            # The 0.5-quantile of the burn-in's acceptance logits keeps about half the draws.
            self.assertBetween(r["acceptance_rate"], 0.35, 0.65)
            self.assertTrue(1 <= r["generator_scores"]["modes"] <= 300, r)
            # Scored after each of the two epochs, with the averaged and the raw weights;
            # the last scoring is of the samples the generator alone is scored on.
            self.assertEqual([row["epoch"] for row in r["curve"]], [1, 2])
            self.assertEqual(r["curve"][-1]["modes"], r["generator_scores"]["modes"])
            self.assertEqual(r["curve"][-1]["reverse_kl"], r["generator_scores"]["reverse_kl"])
            self.assertIn("raw_weights", r["curve"][0])
        averaged = keras.models.load_model(
            os.path.join(out, "packing_2", "seed_1", "stacked_mnist.keras")
        )
        self.assertTrue(averaged.uses_ema)
        table = open(os.path.join(out, "table.md")).read()
        self.assertNotIn("| DCGAN |", table)  # trained with other settings
        mean_row = next(line for line in table.splitlines() if "mean ± s.e." in line)
        cells = [cell.strip() for cell in mean_row.split("|")]
        self.assertEqual(cells[1:3], ["PacDCGAN2, mean ± s.e.", "2 trials"])
        modes = [r["modes"] for r in results]
        error = abs(modes[0] - modes[1]) / 2  # the standard error of two values
        self.assertEqual(cells[3], f"{np.mean(modes):.1f} ± {error:.1f}")

    def test_bad_data_is_a_usage_error(self):
        out = os.path.join(self.get_temp_dir(), "bad")
        result = run_example("stacked_mnist.py", "--data=nothing.npz", f"--output_dir={out}")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--data takes 'mnist_sample'", result.stderr)
        self.assertNotIn("Traceback", result.stderr)
        result = run_example("stacked_mnist.py", "--packings=0")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--packings takes positive integers", result.stderr)
        result = run_example("stacked_mnist.py", "--rejection_quantile=1")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--rejection_quantile takes a number in [0, 1)", result.stderr)
