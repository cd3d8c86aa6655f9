"""Argument checks shared by the whole package, with one convention.

Every check raises `ValueError` (as Keras' own argument validation does), names
the argument, shows the value received and says what would be valid, and
returns the value normalised to plain Python types (ints, floats, tuples), so
configurations round-trip through JSON.

It also holds the package's contracts on sample values: the tolerance of the
"images lie in the generator's range" check, and the label check.
"""

import numbers
import os
import warnings

import numpy as np

# Samples may stray outside the generator's output range by this share of the
# range's width (float rounding of scaled pixels) before they are refused.
RANGE_TOLERANCE = 1e-3


def is_int(value):
    """Whether `value` is an integer (Python or NumPy), excluding bools."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def is_number(value):
    """Whether `value` is a real number (Python or NumPy), excluding bools."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_int(value, name, minimum=1, allow_none=False):
    """Returns `value` as an int >= `minimum` (or None when allowed)."""
    if value is None and allow_none:
        return None
    if not is_int(value) or value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        what += " or None" if allow_none else ""
        raise ValueError(f"`{name}` must be {what}. Received: {name}={value!r}")
    return int(value)


def check_positive_int(value, name, allow_none=False):
    """Returns `value` as an int >= 1 (or None when allowed)."""
    return check_int(value, name, minimum=1, allow_none=allow_none)


def check_number(value, name, minimum=None, maximum=None, exclusive=False, allow_none=False):
    """Returns `value` as a float in `[minimum, maximum]` (open with `exclusive`)."""
    if value is None and allow_none:
        return None
    valid = is_number(value) and bool(np.isfinite(value))
    if valid and minimum is not None:
        valid = value > minimum if exclusive else value >= minimum
    if valid and maximum is not None:
        valid = value < maximum if exclusive else value <= maximum
    if not valid:
        if minimum is not None and maximum is not None:
            bracket = "(" if exclusive else "["
            closing = ")" if exclusive else "]"
            what = f"a number in {bracket}{minimum}, {maximum}{closing}"
        elif minimum is not None:
            what = f"a number {'>' if exclusive else '>='} {minimum}"
        elif maximum is not None:
            what = f"a number {'<' if exclusive else '<='} {maximum}"
        else:
            what = "a finite number"
        what += " or None" if allow_none else ""
        raise ValueError(f"`{name}` must be {what}. Received: {name}={value!r}")
    return float(value)


def check_bool(value, name):
    """Returns `value` as a bool; ints, strings and None are refused, not coerced.

    `bool("False")` is True: coercing would silently turn such a value around.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"`{name}` must be True or False. Received: {name}={value!r}")
    return bool(value)


VERBOSE_VALUES = ("auto", 0, 1, 2)


def check_verbose(value):
    """`verbose` as Keras' `predict` takes it, as an int: "auto" (which is 1), 0, 1 or 2."""
    if isinstance(value, bool) or value not in VERBOSE_VALUES:
        raise ValueError(
            f"`verbose` must be one of {list(VERBOSE_VALUES)}. Received: verbose={value!r}"
        )
    return 1 if value == "auto" else int(value)


def check_one_of(value, name, valid):
    """Returns the option of `valid` that `value` equals (a bool never equals a number)."""
    for option in valid:
        same_kind = isinstance(value, (bool, np.bool_)) == isinstance(option, (bool, np.bool_))
        try:
            equal = value is option or (same_kind and bool(value == option))
        except (TypeError, ValueError):
            equal = False
        if equal:
            return option
    raise ValueError(f"`{name}` must be one of {list(valid)}. Received: {name}={value!r}")


def check_seed(value, name="seed"):
    """Returns `value` as an int >= 0, or None."""
    return check_int(value, name, minimum=0, allow_none=True)


def check_optional_path(value, name):
    """Returns `value` as a `str` path, or None."""
    if value is None:
        return None
    try:
        return os.fspath(value)
    except TypeError as e:
        raise ValueError(
            f"`{name}` must be a path (str or os.PathLike) or None. Received: {name}={value!r}"
        ) from e


