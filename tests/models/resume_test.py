import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

pytestmark = pytest.mark.large  # every test starts TensorFlow processes

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def _run(*args):
    """Runs tests/models/resume_run.py with `args`; see its docstring."""
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
        weights = [f[f"w{i}"] for i in range(len(f.files) - 3)]
        return list(f["epochs"]), int(f["steps"]), f["seen"], weights


class ResumeTest(tf.test.TestCase):
    _straight_runs = {}  # uninterrupted results by data kind, shared by the tests

    def _straight(self, data):
        if data in self._straight_runs:
            return self._straight_runs[data]
        tmp = self.get_temp_dir()
        out = os.path.join(tmp, f"straight_{data}.npz")
        run = _run(os.path.join(tmp, f"backup_straight_{data}"), out, data, "epoch")
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        self._straight_runs[data] = _load(out)
        return self._straight_runs[data]

    def _killed(self, backup, data, save_freq, kill_step):
        never = os.path.join(self.get_temp_dir(), "never.npz")
        killed = _run(backup, never, data, str(save_freq), str(kill_step))
        self.assertEqual(killed.returncode, 17, killed.stderr[-2000:])  # died mid-epoch
        self.assertFalse(os.path.exists(never))

    def _resumed(self, backup, data, save_freq):
        out = os.path.join(self.get_temp_dir(), "resumed.npz")
        resumed = _run(backup, out, data, str(save_freq))
        self.assertEqual(resumed.returncode, 0, resumed.stderr[-2000:])
        self.assertNotIn("ran out of data", resumed.stderr)
        return _load(out)

    def _assert_same_end(self, resumed, straight, epochs):
        got_epochs, steps, seen, weights = resumed
        want_epochs, want_steps, want_seen, want_weights = straight
        self.assertEqual(got_epochs, epochs)
        self.assertEqual(want_epochs, [0, 1, 2, 3])
        self.assertEqual(steps, want_steps)
        self.assertEqual(steps, 16)  # 4 epochs of 4 batches
        # The resumed run trained on the last batches of the straight run.
        self.assertAllEqual(seen, want_seen[len(want_seen) - len(seen) :])
        for got, want in zip(weights, want_weights, strict=True):
            self.assertAllClose(got, want, rtol=0, atol=0)

    def test_killed_run_resumes_to_the_uninterrupted_result(self):
        # Arrays given to fit, which shuffles them by the model's seed.
        straight = self._straight("arrays")
        seen = straight[2]
        for epoch in range(4):
            self.assertAllEqual(np.sort(seen[4 * epoch : 4 * epoch + 4].ravel()), np.arange(16))
        self.assertNotAllEqual(seen[:4], seen[4:8])
        backup = os.path.join(self.get_temp_dir(), "backup_arrays")
        self._killed(backup, "arrays", 3, 9)  # backup at step 9: epoch 2, 1 batch done
        resumed = self._resumed(backup, "arrays", 3)
        self.assertLen(resumed[2], 7)
        self._assert_same_end(resumed, straight, epochs=[2, 3])

    def test_shuffled_dataset_resumes_in_the_same_order(self):
        # keras_gans datasets order each epoch by seed and step count, so the
        # restarted process replays the order the killed one would have had.
        straight = self._straight("shuffled")
        seen = straight[2]
        for epoch in range(4):  # each epoch is a permutation, a new one each time
            self.assertAllEqual(np.sort(seen[4 * epoch : 4 * epoch + 4].ravel()), np.arange(16))
        self.assertNotAllEqual(seen[:4], seen[4:8])
        backup = os.path.join(self.get_temp_dir(), "backup_shuffled")
        self._killed(backup, "shuffled", "epoch", 10)
        resumed = self._resumed(backup, "shuffled", "epoch")
        self.assertLen(resumed[2], 8)  # epochs 2 and 3 again
        self._assert_same_end(resumed, straight, epochs=[2, 3])

    def test_backups_within_epochs_resume_at_the_step(self):
        # Backups every 2 batches: killed after step 11 (backup at step 10, two
        # batches into epoch 2), the restart trains the last two batches of
        # epoch 2 only. It is killed again after step 13 (backup at step 12,
        # written before Keras' callback knew the epoch, so its metadata names
        # epoch 0); the step count still says the run stopped at the end of
        # epoch 2.
        backup = os.path.join(self.get_temp_dir(), "backup_batches")
        self._killed(backup, "shuffled", 2, 11)
        self._killed(backup, "shuffled", 2, 13)
        resumed = self._resumed(backup, "shuffled", 2)
        self.assertLen(resumed[2], 4)  # epoch 3 only
        self._assert_same_end(resumed, self._straight("shuffled"), epochs=[3])

    def test_restart_within_an_epoch_trains_only_its_rest(self):
        backup = os.path.join(self.get_temp_dir(), "backup_rest")
        self._killed(backup, "shuffled", 3, 11)  # backup at step 9: epoch 2, 1 batch done
        resumed = self._resumed(backup, "shuffled", 3)
        self.assertLen(resumed[2], 7)  # 3 batches of epoch 2, then epoch 3
        self._assert_same_end(resumed, self._straight("shuffled"), epochs=[2, 3])
