"""Tests of the example scripts, each run as a user would run it."""

import os
import subprocess
import sys

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def run_example(script, *flags):
    """Runs `examples/<script>` with `flags` in a fresh Python; returns the process."""
    command = [sys.executable, os.path.join(EXAMPLES, script), *flags]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
