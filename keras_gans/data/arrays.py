"""Datasets from in-memory arrays and from `.npz` files."""

import os

import numpy as np
import tensorflow as tf

from keras_gans.data.pipeline import _build_indexed_pipeline
from keras_gans.data.pipeline import _build_pipeline
from keras_gans.data.pipeline import _check_image_args
from keras_gans.data.pipeline import _check_pipeline_args
from keras_gans.data.pipeline import _crop_and_resize
from keras_gans.utils.validation import warn_if_unit_range

# Keys tried, in order, when `from_npz` is not told which array holds what.
NPZ_IMAGE_KEYS = ("images", "x_train", "x")
NPZ_LABEL_KEYS = ("labels", "y_train", "y")


def _prepare_images(images):
    """Validate images and return them as uint8 or float32 (N, H, W, C) NumPy arrays."""
    if isinstance(images, tf.Tensor):
        images = images.numpy()
    images = np.asarray(images)
    received_shape = images.shape
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4:
        raise ValueError(
            "`images` must have rank 3 (N, H, W) or rank 4 (N, H, W, C). "
            f"Received: images.shape={received_shape}"
        )
    if images.shape[0] == 0:
        raise ValueError(f"`images` holds zero images. Received: images.shape={received_shape}")
    if 0 in images.shape[1:]:
        raise ValueError(
            f"`images` has an empty height, width or channel axis. "
            f"Received: images.shape={received_shape}"
        )
    dtype = images.dtype
    if np.issubdtype(dtype, np.integer):
        if dtype == np.uint8:
            return images
        low, high = int(images.min()), int(images.max())
        if low < 0 or high > 255:
            raise ValueError(
                "Integer `images` are read as pixel values in [0, 255]. Rescale them "
                "to [0, 255] (uint8), or pass floats in [-1, 1]. "
                f"Received: images.dtype={dtype}, min={low}, max={high}"
            )
        return images.astype(np.uint8)
    if np.issubdtype(dtype, np.floating):
        low, high = float(images.min()), float(images.max())
        if not (np.isfinite(low) and np.isfinite(high)):
            raise ValueError(
                "Float `images` contain NaN or infinite values. "
                f"Received: images.dtype={dtype}, min={low}, max={high}"
            )
        if low < -1.0 or high > 1.0:
            raise ValueError(
                "Float `images` must already lie in [-1, 1]. For images in [0, 1] "
                "pass `images * 2 - 1`; for pixel values in [0, 255] pass them as "
                "uint8 (`images.astype('uint8')`) and they are scaled for you. "
                f"Received: images.dtype={dtype}, min={low}, max={high}"
            )
        warn_if_unit_range(low, high, "`images`")
        return images.astype(np.float32, copy=False)
    raise ValueError(
        "`images` must hold integers (uint8 pixel values in [0, 255]) or floats in "
        f"[-1, 1]. Received: images.dtype={dtype}"
    )


