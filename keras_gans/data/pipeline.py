"""The tf.data pipeline shared by every data source, and its image transforms.

Every source (arrays, `.npz` files, image folders, TFDS) describes itself as a
`tf.data.Dataset` of cheap elements (indices, file names, or TFDS examples) and a
`load_fn` that turns one element into a uint8 (or already scaled float) image, and
optionally an int32 label, using TensorFlow ops only. Sources with random access
(arrays, files) go through `_build_indexed_pipeline`, which shuffles by a
permutation of the whole dataset; `_build_pipeline` applies these steps to the
others (TFDS, caches, explicit shuffle buffers). Both order each epoch by the
seed and the epoch, positioned by the training step (`keras_gans.data.position`):

    shuffle (seed, epoch) -> skip into the epoch -> map(load_fn, scale to [-1, 1])
        -> batch -> prefetch

With `cache=True` the decoded uint8 images are cached before the shuffle instead:

    map(load_fn) -> cache -> shuffle -> skip -> map(scale to [-1, 1]) -> batch -> prefetch

A source of unknown size cannot be positioned; it is shuffled by `tf.data`'s
reshuffle of each iteration.
"""

import tensorflow as tf

from keras_gans.data.position import draw_seed
from keras_gans.data.position import indexed_pipeline
from keras_gans.data.position import positioned_pipeline
from keras_gans.utils import validation

# Shuffle buffer used by default when the elements being shuffled are images (TFDS
# examples, or cached decoded images) rather than indices or file names: 10,000
# images of 64x64x3 uint8 take 120 MB.
DEFAULT_IMAGE_SHUFFLE_BUFFER = 10_000

CROP_MODES = ("center", None)


def _check_pipeline_args(batch_size, shuffle, seed, drop_remainder, shuffle_buffer_size):
    """Raise `ValueError` for bad pipeline arguments."""
    validation.check_positive_int(batch_size, "batch_size")
    validation.check_bool(shuffle, "shuffle")
    if seed is not None and not validation.is_int(seed):
        raise ValueError(f"`seed` must be an integer or None. Received: seed={seed!r}")
    validation.check_bool(drop_remainder, "drop_remainder")
    validation.check_positive_int(shuffle_buffer_size, "shuffle_buffer_size", allow_none=True)


def _check_image_args(image_size, channels, crop, crop_size, allowed_channels=(1, 3)):
    """Raise `ValueError` for bad `image_size`, `channels`, `crop` or `crop_size`."""
    if image_size is not None and (not validation.is_int(image_size) or image_size < 1):
        raise ValueError(
            f"`image_size` must be a positive integer. Received: image_size={image_size!r}"
        )
    if channels is not None and (
        not validation.is_int(channels) or channels not in allowed_channels
    ):
        raise ValueError(
            f"`channels` must be one of {allowed_channels}. Received: channels={channels!r}"
        )
    if crop not in CROP_MODES:
        raise ValueError(f"`crop` must be one of {CROP_MODES}. Received: crop={crop!r}")
    if crop_size is not None:
        if not validation.is_int(crop_size) or crop_size < 1:
            raise ValueError(
                f"`crop_size` must be a positive integer or None. Received: crop_size={crop_size!r}"
            )
        if crop is None:
            raise ValueError(
                "`crop_size` needs `crop='center'`. "
                f"Received: crop={crop!r}, crop_size={crop_size!r}"
            )


def _center_crop(image, crop_size=None):
    """Crop the centre square of an (H, W, C) image.

    The square's side is `crop_size`, or the shorter side of the image when
    `crop_size` is None. Odd margins leave the extra row or column at the bottom or
    right.
    """
    shape = tf.shape(image)
    height, width = shape[0], shape[1]
    if crop_size is None:
        side = tf.minimum(height, width)
    else:
        side = tf.constant(crop_size, dtype=height.dtype)
        check = tf.debugging.assert_less_equal(
            side,
            tf.minimum(height, width),
            message=f"crop_size={crop_size} is larger than the shorter side of an image",
        )
        with tf.control_dependencies([check]):
            side = tf.identity(side)
    top = (height - side) // 2
    left = (width - side) // 2
    return image[top : top + side, left : left + side]


def _resize(image, image_size):
    """Resize an (H, W, C) image to `image_size` squared with an antialiased filter.

    uint8 images come back as uint8, rounded: images then stay on the same
    256-level grid as the source whether or not they are cached (the rounding error
    is at most half a level). Float images come back as float32 in [-1, 1].
    """
    resized = tf.image.resize(image, (image_size, image_size), method="bilinear", antialias=True)
    if image.dtype == tf.uint8:
        return tf.cast(tf.clip_by_value(tf.round(resized), 0.0, 255.0), tf.uint8)
    return tf.clip_by_value(resized, -1.0, 1.0)


def _crop_and_resize(image, image_size, crop="center", crop_size=None):
    """Centre-crop (unless `crop` is None) and resize an image to a square."""
    channels = image.shape[-1]
    if crop == "center":
        image = _center_crop(image, crop_size)
    image = _resize(image, image_size)
    return tf.ensure_shape(image, (image_size, image_size, channels))


def _convert_channels(image, source_channels, channels):
    """Convert a uint8 image between grey (1), RGB (3) and RGBA (4; alpha is dropped)."""
    if channels is None or channels == source_channels:
        return image
    if source_channels == 4:
        image = image[..., :3]
        source_channels = 3
    if source_channels == 3 and channels == 1:
        return tf.image.rgb_to_grayscale(image)
    if source_channels == 1 and channels == 3:
        return tf.image.grayscale_to_rgb(image)
    return image


