"""Argument checks only the applications have (the others: `keras_gans.utils.validation`)."""

import numpy as np

VERBOSE_VALUES = ("auto", 0, 1, 2)


def verbose(value):
    """`verbose` as Keras' `predict` takes it: "auto" (which is 1), 0, 1 or 2."""
    if isinstance(value, bool) or value not in VERBOSE_VALUES:
        raise ValueError(
            f"`verbose` must be one of {list(VERBOSE_VALUES)}. Received: verbose={value!r}"
        )
    return 1 if value == "auto" else int(value)


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
