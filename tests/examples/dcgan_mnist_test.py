import os

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import AdversarialModel
from tests.examples import run_example


class DCGANMNISTExampleTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.parameters(False, True)
    def test_short_run_writes_samples_model_and_export(self, conditional):
        tmp = self.get_temp_dir()
        output_dir = os.path.join(tmp, f"out_{conditional}")
        export_dir = os.path.join(tmp, f"export_{conditional}")
        result = run_example(
            "dcgan_mnist.py", "--epochs=2", "--batch_size=500", "--base_filters=4",
            "--latent_dim=8", f"--output_dir={output_dir}", f"--export_dir={export_dir}",
            f"--conditional={conditional}",
        )  # fmt: skip
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])

        samples = sorted(os.listdir(os.path.join(output_dir, "samples")))
        self.assertEqual(samples, ["epoch_0001.png", "epoch_0002.png"])
        gan = keras.models.load_model(os.path.join(output_dir, "dcgan_mnist.keras"))
        self.assertIsInstance(gan, AdversarialModel)
        self.assertEqual(gan.conditional, conditional)
        # 5,000 bundled digits in batches of 500, two epochs.
        self.assertEqual(int(gan.g_optimizer.iterations), 20)

        generator = tf.saved_model.load(export_dir)
        latents = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")
        labels = np.array([1, 4, 9], "int32")
        args = (latents, labels) if conditional else (latents,)
        images = generator.serve(*args)["images"].numpy()
        self.assertEqual(images.shape, (3, 28, 28, 1))
        self.assertAllClose(images, gan.generate(*args), atol=1e-5)
