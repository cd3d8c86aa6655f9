"""Synthetic targets of the mode-collapse lab: equal-weight mixtures of isotropic Gaussians.

Three targets are built in:

* `mixture_1d()`: `0.5 N(2, 1) + 0.5 N(8, 1)` on the line, small enough to
  plot the data density, a generator's density and the optimal discriminator
  `D*(x) = p_data(x) / (p_data(x) + p_g(x))` together.
* `ring_2d()`: 8 Gaussians of std 0.01 on the unit circle.
* `grid_2d()`: 25 Gaussians of std 0.05 on the grid `{-4, -2, 0, 2, 4}^2`.

The two 2-D targets are those of the VEEGAN and PacGAN experiments; the
metrics of `keras_gans.applications.mode_collapse.metrics` read the mode
centres and std of a target to count the modes a generator covers.
"""

import numpy as np
import tensorflow as tf

from keras_gans.applications.mode_collapse._validation import as_float_array
from keras_gans.applications.mode_collapse._validation import check_positive_number
from keras_gans.applications.mode_collapse._validation import check_seed_or_generator
from keras_gans.data.position import indexed_pipeline
from keras_gans.utils import validation


class GaussianMixture:
    """An equal-weight mixture of isotropic Gaussians with a common std.

    The density is

        p(x) = (1 / K) sum_k N(x; means[k], std^2 I),

    with `K = num_modes` components in `dim` dimensions. The object knows its
    mode centres and std (what the mode metrics need), draws samples from a
    seeded NumPy generator, evaluates its density, and makes a `tf.data`
    pipeline of samples for `fit`.

    Args:
        means: array of shape `(num_modes, dim)`. The mode centres.
        std: float. The standard deviation of every component along every
            axis.
        name: str. A name for messages and plots. Defaults to
            `"gaussian_mixture"`.

    Example:

    ```python
    from keras_gans.applications import mode_collapse

    target = mode_collapse.GaussianMixture([[0.0, 0.0], [3.0, 0.0]], std=0.1)
    points = target.sample(1000, seed=0)  # (1000, 2) float32
    target.density(points[:3])            # (3,) float64
    ```
    """

    def __init__(self, means, std, name="gaussian_mixture"):
        means = as_float_array(means, "means")
        if means.ndim != 2 or 0 in means.shape:
            raise ValueError(
                "`means` must be a non-empty array of shape (num_modes, dim). "
                f"Received: means.shape={means.shape}"
            )
        means.setflags(write=False)
        self._means = means
        self._std = check_positive_number(std, "std")
        self.name = str(name)

    @property
    def means(self):
        """The mode centres, a read-only float64 array of shape `(num_modes, dim)`."""
        return self._means

    @property
    def std(self):
        """The standard deviation of each component along each axis, a float."""
        return self._std

    @property
    def num_modes(self):
        """The number of components."""
        return self._means.shape[0]

    @property
    def dim(self):
        """The dimension of the samples."""
        return self._means.shape[1]

    def __repr__(self):
        return (
            f"GaussianMixture(name={self.name!r}, num_modes={self.num_modes}, "
            f"dim={self.dim}, std={self.std:g})"
        )

    def sample(self, num_samples, seed=None, return_modes=False):
        """Draws samples: a uniform mode, then that Gaussian.

        Args:
            num_samples: int. How many points to draw.
            seed: int, `numpy.random.Generator` or None. The source of the
                randomness; the same int gives the same points. `None` draws
                fresh randomness. Defaults to `None`.
            return_modes: bool. Also return the index of the mode each point
                was drawn from. Defaults to `False`.

        Returns:
            A float32 array of shape `(num_samples, dim)`, or a tuple of it and
            an int64 array of shape `(num_samples,)` of mode indices when
            `return_modes` is `True`.
        """
        num_samples = validation.check_int(num_samples, "num_samples", minimum=0)
        rng = np.random.default_rng(check_seed_or_generator(seed))
        return_modes = validation.check_bool(return_modes, "return_modes")
        modes = rng.integers(self.num_modes, size=num_samples)
        noise = rng.standard_normal((num_samples, self.dim))
        points = (self._means[modes] + self._std * noise).astype(np.float32)
        if return_modes:
            return points, modes.astype(np.int64)
        return points

    def _as_points(self, x):
        x = as_float_array(x, "x")
        if x.ndim == 1 and self.dim == 1:
            x = x[:, np.newaxis]
        if x.ndim != 2 or x.shape[1] != self.dim:
            expected = "(num_points, 1) or (num_points,)" if self.dim == 1 else "(num_points, dim)"
            raise ValueError(
                f"`x` must have shape {expected} with dim={self.dim} for this target. "
                f"Received: x.shape={x.shape}"
            )
        return x

    def log_density(self, x):
        """The natural log of the mixture density at each point, in float64.

        Computed as a log-sum-exp over the components, so points far from
        every mode give a finite (very negative) value instead of `log(0)`.

        Args:
            x: array of shape `(num_points, dim)`; for a 1-D target also
                `(num_points,)`.

        Returns:
            A float64 array of shape `(num_points,)`.
        """
        x = self._as_points(x)
        squared = np.sum((x[:, np.newaxis, :] - self._means[np.newaxis]) ** 2, axis=-1)
        exponents = -squared / (2.0 * self._std**2)
        peak = exponents.max(axis=1)
        log_sum = peak + np.log(np.sum(np.exp(exponents - peak[:, np.newaxis]), axis=1))
        normaliser = np.log(self.num_modes) + 0.5 * self.dim * np.log(2.0 * np.pi * self._std**2)
        return log_sum - normaliser

    def density(self, x):
        """The mixture density `p(x)` at each point, in float64.

        Args:
            x: array of shape `(num_points, dim)`; for a 1-D target also
                `(num_points,)`.

        Returns:
            A float64 array of shape `(num_points,)`.
        """
        return np.exp(self.log_density(x))

    def dataset(
        self, num_samples=100_000, batch_size=100, seed=None, shuffle=True, drop_remainder=True
    ):
        """A `tf.data.Dataset` of batches of a fixed training set, for `fit`.

        Draws `num_samples` points once (`sample`) and serves them in float32
        batches of shape `(batch_size, dim)`, in a new order each epoch,
        prefetched. The order of each epoch is a permutation keyed by the seed
        and the epoch, as for the datasets of `keras_gans.data`, so
        `AdversarialModel.fit` replays it in a run resumed from a backup.
        The defaults are the PacGAN protocol: 100,000 points in batches of
        100.

        Args:
            num_samples: int. Size of the training set. Defaults to `100_000`.
            batch_size: int. Points per batch. Defaults to `100`.
            seed: int or None. Seed of both the points and their orders; the
                same seed gives the same dataset. `None` draws one. Defaults
                to `None`.
            shuffle: bool. Whether each epoch is shuffled. Defaults to `True`.
            drop_remainder: bool. Whether to drop the last, smaller batch of
                each epoch, so that every batch has a static shape. Defaults
                to `True`.

        Returns:
            A `tf.data.Dataset` of float32 tensors of shape
            `(batch_size, dim)`.

        Example:

        ```python
        from keras_gans.applications import mode_collapse

        dataset = mode_collapse.ring_2d().dataset(batch_size=100, seed=0)
        batch = next(iter(dataset))  # (100, 2) float32
        ```
        """
        num_samples = validation.check_positive_int(num_samples, "num_samples")
        batch_size = validation.check_positive_int(batch_size, "batch_size")
        seed = validation.check_seed(seed)
        shuffle = validation.check_bool(shuffle, "shuffle")
        drop_remainder = validation.check_bool(drop_remainder, "drop_remainder")
        if drop_remainder and batch_size > num_samples:
            raise ValueError(
                "`batch_size` is larger than `num_samples`, so with "
                "drop_remainder=True no batch would be produced. Received: "
                f"batch_size={batch_size}, num_samples={num_samples}"
            )
        rng = np.random.default_rng(seed)
        points = tf.constant(self.sample(num_samples, seed=rng))
        order_seed = int(rng.integers(2**31))
        return indexed_pipeline(
            lambda index: tf.gather(points, index),
            num_examples=num_samples,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=order_seed,
            drop_remainder=drop_remainder,
        )


