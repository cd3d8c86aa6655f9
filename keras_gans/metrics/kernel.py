"""The Kernel Inception Distance (KID), as pure NumPy functions.

KID is the squared maximum mean discrepancy (MMD) between the features of
real and generated samples under the polynomial kernel
`k(x, y) = (x . y / dim + 1)^3`. Unlike FID it has an unbiased estimator, so
values from few samples are not systematically too large, and it assumes no
parametric form of the feature distribution. All arithmetic is in float64.
"""

import numpy as np

from keras_gans.metrics._validation import as_activations
from keras_gans.metrics._validation import check_same_dim
from keras_gans.utils.validation import check_int
from keras_gans.utils.validation import check_positive_int
from keras_gans.utils.validation import check_seed


def polynomial_kernel(x, y, degree=3, gamma=None, coef0=1.0):
    """The polynomial kernel matrix `(gamma * x y^T + coef0) ** degree`.

    Args:
        x: array of shape `(n, dim)`.
        y: array of shape `(m, dim)`.
        degree: int. The power. Defaults to `3`, as in KID.
        gamma: float. Scale of the dot products. Defaults to `1 / dim`, as in
            KID.
        coef0: float. The constant added. Defaults to `1.0`, as in KID.

    Returns:
        A float64 array of shape `(n, m)`.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise ValueError(
            "`x` and `y` must have shapes (n, dim) and (m, dim) with the same dim. "
            f"Received: x.shape={x.shape}, y.shape={y.shape}"
        )
    if gamma is None:
        gamma = 1.0 / x.shape[1]
    return (gamma * (x @ y.T) + coef0) ** degree


def unbiased_mmd2(x, y, kernel=polynomial_kernel):
    """Unbiased estimate of the squared maximum mean discrepancy.

        MMD^2 = sum_{i != j} k(x_i, x_j) / (n (n - 1))
              + sum_{i != j} k(y_i, y_j) / (m (m - 1))
              - 2 sum_{i, j} k(x_i, y_j) / (n m)

    The diagonal terms `k(x_i, x_i)` are left out, which makes the estimate
    unbiased; it can be slightly negative when the two distributions are
    equal.

    Args:
        x: array of shape `(n, dim)`, `n >= 2`.
        y: array of shape `(m, dim)`, `m >= 2`.
        kernel: callable. Maps two arrays of rows to their kernel matrix.
            Defaults to `polynomial_kernel`.

    Returns:
        A Python float.

    Reference:
        Gretton et al., "A Kernel Two-Sample Test", JMLR 2012.
    """
    x = as_activations(x, "x")
    y = as_activations(y, "y")
    check_same_dim(x, y, "x", "y")
    n, m = x.shape[0], y.shape[0]
    k_xx = kernel(x, x)
    k_yy = kernel(y, y)
    k_xy = kernel(x, y)
    return float(
        (k_xx.sum() - np.trace(k_xx)) / (n * (n - 1))
        + (k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
        - 2.0 * k_xy.mean()
    )


def kernel_distance_from_activations(
    real_activations, fake_activations, num_subsets=100, subset_size=1000, seed=0
):
    """Kernel Inception Distance between two sets of features.

    Draws `num_subsets` random subsets of `subset_size` rows from each set
    (without replacement within a subset), computes `unbiased_mmd2` with the
    cubic polynomial kernel `k(x, y) = (x . y / dim + 1)^3` on each pair, and
    returns the mean and standard deviation over the subsets. Subsets bound
    the cost (three `subset_size^2` kernel matrices at a time) and the spread
    shows the estimate's uncertainty. `subset_size` is clipped to the size of
    the smaller set, as in the reference code; when both sets are that small
    every subset is the whole set and the standard deviation is 0.

    KID values are small: papers often report `1000 * KID` or `100 * KID`.

    Args:
        real_activations: array of shape `(num_real, dim)`, `num_real >= 2`.
        fake_activations: array of shape `(num_fake, dim)`, `num_fake >= 2`.
        num_subsets: int. Number of random subsets. Defaults to `100`.
        subset_size: int. Rows per subset from each set, at least 2. Defaults
            to `1000`.
        seed: int or None. Seed of the subset draws; `None` draws fresh ones
            each call. Defaults to `0`, so the same features give the same
            numbers.

    Returns:
        A tuple `(mean, std)` of Python floats over the subsets.

    Example:

    ```python
    import numpy as np
    from keras_gans import metrics

    rng = np.random.default_rng(0)
    real = rng.normal(size=(2000, 16))
    fake = rng.normal(size=(2000, 16)) + 0.1
    kid_mean, kid_std = metrics.kernel_distance_from_activations(real, fake)
    ```

    Reference:
        Bińkowski et al., "Demystifying MMD GANs", ICLR 2018.
    """
    real = as_activations(real_activations, "real_activations", keep_float32=True)
    fake = as_activations(fake_activations, "fake_activations", keep_float32=True)
    check_same_dim(real, fake, "real_activations", "fake_activations")
    num_subsets = check_positive_int(num_subsets, "num_subsets")
    subset_size = check_int(subset_size, "subset_size", minimum=2)
    check_seed(seed)
    size = min(subset_size, real.shape[0], fake.shape[0])
    rng = np.random.default_rng(seed)
    values = np.empty(num_subsets)
    for i in range(num_subsets):
        real_rows = real[rng.choice(real.shape[0], size, replace=False)]
        fake_rows = fake[rng.choice(fake.shape[0], size, replace=False)]
        values[i] = unbiased_mmd2(real_rows, fake_rows)
    return float(values.mean()), float(values.std())
