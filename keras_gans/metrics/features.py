"""Features of images for the GAN metrics, streamed in batches, and the metrics themselves.

The expensive half of FID, KID, the Inception Score and precision / recall
is running a network over many images; the other half is math on the
features (`keras_gans.metrics.frechet`, `.kernel`, `.inception_score`,
`.precision_recall`). This module does the first half batch by batch from a
`tf.data.Dataset`, an array, or a generator, and combines both in `fid`,
`kid`, `inception_score` and `precision_recall`.

Images are in [-1, 1], as everywhere in keras_gans, of any size and with 1
or 3 channels. The default extractor is Keras' InceptionV3 with ImageNet
weights (`inception_feature_extractor`): images are resized to 299 x 299 with
bilinear interpolation (no antialiasing, as TF-GAN does), grey images are
repeated to RGB, and the 2048-d average-pooled features (or, for the
Inception Score, the 1000 class probabilities) are returned. Any Keras model
mapping a batch of images to a batch of vectors can be passed instead, for
example a classifier trained on your own domain.

How the numbers relate to published ones:

- Published FID and IS values come from the original TensorFlow Inception
  graph (`inception-2015-12-05`, 1008 classes), used by the reference code of
  Heusel et al. (TTUR) and, ported, by `pytorch-fid` and `clean-fid`. Keras'
  `InceptionV3` ImageNet weights are a different training of the same
  architecture with a 1000-class head. keras_gans values are therefore
  comparable among keras_gans runs (same weights, resizing and sample
  counts), not digit for digit with papers. To report numbers next to
  published ones, export samples (e.g. 50000 PNG files) and score them with
  the reference implementation.
- FID is biased: it decreases as the number of samples grows. Compare values
  computed with the same `num_samples` (50000 in papers; 10000 is a common,
  cheaper choice during training). KID is unbiased, and its standard
  deviation over subsets shows its uncertainty.
- Resizing matters (Parmar et al., "On Aliased Resizing and Surprising
  Subtleties in GAN Evaluation", CVPR 2022): resize your images the same
  way for every run you compare.
- Precision and recall are defined on VGG-16 features in their paper; here
  they use whatever extractor is passed (InceptionV3 by default).
"""

import functools
import os

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gans.metrics.frechet import frechet_distance
from keras_gans.metrics.inception_score import inception_score_from_probabilities
from keras_gans.metrics.kernel import kernel_distance_from_activations
from keras_gans.metrics.precision_recall import precision_recall_from_activations
from keras_gans.metrics.running_statistics import RunningStatistics
from keras_gans.metrics.sliced import swd
from keras_gans.models.sampling import latents_and_labels
from keras_gans.utils import validation
from keras_gans.utils.validation import check_positive_int
from keras_gans.utils.validation import check_seed

INCEPTION_SIZE = 299
INCEPTION_WEIGHTS = ("imagenet", None)
# Images may overshoot [-1, 1] by this much (float rounding of a user's
# rescaling) before they are rejected as not scaled to [-1, 1].
IMAGE_KEYS = ("image", "images")


# ----------------------------------------------------------------------
# The InceptionV3 extractor.


@keras.saving.register_keras_serializable(package="keras_gans")
class _InceptionInput(keras.layers.Layer):
    """Resizes images in [-1, 1] to 299 x 299 x 3, the input of InceptionV3.

    Bilinear resizing without antialiasing (as TF-GAN's FID code); grey
    images are repeated to three channels. InceptionV3 expects pixels in
    [-1, 1], which keras_gans images already are.
    """

    def call(self, images):
        channels = images.shape[-1]
        if channels is not None and channels not in (1, 3):
            raise ValueError(
                "The Inception extractor takes images with 1 (grey) or 3 (RGB) "
                f"channels. Received: images.shape={tuple(images.shape)}"
            )
        images = ops.cast(images, self.compute_dtype)
        images = ops.image.resize(
            images, (INCEPTION_SIZE, INCEPTION_SIZE), interpolation="bilinear"
        )
        if channels == 3:
            return images
        # Broadcasting against 3 zeros repeats one channel three times (and
        # leaves three channels as they are when the count is not yet known).
        return images + ops.zeros((1, 1, 1, 3), dtype=images.dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], INCEPTION_SIZE, INCEPTION_SIZE, 3)


