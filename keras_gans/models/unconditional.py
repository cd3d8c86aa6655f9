"""An unconditional generator made of a conditional one and a prior over its classes."""

import keras
import numpy as np
import tensorflow as tf

from keras_gans.models.submodel_io import GENERATOR
from keras_gans.models.submodel_io import SubmodelInputs
from keras_gans.utils import validation

# Keeps the redrawn first latent coordinate finite where float32 rounds the
# normal CDF to 0 or 1.
_EDGE = 1e-7


@keras.saving.register_keras_serializable(package="keras_gans")
class UnconditionalGenerator(keras.Model):
    """A conditional generator that draws its own class from the latent vector.

    The class is drawn from `class_probabilities` by the first latent
    coordinate, through the normal CDF: `u = Phi(z_0)` is uniform on (0, 1),
    and the class is the interval of the cumulative probabilities `u` falls
    in. Where `u` lies inside that interval, rescaled to (0, 1) and mapped
    back through `Phi^-1`, gives a new first coordinate. This is a one-to-one
    map of `N(0, I)` onto `Categorical(p) x N(0, I)`: a standard normal latent
    gives each class with its probability and, given the class, a standard
    normal latent, which is what the conditional generator was trained on. It
    turns a GAN trained on cluster ids (`keras_gans.data.ImageClusters`) into
    an ordinary unconditional generator, `latent -> image`, which exports with
    `serve(latent)`.

    Args:
        generator: `keras.Model`. A conditional generator (it takes a
            `"label"`), as `keras_gans.architectures` builds with
            `num_classes` set.
        class_probabilities: sequence of floats, one per class of the
            generator, positive and summing to 1 (an `ImageClusters`'
            `probabilities`).

    Example:

    ```python
    clusters = keras_gans.data.ImageClusters.fit(dataset, num_clusters=50)
    gan = keras_gans.AdversarialModel(
        DCGANGenerator(latent_dim=64, image_shape=(28, 28, 1), num_classes=50),
        DCGANDiscriminator(image_shape=(28, 28, 1), num_classes=50),
    )
    gan.compile()
    gan.fit(clusters.label(dataset), epochs=20)
    with gan.ema_weights():
        generator = UnconditionalGenerator(gan.generator, clusters.probabilities)
        keras_gans.export_generator(generator, "saved_models/my_generator")
    ```
    """

    def __init__(self, generator, class_probabilities, **kwargs):
        super().__init__(**kwargs)
        io = SubmodelInputs(generator, GENERATOR)
        if not io.conditional:
            raise ValueError(
                "`UnconditionalGenerator` wraps a conditional generator (one with a "
                f"'label' input). Received an unconditional one: {generator!r}"
            )
        # One per class of the generator.
        probabilities = validation.check_probabilities(
            class_probabilities, "class_probabilities", size=io.num_classes
        )
        self.generator = generator
        self._io = io
        self.latent_dim = io.vector_size("latent")
        self.class_probabilities = probabilities.tolist()
        upper = np.cumsum(probabilities)
        upper[-1] = 1.0
        self._upper = tf.constant(upper, tf.float32)
        self._lower = tf.constant(np.concatenate([[0.0], upper[:-1]]), tf.float32)

    def split_latent(self, latent):
        """The class each latent vector draws, and the latent the generator gets."""
        # The class is chosen in float32 under any precision policy.
        latent = tf.cast(latent, tf.float32)
        first = latent[:, :1]
        u = tf.clip_by_value(0.5 * tf.math.erfc(-first / np.sqrt(2.0)), _EDGE, 1.0 - _EDGE)
        labels = tf.searchsorted(self._upper, u[:, 0], side="right", out_type=tf.int32)
        labels = tf.minimum(labels, len(self.class_probabilities) - 1)
        lower = tf.gather(self._lower, labels)[:, None]
        width = tf.gather(self._upper, labels)[:, None] - lower
        inside = tf.clip_by_value((u - lower) / width, _EDGE, 1.0 - _EDGE)
        redrawn = np.sqrt(2.0) * tf.math.erfinv(2.0 * inside - 1.0)
        return labels, tf.concat([redrawn, latent[:, 1:]], axis=1)

    def call(self, latent, training=False):
        labels, latent = self.split_latent(latent)
        return self._io.call(self.generator, latent, labels, training)

    def read_labels(self, classifier, samples_per_class=500, batch_size=500, seed=None):
        """How a classifier reads the samples of each class of the generator.

        Draws `samples_per_class` samples of every class of the conditional
        generator (latent vectors from `N(0, I)`) and classifies them: a
        sample's label is the classifier's highest score. With the class
        probabilities, this gives the share of each label among this
        generator's samples, `probabilities @ readings`, which
        `balance_labels` evens out.

        Args:
            classifier: callable, such as a `keras.Model`, mapping a batch of
                images as the generator makes them to scores of shape
                `(batch, num_labels)` (probabilities or logits).
            samples_per_class: int. Samples drawn of each class. Defaults to
                `500`.
            batch_size: int. Samples generated and classified per call.
                Defaults to `500`.
            seed: int or None. Seed of the latent vectors. Defaults to `None`.

        Returns:
            A float64 array of shape `(num_classes, num_labels)`: row `k` holds
            the share of class `k`'s samples read as each label.
        """
        samples_per_class = validation.check_positive_int(samples_per_class, "samples_per_class")
        batch_size = validation.check_positive_int(batch_size, "batch_size")
        rng = np.random.default_rng(validation.check_seed(seed))
        num_classes = len(self.class_probabilities)
        generate = tf.function(
            lambda latent, labels: self._io.call(self.generator, latent, labels, False)
        )
        counts = None
        for label in range(num_classes):
            for start in range(0, samples_per_class, batch_size):
                size = min(batch_size, samples_per_class - start)
                latent = rng.standard_normal((size, self.latent_dim)).astype("float32")
                images = generate(tf.constant(latent), tf.fill([size], label))
                scores = keras.ops.convert_to_numpy(classifier(images))
                if scores.ndim != 2 or scores.shape[0] != size or scores.shape[1] < 2:
                    raise ValueError(
                        "`classifier` must map a batch of images to scores of shape "
                        f"(batch, num_labels) with num_labels >= 2. Received: shape "
                        f"{scores.shape} for a batch of {size} images"
                    )
                if counts is None:
                    counts = np.zeros((num_classes, scores.shape[1]), np.int64)
                counts[label] += np.bincount(scores.argmax(axis=1), minlength=counts.shape[1])
        return counts / samples_per_class

    def balance_labels(self, readings, label_shares=None):
        """This generator with its classes drawn so that labels come out as asked.

        With `readings[k, c]` the share of class `k`'s samples a classifier
        reads as label `c` (`read_labels`), drawing class `k` with probability
        `p(k)` gives label `c` in `sum_k p(k) readings[k, c]` of the samples.
        Of the class probabilities giving `label_shares` (by default every
        label equally often), this takes the nearest to the current ones `q`
        in relative entropy, `KL(p || q)`, which has the form
        `p(k) ~ q(k) exp(sum_c w_c readings[k, c])`; the weights `w` are found
        by Newton's method on the convex dual. Only the class probabilities
        change; the conditional generator is shared.

        Use it where a conditional generator leans within a class, e.g. draws
        a k-means cluster's most common digit more often than the cluster
        holds it, so that weighting the clusters by their contents
        (`ImageClusters.balance_classes`) leaves the labels uneven.

        Args:
            readings: array of shape `(num_classes, num_labels)`, rows of
                non-negative shares summing to 1, as `read_labels` returns.
            label_shares: sequence of `num_labels` positive floats summing to
                1, or None for every label equally often. Defaults to `None`.

        Returns:
            A new `UnconditionalGenerator` around the same conditional
            generator.

        Raises:
            ValueError: if no class probabilities (with every class drawn)
                give `label_shares`.
        """
        readings = _check_readings(readings, len(self.class_probabilities))
        num_labels = readings.shape[1]
        if label_shares is None:
            target = np.full(num_labels, 1.0 / num_labels)
        else:
            target = validation.check_probabilities(label_shares, "label_shares", size=num_labels)
        probabilities = nearest_prior(np.asarray(self.class_probabilities), readings, target)
        return UnconditionalGenerator(self.generator, probabilities)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "generator": keras.saving.serialize_keras_object(self.generator),
                "class_probabilities": self.class_probabilities,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        return cls(**config)


