import os
from unittest import mock

import numpy as np
import tensorflow as tf
from matplotlib import image as mpimg
from matplotlib import pyplot as plt
from PIL import Image
from PIL import ImageSequence

from keras_gans.applications.visualization import plot_images
from keras_gans.applications.visualization import save_gif
from keras_gans.applications.visualization import save_grid
from keras_gans.applications.visualization import save_strip
from keras_gans.callbacks import image_grid


def ramp_frames(num_frames, height=3, width=5, channels=1):
    """Frames that all differ: frame k is uniformly -1 + 2k / (num_frames - 1)."""
    values = np.linspace(-1, 1, num_frames, dtype="float32")
    return np.ones((num_frames, height, width, channels), "float32") * values[:, None, None, None]


def gif_frames(path):
    with Image.open(path) as gif:
        durations = []
        frames = []
        for frame in ImageSequence.Iterator(gif):
            durations.append(frame.info.get("duration"))
            frames.append(np.asarray(frame.convert("L"), dtype="float32"))
        return np.stack(frames), durations, gif.info.get("loop")


class SaveGifTest(tf.test.TestCase):
    def test_frames_are_read_back(self):
        path = os.path.join(self.get_temp_dir(), "sub", "walk.gif")
        written = save_gif(ramp_frames(6), path, duration=40)
        self.assertEqual(written, os.path.abspath(path))
        frames, durations, loop = gif_frames(path)
        self.assertEqual(frames.shape, (6, 3, 5))
        self.assertEqual(durations, [40] * 6)
        self.assertEqual(loop, 0)
        expected = np.round(np.linspace(0, 255, 6))
        self.assertAllClose(frames[:, 0, 0], expected, atol=1)

    def test_colour_frames_and_grids_of_walks(self):
        frames = np.random.default_rng(0).uniform(-1, 1, (4, 3, 2, 2, 3)).astype("float32")
        frames[:, 0, 0, 0] = np.linspace(-1, 1, 4)[:, None]  # distinct frames
        path = save_gif(frames, os.path.join(self.get_temp_dir(), "grid.gif"), num_columns=3)
        with Image.open(path) as gif:
            self.assertEqual(gif.n_frames, 4)
            self.assertEqual(gif.size, (3 * 2, 2))  # (width, height) of a 1x3 grid

    def test_written_atomically(self):
        directory = os.path.join(self.get_temp_dir(), "atomic")
        path = os.path.join(directory, "walk.gif")
        save_gif(ramp_frames(3), path)
        with open(path, "rb") as f:
            before = f.read()
        with mock.patch.object(Image.Image, "save", side_effect=OSError("disk full")):
            with self.assertRaisesRegex(OSError, "disk full"):
                save_gif(ramp_frames(5), path)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertEqual(os.listdir(directory), ["walk.gif"])

    def test_bad_frames(self):
        path = os.path.join(self.get_temp_dir(), "bad.gif")
        with self.assertRaisesRegex(ValueError, r"Received: shape=\(3, 4\)"):
            save_gif(np.zeros((3, 4)), path)
        with self.assertRaisesRegex(ValueError, "1 or 3 channels"):
            save_gif(np.zeros((2, 3, 3, 2)), path)
        with self.assertRaisesRegex(ValueError, "`duration` must be a positive integer"):
            save_gif(ramp_frames(2), path, duration=0)
        self.assertFalse(os.path.exists(path))


class GridTest(tf.test.TestCase):
    def test_walks_become_rows(self):
        walks = np.random.default_rng(1).uniform(-1, 1, (2, 5, 3, 3, 1)).astype("float32")
        path = save_grid(walks, os.path.join(self.get_temp_dir(), "walks.png"))
        png = mpimg.imread(path)
        self.assertEqual(png.shape[:2], (2 * 3, 5 * 3))
        expected = image_grid(walks.reshape(10, 3, 3, 1), num_columns=5)
        self.assertAllClose(png[..., 0], expected, atol=2 / 255)
        self.assertEqual(os.listdir(os.path.dirname(path)), ["walks.png"])

    def test_strip_is_one_row(self):
        images = np.random.default_rng(2).uniform(-1, 1, (7, 2, 3, 3)).astype("float32")
        png = mpimg.imread(save_strip(images, os.path.join(self.get_temp_dir(), "strip.png")))
        self.assertEqual(png.shape[:2], (2, 7 * 3))
        self.assertAllClose(png[..., :3], image_grid(images, num_columns=7), atol=2 / 255)

    def test_plot_images(self):
        images = np.random.default_rng(3).uniform(-1, 1, (4, 3, 3, 1)).astype("float32")
        ax = plot_images(images, num_columns=2, title="samples")
        self.assertAllClose(ax.images[0].get_array(), image_grid(images, 2))
        self.assertEqual(ax.get_title(), "samples")
        plt.close(ax.figure)

    def test_bad_grids(self):
        path = os.path.join(self.get_temp_dir(), "bad.png")
        with self.assertRaisesRegex(ValueError, "`num_columns` is set by the layout"):
            save_grid(np.zeros((2, 3, 4, 4, 1)), path, num_columns=2)
        with self.assertRaisesRegex(ValueError, "non-empty array of shape"):
            save_strip(np.zeros((0, 4, 4, 1)), path)
