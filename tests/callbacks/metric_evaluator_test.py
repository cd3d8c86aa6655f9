import glob
import math
import os
from unittest import mock

import keras
import numpy as np
import tensorflow as tf
from tensorflow.core.util import event_pb2

from keras_gans import metrics
from keras_gans.callbacks import MetricEvaluator
from keras_gans.callbacks import metric_evaluator
from tests.testing import IMAGE_SHAPE
from tests.testing import tiny_gan
from tests.testing import tiny_images


def flatten_extractor():
    """Features = pixels: cheap, and the metrics are plain statistics of them."""
    images = keras.Input(IMAGE_SHAPE)
    return keras.Model(images, keras.layers.Flatten()(images))


class CountingExtractor:
    """A callable extractor that counts its calls (one per batch of images)."""

    def __init__(self):
        self.model = flatten_extractor()
        self.calls = 0

    def __call__(self, images):
        self.calls += 1
        return self.model(images)


def read_scalar_summaries(logdir):
    """`{tag: {step: value}}` of the scalar summaries in a log folder."""
    scalars = {}
    for path in glob.glob(os.path.join(logdir, "events.out.tfevents.*")):
        for record in tf.data.TFRecordDataset(path):
            event = event_pb2.Event.FromString(record.numpy())
            for value in event.summary.value:
                assert value.metadata.plugin_data.plugin_name == "scalars"
                scalars.setdefault(value.tag, {})[event.step] = float(tf.make_ndarray(value.tensor))
    return scalars


