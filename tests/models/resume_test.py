import os
import subprocess
import sys

import numpy as np
import tensorflow as tf

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _run(*args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=ROOT)
    return subprocess.run(
        [sys.executable, "-m", "tests.models.resume_run", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _load(path):
    with np.load(path) as f:
        weights = [f[f"w{i}"] for i in range(len(f.files) - 2)]
        return list(f["epochs"]), int(f["steps"]), weights


class ResumeTest(tf.test.TestCase):
    def test_killed_run_resumes_to_the_uninterrupted_result(self):
        tmp = self.get_temp_dir()
        straight = _run(os.path.join(tmp, "backup_a"), os.path.join(tmp, "straight.npz"))
        self.assertEqual(straight.returncode, 0, straight.stderr[-2000:])

        backup = os.path.join(tmp, "backup_b")
        killed = _run(backup, os.path.join(tmp, "never.npz"), "2")
        self.assertEqual(killed.returncode, 17, killed.stderr[-2000:])  # died mid-epoch
        self.assertFalse(os.path.exists(os.path.join(tmp, "never.npz")))
        resumed = _run(backup, os.path.join(tmp, "resumed.npz"))
        self.assertEqual(resumed.returncode, 0, resumed.stderr[-2000:])

        epochs, steps, weights = _load(os.path.join(tmp, "resumed.npz"))
        straight_epochs, straight_steps, straight_weights = _load(os.path.join(tmp, "straight.npz"))
        self.assertEqual(epochs, [2, 3])  # resumed at the epoch that was killed
        self.assertEqual(straight_epochs, [0, 1, 2, 3])
        self.assertEqual(steps, straight_steps)
        for got, want in zip(weights, straight_weights, strict=True):
            self.assertAllClose(got, want, rtol=0, atol=0)
