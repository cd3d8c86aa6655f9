"""TensorFlow and the library imported late and quietly.

Late, so that `--help` and bad arguments answer at once.

TensorFlow prints start-up messages from its C++ libraries as it loads (the
CPU features it was built for, missing CUDA drivers, oneDNN notes). Unless the
user asks for them with `--verbose`, `quiet_startup` sets
`TF_CPP_MIN_LOG_LEVEL` before TensorFlow is imported, and `import_tensorflow`
sends the messages printed while it loads to a temporary file, shown only if
the import fails. Afterwards absl's and TensorFlow's Python loggers report
errors only.
"""

import contextlib
import os
import sys
import tempfile

# Errors only: 0 all messages, 1 no INFO, 2 no WARNING, 3 no ERROR either.
QUIET_LOG_LEVEL = "2"


def quiet_startup(verbose):
    """Sets TensorFlow's C++ log level before it is imported, unless `verbose`.

    A level the user set in the environment is kept.
    """
    if not verbose:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", QUIET_LOG_LEVEL)


@contextlib.contextmanager
def _stderr_to_file():
    """Sends what is written to file descriptor 2 (C++ included) to a temporary file.

    Yields the file; on an exception its content is written back to stderr.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield captured
        except BaseException:
            os.dup2(saved, 2)
            captured.seek(0)
            sys.stderr.write(captured.read().decode(errors="replace"))
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


_imported = False
# The library's subpackages: importing them registers the classes a .keras file names.
LIBRARY_MODULES = (
    "keras_gans.layers",
    "keras_gans.losses",
    "keras_gans.augmentation",
    "keras_gans.data",
    "keras_gans.architectures",
    "keras_gans.models",
    "keras_gans.export",
    "keras_gans.metrics",
    "keras_gans.callbacks",
    "keras_gans.presets",
    "keras_gans.applications",
)


def import_tensorflow(verbose=False):
    """Imports TensorFlow, Keras and keras_gans' modules, quietly unless `verbose`.

    Returns:
        The `tensorflow` module.
    """
    global _imported
    if not _imported:
        with contextlib.nullcontext() if verbose else _stderr_to_file():
            _import_all()
        _imported = True
    import tensorflow as tf

    if not verbose:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
        tf.get_logger().setLevel("ERROR")
    return tf


def _import_all():
    import importlib

    import keras  # noqa: F401
    import tensorflow as tf

    for name in LIBRARY_MODULES:
        importlib.import_module(name)
    # Devices are set up at the first use, with messages of their own (no CUDA driver).
    tf.config.list_logical_devices()
