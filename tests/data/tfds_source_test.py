import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from keras_gans.data import from_tfds
from keras_gans.data.tfds_source import _tfds_load_fn

# `tfds.testing.mock_data` makes random examples from the dataset's feature specs,
# offline and without the prepared files; it ignores split slicing such as
# "train[:10]", so every split has `num_examples` examples.


class FromTFDSTest(tf.test.TestCase):
    def test_mnist_images_and_labels(self):
        with tfds.testing.mock_data(num_examples=8):
            raw = next(iter(tfds.load("mnist", split="train", batch_size=8)))
            dataset = from_tfds("mnist", batch_size=8, shuffle=False)
            images, labels = next(iter(dataset))
        image_spec, label_spec = dataset.element_spec
        self.assertEqual(image_spec.shape, (8, 28, 28, 1))
        self.assertEqual(image_spec.dtype, tf.float32)
        self.assertEqual(label_spec.shape, (8,))
        self.assertEqual(label_spec.dtype, tf.int32)
        self.assertAllEqual(labels, raw["label"])
        self.assertAllClose(images, raw["image"].numpy() / 127.5 - 1.0, atol=1e-6)

    def test_seed(self):
        with tfds.testing.mock_data(num_examples=32):

            def labels(seed):
                dataset = from_tfds("mnist", batch_size=32, seed=seed)
                return next(iter(dataset))[1].numpy()

            first, again, other = labels(1), labels(1), labels(2)
            unshuffled = next(iter(from_tfds("mnist", batch_size=32, shuffle=False)))[1]
        self.assertAllEqual(first, again)
        self.assertNotAllEqual(first, other)
        self.assertAllEqual(np.sort(first), np.sort(unshuffled))

    def test_mnist_resize_and_channels(self):
        with tfds.testing.mock_data(num_examples=4):
            dataset = from_tfds("mnist", image_size=32, channels=3, batch_size=4)
            images, _ = next(iter(dataset))
        self.assertEqual(dataset.element_spec[0].shape, (4, 32, 32, 3))
        self.assertAllEqual(images[..., 0], images[..., 2])  # Grey copied to RGB.
        self.assertAllInRange(images, -1.0, 1.0)

    def test_celeb_a_has_no_labels(self):
        with tfds.testing.mock_data(num_examples=4):
            dataset = from_tfds("celeb_a", image_size=16, crop_size=108, batch_size=2)
            images = next(iter(dataset))
        self.assertIsInstance(dataset.element_spec, tf.TensorSpec)
        self.assertEqual(images.shape, (2, 16, 16, 3))
        self.assertLen(list(dataset), 2)

    def test_celeb_a_grey(self):
        with tfds.testing.mock_data(num_examples=2):
            dataset = from_tfds("celeb_a", image_size=8, channels=1, batch_size=2)
            self.assertEqual(next(iter(dataset)).shape, (2, 8, 8, 1))

    def test_batch_larger_than_split(self):
        with (
            tfds.testing.mock_data(num_examples=5),
            self.assertRaisesRegex(ValueError, r"batch_size=8, num_examples=5"),
        ):
            from_tfds("mnist", batch_size=8)

    def test_bad_arguments(self):
        with self.assertRaisesRegex(ValueError, "image_size=None, crop_size=108"):
            from_tfds("celeb_a", crop_size=108)
        with self.assertRaisesRegex(ValueError, "channels=4"):
            from_tfds("celeb_a", channels=4)


class TFDSLoadFnTest(tf.test.TestCase):
    """The feature extraction of `from_tfds`, on feature specs and examples."""

    def _features(self, **features):
        return tfds.features.FeaturesDict(features)

    def test_crop_resize_label(self):
        features = self._features(
            image=tfds.features.Image(shape=(None, None, 3)),
            label=tfds.features.ClassLabel(num_classes=3),
        )
        load_fn = _tfds_load_fn(features, "fake", image_size=2)
        pixels = np.zeros((4, 8, 3), np.uint8)
        pixels[:, 2:6] = 255  # The centre square of a wide image.
        example = {"image": tf.constant(pixels), "label": tf.constant(2, tf.int64)}
        image, label = load_fn(example)
        self.assertEqual(image.dtype, tf.uint8)
        self.assertAllEqual(image, np.full((2, 2, 3), 255))
        self.assertEqual(label.dtype, tf.int32)
        self.assertEqual(int(label), 2)

    def test_rgb_to_grey_without_resize(self):
        features = self._features(image=tfds.features.Image(shape=(2, 2, 3)))
        load_fn = _tfds_load_fn(features, "fake", channels=1)
        image = load_fn({"image": tf.fill((2, 2, 3), tf.constant(90, tf.uint8))})
        self.assertAllEqual(image, np.full((2, 2, 1), 90))

    def test_missing_image_feature(self):
        features = self._features(picture=tfds.features.Image(shape=(2, 2, 3)))
        with self.assertRaisesRegex(ValueError, r"no 'image' feature.*\['picture'\]"):
            _tfds_load_fn(features, "fake")

    def test_image_not_uint8(self):
        features = self._features(image=tfds.features.Image(shape=(2, 2, 1), dtype=tf.uint16))
        with self.assertRaisesRegex(ValueError, "dtype=uint16"):
            _tfds_load_fn(features, "fake")

    def test_variable_size_needs_image_size(self):
        features = self._features(image=tfds.features.Image(shape=(None, None, 3)))
        with self.assertRaisesRegex(ValueError, r"vary in size \(shape \(None, None, 3\)\)"):
            _tfds_load_fn(features, "fake")

    def test_label_must_be_scalar_integer(self):
        features = self._features(
            image=tfds.features.Image(shape=(2, 2, 3)),
            label=tfds.features.Tensor(shape=(4,), dtype=tf.int64),
        )
        with self.assertRaisesRegex(ValueError, r"'label' feature.*shape=\(4,\)"):
            _tfds_load_fn(features, "fake")
