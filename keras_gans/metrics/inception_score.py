"""The Inception Score (IS) from class probabilities, as a pure NumPy function."""

import numpy as np

from keras_gans.metrics._validation import as_activations
from keras_gans.utils.validation import check_positive_int

# How far a row of probabilities may sum from 1 (float32 softmax outputs sum
# to 1 within about 1e-6).
SUM_TOLERANCE = 1e-3


def inception_score_from_probabilities(probabilities, num_splits=10):
    """Inception Score of a set of samples from their class probabilities.

        IS = exp(E_x KL(p(y|x) || p(y))),   p(y) = E_x p(y|x)

    High when each sample is classified confidently (low entropy of
    `p(y|x)`) and the classes are used evenly (high entropy of `p(y)`): it
    lies between 1 (all predictions equal) and the number of classes
    (confident predictions spread evenly over all classes). The samples are
    cut into `num_splits` contiguous splits of (almost) equal size
    (`numpy.array_split`), the score is computed on each, and the mean and
    standard deviation over the splits are returned, as in the reference
    code. Terms with `p(y|x) = 0` contribute 0 (the limit of `p log p`), so
    zero probabilities give no NaN. Arithmetic is in float64.

    Args:
        probabilities: array of shape `(num_samples, num_classes)`. Rows are
            probability distributions (non-negative, summing to 1), e.g. the
            softmax outputs of a classifier.
        num_splits: int. Number of splits, at most `num_samples`. Defaults to
            `10`.

    Returns:
        A tuple `(mean, std)` of Python floats over the splits.

    Example:

    ```python
    import numpy as np
    from keras_gans import metrics

    one_hot = np.eye(10)[np.arange(1000) % 10]
    metrics.inception_score_from_probabilities(one_hot)  # (10.0, 0.0)
    ```

    Reference:
        Salimans et al., "Improved Techniques for Training GANs", NeurIPS
        2016.
    """
    probabilities = as_activations(probabilities, "probabilities", min_samples=1)
    num_splits = check_positive_int(num_splits, "num_splits")
    num_samples = probabilities.shape[0]
    if num_splits > num_samples:
        raise ValueError(
            f"`num_splits` must be at most the number of samples ({num_samples}). "
            f"Received: num_splits={num_splits}"
        )
    low = probabilities.min()
    if low < 0:
        raise ValueError(
            "`probabilities` must be non-negative (apply a softmax to logits). "
            f"Received: min(probabilities)={low}"
        )
    sums = probabilities.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1.0)))
    if abs(sums[worst] - 1.0) > SUM_TOLERANCE:
        raise ValueError(
            "Each row of `probabilities` must sum to 1 (apply a softmax to "
            f"logits). Received: row {worst} sums to {sums[worst]}"
        )
    probabilities = probabilities / sums[:, None]
    scores = []
    for split in np.array_split(probabilities, num_splits):
        marginal = split.mean(axis=0)
        positive = split > 0
        # Where p(y|x) > 0, p(y) >= p(y|x) / n > 0: both logarithms are finite.
        log_ratio = np.log(np.where(positive, split, 1.0)) - np.log(
            np.where(positive, marginal, 1.0)
        )
        kl = np.sum(np.where(positive, split * log_ratio, 0.0), axis=1)
        scores.append(np.exp(kl.mean()))
    scores = np.asarray(scores)
    return float(scores.mean()), float(scores.std())