def inception_feature_extractor(weights="imagenet", include_top=False):
    """InceptionV3 as a feature extractor for images in [-1, 1] of any size.

    The returned model takes a batch of images of any height and width with
    1 or 3 channels and values in [-1, 1], resizes them to 299 x 299
    (bilinear), repeats grey images to RGB and runs Keras' InceptionV3. It
    outputs the 2048-d average-pooled features used by FID, KID and
    precision / recall, or with `include_top=True` the 1000 ImageNet class
    probabilities used by the Inception Score.

    Keras' ImageNet weights differ from the TensorFlow graph of the
    reference FID code, so values are comparable among keras_gans runs, not
    digit for digit with published ones (see the `keras_gans.metrics.features`
    module docstring).

    Args:
        weights: str or None. `"imagenet"` (downloaded by Keras on first use
            and cached in `~/.keras/models`), the path of a local weights file
            of the matching InceptionV3 (with or without top), or `None` for
            random weights (for tests only: random features say little).
            Defaults to `"imagenet"`.
        include_top: bool. Output class probabilities `(batch, 1000)` instead
            of features `(batch, 2048)`. Defaults to `False`.

    Returns:
        A `keras.Model` mapping `(batch, height, width, channels)` images to
        `(batch, 2048)` features or `(batch, 1000)` probabilities.

    Example:

    ```python
    import keras_gans

    extractor = keras_gans.metrics.inception_feature_extractor()
    score = keras_gans.metrics.fid(dataset, gan, extractor=extractor,
                                   num_samples=10000)
    ```

    Reference:
        Szegedy et al., "Rethinking the Inception Architecture for Computer
        Vision", CVPR 2016.
    """
    if weights is not None and not isinstance(weights, str):
        try:
            weights = os.fspath(weights)
        except TypeError as e:
            raise ValueError(
                '`weights` must be "imagenet", the path of a weights file, or None. '
                f"Received: weights={weights!r}"
            ) from e
    if weights not in INCEPTION_WEIGHTS and not os.path.isfile(weights):
        raise ValueError(
            '`weights` must be "imagenet", the path of an existing weights file, '
            f"or None. Received: weights={weights!r} (no such file)"
        )
    if not isinstance(include_top, bool):
        raise ValueError(f"`include_top` must be a bool. Received: include_top={include_top!r}")
    inception = keras.applications.InceptionV3(
        include_top=include_top,
        weights=weights,
        input_shape=(INCEPTION_SIZE, INCEPTION_SIZE, 3),
        pooling=None if include_top else "avg",
    )
    images = keras.Input((None, None, None), name="images")
    outputs = inception(_InceptionInput(name="inception_input")(images))
    name = "inception_v3_probabilities" if include_top else "inception_v3_features"
    return keras.Model(images, outputs, name=name)


@functools.lru_cache(maxsize=2)
def _default_extractor(include_top):
    # Built once per process: loading InceptionV3 takes seconds.
    return inception_feature_extractor("imagenet", include_top=include_top)


# ----------------------------------------------------------------------
# Sources of images.


GENERATOR = "The generator"
# Generated values beyond this are not an overshoot but another scale ([0, 255]).
GENERATOR_OVERSHOOT = 4.0


def _is_generator_source(source):
    """Whether the source makes images on demand (and needs `num_samples`)."""
    if isinstance(source, tf.data.Dataset):
        return False
    return hasattr(source, "generate") or callable(source)


def _prepare_batch(images, where):
    """Checks a batch of images and returns it as float32 in [-1, 1]."""
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(
            f"{where} must give images of shape (batch, height, width, channels). "
            f"Received: shape={images.shape}"
        )
    if np.issubdtype(images.dtype, np.integer):
        low, high = int(images.min()), int(images.max())
        if low < 0 or high > 255:
            raise ValueError(
                f"Integer images from {where} are read as pixels in [0, 255]. "
                f"Received values from {low} to {high}."
            )
        return images.astype(np.float32) / 127.5 - 1.0
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(
            f"{where} must give float images in [-1, 1] (or uint8 pixels). "
            f"Received: dtype={images.dtype}"
        )
    images = images.astype(np.float32, copy=False)
    low, high = float(images.min()), float(images.max())
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"{where} gave images with NaN or infinite values.")
    if where == GENERATOR and max(abs(low), abs(high)) <= GENERATOR_OVERSHOOT:
        # A generator with a linear output layer (StyleGAN2's) overshoots
        # [-1, 1]; the papers' evaluation code clamps its images to the pixel
        # range, and so does this.
        return np.clip(images, -1.0, 1.0)
    if validation.outside_range(low, high, (-1.0, 1.0)):
        raise ValueError(
            f"{where} must give images in [-1, 1], the range of keras_gans data and "
            f"generators. Received values from {low} to {high}: for [0, 1] "
            "images pass `images * 2 - 1`."
        )
    return images


