"""Strips, grids and animated GIFs of generated images, written atomically."""

import contextlib
import os
import tempfile

import numpy as np

from keras_gans.applications import _validation
from keras_gans.callbacks import image_grid
from keras_gans.callbacks import save_image_grid
from keras_gans.utils import validation


@contextlib.contextmanager
def _staged(path):
    """Yields a temporary path beside `path`; renames it to `path` if the block succeeds."""
    path = os.path.abspath(os.fspath(path))
    directory, name = os.path.split(path)
    os.makedirs(directory, exist_ok=True)
    handle, staging = tempfile.mkstemp(
        prefix=f".{name}.", suffix=os.path.splitext(name)[1], dir=directory
    )
    os.close(handle)
    try:
        yield staging
        os.replace(staging, path)
    finally:
        if os.path.exists(staging):
            os.remove(staging)


def _images(images, name, ndim=4):
    images = _validation.float_array(images, name)
    if images.ndim != ndim or images.shape[0] == 0:
        layout = (
            "(n, height, width, channels)" if ndim == 4 else "(rows, n, height, width, channels)"
        )
        raise ValueError(
            f"`{name}` must be a non-empty array of shape {layout}. Received: shape={images.shape}"
        )
    return images


def save_grid(images, path, num_columns=None):
    """Writes a grid of images to a PNG file, atomically.

    `keras_gans.callbacks.save_image_grid`, written to a temporary file
    beside `path` and renamed into place when complete. A batch of walks, as
    `interpolate` returns it (`(n, num_frames, height, width, channels)`),
    becomes one walk per row.

    Args:
        images: float array in [-1, 1] of shape `(n, height, width, channels)`,
            or `(rows, columns, height, width, channels)`.
        path: str or path. The PNG file.
        num_columns: int. Images per row, for a 4-D `images`. Defaults to
            `ceil(sqrt(n))`.

    Returns:
        The path written, as a string.

    Example:

    ```python
    keras_gans.applications.save_grid(
        keras_gans.applications.interpolate(gan, z0, z1, 8), "walks.png")
    ```
    """
    images = _validation.float_array(images, "images")
    if images.ndim == 5:
        if num_columns is not None:
            raise ValueError(
                "`num_columns` is set by the layout of 5-D `images` (rows, columns, ...). "
                f"Received: num_columns={num_columns!r}"
            )
        num_columns = images.shape[1]
        images = images.reshape((-1, *images.shape[2:]))
    images = _images(images, "images")
    if num_columns is not None:
        num_columns = validation.check_positive_int(num_columns, "num_columns")
    with _staged(path) as staging:
        save_image_grid(images, staging, num_columns)
    return os.path.abspath(os.fspath(path))


def save_strip(images, path):
    """Writes images side by side in one row to a PNG file, atomically.

    Args:
        images: float array in [-1, 1] of shape `(n, height, width, channels)`.
        path: str or path. The PNG file.

    Returns:
        The path written, as a string.
    """
    images = _images(images, "images")
    return save_grid(images, path, num_columns=images.shape[0])


def plot_images(images, num_columns=None, ax=None, title=None):
    """Shows a grid of images on a matplotlib axes.

    Args:
        images: float array in [-1, 1] of shape `(n, height, width, channels)`.
        num_columns: int. Images per row. Defaults to `ceil(sqrt(n))`.
        ax: `matplotlib.axes.Axes`. Where to draw. Defaults to a new figure's
            axes.
        title: str. The axes' title. Defaults to `None`.

    Returns:
        The `matplotlib.axes.Axes` drawn on.
    """
    from matplotlib import pyplot as plt

    images = _images(images, "images")
    if num_columns is not None:
        num_columns = validation.check_positive_int(num_columns, "num_columns")
    grid = image_grid(images, num_columns)
    if ax is None:
        _, ax = plt.subplots()
    ax.imshow(grid, cmap="gray" if grid.ndim == 2 else None, vmin=0.0, vmax=1.0)
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return ax


def _frame_pixels(frames, num_columns):
    """The frames as 8-bit images: one image per frame, or one grid per frame."""
    if frames.ndim == 5:
        frames = np.stack([image_grid(f, num_columns) for f in frames])
    else:
        frames = np.clip((frames + 1.0) / 2.0, 0.0, 1.0)
        if frames.shape[-1] == 1:
            frames = frames[..., 0]
    if frames.ndim == 4 and frames.shape[-1] not in (3, 4):
        raise ValueError(
            "GIF frames must have 1 or 3 channels (4 with alpha). Received: "
            f"{frames.shape[-1]} channels"
        )
    return np.round(frames * 255.0).astype("uint8")


def save_gif(frames, path, duration=100, loop=0, num_columns=None):
    """Writes an animated GIF, atomically.

    Uses Pillow, which matplotlib depends on. Pillow merges identical
    consecutive frames into one longer frame, so a still stretch of an
    animation holds fewer frames than were given (its duration is kept).

    Args:
        frames: float array in [-1, 1]: `(num_frames, height, width,
            channels)`, one image per frame, or `(num_frames, n, height,
            width, channels)`, a grid of `n` images per frame (e.g. several
            walks from `interpolate`, transposed to put frames first).
        path: str or path. The GIF file.
        duration: int. Milliseconds per frame. Defaults to `100`.
        loop: int. Times to repeat the animation; `0` loops forever.
            Defaults to `0`.
        num_columns: int. Images per row of each grid, for 5-D `frames`.
            Defaults to `ceil(sqrt(n))`.

    Returns:
        The path written, as a string.

    Example:

    ```python
    frames = keras_gans.applications.interpolate(gan, z0, z1, num_frames=32)
    keras_gans.applications.save_gif(frames, "walk.gif", duration=50)
    ```
    """
    from PIL import Image

    frames = _validation.float_array(frames, "frames")
    if frames.ndim not in (4, 5) or frames.shape[0] == 0:
        raise ValueError(
            "`frames` must be a non-empty array of shape (num_frames, height, width, "
            "channels) or (num_frames, n, height, width, channels). Received: "
            f"shape={frames.shape}"
        )
    duration = validation.check_positive_int(duration, "duration")
    if not validation.is_int(loop) or loop < 0:
        raise ValueError(f"`loop` must be an integer >= 0. Received: loop={loop!r}")
    if num_columns is not None:
        num_columns = validation.check_positive_int(num_columns, "num_columns")
    pixels = _frame_pixels(frames, num_columns)
    images = [Image.fromarray(frame) for frame in pixels]
    with _staged(path) as staging:
        images[0].save(
            staging,
            format="GIF",
            save_all=True,
            append_images=images[1:],
            duration=duration,
            loop=loop,
        )
    return os.path.abspath(os.fspath(path))
