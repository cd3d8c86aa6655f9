"""Mean and covariance of feature vectors accumulated batch by batch."""

import numpy as np

from keras_gans.metrics._validation import as_activations


class RunningStatistics:
    """Mean and covariance of a stream of feature vectors, in float64.

    Holds running sums of `x` and of `x x^T` over the batches seen, so memory
    is `O(dim^2)` whatever the number of samples (32 MB for 2048-d Inception
    features). The sums are taken of `x - shift`, where `shift` is the mean of
    the first batch: the covariance `(S_xx - S_x S_x^T / n) / (n - 1)` then
    subtracts numbers of the size of the spread of the data, not of its mean,
    which keeps float64 accurate even for features far from the origin.

    The result equals `numpy.mean(x, axis=0)` and
    `numpy.cov(x, rowvar=False)` of all rows at once (the unbiased
    covariance, as in the reference FID code), up to rounding.

    Example:

    ```python
    import numpy as np
    from keras_gans import metrics

    stats = metrics.RunningStatistics()
    for batch in np.array_split(np.random.normal(size=(1000, 8)), 7):
        stats.update(batch)
    mean, covariance = stats.mean, stats.covariance
    ```
    """

    def __init__(self):
        self.count = 0
        self._shift = None
        self._sum = None
        self._outer = None

    @property
    def dim(self):
        """The feature dimension, or `None` before the first update."""
        return None if self._shift is None else self._shift.shape[0]

    def update(self, features):
        """Adds a batch of feature vectors.

        Args:
            features: array of shape `(batch, dim)`. Rows are samples. An
                empty batch is ignored.
        """
        features = as_activations(features, "features", min_samples=0)
        if features.shape[0] == 0:
            return
        if self._shift is None:
            dim = features.shape[1]
            self._shift = features.mean(axis=0)
            self._sum = np.zeros(dim)
            self._outer = np.zeros((dim, dim))
        elif features.shape[1] != self.dim:
            raise ValueError(
                f"Every batch must have {self.dim} features, as the first one. "
                f"Received: features.shape={features.shape}"
            )
        centered = features - self._shift
        self._sum += centered.sum(axis=0)
        self._outer += centered.T @ centered
        self.count += features.shape[0]

    def _check_count(self, minimum, what):
        if self.count < minimum:
            raise ValueError(
                f"The {what} needs at least {minimum} samples. Received: "
                f"{self.count} samples so far."
            )

    @property
    def mean(self):
        """The mean feature vector, a float64 array of shape `(dim,)`."""
        self._check_count(1, "mean")
        return self._shift + self._sum / self.count

    @property
    def covariance(self):
        """The unbiased covariance, a float64 array of shape `(dim, dim)`."""
        self._check_count(2, "covariance")
        centered_mean = self._sum / self.count
        covariance = (self._outer - self.count * np.outer(centered_mean, centered_mean)) / (
            self.count - 1
        )
        return (covariance + covariance.T) / 2.0

    def result(self):
        """Returns `(mean, covariance)`."""
        return self.mean, self.covariance
