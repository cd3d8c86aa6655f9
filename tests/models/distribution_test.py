import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

import numpy as np
import pytest
import tensorflow as tf

from tests.models.distributed_run import replica_order

pytestmark = pytest.mark.large  # every test starts TensorFlow processes

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def _start(out, *args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=os.path.abspath(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.models.distributed_run", out, *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process):
    _, stderr = process.communicate(timeout=300)
    if process.returncode != 0:
        raise AssertionError(stderr[-3000:])


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _load(path):
    with np.load(path) as f:
        weights = [f[f"w{i}"] for i in range(len(f.files) - 2)]
        return int(f["replicas"]), json.loads(str(f["history"])), weights


class DistributionTest(tf.test.TestCase):
    """N replicas with a global batch B take the step one device takes with B."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.folder = tempfile.mkdtemp()
        outs = {d_steps: os.path.join(cls.folder, f"single_{d_steps}.npz") for d_steps in (1, 2)}
        runs = [_start(out, "single", str(d_steps)) for d_steps, out in outs.items()]
        for run in runs:
            _finish(run)
        cls.single, cls.single_d_steps = (_load(outs[d_steps]) for d_steps in (1, 2))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)
        super().tearDownClass()

    def _assert_same_training(self, result, single=None):
        replicas, history, weights = result
        self.assertEqual(replicas, 2)
        _, single_history, single_weights = single or self.single
        self.assertEqual(sorted(history), sorted(single_history))
        for key in history:
            self.assertAllClose(history[key], single_history[key], rtol=1e-5, atol=1e-6)
        for got, want in zip(weights, single_weights, strict=True):
            self.assertAllClose(got, want, rtol=1e-5, atol=1e-6)

    def test_mirrored_strategy_on_two_devices(self):
        out = os.path.join(self.get_temp_dir(), "mirrored.npz")
        _finish(_start(out, "mirrored"))
        self._assert_same_training(_load(out))

    def test_mirrored_strategy_with_d_steps(self):
        # Each replica splits its 4 samples into 2 slices: update i trains on
        # slice i of both replicas, as one device does on the batch reordered.
        self.assertEqual(replica_order(8, 2, 2), [0, 1, 4, 5, 2, 3, 6, 7])
        out = os.path.join(self.get_temp_dir(), "mirrored_d_steps.npz")
        _finish(_start(out, "mirrored", "2"))
        result = _load(out)
        self._assert_same_training(result, self.single_d_steps)
        self.assertIn("gradient_penalty", result[1])
        # Another schedule, another result: the comparison is not vacuous.
        _, single_history, _ = self.single
        self.assertNotAllClose(result[1]["d_loss"], single_history["d_loss"])

    def test_multi_worker_on_localhost(self):
        ports = ",".join(map(str, _free_ports(2)))
        outs = [os.path.join(self.get_temp_dir(), f"worker{i}.npz") for i in range(2)]
        workers = [_start(outs[i], "worker", str(i), ports) for i in range(2)]
        for worker in workers:
            _finish(worker)
        first, second = (_load(out) for out in outs)
        for a, b in zip(first[2], second[2], strict=True):
            self.assertAllEqual(a, b)  # the workers agree
        self._assert_same_training(first)
