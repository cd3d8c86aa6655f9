"""Property-based tests of the data loaders and the exported generator on random input.

Hypothesis draws the inputs: valid ones must come back exactly as documented
(shapes, dtypes, values, counts), invalid ones must be refused with the error
listed in `docs/errors.md`. The example counts are kept small so that the file
runs in well under a minute on two CPU cores.
"""

import os
import re
import tempfile

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from keras_gans import export_generator
from keras_gans.data import from_arrays
from keras_gans.data import from_folder
from tests.testing import IMAGE_SHAPE
from tests.testing import LATENT_DIM
from tests.testing import NUM_CLASSES
from tests.testing import tiny_gan

JPEG_SIGNATURE = b"\xff\xd8\xff"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def _batches(dataset):
    """The dataset's batches as lists of NumPy images (and labels, if any)."""
    images, labels = [], []
    for batch in dataset:
        if isinstance(batch, tuple):
            batch, batch_labels = batch
            labels.append(batch_labels)
        images.append(batch)
    return images, labels


# ---------------------------------------------------------------------------
# from_arrays


@st.composite
def uint8_images(draw, max_n=20, max_side=8):
    """(N, H, W) or (N, H, W, C) uint8 arrays, N in 1..20, H/W in 1..8, C in {1, 3}."""
    n = draw(st.integers(1, max_n))
    height = draw(st.integers(1, max_side))
    width = draw(st.integers(1, max_side))
    channels = draw(st.sampled_from([None, 1, 3]))
    shape = (n, height, width) if channels is None else (n, height, width, channels)
    # Pixels from a seed rather than element by element: fast, and still random.
    seed = draw(st.integers(0, 2**32 - 1))
    images = np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)
    # Make sure the extremes of the pixel range occur.
    images.flat[0] = draw(st.sampled_from([0, 255]))
    return images