def _chunks(images, batch_size):
    for start in range(0, images.shape[0], batch_size):
        yield images[start : start + batch_size]


def _dataset_images(dataset, batch_size):
    """Batches of images (as NumPy) from a dataset of images, pairs or dicts."""
    spec = dataset.element_spec
    if isinstance(spec, (tuple, list)):
        image_spec = spec[0]

        def select(element):
            return element[0]
    elif isinstance(spec, dict):
        keys = [key for key in IMAGE_KEYS if key in spec]
        if not keys:
            raise ValueError(
                f"A dataset of dicts must have an image entry named one of {list(IMAGE_KEYS)}. "
                f"Received keys: {sorted(spec)}"
            )
        image_spec = spec[keys[0]]

        def select(element):
            return element[keys[0]]
    else:
        image_spec = spec

        def select(element):
            return element

    if not isinstance(image_spec, tf.TensorSpec) or image_spec.shape.rank not in (3, 4):
        raise ValueError(
            "A dataset must yield images of shape (height, width, channels) or "
            "batches (batch, height, width, channels), alone or with labels "
            f"(images first). Received: element_spec={spec}"
        )
    if image_spec.shape.rank == 3:
        dataset = dataset.batch(batch_size)
    for element in dataset:
        yield ops.convert_to_numpy(select(element))


def _generated_images(source, num_samples, batch_size, seed):
    """Batches of `num_samples` generated images."""
    rng = np.random.default_rng(seed)
    if hasattr(source, "generate") and hasattr(source, "latent_dim"):
        for start in range(0, num_samples, batch_size):
            size = min(batch_size, num_samples - start)
            latents, labels = latents_and_labels(
                source, size, rng, start=start, who="Generating samples of every class"
            )
            yield source.generate(latents, labels=labels, batch_size=size)
        return
    if isinstance(source, keras.Model):
        inputs = source.inputs
        if len(inputs) != 1 or len(inputs[0].shape) != 2 or inputs[0].shape[1] is None:
            raise ValueError(
                "A Keras generator passed as a source must take one input of "
                "latent vectors (batch, latent_dim); wrap a conditional generator "
                "in an AdversarialModel. Received: input shapes "
                f"{[tuple(x.shape) for x in inputs]}"
            )
        latent_dim = int(inputs[0].shape[1])

        def sample(size):
            latents = rng.standard_normal((size, latent_dim)).astype(np.float32)
            return ops.convert_to_numpy(source(latents, training=False))
    else:
        sample = source
    for start in range(0, num_samples, batch_size):
        size = min(batch_size, num_samples - start)
        images = sample(size)
        if np.shape(images)[:1] != (size,):
            raise ValueError(
                f"A callable source must return `n` images when called with `n`. "
                f"Called with {size}, it returned shape {np.shape(images)}."
            )
        yield images


