import os

import numpy as np
import tensorflow as tf

from keras_gans.data import from_folder


class FolderSliceTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        self.folder = os.path.join(self.get_temp_dir(), "images")
        os.makedirs(self.folder, exist_ok=True)
        # File k is a flat image of grey level 20 k, so a batch tells which files it holds.
        for k in range(6):
            pixels = np.full((8, 8, 1), 20 * k, np.uint8)
            tf.io.write_file(os.path.join(self.folder, f"{k:03d}.png"), tf.io.encode_png(pixels))

    def _levels(self, **kwargs):
        dataset = from_folder(
            self.folder, image_size=8, channels=1, batch_size=1, shuffle=False, **kwargs
        )
        return [int(round((float(b.numpy().mean()) + 1) * 127.5 / 20)) for b in dataset]

    def test_start_and_stop_select_sorted_files(self):
        self.assertEqual(self._levels(), [0, 1, 2, 3, 4, 5])
        self.assertEqual(self._levels(stop=4), [0, 1, 2, 3])
        self.assertEqual(self._levels(start=4), [4, 5])
        self.assertEqual(self._levels(start=1, stop=3), [1, 2])

    def test_bad_ranges(self):
        with self.assertRaisesRegex(ValueError, r"start=6 and stop=None: it holds 6 image files"):
            self._levels(start=6)
        with self.assertRaisesRegex(
            ValueError, r"`start` must be an integer >= 0. Received: start=-1"
        ):
            self._levels(start=-1)
