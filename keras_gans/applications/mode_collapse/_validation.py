"""Input checks of the mode-collapse lab not covered by `keras_gans.utils.validation`."""

import numpy as np

from keras_gans.utils import validation


def check_seed_or_generator(seed):
    """Returns `seed` unchanged, or raises if it is not None, an int >= 0 or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    return validation.check_seed(seed)


def check_positive_number(value, name):
    """Returns `value` as a float, or raises if it is not a finite number > 0."""
    return validation.check_number(value, name, minimum=0, exclusive=True)


def as_float_array(values, name):
    """Returns `values` as a finite float64 array, or raises saying what was received."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"`{name}` must be a numeric array. Received: {name} of type {type(values).__name__}"
        ) from e
    if not np.all(np.isfinite(array)):
        raise ValueError(
            f"`{name}` contains NaN or infinite values. Received: {name}.shape={array.shape}"
        )
    return array