def _check_readings(readings, num_classes):
    readings = np.asarray(readings, np.float64)
    if readings.ndim != 2 or readings.shape[0] != num_classes or readings.shape[1] < 2:
        raise ValueError(
            f"`readings` must have shape ({num_classes}, num_labels), one row per class "
            f"of the generator and at least 2 labels. Received: shape={readings.shape}"
        )
    if np.any(readings < 0) or np.any(np.abs(readings.sum(axis=1) - 1.0) > 1e-6):
        raise ValueError(
            "`readings` must hold non-negative shares, each row summing to 1. Received: "
            f"min={readings.min()}, row sums from {readings.sum(axis=1).min()} to "
            f"{readings.sum(axis=1).max()}"
        )
    return readings


def nearest_prior(prior, readings, target, tolerance=1e-9, max_iterations=100):
    """The distribution `p` nearest `prior` in `KL(p || prior)` with `p @ readings == target`.

    Minimises the convex dual `log sum_k prior(k) exp(readings[k] @ w) - target @ w`
    by Newton's method with backtracking; at its minimum `p(k) ~ prior(k)
    exp(readings[k] @ w)` meets the constraint.

    Args:
        prior: float array `(num_classes,)`, positive, summing to 1.
        readings: float array `(num_classes, num_labels)`, rows summing to 1.
        target: float array `(num_labels,)`, positive, summing to 1.
        tolerance: largest allowed difference between `p @ readings` and
            `target`.
        max_iterations: Newton steps before giving up.

    Returns:
        A float64 array `(num_classes,)`, positive, summing to 1.

    Raises:
        ValueError: if `target` cannot be reached with every class drawn.
    """
    prior, readings, target = (np.asarray(a, np.float64) for a in (prior, readings, target))
    never = (readings.max(axis=0) == 0) & (target > 0)
    if np.any(never):
        raise ValueError(
            f"No class of the generator is ever read as label(s) "
            f"{np.flatnonzero(never).tolist()}, so no class probabilities can give them "
            f"their shares {target[never].round(4).tolist()}."
        )
    log_prior = np.log(prior)

    def distribution(weights):
        """`p` for these weights, and the log of its normaliser."""
        logits = log_prior + readings @ weights
        unnormalised = np.exp(logits - logits.max())
        total = unnormalised.sum()
        return unnormalised / total, logits.max() + np.log(total)

    weights = np.zeros(readings.shape[1])
    p, log_partition = distribution(weights)
    for _ in range(max_iterations):
        shares = p @ readings
        gradient = shares - target
        if np.abs(gradient).max() <= tolerance:
            return p
        hessian = (readings * p[:, None]).T @ readings - np.outer(shares, shares)
        step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        objective = log_partition - target @ weights
        size = 1.0
        while size > 1e-10:
            candidate = weights - size * step
            p_new, partition_new = distribution(candidate)
            if partition_new - target @ candidate <= objective - 1e-4 * size * (gradient @ step):
                break
            size /= 2
        else:
            break
        weights, p, log_partition = candidate, p_new, partition_new
    shares = p @ readings
    if np.abs(shares - target).max() <= tolerance:
        return p
    raise ValueError(
        "No class probabilities with every class drawn give the asked label shares "
        f"{target.round(4).tolist()}; the closest reached is {shares.round(4).tolist()}."
    )
