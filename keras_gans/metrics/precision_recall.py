"""Improved precision and recall of generative models, as pure NumPy functions.

Each set of features is taken to cover the union of balls around its points,
each ball reaching to the point's k-th nearest neighbour in its own set.
Precision is the share of generated samples inside the real manifold
(fidelity); recall is the share of real samples inside the generated manifold
(diversity). Distances are computed in float64 in blocks of
`batch_size x batch_size`, so memory does not grow with the square of the
number of samples.
"""

import numpy as np

from keras_gans.metrics._validation import as_activations
from keras_gans.metrics._validation import check_same_dim
from keras_gans.utils.validation import check_positive_int


def _as_float64(features, rows):
    return np.asarray(features[rows], dtype=np.float64)


def _blocks(num_rows, batch_size):
    for start in range(0, num_rows, batch_size):
        yield slice(start, min(start + batch_size, num_rows))


def _squared_norms(features, batch_size):
    """Squared norms of the rows, in float64, one block at a time."""
    norms = np.empty(features.shape[0])
    for rows in _blocks(features.shape[0], batch_size):
        block = _as_float64(features, rows)
        norms[rows] = np.einsum("ij,ij->i", block, block)
    return norms


def _squared_distances(a, a_norms, b, b_norms):
    """Squared Euclidean distances between the rows of `a` and of `b`."""
    distances = a_norms[:, None] + b_norms[None, :] - 2.0 * (a @ b.T)
    return np.maximum(distances, 0.0)


def _squared_radii(features, num_neighbors, batch_size):
    """Squared distance of each row to its k-th nearest neighbour in the set."""
    num_rows = features.shape[0]
    norms = _squared_norms(features, batch_size)
    radii = np.empty(num_rows)
    k = num_neighbors
    for rows in _blocks(num_rows, batch_size):
        block = _as_float64(features, rows)
        # The k + 1 smallest distances of each row so far, its own (zero)
        # distance included: the largest of them is the k-th neighbour's.
        nearest = np.full((block.shape[0], k + 1), np.inf)
        for columns in _blocks(num_rows, batch_size):
            distances = _squared_distances(
                block, norms[rows], _as_float64(features, columns), norms[columns]
            )
            candidates = np.concatenate([nearest, distances], axis=1)
            nearest = np.partition(candidates, k, axis=1)[:, : k + 1]
        radii[rows] = nearest.max(axis=1)
    return radii


def _inside(queries, support, support_radii, batch_size):
    """Whether each query row lies within the ball of some support row."""
    query_norms = _squared_norms(queries, batch_size)
    support_norms = _squared_norms(support, batch_size)
    inside = np.zeros(queries.shape[0], dtype=bool)
    for rows in _blocks(queries.shape[0], batch_size):
        block = _as_float64(queries, rows)
        for columns in _blocks(support.shape[0], batch_size):
            distances = _squared_distances(
                block, query_norms[rows], _as_float64(support, columns), support_norms[columns]
            )
            inside[rows] |= np.any(distances <= support_radii[None, columns], axis=1)
    return inside


def manifold_radii(features, num_neighbors=3, batch_size=1024):
    """Distance of each feature vector to its k-th nearest neighbour in its set.

    The point itself is not its own neighbour; a duplicate of it is.

    Args:
        features: array of shape `(num_samples, dim)`, with
            `num_samples > num_neighbors`.
        num_neighbors: int. The `k` of the k-th nearest neighbour. Defaults to
            `3`, as in the paper.
        batch_size: int. Rows per block of the distance computation. Memory
            is about `8 * batch_size^2` bytes plus the features. Defaults to
            `1024`.

    Returns:
        A float64 array of shape `(num_samples,)`.
    """
    num_neighbors = check_positive_int(num_neighbors, "num_neighbors")
    batch_size = check_positive_int(batch_size, "batch_size")
    features = as_activations(
        features, "features", min_samples=num_neighbors + 1, keep_float32=True
    )
    return np.sqrt(_squared_radii(features, num_neighbors, batch_size))


def precision_recall_from_activations(
    real_activations, fake_activations, num_neighbors=3, batch_size=1024
):
    """Improved precision and recall of generated samples against real ones.

    The real manifold is the union of the balls centred on each real feature
    vector with radius the distance to its `num_neighbors`-th nearest real
    neighbour; the generated manifold likewise. Precision is the share of
    generated samples inside the real manifold (are the samples realistic?);
    recall is the share of real samples inside the generated manifold (is the
    variety of the data covered?). A point on a ball's boundary counts as
    inside.

    The paper uses 50000 samples per set and VGG-16 fc2 features; the values
    depend on both, so compare runs that used the same.

    Args:
        real_activations: array of shape `(num_real, dim)`, with
            `num_real > num_neighbors`.
        fake_activations: array of shape `(num_fake, dim)`, with
            `num_fake > num_neighbors`.
        num_neighbors: int. The `k` of the k-nearest-neighbour radii.
            Defaults to `3`, as in the paper.
        batch_size: int. Rows per block of the distance computations. Memory
            is about `8 * batch_size^2` bytes plus the features. Defaults to
            `1024`.

    Returns:
        A tuple `(precision, recall)` of Python floats in [0, 1].

    Example:

    ```python
    import numpy as np
    from keras_gans import metrics

    rng = np.random.default_rng(0)
    real = rng.normal(size=(1000, 8))
    fake = rng.normal(size=(1000, 8)) * 0.5  # realistic but not diverse
    precision, recall = metrics.precision_recall_from_activations(real, fake)
    ```

    Reference:
        Kynkäänniemi et al., "Improved Precision and Recall Metric for
        Assessing Generative Models", NeurIPS 2019.
    """
    num_neighbors = check_positive_int(num_neighbors, "num_neighbors")
    batch_size = check_positive_int(batch_size, "batch_size")
    minimum = num_neighbors + 1
    real = as_activations(
        real_activations, "real_activations", min_samples=minimum, keep_float32=True
    )
    fake = as_activations(
        fake_activations, "fake_activations", min_samples=minimum, keep_float32=True
    )
    check_same_dim(real, fake, "real_activations", "fake_activations")
    real_radii = _squared_radii(real, num_neighbors, batch_size)
    fake_radii = _squared_radii(fake, num_neighbors, batch_size)
    precision = _inside(fake, real, real_radii, batch_size).mean()
    recall = _inside(real, fake, fake_radii, batch_size).mean()
    return float(precision), float(recall)