def _image_batches(source, num_samples, batch_size, seed):
    """Yields float32 batches of at most `batch_size` images in [-1, 1].

    `num_samples` images in all, or every image of a finite dataset or array
    when it is `None`.
    """
    if num_samples is not None:
        num_samples = check_positive_int(num_samples, "num_samples")
    batch_size = check_positive_int(batch_size, "batch_size")
    check_seed(seed)
    if isinstance(source, tf.data.Dataset):
        where = "The dataset"
        if num_samples is None and source.cardinality() == tf.data.INFINITE_CARDINALITY:
            raise ValueError(
                "The dataset repeats forever: pass `num_samples`. Received: num_samples=None"
            )
        raw = _dataset_images(source, batch_size)
    elif _is_generator_source(source):
        where = GENERATOR
        if num_samples is None:
            raise ValueError(
                "A generator source needs `num_samples`, the number of samples to "
                "generate. Received: num_samples=None"
            )
        raw = _generated_images(source, num_samples, batch_size, seed)
    else:
        where = "The array"
        if (
            isinstance(source, (tuple, list))
            and len(source) == 2
            and np.ndim(source[0]) in (3, 4)
            and np.ndim(source[1]) == 1
        ):
            source = source[0]  # (images, labels)
        try:
            images = np.asarray(source)
        except (TypeError, ValueError) as e:
            raise ValueError(_source_error(source)) from e
        if images.dtype == object or images.ndim not in (3, 4):
            raise ValueError(_source_error(source))
        if images.ndim == 3:
            images = images[..., np.newaxis]  # (N, H, W) grey images
        if num_samples is not None and num_samples > images.shape[0]:
            raise ValueError(
                f"The array holds {images.shape[0]} images, fewer than num_samples={num_samples}."
            )
        raw = iter([images[:num_samples]])
    count = 0
    for images in raw:
        if num_samples is not None:
            images = images[: num_samples - count]
        for chunk in _chunks(np.asarray(images), batch_size):
            count += chunk.shape[0]
            yield _prepare_batch(chunk, where)
        if num_samples is not None and count >= num_samples:
            return
    if num_samples is not None and count < num_samples:
        raise ValueError(
            f"The dataset gave {count} images, fewer than num_samples={num_samples}. "
            "Pass a smaller `num_samples` or repeat the dataset."
        )


def _source_error(source):
    return (
        "A source of images must be a `tf.data.Dataset` (of images, or of "
        "`(images, labels)`), an array of images `(N, H, W, C)` in [-1, 1], an "
        "`(images, labels)` pair of arrays, an AdversarialModel, a Keras "
        "generator of latent vectors, or a callable `n -> n images`. Received: "
        f"source of type {type(source).__name__}"
    )


# ----------------------------------------------------------------------
# Features.


def _extract_fn(extractor):
    """A function mapping a float32 batch of images to float32 NumPy features."""
    if isinstance(extractor, keras.layers.Layer):
        # One traced graph serves every batch (a batch of another size
        # retraces once); eager calls of a deep network are much slower.
        call = tf.function(lambda images: extractor(images, training=False), reduce_retracing=True)
    elif callable(extractor):
        call = extractor
    else:
        raise ValueError(
            "`extractor` must be a Keras model (or a callable) mapping images to "
            f"feature vectors. Received: extractor of type {type(extractor).__name__}"
        )

    def extract(images):
        features = call(tf.convert_to_tensor(images))
        if isinstance(features, (dict, list, tuple)):
            raise ValueError(
                "`extractor` must return one tensor of shape (batch, features). "
                f"Received: a {type(features).__name__} of outputs"
            )
        features = np.asarray(ops.convert_to_numpy(features), dtype=np.float32)
        if features.ndim != 2 or features.shape[0] != images.shape[0]:
            raise ValueError(
                "`extractor` must return features of shape (batch, features), one "
                "vector per image (add global pooling to feature maps). "
                f"Received: shape={features.shape} for {images.shape[0]} images"
            )
        return features

    return extract


class _Progress:
    """A Keras progress bar counting the images of one metric call, over all its sources.

    `verbose=1` shows a bar, `2` one line when the call ends, `0` nothing (the
    modes of `keras.Model.predict`). The target is the number of images when
    it is known in advance, else the count is shown as it grows.
    """

    def __init__(self, target, verbose):
        self.seen = 0
        self.bar = None
        if verbose:
            self.bar = keras.utils.Progbar(target, verbose=verbose, unit_name="image")

    def add(self, count):
        self.seen += count
        if self.bar is not None:
            # Every batch but the last: the last one is shown by `finish`.
            if self.bar.target is None or self.seen < self.bar.target:
                self.bar.update(self.seen)

    def finish(self):
        if self.bar is not None:
            if self.bar.target is None:
                self.bar.target = self.seen  # a one-line summary needs a target
            self.bar.update(self.seen, finalize=True)


def _target(num_samples, sources):
    """The images a call will read, when known in advance: `num_samples` per source to read."""
    if num_samples is None:
        return None
    to_read = [source for source in sources if _precomputed_statistics(source) is None]
    return num_samples * len(to_read) or None


def _feature_batches(extract, source, num_samples, batch_size, seed, progress=None):
    for images in _image_batches(source, num_samples, batch_size, seed):
        features = extract(images)
        if progress is not None:
            progress.add(images.shape[0])
        yield features


