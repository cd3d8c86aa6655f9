import os

import numpy as np
import tensorflow as tf

from keras_gans.data import ImageClusters
from keras_gans.data import from_arrays
from keras_gans.data.clusters import kmeans
from keras_gans.data.position import data_position


def _blobs(num_per_blob=40, seed=0):
    """Four tight, far-apart blobs of 2x2 'images', and which blob each is."""
    rng = np.random.default_rng(seed)
    centres = np.array([[-0.8, -0.8, 0, 0], [0.8, 0.8, 0, 0], [0, 0, -0.8, 0.8], [0, 0, 0.8, -0.8]])
    which = np.repeat(np.arange(4), num_per_blob)
    points = centres[which] + 0.02 * rng.standard_normal((len(which), 4))
    order = rng.permutation(len(which))
    return points[order].astype("float32"), which[order]


def _nearest(points, centroids):
    flat = points.reshape(len(points), -1).astype("float64")
    distances = ((flat[:, None, :] - centroids[None].astype("float64")) ** 2).sum(-1)
    return distances.argmin(axis=1)


class KMeansTest(tf.test.TestCase):
    def test_finds_separated_blobs_and_their_means(self):
        points, which = _blobs()
        centroids, assignments = kmeans(points, 4, seed=3)
        # The same partition as the blobs, whatever the cluster numbering.
        mapping = {int(a): int(w) for a, w in zip(assignments, which, strict=True)}
        self.assertLen(mapping, 4)
        self.assertAllEqual([mapping[int(a)] for a in assignments], which)
        for cluster in range(4):
            self.assertAllClose(
                centroids[cluster], points[assignments == cluster].mean(axis=0), atol=1e-6
            )

    def test_stops_at_a_fixed_point_of_lloyds_iteration(self):
        # Overlapping data, many clusters: each point ends at its nearest
        # centroid, and each centroid is the mean of its points.
        points = np.random.default_rng(1).standard_normal((500, 6)).astype("float32")
        centroids, assignments = kmeans(points, 12, seed=0)
        self.assertEqual(assignments.dtype, np.int32)
        self.assertAllEqual(assignments, _nearest(points, centroids))
        for cluster in range(12):
            members = points[assignments == cluster]
            self.assertGreater(len(members), 0)
            self.assertAllClose(centroids[cluster], members.mean(axis=0), atol=1e-5)

    def test_same_seed_same_clusters(self):
        points = np.random.default_rng(2).standard_normal((300, 3)).astype("float32")
        first = kmeans(points, 5, seed=7)
        second = kmeans(points, 5, seed=7)
        self.assertAllEqual(first[0], second[0])
        self.assertAllEqual(first[1], second[1])

    def test_bad_arguments_are_refused(self):
        points = np.zeros((5, 2), "float32")
        with self.assertRaisesRegex(ValueError, "num_clusters.*>= 2.*Received: num_clusters=1"):
            kmeans(points, 1)
        with self.assertRaisesRegex(ValueError, "at most the number of images, 5.*=6"):
            kmeans(points, 6)
        with self.assertRaisesRegex(ValueError, "only 1 distinct"):
            kmeans(points, 2)
        with self.assertRaisesRegex(ValueError, r"shape \(n, d\).*\(5,\)"):
            kmeans(np.zeros(5), 2)


class ImageClustersTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        points, self.which = _blobs()
        self.images = points.reshape(-1, 2, 2, 1)

    def test_fit_on_a_dataset_uses_images_only(self):
        # Labels in the data are ignored: the same clusters as from the images.
        wrong_labels = np.zeros(len(self.images), "int32")
        dataset = from_arrays(self.images, wrong_labels, batch_size=16, shuffle=False)
        from_dataset = ImageClusters.fit(dataset, num_clusters=4, seed=0)
        from_array = ImageClusters.fit(self.images, num_clusters=4, seed=0)
        self.assertAllClose(from_dataset.centroids, from_array.centroids)
        self.assertEqual(from_dataset.image_shape, (2, 2, 1))
        self.assertEqual(from_dataset.num_clusters, 4)
        # Each blob holds a quarter of the images.
        self.assertAllClose(from_dataset.probabilities, [0.25] * 4)

    def test_probabilities_are_the_cluster_shares(self):
        uneven = np.concatenate([self.images[self.which == 0], self.images[self.which != 0][:30]])
        clusters = ImageClusters.fit(uneven, num_clusters=4, seed=0)
        assigned = clusters.assign(uneven).numpy()
        counts = np.bincount(assigned, minlength=4)
        self.assertAllClose(clusters.probabilities, counts / len(uneven))
        self.assertAllEqual(assigned, _nearest(uneven, clusters.centroids))

    def test_max_images_clusters_the_first_images(self):
        clusters = ImageClusters.fit(self.images, num_clusters=3, max_images=50, seed=0)
        reference = ImageClusters.fit(self.images[:50], num_clusters=3, seed=0)
        self.assertAllClose(clusters.centroids, reference.centroids)

    def test_assign_is_the_nearest_centroid(self):
        clusters = ImageClusters.fit(self.images, num_clusters=4, seed=0)
        others = np.random.default_rng(5).uniform(-1, 1, (64, 2, 2, 1)).astype("float32")
        self.assertAllEqual(clusters.assign(others), _nearest(others, clusters.centroids))

    def test_label_replaces_the_labels_and_keeps_the_position(self):
        labels = np.full(len(self.images), 7, "int32")
        dataset = from_arrays(self.images, labels, batch_size=16, seed=1)
        clusters = ImageClusters.fit(dataset, num_clusters=4, seed=0)
        labelled = clusters.label(dataset)
        self.assertIs(data_position(labelled), data_position(dataset))
        batches = list(labelled.take(3))
        for images, ids in batches:
            self.assertEqual(ids.dtype, tf.int32)
            self.assertAllEqual(ids, _nearest(images.numpy(), clusters.centroids))
        # The images themselves pass unchanged (image batches without labels too).
        bare = clusters.label(from_arrays(self.images, batch_size=16, shuffle=False))
        images, ids = next(iter(bare))
        self.assertAllClose(images, self.images[:16])
        self.assertAllEqual(ids, _nearest(self.images[:16], clusters.centroids))

    def test_balance_classes_weighs_every_class_the_same(self):
        # Three one-pixel clusters; class 0 has 60 images (40 in cluster 0,
        # 20 in cluster 1), class 1 has 20 (10 in cluster 1, 10 in cluster 2).
        clusters = ImageClusters(np.array([[-1.0], [0.0], [1.0]]), [0.5, 0.375, 0.125], (1, 1, 1))
        images = np.repeat([-1.0, 0.0, 0.0, 1.0], [40, 20, 10, 10]).reshape(-1, 1, 1, 1)
        labels = np.repeat([0, 0, 1, 1], [40, 20, 10, 10])
        balanced = clusters.balance_classes((images.astype("float32"), labels))
        # p(k) = mean over the classes of n(k, c) / n(c):
        # (40/60 + 0) / 2, (20/60 + 10/20) / 2, (0 + 10/20) / 2.
        self.assertAllClose(balanced.probabilities, [1 / 3, 5 / 12, 1 / 4])
        self.assertAllEqual(balanced.centroids, clusters.centroids)
        self.assertEqual(balanced.image_shape, (1, 1, 1))
        # The clusters themselves are left as they were.
        self.assertAllClose(clusters.probabilities, [0.5, 0.375, 0.125])
        # A shuffled dataset of (images, labels) batches gives the same.
        dataset = from_arrays(images.astype("float32"), labels, batch_size=16, seed=3)
        self.assertAllClose(clusters.balance_classes(dataset).probabilities, [1 / 3, 5 / 12, 1 / 4])

    def test_balance_classes_evens_pure_clusters_exactly(self):
        # Blobs of uneven size, one class each: 40, 20, 10 and 10 images.
        keep = np.concatenate(
            [np.flatnonzero(self.which == blob)[:n] for blob, n in enumerate([40, 20, 10, 10])]
        )
        images, which = self.images[keep], self.which[keep]
        clusters = ImageClusters.fit(images, num_clusters=4, seed=0)
        self.assertAllClose(sorted(clusters.probabilities), [0.125, 0.125, 0.25, 0.5])
        balanced = clusters.balance_classes((images, which))
        self.assertAllClose(balanced.probabilities, [0.25] * 4)
        # With labels that split the blobs unevenly, each class still weighs 1/2.
        halves = (which >= 2).astype("int32")
        balanced = clusters.balance_classes((images, halves))
        assigned = clusters.assign(images).numpy()
        class_share = [
            balanced.probabilities[np.unique(assigned[halves == c])].sum() for c in (0, 1)
        ]
        self.assertAllClose(class_share, [0.5, 0.5])

    def test_balance_classes_refuses_what_it_cannot_use(self):
        clusters = ImageClusters.fit(self.images, num_clusters=4, seed=0)
        with self.assertRaisesRegex(ValueError, r"needs the class labels.*\(images only\)"):
            clusters.balance_classes(from_arrays(self.images, batch_size=16, shuffle=False))
        with self.assertRaisesRegex(ValueError, "tuple \\(images, labels\\). Received: ndarray"):
            clusters.balance_classes(self.images)
        with self.assertRaisesRegex(ValueError, r"integer class ids.*dtype=float32"):
            clusters.balance_classes((self.images, self.which.astype("float32")))
        with self.assertRaisesRegex(ValueError, r"one per sample \(160\).*shape=\(3,\)"):
            clusters.balance_classes((self.images, self.which[:3]))
        with self.assertRaisesRegex(ValueError, "at least 0.*-1"):
            clusters.balance_classes((self.images, self.which - 1))
        with self.assertRaisesRegex(ValueError, "at least 2 classes.*160 labelled images of 1"):
            clusters.balance_classes((self.images, np.zeros(160, "int32")))
        # Labelled images from only three of the four blobs leave a cluster empty.
        some = self.which != 3
        with self.assertRaisesRegex(ValueError, r"No labelled image falls in cluster\(s\) \[\d\]"):
            clusters.balance_classes((self.images[some], self.which[some]))

    def test_save_and_load(self):
        clusters = ImageClusters.fit(self.images, num_clusters=4, seed=0)
        path = os.path.join(self.get_temp_dir(), "clusters.npz")
        self.assertEqual(clusters.save(path), path)
        loaded = ImageClusters.load(path)
        self.assertAllEqual(loaded.centroids, clusters.centroids)
        self.assertAllClose(loaded.probabilities, clusters.probabilities)
        self.assertEqual(loaded.image_shape, (2, 2, 1))

    def test_bad_input_is_refused(self):
        clusters = ImageClusters.fit(self.images, num_clusters=4, seed=0)
        with self.assertRaisesRegex(ValueError, r"shape \(2, 2, 1\).*\(3, 3, 1\)"):
            clusters.assign(np.zeros((2, 3, 3, 1), "float32"))
        with self.assertRaisesRegex(ValueError, "must end in '.npz'.*clusters.txt"):
            clusters.save(os.path.join(self.get_temp_dir(), "clusters.txt"))
        other = os.path.join(self.get_temp_dir(), "other.npz")
        np.savez(other, x_train=np.zeros(3))
        with self.assertRaisesRegex(ValueError, r"no \['centroids', 'probabilities'\].*x_train"):
            ImageClusters.load(other)
        with self.assertRaisesRegex(ValueError, "positive and sum to 1"):
            ImageClusters(np.zeros((2, 4)), [0.5, 0.6])
        with self.assertRaisesRegex(ValueError, r"probabilities` must have shape \(2,\).*\(3,\)"):
            ImageClusters(np.zeros((2, 4)), [0.2, 0.3, 0.5])
        with self.assertRaisesRegex(ValueError, "tf.data.Dataset.*ndarray"):
            clusters.label(self.images)
        with self.assertRaisesRegex(ValueError, "max_images.*>= 2.*=1"):
            ImageClusters.fit(self.images, num_clusters=2, max_images=1)