def mixture_1d(means=(2.0, 8.0), std=1.0):
    """The 1-D target `0.5 N(2, 1) + 0.5 N(8, 1)`.

    Its modes lie 6 std apart, so a generator that sits on one of them is
    easy to see, and its density is known in closed form: with an estimate
    of the generator's density, `optimal_discriminator` gives the
    discriminator the generator is trained against.

    Args:
        means: sequence of floats. The mode centres. Defaults to `(2.0, 8.0)`.
        std: float. The std of each mode. Defaults to `1.0`.

    Returns:
        A `GaussianMixture` of dimension 1.

    Example:

    ```python
    import numpy as np
    from keras_gans.applications import mode_collapse

    target = mode_collapse.mixture_1d()
    x = np.linspace(-2.0, 12.0, 200)
    p_data = target.density(x)
    ```
    """
    means = as_float_array(means, "means")
    if means.ndim != 1 or means.shape[0] == 0:
        raise ValueError(
            f"`means` must be a non-empty 1-D sequence. Received: means.shape={means.shape}"
        )
    return GaussianMixture(means[:, np.newaxis], std, name="mixture_1d")


def ring_2d(num_modes=8, radius=1.0, std=0.01):
    """Gaussians evenly spaced on a circle: by default 8 of std 0.01 on the unit circle.

    Mode `k` is centred at `radius * (cos(2 pi k / num_modes),
    sin(2 pi k / num_modes))`.

    Args:
        num_modes: int. The number of Gaussians. Defaults to `8`.
        radius: float. The radius of the circle. Defaults to `1.0`.
        std: float. The std of each Gaussian. Defaults to `0.01`.

    Returns:
        A `GaussianMixture` of dimension 2.

    Example:

    ```python
    from keras_gans.applications import mode_collapse

    ring = mode_collapse.ring_2d()
    ring.means[2]  # [0., 1.] up to rounding
    ```

    Reference:
        Srivastava et al., "VEEGAN: Reducing Mode Collapse in GANs using
        Implicit Variational Learning", NeurIPS 2017; Lin et al., "PacGAN: The
        power of two samples in generative adversarial networks", NeurIPS 2018.
    """
    num_modes = validation.check_positive_int(num_modes, "num_modes")
    radius = check_positive_number(radius, "radius")
    angles = 2.0 * np.pi * np.arange(num_modes) / num_modes
    means = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return GaussianMixture(means, std, name="ring_2d")


