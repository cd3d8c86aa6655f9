"""The callbacks `keras-gans train` adds to keep a run's history across restarts.

Imported only when training starts: it imports Keras.
"""

import json
import math
import os

import keras

from keras_gans.callbacks import LossCurves


def read_history(path):
    """The epochs logged in a JSON-lines file, as `{key: {epoch: value}}`.

    A line cut short by a crash is skipped; an epoch logged twice (a run
    killed after logging it and before backing it up, then resumed) keeps its
    last values.
    """
    history = {}
    if not os.path.isfile(path):
        return history
    with open(path) as file:
        for line in file:
            try:
                record = json.loads(line)
                epoch = int(record.pop("epoch"))
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
            for key, value in record.items():
                if isinstance(value, (int, float)):
                    history.setdefault(key, {})[epoch] = float(value)
    return history


class EpochLog(keras.callbacks.Callback):
    """Appends each epoch's logs as one JSON line, and remembers the last epoch it saw.

    Place it after the callbacks that add values to the logs (so that it
    records them) and before `BackupAndRestore` (so that an epoch is logged
    before it is backed up).
    """

    def __init__(self, path):
        super().__init__()
        self.path = path
        self.last_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        record = {"epoch": int(epoch)}
        for key, value in (logs or {}).items():
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue
            record[key] = value if math.isfinite(value) else None
        with open(self.path, "a") as file:
            file.write(json.dumps(record) + "\n")
        self.last_epoch = int(epoch)


class RunHistory(LossCurves):
    """`LossCurves` that also plots the epochs of earlier sessions of the run (from `EpochLog`)."""

    def __init__(self, path, log_path):
        super().__init__(path)
        self.log_path = log_path

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.history = read_history(self.log_path)
