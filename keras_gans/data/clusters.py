"""k-means clusters of images, as class labels for self-conditioned training.

An unconditional GAN must split its latent space among every kind of image in
the data, and the samples that fall between kinds are the blurred and broken
ones. Self-conditioning (Liu et al., "Diverse Image Generation via
Self-Conditioned GANs", CVPR 2020) gives the GAN a partition it did not have
to learn: cluster the training images without their labels, train a
conditional GAN on the cluster ids, and sample a cluster in proportion to its
size when generating (`keras_gans.models.UnconditionalGenerator`). No
class label is used, so the recipe applies to any image set; where the data
has labels and its classes are uneven, `ImageClusters.balance_classes`
reweights the clusters so that the samples draw every class equally often.

```python
dataset = keras_gans.data.load_dataset("path/to/images.npz", batch_size=64)
clusters = keras_gans.data.ImageClusters.fit(dataset, num_clusters=50, seed=0)
dataset = clusters.label(dataset)  # (images, cluster ids) batches
```

The clusters are found by k-means on the pixels (k-means++ seeding, then
Lloyd's iterations until no image changes cluster).
"""

import os

import numpy as np
import tensorflow as tf

from keras_gans.data.position import keep_position
from keras_gans.utils import file_utils
from keras_gans.utils import validation

_CENTROIDS_KEY = "centroids"
_PROBABILITIES_KEY = "probabilities"


def _squared_distances(points, centroids):
    """`(n, k)` squared Euclidean distances, computed in chunks of rows."""
    centroid_norms = np.sum(centroids * centroids, axis=1)
    out = np.empty((len(points), len(centroids)), np.float64)
    for start in range(0, len(points), 8192):
        chunk = points[start : start + 8192]
        norms = np.sum(chunk * chunk, axis=1, keepdims=True)
        out[start : start + 8192] = norms - 2.0 * (chunk @ centroids.T) + centroid_norms
    return np.maximum(out, 0.0)


def _seed_centroids(points, num_clusters, rng):
    """k-means++ seeding (Arthur & Vassilvitskii, 2007)."""
    chosen = [int(rng.integers(len(points)))]
    closest = _squared_distances(points, points[chosen])[:, 0]
    for _ in range(num_clusters - 1):
        total = closest.sum()
        if total <= 0:  # fewer distinct images than clusters
            raise ValueError(
                f"Cannot make {num_clusters} clusters: the images hold only "
                f"{len(chosen)} distinct values."
            )
        index = int(rng.choice(len(points), p=closest / total))
        chosen.append(index)
        closest = np.minimum(closest, _squared_distances(points, points[[index]])[:, 0])
    return points[chosen].copy()


def kmeans(points, num_clusters, max_iterations=100, seed=0):
    """k-means on the rows of `points`: `(centroids, assignments)`.

    Seeds with k-means++, then runs Lloyd's iterations until no point changes
    cluster or `max_iterations` is reached. A cluster left empty is moved to
    the point farthest from its centroid.

    Args:
        points: array of shape `(n, d)`.
        num_clusters: int. `k`, at least 2 and at most `n`.
        max_iterations: int. Largest number of Lloyd iterations.
        seed: int. Seed of the k-means++ draws.

    Returns:
        `centroids` (float32, `(k, d)`) and `assignments` (int32, `(n,)`).
    """
    points = np.asarray(points, np.float32)
    if points.ndim != 2:
        raise ValueError(f"`points` must have shape (n, d). Received: shape={points.shape}")
    num_clusters = validation.check_int(num_clusters, "num_clusters", minimum=2)
    if num_clusters > len(points):
        raise ValueError(
            f"`num_clusters` must be at most the number of images, {len(points)}. "
            f"Received: num_clusters={num_clusters}"
        )
    max_iterations = validation.check_int(max_iterations, "max_iterations")
    rng = np.random.default_rng(seed)
    centroids = _seed_centroids(points, num_clusters, rng)
    assignments = None
    for _ in range(max_iterations):
        distances = _squared_distances(points, centroids)
        new_assignments = np.argmin(distances, axis=1)
        if assignments is not None and np.array_equal(new_assignments, assignments):
            break
        assignments = new_assignments
        own = distances[np.arange(len(points)), assignments]
        for cluster in range(num_clusters):
            members = assignments == cluster
            if members.any():
                centroids[cluster] = points[members].mean(axis=0)
            else:
                farthest = int(np.argmax(own))
                centroids[cluster] = points[farthest]
                own[farthest] = -1.0
    return centroids, assignments.astype(np.int32)


