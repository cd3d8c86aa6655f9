"""keras_gans: generative adversarial networks for TensorFlow and Keras 3."""

import importlib as _importlib
import os as _os
import sys as _sys

__version__ = "0.2.0"

__all__ = [
    "AdversarialModel",
    "applications",
    "architectures",
    "augmentation",
    "callbacks",
    "data",
    "export_generator",
    "layers",
    "losses",
    "metrics",
    "models",
    "presets",
]

# Where each public name lives, for the lazy form below.
_HOMES = {"AdversarialModel": "keras_gans.models", "export_generator": "keras_gans.export"}


def _started_as_command_line():
    """Whether this process is the `keras-gans` program (or `python -m keras_gans`)."""
    program = _os.path.basename(_sys.argv[0]) if _sys.argv else ""
    if program.split(".")[0] in ("keras-gans", "keras-gans-script"):
        return True
    argv = list(getattr(_sys, "orig_argv", ()))
    return any(a == "-m" and b == "keras_gans" for a, b in zip(argv, argv[1:], strict=False))


if _started_as_command_line():
    # The command line imports TensorFlow and the library itself, once it has
    # parsed its arguments and with TensorFlow's start-up messages held back
    # (`keras_gans.cli.runtime`); until then names load on first use.

    def __getattr__(name):
        if name in _HOMES:
            return getattr(_importlib.import_module(_HOMES[name]), name)
        if name in __all__:
            return _importlib.import_module(f"keras_gans.{name}")
        raise AttributeError(f"module 'keras_gans' has no attribute {name!r}")

else:
    from keras_gans import applications
    from keras_gans import architectures
    from keras_gans import augmentation
    from keras_gans import callbacks
    from keras_gans import data
    from keras_gans import layers
    from keras_gans import losses
    from keras_gans import metrics
    from keras_gans import models
    from keras_gans import presets
    from keras_gans.export import export_generator
    from keras_gans.models import AdversarialModel
