import os

import numpy as np
import tensorflow as tf
from matplotlib import image as mpimg

from keras_gans.callbacks import SampleGrid
from keras_gans.callbacks import image_grid
from keras_gans.callbacks import save_image_grid
from tests.testing import NUM_CLASSES
from tests.testing import tiny_gan
from tests.testing import tiny_images
from tests.testing import tiny_labels


class ImageGridTest(tf.test.TestCase):
    def test_layout_and_scaling(self):
        images = np.stack([np.full((2, 3, 1), v, "float32") for v in (-1.0, 0.0, 1.0)])
        grid = image_grid(images, num_columns=2)
        # Two rows of two cells; the empty fourth cell is black.
        expected = np.array(
            [[0.0, 0.0, 0.0, 0.5, 0.5, 0.5]] * 2 + [[1.0, 1.0, 1.0, 0.0, 0.0, 0.0]] * 2
        )
        self.assertAllClose(grid, expected)

    def test_colour_and_default_columns(self):
        images = np.zeros((5, 2, 2, 3), "float32")
        self.assertEqual(image_grid(images).shape, (2 * 2, 3 * 2, 3))

    def test_bad_shape(self):
        with self.assertRaisesRegex(ValueError, r"Received: shape=\(4, 4\)"):
            image_grid(np.zeros((4, 4)))

    def test_saved_png_has_the_grid_pixels(self):
        images = np.random.default_rng(0).uniform(-1, 1, (4, 3, 3, 1)).astype("float32")
        path = save_image_grid(images, os.path.join(self.get_temp_dir(), "sub", "grid.png"))
        png = mpimg.imread(path)  # 8-bit through a 256-entry grey colour map
        self.assertEqual(png.shape[:2], (6, 6))
        self.assertAllClose(png[..., 0], image_grid(images), atol=2 / 255)


class SampleGridTest(tf.test.TestCase):
    def test_writes_one_grid_per_epoch_from_fixed_latents(self):
        gan = tiny_gan()
        directory = os.path.join(self.get_temp_dir(), "samples")
        callback = SampleGrid(directory, num_samples=4)
        gan.fit(tiny_images(8), batch_size=4, epochs=2, verbose=0, callbacks=[callback])
        self.assertEqual(sorted(os.listdir(directory)), ["epoch_0001.png", "epoch_0002.png"])
        latents = np.random.default_rng(0).standard_normal((4, gan.latent_dim)).astype("float32")
        png = mpimg.imread(os.path.join(directory, "epoch_0002.png"))
        self.assertAllClose(png[..., 0], image_grid(gan.generate(latents)), atol=2 / 255)

    def test_conditional_grid_has_one_class_per_column(self):
        gan = tiny_gan(num_classes=NUM_CLASSES)
        callback = SampleGrid(self.get_temp_dir(), num_samples=6)
        gan.fit(tiny_images(8), tiny_labels(8), batch_size=4, verbose=0, callbacks=[callback])
        latents = np.random.default_rng(0).standard_normal((6, gan.latent_dim)).astype("float32")
        expected = image_grid(gan.generate(latents, labels=[0, 1, 2, 0, 1, 2]), num_columns=3)
        png = mpimg.imread(callback.paths[-1])
        self.assertEqual(png.shape[:2], (2 * 4, 3 * 4))
        self.assertAllClose(png[..., 0], expected, atol=2 / 255)

    def test_bad_num_samples(self):
        with self.assertRaisesRegex(ValueError, "num_samples=0"):
            SampleGrid(self.get_temp_dir(), num_samples=0)
