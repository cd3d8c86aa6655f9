"""Checks of activation arrays, shared by the metrics."""

import numpy as np


def as_activations(activations, name, min_samples=2, keep_float32=False):
    """Returns activations as a finite float array of shape `(num_samples, dim)`.

    Args:
        activations: array-like. Features of one set of samples, one row per
            sample.
        name: str. The argument's name, for error messages.
        min_samples: int. The fewest rows accepted.
        keep_float32: bool. Keep float32 input as it is (no float64 copy of a
            large array; callers cast blocks to float64). Defaults to `False`.
    """
    try:
        array = np.asarray(activations)
        if not (keep_float32 and array.dtype == np.float32):
            array = array.astype(np.float64, copy=False)
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"`{name}` must be a numeric array of shape (num_samples, dim). "
            f"Received: {name} of type {type(activations).__name__}"
        ) from e
    if array.ndim != 2:
        raise ValueError(
            f"`{name}` must have rank 2, shape (num_samples, dim): one feature "
            f"vector per row. Received: {name}.shape={array.shape}"
        )
    if array.shape[1] == 0:
        raise ValueError(
            f"`{name}` must have at least one feature per sample. "
            f"Received: {name}.shape={array.shape}"
        )
    if array.shape[0] < min_samples:
        raise ValueError(
            f"`{name}` must hold at least {min_samples} samples (rows). "
            f"Received: {name}.shape={array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(
            f"`{name}` contains NaN or infinite values. Received: {name}.shape={array.shape}"
        )
    return array


def check_same_dim(first, second, first_name, second_name):
    """Raises if two activation arrays have different feature dimensions."""
    if first.shape[1] != second.shape[1]:
        raise ValueError(
            f"`{first_name}` and `{second_name}` must have the same feature "
            f"dimension (the same extractor). Received: {first_name}.shape="
            f"{first.shape}, {second_name}.shape={second.shape}"
        )
