"""Datasets from TensorFlow Datasets (TFDS)."""

import tensorflow as tf

from keras_gans.data.pipeline import _build_pipeline
from keras_gans.data.pipeline import _check_image_args
from keras_gans.data.pipeline import _check_pipeline_args
from keras_gans.data.pipeline import _convert_channels
from keras_gans.data.pipeline import _crop_and_resize
from keras_gans.data.position import draw_seed
from keras_gans.utils import validation

IMAGE_FEATURE = "image"
LABEL_FEATURE = "label"


class DownloadFailedError(RuntimeError):
    """TFDS could not download a dataset; the message names the offline alternatives."""

    def __init__(self, name, cause):
        folder = "path/to/img_align_celeba" if "celeb" in name else "path/to/images"
        super().__init__(
            f"TensorFlow Datasets could not download {name!r}: {type(cause).__name__}: "
            f"{cause}\nWithout a network, or when a mirror refuses the download (the CelebA "
            "files on Google Drive often exceed their download quota, a known TFDS "
            "problem), load the images from a folder instead: "
            f"`keras_gans.data.load_dataset('{folder}')`, or `--data={folder}` for the "
            "examples and the command line; a `.npz` file of arrays works too. Datasets "
            "TFDS has already prepared in `data_dir` load without a network."
        )


def _download_failures():
    """The exceptions by which `tfds.load` reports a failed download."""
    import tensorflow_datasets as tfds
    from tensorflow_datasets.core.download import download_manager

    return (OSError, tfds.download.DownloadError, download_manager.NonMatchingChecksumError)


def _tfds_load_fn(features, name, image_size=None, channels=None, crop="center", crop_size=None):
    """Return a function mapping one TFDS example to `image` or `(image, label)`.

    Checks the dataset's features up front: an `"image"` feature of uint8 pixels,
    and, when present, a scalar integer `"label"` feature.

    Args:
        features: the dataset's `tfds.features.FeaturesDict`, or a dict mapping
            feature names to objects with `shape` and `dtype`.
        name: str. The dataset name, for error messages.
        image_size, channels, crop, crop_size: as in `from_tfds`.
    """
    keys = sorted(features.keys())
    if IMAGE_FEATURE not in keys:
        raise ValueError(
            f"The TFDS dataset '{name}' has no {IMAGE_FEATURE!r} feature. Its features: {keys}"
        )
    image_feature = features[IMAGE_FEATURE]
    image_shape = tuple(image_feature.shape)
    if tf.as_dtype(image_feature.dtype) != tf.uint8 or len(image_shape) != 3:
        raise ValueError(
            f"The {IMAGE_FEATURE!r} feature of '{name}' must hold uint8 images of "
            "shape (H, W, C). "
            f"Received: dtype={tf.as_dtype(image_feature.dtype).name}, shape={image_shape}"
        )
    source_channels = image_shape[-1]
    if source_channels is None:
        raise ValueError(
            f"The images of '{name}' have no fixed number of channels, which is not "
            f"supported. Received: shape={image_shape}"
        )
    if channels is not None and channels != source_channels and source_channels not in (1, 3, 4):
        raise ValueError(
            f"Cannot convert the {source_channels}-channel images of '{name}' to "
            f"{channels} channels; only grey (1), RGB (3) and RGBA (4) images are "
            f"converted. Received: channels={channels}"
        )
    if image_size is None and None in image_shape[:2]:
        raise ValueError(
            f"The images of '{name}' vary in size (shape {image_shape}), so they "
            "cannot be batched as they are. Pass image_size= to crop and resize them."
        )
    out_channels = channels if channels is not None else source_channels

    has_label = LABEL_FEATURE in keys
    if has_label:
        label_feature = features[LABEL_FEATURE]
        label_dtype = tf.as_dtype(label_feature.dtype)
        if tuple(label_feature.shape) != () or not label_dtype.is_integer:
            raise ValueError(
                f"The {LABEL_FEATURE!r} feature of '{name}' must be a scalar integer "
                f"class id. Received: dtype={label_dtype.name}, "
                f"shape={tuple(label_feature.shape)}"
            )

    def load_fn(example):
        image = example[IMAGE_FEATURE]
        image = _convert_channels(image, source_channels, out_channels)
        if image_size is not None:
            image = tf.ensure_shape(image, (None, None, out_channels))
            image = _crop_and_resize(image, image_size, crop, crop_size)
        if has_label:
            return image, tf.cast(example[LABEL_FEATURE], tf.int32)
        return image

    return load_fn


