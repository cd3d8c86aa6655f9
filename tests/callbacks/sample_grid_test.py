import glob
import os

import numpy as np
import tensorflow as tf
from matplotlib import image as mpimg
from tensorflow.core.util import event_pb2

from keras_gans.callbacks import SampleGrid
from keras_gans.callbacks import image_grid
from keras_gans.callbacks import save_image_grid
from tests.testing import NUM_CLASSES
from tests.testing import tiny_gan
from tests.testing import tiny_images
from tests.testing import tiny_labels


def read_image_summaries(logdir):
    """`{tag: {step: image array}}` of the image summaries in a log folder."""
    images = {}
    for path in glob.glob(os.path.join(logdir, "events.out.tfevents.*")):
        for record in tf.data.TFRecordDataset(path):
            event = event_pb2.Event.FromString(record.numpy())
            for value in event.summary.value:
                assert value.metadata.plugin_data.plugin_name == "images"
                # An image summary is a string tensor [width, height, png, ...].
                encoded = tf.make_ndarray(value.tensor)
                image = tf.io.decode_png(encoded[2]).numpy()
                images.setdefault(value.tag, {})[event.step] = image
    return images


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

    def test_step_grids_count_batches_across_fits(self):
        gan = tiny_gan()
        directory = os.path.join(self.get_temp_dir(), "steps")
        callback = SampleGrid(directory, num_samples=4, every_n_steps=3, on_epoch=False)
        # 16 images in batches of 4: 4 steps per epoch, 8 in two epochs.
        gan.fit(tiny_images(16), batch_size=4, epochs=2, verbose=0, callbacks=[callback])
        self.assertEqual(sorted(os.listdir(directory)), ["step_000003.png", "step_000006.png"])
        # A second fit goes on from the optimizer's 8 steps to 12.
        gan.fit(tiny_images(16), batch_size=4, epochs=1, verbose=0, callbacks=[callback])
        self.assertEqual(
            sorted(os.listdir(directory)),
            ["step_000003.png", "step_000006.png", "step_000009.png", "step_000012.png"],
        )
        self.assertEqual(callback.step, 12)
        # The last grid was written after the last batch: the final generator.
        latents = np.random.default_rng(0).standard_normal((4, gan.latent_dim)).astype("float32")
        png = mpimg.imread(os.path.join(directory, "step_000012.png"))
        self.assertAllClose(png[..., 0], image_grid(gan.generate(latents)), atol=2 / 255)

    def test_step_grids_with_several_steps_per_execution(self):
        gan = tiny_gan(steps_per_execution=2)
        directory = os.path.join(self.get_temp_dir(), "spe")
        callback = SampleGrid(directory, num_samples=4, every_n_steps=3, on_epoch=False)
        gan.fit(tiny_images(16), batch_size=4, epochs=2, verbose=0, callbacks=[callback])
        # Callbacks see steps 2, 4, 6, 8: a grid when a multiple of 3 is passed.
        self.assertEqual(sorted(os.listdir(directory)), ["step_000004.png", "step_000006.png"])

    def test_tensorboard_images(self):
        gan = tiny_gan()
        root = self.get_temp_dir()
        logdir = os.path.join(root, "logs")
        callback = SampleGrid(
            os.path.join(root, "tb_samples"), num_samples=4, every_n_steps=4, tensorboard_dir=logdir
        )
        gan.fit(tiny_images(16), batch_size=4, epochs=2, verbose=0, callbacks=[callback])
        summaries = read_image_summaries(logdir)
        self.assertEqual(sorted(summaries), ["batch_samples", "epoch_samples"])
        self.assertEqual(sorted(summaries["epoch_samples"]), [0, 1])  # epochs, 0-based
        self.assertEqual(sorted(summaries["batch_samples"]), [4, 8])  # global steps
        latents = np.random.default_rng(0).standard_normal((4, gan.latent_dim)).astype("float32")
        image = summaries["epoch_samples"][1]
        self.assertEqual(image.shape, (8, 8, 1))
        self.assertAllClose(
            image[..., 0] / 255.0, image_grid(gan.generate(latents)), atol=0.51 / 255
        )
        self.assertAllEqual(summaries["batch_samples"][8], image)  # same generator

    def test_default_has_no_batch_hook(self):
        # Keras fetches every batch's logs only for callbacks with a batch hook.
        self.assertTrue(getattr(SampleGrid("x").on_train_batch_end, "_is_default", False))
        self.assertFalse(
            getattr(SampleGrid("x", every_n_steps=5).on_train_batch_end, "_is_default", False)
        )

    def test_bad_arguments(self):
        directory = self.get_temp_dir()
        with self.assertRaisesRegex(ValueError, "num_samples=0"):
            SampleGrid(directory, num_samples=0)
        with self.assertRaisesRegex(ValueError, "every_n_steps=0"):
            SampleGrid(directory, every_n_steps=0)
        with self.assertRaisesRegex(ValueError, "on_epoch=False, every_n_steps=None"):
            SampleGrid(directory, on_epoch=False)
        with self.assertRaisesRegex(ValueError, "on_epoch='yes'"):
            SampleGrid(directory, on_epoch="yes")
        with self.assertRaisesRegex(ValueError, "num_columns=0"):
            SampleGrid(directory, num_columns=0)
        with self.assertRaisesRegex(ValueError, "tensorboard_dir=3"):
            SampleGrid(directory, tensorboard_dir=3)
