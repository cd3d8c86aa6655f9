import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds

from keras_gans.data import from_tfds
from keras_gans.data.tfds_source import _tfds_load_fn

# `tfds.testing.mock_data` makes random examples from the dataset's feature specs,
# offline and without the prepared files; it ignores split slicing such as
# "train[:10]", so every split has `num_examples` examples.


def _bilinear_rows(size, new_size):
    """The (new_size, size) matrix of a bilinear upscale with half-pixel centres."""
    centres = (np.arange(new_size) + 0.5) * size / new_size
    weights = np.maximum(0.0, 1.0 - np.abs(np.arange(size)[None, :] + 0.5 - centres[:, None]))
    return weights / weights.sum(axis=1, keepdims=True)


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
            raw = next(iter(tfds.load("mnist", split="train", batch_size=4)))["image"].numpy()
            dataset = from_tfds("mnist", image_size=32, channels=3, batch_size=4, shuffle=False)
            images, _ = next(iter(dataset))
        self.assertEqual(dataset.element_spec[0].shape, (4, 32, 32, 3))
        self.assertAllEqual(images[..., 0], images[..., 2])  # Grey copied to RGB.
        self.assertAllEqual(images[..., 0], images[..., 1])
        # Upscaled 28 -> 32 bilinearly (half-pixel centres), rounded to 8 bits.
        rows = _bilinear_rows(28, 32)
        expected = np.einsum("ai,bj,nij->nab", rows, rows, raw[..., 0].astype("float64"))
        pixels = np.round((images.numpy()[..., 0] + 1.0) * 127.5)
        self.assertAllClose(pixels, np.round(expected), atol=1)
        self.assertAllClose(images[..., 0], pixels / 127.5 - 1.0, atol=1e-6)

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
        # Luma of ITU-R BT.601, Y = 0.2989 R + 0.5870 G + 0.1140 B (in [0, 1]),
        # back to 8 bits as tf.image.convert_image_dtype does (x 255.5, truncated):
        # not channel 0, not the mean of the channels.
        pixels = np.array([[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [255, 255, 255]]], np.uint8)
        luma = pixels.astype("float64") / 255 @ np.array([0.2989, 0.5870, 0.1140])
        self.assertAllEqual(np.floor(luma * 255.5), [[76, 149], [29, 255]])
        image = load_fn({"image": tf.constant(pixels)})
        self.assertEqual(image.dtype, tf.uint8)
        self.assertAllEqual(image[..., 0], [[76, 149], [29, 255]])

    def test_celeb_a_centre_crop_of_108(self):
        # A CelebA-sized 218 x 178 image whose centre 108 x 108 square (rows
        # 55..162, columns 35..142) is one colour and the rest another: a crop
        # off by one row or column would blend the frame in.
        features = self._features(image=tfds.features.Image(shape=(218, 178, 3)))
        load_fn = _tfds_load_fn(features, "celeb_a", image_size=4, crop_size=108)
        pixels = np.full((218, 178, 3), 250, np.uint8)
        pixels[55:163, 35:143] = (10, 100, 200)
        image = load_fn({"image": tf.constant(pixels)})
        self.assertAllEqual(image, np.broadcast_to([10, 100, 200], (4, 4, 3)))
        for top, left in ((54, 35), (56, 35), (55, 34), (55, 36)):
            shifted = np.full((218, 178, 3), 250, np.uint8)
            shifted[top : top + 108, left : left + 108] = (10, 100, 200)
            self.assertNotAllEqual(load_fn({"image": tf.constant(shifted)}), image, msg=(top, left))

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
