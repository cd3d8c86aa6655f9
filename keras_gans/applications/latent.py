"""Walks and arithmetic in a generator's latent space."""

import numpy as np
from keras import ops

from keras_gans.applications import _validation
from keras_gans.applications.generator_source import as_generator_source
from keras_gans.utils import validation

METHODS = ("slerp", "lerp")
# Below this norm a vector has no direction: normalising it gives zero.
_EPSILON = 1e-12


def _as_float(x):
    return ops.cast(ops.convert_to_tensor(x), "float32")


def _norm(x):
    return ops.sqrt(ops.sum(ops.square(x), axis=-1, keepdims=True))


def _normalize(x):
    return x / ops.maximum(_norm(x), _EPSILON)


def _weights(t, a):
    """`t` with a trailing axis, so that it scales whole vectors of `a`."""
    return ops.expand_dims(_as_float(t), -1) + ops.zeros_like(a[..., :1])


def lerp(a, b, t):
    """Linear interpolation `(1 - t) * a + t * b` between vectors.

    Args:
        a: float array of shape `(..., dim)`. The start vectors (`t = 0`).
        b: float array of the shape of `a`. The end vectors (`t = 1`).
        t: float or float array broadcastable to `a.shape[:-1]`. Where to
            interpolate; values outside [0, 1] extrapolate.

    Returns:
        A float32 tensor of shape `broadcast(a.shape[:-1], t.shape) + (dim,)`.

    Example:

    ```python
    frames = keras_gans.applications.lerp(z0[None], z1[None], np.linspace(0, 1, 8))
    ```
    """
    a, b = _as_float(a), _as_float(b)
    t = _weights(t, a)
    return a + t * (b - a)


def slerp(a, b, t, interpolate_norm=False):
    """Spherical interpolation between the directions of two vectors.

    As the perceptual path length defines it: `a` and `b` are normalised to
    unit vectors, and the result moves along the great circle through them
    at constant angular speed, by the angle `t * acos(a . b)`; it is a unit
    vector. With `interpolate_norm=True` the result is then scaled by the
    linearly interpolated norm `(1 - t) |a| + t |b|`, so that the walk
    starts at `a` and ends at `b` themselves; this is the walk `interpolate`
    takes in z space, where a standard normal vector's norm carries
    information (it concentrates near `sqrt(dim)`) that a unit vector would
    lose. For vectors of one direction it then equals `lerp(a, b, t)`.

    Opposite vectors have no unique great circle: their result stays on the
    line through them. A zero vector has no direction and counts as zero.

    Args:
        a: float array of shape `(..., dim)`. The start vectors (`t = 0`).
        b: float array of the shape of `a`. The end vectors (`t = 1`).
        t: float or float array broadcastable to `a.shape[:-1]`. Fraction of
            the angle travelled.
        interpolate_norm: bool. Scale the unit result by the linearly
            interpolated norm of `a` and `b`. Defaults to `False` (unit
            vectors, as the perceptual path length uses them).

    Returns:
        A float32 tensor of shape `broadcast(a.shape[:-1], t.shape) + (dim,)`.

    Example:

    ```python
    z = keras_gans.applications.slerp(z0, z1, 0.5, interpolate_norm=True)
    ```

    Reference:
        Shoemake, "Animating rotation with quaternion curves", SIGGRAPH 1985;
        Karras et al., "A Style-Based Generator Architecture for Generative
        Adversarial Networks", CVPR 2019 (perceptual path length).
    """
    if not isinstance(interpolate_norm, bool):
        raise ValueError(
            f"`interpolate_norm` must be a bool. Received: interpolate_norm={interpolate_norm!r}"
        )
    a, b = _as_float(a), _as_float(b)
    t = _weights(t, a)
    unit_a, unit_b = _normalize(a), _normalize(b)
    cosine = ops.clip(ops.sum(unit_a * unit_b, axis=-1, keepdims=True), -1.0, 1.0)
    angle = t * ops.arccos(cosine)
    # The unit vector orthogonal to `a` in the plane of `a` and `b`.
    orthogonal = _normalize(unit_b - cosine * unit_a)
    result = _normalize(unit_a * ops.cos(angle) + orthogonal * ops.sin(angle))
    if interpolate_norm:
        result = result * ((1.0 - t) * _norm(a) + t * _norm(b))
    return result


def _latent_batch(values, name, latent_dim):
    """`values` as a `(n, latent_dim)` array, and whether it was a single vector."""
    array = _validation.float_array(values, name)
    single = array.ndim == 1
    if single:
        array = array[None]
    if array.ndim != 2 or array.shape[1] != latent_dim or array.shape[0] == 0:
        raise ValueError(
            f"`{name}` must be a latent vector of shape ({latent_dim},) or a non-empty batch "
            f"of shape (n, {latent_dim}). Received: shape={np.shape(values)}"
        )
    return array, single