def _prepare_labels(labels, num_images):
    """Validate labels and return them as an int32 (N,) NumPy array."""
    if isinstance(labels, tf.Tensor):
        labels = labels.numpy()
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]  # (N, 1) labels, as in CIFAR-10, become (N,).
    if labels.ndim != 1:
        raise ValueError(
            "`labels` must be a 1-D array of class ids, one per image. "
            f"Received: labels.shape={labels.shape}"
        )
    if len(labels) != num_images:
        raise ValueError(
            "`labels` must have one entry per image. "
            f"Received: len(labels)={len(labels)}, len(images)={num_images}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            "`labels` must be integer class ids (e.g. `labels.astype('int32')` if "
            f"they are whole numbers). Received: labels.dtype={labels.dtype}"
        )
    low, high = int(labels.min()), int(labels.max())
    if low < 0:
        raise ValueError(f"`labels` must be class ids >= 0. Received: min(labels)={low}")
    if high > np.iinfo(np.int32).max:
        raise ValueError(f"`labels` must fit in int32. Received: max(labels)={high}")
    return labels.astype(np.int32)


def from_arrays(
    images,
    labels=None,
    batch_size=64,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    shuffle_buffer_size=None,
    image_size=None,
):
    """Make a batched `tf.data.Dataset` of images in [-1, 1] from in-memory arrays.

    Integer images are read as pixel values in [0, 255] and scaled with
    `x / 127.5 - 1`, so 0 becomes -1 and 255 becomes 1. Float images must already
    lie in [-1, 1] and are only cast to float32. The arrays are held once as
    tensors; the shuffle works on indices, so it is a full shuffle of the dataset
    without a copy of the images.

    Args:
        images: array. Images of shape `(N, H, W, C)`, or `(N, H, W)` for grey
            images, which get a channel axis. uint8 (or other integers in
            [0, 255]), or floats in [-1, 1].
        labels: array or None. Integer class ids `>= 0` of shape `(N,)` (or
            `(N, 1)`). When given, the dataset yields `(images, labels)` with int32
            labels. Defaults to `None`.
        batch_size: int. Images per batch. Defaults to `64`.
        shuffle: bool. Whether to shuffle the images, anew each epoch. Defaults
            to `True`.
        seed: int or None. Seed of the shuffle: the same seed gives the same
            order. Each epoch is a permutation keyed by the seed and the epoch
            (`keras_gans.data.position`), so `AdversarialModel.fit` replays it
            in a run resumed from a backup. `None` draws a seed.
            Defaults to `None`.
        drop_remainder: bool. Whether to drop the last batch if it is smaller than
            `batch_size`, so that every batch has a static shape. `batch_size`
            must then not exceed `N`. Defaults to `True`.
        shuffle_buffer_size: int or None. Shuffle buffer size; `None` shuffles the
            whole dataset by a permutation. A size shuffles through a buffer of
            that size instead, seeded by `seed` and the epoch. Defaults to `None`.
        image_size: int or None. If given, images are centre-cropped to a square
            (if they are not square) and resized to `image_size` x `image_size`
            in the pipeline with an antialiased bilinear filter, e.g. `32` to give
            MNIST digits a power-of-two size. `None` keeps their size. Defaults
            to `None`.

    Returns:
        A `tf.data.Dataset` of float32 batches `(B, H, W, C)`, or of
        `(images, labels)` tuples with int32 labels `(B,)`.

    Example:

    ```python
    import numpy as np
    import keras_gans

    images = np.random.randint(0, 256, size=(256, 28, 28), dtype="uint8")
    labels = np.random.randint(0, 10, size=(256,))
    dataset = keras_gans.data.from_arrays(images, labels, batch_size=32, seed=0)
    batch_images, batch_labels = next(iter(dataset))  # (32, 28, 28, 1), (32,)
    ```
    """
    _check_pipeline_args(batch_size, shuffle, seed, drop_remainder, shuffle_buffer_size)
    _check_image_args(image_size, None, "center", None)
    images = _prepare_images(images)
    num_examples = images.shape[0]
    image_tensor = tf.convert_to_tensor(images)

    def load_image(index):
        image = tf.gather(image_tensor, index)
        if image_size is not None:
            image = _crop_and_resize(image, image_size)
        return image

    if labels is None:
        load_fn = load_image
    else:
        label_tensor = tf.convert_to_tensor(_prepare_labels(labels, num_examples))

        def load_fn(index):
            return load_image(index), tf.gather(label_tensor, index)

    order = {
        "num_examples": num_examples,
        "batch_size": batch_size,
        "shuffle": shuffle,
        "seed": seed,
        "drop_remainder": drop_remainder,
    }
    if shuffle_buffer_size is None:
        return _build_indexed_pipeline(load_fn, **order)
    return _build_pipeline(
        tf.data.Dataset.range(num_examples),
        load_fn,
        shuffle_buffer_size=shuffle_buffer_size,
        **order,
    )


def _pick_key(keys, requested, candidates, role, path):
    """Return the requested key or the first candidate present (None if none is)."""
    if requested is not None:
        if requested not in keys:
            raise ValueError(
                f"The file '{path}' has no array named {requested!r} for the {role}. "
                f"Keys in the file: {sorted(keys)}. "
                f"Received: {role[:-1]}_key={requested!r}"
            )
        return requested
    for key in candidates:
        if key in keys:
            return key
    return None


def from_npz(path, image_key=None, label_key=None, **pipeline_kwargs):
    """Make a batched `tf.data.Dataset` of images in [-1, 1] from a `.npz` file.

    Without `image_key`, the images are the first of the arrays `images`,
    `x_train`, `x` found in the file; without `label_key`, the labels are the first
    of `labels`, `y_train`, `y` found, if any (Keras' `mnist.npz` thus gives its
    training split with labels). The arrays then go through `from_arrays`.

    Args:
        path: str or path-like. The `.npz` file.
        image_key: str or None. Name of the image array. Defaults to `None`
            (detected).
        label_key: str or None. Name of the label array. Defaults to `None`
            (detected; the dataset has no labels if none of the usual names is
            present).
        **pipeline_kwargs: passed to `from_arrays`: `batch_size`, `shuffle`,
            `seed`, `drop_remainder`, `shuffle_buffer_size`.

    Returns:
        A `tf.data.Dataset` as returned by `from_arrays`.

    Example:

    ```python
    import numpy as np
    import keras_gans

    np.savez("digits.npz", x_train=np.zeros((128, 28, 28), "uint8"),
             y_train=np.zeros((128,), "uint8"))
    dataset = keras_gans.data.from_npz("digits.npz", batch_size=64)
    images, labels = next(iter(dataset))  # (64, 28, 28, 1) float32, (64,) int32
    ```
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ValueError(f"No such .npz file. Received: path='{path}'")
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise ValueError(
            f"Could not read '{path}' as a NumPy .npz file ({error}). Received: path='{path}'"
        ) from error
    if not hasattr(archive, "files"):
        raise ValueError(
            f"'{path}' holds a single array, not a .npz archive of named arrays. "
            f"Received: path='{path}'"
        )
    with archive:
        keys = list(archive.files)
        image_name = _pick_key(keys, image_key, NPZ_IMAGE_KEYS, "images", path)
        if image_name is None:
            raise ValueError(
                f"Could not find the images in '{path}': none of the keys "
                f"{list(NPZ_IMAGE_KEYS)} is present. Keys in the file: {sorted(keys)}. "
                "Pass image_key= with one of them."
            )
        label_name = _pick_key(keys, label_key, NPZ_LABEL_KEYS, "labels", path)
        images = archive[image_name]
        labels = archive[label_name] if label_name is not None else None
    return from_arrays(images, labels, **pipeline_kwargs)
