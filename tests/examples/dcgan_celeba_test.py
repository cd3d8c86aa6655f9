import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import AdversarialModel
from tests.examples import run_example

pytestmark = pytest.mark.large


class DCGANCelebAExampleTest(tf.test.TestCase):
    def test_short_run_on_a_folder_writes_samples_model_and_export(self):
        tmp = self.get_temp_dir()
        faces = os.path.join(tmp, "img_align_celeba")
        os.makedirs(faces)
        rng = np.random.default_rng(0)
        for i in range(24):  # portrait images, as CelebA's 178x218
            pixels = rng.integers(0, 256, (44, 36, 3), dtype=np.uint8)
            with open(os.path.join(faces, f"{i + 1:06d}.jpg"), "wb") as f:
                f.write(tf.io.encode_jpeg(pixels).numpy())
        output_dir, export_dir = os.path.join(tmp, "out"), os.path.join(tmp, "export")
        result = run_example(
            "dcgan_celeba.py", f"--data={faces}", "--image_size=32", "--crop_size=32",
            "--batch_size=8", "--epochs=2", "--base_filters=4", "--latent_dim=8",
            "--backup_every=2", f"--output_dir={output_dir}", f"--export_dir={export_dir}",
        )  # fmt: skip
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])

        samples = sorted(os.listdir(os.path.join(output_dir, "samples")))
        self.assertEqual(samples, ["epoch_0001.png", "epoch_0002.png"])
        self.assertFalse(os.path.exists(os.path.join(output_dir, "backup")))  # run finished
        gan = keras.models.load_model(os.path.join(output_dir, "dcgan_celeba.keras"))
        self.assertIsInstance(gan, AdversarialModel)
        self.assertEqual(int(gan.trained_steps.numpy()), 6)  # 24 faces in batches of 8, twice
        generator = tf.saved_model.load(export_dir)
        latents = np.random.default_rng(1).standard_normal((3, 8)).astype("float32")
        images = generator.serve(latents)["images"].numpy()
        self.assertEqual(images.shape, (3, 32, 32, 3))
        self.assertAllClose(images, gan.generate(latents), atol=1e-5)
