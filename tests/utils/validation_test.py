import numpy as np
import pytest

from keras_gans.utils import validation


def test_ints():
    assert validation.check_positive_int(np.int64(3), "n") == 3
    assert type(validation.check_positive_int(np.int64(3), "n")) is int
    assert validation.check_int(0, "seed", minimum=0) == 0
    assert validation.check_positive_int(None, "n", allow_none=True) is None
    for bad in (0, -1, 1.5, True, "2", None):
        with pytest.raises(
            ValueError, match=rf"`n` must be a positive integer. Received: n={bad!r}"
        ):
            validation.check_positive_int(bad, "n")
    with pytest.raises(ValueError, match=r"an integer >= 2 or None. Received: k=1"):
        validation.check_int(1, "k", minimum=2, allow_none=True)


def test_numbers():
    assert validation.check_number(2, "x") == 2.0
    assert validation.check_number(0.0, "x", minimum=0.0) == 0.0
    with pytest.raises(ValueError, match=r"a number > 0.0. Received: x=0.0"):
        validation.check_number(0.0, "x", minimum=0.0, exclusive=True)
    with pytest.raises(ValueError, match=r"a number in \[0, 1\]. Received: x=1.5"):
        validation.check_number(1.5, "x", minimum=0, maximum=1)
    for bad in (float("nan"), float("inf"), "1", True, None):
        with pytest.raises(ValueError, match="x="):
            validation.check_number(bad, "x")
    assert validation.check_number(None, "x", allow_none=True) is None


def test_bools_are_not_coerced():
    assert validation.check_bool(np.bool_(True), "flag") is True
    for bad in (1, 0, "False", None):
        with pytest.raises(
            ValueError, match=rf"`flag` must be True or False. Received: flag={bad!r}"
        ):
            validation.check_bool(bad, "flag")


def test_one_of_keeps_bools_apart_from_numbers():
    assert validation.check_one_of(2, "up", (1, 2)) == 2
    assert validation.check_one_of("auto", "mode", ("auto", True, False)) == "auto"
    assert validation.check_one_of(True, "mode", ("auto", True, False)) is True
    with pytest.raises(ValueError, match=r"must be one of \[1, 2\]. Received: up=True"):
        validation.check_one_of(True, "up", (1, 2))
    with pytest.raises(ValueError, match=r"Received: mode=1"):
        validation.check_one_of(1, "mode", ("auto", True, False))


def test_int_tuples():
    assert validation.check_int_tuple([28, 28, np.int32(1)], "s", length=3) == (28, 28, 1)
    for bad in ((28, 28), (28, 0, 1), (28, 28.0, 1), None, "abc"):
        with pytest.raises(ValueError, match=r"`s` must be a tuple of 3 positive integers"):
            validation.check_int_tuple(bad, "s", length=3)


def test_one_range_tolerance():
    # A share of the range's width: 2e-3 for [-1, 1].
    assert validation.range_tolerance((-1.0, 1.0)) == pytest.approx(2e-3)
    assert not validation.outside_range(-1.0019, 1.0019, (-1.0, 1.0))
    assert validation.outside_range(-1.0021, 0.0, (-1.0, 1.0))
    assert validation.outside_range(0.0, 1.0021, (-1.0, 1.0))
    assert not validation.outside_range(0.0, 255.2, (0.0, 255.0))


def test_labels():
    np.testing.assert_array_equal(validation.check_labels(2, 3, 4), [2, 2, 2])
    np.testing.assert_array_equal(validation.check_labels([[1], [0]], 2, 4), [1, 0])
    assert validation.check_labels(np.array([1, 3]), 2, 4).dtype == np.int32
    with pytest.raises(ValueError, match=r"lie in \[0, 4\). Received values from 0 to 4"):
        validation.check_labels([0, 4], 2, 4)
    with pytest.raises(ValueError, match=r"labels.dtype=float64"):
        validation.check_labels([0.0, 1.0], 2, 4)
    with pytest.raises(ValueError, match=r"one per sample \(2\). Received: labels.shape=\(3,\)"):
        validation.check_labels([0, 1, 2], 2, 4)
    # Without a number of classes, any label of at least 0.
    np.testing.assert_array_equal(validation.check_labels([7, 0], 2, None), [7, 0])
    with pytest.raises(ValueError, match=r"at least 0. Received: min=-1"):
        validation.check_labels([3, -1], 2, None)


def test_unit_range_warning():
    with pytest.warns(UserWarning, match=r"all lie in \[0, 1\].*images \* 2 - 1"):
        validation.warn_if_unit_range(0.0, 1.0, "The samples")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        validation.warn_if_unit_range(-1.0, 1.0, "The samples")
        validation.warn_if_unit_range(0.0, 1.0, "The samples", target=(0.0, 1.0))


def test_probabilities():
    values = validation.check_probabilities([0.2, 0.3, 0.5 + 5e-7], "p", size=3)
    assert values.dtype == np.float64
    assert values.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(values, [0.2, 0.3, 0.5], atol=1e-6)
    with pytest.raises(ValueError, match=r"`p` must have shape \(2,\). Received: shape=\(3,\)"):
        validation.check_probabilities([0.2, 0.3, 0.5], "p", size=2)
    with pytest.raises(ValueError, match=r"`p` must have shape \(n,\). Received: shape=\(1, 2\)"):
        validation.check_probabilities([[0.5, 0.5]], "p")
    with pytest.raises(ValueError, match="positive and sum to 1. Received: min=-0.1"):
        validation.check_probabilities([1.1, -0.1], "p")
    with pytest.raises(ValueError, match="sum=0.9"):
        validation.check_probabilities([0.4, 0.5], "p")
