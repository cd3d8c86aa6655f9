"""A callback that scores the generator with FID / KID during training."""

import math

import keras
import numpy as np
import tensorflow as tf

from keras_gans.callbacks._utils import SummaryWriter
from keras_gans.callbacks._utils import write_scalar_summary
from keras_gans.export import export_generator
from keras_gans.metrics import RunningStatistics
from keras_gans.metrics import compute_features
from keras_gans.metrics import frechet_distance
from keras_gans.metrics import inception_feature_extractor
from keras_gans.metrics import kernel_distance_from_activations
from keras_gans.utils.validation import check_optional_path
from keras_gans.utils.validation import check_positive_int

METRICS = ("fid", "kid")


class MetricEvaluator(keras.callbacks.Callback):
    """Computes FID (and KID) of the generator's samples every few epochs.

    Every `every_n_epochs` epochs, `num_samples` images are generated (from
    the same latent vectors each time, drawn with `seed`, so that the scores
    of two epochs differ by the generator only), passed through the feature
    extractor, and compared with the features of `real_data`, a held-out set
    of real images. The features of the real data are computed once, at the
    first evaluation, and kept.

    The scores are added to the epoch's `logs` as `fid`, and `kid` and
    `kid_std` (the mean and standard deviation over random subsets), so they
    reach the `History` returned by `fit` and every callback placed after
    this one in the list (`keras.callbacks.TensorBoard`, `CSVLogger`,
    `EarlyStopping(monitor="fid", mode="min")`, `LossCurves`). Epochs without
    an evaluation have no such entries, as Keras does with `validation_freq`:
    the `History` lists are then shorter than those of the losses, and
    `history` here maps each score to `{epoch: value}`.

    With `best_export_path`, the generator is exported as a SavedModel
    (`keras_gans.export_generator`) each time its FID is lower than every FID
    before it; `best_fid` and `best_epoch` record the best so far.

    Values with the default extractor (Keras' InceptionV3 with ImageNet
    weights) are comparable among keras_gans runs with the same
    `num_samples`, not digit for digit with published FIDs (see
    `keras_gans.metrics`). FID is biased by the number of samples: compare
    runs with the same `num_samples`.

    Args:
        real_data: the held-out real images: a `tf.data.Dataset` of images
            or of `(images, labels)` (batched or not), an array of images in
            [-1, 1] (or uint8 pixels), or an `(images, labels)` pair of
            arrays.
        every_n_epochs: int. Evaluate after every this many epochs (epochs
            `N`, `2N`, ...). Defaults to `1`.
        num_samples: int. Images taken from `real_data` and generated. Defaults
            to `None`: every image of `real_data` (which must then be finite),
            and as many generated.
        metrics: str or tuple of str. Metrics to compute, among `"fid"` and
            `"kid"`. Defaults to `("fid",)`.
        extractor: `keras.Model` or callable. Maps a batch of images in
            [-1, 1] to a batch of feature vectors. Defaults to
            `keras_gans.metrics.inception_feature_extractor()`, built at the
            first evaluation.
        batch_size: int. Images per generator and extractor call. Defaults
            to `64`.
        seed: int. Seed of the latent vectors, and of KID's subsets. `None`
            draws new ones at each evaluation. Defaults to `0`.
        kid_subsets: int. Number of random subsets KID averages over.
            Defaults to `100`.
        kid_subset_size: int. Samples per KID subset, clipped to
            `num_samples`. Defaults to `1000`.
        best_export_path: str. Folder of the SavedModel of the generator
            with the best FID so far, replaced at each improvement. Needs
            `"fid"` in `metrics`. Defaults to `None` (no export).
        tensorboard_dir: str. Log folder to which the scores are also written
            as TensorBoard scalars `epoch_fid`, `epoch_kid`, `epoch_kid_std`
            at step `epoch` (0-based, as Keras' `TensorBoard` callback).
            Defaults to `None`.

    Example:

    ```python
    evaluator = keras_gans.callbacks.MetricEvaluator(
        held_out_images, every_n_epochs=5, num_samples=10000,
        metrics=("fid", "kid"), best_export_path="saved_models/best")
    history = gan.fit(dataset, epochs=50, callbacks=[evaluator])
    print(evaluator.best_fid, evaluator.best_epoch, history.history["fid"])
    ```

    Reference:
        Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge
        to a Local Nash Equilibrium", NeurIPS 2017. Bińkowski et al.,
        "Demystifying MMD GANs", ICLR 2018.
    """

    def __init__(
        self,
        real_data,
        every_n_epochs=1,
        num_samples=None,
        metrics=("fid",),
        extractor=None,
        batch_size=64,
        seed=0,
        kid_subsets=100,
        kid_subset_size=1000,
        best_export_path=None,
        tensorboard_dir=None,
    ):
        super().__init__()
        if real_data is None or hasattr(real_data, "generate") or callable(real_data):
            raise ValueError(
                "`real_data` must be held-out real images: a tf.data.Dataset or an "
                f"array. Received: real_data of type {type(real_data).__name__}"
            )
        if (
            num_samples is None
            and isinstance(real_data, tf.data.Dataset)
            and real_data.cardinality() == tf.data.INFINITE_CARDINALITY
        ):
            raise ValueError(
                "`real_data` repeats forever: pass `num_samples`. Received: num_samples=None"
            )
        self.real_data = real_data
        self.every_n_epochs = check_positive_int(every_n_epochs, "every_n_epochs")
        self.num_samples = check_positive_int(num_samples, "num_samples", allow_none=True)
        if isinstance(metrics, str):
            metrics = (metrics,)
        if (
            not isinstance(metrics, (list, tuple))
            or not metrics
            or any(name not in METRICS for name in metrics)
            or len(set(metrics)) != len(metrics)
        ):
            raise ValueError(
                f"`metrics` must be distinct names among {list(METRICS)}. "
                f"Received: metrics={metrics!r}"
            )
        self.metrics = tuple(metrics)
        if extractor is not None and not callable(extractor):
            raise ValueError(
                "`extractor` must be a Keras model (or a callable) mapping images to "
                f"feature vectors, or None. Received: extractor={extractor!r}"
            )
        self.extractor = extractor
        self.batch_size = check_positive_int(batch_size, "batch_size")
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
        ):
            raise ValueError(f"`seed` must be an integer >= 0 or None. Received: seed={seed!r}")
        self.seed = seed
        self.kid_subsets = check_positive_int(kid_subsets, "kid_subsets")
        self.kid_subset_size = check_positive_int(kid_subset_size, "kid_subset_size")
        self.best_export_path = check_optional_path(best_export_path, "best_export_path")
        if self.best_export_path is not None and "fid" not in self.metrics:
            raise ValueError(
                "`best_export_path` keeps the generator with the best FID: add "
                f'"fid" to `metrics`. Received: metrics={self.metrics!r}'
            )
        self.tensorboard_dir = check_optional_path(tensorboard_dir, "tensorboard_dir")
        self._writer = None if self.tensorboard_dir is None else SummaryWriter(self.tensorboard_dir)
        self.best_fid = math.inf
        self.best_epoch = None
        self.history = {}
        self._extract = None
        self._real = None  # (features or None, RunningStatistics)

    def _extract_fn(self):
        if self._extract is None:
            extractor = self.extractor
            if extractor is None:
                extractor = inception_feature_extractor()
            if isinstance(extractor, keras.layers.Layer):
                # One traced function for every evaluation (the metrics
                # functions would trace a new one at each call).
                extractor = tf.function(
                    lambda images, model=extractor: model(images, training=False),
                    reduce_retracing=True,
                )
            self._extract = extractor
        return self._extract

    def _features(self, source, num_samples):
        return compute_features(
            self._extract_fn(), source, num_samples, batch_size=self.batch_size, seed=self.seed
        )

    @staticmethod
    def _statistics(features):
        statistics = RunningStatistics()
        statistics.update(features)
        return statistics

    @property
    def real_statistics(self):
        """The `RunningStatistics` of the real features, computed on first use."""
        return self._real_features()[1]

    def _real_features(self):
        if self._real is None:
            features = self._features(self.real_data, self.num_samples)
            if features.shape[0] < 2:
                raise ValueError(
                    "`real_data` must hold at least 2 images. Received: "
                    f"{features.shape[0]} image(s)."
                )
            # KID needs the features themselves; FID only their statistics.
            self._real = (
                features if "kid" in self.metrics else None,
                self._statistics(features),
            )
        return self._real

    def evaluate(self):
        """Scores the model's generator now.

        Returns:
            A dict with `"fid"`, and `"kid"` and `"kid_std"`, as Python floats.
        """
        real_features, real_statistics = self._real_features()
        fake_features = self._features(self.model, real_statistics.count)
        results = {}
        if "fid" in self.metrics:
            real_mean, real_covariance = real_statistics.result()
            fake_mean, fake_covariance = self._statistics(fake_features).result()
            results["fid"] = float(
                frechet_distance(real_mean, real_covariance, fake_mean, fake_covariance)
            )
        if "kid" in self.metrics:
            kid_mean, kid_std = kernel_distance_from_activations(
                real_features,
                fake_features,
                num_subsets=self.kid_subsets,
                subset_size=self.kid_subset_size,
                seed=self.seed,
            )
            results["kid"], results["kid_std"] = float(kid_mean), float(kid_std)
        return results

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        results = self.evaluate()
        if logs is not None:
            logs.update(results)
        for name, value in results.items():
            self.history.setdefault(name, {})[epoch] = value
        if self._writer is not None:

            def summary():
                for name, value in results.items():
                    write_scalar_summary(f"epoch_{name}", value)

            self._writer.write(epoch, summary)
        fid = results.get("fid")
        if fid is not None and np.isfinite(fid) and fid < self.best_fid:
            self.best_fid = fid
            self.best_epoch = epoch
            if self.best_export_path is not None:
                export_generator(self.model, self.best_export_path, overwrite=True)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
