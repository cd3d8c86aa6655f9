"""Every use of a Keras or TensorFlow internal, in one place.

Each function says what it works around. A Keras or TensorFlow release that
changes one of these breaks this file (and `tests/utils/compat_test.py`), not
the modules that rely on it.
"""

# The Keras versions these were checked against (tests/utils/compat_test.py).
CHECKED_KERAS = "3.15"


def initial_epoch(model):
    """The epoch `keras.callbacks.BackupAndRestore` told `fit` to resume at, or None.

    Keras keeps it in the private `Model._initial_epoch`, set when a backup is
    restored and read by `fit` to skip finished epochs.
    """
    return getattr(model, "_initial_epoch", None)


def set_initial_epoch(model, epoch):
    """Sets the epoch `fit` resumes at (see `initial_epoch`); None clears it."""
    model._initial_epoch = epoch


def uses_cached_eval_dataset(arguments):
    """Whether `evaluate` was called by `fit` on its cached validation data.

    `fit` runs validation through `evaluate(..., _use_cached_eval_dataset=True)`,
    a private argument; that data was already checked by `fit`.
    """
    return bool(arguments.get("_use_cached_eval_dataset"))


def is_multi_worker(strategy):
    """Whether a `tf.distribute` strategy spans several worker processes.

    TensorFlow has no public query; the strategy's `extended` object knows.
    """
    extended = getattr(strategy, "extended", None)
    return bool(getattr(extended, "_in_multi_worker_mode", lambda: False)())


def own_variables(layer):
    """A layer's own variables, in the order `Layer.save_own_variables` numbers them."""
    return list(layer._trainable_variables) + list(layer._non_trainable_variables)
