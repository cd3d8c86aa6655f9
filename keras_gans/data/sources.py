"""`load_dataset`: one entry point for every kind of data source."""

import difflib
import os

from keras_gans.data.arrays import from_arrays
from keras_gans.data.arrays import from_npz
from keras_gans.data.folder import from_folder
from keras_gans.data.mnist_sample import load_mnist_sample
from keras_gans.data.tfds_source import from_tfds

MNIST_SAMPLE = "mnist_sample"
VALID_SOURCES = (
    f"'{MNIST_SAMPLE}' (the 5,000 MNIST digits bundled with keras_gans)",
    "a path ending in '.npz'",
    "an existing folder of .jpg/.jpeg/.png images",
    "a TensorFlow Datasets name such as 'mnist', 'cifar10' or 'celeb_a'",
)


def _tfds_base_name(name):
    """`"celeb_a"` from `"celeb_a"`, `"mnist:3.*.*"` or `"cifar10/config:1.0.0"`."""
    return name.split(":")[0].split("/")[0]


def load_dataset(source="mnist_sample", **kwargs):
    """Make a batched `tf.data.Dataset` of images in [-1, 1] from any kind of source.

    Dispatches on `source`, in this order:

    - `"mnist_sample"`: the MNIST digits bundled with the package, with labels
      (`load_mnist_sample` then `from_arrays`).
    - a path ending in `.npz`: `from_npz`.
    - an existing folder: `from_folder`.
    - a TensorFlow Datasets name, e.g. `"mnist"` or `"celeb_a"`: `from_tfds`.

    Args:
        source: str or path-like. The data source. Defaults to `"mnist_sample"`.
        **kwargs: passed to the function the source dispatches to, e.g.
            `batch_size`, `shuffle`, `seed`, `drop_remainder`, and `image_size`.

    Returns:
        A `tf.data.Dataset` of float32 image batches, or of `(images, labels)`
        tuples with int32 labels when the source has labels.

    Example:

    ```python
    import keras_gans

    digits = keras_gans.data.load_dataset("mnist_sample", batch_size=64, seed=0)
    faces = keras_gans.data.load_dataset("img_align_celeba", image_size=64)
    cifar = keras_gans.data.load_dataset("cifar10", batch_size=128)
    ```
    """
    if isinstance(source, str) and source == MNIST_SAMPLE:
        images, labels = load_mnist_sample()
        return from_arrays(images, labels, **kwargs)
    if not isinstance(source, (str, os.PathLike)):
        raise ValueError(
            f"`source` must be a string or a path. Valid sources: "
            f"{'; '.join(VALID_SOURCES)}. Received: source={source!r}"
        )
    path = os.fspath(source)
    if path.lower().endswith(".npz"):
        return from_npz(path, **kwargs)
    if os.path.isdir(path):
        return from_folder(path, **kwargs)

    import tensorflow_datasets as tfds

    known = tfds.list_builders(with_community_datasets=False)
    if isinstance(source, str) and _tfds_base_name(source) in known:
        return from_tfds(source, **kwargs)

    if os.path.exists(path):
        reason = "it is a file, but not a '.npz' file"
    else:
        reason = "no such file or folder, and not a TFDS dataset name"
    close = difflib.get_close_matches(
        _tfds_base_name(path), [MNIST_SAMPLE, *known], n=3, cutoff=0.75
    )
    hint = f" Did you mean {' or '.join(repr(m) for m in close)}?" if close else ""
    raise ValueError(
        f"Unknown data source {path!r}: {reason}.{hint} Valid sources: "
        f"{'; '.join(VALID_SOURCES)}. Received: source={source!r}"
    )
