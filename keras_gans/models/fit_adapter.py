"""What `AdversarialModel.fit` and `evaluate` do to their arguments before Keras runs.

- In-memory arrays become a positioned dataset (`keras_gans.data.position`):
  Keras shuffles arrays from an unseeded stream that a restarted process does
  not continue, and cannot skip into an epoch.
- Positioned datasets get two callbacks, first and last in the list, that set
  each epoch's starting batch from the model's `trained_steps` and cut short
  an epoch resumed from a backup made within it.
- Under XLA, the step's input checks move into the input pipeline
  (`input_checks.checked_input`).
- A divergence guard joins the callbacks unless one is there
  (`divergence.TerminateOnDivergence`).
"""

import inspect
import math

import keras
import numpy as np
import tensorflow as tf

from keras_gans.data.position import data_position
from keras_gans.data.position import indexed_pipeline
from keras_gans.models import input_checks
from keras_gans.models.divergence import TerminateOnDivergence
from keras_gans.utils import compat


def bind(method, model, args, kwargs):
    """The arguments of a call to a `keras.Model` method, by name (self left out)."""
    arguments = inspect.signature(method).bind(model, *args, **kwargs).arguments
    del arguments["self"]
    extra = arguments.pop("kwargs", {})
    return {**arguments, **extra}


def _is_array(value):
    return isinstance(value, np.ndarray) or (
        isinstance(value, tf.Tensor) and not isinstance(value, tf.SparseTensor)
    )


def positioned_arrays(model, arguments):
    """Turns `fit`'s in-memory arrays into a positioned dataset.

    The same batches of `batch_size` (the last one smaller), shuffled per
    epoch by a permutation keyed by the model's `seed` and the epoch, or in
    order with `shuffle=False`. `validation_split` is taken off the end first,
    as Keras does. Other inputs (datasets, generators, sample or class
    weights, `shuffle="batch"`, `steps_per_epoch`) are left to Keras.

    Returns:
        The new arguments of `fit`.
    """
    arguments = dict(arguments)
    x, y = arguments.get("x"), arguments.get("y")
    shuffle = arguments.get("shuffle", True)
    if (
        not _is_array(x)
        or not (y is None or _is_array(y))
        or shuffle not in (True, False)
        or any(
            arguments.get(name) is not None
            for name in ("sample_weight", "class_weight", "steps_per_epoch")
        )
    ):
        return arguments
    count = int(x.shape[0])
    if count == 0:
        raise ValueError(
            "`fit` got no training samples (Keras would only warn that the input "
            f"ran out of data). Received: x.shape={tuple(x.shape)}"
        )
    if y is not None and int(y.shape[0]) != count:
        return arguments  # Keras' own error names the sizes
    split = arguments.get("validation_split", 0.0) or 0.0
    if split:
        split_at = int(math.floor(count * (1.0 - split)))
        if not 0 < split_at < count:
            return arguments  # Keras' error
        arguments.pop("validation_split")
        if arguments.get("validation_data") is None:  # else Keras ignores the split
            held_out = x[split_at:] if y is None else (x[split_at:], y[split_at:])
            arguments["validation_data"] = held_out
            x = x[:split_at]
            y = None if y is None else y[:split_at]
            count = split_at
    tensors = (tf.convert_to_tensor(x),) + (() if y is None else (tf.convert_to_tensor(y),))
    batch_size = arguments.pop("batch_size", None) or 32
    arguments["x"] = indexed_pipeline(
        lambda i: tuple(tf.gather(t, i) for t in tensors),
        num_examples=count,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=model.seed,
        # Drops nothing either way; when the batches are equal, their
        # static size spares retracing (and lets XLA see it).
        drop_remainder=count % batch_size == 0,
    )
    arguments.pop("y", None)
    arguments["shuffle"] = False
    return arguments