def interpolate(
    source,
    start,
    end,
    num_frames,
    method=None,
    space="z",
    labels=None,
    batch_size=256,
):
    """Images along a walk between latent vectors.

    In z space the walk is `slerp(..., interpolate_norm=True)` by default:
    along the great circle between the directions, with the norm
    interpolated linearly, so it stays where a normal prior puts its mass
    (a straight line between two such vectors passes closer to the origin).
    In w space (style-based generators) the start and end vectors are
    mapped to w and the walk is `lerp` by default, as the perceptual path
    length measures it there.

    Args:
        source: `GeneratorSource`, or anything it wraps (an
            `AdversarialModel`, a generator `keras.Model`, a SavedModel or
            its path).
        start: float array of shape `(latent_dim,)`, or `(n, latent_dim)` for
            `n` walks. The latent vectors z where the walks start.
        end: float array of the shape of `start`. Where the walks end.
        num_frames: int >= 2. Images per walk, both ends included.
        method: str. `"slerp"` or `"lerp"`. Defaults to `None`: `"slerp"`
            in z space, `"lerp"` in w space.
        space: str. `"z"`, or `"w"` for the intermediate latent space of a
            style-based generator. Defaults to `"z"`.
        labels: int or int array. For a conditional generator, one class for
            every walk or one per walk. Defaults to `None`.
        batch_size: int. Images per generator call. Defaults to `256`.

    Returns:
        A float32 array of shape `(num_frames, *image_shape)` for single
        vectors, or `(n, num_frames, *image_shape)` for batches.

    Example:

    ```python
    frames = keras_gans.applications.interpolate(gan, z0, z1, num_frames=16)
    keras_gans.applications.save_gif(frames, "walk.gif")
    ```
    """
    source = as_generator_source(source)
    source.check_space(space, "Interpolation")
    if method is None:
        method = "slerp" if space == "z" else "lerp"
    validation.check_one_of(method, "method", METHODS)
    num_frames = validation.check_positive_int(num_frames, "num_frames")
    if num_frames < 2:
        raise ValueError(
            f"`num_frames` must be >= 2 (both ends are frames). Received: num_frames={num_frames}"
        )
    start, single = _latent_batch(start, "start", source.latent_dim)
    end, _ = _latent_batch(end, "end", source.latent_dim)
    if start.shape != end.shape:
        raise ValueError(
            "`start` and `end` must have the same shape. Received: "
            f"start shape={start.shape}, end shape={end.shape}"
        )
    num_walks = start.shape[0]
    walk_labels = source.prepare_labels(labels, num_walks)
    if space == "w":
        start = source.map_latents(start, walk_labels, batch_size=batch_size)
        end = source.map_latents(end, walk_labels, batch_size=batch_size)
    t = np.linspace(0.0, 1.0, num_frames, dtype="float32")[None, :]  # (1, frames)
    a, b = start[:, None], end[:, None]  # (walks, 1, ...)
    if space == "w":  # t weighs whole w tensors: add their inner axes
        t = t.reshape(t.shape + (1,) * (a.ndim - 3))
    if method == "lerp":
        path = lerp(a, b, t)
    else:
        path = slerp(a, b, t, interpolate_norm=True)
    path = ops.convert_to_numpy(path).reshape((num_walks * num_frames, *a.shape[2:]))
    frame_labels = None if walk_labels is None else np.repeat(walk_labels, num_frames)
    images = source.generate(
        path, None if space == "w" else frame_labels, space=space, batch_size=batch_size
    )
    images = images.reshape((num_walks, num_frames, *source.image_shape))
    return images[0] if single else images


def latent_arithmetic(source, a, b, c, labels=None, batch_size=256):
    """Vector arithmetic on concepts: `mean(a) - mean(b) + mean(c)`.

    Each group holds latent vectors whose images share a concept (the
    DCGAN paper's "smiling woman", "neutral woman", "neutral man"); the mean
    of a group is the concept's vector, more reliable than any one sample.
    The result is a latent vector whose image should show the combined
    concept ("smiling man").

    Args:
        source: `GeneratorSource`, or anything it wraps.
        a: float array of shape `(k, latent_dim)` (or one vector). The group
            whose concept is added.
        b: float array of shape `(k', latent_dim)`. The group subtracted.
        c: float array of shape `(k'', latent_dim)`. The group added to.
        labels: int or 1-D int array. For a conditional generator, the
            classes in which to render the result: one image per class.
            Defaults to `None` (one image, unconditional generators).
        batch_size: int. Images per generator call. Defaults to `256`.

    Returns:
        A tuple `(latent, images)`: the result latent vector, float32 of
        shape `(latent_dim,)`, and its images, float32 of shape
        `(num_labels, *image_shape)` (one image without labels).

    Example:

    ```python
    latent, images = keras_gans.applications.latent_arithmetic(
        gan, smiling_women, neutral_women, neutral_men)
    ```

    Reference:
        Radford et al., "Unsupervised Representation Learning with Deep
        Convolutional Generative Adversarial Networks", ICLR 2016.
    """
    source = as_generator_source(source)
    means = [
        _latent_batch(group, name, source.latent_dim)[0].mean(axis=0)
        for name, group in (("a", a), ("b", b), ("c", c))
    ]
    latent = (means[0] - means[1] + means[2]).astype("float32")
    if labels is not None and np.ndim(labels) not in (0, 1):
        raise ValueError(
            f"`labels` must be one integer or a 1-D array. Received: shape={np.shape(labels)}"
        )
    num_images = 1 if labels is None or np.ndim(labels) == 0 else len(labels)
    if num_images == 0:
        raise ValueError("`labels` must hold at least one class. Received: labels=[]")
    latents = np.repeat(latent[None], num_images, axis=0)
    return latent, source.generate(latents, labels, batch_size=batch_size)
