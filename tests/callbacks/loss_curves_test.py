import os

import keras
import numpy as np
import tensorflow as tf
from matplotlib import image as mpimg

from keras_gans.callbacks import LossCurves
from keras_gans.callbacks import MetricEvaluator
from keras_gans.callbacks import plot_history
from tests.testing import IMAGE_SHAPE
from tests.testing import tiny_gan
from tests.testing import tiny_images

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Matplotlib's first and second colours ("C0", "C1"): the first two values of a
# panel (a validation value takes its training value's colour, dashed).
C0 = np.array([0x1F, 0x77, 0xB4]) / 255
C1 = np.array([0xFF, 0x7F, 0x0E]) / 255


def read_png(path):
    with open(path, "rb") as f:
        assert f.read(8) == PNG_SIGNATURE
    return mpimg.imread(path)


def has_colour(image, colour, rows=slice(None)):
    return bool(np.any(np.all(np.abs(image[rows, :, :3] - colour) < 0.02, axis=-1)))


class PlotHistoryTest(tf.test.TestCase):
    def path(self, *names):
        return os.path.join(self.get_temp_dir(), *names)

    def test_panels_of_a_full_history(self):
        history = {
            "d_loss": [1.4, 1.2, 1.1],
            "g_loss": [0.7, 0.9, 1.0],
            "val_d_loss": [1.5, 1.3, 1.2],
            "d_real": [0.5, 0.6, 0.7],
            "d_fake": [0.5, 0.4, 0.3],
            "gradient_penalty": [0.3, 0.2, 0.1],
            "kid": {1: 0.2, 2: 0.1},  # every few epochs: {epoch: value}
            "kid_std": {1: 0.02, 2: 0.01},
        }
        image = read_png(plot_history(history, self.path("full.png"), dpi=40))
        # 8 x 2.5 inches per panel: losses, probabilities, gradient_penalty,
        # kid (with kid_std as its band, and val_d_loss with d_loss).
        self.assertEqual(image.shape, (4 * 100, 320, 4))
        top_panel = slice(0, 100)
        self.assertTrue(has_colour(image, C0, top_panel))  # d_loss
        self.assertTrue(has_colour(image, C1, top_panel))  # g_loss
        self.assertFalse(has_colour(image, np.array([0x2C, 0xA0, 0x2C]) / 255))  # no "C2"

    def test_missing_keys_leave_panels_out(self):
        image = read_png(plot_history({"g_loss": [3.0, 2.0, 1.0]}, self.path("g.png"), dpi=40))
        self.assertEqual(image.shape, (100, 320, 4))
        self.assertTrue(has_colour(image, C0))
        self.assertFalse(has_colour(image, C1))  # one curve only
        critic = {"critic_real": [1.0, 2.0], "critic_fake": [-1.0, -2.0], "fid": {1: 30.0}}
        image = read_png(plot_history(critic, self.path("critic.png"), dpi=40))
        self.assertEqual(image.shape, (2 * 100, 320, 4))

    def test_keras_history_object(self):
        history = keras.callbacks.History()
        history.epoch = [0, 1]
        history.history = {"d_loss": [1.0, 0.5], "g_loss": [1.0, 2.0]}
        image = read_png(plot_history(history, self.path("sub", "history.png"), dpi=40))
        self.assertEqual(image.shape, (100, 320, 4))

    def test_bad_arguments(self):
        path = self.path("bad.png")
        with self.assertRaisesRegex(ValueError, r"holds no values to plot. Received keys: \['x'\]"):
            plot_history({"x": []}, path)
        with self.assertRaisesRegex(ValueError, "history of type list"):
            plot_history([1.0, 2.0], path)
        with self.assertRaisesRegex(ValueError, r"history\['g_loss'\].*Received: 3.0"):
            plot_history({"g_loss": 3.0}, path)
        with self.assertRaisesRegex(ValueError, r"must hold numbers. Received: \['a'\]"):
            plot_history({"g_loss": ["a"]}, path)
        with self.assertRaisesRegex(ValueError, "dpi=0"):
            plot_history({"g_loss": [1.0]}, path, dpi=0)
        with self.assertRaisesRegex(ValueError, "path=None"):
            LossCurves(None)
        self.assertFalse(os.path.exists(path))


class LossCurvesTest(tf.test.TestCase):
    def test_writes_the_history_with_values_of_later_callbacks(self):
        gan = tiny_gan()
        path = os.path.join(self.get_temp_dir(), "curves.png")
        curves = LossCurves(path, dpi=40)
        images = keras.Input(IMAGE_SHAPE)
        evaluator = MetricEvaluator(
            tiny_images(8, seed=3),
            every_n_epochs=2,
            extractor=keras.Model(images, keras.layers.Flatten()(images)),
            batch_size=8,
        )
        # LossCurves comes first, yet records the FID that MetricEvaluator
        # adds to the same logs after it.
        history = gan.fit(
            tiny_images(8), batch_size=4, epochs=4, verbose=0, callbacks=[curves, evaluator]
        )
        self.assertEqual(curves.history["fid"], evaluator.history["fid"])
        self.assertEqual(sorted(curves.history["fid"]), [1, 3])
        self.assertEqual(list(curves.history["d_loss"].values()), history.history["d_loss"])
        self.assertEqual(sorted(curves.history), ["d_fake", "d_loss", "d_real", "fid", "g_loss"])
        # Three panels: losses, discriminator outputs, FID.
        self.assertEqual(read_png(path).shape, (3 * 100, 320, 4))
