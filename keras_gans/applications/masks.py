"""Binary masks for inpainting: 1 marks a known pixel, 0 a missing one."""

import os

import numpy as np

from keras_gans.applications import _validation
from keras_gans.utils import validation

HALVES = ("left", "right", "top", "bottom")


def _image_size(image_size):
    """`image_size` (an int, or `(height, width)` or an image shape) as `(height, width)`."""
    if validation.is_int(image_size):
        size = (image_size, image_size)
    else:
        try:
            size = tuple(image_size)[:2]
        except TypeError:
            size = ()
    if len(size) != 2 or not all(validation.is_int(s) and s >= 1 for s in size):
        raise ValueError(
            "`image_size` must be a positive integer, (height, width) or an image shape "
            f"(height, width, channels). Received: image_size={image_size!r}"
        )
    return int(size[0]), int(size[1])


def center_mask(image_size, scale=0.25):
    """A mask whose central square is missing.

    With `scale=0.25` the rows and columns `[s/4, 3s/4)` of an `s` by `s`
    image are missing: `[16, 48)` of 64.

    Args:
        image_size: int, `(height, width)` or an image shape. The image size.
        scale: float in (0, 0.5). The known margin on each side, as a
            fraction of the side. Defaults to `0.25`.

    Returns:
        A float32 array of shape `(height, width)`: 1 on known pixels, 0 on
        missing ones.

    Example:

    ```python
    mask = keras_gans.applications.center_mask(64)  # rows/cols [16, 48) missing
    ```
    """
    height, width = _image_size(image_size)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale < 0.5:
        raise ValueError(f"`scale` must be a number in (0, 0.5). Received: scale={scale!r}")
    top, left = int(height * scale), int(width * scale)
    mask = np.ones((height, width), "float32")
    mask[top : height - top, left : width - left] = 0.0
    return mask


def random_mask(image_size, fraction=0.2, seed=None):
    """A mask with a given fraction of pixels missing, at random places.

    Exactly `round(fraction * height * width)` pixels are missing, chosen
    without replacement.

    Args:
        image_size: int, `(height, width)` or an image shape. The image size.
        fraction: float in [0, 1]. The fraction of missing pixels. Defaults
            to `0.2`.
        seed: int. Seed of the choice, for repeatable masks. Defaults to
            `None`.

    Returns:
        A float32 array of shape `(height, width)`: 1 on known pixels, 0 on
        missing ones.
    """
    height, width = _image_size(image_size)
    if (
        isinstance(fraction, bool)
        or not isinstance(fraction, (int, float))
        or not (0 <= fraction <= 1)
    ):
        raise ValueError(f"`fraction` must be a number in [0, 1]. Received: fraction={fraction!r}")
    rng = np.random.default_rng(seed)
    mask = np.ones(height * width, "float32")
    mask[rng.choice(height * width, int(round(fraction * height * width)), replace=False)] = 0.0
    return mask.reshape((height, width))