def _collect_images(images, max_images):
    """The images of a dataset of batches (or an array), flattened, at most `max_images`."""
    if isinstance(images, tf.data.Dataset):
        batches, count = [], 0
        for element in images:
            batch = element[0] if isinstance(element, (tuple, list)) else element
            if isinstance(batch, dict):
                raise ValueError(
                    "`ImageClusters.fit` takes a dataset of image batches or of "
                    "(images, labels) batches. Received a dataset of dicts with keys "
                    f"{sorted(batch)}"
                )
            batches.append(np.asarray(batch, np.float32))
            count += len(batches[-1])
            if max_images is not None and count >= max_images:
                break
        if not batches:
            raise ValueError("`ImageClusters.fit` received an empty dataset.")
        array = np.concatenate(batches)
    else:
        array = np.asarray(images, np.float32)
    if array.ndim < 2:
        raise ValueError(
            f"`ImageClusters.fit` takes a batch of images, (n, ...). Received: shape={array.shape}"
        )
    if max_images is not None:
        array = array[:max_images]
    return array.reshape(len(array), -1)


class ImageClusters:
    """k-means clusters of images, and each cluster's share of the images.

    Make them with `ImageClusters.fit`; `label` turns a dataset of images into
    one of `(images, cluster ids)` for a conditional GAN with
    `num_classes=clusters.num_clusters`, and `probabilities` is what
    `keras_gans.models.UnconditionalGenerator` samples clusters by.

    Args:
        centroids: array of shape `(num_clusters, pixels)`. The cluster
            centres, as flattened images in the dataset's scale.
        probabilities: array of shape `(num_clusters,)`. The share of the
            images in each cluster; positive, summing to 1.
        image_shape: tuple or None. The shape of one image, checked when
            labelling. Defaults to `None` (any shape with that many pixels).
    """

    def __init__(self, centroids, probabilities, image_shape=None):
        centroids = np.asarray(centroids, np.float32)
        if centroids.ndim != 2 or len(centroids) < 2:
            raise ValueError(
                "`centroids` must have shape (num_clusters, pixels) with at least 2 "
                f"clusters. Received: shape={centroids.shape}"
            )
        # One per centroid.
        probabilities = validation.check_probabilities(
            probabilities, "probabilities", size=len(centroids)
        )
        if image_shape is not None and int(np.prod(image_shape)) != centroids.shape[1]:
            raise ValueError(
                f"`image_shape` {tuple(image_shape)} holds {int(np.prod(image_shape))} "
                f"values, but the centroids hold {centroids.shape[1]}."
            )
        self.centroids = centroids
        self.probabilities = probabilities
        self.image_shape = None if image_shape is None else tuple(int(d) for d in image_shape)

    @property
    def num_clusters(self):
        return len(self.centroids)

    @classmethod
    def fit(cls, images, num_clusters=50, max_images=60000, max_iterations=100, seed=0):
        """Clusters images with k-means.

        Args:
            images: `tf.data.Dataset` or array. A dataset of image batches or
                of `(images, labels)` batches (the labels are not used), as
                `keras_gans.data.load_dataset` makes, or an array of images in
                the scale the dataset will yield them (`[-1, 1]`).
            num_clusters: int. Number of clusters. Defaults to `50`.
            max_images: int or None. Cluster at most this many images (the
                first ones the dataset yields). Defaults to `60000`.
            max_iterations: int. Largest number of Lloyd iterations. Defaults
                to `100`.
            seed: int. Seed of the k-means++ seeding. Defaults to `0`.

        Returns:
            An `ImageClusters`.
        """
        max_images = validation.check_int(max_images, "max_images", minimum=2, allow_none=True)
        points = _collect_images(images, max_images)
        image_shape = None
        if isinstance(images, tf.data.Dataset):
            spec = images.element_spec
            spec = spec[0] if isinstance(spec, (tuple, list)) else spec
            image_shape = tuple(spec.shape[1:]) if None not in spec.shape[1:] else None
        elif np.ndim(images) >= 2:
            image_shape = tuple(np.shape(images)[1:])
        centroids, assignments = kmeans(points, num_clusters, max_iterations, seed)
        counts = np.bincount(assignments, minlength=num_clusters)
        # k-means leaves no cluster empty when it stops moving; a run stopped
        # by `max_iterations` may, and an empty cluster is never sampled.
        keep = counts > 0
        return cls(centroids[keep], counts[keep] / counts.sum(), image_shape)

    def assign(self, images):
        """The cluster id of each image (the nearest centroid), an int32 tensor."""
        images = tf.convert_to_tensor(images, tf.float32)
        if self.image_shape is not None and tuple(images.shape[1:]) != self.image_shape:
            raise ValueError(
                f"These clusters are of images of shape {self.image_shape}. "
                f"Received images of shape {tuple(images.shape[1:])}"
            )
        flat = tf.reshape(images, (tf.shape(images)[0], -1))
        centroids = tf.constant(self.centroids)
        # |x - c|^2 without |x|^2, the same for every centroid.
        scores = tf.reduce_sum(centroids * centroids, axis=1) - 2.0 * tf.matmul(
            flat, centroids, transpose_b=True
        )
        return tf.cast(tf.argmin(scores, axis=1), tf.int32)

    def label(self, dataset):
        """The dataset with each batch's labels replaced by its images' cluster ids.

        Takes a dataset of image batches or of `(images, labels)` batches and
        yields `(images, cluster_ids)`; the order of the batches is kept, so
        a run resumed from a backup replays it.
        """
        if not isinstance(dataset, tf.data.Dataset):
            raise ValueError(
                "`ImageClusters.label` takes a `tf.data.Dataset`. Received: "
                f"{type(dataset).__name__}"
            )

        def relabel(*element):
            images = element[0]
            return images, self.assign(images)

        labelled = dataset.map(relabel, num_parallel_calls=tf.data.AUTOTUNE)
        return keep_position(dataset, labelled.prefetch(tf.data.AUTOTUNE))

    def balance_classes(self, dataset):
        """These clusters, drawn so that every class of the data weighs the same.

        `probabilities` follow the data: a class with more images draws more
        samples (MNIST's ones are 11% of its digits). Where the data has class
        labels, this reweights the clusters as if every class had as many
        images: a cluster's probability becomes the mean over the classes of
        the share of that class's images in it, `p(k) = mean_c n(k, c) / n(c)`.
        Only the sampling prior changes; the clusters, and a generator trained
        on them, stay as they are. The labels are read once, here.

        Args:
            dataset: `tf.data.Dataset` of `(images, labels)` batches with
                integer class labels (as `keras_gans.data.load_dataset` yields
                them from a labelled source), or a tuple `(images, labels)` of
                arrays.

        Returns:
            A new `ImageClusters` with the same centroids.
        """
        counts = np.zeros((self.num_clusters, 0), np.int64)
        for images, labels in _labelled_batches(dataset):
            clusters = self.assign(images).numpy()
            labels = validation.check_labels(labels, len(clusters), None)
            if labels.size and labels.max() >= counts.shape[1]:
                counts = np.pad(counts, ((0, 0), (0, labels.max() + 1 - counts.shape[1])))
            np.add.at(counts, (clusters, labels), 1)
        per_class = counts.sum(axis=0)
        present = per_class > 0
        if present.sum() < 2:
            raise ValueError(
                "`balance_classes` needs images of at least 2 classes. Received "
                f"{int(per_class.sum())} labelled images of {int(present.sum())} class(es)."
            )
        probabilities = (counts[:, present] / per_class[present]).mean(axis=1)
        if np.any(probabilities <= 0):
            empty = np.flatnonzero(probabilities <= 0).tolist()
            raise ValueError(
                f"No labelled image falls in cluster(s) {empty}, which could then never be "
                "drawn: balance the classes with the data the clusters were fitted on."
            )
        return ImageClusters(self.centroids, probabilities / probabilities.sum(), self.image_shape)

    def save(self, path):
        """Writes the clusters to a `.npz` file (written whole or not at all)."""
        path = os.fspath(path)
        if not path.endswith(".npz"):
            raise ValueError(f"`path` must end in '.npz'. Received: path={path!r}")
        arrays = {_CENTROIDS_KEY: self.centroids, _PROBABILITIES_KEY: self.probabilities}
        if self.image_shape is not None:
            arrays["image_shape"] = np.asarray(self.image_shape, np.int64)
        with file_utils.atomic_file(path) as staging:
            with open(staging, "wb") as f:
                np.savez(f, **arrays)
        return path

    @classmethod
    def load(cls, path):
        """Reads clusters written by `save`."""
        with np.load(os.fspath(path)) as f:
            missing = {_CENTROIDS_KEY, _PROBABILITIES_KEY} - set(f.files)
            if missing:
                raise ValueError(
                    f"{path} does not hold clusters written by `ImageClusters.save`: "
                    f"it has no {sorted(missing)}. Its arrays: {sorted(f.files)}"
                )
            shape = tuple(f["image_shape"]) if "image_shape" in f.files else None
            return cls(f[_CENTROIDS_KEY], f[_PROBABILITIES_KEY], shape)


def _labelled_batches(dataset):
    """`(images, labels)` batches of a dataset, or the one batch of an array pair."""
    if isinstance(dataset, tf.data.Dataset):
        for element in dataset:
            if not isinstance(element, (tuple, list)) or len(element) < 2:
                raise ValueError(
                    "`balance_classes` needs the class labels: a dataset of (images, "
                    "labels) batches. Received a dataset of "
                    f"{type(element).__name__} elements"
                    + ("" if isinstance(element, (tuple, list)) else " (images only)")
                )
            yield element[0], element[1]
    elif isinstance(dataset, (tuple, list)) and len(dataset) == 2:
        yield dataset[0], dataset[1]
    else:
        raise ValueError(
            "`balance_classes` takes a dataset of (images, labels) batches or a tuple "
            f"(images, labels). Received: {type(dataset).__name__}"
        )
