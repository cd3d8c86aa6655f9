"""Datasets from a folder of JPEG and PNG files."""

import os

import tensorflow as tf

from keras_gans.data.pipeline import _build_indexed_pipeline
from keras_gans.data.pipeline import _build_pipeline
from keras_gans.data.pipeline import _check_image_args
from keras_gans.data.pipeline import _check_pipeline_args
from keras_gans.data.pipeline import _crop_and_resize
from keras_gans.utils import validation

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")
JPEG_SIGNATURE = b"\xff\xd8\xff"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A JPEG ends with its end-of-image marker and a PNG with its IEND chunk, which
# may be followed by padding: the check looks for them in the last bytes.
JPEG_END = b"\xff\xd9"
PNG_END = b"IEND"
TAIL_BYTES = 4096
# At most this many bad files are named in an error message.
MAX_LISTED_FILES = 10


def _list_image_files(path):
    """Return the sorted paths of the JPEG/PNG files directly inside `path`."""
    if not os.path.exists(path):
        raise ValueError(
            f"The image folder does not exist. Expected a folder of "
            f"{'/'.join(IMAGE_EXTENSIONS)} files. Received: path='{path}'"
        )
    if not os.path.isdir(path):
        raise ValueError(
            f"Expected a folder of {'/'.join(IMAGE_EXTENSIONS)} files, but this is not "
            f"a folder. Received: path='{path}'"
        )
    with os.scandir(path) as entries:
        names = sorted(
            entry.name
            for entry in entries
            if entry.is_file() and entry.name.lower().endswith(IMAGE_EXTENSIONS)
        )
    if not names:
        raise ValueError(
            f"Found no image files in the folder '{path}'. Looked (not recursively) "
            f"for files ending in {', '.join(IMAGE_EXTENSIONS)} (any case). "
            f"Received: path='{path}'"
        )
    return [os.path.join(path, name) for name in names]


def _check_signatures(files, path):
    """Raise `ValueError` naming the files that are empty, not JPEG/PNG, or cut short.

    Reads the first 8 and the last 4,096 bytes of each file: a JPEG must start
    with its signature and end with its end-of-image marker, a PNG likewise with
    its signature and IEND chunk, so truncated files (a broken copy or download)
    are named here rather than failing the decoder later. Damage in the middle
    of a file is found only when it is decoded.
    """
    bad = []
    for file in files:
        try:
            with open(file, "rb") as f:
                head = f.read(len(PNG_SIGNATURE))
                size = f.seek(0, os.SEEK_END)
                # The end, without the signature when the file is that short.
                f.seek(max(size - TAIL_BYTES, len(head)))
                tail = f.read()
        except OSError as error:
            bad.append(f"{os.path.basename(file)} (unreadable: {error.strerror})")
            continue
        if not head:
            bad.append(f"{os.path.basename(file)} (empty)")
        elif head.startswith(JPEG_SIGNATURE):
            if JPEG_END not in tail:
                bad.append(f"{os.path.basename(file)} (cut short: no JPEG end marker)")
        elif head.startswith(PNG_SIGNATURE):
            if PNG_END not in tail:
                bad.append(f"{os.path.basename(file)} (cut short: no PNG IEND chunk)")
        else:
            bad.append(f"{os.path.basename(file)} (starts with {head[:4]!r})")
    if bad:
        listed = ", ".join(bad[:MAX_LISTED_FILES])
        more = f", and {len(bad) - MAX_LISTED_FILES} more" if len(bad) > MAX_LISTED_FILES else ""
        raise ValueError(
            f"{len(bad)} of the {len(files)} image files in '{path}' are empty, not "
            f"JPEG/PNG files or cut short: {listed}{more}. Remove or replace them."
        )