def _collect(extract, source, num_samples, batch_size, seed, progress=None):
    features = list(_feature_batches(extract, source, num_samples, batch_size, seed, progress))
    if not features:
        raise ValueError("The source gave no images.")
    return np.concatenate(features, axis=0)


def _accumulate(extract, source, num_samples, batch_size, seed, progress=None):
    statistics = RunningStatistics()
    for features in _feature_batches(extract, source, num_samples, batch_size, seed, progress):
        statistics.update(features)
    return statistics


def compute_statistics(extractor, source, num_samples=None, batch_size=64, seed=0, verbose=0):
    """Mean and covariance of the features of a source of images, streamed.

    Images are read (or generated) `batch_size` at a time, passed through
    the extractor, and added to running float64 sums of `x` and `x x^T`
    (`RunningStatistics`): memory does not grow with the number of samples.
    Save the result of the real data once (`numpy.savez`) and pass it to
    `fid` in later runs.

    Args:
        extractor: `keras.Model` or callable. Maps a batch of images in
            [-1, 1] to a batch of feature vectors `(batch, dim)`, e.g.
            `inception_feature_extractor()`.
        source: the images. A `tf.data.Dataset` of images or of
            `(images, labels)` (batched or not; labels are ignored); an array
            of images `(N, H, W, C)` or `(N, H, W)` (floats in [-1, 1] or
            uint8 pixels) or an `(images, labels)` pair of arrays; an
            `AdversarialModel`, whose `generate` makes `num_samples` images
            (cycling the labels through the classes of a conditional
            model); a Keras generator taking latent vectors `(batch,
            latent_dim)`; or a callable `n -> n images`.
        num_samples: int or None. Number of images: the first ones of a
            dataset or array, or the number generated. `None` takes every
            image of a finite dataset or array; a generator needs a number.
            Defaults to `None`.
        batch_size: int. Images per extractor call. Defaults to `64`.
        seed: int or None. Seed of the latent vectors of a generator source.
            Defaults to `0`.
        verbose: `"auto"`, 0, 1 or 2. Progress display in images, as in
            Keras' `predict`: 0 silent, 1 (or `"auto"`) a progress bar, 2 one
            line when done. Defaults to `0`.

    Returns:
        A tuple `(mean, covariance)` of float64 arrays of shapes `(dim,)` and
        `(dim, dim)`.

    Example:

    ```python
    import numpy as np
    import keras_gans

    extractor = keras_gans.metrics.inception_feature_extractor()
    mean, covariance = keras_gans.metrics.compute_statistics(
        extractor, keras_gans.data.load_dataset("mnist_sample"))
    np.savez("mnist_inception_stats.npz", mean=mean, covariance=covariance)
    ```
    """
    progress = _Progress(_target(num_samples, [source]), validation.check_verbose(verbose))
    statistics = _accumulate(
        _extract_fn(extractor), source, num_samples, batch_size, seed, progress
    )
    progress.finish()
    if statistics.count < 2:
        raise ValueError(
            f"The statistics need at least 2 images. Received: {statistics.count} "
            f"from num_samples={num_samples!r}"
        )
    return statistics.result()


def compute_features(extractor, source, num_samples=None, batch_size=64, seed=0, verbose=0):
    """The features of a source of images, as one array.

    For the metrics that need the samples themselves (KID, precision and
    recall, the Inception Score). Memory grows with `num_samples`: about
    `num_samples * dim * 4` bytes (80 MB for 10000 Inception features).

    Args:
        extractor: `keras.Model` or callable. Maps a batch of images in
            [-1, 1] to a batch of feature vectors `(batch, dim)`.
        source: the images, as for `compute_statistics`.
        num_samples: int or None. Number of images, as for
            `compute_statistics`. Defaults to `None`.
        batch_size: int. Images per extractor call. Defaults to `64`.
        seed: int or None. Seed of the latent vectors of a generator source.
            Defaults to `0`.
        verbose: `"auto"`, 0, 1 or 2. Progress display in images, as for
            `compute_statistics`. Defaults to `0`.

    Returns:
        A float32 array of shape `(num_samples, dim)`.

    Example:

    ```python
    import keras_gans

    extractor = keras_gans.metrics.inception_feature_extractor()
    features = keras_gans.metrics.compute_features(extractor, gan, num_samples=5000)
    ```
    """
    progress = _Progress(_target(num_samples, [source]), validation.check_verbose(verbose))
    features = _collect(_extract_fn(extractor), source, num_samples, batch_size, seed, progress)
    progress.finish()
    return features


