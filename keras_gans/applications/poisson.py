"""Poisson blending of a filled hole into an image (Perez et al. 2003)."""

import numpy as np

from keras_gans.applications import _validation
from keras_gans.applications.masks import mask_batch
from keras_gans.utils import validation


def _neighbour_sum(x):
    """Sum of the 4 neighbours of each pixel of `(n, height, width, c)` arrays, zero outside."""
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    return padded[:, :-2, 1:-1] + padded[:, 2:, 1:-1] + padded[:, 1:-1, :-2] + padded[:, 1:-1, 2:]


def _dot(x, y):
    """Per-system inner products: one per image and channel."""
    return np.sum(x * y, axis=(1, 2))[:, None, None, :]


def poisson_blend(images, fill, masks, tolerance=1e-6, max_iterations=None):
    """Blends the hole of each image from `fill`'s gradients (seamless cloning).

    Inside the hole (mask 0) the result `f` solves the discrete Poisson
    equation with the gradients of `fill` as guidance and the known pixels
    of `images` as boundary values: for every missing pixel `p` with
    in-image 4-neighbours `N(p)`,

        |N(p)| f_p - sum_{q in N(p), missing} f_q
            = sum_{q in N(p), known} images_q + sum_{q in N(p)} (fill_p - fill_q).

    Known pixels are copied from `images` unchanged. Each image and channel
    is one sparse, symmetric positive definite system (when the image has a
    known pixel), solved by conjugate gradients in float64 until the
    residual falls below `tolerance` times the right-hand side's norm. A
    channel with no known pixel has no boundary: it is `fill` unchanged.

    Args:
        images: float array of shape `(n, height, width, channels)` (or one
            image without the batch axis). The images whose known pixels
            stay.
        fill: float array of the shape of `images`. The images whose
            gradients fill the holes, e.g. generated images.
        masks: array of 0s and 1s: 1 on known pixels. Shapes as
            `keras_gans.applications.inpaint` takes them.
        tolerance: float. Relative residual at which to stop. Defaults to
            `1e-6`.
        max_iterations: int. Conjugate gradient steps at most. Defaults to
            `None`: the number of pixels of an image, enough for an exact
            solve in exact arithmetic.

    Returns:
        A float32 array of the shape of `images`. It is not clipped.

    Example:

    ```python
    blended = keras_gans.applications.poisson_blend(images, generated, mask)
    ```

    Reference:
        Perez, Gangnet and Blake, "Poisson Image Editing", SIGGRAPH 2003.
    """
    images = _validation.float_array(images, "images")
    fill = _validation.float_array(fill, "fill")
    single = images.ndim == 3
    if single:
        images, fill = images[None], fill[None]
    if images.ndim != 4:
        raise ValueError(
            "`images` must have shape (n, height, width, channels) or (height, width, "
            f"channels). Received: shape={images.shape}"
        )
    if fill.shape != images.shape:
        raise ValueError(
            f"`fill` must have the shape of `images`, {images.shape}. Received: shape={fill.shape}"
        )
    known = mask_batch(masks, images.shape).astype("float64")
    tolerance = validation.check_number(tolerance, "tolerance", minimum=0.0, exclusive=True)
    if max_iterations is None:
        max_iterations = images.shape[1] * images.shape[2]
    max_iterations = validation.check_positive_int(max_iterations, "max_iterations")
    target, guide = images.astype("float64"), fill.astype("float64")
    hole = 1.0 - known
    degree = _neighbour_sum(np.ones_like(target))

    def operator(x):
        # The masked Laplacian on missing pixels, the identity on known ones.
        inner = hole * x
        return hole * (degree * inner - _neighbour_sum(inner)) + known * x

    rhs = hole * (_neighbour_sum(known * target) + degree * guide - _neighbour_sum(guide))
    rhs = rhs + known * target
    x = known * target + hole * guide
    residual = rhs - operator(x)
    direction = residual.copy()
    squared = _dot(residual, residual)
    stop = (tolerance**2) * _dot(rhs, rhs)
    for _ in range(max_iterations):
        active = squared > stop
        if not np.any(active):
            break
        product = operator(direction)
        curvature = _dot(direction, product)
        step = np.where(
            active & (curvature > 0), squared / np.where(curvature > 0, curvature, 1), 0
        )
        x = x + step * direction
        residual = residual - step * product
        new_squared = _dot(residual, residual)
        ratio = np.where(squared > 0, new_squared / np.where(squared > 0, squared, 1), 0)
        direction = residual + ratio * direction
        squared = new_squared
    has_boundary = np.any(known > 0, axis=(1, 2), keepdims=True)
    result = np.where(has_boundary, x, guide)
    result = np.where(known > 0, target, result)
    result = result.astype("float32")
    return result[0] if single else result