@settings(max_examples=25, deadline=None, database=None)
@given(images=uint8_images(), data=st.data())
def test_from_arrays_scales_uint8_batches_to_unit_range(images, data):
    n = len(images)
    batch_size = data.draw(st.integers(1, n), label="batch_size")
    drop_remainder = data.draw(st.booleans(), label="drop_remainder")

    dataset = from_arrays(
        images, batch_size=batch_size, shuffle=False, drop_remainder=drop_remainder
    )
    batches, _ = _batches(dataset)

    expected_shape = images.shape if images.ndim == 4 else (*images.shape, 1)
    kept = (n // batch_size) * batch_size if drop_remainder else n
    sizes = [int(batch.shape[0]) for batch in batches]
    assert sum(sizes) == kept
    assert all(size == batch_size for size in sizes[:-1])
    if drop_remainder:
        assert dataset.element_spec.shape.as_list() == [batch_size, *expected_shape[1:]]
    for batch in batches:
        assert batch.dtype == tf.float32
        assert tuple(batch.shape[1:]) == expected_shape[1:]
    values = np.concatenate([batch.numpy() for batch in batches])
    assert values.min() >= -1.0 and values.max() <= 1.0
    expected = images.reshape(expected_shape)[:kept].astype(np.float32) / 127.5 - 1.0
    np.testing.assert_allclose(values, expected, atol=1e-6)


@settings(max_examples=40, deadline=None, database=None)
@given(
    shape=st.tuples(st.integers(1, 6), st.integers(1, 5), st.integers(1, 5), st.integers(1, 3)),
    outlier=st.floats(1.0, 6e4, exclude_min=True),  # float16 holds up to 65504
    sign=st.sampled_from([-1.0, 1.0]),
    dtype=st.sampled_from([np.float16, np.float32, np.float64]),
    seed=st.integers(0, 2**32 - 1),
)
def test_from_arrays_refuses_floats_outside_unit_range(shape, outlier, sign, dtype, seed):
    rng = np.random.default_rng(seed)
    images = rng.uniform(-1, 1, shape).astype(dtype)
    outlier = dtype(sign * outlier)
    assume(abs(float(outlier)) > 1.0)  # 1 + 1e-9 rounds to 1 in float16 and float32
    images.flat[rng.integers(images.size)] = outlier
    received = f"min={float(images.min())}, max={float(images.max())}"
    with pytest.raises(ValueError, match=r"must already lie in \[-1, 1\].*" + re.escape(received)):
        from_arrays(images, batch_size=1)


@settings(max_examples=30, deadline=None, database=None)
@given(
    shape=st.lists(st.integers(1, 3), min_size=0, max_size=6).filter(
        lambda s: len(s) not in (3, 4)
    ),
    dtype=st.sampled_from([np.uint8, np.float32]),
)
def test_from_arrays_refuses_ranks_other_than_3_and_4(shape, dtype):
    images = np.zeros(shape, dtype)
    with pytest.raises(
        ValueError,
        match=re.escape("must have rank 3 (N, H, W) or rank 4 (N, H, W, C). ")
        + re.escape(f"Received: images.shape={tuple(shape)}"),
    ):
        from_arrays(images, batch_size=1)


@settings(max_examples=30, deadline=None, database=None)
@given(n=st.integers(1, 20), num_labels=st.integers(0, 25))
def test_from_arrays_refuses_labels_of_another_length(n, num_labels):
    assume(num_labels != n)
    images = np.zeros((n, 2, 2), np.uint8)
    labels = np.zeros((num_labels,), np.int64)
    with pytest.raises(ValueError, match=re.escape(f"len(labels)={num_labels}, len(images)={n}")):
        from_arrays(images, labels, batch_size=1)


@st.composite
def class_ids(draw):
    """1-D arrays of 1..20 class ids >= 0 that fit in int32, of various integer dtypes."""
    dtype = draw(st.sampled_from([np.uint8, np.int16, np.int32, np.int64, np.uint32]))
    largest = min(int(np.iinfo(dtype).max), INT32_MAX)
    return draw(hnp.arrays(dtype, st.integers(1, 20), elements=st.integers(0, largest)))


@settings(max_examples=20, deadline=None, database=None)
@given(
    labels=class_ids(),
    column=st.booleans(),
    data=st.data(),
)
def test_from_arrays_returns_labels_as_int32_unchanged(labels, column, data):
    n = len(labels)
    batch_size = data.draw(st.integers(1, n), label="batch_size")
    images = np.arange(n, dtype=np.uint8).reshape(n, 1, 1)  # image i holds the pixel i
    given_labels = labels[:, np.newaxis] if column else labels  # (N, 1) labels too

    ordered = from_arrays(
        images, given_labels, batch_size=batch_size, shuffle=False, drop_remainder=False
    )
    batches, label_batches = _batches(ordered)
    assert all(batch.dtype == tf.int32 for batch in label_batches)
    assert all(batch.shape.rank == 1 for batch in label_batches)
    np.testing.assert_array_equal(np.concatenate(label_batches), labels.astype(np.int32))

    # Shuffled, every image keeps its own label.
    seed = data.draw(st.integers(0, 2**31 - 1), label="seed")
    shuffled = from_arrays(images, labels, batch_size=batch_size, seed=seed, drop_remainder=False)
    batches, label_batches = _batches(shuffled)
    pixels = np.concatenate(batches)[:, 0, 0, 0]
    indices = np.round((pixels + 1.0) * 127.5).astype(int)
    assert sorted(indices) == list(range(n))
    np.testing.assert_array_equal(np.concatenate(label_batches), labels[indices])


# ---------------------------------------------------------------------------
# from_folder


@st.composite
def framed_png(draw):
    """A PNG whose centre square (the crop `from_folder` takes) is one colour.

    Returns `(source_channels, pixels, colour)`; the pixels outside the centre
    square have another colour, so a crop off by one row or column would show.
    """
    height, width = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    channels = draw(st.sampled_from([1, 3, 4]))
    colour = np.array(draw(st.lists(st.integers(0, 255), min_size=channels, max_size=channels)))
    frame = 255 - colour
    if channels == 4:
        colour[3], frame[3] = 255, 255  # opaque: the alpha channel is dropped anyway
    pixels = np.empty((height, width, channels), np.uint8)
    pixels[...] = frame
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    pixels[top : top + side, left : left + side] = colour
    return channels, pixels, colour


@settings(max_examples=10, deadline=None, database=None)
@given(
    images=st.lists(framed_png(), min_size=1, max_size=4),
    image_size=st.integers(1, 6),
    grey=st.booleans(),
)
def test_from_folder_decodes_crops_and_resizes_every_image(images, image_size, grey):
    channels = 1 if grey else 3
    if grey:  # grey output from grey files only: RGB -> grey conversion is lossy
        images = [image for image in images if image[0] == 1]
        assume(images)
    with tempfile.TemporaryDirectory() as folder:
        for i, (_, pixels, _) in enumerate(images):
            with open(os.path.join(folder, f"{i:02d}.png"), "wb") as f:
                f.write(tf.io.encode_png(pixels).numpy())
        dataset = from_folder(
            folder,
            image_size=image_size,
            channels=channels,
            batch_size=len(images),
            shuffle=False,
        )
        batches, _ = _batches(dataset)

    assert len(batches) == 1
    (batch,) = batches
    assert batch.dtype == tf.float32
    assert tuple(batch.shape) == (len(images), image_size, image_size, channels)
    for output, (source_channels, _, colour) in zip(batch.numpy(), images, strict=True):
        rgb = colour[:1].repeat(3) if source_channels == 1 else colour[:3]
        expected = colour[:1] if grey else rgb
        # Only the centre square's colour, scaled to [-1, 1]: nothing of the frame.
        np.testing.assert_allclose(
            output, np.broadcast_to(expected / 127.5 - 1.0, output.shape), atol=1e-6
        )


@settings(max_examples=15, deadline=None, database=None)
@given(
    content=st.binary(min_size=0, max_size=64).filter(
        lambda b: not b.startswith((JPEG_SIGNATURE, PNG_SIGNATURE))
    ),
    stem=st.lists(
        st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789_-"), min_size=1, max_size=12
    ).map("".join),
    extension=st.sampled_from([".png", ".jpg", ".jpeg", ".PNG", ".JPG"]),
)
def test_from_folder_refuses_garbage_files_up_front_by_name(content, stem, extension):
    name = stem + extension
    assume(name != "good.png")
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "good.png"), "wb") as f:
            f.write(tf.io.encode_png(np.zeros((2, 2, 3), np.uint8)).numpy())
        with open(os.path.join(folder, name), "wb") as f:
            f.write(content)
        reason = "empty" if not content else f"starts with {content[:4]!r}"
        with pytest.raises(
            ValueError,
            match=re.escape(f"1 of the 2 image files in '{folder}' are empty, not JPEG/PNG")
            + ".*"
            + re.escape(f"{name} ({reason})"),
        ):
            from_folder(folder, image_size=2, batch_size=1)


