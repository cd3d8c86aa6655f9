"""Progress display of the metrics and of `AdversarialModel.generate` (`verbose=`).

The modes are Keras' `predict(verbose=...)`: 0 nothing, 1 (or "auto") a
progress bar, 2 one line when the call ends. The default, 0, keeps existing
callers silent. Counts are in images: both sources of a two-sample metric
count towards one bar.
"""

import re

import keras
import numpy as np
import pytest

from keras_gans import metrics
from tests import testing

# Keras' bar colours its counter; the text between the escapes is what a reader sees.
_ESCAPES = re.compile(r"\x1b\[[0-9;]*m|[\b\r]")


def _text(captured):
    return _ESCAPES.sub("", captured)


def _counters(captured):
    """The `current/target` counters a bar showed, in order (each precedes the bar's line)."""
    return [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+) \u2501", _text(captured))]


def _lines(captured):
    return [line for line in _text(captured).splitlines() if line.strip()]


def _flatten_extractor():
    images = keras.Input(testing.IMAGE_SHAPE)
    return keras.Model(images, keras.layers.Flatten()(images))


@pytest.fixture(scope="module")
def extractor():
    return _flatten_extractor()


REAL = testing.tiny_images(24, seed=0)
FAKE = testing.tiny_images(24, seed=1)


@pytest.mark.parametrize(
    "call",
    [
        lambda e, **k: metrics.fid(REAL, FAKE, e, num_samples=20, batch_size=8, **k),
        lambda e, **k: metrics.kid(REAL, FAKE, e, num_samples=20, batch_size=8, **k),
        lambda e, **k: metrics.precision_recall(REAL, FAKE, e, num_samples=20, batch_size=8, **k),
    ],
    ids=["fid", "kid", "precision_recall"],
)
def test_two_sample_metrics_count_both_sources_in_one_line(call, extractor, capsys):
    call(extractor, verbose=2)
    lines = _lines(capsys.readouterr().out)
    assert len(lines) == 1, lines
    assert lines[0].startswith("40/40 - "), lines  # 20 real + 20 generated images
    assert "/image" in lines[0]


def test_default_and_zero_are_silent(extractor, capsys):
    first = metrics.fid(REAL, FAKE, extractor, num_samples=20, batch_size=8)
    assert capsys.readouterr().out == ""
    second = metrics.fid(REAL, FAKE, extractor, num_samples=20, batch_size=8, verbose=0)
    assert capsys.readouterr().out == ""
    assert first == second  # the display does not change the value


def test_bar_reaches_the_total(extractor, capsys):
    metrics.fid(REAL, FAKE, extractor, num_samples=20, batch_size=8, verbose=1)
    out = capsys.readouterr().out
    # The first update (8 images of the first source) is shown; the bar ends at 40.
    counters = _counters(out)
    assert counters[0] == (8, 40) and counters[-1] == (40, 40), out
    assert out.endswith("\n")


def test_auto_is_a_bar(extractor, capsys):
    metrics.compute_features(extractor, REAL, num_samples=16, batch_size=8, verbose="auto")
    counters = _counters(capsys.readouterr().out)
    assert counters[0] == (8, 16) and counters[-1] == (16, 16), counters


def test_unknown_count_is_shown_when_the_call_ends(extractor, capsys):
    # Without num_samples the arrays give all their images: 24 and 24.
    metrics.fid(REAL, FAKE, extractor, batch_size=8, verbose=2)
    lines = _lines(capsys.readouterr().out)
    assert len(lines) == 1 and lines[0].startswith("48/48 - "), lines


def test_precomputed_statistics_do_not_count(extractor, capsys):
    real_statistics = metrics.compute_statistics(extractor, REAL)
    metrics.fid(real_statistics, FAKE, extractor, num_samples=20, batch_size=8, verbose=2)
    lines = _lines(capsys.readouterr().out)
    assert len(lines) == 1 and lines[0].startswith("20/20 - "), lines


@pytest.mark.parametrize("function", ["compute_features", "compute_statistics"])
def test_feature_extraction_one_line(function, extractor, capsys):
    getattr(metrics, function)(extractor, REAL, num_samples=12, batch_size=5, verbose=2)
    lines = _lines(capsys.readouterr().out)
    assert len(lines) == 1 and lines[0].startswith("12/12 - "), lines


def test_inception_score_counts_its_images(capsys):
    images = keras.Input(testing.IMAGE_SHAPE)
    probabilities = keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(images))
    classifier = keras.Model(images, probabilities)
    metrics.inception_score(REAL, classifier, num_samples=20, num_splits=2, verbose=2)
    lines = _lines(capsys.readouterr().out)
    assert len(lines) == 1 and lines[0].startswith("20/20 - "), lines


def test_generator_source_counts_generated_images(extractor, capsys):
    gan = testing.tiny_gan()
    metrics.fid(REAL, gan, extractor, num_samples=10, batch_size=4, verbose=2)
    lines = _lines(capsys.readouterr().out)
    assert len(lines) == 1 and lines[0].startswith("20/20 - "), lines


@pytest.mark.parametrize("verbose", [True, 3, "1", -1])
def test_metrics_refuse_other_values(verbose, extractor):
    with pytest.raises(ValueError, match="`verbose` must be one of"):
        metrics.fid(REAL, FAKE, extractor, num_samples=4, verbose=verbose)
    with pytest.raises(ValueError, match="`verbose` must be one of"):
        metrics.compute_features(extractor, REAL, num_samples=4, verbose=verbose)


# ----------------------------------------------------------------------
# AdversarialModel.generate


@pytest.fixture(scope="module")
def gan():
    return testing.tiny_gan()


def test_generate_is_silent_by_default(gan, capsys):
    images = gan.generate(10, seed=0, batch_size=4)
    assert capsys.readouterr().out == ""
    again = gan.generate(10, seed=0, batch_size=4, verbose=0)
    assert capsys.readouterr().out == ""
    np.testing.assert_array_equal(images, again)


def test_generate_one_line(gan, capsys):
    images = gan.generate(10, seed=0, batch_size=4, verbose=2)
    lines = _lines(capsys.readouterr().out)
    assert len(lines) == 1 and lines[0].startswith("10/10 - "), lines
    assert "/sample" in lines[0]
    np.testing.assert_array_equal(images, gan.generate(10, seed=0, batch_size=4))


@pytest.mark.parametrize("verbose", [1, "auto"])
def test_generate_bar(gan, verbose, capsys):
    gan.generate(10, seed=0, batch_size=4, verbose=verbose)
    counters = _counters(capsys.readouterr().out)
    assert counters[0] == (4, 10) and counters[-1] == (10, 10), counters


@pytest.mark.parametrize("verbose", [True, 3, "2"])
def test_generate_refuses_other_values(gan, verbose):
    with pytest.raises(ValueError, match="`verbose` must be one of"):
        gan.generate(2, verbose=verbose)