def check_int_tuple(value, name, length=None, example="(64, 64, 3)"):
    """Returns `value` as a non-empty tuple of positive ints (of `length` if given)."""
    try:
        items = tuple(value)
    except TypeError:
        items = None
    if (
        not items
        or (length is not None and len(items) != length)
        or not all(is_int(item) and item >= 1 for item in items)
    ):
        size = f"{length} " if length is not None else ""
        raise ValueError(
            f"`{name}` must be a tuple of {size}positive integers, e.g. {example}. "
            f"Received: {name}={value!r}"
        )
    return tuple(int(item) for item in items)


def check_probabilities(values, name, size=None):
    """Returns a 1-D distribution as a float64 array summing to exactly 1.

    Every value must be positive and the values must sum to 1 within 1e-6;
    with `size`, there must be `size` of them.
    """
    values = np.asarray(values, np.float64)
    if values.ndim != 1 or (size is not None and len(values) != size):
        wanted = f"({size},)" if size is not None else "(n,)"
        raise ValueError(f"`{name}` must have shape {wanted}. Received: shape={values.shape}")
    if np.any(values <= 0) or abs(values.sum() - 1.0) > 1e-6:
        raise ValueError(
            f"`{name}` must be positive and sum to 1. Received: "
            f"min={values.min()}, sum={values.sum()}"
        )
    return values / values.sum()


def range_tolerance(bounds):
    """How far samples may lie outside `bounds = (low, high)` before they are refused."""
    low, high = bounds
    return RANGE_TOLERANCE * (high - low)


def outside_range(smallest, largest, bounds):
    """Whether values from `smallest` to `largest` leave `bounds`, beyond the tolerance."""
    low, high = bounds
    tolerance = range_tolerance(bounds)
    return smallest < low - tolerance or largest > high + tolerance


def check_labels(labels, num_samples, num_classes, name="labels"):
    """Returns class labels as an int32 NumPy array of `num_samples` entries.

    Args:
        labels: int or array-like. One class for all samples, or one per sample,
            shaped `(num_samples,)` or `(num_samples, 1)`.
        num_samples: int. The number of samples the labels go with.
        num_classes: int or None. Labels must lie in `[0, num_classes)`; with
            `None`, any label of at least 0.
        name: str. The argument's name, for messages.
    """
    array = np.asarray(labels)
    if array.ndim == 0:
        array = np.full((num_samples,), array)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"`{name}` must be integer class ids. Received: {name}.dtype={array.dtype}"
        )
    if array.shape != (num_samples,):
        raise ValueError(
            f"`{name}` must be one class for all samples or one per sample ({num_samples}). "
            f"Received: {name}.shape={array.shape}"
        )
    if num_classes is not None and array.size and (array.min() < 0 or array.max() >= num_classes):
        raise ValueError(
            f"Class labels must lie in [0, {num_classes}). Received values from "
            f"{array.min()} to {array.max()}."
        )
    if array.size and array.min() < 0:
        raise ValueError(f"Class labels must be at least 0. Received: min={array.min()}")
    return array.astype("int32")


def warn_if_unit_range(low, high, what, target=(-1.0, 1.0)):
    """Warn when float samples with values `low..high` look scaled to [0, 1].

    Such images lie inside [-1, 1], so they pass every range check, but they
    use only half of the generator's range: most likely `x / 255` was applied
    where `x / 127.5 - 1` was meant.
    """
    if target[0] < 0 and 0.0 <= low and high <= 1.0 and high > low:
        warnings.warn(
            f"{what} all lie in [0, 1] (min={low:g}, max={high:g}), but the generator's "
            f"outputs span [{target[0]:g}, {target[1]:g}]: if they are images scaled to "
            "[0, 1], pass `images * 2 - 1`.",
            UserWarning,
            stacklevel=3,
        )
