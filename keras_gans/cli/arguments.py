"""Parsers of the command line's values, free of TensorFlow so that they are fast to test.

Each `parse_*` function takes the text the user typed and returns the value,
or raises `argparse.ArgumentTypeError` with a message that says what was
received and what is valid; argparse turns it into a usage error (exit 2).
"""

import argparse
import json
import math
import re

# More seeds than this in one argument is almost surely a typo (`0-1000000000`).
MAX_SEEDS = 1_000_000
_RANGE = re.compile(r"^(\d+)\s*-\s*(\d+)$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
NO_METRICS = "none"


def parse_seeds(text):
    """Seeds written as a comma-separated list of integers and inclusive ranges.

    `"0-3,7"` is `[0, 1, 2, 3, 7]`. Seeds are integers >= 0 (the seeds
    `numpy.random.default_rng` takes); a range `a-b` needs `a <= b`; the order
    is kept and repeats are allowed (one image per seed).

    Args:
        text: str. The argument as typed.

    Returns:
        A list of ints.
    """
    if not isinstance(text, str) or not text.strip():
        raise argparse.ArgumentTypeError(
            "expected seeds such as '0-7,12' (integers >= 0 and ranges a-b); received ''"
        )
    seeds = []
    for item in text.split(","):
        item = item.strip()
        if item.isdigit():
            seeds.append(int(item))
        else:
            match = _RANGE.match(item)
            if match is None:
                raise argparse.ArgumentTypeError(
                    f"invalid seed {item!r} in {text!r}: seeds are integers >= 0 or ranges "
                    "a-b, separated by commas, e.g. '0-7,12'"
                )
            start, end = int(match.group(1)), int(match.group(2))
            if start > end:
                raise argparse.ArgumentTypeError(
                    f"invalid seed range {item!r}: its start exceeds its end (write {end}-{start})"
                )
            seeds.extend(range(start, min(end, start + MAX_SEEDS) + 1))
        if len(seeds) > MAX_SEEDS:
            raise argparse.ArgumentTypeError(
                f"too many seeds in {text!r}: at most {MAX_SEEDS:,} per argument"
            )
    return seeds


def parse_setting(text):
    """A preset setting `key=value`, its value read as JSON (a bare word is a string).

    `d_steps=3` is `("d_steps", 3)`; `generator_args={"base_filters": 32}` a
    dict; `loss=hinge` and `loss="hinge"` the string `"hinge"`.

    Returns:
        A `(key, value)` tuple.
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not _KEY.match(key):
        raise argparse.ArgumentTypeError(
            f"expected key=value with a JSON value, e.g. d_steps=3 or "
            f"generator_args='{{\"base_filters\": 32}}'; received {text!r}"
        )
    try:
        return key, json.loads(value)
    except ValueError:
        if value.strip() and value.strip()[0] in '[{"':
            raise argparse.ArgumentTypeError(
                f"the value of {key} is not valid JSON: {value!r}"
            ) from None
        return key, value


def settings_dict(pairs):
    """The `(key, value)` pairs of repeated `--set` options as a dict, refusing repeated keys."""
    settings = {}
    for key, value in pairs or ():
        if key in settings:
            raise argparse.ArgumentTypeError(
                f"--set {key} is given twice ({settings[key]!r} and {value!r}): give it once"
            )
        settings[key] = value
    return settings


def parse_names(valid):
    """A parser of a comma-separated list of names among `valid` (or `none`: no names)."""

    def parse(text):
        names = [name.strip().lower() for name in text.split(",") if name.strip()]
        if names == [NO_METRICS]:
            return []
        unknown = [name for name in names if name not in valid]
        if not names or unknown:
            raise argparse.ArgumentTypeError(
                f"invalid metric {', '.join(map(repr, unknown)) or repr(text)}: choose among "
                f"{', '.join(valid)} (comma-separated), or {NO_METRICS}"
            )
        if len(set(names)) != len(names):
            raise argparse.ArgumentTypeError(f"a metric is named twice in {text!r}")
        return names

    return parse


def _number(text, kind):
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected {'an integer' if kind is int else 'a number'}; received {text!r}"
        ) from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number; received {text!r}")
    return value


def positive_int(text):
    """An integer >= 1."""
    value = _number(text, int)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1; received {text!r}")
    return value


def non_negative_int(text):
    """An integer >= 0."""
    value = _number(text, int)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0; received {text!r}")
    return value


def at_least_two(text):
    """An integer >= 2."""
    value = _number(text, int)
    if value < 2:
        raise argparse.ArgumentTypeError(f"expected an integer >= 2; received {text!r}")
    return value


def finite_float(text):
    """Any finite number."""
    return _number(text, float)


def positive_float(text):
    """A number > 0."""
    value = _number(text, float)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0; received {text!r}")
    return value


def non_negative_float(text):
    """A number >= 0."""
    value = _number(text, float)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0; received {text!r}")
    return value


def fraction(text):
    """A number in [0, 1]."""
    value = _number(text, float)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1]; received {text!r}")
    return value


def differing_keys(saved, current):
    """The keys whose values differ between two settings dicts (missing counts as differing)."""
    return sorted(key for key in set(saved) | set(current) if saved.get(key) != current.get(key))
