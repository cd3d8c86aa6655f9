import json
import os

import numpy as np
import pytest
import tensorflow as tf
from matplotlib import image as mpimg

from keras_gans import AdversarialModel
from keras_gans.architectures import DCGANDiscriminator
from keras_gans.architectures import DCGANGenerator
from tests.examples import run_example

pytestmark = pytest.mark.large


class InpaintCelebAExampleTest(tf.test.TestCase):
    def test_report_and_figures_on_the_files_asked_for(self):
        tmp = self.get_temp_dir()
        faces = os.path.join(tmp, "img_align_celeba")
        os.makedirs(faces)
        rng = np.random.default_rng(0)
        for i in range(6):
            pixels = rng.integers(0, 256, (40, 32, 3), dtype=np.uint8)
            with open(os.path.join(faces, f"{i + 1:06d}.jpg"), "wb") as f:
                f.write(tf.io.encode_jpeg(pixels).numpy())
        shape = (32, 32, 3)
        gan = AdversarialModel(
            DCGANGenerator(latent_dim=8, image_shape=shape, base_filters=4),
            DCGANDiscriminator(image_shape=shape, base_filters=4),
            seed=0,
        )
        model = os.path.join(tmp, "gan.keras")
        gan.save(model)
        out = os.path.join(tmp, "report")
        result = run_example(
            "inpaint_celeba.py", f"--model={model}", f"--data={faces}", "--crop_size=32",
            "--start=2", "--stop=5", "--steps=3", "--candidates=2", "--masks=center,left",
            "--figure_faces=2", f"--output_dir={out}",
        )  # fmt: skip
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        with open(os.path.join(out, "report.json")) as f:
            report = json.load(f)
        self.assertEqual(report["num_faces"], 3)  # files 3 to 5
        self.assertEqual(sorted(report["masks"]), ["center", "left"])
        self.assertAllClose(report["masks"]["center"]["missing_share"], 0.25)
        self.assertAllClose(report["masks"]["left"]["missing_share"], 0.5)
        for values in report["masks"].values():
            for method in ("mean_fill", "inpaint_paste", "inpaint_poisson"):
                self.assertTrue(np.isfinite(values[method]["hole_psnr"]), values)
                # The known pixels are kept, so the whole image scores higher.
                self.assertGreater(values[method]["image_psnr"], values[method]["hole_psnr"])
        # Rows: faces, masked, pasted, blended; one column per face shown.
        figure = mpimg.imread(os.path.join(out, "inpaint_center.png"))
        self.assertEqual(figure.shape[:2], (4 * 32, 2 * 32))
        table = open(os.path.join(out, "report.md")).read()
        self.assertEqual(table.count("| center |") + table.count("| left |"), 2)

    def test_unknown_mask_is_a_usage_error(self):
        result = run_example(
            "inpaint_celeba.py", "--model=missing.keras", f"--data={self.get_temp_dir()}",
            "--masks=oval",
        )  # fmt: skip
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--masks takes center, random, left, right, top, bottom", result.stderr)
        self.assertIn("['oval']", result.stderr)
