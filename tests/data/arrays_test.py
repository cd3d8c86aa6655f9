import os
import shutil
import tempfile
import warnings

import numpy as np
import tensorflow as tf

from keras_gans.data import from_arrays
from keras_gans.data import from_npz


def _first_batch(dataset):
    return next(iter(dataset))


def _all_images(dataset):
    return np.concatenate(
        [(batch[0] if isinstance(batch, tuple) else batch).numpy() for batch in dataset]
    )


class FromArraysTest(tf.test.TestCase):
    def test_uint8_scaling(self):
        images = np.array([0, 127, 128, 255], np.uint8).reshape(4, 1, 1)
        batch = _first_batch(from_arrays(images, batch_size=4, shuffle=False))
        self.assertEqual(batch.dtype, tf.float32)
        # 0 -> -1, 255 -> 1, and 127.5 would be the midpoint 0.
        self.assertAllClose(
            batch[:, 0, 0, 0], [-1.0, 127 / 127.5 - 1, 128 / 127.5 - 1, 1.0], atol=1e-7
        )
        self.assertAllClose(batch[1, 0, 0, 0] + batch[2, 0, 0, 0], 0.0, atol=1e-6)

    def test_other_integer_dtypes_in_0_255_are_scaled(self):
        images = np.array([0, 255], np.int64).reshape(2, 1, 1)
        batch = _first_batch(from_arrays(images, batch_size=2, shuffle=False))
        self.assertAllEqual(batch[:, 0, 0, 0], [-1.0, 1.0])

    def test_float_images_pass_through(self):
        images = np.array([-1.0, -0.25, 0.5, 1.0], np.float64).reshape(4, 1, 1, 1)
        batch = _first_batch(from_arrays(images, batch_size=4, shuffle=False))
        self.assertEqual(batch.dtype, tf.float32)
        self.assertAllEqual(batch[:, 0, 0, 0], [-1.0, -0.25, 0.5, 1.0])

    def test_images_in_0_1_get_a_warning(self):
        images = np.linspace(0.0, 1.0, 8, dtype=np.float32).reshape(8, 1, 1, 1)
        with self.assertWarnsRegex(UserWarning, r"all lie in \[0, 1\].*images \* 2 - 1"):
            from_arrays(images, batch_size=4)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            from_arrays(images * 2 - 1, batch_size=4)  # scaled: no warning
            from_arrays(np.zeros((8, 1, 1, 1), np.float32), batch_size=4)  # constant

    def test_shapes_and_label_dtype(self):
        images = np.zeros((10, 6, 5), np.uint8)
        labels = np.arange(10, dtype=np.int64)
        dataset = from_arrays(images, labels, batch_size=4)
        image_spec, label_spec = dataset.element_spec
        self.assertEqual(image_spec.shape, (4, 6, 5, 1))
        self.assertEqual(image_spec.dtype, tf.float32)
        self.assertEqual(label_spec.shape, (4,))
        self.assertEqual(label_spec.dtype, tf.int32)
        self.assertLen(list(dataset), 2)  # 10 // 4, the remainder is dropped.

    def test_keep_remainder(self):
        images = np.zeros((10, 2, 2, 3), np.uint8)
        dataset = from_arrays(images, batch_size=4, drop_remainder=False)
        self.assertEqual([int(b.shape[0]) for b in dataset], [4, 4, 2])

    def test_labels_follow_their_images(self):
        images = np.arange(20, dtype=np.uint8).reshape(20, 1, 1)
        labels = np.arange(20, dtype=np.uint8)
        dataset = from_arrays(images, labels, batch_size=5, seed=3)
        for batch_images, batch_labels in dataset:
            pixels = np.round((batch_images[:, 0, 0, 0].numpy() + 1) * 127.5)
            self.assertAllEqual(pixels, batch_labels)

    def test_n_1_labels_are_flattened(self):
        images = np.zeros((4, 2, 2), np.uint8)
        _, labels = _first_batch(
            from_arrays(images, np.array([[3], [1], [2], [0]]), batch_size=4, shuffle=False)
        )
        self.assertAllEqual(labels, [3, 1, 2, 0])

    def test_no_shuffle_keeps_order(self):
        images = np.arange(8, dtype=np.uint8).reshape(8, 1, 1)
        order = np.round(
            (_all_images(from_arrays(images, batch_size=8, shuffle=False)) + 1) * 127.5
        )
        self.assertAllEqual(order.ravel(), np.arange(8))

    def test_same_seed_same_order_different_seed_different_order(self):
        images = np.arange(100, dtype=np.uint8).reshape(100, 1, 1)
        first = _all_images(from_arrays(images, batch_size=10, seed=7))
        again = _all_images(from_arrays(images, batch_size=10, seed=7))
        other = _all_images(from_arrays(images, batch_size=10, seed=8))
        self.assertAllEqual(first, again)
        self.assertNotAllEqual(first, other)
        # A full shuffle: every image once per epoch, not in the original order.
        self.assertAllEqual(
            np.sort(first.ravel()),
            np.sort(_all_images(from_arrays(images, batch_size=10, shuffle=False)).ravel()),
        )
        self.assertNotAllEqual(first.ravel(), np.sort(first.ravel()))

    def test_reshuffles_each_epoch(self):
        images = np.arange(100, dtype=np.uint8).reshape(100, 1, 1)
        dataset = from_arrays(images, batch_size=10, seed=7)
        self.assertNotAllEqual(_all_images(dataset), _all_images(dataset))

    def test_image_size_resizes(self):
        images = np.full((4, 28, 28), 255, np.uint8)
        images[:, :, :14] = 0
        batch = _first_batch(from_arrays(images, batch_size=4, image_size=14, shuffle=False))
        self.assertEqual(batch.shape, (4, 14, 14, 1))
        self.assertAllEqual(batch[0, :, :6, 0], -np.ones((14, 6)))
        self.assertAllEqual(batch[0, :, 8:, 0], np.ones((14, 6)))

    def test_float_image_size_values(self):
        # An antialiased bilinear 2x downscale: each output pixel is the
        # triangle-weighted mean of the 4 nearest input pixels per axis
        # (weights 1/4, 3/4, 3/4, 1/4; at the edges 3/4, 3/4, 1/4 over 7/4).
        images = np.random.default_rng(0).uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
        batch = _first_batch(from_arrays(images, batch_size=2, image_size=4, shuffle=False))
        self.assertEqual(batch.dtype, tf.float32)
        self.assertEqual(batch.shape, (2, 4, 4, 3))
        rows = _triangle_resampling(8, 4)
        expected = np.einsum("ai,bj,nijc->nabc", rows, rows, images.astype("float64"))
        self.assertAllClose(batch, expected, atol=1e-5)
        self.assertAllInRange(batch, -1.0, 1.0)

    def test_float_out_of_range(self):
        images = np.full((2, 4, 4), 255.0, np.float32)
        images[0] = 0.0
        with self.assertRaisesRegex(ValueError, r"\[-1, 1\].*min=0.0, max=255.0"):
            from_arrays(images, batch_size=1)

    def test_float_nan(self):
        images = np.zeros((2, 4, 4), np.float32)
        images[0, 0, 0] = np.nan
        with self.assertRaisesRegex(ValueError, "NaN"):
            from_arrays(images, batch_size=1)

    def test_integer_out_of_range(self):
        images = np.array([0, 1000], np.int32).reshape(2, 1, 1)
        with self.assertRaisesRegex(ValueError, "min=0, max=1000"):
            from_arrays(images, batch_size=1)

    def test_bad_dtype(self):
        with self.assertRaisesRegex(ValueError, "images.dtype=bool"):
            from_arrays(np.zeros((2, 4, 4), bool), batch_size=1)

    def test_wrong_rank(self):
        with self.assertRaisesRegex(ValueError, r"images.shape=\(4, 4\)"):
            from_arrays(np.zeros((4, 4), np.uint8), batch_size=1)
        with self.assertRaisesRegex(ValueError, r"images.shape=\(1, 2, 4, 4, 1\)"):
            from_arrays(np.zeros((1, 2, 4, 4, 1), np.uint8), batch_size=1)

    def test_zero_images(self):
        with self.assertRaisesRegex(ValueError, r"zero images.*\(0, 28, 28\)"):
            from_arrays(np.zeros((0, 28, 28), np.uint8))

    def test_label_length_mismatch(self):
        with self.assertRaisesRegex(ValueError, r"len\(labels\)=3, len\(images\)=4"):
            from_arrays(np.zeros((4, 2, 2), np.uint8), np.zeros(3, np.int32), batch_size=2)

    def test_label_rank(self):
        with self.assertRaisesRegex(ValueError, r"labels.shape=\(4, 2\)"):
            from_arrays(np.zeros((4, 2, 2), np.uint8), np.zeros((4, 2), np.int32), batch_size=2)

    def test_non_integer_labels(self):
        with self.assertRaisesRegex(ValueError, "labels.dtype=float32"):
            from_arrays(np.zeros((4, 2, 2), np.uint8), np.zeros(4, np.float32), batch_size=2)

    def test_negative_labels(self):
        with self.assertRaisesRegex(ValueError, r"min\(labels\)=-1"):
            from_arrays(np.zeros((4, 2, 2), np.uint8), np.array([0, 1, -1, 2]), batch_size=2)

    def test_batch_larger_than_dataset(self):
        with self.assertRaisesRegex(ValueError, r"batch_size=64, num_examples=10"):
            from_arrays(np.zeros((10, 2, 2), np.uint8))
        # Allowed when the remainder is kept: one batch of 10.
        dataset = from_arrays(np.zeros((10, 2, 2), np.uint8), drop_remainder=False)
        self.assertEqual([int(b.shape[0]) for b in dataset], [10])

    def test_bad_pipeline_arguments(self):
        images = np.zeros((4, 2, 2), np.uint8)
        with self.assertRaisesRegex(ValueError, "batch_size=0"):
            from_arrays(images, batch_size=0)
        with self.assertRaisesRegex(ValueError, "batch_size=2.0"):
            from_arrays(images, batch_size=2.0)
        with self.assertRaisesRegex(ValueError, "shuffle_buffer_size=0"):
            from_arrays(images, batch_size=2, shuffle_buffer_size=0)
        with self.assertRaisesRegex(ValueError, "image_size=-3"):
            from_arrays(images, batch_size=2, image_size=-3)
        with self.assertRaisesRegex(
            ValueError, "`shuffle` must be True or False. Received: shuffle='yes'"
        ):
            from_arrays(images, batch_size=2, shuffle="yes")
        message = r"`seed` must be an integer or None. Received: seed=1.5"
        with self.assertRaisesRegex(ValueError, message):
            from_arrays(images, batch_size=2, seed=1.5)
        with self.assertRaisesRegex(ValueError, "Received: drop_remainder=1"):
            from_arrays(images, batch_size=2, drop_remainder=1)


