"""Argument checks only the applications have (the others: `keras_gans.utils.validation`)."""

import numpy as np


def float_array(value, name):
    """`value` as a float32 NumPy array, refusing non-numeric and non-finite data."""
    try:
        array = np.asarray(value)
    except Exception as e:  # ragged lists and the like
        raise ValueError(f"`{name}` must be a numeric array. Received: {name}={value!r}") from e
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"`{name}` must be a numeric array. Received: dtype={array.dtype}")
    array = array.astype("float32")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"`{name}` must hold finite values only; it holds NaN or infinity.")
    return array
