import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans.models import Progressive
from keras_gans.models import StyleGAN
from tests.examples import run_example

pytestmark = pytest.mark.large


def _faces(folder, count=12):
    os.makedirs(folder)
    rng = np.random.default_rng(0)
    for i in range(count):  # portrait images, as CelebA's 178x218
        pixels = rng.integers(0, 256, (22, 18, 3), dtype=np.uint8)
        with open(os.path.join(folder, f"{i + 1:06d}.jpg"), "wb") as f:
            f.write(tf.io.encode_jpeg(pixels).numpy())


class StyleAndProgressiveExamplesTest(tf.test.TestCase):
    def test_stylegan_short_run_writes_samples_figures_model_and_export(self):
        tmp = self.get_temp_dir()
        faces = os.path.join(tmp, "img_align_celeba")
        _faces(faces)
        output_dir, export_dir = os.path.join(tmp, "out"), os.path.join(tmp, "export")
        result = run_example(
            "stylegan_celeba.py", f"--data={faces}", "--image_size=8", "--crop_size=16",
            "--batch_size=4", "--images=16", "--stop=8", "--backup_every=1",
            "--mixed_precision=bfloat16",
            f"--output_dir={output_dir}", f"--export_dir={export_dir}",
        )  # fmt: skip
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        for name in ("style_mixing.png", "truncation.png", "history.png"):
            self.assertGreater(os.path.getsize(os.path.join(output_dir, name)), 0)
        # 8 of the 12 faces (--stop=8) in batches of 4: 2 steps per epoch, 2 epochs.
        gan = keras.models.load_model(os.path.join(output_dir, "stylegan_celeba.keras"))
        self.assertIsInstance(gan, StyleGAN)
        self.assertEqual(gan.dtype_policy.name, "mixed_bfloat16")
        self.assertEqual(int(gan.trained_steps.numpy()), 4)
        # The mixing grid: 4 rows and 6 columns of mixes, with the sources on the edges.
        grid = keras.utils.load_img(os.path.join(output_dir, "style_mixing.png"))
        self.assertEqual(grid.size, (7 * 8, 5 * 8))
        exported = tf.saved_model.load(export_dir)
        z = np.random.default_rng(1).standard_normal((2, gan.latent_dim)).astype("float32")
        # In bfloat16 (8 bits of mantissa) the SavedModel's graph and the eager
        # call round differently; float32 exports match to 1e-5 (export_test.py).
        self.assertAllClose(exported.serve(z)["images"], gan.generate(z), atol=3e-2)
        self.assertEqual(tuple(exported.mapping(z)["w"].shape), (2, gan.generator.num_ws, 128))

    def test_progan_grows_to_full_size(self):
        tmp = self.get_temp_dir()
        faces = os.path.join(tmp, "img_align_celeba")
        _faces(faces, count=32)
        output_dir, export_dir = os.path.join(tmp, "out"), os.path.join(tmp, "export")
        result = run_example(
            "progan_celeba.py", f"--data={faces}", "--image_size=8", "--crop_size=16",
            "--phase_images=64", "--batch_size=8", "--backup_every=2",
            f"--output_dir={output_dir}", f"--export_dir={export_dir}",
        )  # fmt: skip
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertIn("Level reached: 1.00 of 1", result.stdout)
        gan = keras.models.load_model(os.path.join(output_dir, "progan_celeba.keras"))
        self.assertIsInstance(gan.schedule, Progressive)
        self.assertGreaterEqual(int(gan.schedule.images_shown.numpy()), gan.schedule.total_images())
        exported = tf.saved_model.load(export_dir)
        z = np.random.default_rng(1).standard_normal((2, gan.latent_dim)).astype("float32")
        self.assertEqual(tuple(exported.serve(z)["images"].shape), (2, 8, 8, 3))