def grid_2d(size=5, spacing=2.0, std=0.05):
    """Gaussians on a square grid centred at 0: by default 25 of std 0.05 on {-4,..,4}^2.

    The coordinates along each axis are `spacing * (i - (size - 1) / 2)` for
    `i = 0..size-1`; mode `i * size + j` is centred at `(coords[i],
    coords[j])`.

    Args:
        size: int. Gaussians along each axis. Defaults to `5`.
        spacing: float. Distance between neighbouring centres. Defaults to
            `2.0`.
        std: float. The std of each Gaussian. Defaults to `0.05`.

    Returns:
        A `GaussianMixture` of dimension 2.

    Example:

    ```python
    from keras_gans.applications import mode_collapse

    grid = mode_collapse.grid_2d()
    grid.num_modes, grid.means[0]  # 25, [-4., -4.]
    ```

    Reference:
        Srivastava et al., "VEEGAN: Reducing Mode Collapse in GANs using
        Implicit Variational Learning", NeurIPS 2017; Lin et al., "PacGAN: The
        power of two samples in generative adversarial networks", NeurIPS 2018.
    """
    size = validation.check_positive_int(size, "size")
    spacing = check_positive_number(spacing, "spacing")
    coords = spacing * (np.arange(size) - (size - 1) / 2.0)
    rows, cols = np.meshgrid(coords, coords, indexing="ij")
    means = np.stack([rows.ravel(), cols.ravel()], axis=1)
    return GaussianMixture(means, std, name="grid_2d")


def optimal_discriminator(data_density, model_density):
    """The optimal discriminator `D*(x) = p_data(x) / (p_data(x) + p_g(x))`.

    For a fixed generator of density `p_g`, this maximises the GAN's value
    function (Goodfellow et al., Proposition 1). Where both densities are 0
    any value is optimal; 0.5 is returned there.

    Args:
        data_density: array. `p_data` at some points, e.g.
            `target.density(x)`.
        model_density: array of the same shape. The generator's density at
            the same points, e.g. a histogram or kernel estimate from its
            samples.

    Returns:
        A float64 array of the same shape, with values in [0, 1].

    Example:

    ```python
    import numpy as np
    from keras_gans.applications import mode_collapse

    target = mode_collapse.mixture_1d()
    x = np.linspace(-2.0, 12.0, 200)
    # A generator collapsed onto N(2, 1):
    p_g = np.exp(-0.5 * (x - 2.0) ** 2) / np.sqrt(2.0 * np.pi)
    d_star = mode_collapse.optimal_discriminator(target.density(x), p_g)
    # about 1/3 near x = 2, about 1 near x = 8
    ```

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
    """
    data_density = as_float_array(data_density, "data_density")
    model_density = as_float_array(model_density, "model_density")
    if data_density.shape != model_density.shape:
        raise ValueError(
            "`data_density` and `model_density` must have the same shape. Received: "
            f"data_density.shape={data_density.shape}, model_density.shape={model_density.shape}"
        )
    if np.any(data_density < 0) or np.any(model_density < 0):
        raise ValueError(
            "Densities must be >= 0. Received: "
            f"min(data_density)={data_density.min()}, min(model_density)={model_density.min()}"
        )
    total = data_density + model_density
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, data_density / safe, 0.5)