def _triangle_resampling(size, new_size):
    """The (new_size, size) matrix of an antialiased bilinear (triangle) resize."""
    scale = size / new_size
    centres = (np.arange(new_size) + 0.5) * scale
    distance = np.abs(np.arange(size)[None, :] + 0.5 - centres[:, None]) / max(scale, 1.0)
    weights = np.maximum(0.0, 1.0 - distance)
    return weights / weights.sum(axis=1, keepdims=True)


class FromNpzTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)

    def _write(self, **arrays):
        path = os.path.join(self.tmp, "data.npz")
        np.savez(path, **arrays)
        return path

    def test_detects_images_and_labels(self):
        path = self._write(images=np.full((4, 3, 3), 255, np.uint8), labels=np.array([1, 2, 3, 4]))
        images, labels = _first_batch(from_npz(path, batch_size=4, shuffle=False))
        self.assertEqual(images.shape, (4, 3, 3, 1))
        self.assertAllEqual(images, np.ones((4, 3, 3, 1)))
        self.assertAllEqual(labels, [1, 2, 3, 4])

    def test_detects_keras_mnist_keys(self):
        # Keras' mnist.npz: the training split is used, the test split ignored.
        path = self._write(
            x_train=np.zeros((4, 3, 3), np.uint8),
            y_train=np.array([5, 6, 7, 8]),
            x_test=np.full((2, 3, 3), 255, np.uint8),
            y_test=np.array([0, 0]),
        )
        images, labels = _first_batch(from_npz(path, batch_size=4, shuffle=False))
        self.assertAllEqual(images, -np.ones((4, 3, 3, 1)))
        self.assertAllEqual(labels, [5, 6, 7, 8])

    def test_x_without_labels(self):
        path = self._write(x=np.zeros((4, 3, 3), np.uint8))
        dataset = from_npz(path, batch_size=2)
        self.assertIsInstance(dataset.element_spec, tf.TensorSpec)
        self.assertEqual(dataset.element_spec.shape, (2, 3, 3, 1))

    def test_explicit_keys(self):
        path = self._write(
            faces=np.zeros((4, 3, 3, 3), np.uint8),
            ids=np.array([0, 1, 0, 1]),
            images=np.zeros((2, 1, 1), np.uint8),
        )
        images, labels = _first_batch(
            from_npz(path, image_key="faces", label_key="ids", batch_size=4, shuffle=False)
        )
        self.assertEqual(images.shape, (4, 3, 3, 3))
        self.assertAllEqual(labels, [0, 1, 0, 1])

    def test_no_image_key_lists_keys(self):
        path = self._write(pixels=np.zeros((4, 3, 3), np.uint8), y=np.zeros(4, np.int32))
        with self.assertRaisesRegex(ValueError, r"Keys in the file: \['pixels', 'y'\]"):
            from_npz(path, batch_size=2)

    def test_missing_requested_key_lists_keys(self):
        path = self._write(images=np.zeros((4, 3, 3), np.uint8))
        with self.assertRaisesRegex(
            ValueError, r"no array named 'faces'.*Keys in the file: \['images'\]"
        ):
            from_npz(path, image_key="faces", batch_size=2)
        with self.assertRaisesRegex(ValueError, r"label_key='ids'"):
            from_npz(path, label_key="ids", batch_size=2)

    def test_missing_file(self):
        path = os.path.join(self.tmp, "nothing.npz")
        with self.assertRaisesRegex(ValueError, "No such .npz file.*nothing.npz"):
            from_npz(path)

    def test_not_an_npz(self):
        path = os.path.join(self.tmp, "text.npz")
        with open(path, "w") as f:
            f.write("hello")
        with self.assertRaisesRegex(ValueError, "Could not read .*text.npz"):
            from_npz(path)