def from_folder(
    path,
    image_size=64,
    channels=3,
    crop="center",
    crop_size=None,
    batch_size=64,
    shuffle=True,
    seed=None,
    drop_remainder=True,
    cache=False,
    shuffle_buffer_size=None,
    start=0,
    stop=None,
):
    """Make a batched `tf.data.Dataset` of images in [-1, 1] from a folder of files.

    Takes every `.jpg`, `.jpeg` and `.png` file (any case) directly inside `path`,
    in sorted order, and checks up front, from their first bytes, that none is
    empty or other than JPEG/PNG. The files are decoded in the pipeline with
    `tf.io.decode_image` in parallel, centre-cropped to a square, resized to
    `image_size` x `image_size` with an antialiased bilinear filter, rounded to
    8 bits and scaled to [-1, 1]. The shuffle works on file names, so by default
    it is a full shuffle that holds no images. A CelebA folder (`img_align_celeba`)
    works unchanged.

    Args:
        path: str or path-like. The folder of images.
        image_size: int. Side of the square output images. Defaults to `64`.
        channels: int. `3` for RGB (grey files are converted), `1` for grey (colour
            files are converted). Defaults to `3`.
        crop: `"center"` or None. `"center"` crops the centre square (its side is
            the shorter side of the image, or `crop_size`) before resizing; None
            resizes the whole image, changing its aspect ratio. Defaults to
            `"center"`.
        crop_size: int or None. Side of the centre square to crop, e.g. `108` for
            the classic DCGAN crop of 178x218 CelebA images; every image must be at
            least this large. `None` crops the largest centre square. Defaults to
            `None`.
        batch_size: int. Images per batch. Defaults to `64`.
        shuffle: bool. Whether to shuffle the files, anew each epoch. Defaults to
            `True`.
        seed: int or None. Seed of the shuffle: the same seed gives the same
            order. Each epoch is a permutation keyed by the seed and the epoch
            (`keras_gans.data.position`), so `AdversarialModel.fit` replays it
            in a run resumed from a backup. `None` draws a seed.
            Defaults to `None`.
        drop_remainder: bool. Whether to drop the last batch if it is smaller than
            `batch_size`. `batch_size` must then not exceed the number of files.
            Defaults to `True`.
        cache: bool. Keep the decoded, resized uint8 images in memory after the
            first epoch (`image_size**2 * channels` bytes each); the shuffle then
            uses a buffer of decoded images. Defaults to `False`.
        shuffle_buffer_size: int or None. Shuffle buffer size; `None` shuffles all
            files by a permutation (or, with `cache=True`, up to 10,000 images
            through a buffer). A size shuffles through a buffer of that size
            instead, seeded by `seed` and the epoch. Defaults to `None`.
        start: int. Use the files from this one on, in sorted order (e.g. to hold
            out the first files for evaluation). Defaults to `0`.
        stop: int or None. Use the files before this one, in sorted order:
            `files[start:stop]`. Defaults to `None` (to the end).

    Returns:
        A `tf.data.Dataset` of float32 batches `(B, image_size, image_size,
        channels)`.

    Example:

    ```python
    import keras_gans

    dataset = keras_gans.data.from_folder(
        "img_align_celeba", image_size=64, crop_size=108, batch_size=128
    )
    images = next(iter(dataset))  # (128, 64, 64, 3) float32 in [-1, 1]
    ```
    """
    _check_pipeline_args(batch_size, shuffle, seed, drop_remainder, shuffle_buffer_size)
    if image_size is None:
        raise ValueError(
            f"`image_size` must be a positive integer. Received: image_size={image_size!r}"
        )
    _check_image_args(image_size, channels, crop, crop_size)
    validation.check_bool(cache, "cache")
    start = validation.check_int(start, "start", minimum=0)
    stop = validation.check_int(stop, "stop", minimum=0, allow_none=True)
    path = os.fspath(path)
    files = _list_image_files(path)
    if start or stop is not None:
        selected = files[start:stop]
        if not selected:
            raise ValueError(
                f"No files of {path!r} are left between start={start} and stop={stop}: "
                f"it holds {len(files)} image files."
            )
        files = selected
    _check_signatures(files, path)

    def load_fn(file):
        image = tf.io.decode_image(
            tf.io.read_file(file), channels=channels, expand_animations=False
        )
        image = tf.ensure_shape(image, (None, None, channels))
        return _crop_and_resize(image, image_size, crop, crop_size)

    order = {
        "num_examples": len(files),
        "batch_size": batch_size,
        "shuffle": shuffle,
        "seed": seed,
        "drop_remainder": drop_remainder,
    }
    if not cache and shuffle_buffer_size is None:
        file_tensor = tf.constant(files)
        return _build_indexed_pipeline(
            lambda index: load_fn(tf.gather(file_tensor, index)), **order
        )
    return _build_pipeline(
        tf.data.Dataset.from_tensor_slices(files),
        load_fn,
        shuffle_buffer_size=shuffle_buffer_size,
        cache=cache,
        **order,
    )
