"""Stops training when a GAN's losses stop being finite numbers."""

import math
import warnings

import keras
import numpy as np


def _state_variables(model):
    """Every variable training changes: weights, optimizer slots, noise seed."""
    variables = list(model.variables)
    for name in ("g_optimizer", "d_optimizer"):
        optimizer = getattr(model, name, None)
        if optimizer is not None:
            variables += list(optimizer.variables)
    return variables


class TerminateOnDivergence(keras.callbacks.Callback):
    """Stops training after an epoch that produced NaN or infinite values, and rolls back.

    At the end of every finite epoch it keeps a copy of the model's state (the
    weights of both networks, the optimizers' variables and the noise seed).
    After an epoch whose watched losses, or any of those variables, are not
    finite it stops `fit`, restores that copy, so the model holds the last
    good weights and can be trained on, and warns with what diverged.
    `AdversarialModel.fit` adds it unless the callbacks already hold one.

    Args:
        keys: tuple of str. Logged values to watch. Defaults to
            `("d_loss", "g_loss")`.

    Example:

    ```python
    gan.fit(dataset, epochs=50)  # stops early, with a warning, on NaN losses
    ```
    """

    def __init__(self, keys=("d_loss", "g_loss")):
        super().__init__()
        if isinstance(keys, str) or not all(isinstance(k, str) for k in keys):
            raise ValueError(f"`keys` must be a tuple of log names. Received: keys={keys!r}")
        self.keys = tuple(keys)
        self.stopped_epoch = None
        self.message = None
        self._good_state = None
        self._good_epoch = None

    def _snapshot(self):
        return [v.numpy() for v in _state_variables(self.model)]

    def on_train_begin(self, logs=None):
        self._good_state = self._snapshot()
        self._good_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        bad = [
            f"{key}={float(logs[key])}"
            for key in self.keys
            if key in (logs or {}) and not math.isfinite(float(logs[key]))
        ]
        state = self._snapshot()
        # Some layers hide NaN from the losses (a ReLU may map NaN to 0), so the
        # weights are checked too.
        variables = _state_variables(self.model)
        broken = [
            v.path
            for v, value in zip(variables, state, strict=True)
            if not np.all(np.isfinite(value))
        ]
        if broken:
            shown = ", ".join(broken[:3]) + (
                f" and {len(broken) - 3} more" if len(broken) > 3 else ""
            )
            bad.append(f"the variables {shown}")
        if not bad:
            self._good_state = state
            self._good_epoch = epoch
            return
        for variable, value in zip(variables, self._good_state, strict=True):
            variable.assign(value)
        values = ", ".join(bad)
        restored = (
            "the start of training"
            if self._good_epoch is None
            else f"the end of epoch {self._good_epoch + 1}"
        )
        self.message = (
            f"Training stopped after epoch {epoch + 1}, where these became NaN or infinite: "
            f"{values}. The model "
            f"was restored to its state at {restored}, its last finite one. Lower the "
            "learning rates, check the data for NaN or infinite values, or add a gradient "
            "penalty."
        )
        self.stopped_epoch = epoch
        self.model.stop_training = True
        warnings.warn(self.message, RuntimeWarning, stacklevel=2)
