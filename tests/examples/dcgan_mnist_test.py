import json
import os
import re
import signal
import time

import keras
import numpy as np
import pytest
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import AdversarialModel
from keras_gans.architectures import DCGANDiscriminator
from keras_gans.data import ImageClusters
from keras_gans.data import load_mnist_sample
from keras_gans.models import UnconditionalGenerator
from keras_gans.models.unconditional import nearest_prior
from tests.examples import run_example
from tests.examples import start_example

pytestmark = pytest.mark.large

# 5,000 bundled digits in batches of 500: 10 steps an epoch.
TINY = ("--batch_size=500", "--base_filters=4", "--latent_dim=8")


def _flat_generator(shifts):
    """Flat 28x28 images of value tanh(shifts[label] + latent_0), of standard layers only."""
    latent = keras.Input((8,), name="latent")
    label = keras.Input((), dtype="int32", name="label")
    first = keras.layers.Dense(
        1, use_bias=False, kernel_initializer=keras.initializers.Constant(np.eye(8)[:, :1])
    )(latent)
    shift = keras.layers.Flatten()(
        keras.layers.Embedding(2, 1, embeddings_initializer=keras.initializers.Constant(shifts))(
            label
        )
    )
    value = keras.layers.Add()([first, shift])
    pixels = keras.layers.Dense(784, kernel_initializer="ones", activation="tanh")(value)
    images = keras.layers.Reshape((28, 28, 1))(pixels)
    return keras.Model({"latent": latent, "label": label}, images)


def _run_balanced(images, labels, output_dir, export_dir, *flags):
    """The example with --clusters=2 --balance_classes on uint8 images saved as a .npz."""
    data = os.path.join(os.path.dirname(output_dir), "data.npz")
    np.savez(data, x_train=images, y_train=labels)
    return run_example(
        "dcgan_mnist.py", f"--data={data}", "--clusters=2", "--balance_classes",
        "--batch_size=100", "--base_filters=4", "--latent_dim=8",
        f"--output_dir={output_dir}", f"--export_dir={export_dir}", *flags,
    )  # fmt: skip


def _epochs_run(stdout):
    """The epochs Keras' progress output announces, in order."""
    return [int(k) for k in re.findall(r"^Epoch (\d+)/\d+", stdout, flags=re.MULTILINE)]


class DCGANMNISTExampleTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.parameters(False, True)
    def test_short_run_writes_samples_model_and_export(self, conditional):
        tmp = self.get_temp_dir()
        output_dir = os.path.join(tmp, f"out_{conditional}")
        export_dir = os.path.join(tmp, f"export_{conditional}")
        # The conditional run also takes the other discriminator recipe's flags.
        recipe = ("--loss=hinge", "--d_normalization=none", "--spectral_norm", "--r1_gamma=2.5")
        result = run_example(
            "dcgan_mnist.py", "--epochs=2", *TINY, f"--output_dir={output_dir}",
            f"--export_dir={export_dir}", f"--conditional={conditional}",
            *(recipe if conditional else ()),
        )  # fmt: skip
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])

        samples = sorted(os.listdir(os.path.join(output_dir, "samples")))
        self.assertEqual(samples, ["epoch_0001.png", "epoch_0002.png"])
        gan = keras.models.load_model(os.path.join(output_dir, "dcgan_mnist.keras"))
        self.assertIsInstance(gan, AdversarialModel)
        self.assertEqual(gan.conditional, conditional)
        self.assertEqual(int(gan.g_optimizer.iterations), 20)
        config = gan.discriminator.get_config()
        self.assertEqual(config["normalization"], None if conditional else "batch")
        self.assertEqual(config["spectral_norm"], conditional)
        self.assertEqual(type(gan.loss).__name__, "Hinge" if conditional else "NonSaturating")
        penalties = [entry.get_config() for entry in gan.regularizers]
        self.assertEqual(penalties, [{"gamma": 2.5, "every": 1}] if conditional else [])

        generator = tf.saved_model.load(export_dir)
        latents = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")
        labels = np.array([1, 4, 9], "int32")
        args = (latents, labels) if conditional else (latents,)
        images = generator.serve(*args)["images"].numpy()
        self.assertEqual(images.shape, (3, 28, 28, 1))
        self.assertAllClose(images, gan.generate(*args), atol=1e-5)

    def test_clusters_run_exports_an_unconditional_generator_and_resumes(self):
        tmp = self.get_temp_dir()
        output_dir, export_dir = os.path.join(tmp, "out"), os.path.join(tmp, "export")
        flags = (*TINY, "--clusters=4", "--ema_momentum=0.9", f"--output_dir={output_dir}")
        result = run_example("dcgan_mnist.py", "--epochs=1", *flags, f"--export_dir={export_dir}")
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertIn("4 clusters of the images written", result.stdout)
        clusters = ImageClusters.load(os.path.join(output_dir, "clusters.npz"))
        self.assertEqual(clusters.num_clusters, 4)
        # The sample grid is 10 by 10 digits whatever the number of clusters.
        grid_png = os.path.join(output_dir, "samples", "epoch_0001.png")
        grid = tf.io.decode_png(tf.io.read_file(grid_png))
        self.assertEqual(grid.shape[:2], (280, 280))
        # Trained as a conditional GAN on the cluster ids...
        gan = keras.models.load_model(os.path.join(output_dir, "dcgan_mnist.keras"))
        self.assertEqual(gan.num_classes, 4)
        # ...exported as an unconditional generator: the averaged weights
        # drawing a cluster from the latent.
        latents = np.random.default_rng(0).standard_normal((6, 8)).astype("float32")
        with gan.ema_weights():
            expected = UnconditionalGenerator(gan.generator, clusters.probabilities)(latents)
        loaded = tf.saved_model.load(export_dir)
        self.assertAllClose(loaded.serve(latents)["images"], expected, atol=1e-5)

        # --resume trains on the saved clusters.
        resumed_export = os.path.join(tmp, "resumed")
        result = run_example(
            "dcgan_mnist.py", "--resume", "--epochs=1", *flags, f"--export_dir={resumed_export}"
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertNotIn("clusters of the images written", result.stdout)
        gan = keras.models.load_model(os.path.join(output_dir, "dcgan_mnist.keras"))
        self.assertEqual(int(gan.g_optimizer.iterations), 20)
        # Resumed without --clusters, the model's classes and the data's disagree.
        result = run_example(
            "dcgan_mnist.py", "--resume", "--epochs=1", *TINY, f"--output_dir={output_dir}"
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("was trained with 4 classes; this run gives none", result.stderr)

    def test_balance_classes_exports_the_reweighted_prior(self):
        # A user's .npz with uneven classes: 500 zeros and 100 ones.
        images, labels = load_mnist_sample()
        keep = np.concatenate([np.flatnonzero(labels == 0), np.flatnonzero(labels == 1)[:100]])
        tmp = self.get_temp_dir()
        output_dir, export_dir = os.path.join(tmp, "out"), os.path.join(tmp, "export")
        result = _run_balanced(
            images[keep, ..., 0], labels[keep], output_dir, export_dir, "--epochs=1"
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertIn("Clusters reweighted to balance the classes", result.stdout)
        clusters = ImageClusters.load(os.path.join(output_dir, "clusters.npz"))
        # The saved clusters keep the data's shares; the export first weights
        # them by their contents with the classes balanced, which here is far
        # from those shares ...
        balanced = clusters.balance_classes(
            (images[keep].astype("float32") / 127.5 - 1.0, labels[keep])
        )
        self.assertGreater(np.abs(balanced.probabilities - clusters.probabilities).max(), 0.1)
        # A generator trained this briefly draws blobs that the classifier
        # reads as one digit: no prior can even that out, so the export keeps
        # the contents-balanced prior, and says so.
        self.assertIn("Drawn labels left as the clusters' contents give them", result.stdout)
        self.assertFalse(os.path.exists(os.path.join(output_dir, "label_balance.json")))
        gan = keras.models.load_model(os.path.join(output_dir, "dcgan_mnist.keras"))
        latents = np.random.default_rng(0).standard_normal((64, 8)).astype("float32")
        expected = UnconditionalGenerator(gan.generator, balanced.probabilities)(latents)
        loaded = tf.saved_model.load(export_dir)
        self.assertAllClose(loaded.serve(latents)["images"], expected, atol=1e-5)

        # Without labels in the data there is nothing to balance by: refused
        # before training.
        unlabelled = os.path.join(tmp, "unlabelled.npz")
        np.savez(unlabelled, x_train=images[keep, ..., 0])
        result = run_example(
            "dcgan_mnist.py", f"--data={unlabelled}", "--clusters=2", "--balance_classes",
            "--epochs=1", *TINY, f"--output_dir={os.path.join(tmp, 'none')}",
        )  # fmt: skip
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--balance_classes needs labelled data", result.stderr)
        self.assertIn("(images only)", result.stderr)
        self.assertFalse(os.path.exists(os.path.join(tmp, "none", "dcgan_mnist.keras")))

    def test_balance_classes_evens_the_labels_a_classifier_reads(self):
        # 500 dark and 100 bright flat images; a trained model whose generator
        # draws images of value tanh(shift(cluster) + z_0), so each cluster's
        # samples are read partly as the other class: weighting the clusters
        # by their contents alone leaves the classes uneven. Re-exported
        # without training (--resume --epochs=0), as a user would add
        # --balance_classes to a finished run.
        rng = np.random.default_rng(0)
        brightness = np.concatenate([rng.uniform(0, 110, 500), rng.uniform(145, 255, 100)])
        images = np.broadcast_to(brightness[:, None, None], (600, 28, 28)).astype("uint8")
        labels = np.array([0] * 500 + [1] * 100)
        tmp = self.get_temp_dir()
        output_dir, export_dir = os.path.join(tmp, "out"), os.path.join(tmp, "export")
        os.makedirs(output_dir)
        scaled = images[..., None].astype("float32") / 127.5 - 1.0
        clusters = ImageClusters.fit(scaled, num_clusters=2, seed=0)
        clusters.save(os.path.join(output_dir, "clusters.npz"))
        dark = int(clusters.assign(scaled[:1]).numpy()[0])
        shifts = np.where(np.arange(2) == dark, -1.0, 0.5).astype("float32")[:, None]
        gan = AdversarialModel(
            _flat_generator(shifts), DCGANDiscriminator((28, 28, 1), base_filters=4, num_classes=2)
        )
        gan.compile()
        checkpoint = os.path.join(output_dir, "dcgan_mnist.keras")
        gan.save(checkpoint)
        written = os.stat(checkpoint).st_mtime_ns

        result = _run_balanced(images, labels, output_dir, export_dir, "--resume", "--epochs=0")
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertIn("Labels of the samples as read by a classifier", result.stdout)
        with open(os.path.join(output_dir, "label_balance.json")) as f:
            report = json.load(f)
        # The clusters are pure, so their contents balance them at 1/2 each ...
        self.assertAllClose(report["contents_prior"], [0.5, 0.5], atol=1e-6)
        readings = np.array(report["readings"])
        self.assertEqual(readings.shape, (2, 2))
        # ... but the classifier reads the dark cluster's samples as bright less
        # often than the bright cluster's as dark: the classes come out uneven,
        # and the reweighted prior evens them, as the nearest prior that does.
        self.assertGreater(abs(report["label_shares_contents_prior"][0] - 0.5), 0.05)
        self.assertAllClose(report["label_shares"], [0.5, 0.5], atol=1e-6)
        prior = nearest_prior([0.5, 0.5], readings, [0.5, 0.5])
        self.assertAllClose(report["prior"], prior, atol=1e-6)
        self.assertGreater(np.abs(prior - 0.5).max(), 0.02)
        latents = rng.standard_normal((64, 8)).astype("float32")
        expected = UnconditionalGenerator(gan.generator, prior)(latents)
        loaded = tf.saved_model.load(export_dir)
        self.assertAllClose(loaded.serve(latents)["images"], expected, atol=1e-5)
        # Nothing was trained: the checkpoint is the one written above.
        self.assertEqual(os.stat(checkpoint).st_mtime_ns, written)
        self.assertNotIn("Samples:", result.stdout)

    def test_bad_recipe_flags_are_refused_with_the_valid_values(self):
        result = run_example("dcgan_mnist.py", "--d_normalization=group", "--epochs=1", *TINY)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("d_normalization", result.stderr)
        self.assertIn("batch|layer|none", result.stderr)
        result = run_example("dcgan_mnist.py", "--loss=wgan", "--epochs=1", *TINY)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--loss=wgan", result.stderr)
        self.assertIn("hinge|least_squares|minimax|non_saturating", result.stderr)
        result = run_example("dcgan_mnist.py", "--clusters=10", "--conditional", *TINY)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--clusters trains an unconditional generator", result.stderr)
        result = run_example("dcgan_mnist.py", "--clusters=1", *TINY)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--clusters must be 0 (off) or at least 2", result.stderr)
        result = run_example("dcgan_mnist.py", "--balance_classes", *TINY)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--balance_classes reweights the clusters of --clusters", result.stderr)
        result = run_example("dcgan_mnist.py", "--epochs=0", *TINY)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--epochs=0 exports a trained model without training", result.stderr)
        result = run_example("dcgan_mnist.py", "--epochs=-1", "--resume", *TINY)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--epochs must be at least 0", result.stderr)

    def test_killed_run_goes_on_from_its_backup(self):
        # README: "if the process dies, run the same command again and it goes
        # on from the last backup, to the result the uninterrupted run would
        # have had". The first run is killed once its first backup exists.
        tmp = self.get_temp_dir()
        epochs = 6

        def flags(name):
            return (
                f"--epochs={epochs}",
                *TINY,
                f"--output_dir={os.path.join(tmp, name, 'out')}",
                f"--export_dir={os.path.join(tmp, name, 'export')}",
            )

        metadata = os.path.join(tmp, "killed", "out", "backup", "training_metadata.json")
        process = start_example("dcgan_mnist.py", *flags("killed"))
        backed_up = None
        deadline = time.monotonic() + 600
        while process.poll() is None and time.monotonic() < deadline:
            try:
                with open(metadata) as f:
                    backed_up = json.load(f)
            except (OSError, ValueError):  # not there yet, or half written
                time.sleep(0.02)
                continue
            process.send_signal(signal.SIGKILL)
            break
        self.assertEqual(process.wait(timeout=60), -signal.SIGKILL, "killed while training")
        self.assertIsNotNone(backed_up)
        done = os.listdir(os.path.join(tmp, "killed", "out", "samples"))
        self.assertLess(len(done), epochs)
        self.assertFalse(os.path.exists(os.path.join(tmp, "killed", "out", "dcgan_mnist.keras")))

        resumed = run_example("dcgan_mnist.py", *flags("killed"))  # the same command
        self.assertEqual(resumed.returncode, 0, resumed.stderr[-3000:])
        # It reports the epochs it runs: from the one after the backup, not from 1.
        announced = _epochs_run(resumed.stdout)
        self.assertGreaterEqual(announced[0], 2, resumed.stdout[-2000:])
        self.assertEqual(announced, list(range(announced[0], epochs + 1)))
        self.assertFalse(os.path.exists(os.path.join(tmp, "killed", "out", "backup")))

        uninterrupted = run_example("dcgan_mnist.py", *flags("whole"))
        self.assertEqual(uninterrupted.returncode, 0, uninterrupted.stderr[-3000:])
        self.assertEqual(_epochs_run(uninterrupted.stdout), list(range(1, epochs + 1)))

        gans = [
            keras.models.load_model(os.path.join(tmp, name, "out", "dcgan_mnist.keras"))
            for name in ("killed", "whole")
        ]
        for gan in gans:
            self.assertEqual(int(gan.trained_steps.numpy()), 10 * epochs)
            self.assertEqual(int(gan.g_optimizer.iterations), 10 * epochs)
            self.assertEqual(int(gan.d_optimizer.iterations), 10 * epochs)
        for got, want in zip(gans[0].weights, gans[1].weights, strict=True):
            self.assertAllClose(got, want, rtol=0, atol=0, msg=got.path)
        samples = sorted(os.listdir(os.path.join(tmp, "killed", "out", "samples")))
        self.assertEqual(samples, [f"epoch_{e:04d}.png" for e in range(1, epochs + 1)])