def _encoded(extension, seed):
    pixels = np.random.default_rng(seed).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    if extension == ".png":
        return tf.io.encode_png(pixels).numpy()
    return tf.io.encode_jpeg(pixels, quality=90).numpy()


@settings(max_examples=20, deadline=None, database=None)
@given(
    extension=st.sampled_from([".png", ".jpg"]),
    seed=st.integers(0, 2**16),
    kept=st.floats(0.0, 0.95),
)
def test_from_folder_names_files_cut_short_up_front(extension, seed, kept):
    data = _encoded(extension, seed)
    cut = data[: max(len(PNG_SIGNATURE), int(len(data) * kept))]  # signature intact
    marker = "no PNG IEND chunk" if extension == ".png" else "no JPEG end marker"
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "good" + extension), "wb") as f:
            f.write(data)
        with open(os.path.join(folder, "cut" + extension), "wb") as f:
            f.write(cut)
        with pytest.raises(ValueError, match=re.escape(f"cut{extension} (cut short: {marker})")):
            from_folder(folder, image_size=2, batch_size=1)


def test_from_folder_damage_inside_a_file_fails_when_read():
    # Known gap (docs/errors.md): a file with an intact start and end passes the
    # up-front check; the decoder's error, which names no file, comes from the
    # pipeline.
    data = bytearray(_encoded(".png", 0))
    data[len(PNG_SIGNATURE) + 8 : -12] = b"\x00" * (len(data) - len(PNG_SIGNATURE) - 20)
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "broken.png"), "wb") as f:
            f.write(bytes(data))
        dataset = from_folder(folder, image_size=2, batch_size=1)
        with pytest.raises(tf.errors.InvalidArgumentError, match="PNG"):
            next(iter(dataset))