def half_mask(image_size, side="left"):
    """A mask with one half of the image missing.

    For an odd size the missing half is the smaller one (`width // 2`
    columns for `"left"`).

    Args:
        image_size: int, `(height, width)` or an image shape. The image size.
        side: str. The missing half: `"left"`, `"right"`, `"top"` or
            `"bottom"`. Defaults to `"left"`.

    Returns:
        A float32 array of shape `(height, width)`: 1 on known pixels, 0 on
        missing ones.
    """
    height, width = _image_size(image_size)
    validation.check_one_of(side, "side", HALVES)
    mask = np.ones((height, width), "float32")
    if side == "left":
        mask[:, : width // 2] = 0.0
    elif side == "right":
        mask[:, width - width // 2 :] = 0.0
    elif side == "top":
        mask[: height // 2] = 0.0
    else:
        mask[height - height // 2 :] = 0.0
    return mask


def load_mask(path, image_size=None, threshold=0.5, invert=False):
    """Reads a mask from an image file (PNG), thresholded.

    Bright pixels (grey level above `threshold`, on a [0, 1] scale) are known
    and dark ones missing; colour images are averaged over their colour
    channels, and an alpha channel is ignored. The mask is not resized.

    Args:
        path: str or path. The image file.
        image_size: int or `(height, width)`. The size the mask must have.
            Defaults to `None` (any size).
        threshold: float in [0, 1). Grey levels above it are known pixels.
            Defaults to `0.5`.
        invert: bool. Make dark pixels the known ones. Defaults to `False`.

    Returns:
        A float32 array of shape `(height, width)`: 1 on known pixels, 0 on
        missing ones.
    """
    from matplotlib import image as mpimg

    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, (int, float))
        or not (0 <= threshold < 1)
    ):
        raise ValueError(
            f"`threshold` must be a number in [0, 1). Received: threshold={threshold!r}"
        )
    if not isinstance(invert, bool):
        raise ValueError(f"`invert` must be a bool. Received: invert={invert!r}")
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ValueError(f"`path` must be an image file. Received: path={path!r}")
    pixels = np.asarray(mpimg.imread(path))
    scale = 255.0 if np.issubdtype(pixels.dtype, np.integer) else 1.0  # PNG reads as floats
    pixels = pixels.astype("float32") / scale
    if pixels.ndim == 3:
        pixels = pixels[..., :3].mean(axis=-1) if pixels.shape[-1] >= 3 else pixels[..., 0]
    known = pixels > threshold
    if invert:
        known = ~known
    mask = known.astype("float32")
    if image_size is not None and mask.shape != _image_size(image_size):
        raise ValueError(
            f"The mask in {path} has size {mask.shape}, not the image size "
            f"{_image_size(image_size)}. Resize the file; masks are not resized."
        )
    return mask


def mask_batch(masks, images_shape, name="masks"):
    """Checks masks against a batch of images and broadcasts them to its shape.

    Args:
        masks: array of 0s and 1s (or booleans). One mask for every image:
            `(height, width)`, `(height, width, 1)` or `(height, width,
            channels)`; or one per image: `(n, height, width)`, `(n, height,
            width, 1)` or `(n, height, width, channels)`.
        images_shape: tuple. The shape of the images, `(n, height, width,
            channels)`.
        name: str. The argument's name, for errors. Defaults to `"masks"`.

    Returns:
        A float32 array of shape `images_shape` holding 0s and 1s.
    """
    n, height, width, channels = images_shape
    masks = _validation.float_array(masks, name)
    shape = masks.shape
    shared = shape == (height, width) or (
        len(shape) == 3 and shape[:2] == (height, width) and shape[2] in (1, channels)
    )
    per_image = (len(shape) == 3 and shape == (n, height, width)) or (
        len(shape) == 4 and shape[:3] == (n, height, width) and shape[3] in (1, channels)
    )
    if shared and per_image:
        raise ValueError(
            f"`{name}` of shape {shape} could be one mask for all images or one per "
            f"image: pass shape (n, height, width, 1) or ({height}, {width}, 1) instead."
        )
    if not (shared or per_image):
        raise ValueError(
            f"`{name}` must have shape ({height}, {width}), ({height}, {width}, 1|"
            f"{channels}) or ({n}, {height}, {width}[, 1|{channels}]) for images of shape "
            f"{tuple(images_shape)}. Received: shape={shape}"
        )
    if not np.all((masks == 0) | (masks == 1)):
        values = np.unique(masks)
        shown = ", ".join(f"{v:g}" for v in values[:5]) + (", ..." if len(values) > 5 else "")
        raise ValueError(
            f"`{name}` must hold only 0 (missing pixel) and 1 (known pixel). Received "
            f"values {{{shown}}}."
        )
    if masks.ndim == 2 or (per_image and masks.ndim == 3):
        masks = masks[..., None]
    return np.broadcast_to(masks, images_shape).astype("float32")