class MetricEvaluatorTest(tf.test.TestCase):
    def test_logs_fid_and_kid_of_the_metrics_module_and_caches_real_features(self):
        gan = tiny_gan()
        real = tiny_images(16, seed=5)
        extractor = CountingExtractor()
        evaluator = MetricEvaluator(
            real,
            metrics=("fid", "kid"),
            extractor=extractor,
            batch_size=8,
            kid_subsets=5,
            kid_subset_size=8,
        )
        history = gan.fit(tiny_images(8), batch_size=4, epochs=3, verbose=0, callbacks=[evaluator])
        fids = history.history["fid"]
        self.assertLen(fids, 3)
        self.assertLen(history.history["kid"], 3)
        self.assertLen(history.history["kid_std"], 3)
        # The real features once (2 batches of 8), then 2 batches of samples per epoch.
        self.assertEqual(extractor.calls, 2 + 3 * 2)

        # The last epoch's values are those of keras_gans.metrics on the final
        # generator, with the same extractor, samples (16, as many as the real
        # images) and seed.
        expected_fid = metrics.fid(real, gan, extractor=extractor.model, batch_size=8, seed=0)
        expected_kid = metrics.kid(
            real,
            gan,
            extractor=extractor.model,
            num_subsets=5,
            subset_size=8,
            batch_size=8,
            seed=0,
        )
        self.assertAllClose(fids[-1], expected_fid, rtol=1e-6)
        self.assertAllClose(
            [history.history["kid"][-1], history.history["kid_std"][-1]], expected_kid, rtol=1e-6
        )
        self.assertEqual(evaluator.history["fid"], dict(enumerate(fids)))
        self.assertEqual(evaluator.best_fid, min(fids))
        self.assertEqual(evaluator.best_epoch, int(np.argmin(fids)))
        self.assertEqual(evaluator.real_statistics.count, 16)

    def test_every_n_epochs_later_callbacks_and_tensorboard(self):
        gan = tiny_gan()
        logdir = os.path.join(self.get_temp_dir(), "logs")
        evaluator = MetricEvaluator(
            tiny_images(12, seed=5),
            every_n_epochs=2,
            num_samples=10,
            extractor=flatten_extractor(),
            batch_size=4,
            tensorboard_dir=logdir,
        )
        seen = []
        after = keras.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs: seen.append("fid" in logs)
        )
        history = gan.fit(
            tiny_images(8), batch_size=4, epochs=4, verbose=0, callbacks=[evaluator, after]
        )
        # Evaluated after epochs 2 and 4 (indices 1 and 3), seen by the
        # callbacks after it and by the History.
        self.assertEqual(seen, [False, True, False, True])
        self.assertEqual(sorted(evaluator.history["fid"]), [1, 3])
        self.assertEqual(history.history["fid"], list(evaluator.history["fid"].values()))
        self.assertNotIn("kid", history.history)
        scalars = read_scalar_summaries(logdir)
        self.assertEqual(list(scalars), ["epoch_fid"])
        self.assertAllClose(scalars["epoch_fid"], evaluator.history["fid"])
        # num_samples=10 of the 12 real images, and 10 generated.
        self.assertEqual(evaluator.real_statistics.count, 10)
        self.assertAllClose(
            history.history["fid"][-1],
            metrics.fid(
                tiny_images(12, seed=5),
                gan,
                extractor=flatten_extractor(),
                num_samples=10,
                batch_size=4,
            ),
            rtol=1e-6,
        )

    def test_exports_the_generator_only_when_fid_improves(self):
        gan = tiny_gan()
        path = os.path.join(self.get_temp_dir(), "best")
        evaluator = MetricEvaluator(
            tiny_images(8), extractor=flatten_extractor(), best_export_path=path
        )
        evaluator.set_model(gan)
        scores = iter([5.0, 3.0, 4.0, math.nan, 2.0, 2.0])
        evaluator.evaluate = lambda: {"fid": next(scores)}
        with mock.patch.object(metric_evaluator, "export_generator") as export:
            for epoch in range(6):
                logs = {}
                evaluator.on_epoch_end(epoch, logs)
        exported_after = [0, 1, 4]
        self.assertEqual(export.call_count, len(exported_after))
        export.assert_called_with(gan, path, overwrite=True)
        self.assertEqual(evaluator.best_fid, 2.0)
        self.assertEqual(evaluator.best_epoch, 4)
        self.assertEqual(list(evaluator.history["fid"]), list(range(6)))

    def test_export_writes_a_saved_model(self):
        gan = tiny_gan()
        path = os.path.join(self.get_temp_dir(), "best_generator")
        evaluator = MetricEvaluator(
            tiny_images(8), extractor=flatten_extractor(), batch_size=8, best_export_path=path
        )
        gan.fit(tiny_images(8), batch_size=4, epochs=1, verbose=0, callbacks=[evaluator])
        self.assertTrue(tf.saved_model.contains_saved_model(path))
        self.assertEqual(evaluator.best_epoch, 0)
        latents = np.random.default_rng(1).standard_normal((3, gan.latent_dim)).astype("float32")
        loaded = tf.saved_model.load(path)  # kept alive while serving
        served = loaded.serve(tf.constant(latents))["images"]
        self.assertAllClose(served, gan.generate(latents), atol=1e-6)

    def test_default_extractor_is_inception_built_once(self):
        gan = tiny_gan()
        evaluator = MetricEvaluator(tiny_images(8), batch_size=8)
        evaluator.set_model(gan)
        with mock.patch.object(
            metric_evaluator, "inception_feature_extractor", return_value=flatten_extractor()
        ) as build:
            self.assertEqual(build.call_count, 0)  # nothing built before it is needed
            for epoch in range(2):
                evaluator.on_epoch_end(epoch, {})
        build.assert_called_once_with()
        self.assertLen(evaluator.history["fid"], 2)

    def test_bad_arguments(self):
        images = tiny_images(8)
        cases = [
            ({"metrics": ("fid", "is")}, r"metrics=\('fid', 'is'\)"),
            ({"metrics": ()}, r"metrics=\(\)"),
            ({"every_n_epochs": 0}, "every_n_epochs=0"),
            ({"num_samples": 1.5}, "num_samples=1.5"),
            ({"batch_size": -1}, "batch_size=-1"),
            ({"seed": -2}, "seed=-2"),
            ({"extractor": "inception"}, "extractor='inception'"),
            ({"metrics": "kid", "best_export_path": "x"}, r"metrics=\('kid',\)"),
        ]
        for kwargs, message in cases:
            with self.subTest(**{k: str(v) for k, v in kwargs.items()}):
                with self.assertRaisesRegex(ValueError, message):
                    MetricEvaluator(images, **kwargs)
        with self.assertRaisesRegex(ValueError, "repeats forever.*num_samples=None"):
            MetricEvaluator(tf.data.Dataset.from_tensor_slices(images).repeat())
        with self.assertRaisesRegex(ValueError, "real_data of type AdversarialModel"):
            MetricEvaluator(tiny_gan())