# ---------------------------------------------------------------------------
# The exported generator


@pytest.fixture(scope="module")
def exported():
    """A tiny conditional GAN and its SavedModel, exported once for the module."""
    gan = tiny_gan(num_classes=NUM_CLASSES)
    with tempfile.TemporaryDirectory() as folder:
        loaded = tf.saved_model.load(export_generator(gan, os.path.join(folder, "generator")))
        yield gan, loaded


def _latents(n, seed, width=LATENT_DIM):
    return np.random.default_rng(seed).normal(0, 2, (n, width)).astype(np.float32)


@settings(max_examples=25, deadline=None, database=None)
@given(n=st.integers(0, 16), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_exported_generator_matches_generate(exported, n, seed, data):
    gan, loaded = exported
    latents = _latents(n, seed)
    labels = np.array(
        data.draw(st.lists(st.integers(0, NUM_CLASSES - 1), min_size=n, max_size=n)), np.int32
    )
    images = loaded.serve(latents, labels)["images"]
    assert images.dtype == tf.float32
    assert tuple(images.shape) == (n, *IMAGE_SHAPE)
    if n > 0:
        np.testing.assert_allclose(images.numpy(), gan.generate(latents, labels), atol=1e-5)


@settings(max_examples=25, deadline=None, database=None)
@given(
    labels=st.lists(st.integers(INT32_MIN, INT32_MAX), min_size=1, max_size=8).filter(
        lambda labels: any(not 0 <= label < NUM_CLASSES for label in labels)
    ),
)
def test_exported_generator_refuses_labels_out_of_range(exported, labels):
    _, loaded = exported
    labels = np.array(labels, np.int32)
    if labels.min() >= 0:
        message = f"label must be < num_classes={NUM_CLASSES}"
    elif labels.max() < NUM_CLASSES:
        message = "label must be >= 0"
    else:  # both checks fail; either may report first
        message = f"label must be >= 0|label must be < num_classes={NUM_CLASSES}"
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        loaded.serve(_latents(len(labels), 0), labels)


@settings(max_examples=20, deadline=None, database=None)
@given(width=st.integers(0, 12), n=st.integers(1, 4))
def test_wrong_latent_width_is_refused(exported, width, n):
    assume(width != LATENT_DIM)
    gan, loaded = exported
    latents, labels = _latents(n, 0, width), np.zeros((n,), np.int32)
    # The SavedModel's input signature refuses it before running anything...
    with pytest.raises(
        TypeError,
        match=re.escape(f"Can not cast TensorSpec(shape=({n}, {width}), dtype=tf.float32"),
    ):
        loaded.serve(latents, labels)
    # ...and so does `generate`, with its own message.
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"Latent vectors must have shape (num_samples, {LATENT_DIM}). "
            f"Received: shape=({n}, {width})"
        ),
    ):
        gan.generate(latents, labels)


def test_generate_refuses_float_labels(exported):
    gan, _ = exported
    with pytest.raises(
        ValueError,
        match=re.escape("`labels` must be integer class ids. Received: labels.dtype=float32"),
    ):
        gan.generate(_latents(2, 0), np.array([1.7, 2.9], np.float32))


@pytest.mark.xfail(
    strict=True,
    raises=pytest.fail.Exception,
    reason="Known gap (docs/errors.md, gap 4): TensorFlow's binding of Python arguments to the "
    "SavedModel's int32 `label` spec casts NumPy float labels, truncating 1.7 to 1, before any "
    "of the model's code runs; `generate` refuses them.",
)
def test_exported_generator_refuses_float_numpy_labels(exported):
    _, loaded = exported
    with pytest.raises((TypeError, ValueError, tf.errors.InvalidArgumentError)):
        loaded.serve(_latents(2, 0), np.array([1.7, 2.9], np.float32))