# ----------------------------------------------------------------------
# The metrics.


class _Precomputed:
    """Statistics passed in by the user: `(mean, covariance)`, count unknown."""

    count = None

    def __init__(self, mean, covariance):
        self._result = (mean, covariance)

    def result(self):
        return self._result


def _precomputed_statistics(value):
    """The statistics held by `value` if it holds precomputed ones, else None."""
    if isinstance(value, RunningStatistics):
        return value
    if isinstance(value, (tuple, list)) and len(value) == 2:
        if np.ndim(value[0]) == 1 and np.ndim(value[1]) == 2:
            return _Precomputed(value[0], value[1])
    return None


def _pair(real_source, fake_source, num_samples, compute):
    """Runs `compute(source, num_samples) -> (result, count)` on both sources.

    With `num_samples=None` a dataset or array gives all its images and a
    generator makes as many samples as the other source gave, so that both
    sets have the same size: the other source is read first.
    """
    sources = {"real": real_source, "fake": fake_source}
    order = ["real", "fake"]
    if _is_generator_source(real_source) and not _is_generator_source(fake_source):
        order.reverse()
    results = {}
    other_count = None
    for which in order:
        count = num_samples
        if count is None and _is_generator_source(sources[which]):
            count = other_count
        results[which], other_count = compute(sources[which], count)
    return results["real"], results["fake"]


def fid(
    real_source, fake_source, extractor=None, num_samples=None, batch_size=64, seed=0, verbose=0
):
    """Fréchet Inception Distance between real and generated images.

    Streams both sources through the extractor, fits a Gaussian to each set
    of features (float64 running sums: memory does not grow with
    `num_samples`) and returns `frechet_distance` between them. Lower is
    better; 0 for identical statistics.

    Values with the default extractor are comparable among keras_gans runs
    with the same `num_samples`, not digit for digit with published FIDs
    (see the `keras_gans.metrics.features` module docstring).

    Args:
        real_source: the real images, as for `compute_statistics`, or their
            precomputed statistics: a `(mean, covariance)` pair from
            `compute_statistics`, or a `RunningStatistics`.
        fake_source: the generated images, usually the `AdversarialModel`,
            as for `compute_statistics`, or precomputed statistics.
        extractor: `keras.Model` or None. Maps images to feature vectors.
            Defaults to `inception_feature_extractor()` (InceptionV3,
            ImageNet weights), built once per process.
        num_samples: int or None. Images taken from each source. `None` takes
            every image of a dataset or array, and makes a generator produce
            as many as the other source gave. Defaults to `None`.
        batch_size: int. Images per extractor call. Defaults to `64`.
        seed: int or None. Seed of the latent vectors of generator sources.
            Defaults to `0`.
        verbose: `"auto"`, 0, 1 or 2. Progress display, in images of both
            sources together, as in Keras' `predict`: 0 silent, 1 (or
            `"auto"`) a progress bar, 2 one line when done. Defaults to `0`.

    Returns:
        A Python float >= 0.

    Example:

    ```python
    import keras_gans

    dataset = keras_gans.data.load_dataset("mnist_sample")
    score = keras_gans.metrics.fid(dataset, gan, num_samples=2000)
    ```

    Reference:
        Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge
        to a Local Nash Equilibrium", NeurIPS 2017.
    """
    progress = _Progress(
        _target(num_samples, [real_source, fake_source]), validation.check_verbose(verbose)
    )
    extract = None

    def compute(source, count):
        nonlocal extract
        statistics = _precomputed_statistics(source)
        if statistics is None:
            if extract is None:
                extract = _extract_fn(_default_extractor(False) if extractor is None else extractor)
            statistics = _accumulate(extract, source, count, batch_size, seed, progress)
        return statistics, statistics.count

    real, fake = _pair(real_source, fake_source, num_samples, compute)
    progress.finish()
    real_mean, real_covariance = _result(real, "real_source")
    fake_mean, fake_covariance = _result(fake, "fake_source")
    return frechet_distance(real_mean, real_covariance, fake_mean, fake_covariance)


def _result(statistics, name):
    try:
        return statistics.result()
    except ValueError as e:
        raise ValueError(f"FID needs at least 2 images from `{name}`. {e}") from e