def _to_unit_range(image):
    """Map uint8 [0, 255] to float32 [-1, 1]; float images are only cast to float32."""
    if image.dtype == tf.uint8:
        return tf.cast(image, tf.float32) / 127.5 - 1.0
    return tf.cast(image, tf.float32)


def _scale_element(*element):
    """Scale the image of an `image` or `(image, label)` element to [-1, 1]."""
    if len(element) == 1:
        return _to_unit_range(element[0])
    image, label = element
    return _to_unit_range(image), label


def _check_batch_fits(batch_size, num_examples, drop_remainder):
    """Raise `ValueError` when `drop_remainder` would leave no batch at all."""
    if drop_remainder and num_examples is not None and batch_size > num_examples:
        raise ValueError(
            f"`batch_size` ({batch_size}) is larger than the number of examples "
            f"({num_examples}), so with drop_remainder=True no batch would be produced. "
            "Pass a smaller batch_size or drop_remainder=False. "
            f"Received: batch_size={batch_size}, num_examples={num_examples}"
        )


def _scale_loaded(loaded):
    """Scale what a `load_fn` returned: an image or an `(image, label)` tuple."""
    if isinstance(loaded, tuple):
        return _scale_element(*loaded)
    return _scale_element(loaded)


def _build_indexed_pipeline(load_fn, *, num_examples, batch_size, shuffle, seed, drop_remainder):
    """Load, scale, batch and prefetch examples 0..num_examples-1 in positioned order.

    Each epoch's order is a permutation of all the examples keyed by the seed
    and the epoch (`keras_gans.data.position.indexed_pipeline`), so a resumed
    training replays it; skipping into an epoch loads nothing.

    Args:
        load_fn: function of an int64 index returning a uint8 or float image, or
            an `(image, label)` tuple; TensorFlow ops only.
        num_examples: int. Number of examples.
        batch_size, shuffle, seed, drop_remainder: as `_build_pipeline`.
    """
    _check_batch_fits(batch_size, num_examples, drop_remainder)
    return indexed_pipeline(
        lambda index: _scale_loaded(load_fn(index)),
        num_examples=num_examples,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
    )


def _build_pipeline(
    dataset,
    load_fn,
    *,
    num_examples,
    batch_size,
    shuffle,
    seed,
    drop_remainder,
    shuffle_buffer_size=None,
    cache=False,
    cheap_elements=True,
):
    """Shuffle, load, scale, batch and prefetch a dataset of source elements.

    With a known `num_examples` the order is positioned (see
    `keras_gans.data.position`): each epoch goes through a shuffle buffer
    seeded by the seed and the epoch, so a resumed training replays it.

    Args:
        dataset: `tf.data.Dataset` of source elements (indices, file names, TFDS
            examples), in the same order on every pass.
        load_fn: function of one element returning a uint8 or float image, or an
            `(image, label)` tuple; TensorFlow ops only.
        num_examples: int or None. Number of elements, used to check `batch_size`,
            as the default shuffle buffer and to position the order. None when
            unknown (the order is then `tf.data`'s reshuffle).
        batch_size: int. Images per batch.
        shuffle: bool. Whether to shuffle the elements.
        seed: int or None. Seed of the shuffle.
        drop_remainder: bool. Whether to drop the last, smaller batch.
        shuffle_buffer_size: int or None. Size of the shuffle buffer. None means the
            whole dataset when the shuffled elements are cheap, otherwise
            `min(num_examples, 10_000)`.
        cache: bool. Cache the loaded uint8 images in memory after the first epoch;
            the shuffle then comes after the cache.
        cheap_elements: bool. Whether the source elements are cheap to hold
            (indices, file names) so that a full shuffle buffer is the default.
    """
    _check_batch_fits(batch_size, num_examples, drop_remainder)
    if shuffle_buffer_size is None:
        if cheap_elements and not cache and num_examples is not None:
            shuffle_buffer_size = num_examples
        elif num_examples is not None:
            shuffle_buffer_size = min(num_examples, DEFAULT_IMAGE_SHUFFLE_BUFFER)
        else:
            shuffle_buffer_size = DEFAULT_IMAGE_SHUFFLE_BUFFER
    shuffle_buffer_size = max(int(shuffle_buffer_size), 1)

    if cache:
        dataset = dataset.map(load_fn, num_parallel_calls=tf.data.AUTOTUNE).cache()
        map_fn = _scale_element
    else:

        def map_fn(*element):
            return _scale_loaded(load_fn(*element))

    if num_examples is None:
        if shuffle:
            dataset = dataset.shuffle(shuffle_buffer_size, seed=seed, reshuffle_each_iteration=True)
        dataset = dataset.map(map_fn, num_parallel_calls=tf.data.AUTOTUNE)
        dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
        return dataset.prefetch(tf.data.AUTOTUNE)

    seed = tf.constant(draw_seed(seed), tf.int64)
    source = dataset

    def epoch_elements(key, skip):
        elements = source
        if shuffle:
            # One seed per (seed, key); seeds below 2**31 and keys far below
            # 2**32 do not collide.
            elements = elements.shuffle(
                shuffle_buffer_size, seed=seed * 2**32 + key, reshuffle_each_iteration=False
            )
        return elements.skip(skip).map(map_fn, num_parallel_calls=tf.data.AUTOTUNE)

    return positioned_pipeline(
        epoch_elements,
        num_examples=num_examples,
        batch_size=batch_size,
        drop_remainder=drop_remainder,
    )
