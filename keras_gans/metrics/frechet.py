"""The Fréchet distance between Gaussians, as pure NumPy functions.

The Fréchet Inception Distance (FID) fits a Gaussian to the features of real
samples and one to the features of generated samples and reports the Fréchet
(2-Wasserstein) distance between them:

    d^2 = ||mu1 - mu2||^2 + Tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2))

These functions take the statistics or the features themselves; turning
images into features is the job of `keras_gans.metrics.features`. All
arithmetic is in float64.
"""

import numpy as np

from keras_gans.metrics._validation import as_activations
from keras_gans.metrics._validation import check_same_dim


def _as_mean(mean, name):
    try:
        array = np.asarray(mean, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"`{name}` must be a numeric vector. Received: {name} of type {type(mean).__name__}"
        ) from e
    if array.ndim != 1 or array.shape[0] == 0:
        raise ValueError(
            f"`{name}` must be a non-empty vector of shape (dim,). Received: {name}.shape="
            f"{array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"`{name}` contains NaN or infinite values.")
    return array


def _as_covariance(covariance, name, dim, mean_name):
    try:
        array = np.asarray(covariance, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"`{name}` must be a numeric matrix. Received: {name} of type "
            f"{type(covariance).__name__}"
        ) from e
    if array.shape != (dim, dim):
        raise ValueError(
            f"`{name}` must be a square matrix of shape ({dim}, {dim}) to match "
            f"`{mean_name}` of shape ({dim},). Received: {name}.shape={array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"`{name}` contains NaN or infinite values.")
    # A covariance is symmetric; averaging with the transpose removes the
    # asymmetry left by floating point accumulation.
    return (array + array.T) / 2.0


def _clip_eigenvalues(eigenvalues):
    """Sets eigenvalues indistinguishable from 0 (rounding noise) to 0.

    A symmetric positive semi-definite matrix computed in float64 has
    eigenvalues of its zero space spread by about `dim * eps * max` either
    side of 0 (the rank tolerance of `numpy.linalg.matrix_rank`). Their
    square roots would add `sqrt(noise)` each, about 1e-8 relative, so they
    are set to 0; well-conditioned matrices have none.
    """
    tolerance = eigenvalues.shape[0] * np.finfo(np.float64).eps * max(eigenvalues.max(), 0.0)
    return np.where(eigenvalues > tolerance, eigenvalues, 0.0)


def _psd_sqrt(matrix):
    """The symmetric square root of a symmetric positive semi-definite matrix."""
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    roots = np.sqrt(_clip_eigenvalues(eigenvalues))
    return (eigenvectors * roots) @ eigenvectors.T


def trace_sqrt_product(sigma1, sigma2):
    """Trace of the square root of the product of two covariance matrices.

    `Tr((sigma1 sigma2)^(1/2))` is the sum of the square roots of the
    eigenvalues of `sigma1 sigma2`. That product is not symmetric, but it is
    similar to `sigma1^(1/2) sigma2 sigma1^(1/2)`, which is symmetric positive
    semi-definite: its eigenvalues come from `numpy.linalg.eigh`, real by
    construction, and those within rounding error of zero (or below it) are
    set to zero. This avoids the complex values and NaNs that a general
    matrix square root (`scipy.linalg.sqrtm`) gives for singular
    covariances.

    Args:
        sigma1: array of shape `(dim, dim)`. A symmetric positive
            semi-definite matrix.
        sigma2: array of shape `(dim, dim)`. A symmetric positive
            semi-definite matrix.

    Returns:
        A non-negative Python float.
    """
    sqrt_sigma1 = _psd_sqrt(np.asarray(sigma1, dtype=np.float64))
    product = sqrt_sigma1 @ np.asarray(sigma2, dtype=np.float64) @ sqrt_sigma1
    product = (product + product.T) / 2.0
    eigenvalues = np.linalg.eigvalsh(product)
    return float(np.sum(np.sqrt(_clip_eigenvalues(eigenvalues))))


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """Fréchet distance between two Gaussians given their means and covariances.

        d^2 = ||mu1 - mu2||^2 + Tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2))

    This is the squared 2-Wasserstein distance between `N(mu1, sigma1)` and
    `N(mu2, sigma2)`, the quantity reported as FID. It is computed in float64;
    the trace of the matrix square root comes from a symmetric eigenvalue
    problem (see `trace_sqrt_product`), so singular covariances (fewer
    samples than feature dimensions) give a finite real value. The result is
    clipped at 0 against rounding.

    Args:
        mu1: array of shape `(dim,)`. Mean of the first Gaussian, e.g. of the
            features of real samples.
        sigma1: array of shape `(dim, dim)`. Covariance of the first Gaussian.
        mu2: array of shape `(dim,)`. Mean of the second Gaussian, e.g. of the
            features of generated samples.
        sigma2: array of shape `(dim, dim)`. Covariance of the second
            Gaussian.

    Returns:
        A Python float >= 0.

    Example:

    ```python
    import numpy as np
    from keras_gans import metrics

    mu, sigma = np.zeros(3), np.eye(3)
    metrics.frechet_distance(mu, sigma, mu + 1.0, sigma)  # 3.0
    ```

    Reference:
        Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge
        to a Local Nash Equilibrium", NeurIPS 2017.
    """
    mu1 = _as_mean(mu1, "mu1")
    mu2 = _as_mean(mu2, "mu2")
    if mu1.shape != mu2.shape:
        raise ValueError(
            "`mu1` and `mu2` must have the same dimension (features from the "
            f"same extractor). Received: mu1.shape={mu1.shape}, mu2.shape={mu2.shape}"
        )
    dim = mu1.shape[0]
    sigma1 = _as_covariance(sigma1, "sigma1", dim, "mu1")
    sigma2 = _as_covariance(sigma2, "sigma2", dim, "mu2")
    diff = mu1 - mu2
    distance = (
        diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_sqrt_product(sigma1, sigma2)
    )
    return max(float(distance), 0.0)


def gaussian_statistics(activations):
    """Mean and covariance of a set of feature vectors, in float64.

    The covariance is the unbiased sample covariance (divided by `n - 1`), as
    in the reference FID code.

    Args:
        activations: array of shape `(num_samples, dim)`, `num_samples >= 2`.

    Returns:
        A tuple `(mean, covariance)` of float64 arrays of shapes `(dim,)` and
        `(dim, dim)`.
    """
    activations = as_activations(activations, "activations")
    return activations.mean(axis=0), np.cov(activations, rowvar=False)


def frechet_distance_from_activations(activations1, activations2):
    """Fréchet distance between Gaussians fitted to two sets of features.

    Fits a Gaussian (mean and unbiased covariance) to each set and returns
    `frechet_distance` between them. With Inception features of real and
    generated images this is the FID. The sets may differ in size.

    Args:
        activations1: array of shape `(num_samples1, dim)`. Features of the
            first set, e.g. real samples; at least 2 rows.
        activations2: array of shape `(num_samples2, dim)`. Features of the
            second set, e.g. generated samples; at least 2 rows.

    Returns:
        A Python float >= 0.

    Example:

    ```python
    import numpy as np
    from keras_gans import metrics

    rng = np.random.default_rng(0)
    real = rng.normal(size=(500, 16))
    fake = rng.normal(size=(500, 16)) + 0.5
    metrics.frechet_distance_from_activations(real, fake)  # about 16 * 0.25
    ```

    Reference:
        Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge
        to a Local Nash Equilibrium", NeurIPS 2017.
    """
    activations1 = as_activations(activations1, "activations1")
    activations2 = as_activations(activations2, "activations2")
    check_same_dim(activations1, activations2, "activations1", "activations2")
    mu1, sigma1 = gaussian_statistics(activations1)
    mu2, sigma2 = gaussian_statistics(activations2)
    return frechet_distance(mu1, sigma1, mu2, sigma2)