def _features_pair(real_source, fake_source, extractor, num_samples, batch_size, seed, verbose):
    progress = _Progress(
        _target(num_samples, [real_source, fake_source]), validation.check_verbose(verbose)
    )
    extract = _extract_fn(_default_extractor(False) if extractor is None else extractor)

    def compute(source, count):
        features = _collect(extract, source, count, batch_size, seed, progress)
        return features, features.shape[0]

    pair = _pair(real_source, fake_source, num_samples, compute)
    progress.finish()
    return pair


def kid(
    real_source,
    fake_source,
    extractor=None,
    num_samples=None,
    num_subsets=100,
    subset_size=1000,
    batch_size=64,
    seed=0,
    verbose=0,
):
    """Kernel Inception Distance between real and generated images.

    Collects the features of both sources (memory grows with
    `num_samples`) and returns `kernel_distance_from_activations`: the
    unbiased squared MMD under the kernel `(x . y / dim + 1)^3`, averaged
    over random subsets. Lower is better; about 0 (possibly slightly
    negative) for identical distributions.

    Args:
        real_source: the real images, as for `compute_statistics`.
        fake_source: the generated images, as for `compute_statistics`.
        extractor: `keras.Model` or None. Maps images to feature vectors.
            Defaults to `inception_feature_extractor()`.
        num_samples: int or None. Images taken from each source, as for
            `fid`. Defaults to `None`.
        num_subsets: int. Number of random subsets. Defaults to `100`.
        subset_size: int. Samples per subset from each set, clipped to the
            smaller set. Defaults to `1000`.
        batch_size: int. Images per extractor call. Defaults to `64`.
        seed: int or None. Seed of the latent vectors of generator sources
            and of the subsets. Defaults to `0`.
        verbose: `"auto"`, 0, 1 or 2. Progress display, as for `fid`.
            Defaults to `0`.

    Returns:
        A tuple `(mean, std)` of Python floats over the subsets.

    Example:

    ```python
    kid_mean, kid_std = keras_gans.metrics.kid(dataset, gan, num_samples=2000)
    ```

    Reference:
        Bińkowski et al., "Demystifying MMD GANs", ICLR 2018.
    """
    real, fake = _features_pair(
        real_source, fake_source, extractor, num_samples, batch_size, seed, verbose
    )
    return kernel_distance_from_activations(
        real, fake, num_subsets=num_subsets, subset_size=subset_size, seed=seed
    )


def precision_recall(
    real_source,
    fake_source,
    extractor=None,
    num_samples=None,
    num_neighbors=3,
    batch_size=64,
    seed=0,
    verbose=0,
):
    """Improved precision and recall of generated images against real ones.

    Collects the features of both sources (memory grows with `num_samples`)
    and returns `precision_recall_from_activations`: precision is the share
    of generated samples inside the k-nearest-neighbour manifold of the real
    ones (fidelity), recall the share of real samples inside the manifold of
    the generated ones (diversity). Higher is better for both.

    Args:
        real_source: the real images, as for `compute_statistics`.
        fake_source: the generated images, as for `compute_statistics`.
        extractor: `keras.Model` or None. Maps images to feature vectors.
            Defaults to `inception_feature_extractor()`; the paper uses VGG-16
            fc2 features.
        num_samples: int or None. Images taken from each source, as for
            `fid`. Defaults to `None`.
        num_neighbors: int. The `k` of the k-nearest-neighbour radii.
            Defaults to `3`.
        batch_size: int. Images per extractor call. Defaults to `64`.
        seed: int or None. Seed of the latent vectors of generator sources.
            Defaults to `0`.
        verbose: `"auto"`, 0, 1 or 2. Progress display, as for `fid`.
            Defaults to `0`.

    Returns:
        A tuple `(precision, recall)` of Python floats in [0, 1].

    Example:

    ```python
    precision, recall = keras_gans.metrics.precision_recall(
        dataset, gan, num_samples=2000)
    ```

    Reference:
        Kynkäänniemi et al., "Improved Precision and Recall Metric for
        Assessing Generative Models", NeurIPS 2019.
    """
    num_neighbors = check_positive_int(num_neighbors, "num_neighbors")
    real, fake = _features_pair(
        real_source, fake_source, extractor, num_samples, batch_size, seed, verbose
    )
    return precision_recall_from_activations(real, fake, num_neighbors=num_neighbors)


