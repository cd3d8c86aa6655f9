"""Mode-coverage metrics on Gaussian-mixture targets, as pure NumPy functions.

The protocol of VEEGAN (Srivastava et al., 2017), with PacGAN's reverse KL
(Lin et al., 2018):

1. Each sample is assigned to its nearest mode centre.
2. A sample is *high quality* (HQ) if it lies within `threshold` std (3 by
   default) of that centre.
3. *Modes captured*: the number of modes that are the nearest mode of at
   least one HQ sample.
4. *HQ share*: the fraction of all samples that are HQ.
5. *Reverse KL*: `KL(p || uniform)`, where `p` is the histogram of the HQ
   samples over the modes (see `reverse_kl_to_uniform` for the conventions).

The published tables use 2,500 generated samples per evaluation.
All arithmetic is in float64.
"""

import numpy as np

from keras_gans.applications.mode_collapse._validation import as_float_array
from keras_gans.applications.mode_collapse._validation import check_positive_number

# Bound on the temporary (rows, modes, dim) difference array, in elements.
_CHUNK_ELEMENTS = 1 << 22


def _target_arrays(target):
    """The `(num_modes, dim)` centres and the std of a target, checked."""
    if not (hasattr(target, "means") and hasattr(target, "std")):
        raise ValueError(
            "`target` must have `means` (an array of shape (num_modes, dim)) and "
            "`std` (a float), like the targets of "
            "`keras_gans.applications.mode_collapse`. Received: "
            f"target of type {type(target).__name__}"
        )
    means = as_float_array(target.means, "target.means")
    if means.ndim != 2 or 0 in means.shape:
        raise ValueError(
            "`target.means` must be a non-empty array of shape (num_modes, dim). "
            f"Received: target.means.shape={means.shape}"
        )
    return means, check_positive_number(target.std, "target.std")


def _as_samples(samples, dim):
    samples = as_float_array(samples, "samples")
    if samples.ndim == 1 and dim == 1:
        samples = samples[:, np.newaxis]
    if samples.ndim != 2 or samples.shape[1] != dim:
        raise ValueError(
            f"`samples` must have shape (num_samples, {dim}) to match the target's "
            f"modes of dimension {dim}. Received: samples.shape={samples.shape}"
        )
    if samples.shape[0] == 0:
        raise ValueError(
            f"`samples` must hold at least one sample. Received: samples.shape={samples.shape}"
        )
    return samples