def prepare_fit(model, arguments):
    """The arguments `keras.Model.fit` is called with, for `AdversarialModel.fit`."""
    arguments = dict(arguments)
    callbacks = list(arguments.pop("callbacks", None) or [])
    if not any(isinstance(c, TerminateOnDivergence) for c in callbacks):
        callbacks.append(TerminateOnDivergence())
    input_checks.warn_if_unit_range(model, arguments.get("x"))
    checked = input_checks.checks_need_data_pipeline(model)
    if checked:  # in-memory arrays are checked once, here
        input_checks.checked_input(
            model, arguments.get("x"), arguments.get("y"), arguments.get("batch_size")
        )
    arguments = positioned_arrays(model, arguments)
    x = arguments.get("x")
    position = data_position(x)
    if position is not None and arguments.get("steps_per_epoch") is None:
        shared = _EpochState(position)
        callbacks = [_EpochPositioner(shared), *callbacks, _ResumeLocator(shared)]
    if isinstance(x, tf.data.Dataset) and "shuffle" not in arguments:
        # A dataset shuffles itself (keras_gans.data does); Keras would only
        # warn that its own `shuffle=True` default is ignored.
        arguments["shuffle"] = False
    if checked:
        arguments["x"] = input_checks.checked_input(model, x)
        validation = arguments.get("validation_data")
        if isinstance(validation, tf.data.Dataset):
            arguments["validation_data"] = input_checks.checked_input(model, validation)
        elif isinstance(validation, (tuple, list)) and validation:
            input_checks.checked_input(
                model, *validation[:2], arguments.get("validation_batch_size")
            )
    arguments["callbacks"] = callbacks
    return arguments


def prepare_evaluate(model, arguments):
    """The arguments `keras.Model.evaluate` is called with."""
    arguments = dict(arguments)
    if input_checks.checks_need_data_pipeline(model) and not compat.uses_cached_eval_dataset(
        arguments
    ):
        arguments["x"] = input_checks.checked_input(
            model, arguments.get("x"), arguments.get("y"), arguments.get("batch_size")
        )
    return arguments


# --- Positioning callbacks --------------------------------------------------


class _EpochState:
    def __init__(self, position):
        self.position = position
        self.next_start = None  # the batch the next epoch starts at
        self.epoch_end = None  # steps of the current epoch, when it is cut short
        self.cut_short = False


class _EpochPositioner(keras.callbacks.Callback):
    """First in the list: positions each epoch, and ends a cut-short epoch."""

    def __init__(self, state):
        super().__init__()
        self._state = state

    def on_epoch_begin(self, epoch, logs=None):
        state = self._state
        per_epoch = state.position.batches_per_epoch
        state.position.set(state.next_start)
        done = state.next_start % per_epoch
        state.epoch_end = per_epoch - done if done else None
        state.cut_short = False

    def on_epoch_end(self, epoch, logs=None):
        state = self._state
        per_epoch = state.position.batches_per_epoch
        state.next_start = (state.next_start // per_epoch + 1) * per_epoch
        # The cut-short epoch is over; training goes on (callbacks after this
        # one may still stop it).
        if state.cut_short:
            self.model.stop_training = False
            state.cut_short = False

    def on_train_end(self, logs=None):
        self._state.position.release()
        # `BackupAndRestore` sets the epoch to resume at for this `fit`;
        # Keras would keep it for the next one too.
        compat.set_initial_epoch(self.model, None)


class _ResumeLocator(keras.callbacks.Callback):
    """Last in the list: finds where the run starts, and cuts a resumed epoch."""

    def __init__(self, state):
        super().__init__()
        self._state = state

    def on_train_begin(self, logs=None):
        state = self._state
        per_epoch = state.position.batches_per_epoch
        steps = int(self.model.trained_steps.numpy())
        if compat.initial_epoch(self.model) is None:
            # A new `fit` starts a new epoch of the data: the one after the
            # steps trained so far (the first, for a new model).
            state.next_start = -(-steps // per_epoch) * per_epoch
            return
        # `BackupAndRestore` restored the weights and set the epoch to resume
        # at (this runs after it). Keras would restart that epoch from its
        # first batch, and its metadata names epoch 0 after a second crash
        # within one epoch; the restored step count says where the run stopped.
        compat.set_initial_epoch(self.model, steps // per_epoch)
        state.next_start = steps

    def on_train_batch_end(self, batch, logs=None):
        state = self._state
        if state.epoch_end is not None and batch + 1 >= state.epoch_end:
            if not self.model.stop_training:
                self.model.stop_training = True
                state.cut_short = True