def sliced_wasserstein_distance(
    real_source, fake_source, num_samples=None, batch_size=64, seed=0, verbose=0, **options
):
    """Sliced Wasserstein distance of Laplacian-pyramid patches (`swd`), from sources.

    Draws the images of both sources as `fid` does and compares them with
    `keras_gans.metrics.swd`: no pretrained network, so it works offline.
    Both sets must have the same size (give `num_samples`, or let a
    generator match a finite dataset).

    Args:
        real_source: the real images, as for `compute_features`.
        fake_source: the generated images, usually the `AdversarialModel`.
        num_samples: int or None. Images from each source, as for `fid`.
            The paper uses 16,384. Defaults to `None`.
        batch_size: int. Images per generator call. Defaults to `64`.
        seed: int or None. Seed of the latents and of the patches and
            directions. Defaults to `0`.
        verbose: `"auto"`, 0, 1 or 2. Progress display, as for `fid`.
        **options: passed to `swd` (`min_resolution`, `patch_size`,
            `patches_per_image`, `num_directions`).

    Returns:
        A dict of Python floats, times 1e3: `"swd_<side>"` per pyramid level
        (finest first) and `"swd_mean"`.

    Reference:
        Karras et al., "Progressive Growing of GANs for Improved Quality,
        Stability, and Variation", ICLR 2018, appendix D.
    """
    shapes = set()

    def flatten(images):
        shapes.add(tuple(images.shape[1:]))
        return tf.reshape(images, [tf.shape(images)[0], -1])

    real, fake = _features_pair(
        real_source, fake_source, flatten, num_samples, batch_size, seed, verbose
    )
    if len(shapes) != 1 or real.shape[0] != fake.shape[0]:
        raise ValueError(
            "The SWD compares two sets of images of one shape and one size. Received: "
            f"image shapes {sorted(shapes)}, {real.shape[0]} real and {fake.shape[0]} "
            "generated images"
        )
    (shape,) = shapes
    return swd(real.reshape(-1, *shape), fake.reshape(-1, *shape), seed=seed or 0, **options)


def inception_score(
    source,
    classifier=None,
    num_samples=None,
    num_splits=10,
    from_logits=False,
    batch_size=64,
    seed=0,
    verbose=0,
):
    """Inception Score of a source of images.

    Collects the class probabilities of the images (memory grows with
    `num_samples`) and returns `inception_score_from_probabilities`:
    `exp(E_x KL(p(y|x) || p(y)))` over `num_splits` splits. Higher is
    better, between 1 and the number of classes. The score needs no real
    data, and it only makes sense for images of the classifier's classes
    (ImageNet for the default); for other data pass a classifier of your own
    domain.

    Args:
        source: the images, as for `compute_statistics`.
        classifier: `keras.Model` or None. Maps images to class probabilities
            `(batch, num_classes)` (or logits with `from_logits=True`).
            Defaults to `inception_feature_extractor(include_top=True)`.
        num_samples: int or None. Number of images, as for
            `compute_statistics`; a generator needs a number (50000 in the
            paper). Defaults to `None`.
        num_splits: int. Number of splits. Defaults to `10`.
        from_logits: bool. Whether the classifier outputs logits, turned into
            probabilities by a softmax (in float64). Defaults to `False`.
        batch_size: int. Images per classifier call. Defaults to `64`.
        seed: int or None. Seed of the latent vectors of a generator source.
            Defaults to `0`.
        verbose: `"auto"`, 0, 1 or 2. Progress display, as for
            `compute_statistics`. Defaults to `0`.

    Returns:
        A tuple `(mean, std)` of Python floats over the splits.

    Example:

    ```python
    is_mean, is_std = keras_gans.metrics.inception_score(gan, num_samples=5000)
    ```

    Reference:
        Salimans et al., "Improved Techniques for Training GANs", NeurIPS
        2016.
    """
    if not isinstance(from_logits, bool):
        raise ValueError(f"`from_logits` must be a bool. Received: from_logits={from_logits!r}")
    classifier = _default_extractor(True) if classifier is None else classifier
    outputs = compute_features(classifier, source, num_samples, batch_size, seed, verbose)
    if from_logits:
        logits = outputs.astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        outputs = np.exp(logits)
        outputs /= outputs.sum(axis=1, keepdims=True)
    return inception_score_from_probabilities(outputs, num_splits=num_splits)
