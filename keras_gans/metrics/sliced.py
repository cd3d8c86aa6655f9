"""Sliced Wasserstein distance between image sets, as pure NumPy functions.

The metric of progressive growing (Karras et al. 2018, appendix D): each image
is split into a Laplacian pyramid (one level per resolution from the full size
down to 16x16); from every level, small patches (7x7 by default) are taken at
random places, each set's patches are normalised per colour channel, and the
two sets of patches are compared by the sliced Wasserstein distance: project
the patches on random unit directions, sort each projection, and average the
absolute differences of the sorted values. Low levels compare the layout of
the images, high levels their fine detail. It needs no pretrained network, so
it runs where Inception weights cannot be downloaded.

Values are reported times 1e3, per level and averaged, as in the paper.
Numbers depend on the number of images (the paper uses 16,384 per set), so
compare distances computed with the same settings.
"""

import numpy as np

from keras_gans.utils.validation import check_positive_int
from keras_gans.utils.validation import check_seed

# The 5-tap binomial filter [1, 4, 6, 4, 1] / 16 of the Burt-Adelson pyramid,
# applied along rows and columns.
_BINOMIAL = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0


def _blur(images):
    """Separable 5x5 binomial filter with mirrored edges, on (n, h, w, c)."""
    for axis in (1, 2):
        pad = [(0, 0)] * images.ndim
        pad[axis] = (2, 2)
        padded = np.pad(images, pad, mode="reflect")
        size = images.shape[axis]
        images = sum(
            weight * np.take(padded, np.arange(offset, offset + size), axis=axis)
            for offset, weight in enumerate(_BINOMIAL)
        )
    return images


def _downsample(images):
    return _blur(images)[:, ::2, ::2]


def _upsample(images):
    n, h, w, c = images.shape
    spread = np.zeros((n, 2 * h, 2 * w, c), images.dtype)
    spread[:, ::2, ::2] = images
    # Only one pixel in four is set: four times the filter keeps the mean.
    return 4.0 * _blur(spread)


def laplacian_pyramid(images, num_levels):
    """The Laplacian pyramid of a batch of images, finest level first.

    Each level but the last holds what the next coarser level, upsampled,
    misses; the last is the image blurred and halved `num_levels - 1` times.
    `reconstruct_laplacian_pyramid` inverts it exactly.

    Args:
        images: array of shape `(n, height, width, channels)`, the sides
            divisible by `2 ** (num_levels - 1)`.
        num_levels: int. Levels of the pyramid.

    Returns:
        A list of `num_levels` float64 arrays, the i-th of side `height / 2**i`.
    """
    check_positive_int(num_levels, "num_levels")
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 4:
        raise ValueError(
            "`images` must have shape (n, height, width, channels). "
            f"Received: images.shape={images.shape}"
        )
    factor = 2 ** (num_levels - 1)
    if images.shape[1] % factor or images.shape[2] % factor:
        raise ValueError(
            f"A pyramid of {num_levels} levels needs image sides divisible by {factor}. "
            f"Received: images.shape={images.shape}"
        )
    pyramid = [images]
    for _ in range(num_levels - 1):
        coarse = _downsample(pyramid[-1])
        pyramid[-1] = pyramid[-1] - _upsample(coarse)
        pyramid.append(coarse)
    return pyramid


def reconstruct_laplacian_pyramid(pyramid):
    """The images a `laplacian_pyramid` came from."""
    images = pyramid[-1]
    for level in pyramid[-2::-1]:
        images = _upsample(images) + level
    return images


def _patches(level, patch_size, patches_per_image, rng):
    """`patches_per_image` random patches of each image, flattened per channel."""
    n, h, w, c = level.shape
    half = patch_size // 2
    rows = rng.integers(half, h - half, size=(n, patches_per_image))
    columns = rng.integers(half, w - half, size=(n, patches_per_image))
    offsets = np.arange(-half, half + 1)
    image_index = np.arange(n)[:, None, None, None]
    row_index = (rows[..., None] + offsets)[..., :, None]
    column_index = (columns[..., None] + offsets)[..., None, :]
    # (n, patches, patch, patch, c) -> (n * patches, patch, patch, c)
    patches = level[image_index, row_index, column_index]
    return patches.reshape(n * patches_per_image, patch_size, patch_size, c)


