import os
import subprocess
import sys
import textwrap
from unittest import mock

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import export_generator
from tests.testing import LATENT_DIM
from tests.testing import NUM_CLASSES
from tests.testing import tiny_gan


def _run_python(code, cwd):
    """Runs `code` in a fresh interpreter that imports only TensorFlow."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise AssertionError(result.stderr[-3000:])
    return result.stdout


class ExportTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        self.latents = np.random.default_rng(0).normal(size=(5, LATENT_DIM)).astype("float32")
        self.labels = np.array([0, 1, 2, 0, 1], "int32")

    def _serve(self, path):
        loaded = tf.saved_model.load(path)  # keep it alive while serving
        return loaded.serve(self.latents)["images"]

    @pytest.mark.large
    def test_reloaded_in_a_fresh_process_with_equal_outputs(self):
        gan = tiny_gan(num_classes=NUM_CLASSES)
        gan.fit(
            np.random.default_rng(1).uniform(-1, 1, (8, 4, 4, 1)).astype("float32"),
            np.arange(8) % 3,
            batch_size=8,
            verbose=0,
        )
        path = export_generator(gan, os.path.join(self.get_temp_dir(), "cgan"))
        tmp = self.get_temp_dir()
        np.save(os.path.join(tmp, "latents.npy"), self.latents)
        np.save(os.path.join(tmp, "labels.npy"), self.labels)
        _run_python(
            f"""
            import sys
            import numpy as np
            import tensorflow as tf
            generator = tf.saved_model.load({path!r})
            images = generator.serve(np.load("latents.npy"), np.load("labels.npy"))["images"]
            np.save("images.npy", images.numpy())
            assert "keras_gans" not in sys.modules
            """,
            cwd=tmp,
        )
        exported = np.load(os.path.join(tmp, "images.npy"))
        self.assertEqual(exported.dtype, np.float32)
        self.assertAllClose(exported, gan.generate(self.latents, self.labels), atol=1e-6)

    def test_signature(self):
        gan = tiny_gan(num_classes=NUM_CLASSES)
        loaded = tf.saved_model.load(export_generator(gan, os.path.join(self.get_temp_dir(), "m")))
        self.assertEqual(sorted(loaded.signatures), ["serve", "serving_default"])
        signature = loaded.signatures["serve"]
        _, inputs = signature.structured_input_signature
        self.assertEqual(inputs["latent"], tf.TensorSpec([None, LATENT_DIM], tf.float32, "latent"))
        self.assertEqual(inputs["label"], tf.TensorSpec([None], tf.int32, "label"))
        self.assertEqual(signature.structured_outputs["images"].shape.as_list(), [None, 4, 4, 1])
        outputs = signature(latent=tf.constant(self.latents), label=tf.constant(self.labels))
        self.assertAllClose(outputs["images"], gan.generate(self.latents, self.labels), atol=1e-6)

    def test_unconditional_and_bare_generator(self):
        gan = tiny_gan()
        for name, source in (("gan", gan), ("generator", gan.generator)):
            path = export_generator(source, os.path.join(self.get_temp_dir(), name))
            loaded = tf.saved_model.load(path)
            self.assertAllClose(
                loaded.serve(self.latents)["images"], gan.generate(self.latents), atol=1e-6
            )

    def test_bad_inputs_to_the_exported_generator(self):
        gan = tiny_gan(num_classes=NUM_CLASSES)
        loaded = tf.saved_model.load(export_generator(gan, os.path.join(self.get_temp_dir(), "m")))
        with self.assertRaisesRegex(
            tf.errors.InvalidArgumentError, "label must be < num_classes=3"
        ):
            loaded.serve(self.latents, np.array([0, 1, 2, 3, 0], "int32"))
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "label must be >= 0"):
            loaded.serve(self.latents, np.array([0, 1, 2, -1, 0], "int32"))
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "same number of samples"):
            loaded.serve(self.latents, np.array([0, 1], "int32"))
        # TensorFlow's binding of the arguments to the signature refuses it.
        with self.assertRaisesRegex(
            TypeError, rf"Can not cast TensorSpec\(shape=\(2, {LATENT_DIM + 1}\).*name='latent'"
        ):
            loaded.serve(np.zeros((2, LATENT_DIM + 1), "float32"), np.array([0, 1], "int32"))

    def test_signature_checks_the_latent_width(self):
        # Concrete signatures do not check shapes against their spec.
        for num_classes in (None, NUM_CLASSES):
            gan = tiny_gan(num_classes=num_classes)
            path = export_generator(gan, os.path.join(self.get_temp_dir(), f"w{num_classes}"))
            signature = tf.saved_model.load(path).signatures["serve"]
            inputs = {"latent": tf.zeros((5, LATENT_DIM + 1))}
            if num_classes:
                inputs["label"] = tf.constant(self.labels)
            with self.assertRaisesRegex(
                tf.errors.InvalidArgumentError,
                rf"latent must have shape \(num_samples, {LATENT_DIM}\)",
            ):
                signature(**inputs)

    @pytest.mark.large
    def test_saved_model_cli_shows_and_runs_it(self):
        gan = tiny_gan()
        path = export_generator(gan, os.path.join(self.get_temp_dir(), "m"))
        cli = [sys.executable, "-m", "tensorflow.python.tools.saved_model_cli"]
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        shown = subprocess.run(
            cli + ["show", "--dir", path, "--all"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        self.assertIn("signature_def['serve']", shown)
        self.assertIn(f"shape: (-1, {LATENT_DIM})", shown)
        self.assertIn("shape: (-1, 4, 4, 1)", shown)
        out = os.path.join(self.get_temp_dir(), "out")
        subprocess.run(
            cli
            + [
                "run",
                "--dir",
                path,
                "--tag_set",
                "serve",
                "--signature_def",
                "serve",
                "--input_exprs",
                f"latent={[[1.0] * LATENT_DIM] * 2}",
                "--outdir",
                out,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        self.assertAllClose(
            np.load(os.path.join(out, "images.npy")),
            gan.generate(np.ones((2, LATENT_DIM), "float32")),
            atol=1e-6,
        )

    def test_existing_path_is_replaced_only_when_asked(self):
        path = os.path.join(self.get_temp_dir(), "m")
        first, second = tiny_gan(seed=1), tiny_gan(seed=2)
        second.generator.set_weights([w + 1.0 for w in second.generator.get_weights()])
        export_generator(first, path)
        with self.assertRaisesRegex(FileExistsError, "overwrite=True"):
            export_generator(second, path)
        self.assertAllClose(self._serve(path), first.generate(self.latents))
        export_generator(second, path, overwrite=True)
        self.assertAllClose(self._serve(path), second.generate(self.latents))
        self.assertEqual(os.listdir(self.get_temp_dir()), ["m"])

    def test_failed_export_keeps_the_good_model(self):
        parent = os.path.join(self.get_temp_dir(), "models")
        path = os.path.join(parent, "m")
        good = tiny_gan(seed=1)
        export_generator(good, path)
        bad = tiny_gan(seed=2)
        # The write "succeeds" but leaves no valid SavedModel behind.
        with mock.patch.object(tf.saved_model, "contains_saved_model", return_value=False):
            with self.assertRaisesRegex(RuntimeError, "Writing the SavedModel"):
                export_generator(bad, path, overwrite=True)
        self.assertEqual(os.listdir(parent), ["m"])
        self.assertAllClose(self._serve(path), good.generate(self.latents))

    def test_failed_swap_puts_the_old_model_back(self):
        # The new model is complete and the old one already moved aside when
        # the rename of the new one into place fails: the old one must return.
        parent = os.path.join(self.get_temp_dir(), "models")
        path = os.path.join(parent, "m")
        good, bad = tiny_gan(seed=1), tiny_gan(seed=2)
        bad.generator.set_weights([w + 1.0 for w in bad.generator.get_weights()])
        export_generator(good, path)
        expected = good.generate(self.latents)
        real_replace = os.replace
        renames = []

        def failing_replace(source, target):
            renames.append((os.path.basename(source), os.path.basename(target)))
            staged = os.path.basename(source).startswith(".m.") and not source.endswith(".previous")
            if staged and os.path.abspath(target) == os.path.abspath(path):
                raise OSError("injected: the rename into place failed")
            return real_replace(source, target)

        with mock.patch.object(os, "replace", side_effect=failing_replace):
            with self.assertRaisesRegex(OSError, "injected"):
                export_generator(bad, path, overwrite=True)
        # The old model was moved aside, the swap failed, and it was put back.
        self.assertLen(renames, 3, renames)
        self.assertEqual(renames[0][1], renames[2][0])  # the backup, out and back
        self.assertEqual((renames[0][0], renames[2][1]), ("m", "m"))
        self.assertEqual(os.listdir(parent), ["m"])  # no staging folder or backup left
        self.assertTrue(tf.saved_model.contains_saved_model(path))
        self.assertAllClose(self._serve(path), expected, atol=1e-6)
        self.assertNotAllClose(self._serve(path), bad.generate(self.latents))

    def test_bare_conditional_generator_needs_num_classes(self):
        gan = tiny_gan(num_classes=NUM_CLASSES)
        gan.generator.num_classes = None
        path = os.path.join(self.get_temp_dir(), "bare")
        with self.assertRaisesRegex(ValueError, "needs a `num_classes` attribute"):
            export_generator(gan.generator, path)
        self.assertFalse(os.path.exists(path))
        loaded = tf.saved_model.load(export_generator(gan, path))  # the GAN knows it
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "label must be >= 0"):
            loaded.serve(self.latents, np.array([0, 1, 2, -1, 0], "int32"))

    def test_not_a_model(self):
        with self.assertRaisesRegex(ValueError, "Received: 'generator.keras'"):
            export_generator("generator.keras", os.path.join(self.get_temp_dir(), "m"))
        dense = keras.Sequential([keras.Input((2, 2)), keras.layers.Dense(3)])
        with self.assertRaisesRegex(ValueError, r"Received: shape=\(None, 2, 2\)"):
            export_generator(dense, os.path.join(self.get_temp_dir(), "m"))
