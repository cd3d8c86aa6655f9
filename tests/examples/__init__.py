"""Tests of the example scripts, each run as a user would run it."""

import os
import subprocess
import sys

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def example_command(script, *flags):
    """The command line that runs `examples/<script>` with `flags`."""
    return [sys.executable, os.path.join(EXAMPLES, script), *flags]


def example_env():
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")


def run_example(script, *flags):
    """Runs `examples/<script>` with `flags` in a fresh Python; returns the process."""
    return subprocess.run(
        example_command(script, *flags),
        env=example_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )


def start_example(script, *flags, stdout=subprocess.DEVNULL):
    """Starts `examples/<script>` with `flags` without waiting; returns the `Popen`."""
    return subprocess.Popen(
        example_command(script, *flags),
        env=example_env(),
        stdout=stdout,
        stderr=subprocess.DEVNULL,
    )
