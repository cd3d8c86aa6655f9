import os
import shutil
import tempfile

import numpy as np
import tensorflow as tf

from keras_gans.data import from_folder


def _write_image(folder, name, pixels):
    """Write a uint8 (H, W, C) array as PNG or JPEG, chosen by the file extension."""
    pixels = tf.constant(pixels, tf.uint8)
    if name.lower().endswith(".png"):
        data = tf.io.encode_png(pixels)
    else:
        data = tf.io.encode_jpeg(pixels, quality=100)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data.numpy())


def _quarters(height, width, outer, middle, channels=3):
    """An image whose outer quarters (along its long side) differ from the middle."""
    image = np.full((height, width, channels), middle, np.uint8)
    if width > height:
        image[:, : width // 4] = outer
        image[:, -width // 4 :] = outer
    else:
        image[: height // 4] = outer
        image[-height // 4 :] = outer
    return image


def _to_pixels(batch):
    return np.round((np.asarray(batch) + 1.0) * 127.5)


class FromFolderTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        self.folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.folder)

    def test_center_crop_picks_the_centre_png(self):
        # 4 x 8, left and right quarters black: the centre 4 x 4 square is white.
        _write_image(self.folder, "wide.png", _quarters(4, 8, outer=0, middle=255))
        # 8 x 4, top and bottom quarters white: the centre square is black.
        _write_image(self.folder, "tall.png", _quarters(8, 4, outer=255, middle=0))
        dataset = from_folder(self.folder, image_size=4, batch_size=2, shuffle=False)
        tall, wide = next(iter(dataset))  # Sorted: tall.png, wide.png.
        self.assertAllEqual(tall, -np.ones((4, 4, 3)))
        self.assertAllEqual(wide, np.ones((4, 4, 3)))

    def test_center_crop_jpeg(self):
        _write_image(self.folder, "wide.jpg", _quarters(16, 32, outer=0, middle=200))
        batch = next(iter(from_folder(self.folder, image_size=8, batch_size=1)))
        self.assertEqual(batch.shape, (1, 8, 8, 3))
        self.assertAllClose(_to_pixels(batch), np.full((1, 8, 8, 3), 200), atol=2)

    def test_no_crop_squeezes_the_whole_image(self):
        _write_image(self.folder, "wide.png", _quarters(4, 8, outer=0, middle=255))
        batch = next(iter(from_folder(self.folder, image_size=4, crop=None, batch_size=1)))
        # Antialiased 2x downscale of columns [0 0 255 255 255 255 0 0]:
        # (0.25 * 255) / 1.75 = 36.4 at the sides, 1.75 * 255 / 2 = 223.1 inside.
        self.assertAllEqual(_to_pixels(batch[0, 0, :, 0]), [36, 223, 223, 36])

    def test_crop_size(self):
        image = np.zeros((10, 8, 3), np.uint8)
        image[4:6, 3:5] = 255  # The centre 2 x 2 square of a 10 x 8 image.
        _write_image(self.folder, "a.png", image)
        batch = next(iter(from_folder(self.folder, image_size=2, crop_size=2, batch_size=1)))
        self.assertAllEqual(batch, np.ones((1, 2, 2, 3)))
        batch = next(iter(from_folder(self.folder, image_size=2, crop_size=4, batch_size=1)))
        # The centre 4 x 4 holds the white 2 x 2 in its middle. Antialiased 2x
        # downscale, per axis: weights 0.75, 0.75, 0.25 over the 3 nearest
        # columns, white ones (0.75 + 0.25) / 1.75; so 255 * (1 / 1.75) ** 2 = 83.3.
        self.assertAllEqual(_to_pixels(batch), np.full((1, 2, 2, 3), 83))

    def test_crop_size_larger_than_image(self):
        _write_image(self.folder, "a.png", np.zeros((10, 8, 3), np.uint8))
        dataset = from_folder(self.folder, image_size=4, crop_size=9, batch_size=1)
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "crop_size=9"):
            next(iter(dataset))

    def test_grey_and_colour(self):
        _write_image(self.folder, "a_grey.png", np.full((4, 4, 1), 51, np.uint8))
        _write_image(self.folder, "b_colour.png", np.full((4, 4, 3), 204, np.uint8))
        colour = next(iter(from_folder(self.folder, image_size=4, batch_size=2, shuffle=False)))
        grey = next(
            iter(from_folder(self.folder, image_size=4, channels=1, batch_size=2, shuffle=False))
        )
        self.assertEqual(colour.shape, (2, 4, 4, 3))
        self.assertEqual(grey.shape, (2, 4, 4, 1))
        self.assertAllEqual(_to_pixels(colour[0]), np.full((4, 4, 3), 51))
        self.assertAllEqual(_to_pixels(grey[1]), np.full((4, 4, 1), 204))
        self.assertAllClose(colour[0], np.full((4, 4, 3), 51 / 127.5 - 1))

    def test_resize_values_and_scaling(self):
        # Noise 30 x 20: the centre 20 x 20 square (rows 5..24), resized by 2.5
        # with a triangle filter 2.5 pixels wide, rounded to 8 bits, scaled.
        rng = np.random.default_rng(0)
        pixels = rng.integers(0, 256, (30, 20, 3)).astype(np.uint8)
        _write_image(self.folder, "noise.png", pixels)
        batch = next(iter(from_folder(self.folder, image_size=8, batch_size=1)))
        self.assertEqual(batch.shape, (1, 8, 8, 3))
        self.assertEqual(batch.dtype, tf.float32)
        scale = 20 / 8
        centres = (np.arange(8) + 0.5) * scale
        weights = np.maximum(
            0.0, 1.0 - np.abs(np.arange(20)[None, :] + 0.5 - centres[:, None]) / scale
        )
        weights /= weights.sum(axis=1, keepdims=True)
        expected = np.einsum("ai,bj,ijc->abc", weights, weights, pixels[5:25].astype("float64"))
        # Rounded to the 8-bit grid: within half a level (and float rounding).
        self.assertAllClose(_to_pixels(batch[0]), np.round(expected), atol=1)
        self.assertAllClose(batch[0], np.round(expected) / 127.5 - 1.0, atol=1 / 127.5 + 1e-6)
        self.assertAllClose((batch + 1.0) * 127.5, _to_pixels(batch), atol=1e-3)  # on the grid

    def test_file_selection_and_order(self):
        # Any case of .jpg/.jpeg/.png is taken, in sorted order; others are ignored.
        for i, name in enumerate(["c.PNG", "a.jpg", "b.Jpeg", "d.png"]):
            _write_image(self.folder, name, np.full((8, 8, 3), 40 * (i + 1), np.uint8))
        with open(os.path.join(self.folder, "notes.txt"), "w") as f:
            f.write("not an image")
        os.mkdir(os.path.join(self.folder, "sub.png"))
        dataset = from_folder(self.folder, image_size=8, batch_size=4, shuffle=False)
        means = _to_pixels(next(iter(dataset))).mean(axis=(1, 2, 3))
        self.assertAllClose(means, [80, 120, 40, 160], atol=2)  # a, b, c, d.

    def test_shuffle_seed(self):
        for i in range(20):
            _write_image(self.folder, f"{i:02d}.png", np.full((2, 2, 1), 10 * i, np.uint8))

        def order(seed):
            dataset = from_folder(self.folder, image_size=2, channels=1, batch_size=20, seed=seed)
            return _to_pixels(next(iter(dataset)))[:, 0, 0, 0]

        first = order(1)
        self.assertAllEqual(first, order(1))
        self.assertNotAllEqual(first, order(2))
        self.assertAllEqual(np.sort(first), 10 * np.arange(20))

    def test_cache_gives_the_same_images(self):
        rng = np.random.default_rng(1)
        for i in range(4):
            _write_image(self.folder, f"{i}.png", rng.integers(0, 256, (12, 10, 3)))
        kwargs = {"image_size": 5, "batch_size": 4, "shuffle": False}
        plain = next(iter(from_folder(self.folder, **kwargs)))
        cached = from_folder(self.folder, cache=True, **kwargs)
        self.assertAllEqual(plain, next(iter(cached)))
        self.assertAllEqual(plain, next(iter(cached)))  # Second epoch, from the cache.

    def test_batches_and_remainder(self):
        for i in range(5):
            _write_image(self.folder, f"{i}.png", np.zeros((3, 3, 3), np.uint8))
        dataset = from_folder(self.folder, image_size=3, batch_size=2)
        self.assertEqual(dataset.element_spec.shape, (2, 3, 3, 3))
        self.assertLen(list(dataset), 2)
        dataset = from_folder(self.folder, image_size=3, batch_size=2, drop_remainder=False)
        self.assertEqual([int(b.shape[0]) for b in dataset], [2, 2, 1])

    def test_batch_larger_than_number_of_files(self):
        _write_image(self.folder, "a.png", np.zeros((3, 3, 3), np.uint8))
        with self.assertRaisesRegex(ValueError, r"batch_size=64, num_examples=1"):
            from_folder(self.folder)

    def test_missing_folder(self):
        missing = os.path.join(self.folder, "missing")
        with self.assertRaisesRegex(ValueError, "does not exist.*missing"):
            from_folder(missing)

    def test_path_is_a_file(self):
        _write_image(self.folder, "a.png", np.zeros((3, 3, 3), np.uint8))
        with self.assertRaisesRegex(ValueError, "not a folder.*a.png"):
            from_folder(os.path.join(self.folder, "a.png"))

    def test_empty_folder(self):
        with self.assertRaisesRegex(
            ValueError,
            f"no image files in the folder '{self.folder}'.*.jpg, .jpeg, .png",
        ):
            from_folder(self.folder)

    def test_folder_without_image_files(self):
        with open(os.path.join(self.folder, "readme.txt"), "w") as f:
            f.write("hello")
        with self.assertRaisesRegex(ValueError, "no image files.*.jpg, .jpeg, .png"):
            from_folder(self.folder)

    def test_empty_and_fake_files_are_listed(self):
        _write_image(self.folder, "good.png", np.zeros((3, 3, 3), np.uint8))
        open(os.path.join(self.folder, "empty.jpg"), "wb").close()
        with open(os.path.join(self.folder, "fake.png"), "wb") as f:
            f.write(b"GIF89a....")
        with self.assertRaisesRegex(
            ValueError,
            r"2 of the 3 .*empty.jpg \(empty\), fake.png \(starts with b'GIF8'\)",
        ):
            from_folder(self.folder, batch_size=1)

    def test_many_bad_files_are_counted(self):
        for i in range(13):
            open(os.path.join(self.folder, f"{i:02d}.jpg"), "wb").close()
        with self.assertRaisesRegex(ValueError, r"09.jpg \(empty\), and 3 more"):
            from_folder(self.folder, batch_size=1)

    def test_bad_arguments(self):
        _write_image(self.folder, "a.png", np.zeros((3, 3, 3), np.uint8))
        with self.assertRaisesRegex(ValueError, "channels=2"):
            from_folder(self.folder, channels=2, batch_size=1)
        with self.assertRaisesRegex(ValueError, "channels=True"):
            from_folder(self.folder, channels=True, batch_size=1)
        with self.assertRaisesRegex(ValueError, "image_size=0"):
            from_folder(self.folder, image_size=0, batch_size=1)
        with self.assertRaisesRegex(ValueError, "image_size=None"):
            from_folder(self.folder, image_size=None, batch_size=1)
        with self.assertRaisesRegex(ValueError, "crop='top'"):
            from_folder(self.folder, crop="top", batch_size=1)
        with self.assertRaisesRegex(ValueError, "crop=None, crop_size=2"):
            from_folder(self.folder, crop=None, crop_size=2, batch_size=1)
        with self.assertRaisesRegex(
            ValueError, "`cache` must be True or False. Received: cache='yes'"
        ):
            from_folder(self.folder, cache="yes", batch_size=1)
