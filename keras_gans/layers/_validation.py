"""Argument checks only the layers have (the others: `keras_gans.utils.validation`)."""

import math

from keras_gans.utils import validation


def kernel_size(value, name="kernel_size"):
    """Returns `value` (an int or a pair of ints >= 1) as a pair of ints."""
    if validation.is_int(value):
        value_tuple = (value, value)
    else:
        try:
            value_tuple = tuple(value)
        except TypeError:
            value_tuple = ()
    if len(value_tuple) != 2 or not all(validation.is_int(v) and v >= 1 for v in value_tuple):
        raise ValueError(
            f"`{name}` must be a positive integer or a pair of positive integers "
            f"(height, width). Received: {name}={value!r}"
        )
    return tuple(int(v) for v in value_tuple)


def filter_taps(value, name="blur_kernel"):
    """Returns the taps of a 1-D FIR filter as a tuple of floats with a non-zero sum."""
    try:
        taps = tuple(value)
    except TypeError:
        taps = ()
    if (
        not taps
        or not all(validation.is_number(t) and math.isfinite(t) for t in taps)
        or sum(float(t) for t in taps) == 0
    ):
        raise ValueError(
            f"`{name}` must be a non-empty sequence of finite numbers with a non-zero "
            f"sum, e.g. (1, 3, 3, 1). Received: {name}={value!r}"
        )
    return tuple(float(t) for t in taps)


def feature_shape(shape, layer, rank, what="inputs"):
    """Checks the rank of an input shape and that its last axis is known."""
    shape = tuple(shape)
    if len(shape) != rank or shape[-1] is None:
        raise ValueError(
            f"`{layer}` expects {what} of rank {rank} with a known last axis. "
            f"Received: {what}_shape={shape}"
        )
    return shape
