"""The moving average of weights that a Keras optimizer keeps (`use_ema=True`)."""

import contextlib

from keras import ops


def base_optimizer(optimizer):
    """The optimizer that holds the state: the inner one of a `LossScaleOptimizer`."""
    return getattr(optimizer, "inner_optimizer", optimizer)


def keeps_average(optimizer):
    """Whether `optimizer` keeps a moving average of the weights it trains."""
    return bool(getattr(base_optimizer(optimizer), "use_ema", False))


@contextlib.contextmanager
def averaged_weights(optimizer, variables):
    """Temporarily loads the optimizer's moving average into `variables`.

    Does nothing when the optimizer keeps no average, or before its first
    update (no average exists yet). The raw weights are restored on exit.
    `keras.callbacks.SwapEMAWeights` does the same for a model's single
    `optimizer`; a GAN has two.

    Args:
        optimizer: `keras.optimizers.Optimizer`, possibly a
            `LossScaleOptimizer`, built on `variables`.
        variables: list of the variables it trains.
    """
    optimizer = base_optimizer(optimizer) if optimizer is not None else None
    if optimizer is None or not keeps_average(optimizer) or int(optimizer.iterations) == 0:
        yield
        return
    variables = list(variables)
    raw = [ops.copy(v.value) for v in variables]
    optimizer.finalize_variable_values(variables)
    try:
        yield
    finally:
        for variable, value in zip(variables, raw, strict=True):
            variable.assign(value)
