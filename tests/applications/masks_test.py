import os

import numpy as np
import tensorflow as tf
from PIL import Image

from keras_gans.applications.masks import center_mask
from keras_gans.applications.masks import half_mask
from keras_gans.applications.masks import load_mask
from keras_gans.applications.masks import mask_batch
from keras_gans.applications.masks import random_mask


class MaskTest(tf.test.TestCase):
    def test_center_mask_of_64(self):
        mask = center_mask(64)
        self.assertEqual(mask.shape, (64, 64))
        self.assertEqual(mask.dtype, np.float32)
        rows, cols = np.nonzero(mask == 0)
        self.assertEqual((rows.min(), rows.max() + 1, cols.min(), cols.max() + 1), (16, 48, 16, 48))
        self.assertEqual(int((mask == 0).sum()), 32 * 32)
        self.assertAllEqual(center_mask((64, 64, 3)), mask)
        rows, cols = np.nonzero(center_mask((8, 12), scale=0.25) == 0)
        self.assertEqual((rows.min(), rows.max(), cols.min(), cols.max()), (2, 5, 3, 8))

    def test_random_mask(self):
        mask = random_mask(10, fraction=0.3, seed=1)
        self.assertEqual(int((mask == 0).sum()), 30)
        self.assertAllEqual(mask, random_mask(10, fraction=0.3, seed=1))
        self.assertNotAllEqual(mask, random_mask(10, fraction=0.3, seed=2))
        self.assertAllEqual(random_mask((3, 4), fraction=0.0), np.ones((3, 4)))
        self.assertAllEqual(random_mask((3, 4), fraction=1.0), np.zeros((3, 4)))

    def test_half_masks(self):
        self.assertAllEqual(half_mask((2, 5), "left"), [[0, 0, 1, 1, 1]] * 2)
        self.assertAllEqual(half_mask((2, 5), "right"), [[1, 1, 1, 0, 0]] * 2)
        self.assertAllEqual(half_mask((3, 1), "top"), [[0], [1], [1]])
        self.assertAllEqual(half_mask((3, 1), "bottom"), [[1], [1], [0]])
        with self.assertRaisesRegex(ValueError, r"`side` must be one of \['left'"):
            half_mask(4, "middle")

    def test_load_mask_from_png(self):
        directory = self.get_temp_dir()
        pixels = np.full((4, 6), 255, "uint8")
        pixels[1:3, 2:5] = 0
        grey = os.path.join(directory, "grey.png")
        Image.fromarray(pixels).save(grey)
        expected = (pixels > 0).astype("float32")
        self.assertAllEqual(load_mask(grey), expected)
        self.assertAllEqual(load_mask(grey, invert=True), 1 - expected)
        colour = os.path.join(directory, "colour.png")
        rgba = np.stack([pixels, pixels, pixels, np.full_like(pixels, 7)], axis=-1)
        Image.fromarray(rgba, "RGBA").save(colour)
        self.assertAllEqual(load_mask(colour, image_size=(4, 6)), expected)
        # A mid-grey pixel is known only below its level.
        pixels[0, 0] = 128
        Image.fromarray(pixels).save(grey)
        self.assertEqual(load_mask(grey, threshold=0.4)[0, 0], 1.0)
        self.assertEqual(load_mask(grey, threshold=0.6)[0, 0], 0.0)
        with self.assertRaisesRegex(ValueError, r"has size \(4, 6\), not the image size \(4, 4\)"):
            load_mask(grey, image_size=4)
        with self.assertRaisesRegex(ValueError, "must be an image file"):
            load_mask(os.path.join(directory, "missing.png"))

    def test_bad_sizes(self):
        with self.assertRaisesRegex(ValueError, r"Received: image_size=0"):
            center_mask(0)
        with self.assertRaisesRegex(ValueError, r"`scale` must be a number in \(0, 0.5\)"):
            center_mask(8, scale=0.5)
        with self.assertRaisesRegex(ValueError, r"`fraction` must be a number in \[0, 1\]"):
            random_mask(8, fraction=1.5)


class MaskBatchTest(tf.test.TestCase):
    def test_shapes(self):
        shape = (3, 4, 4, 2)
        mask = center_mask(4)
        for given in (mask, mask[..., None], np.stack([mask, mask], -1)):
            batch = mask_batch(given, shape)
            self.assertEqual(batch.shape, shape)
            self.assertAllEqual(batch[2, ..., 1], mask)
        per_image = np.stack([mask, 1 - mask, mask])
        self.assertAllEqual(mask_batch(per_image, shape)[1, ..., 0], 1 - mask)
        self.assertAllEqual(mask_batch(per_image[..., None], shape)[1, ..., 1], 1 - mask)
        self.assertAllEqual(mask_batch(mask.astype(bool), shape)[0, ..., 0], mask)

    def test_bad_masks(self):
        with self.assertRaisesRegex(
            ValueError, r"must have shape \(4, 4\).*Received: shape=\(5, 5\)"
        ):
            mask_batch(np.ones((5, 5)), (3, 4, 4, 1))
        with self.assertRaisesRegex(ValueError, "only 0 .* and 1"):
            mask_batch(np.full((4, 4), 0.5), (3, 4, 4, 1))
        with self.assertRaisesRegex(ValueError, "could be one mask for all images or one per"):
            mask_batch(np.ones((4, 4, 4)), (4, 4, 4, 4))
