import os
import shutil
import tempfile

import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from keras_gans.data import load_dataset


class LoadDatasetTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)

    def test_default_is_mnist_sample_with_labels(self):
        dataset = load_dataset(batch_size=50, seed=0)
        image_spec, label_spec = dataset.element_spec
        self.assertEqual(image_spec.shape, (50, 28, 28, 1))
        self.assertEqual(label_spec.dtype, tf.int32)
        self.assertLen(list(dataset), 100)  # 5,000 / 50.

    def test_mnist_sample_with_image_size(self):
        dataset = load_dataset("mnist_sample", image_size=32, batch_size=8)
        self.assertEqual(dataset.element_spec[0].shape, (8, 32, 32, 1))

    def test_npz_path(self):
        path = os.path.join(self.tmp, "faces.NPZ")
        with open(path, "wb") as f:  # A file object: np.savez adds no extension.
            np.savez(f, images=np.zeros((6, 4, 4, 3), np.uint8))
        dataset = load_dataset(path, batch_size=3)
        self.assertEqual(dataset.element_spec.shape, (3, 4, 4, 3))

    def test_missing_npz_path(self):
        with self.assertRaisesRegex(ValueError, "No such .npz file.*missing.npz"):
            load_dataset(os.path.join(self.tmp, "missing.npz"))

    def test_folder(self):
        for name in ("a.png", "b.png"):
            png = tf.io.encode_png(tf.zeros((6, 6, 3), tf.uint8)).numpy()
            with open(os.path.join(self.tmp, name), "wb") as f:
                f.write(png)
        dataset = load_dataset(self.tmp, image_size=4, batch_size=2)
        self.assertEqual(dataset.element_spec.shape, (2, 4, 4, 3))
        self.assertAllEqual(next(iter(dataset)), -np.ones((2, 4, 4, 3)))

    def test_tfds_names(self):
        with tfds.testing.mock_data(num_examples=4):
            dataset = load_dataset("mnist", batch_size=2)
            versioned = load_dataset("mnist:3.*.*", batch_size=2)
            faces = load_dataset("celeb_a", image_size=8, batch_size=2)
        self.assertEqual(dataset.element_spec[0].shape, (2, 28, 28, 1))
        self.assertEqual(versioned.element_spec[1].dtype, tf.int32)
        self.assertEqual(faces.element_spec.shape, (2, 8, 8, 3))

    def test_unknown_source_lists_valid_kinds(self):
        missing = os.path.join(self.tmp, "no_such_folder")
        with self.assertRaisesRegex(
            ValueError,
            "no_such_folder.*no such file or folder.*'mnist_sample'.*'.npz'"
            ".*existing folder.*TensorFlow Datasets name",
        ):
            load_dataset(missing)

    def test_typo_suggests_name(self):
        with self.assertRaisesRegex(ValueError, "Did you mean 'celeb_a'"):
            load_dataset("celeba")
        with self.assertRaisesRegex(ValueError, "Did you mean 'mnist_sample'"):
            load_dataset("mnist-sample")

    def test_existing_file_that_is_not_npz(self):
        path = os.path.join(self.tmp, "image.png")
        open(path, "wb").close()
        with self.assertRaisesRegex(ValueError, "a file, but not a '.npz' file"):
            load_dataset(path)

    def test_source_type(self):
        with self.assertRaisesRegex(
            ValueError, "`source` must be a string or a path.*Received: source=42"
        ):
            load_dataset(42)