def _normalise(patches):
    """Zero mean and unit deviation per colour channel over the set, then flat."""
    mean = patches.mean(axis=(0, 1, 2), keepdims=True)
    std = patches.std(axis=(0, 1, 2), keepdims=True)
    return ((patches - mean) / np.maximum(std, 1e-12)).reshape(len(patches), -1)


def sliced_wasserstein(a, b, num_directions=512, seed=0):
    """Sliced Wasserstein-1 distance between two equal-sized sets of vectors.

    Projects both sets on `num_directions` random unit vectors (shared by the
    two sets), sorts each projection and averages `|sorted_a - sorted_b|` over
    points and directions: for each direction, the Wasserstein-1 distance of
    the two projected empirical distributions.

    Args:
        a: array of shape `(n, dim)`.
        b: array of shape `(n, dim)`.
        num_directions: int. Random directions.
        seed: int. Seed of the directions.

    Returns:
        A Python float.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(
            "`a` and `b` must have the same shape (num_points, dim). "
            f"Received: a.shape={a.shape}, b.shape={b.shape}"
        )
    check_positive_int(num_directions, "num_directions")
    directions = np.random.default_rng(check_seed(seed)).standard_normal(
        (a.shape[1], num_directions)
    )
    directions /= np.linalg.norm(directions, axis=0, keepdims=True)
    projected_a = np.sort(a @ directions, axis=0)
    projected_b = np.sort(b @ directions, axis=0)
    return float(np.mean(np.abs(projected_a - projected_b)))


def swd(
    real_images,
    fake_images,
    min_resolution=16,
    patch_size=7,
    patches_per_image=128,
    num_directions=512,
    seed=0,
):
    """Sliced Wasserstein distance of Laplacian-pyramid patches, times 1e3.

    Args:
        real_images: array of shape `(n, height, width, channels)`, any value
            range (each set's patches are normalised).
        fake_images: array of the same shape.
        min_resolution: int. Side of the coarsest pyramid level. Defaults to
            `16`, as in the paper.
        patch_size: int. Odd side of the patches. Defaults to `7`.
        patches_per_image: int. Patches drawn per image and level. Defaults
            to `128`.
        num_directions: int. Random projection directions. Defaults to `512`
            (the paper's 4 repeats of 128).
        seed: int. Seed of the patch positions and directions.

    Returns:
        A dict: `"swd_<side>"` for each level (finest first) and `"swd_mean"`,
        each a Python float, times 1e3.
    """
    real = np.asarray(real_images, dtype=np.float64)
    fake = np.asarray(fake_images, dtype=np.float64)
    if real.ndim != 4 or real.shape != fake.shape:
        raise ValueError(
            "`real_images` and `fake_images` must have the same shape "
            "(n, height, width, channels). "
            f"Received: real_images.shape={real.shape}, fake_images.shape={fake.shape}"
        )
    if not (np.all(np.isfinite(real)) and np.all(np.isfinite(fake))):
        raise ValueError("`real_images` and `fake_images` must be finite.")
    check_positive_int(patches_per_image, "patches_per_image")
    check_positive_int(patch_size, "patch_size")
    if patch_size % 2 == 0:
        raise ValueError(f"`patch_size` must be odd. Received: patch_size={patch_size}")
    check_positive_int(min_resolution, "min_resolution")
    side = real.shape[1]
    if real.shape[2] != side or min_resolution > side or min_resolution <= patch_size:
        raise ValueError(
            "`swd` needs square images no smaller than `min_resolution`, which must be "
            f"larger than `patch_size`. Received: image shape {real.shape[1:]}, "
            f"min_resolution={min_resolution}, patch_size={patch_size}"
        )
    num_levels = 1
    while side // 2**num_levels >= min_resolution:
        num_levels += 1
    rng = np.random.default_rng(check_seed(seed))
    real_pyramid = laplacian_pyramid(real, num_levels)
    fake_pyramid = laplacian_pyramid(fake, num_levels)
    scores = {}
    for real_level, fake_level in zip(real_pyramid, fake_pyramid, strict=True):
        real_patches = _normalise(_patches(real_level, patch_size, patches_per_image, rng))
        fake_patches = _normalise(_patches(fake_level, patch_size, patches_per_image, rng))
        distance = sliced_wasserstein(
            real_patches, fake_patches, num_directions, seed=int(rng.integers(2**31))
        )
        scores[f"swd_{real_level.shape[1]}"] = 1e3 * distance
    scores["swd_mean"] = float(np.mean(list(scores.values())))
    return scores
