"""Argument checks shared by the generator and discriminator builders.

Every check raises `ValueError` naming the argument, the value received and
what would be valid, and returns the value normalised to plain Python types
(ints, tuples) so that configs round-trip through JSON.
"""

import numbers

import numpy as np

# `name` and `trainable` are the only keyword arguments a functional
# `keras.Model` honours; anything else would be silently dropped by
# `Functional.__init__`, so we refuse it instead.
_ALLOWED_BASE_KWARGS = ("name", "trainable")


def is_int(value):
    """Whether `value` is an integer (Python or NumPy), excluding bools."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def validate_positive_int(value, name):
    """Return `value` as an `int`, or raise if it is not an integer >= 1."""
    if not is_int(value) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    return int(value)


def validate_image_shape(image_shape):
    """Return `image_shape` as a tuple of 3 positive ints `(H, W, C)`."""
    try:
        shape = tuple(image_shape)
    except TypeError:
        shape = None
    if shape is None or len(shape) != 3 or not all(is_int(d) and d >= 1 for d in shape):
        raise ValueError(
            "`image_shape` must be a tuple of 3 positive integers "
            "(height, width, channels), e.g. (28, 28, 1) or (64, 64, 3). "
            f"Received: image_shape={image_shape!r}"
        )
    return tuple(int(d) for d in shape)


def validate_hidden_units(hidden_units):
    """Return `hidden_units` as a non-empty tuple of positive ints."""
    try:
        units = tuple(hidden_units)
    except TypeError:
        units = None
    if not units or not all(is_int(u) and u >= 1 for u in units):
        raise ValueError(
            "`hidden_units` must be a non-empty sequence of positive "
            "integers, e.g. (256, 512, 1024). "
            f"Received: hidden_units={hidden_units!r}"
        )
    return tuple(int(u) for u in units)


def validate_dropout(dropout):
    """Return `dropout` as a float in `[0, 1)`."""
    if (
        not isinstance(dropout, numbers.Real)
        or isinstance(dropout, bool)
        or not 0.0 <= dropout < 1.0
    ):
        raise ValueError(f"`dropout` must be a float in [0, 1). Received: dropout={dropout!r}")
    return float(dropout)


def validate_bool(value, name):
    """Return `value` as a `bool`, or raise if it is not a (NumPy) boolean.

    Ints, strings and `None` are refused rather than coerced: `"False"` is
    truthy, so `bool()` would silently turn it into `True`.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"`{name}` must be a boolean. Received: {name}={value!r}")
    return bool(value)


def validate_base_kwargs(cls_name, kwargs):
    """Refuse keyword arguments that `keras.Model` would silently ignore."""
    unknown = sorted(set(kwargs) - set(_ALLOWED_BASE_KWARGS))
    if unknown:
        raise ValueError(
            f"Unrecognized keyword arguments passed to {cls_name}: "
            f"{unknown}. Besides its own arguments it accepts only "
            f"{list(_ALLOWED_BASE_KWARGS)}. Received: kwargs={kwargs!r}"
        )