def nearest_modes(samples, target):
    """The nearest mode centre of each sample, and its distance in units of std.

    Ties go to the mode of lowest index.

    Args:
        samples: array of shape `(num_samples, dim)` (or `(num_samples,)` for
            a 1-D target). Generated points.
        target: a target of `keras_gans.applications.mode_collapse`, or any
            object with `means` of shape `(num_modes, dim)` and a float `std`.

    Returns:
        A tuple `(modes, distances)`: int64 indices into `target.means` of
        shape `(num_samples,)`, and float64 Euclidean distances to those
        centres divided by `target.std`, of shape `(num_samples,)`.

    Example:

    ```python
    from keras_gans.applications import mode_collapse

    ring = mode_collapse.ring_2d()
    mode_collapse.nearest_modes([[0.0, 1.02], [5.0, 0.0]], ring)
    # (array([2, 0]), array([  2., 400.]))
    ```
    """
    means, std = _target_arrays(target)
    samples = _as_samples(samples, means.shape[1])
    num_samples = samples.shape[0]
    rows = max(1, _CHUNK_ELEMENTS // means.size)
    modes = np.empty(num_samples, dtype=np.int64)
    squared = np.empty(num_samples, dtype=np.float64)
    for start in range(0, num_samples, rows):
        chunk = samples[start : start + rows]
        distances = np.sum((chunk[:, np.newaxis, :] - means[np.newaxis]) ** 2, axis=-1)
        nearest = np.argmin(distances, axis=1)
        modes[start : start + rows] = nearest
        squared[start : start + rows] = distances[np.arange(chunk.shape[0]), nearest]
    return modes, np.sqrt(squared) / std


def _check_threshold(threshold):
    return check_positive_number(threshold, "threshold")


def mode_counts(samples, target, threshold=3.0):
    """The number of high-quality samples nearest to each mode.

    A sample is high quality when its distance to its nearest centre is
    strictly less than `threshold * target.std`. Samples that are not high
    quality are left out of every count.

    Args:
        samples: array of shape `(num_samples, dim)` (or `(num_samples,)` for
            a 1-D target).
        target: a target with `means` and `std` (see `nearest_modes`).
        threshold: float. The high-quality radius in units of std. Defaults
            to `3.0` (VEEGAN and PacGAN; VEEGAN used 10 for its 1200-D
            target).

    Returns:
        An int64 array of shape `(num_modes,)`.
    """
    threshold = _check_threshold(threshold)
    modes, distances = nearest_modes(samples, target)
    num_modes = np.shape(target.means)[0]
    return np.bincount(modes[distances < threshold], minlength=num_modes).astype(np.int64)


def reverse_kl_to_uniform(counts):
    """`KL(p || uniform)` of a histogram over modes, in nats.

    With `p = counts / sum(counts)` over `K = len(counts)` modes,

        KL(p || u) = sum_k p_k log(K p_k) = log K - H(p).

    Conventions, as in PacGAN's code:

    * Empty bins contribute 0 (`0 log 0 = 0`), so a generator that misses
      modes gets a finite value; all mass on one mode gives the maximum,
      `log K`, and a uniform histogram gives 0.
    * The histogram is normalised by its own total. Given the counts of
      `mode_counts`, that is the number of high-quality samples: low-quality
      samples are left out entirely, so this measures how evenly the modes
      that were reached are reached, separately from the HQ share. (PacGAN's
      synthetic-data logger records the entropy `H(p)` of exactly this
      histogram; its stacked-MNIST code computes `KL(p || u)` over all
      samples' classified modes, with empty bins counted as 0.)
    * An empty histogram (no high-quality sample) has no distribution: the
      result is NaN, as PacGAN's code gives.

    Args:
        counts: array of shape `(num_modes,)`. Non-negative counts (or
            weights) per mode.

    Returns:
        A Python float in `[0, log K]`, or NaN when `sum(counts) == 0`.

    Example:

    ```python
    from keras_gans.applications import mode_collapse

    mode_collapse.reverse_kl_to_uniform([5, 5, 0, 0])  # log 2 = 0.693...
    ```
    """
    counts = as_float_array(counts, "counts")
    if counts.ndim != 1 or counts.shape[0] == 0:
        raise ValueError(
            "`counts` must be a non-empty 1-D array, one entry per mode. "
            f"Received: counts.shape={counts.shape}"
        )
    if np.any(counts < 0):
        raise ValueError(f"`counts` must be >= 0. Received: min(counts)={counts.min()}")
    total = counts.sum()
    if total == 0:
        return float("nan")
    p = counts[counts > 0] / total
    kl = float(np.sum(p * np.log(p * counts.shape[0])))
    return min(max(kl, 0.0), float(np.log(counts.shape[0])))


def summary(samples, target, threshold=3.0):
    """Modes captured, high-quality share and reverse KL of generated samples.

    Samples of the target itself score a high-quality share of
    `1 - exp(-9/2) = 0.989` in 2-D (`erf(3 / sqrt(2)) = 0.997` in 1-D), and a
    reverse KL of about `(K - 1) / (2 n_hq)` from sampling noise alone
    (0.0014 on the ring and 0.0048 on the grid with 2,500 samples).

    Args:
        samples: array of shape `(num_samples, dim)` (or `(num_samples,)` for
            a 1-D target). Generated points; the published tables use 2,500.
        target: a target with `means` and `std`, such as `ring_2d()` or
            `grid_2d()`.
        threshold: float. The high-quality radius in units of std. Defaults
            to `3.0`.

    Returns:
        A dict with `"modes"` (int, modes nearest to at least one
        high-quality sample), `"hq_share"` (float in [0, 1], the fraction of
        samples that are high quality) and `"reverse_kl"` (float, see
        `reverse_kl_to_uniform`; NaN when no sample is high quality).

    Example:

    ```python
    from keras_gans.applications import mode_collapse

    ring = mode_collapse.ring_2d()
    mode_collapse.summary(ring.sample(2500, seed=0), ring)
    # about {'modes': 8, 'hq_share': 0.99, 'reverse_kl': 0.0015}
    ```

    Reference:
        Srivastava et al., "VEEGAN: Reducing Mode Collapse in GANs using
        Implicit Variational Learning", NeurIPS 2017; Lin et al., "PacGAN: The
        power of two samples in generative adversarial networks", NeurIPS 2018.
    """
    counts = mode_counts(samples, target, threshold)
    num_samples = np.shape(samples)[0]
    return {
        "modes": int(np.count_nonzero(counts)),
        "hq_share": float(counts.sum() / num_samples),
        "reverse_kl": reverse_kl_to_uniform(counts),
    }
