import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

import numpy as np
import tensorflow as tf

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
        single = os.path.join(cls.folder, "single.npz")
        _finish(_start(single, "single"))
        cls.single = _load(single)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)
        super().tearDownClass()

    def _assert_same_training(self, result):
        replicas, history, weights = result
        self.assertEqual(replicas, 2)
        _, single_history, single_weights = self.single
        self.assertEqual(sorted(history), sorted(single_history))
        for key in history:
            self.assertAllClose(history[key], single_history[key], rtol=1e-5, atol=1e-6)
        for got, want in zip(weights, single_weights, strict=True):
            self.assertAllClose(got, want, rtol=1e-5, atol=1e-6)

    def test_mirrored_strategy_on_two_devices(self):
        out = os.path.join(self.get_temp_dir(), "mirrored.npz")
        _finish(_start(out, "mirrored"))
        self._assert_same_training(_load(out))

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