def from_tfds(
    name,
    split="train",
    image_size=None,
    channels=None,
    crop="center",
    crop_size=None,
    batch_size=64,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    cache=False,
    shuffle_buffer_size=None,
    data_dir=None,
):
    """Make a batched `tf.data.Dataset` of images in [-1, 1] from a TFDS dataset.

    Loads `tfds.load(name, split=split)` (downloading and preparing the dataset the
    first time) and keeps the `"image"` feature, and the `"label"` feature as int32
    when the dataset has one. With `image_size`, images are centre-cropped and
    resized as in `from_folder`. With `shuffle=True` TFDS reads its files in one
    seeded order, and the examples go through a shuffle buffer seeded by `seed` and
    the epoch, so `AdversarialModel.fit` replays each epoch's order in a run
    resumed from a backup (`keras_gans.data.position`).

    Args:
        name: str. TFDS name, optionally with config and version, e.g. `"mnist"`,
            `"celeb_a"`, `"cifar10:3.*.*"`.
        split: str. Split, with TFDS slicing if wanted, e.g. `"train[:10%]"`.
            Defaults to `"train"`.
        image_size: int or None. Side of the square output images; `None` keeps
            the dataset's size, which must then be fixed. Defaults to `None`.
        channels: int or None. `1` (grey) or `3` (RGB), converting if needed;
            `None` keeps the dataset's channels. Defaults to `None`.
        crop: `"center"` or None. How to crop before resizing, as in
            `from_folder`; used only with `image_size`. Defaults to `"center"`.
        crop_size: int or None. Side of the centre square to crop, as in
            `from_folder`; needs `image_size`. Defaults to `None`.
        batch_size: int. Images per batch. Defaults to `64`.
        shuffle: bool. Whether to shuffle, anew each epoch. Defaults to `True`.
        seed: int or None. Seed of the file and example shuffles; `None` draws
            one. Defaults to `None`.
        drop_remainder: bool. Whether to drop the last, smaller batch. Defaults to
            `True`.
        cache: bool. Keep the processed uint8 images in memory after the first
            epoch. Defaults to `False`.
        shuffle_buffer_size: int or None. Shuffle buffer size, in examples; `None`
            means `min(num_examples, 10_000)`. Defaults to `None`.
        data_dir: str or None. TFDS data directory; `None` uses the TFDS default
            (`~/tensorflow_datasets`). Defaults to `None`.

    Returns:
        A `tf.data.Dataset` of float32 batches `(B, H, W, C)`, or of
        `(images, labels)` tuples with int32 labels when the dataset has labels.

    Example:

    ```python
    import keras_gans

    dataset = keras_gans.data.from_tfds("mnist", batch_size=128)
    images, labels = next(iter(dataset))  # (128, 28, 28, 1), (128,)
    faces = keras_gans.data.from_tfds("celeb_a", image_size=64, crop_size=108)
    ```
    """
    import tensorflow_datasets as tfds

    _check_pipeline_args(batch_size, shuffle, seed, drop_remainder, shuffle_buffer_size)
    _check_image_args(image_size, channels, crop, crop_size)
    if image_size is None and crop_size is not None:
        raise ValueError(
            "`crop_size` needs `image_size`. "
            f"Received: image_size={image_size!r}, crop_size={crop_size!r}"
        )
    validation.check_bool(cache, "cache")

    seed = draw_seed(seed)
    try:
        dataset, info = tfds.load(
            name,
            split=split,
            shuffle_files=shuffle,
            # The files keep one seeded order on every pass; the examples are
            # shuffled per epoch by a buffer keyed by the seed and the epoch
            # (keras_gans.data.position), so a resumed training replays them.
            read_config=tfds.ReadConfig(shuffle_seed=seed, shuffle_reshuffle_each_iteration=False),
            with_info=True,
            data_dir=data_dir,
        )
    except _download_failures() as e:
        raise DownloadFailedError(name, e) from e
    load_fn = _tfds_load_fn(info.features, name, image_size, channels, crop, crop_size)
    cardinality = int(dataset.cardinality())
    num_examples = cardinality if cardinality >= 0 else None
    return _build_pipeline(
        dataset,
        load_fn,
        num_examples=num_examples,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
        shuffle_buffer_size=shuffle_buffer_size,
        cache=cache,
        cheap_elements=False,
    )
