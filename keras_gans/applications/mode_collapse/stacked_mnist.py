"""Stacked MNIST: colour images made of three MNIST digits, with 1,000 modes.

Each image stacks three independently drawn MNIST digits as its red, green
and blue channels. Its mode is the triple of digits `(a, b, c)`, numbered
`100 a + 10 b + c` (`a` the digit in channel 0), so the data has 1,000
equally likely modes. A generator's coverage of them is measured with a
digit classifier applied to each channel of its samples: the number of
triples seen, and the KL divergence from the histogram of triples to the
uniform distribution over all 1,000 (VEEGAN, PacGAN).
"""

import keras
import numpy as np
import tensorflow as tf

from keras_gans.applications.mode_collapse._validation import check_seed_or_generator
from keras_gans.applications.mode_collapse.metrics import reverse_kl_to_uniform
from keras_gans.data.pipeline import _build_indexed_pipeline
from keras_gans.data.pipeline import _check_pipeline_args
from keras_gans.utils import validation
from keras_gans.utils.validation import warn_if_unit_range

NUM_MODES = 1000
NUM_DIGITS = 10
# Side of the MNIST digits, and of the images the digit classifier takes.
DIGIT_SIZE = 28
RESIZE_METHODS = ("pad", "bilinear")
# Images resized per TensorFlow call.
_RESIZE_CHUNK = 4096


def _check_resize(resize):
    return validation.check_one_of(resize, "resize", RESIZE_METHODS)


def _as_digits(images):
    """MNIST digits as an `(n, 28, 28)` array, uint8 or float32 in [-1, 1]."""
    images = np.asarray(images)
    received = images.shape
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or images.shape[1:] != (DIGIT_SIZE, DIGIT_SIZE) or images.shape[0] == 0:
        raise ValueError(
            "`images` must be MNIST digits of shape (n, 28, 28) or (n, 28, 28, 1), "
            f"n >= 1. Received: images.shape={received}"
        )
    if np.issubdtype(images.dtype, np.integer):
        low, high = int(images.min()), int(images.max())
        if low < 0 or high > 255:
            raise ValueError(
                "Integer `images` are read as pixel values in [0, 255]. "
                f"Received: images.dtype={images.dtype}, min={low}, max={high}"
            )
        return images.astype(np.uint8, copy=False)
    if np.issubdtype(images.dtype, np.floating):
        low, high = float(images.min()), float(images.max())
        if not (np.isfinite(low) and np.isfinite(high)) or low < -1.0 or high > 1.0:
            raise ValueError(
                "Float `images` must be finite and lie in [-1, 1]; pass pixel values in "
                "[0, 255] as uint8. "
                f"Received: images.dtype={images.dtype}, min={low}, max={high}"
            )
        warn_if_unit_range(low, high, "`images`")
        return images.astype(np.float32, copy=False)
    raise ValueError(
        "`images` must hold uint8 pixel values in [0, 255] or floats in [-1, 1]. "
        f"Received: images.dtype={images.dtype}"
    )


def _as_digit_labels(labels, num_images):
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.shape != (num_images,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            "`labels` must be integer digits of shape (n,), one per image. Received: "
            f"labels.shape={labels.shape}, labels.dtype={labels.dtype}, n={num_images}"
        )
    if labels.min() < 0 or labels.max() >= NUM_DIGITS:
        raise ValueError(
            "`labels` must be digits in [0, 9]. "
            f"Received: min(labels)={labels.min()}, max(labels)={labels.max()}"
        )
    return labels.astype(np.int64)


def _to_unit_range(digits):
    if digits.dtype == np.uint8:
        return digits.astype(np.float32) / 127.5 - 1.0
    return digits


def _resize(images, size):
    """Bilinear, antialiased resize of `(n, h, w, c)` float images to `size` squared."""
    chunks = []
    for start in range(0, images.shape[0], _RESIZE_CHUNK):
        resized = tf.image.resize(
            images[start : start + _RESIZE_CHUNK], (size, size), method="bilinear", antialias=True
        )
        chunks.append(np.clip(resized.numpy(), -1.0, 1.0))
    return np.concatenate(chunks).astype(np.float32)


def make_stacked_mnist(images, labels, num_samples, seed=None, image_size=28, resize="pad"):
    """Builds stacked-MNIST images and their modes from MNIST arrays.

    Each output image takes three digits drawn uniformly, with replacement
    and independently, from `images`, as its channels 0, 1 and 2. Its mode
    is `100 * labels[i0] + 10 * labels[i1] + labels[i2]`. PacGAN draws from
    the 70,000 digits of MNIST's training and test sets together, and trains
    on 128,000 such images.

    The images come back as float32 in [-1, 1], so a set of 128,000 at
    28x28 takes 1.2 GB. Feed them to `fit` with
    `keras_gans.data.from_arrays(stacked, batch_size=64)`.

    Args:
        images: array of shape `(n, 28, 28)` or `(n, 28, 28, 1)`. MNIST
            digits, uint8 pixel values in [0, 255] (as
            `keras.datasets.mnist.load_data()` gives them) or floats in
            [-1, 1].
        labels: int array of shape `(n,)`. The digit of each image, 0 to 9.
        num_samples: int. The number of stacked images to make.
        seed: int, `numpy.random.Generator` or None. Seed of the draws.
            Defaults to `None`.
        image_size: int. Side of the output images, >= 28. Defaults to `28`;
            `32` gives a power-of-two size for convolutional networks.
        resize: str. How a larger `image_size` is reached: `"pad"` adds a
            border of background (-1) around the unchanged digits, `"bilinear"`
            resizes them (antialiased). Pass the same value to
            `stacked_mnist_modes`. Defaults to `"pad"`.

    Returns:
        A tuple `(stacked, modes)`: float32 images of shape
        `(num_samples, image_size, image_size, 3)` in [-1, 1], and int64
        modes of shape `(num_samples,)` in [0, 1000).

    Example:

    ```python
    import keras
    from keras_gans.applications import mode_collapse

    (x, y), _ = keras.datasets.mnist.load_data()
    stacked, modes = mode_collapse.make_stacked_mnist(x, y, 128_000, seed=0)
    ```

    Reference:
        Srivastava et al., "VEEGAN: Reducing Mode Collapse in GANs using
        Implicit Variational Learning", NeurIPS 2017; Lin et al., "PacGAN: The
        power of two samples in generative adversarial networks", NeurIPS 2018.
    """
    digits = _as_digits(images)
    digit_labels = _as_digit_labels(labels, digits.shape[0])
    num_samples = validation.check_positive_int(num_samples, "num_samples")
    image_size = validation.check_int(image_size, "image_size", minimum=DIGIT_SIZE)
    resize = _check_resize(resize)
    indices, modes = _draw_triples(digit_labels, num_samples, seed)

    pad = image_size > DIGIT_SIZE and resize == "pad"
    size = image_size if pad else DIGIT_SIZE
    stacked = np.full((num_samples, size, size, 3), -1.0, dtype=np.float32)
    top = (size - DIGIT_SIZE) // 2
    for channel in range(3):
        stacked[:, top : top + DIGIT_SIZE, top : top + DIGIT_SIZE, channel] = _to_unit_range(
            digits[indices[:, channel]]
        )
    if image_size != size:
        stacked = _resize(stacked, image_size)
    return stacked, modes


def _draw_triples(digit_labels, num_samples, seed):
    """`(num_samples, 3)` digit indices drawn uniformly with replacement, and their modes."""
    rng = np.random.default_rng(check_seed_or_generator(seed))
    indices = rng.integers(digit_labels.shape[0], size=(num_samples, 3))
    return indices, digit_labels[indices] @ np.array([100, 10, 1], dtype=np.int64)


def stacked_mnist_dataset(
    images, labels, num_samples, batch_size=64, seed=None, shuffle=True, drop_remainder=True
):
    """A stacked-MNIST training set as a `tf.data.Dataset`, stacked as it is read.

    The same images as `make_stacked_mnist(images, labels, num_samples, seed)`
    (28x28): the digit triples are drawn once, with the same draws, but only
    the MNIST digits and the `(num_samples, 3)` indices are held in memory,
    and each batch is gathered and stacked in the pipeline. So PacGAN's
    128,000 images, or 512,000 for a discriminator packing 4 of them, cost
    the 55 MB of MNIST's 70,000 uint8 digits instead of 1.2 GB per 128,000.
    Each epoch is a new permutation keyed by `seed` and the epoch, which
    `keras_gans.AdversarialModel.fit` replays when it resumes from a backup.

    Args:
        images: array of shape `(n, 28, 28)` or `(n, 28, 28, 1)`. MNIST
            digits, uint8 in [0, 255] or floats in [-1, 1].
        labels: int array of shape `(n,)`. The digit of each image, 0 to 9.
        num_samples: int. The number of stacked images in an epoch.
        batch_size: int. Images per batch. Defaults to `64`.
        seed: int or None. Seed of the triples and of the order of each
            epoch. Defaults to `None`.
        shuffle: bool. Whether each epoch is a new permutation; without it
            the images come in the order of `make_stacked_mnist`. Defaults to
            `True`.
        drop_remainder: bool. Whether to drop a last, smaller batch.
            Defaults to `True`.

    Returns:
        A tuple `(dataset, modes)`: the dataset yields float32 batches
        `(batch_size, 28, 28, 3)` in [-1, 1]; `modes` is the int64 array
        `(num_samples,)` of the images' modes, in the unshuffled order.

    Example:

    ```python
    import keras
    from keras_gans.applications import mode_collapse

    (x, y), _ = keras.datasets.mnist.load_data()
    dataset, modes = mode_collapse.stacked_mnist_dataset(x, y, 128_000, seed=0)
    ```
    """
    digits = _as_digits(images)
    digit_labels = _as_digit_labels(labels, digits.shape[0])
    num_samples = validation.check_positive_int(num_samples, "num_samples")
    _check_pipeline_args(batch_size, shuffle, seed, drop_remainder, None)
    indices, modes = _draw_triples(digit_labels, num_samples, seed)
    digit_tensor = tf.constant(digits)  # uint8 digits stay uint8 until they are read
    index_tensor = tf.constant(indices)

    def load(index):
        # (3, 28, 28) digits, one per channel, to (28, 28, 3); the pipeline
        # scales uint8 pixels to [-1, 1] as `from_arrays` does.
        return tf.transpose(tf.gather(digit_tensor, tf.gather(index_tensor, index)), (1, 2, 0))

    dataset = _build_indexed_pipeline(
        load,
        num_examples=num_samples,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
    )
    return dataset, modes


def _as_stacked(images, resize):
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(
            "`images` must be float images in [-1, 1], as a generator makes them. "
            f"Received: images.dtype={images.dtype}"
        )
    if images.ndim != 4 or images.shape[-1] != 3 or images.shape[1] != images.shape[2]:
        raise ValueError(
            "`images` must have shape (n, size, size, 3): square images with one digit "
            f"per channel. Received: images.shape={images.shape}"
        )
    if resize == "pad" and images.shape[1] < DIGIT_SIZE:
        raise ValueError(
            f"With resize='pad' the images must be at least {DIGIT_SIZE} pixels wide; "
            "pass resize='bilinear' to resize smaller ones. "
            f"Received: images.shape={images.shape}"
        )
    if images.shape[0] == 0:
        raise ValueError(f"`images` holds no image. Received: images.shape={images.shape}")
    images = images.astype(np.float32, copy=False)
    if not np.all(np.isfinite(images)):
        raise ValueError(
            f"`images` contains NaN or infinite values. Received: shape={images.shape}"
        )
    return images


def _predict_digits(classifier, channel_images, batch_size):
    """The most probable digit of each `(n, 28, 28, 1)` image."""
    if isinstance(classifier, keras.Model):
        probabilities = [classifier.predict(channel_images, batch_size=batch_size, verbose=0)]
    else:
        probabilities = [
            classifier(channel_images[start : start + batch_size])
            for start in range(0, channel_images.shape[0], batch_size)
        ]
    probabilities = np.concatenate([keras.ops.convert_to_numpy(p) for p in probabilities])
    if probabilities.shape != (channel_images.shape[0], NUM_DIGITS):
        raise ValueError(
            "The classifier must map images of shape (n, 28, 28, 1) to class "
            f"probabilities of shape (n, {NUM_DIGITS}). Received outputs of shape "
            f"{probabilities.shape} for {channel_images.shape[0]} images"
        )
    return np.argmax(probabilities, axis=1).astype(np.int64)


def stacked_mnist_modes(images, classifier, batch_size=1000, resize="pad"):
    """The mode `100 a + 10 b + c` of each stacked-MNIST image, by a digit classifier.

    Each channel is brought back to 28x28 (a centre crop for `resize="pad"`,
    a bilinear resize for `"bilinear"`), classified, and the most probable
    digits of channels 0, 1 and 2 give `a`, `b` and `c`.

    Args:
        images: float array of shape `(n, size, size, 3)` in [-1, 1], e.g.
            generated samples.
        classifier: a `keras.Model` or any callable mapping float32 images of
            shape `(batch, 28, 28, 1)` in [-1, 1] to class probabilities (or
            logits) of shape `(batch, 10)`, such as
            `mode_collapse.digit_classifier(...)`.
        batch_size: int. Images per classifier call. Defaults to `1000`.
        resize: str. How the images were made from 28x28 digits: `"pad"` or
            `"bilinear"` (see `make_stacked_mnist`). Defaults to `"pad"`.

    Returns:
        An int64 array of shape `(n,)` with values in [0, 1000).
    """
    resize = _check_resize(resize)
    images = _as_stacked(images, resize)
    batch_size = validation.check_positive_int(batch_size, "batch_size")
    size = images.shape[1]
    if size != DIGIT_SIZE:
        if resize == "pad":
            top = (size - DIGIT_SIZE) // 2
            images = images[:, top : top + DIGIT_SIZE, top : top + DIGIT_SIZE, :]
        else:
            images = _resize(images, DIGIT_SIZE)
    low, high = float(images.min()), float(images.max())
    warn_if_unit_range(low, high, "`images`")
    num_images = images.shape[0]
    # One classifier pass over the three channels, as one batch of 3n digits.
    channels = np.ascontiguousarray(np.transpose(images, (3, 0, 1, 2)))
    digits = _predict_digits(
        classifier, channels.reshape(-1, DIGIT_SIZE, DIGIT_SIZE, 1), batch_size
    )
    digits = digits.reshape(3, num_images)
    return 100 * digits[0] + 10 * digits[1] + digits[2]


def stacked_mnist_summary(images, classifier, batch_size=1000, resize="pad"):
    """Modes covered out of 1,000 and the KL divergence to uniform of stacked-MNIST samples.

    Every image counts (there is no quality threshold): its mode is
    classified by `stacked_mnist_modes`, and the histogram `p` of modes over
    all 1,000 gives `KL(p || uniform)` with empty modes contributing 0, as
    in PacGAN's code (see `reverse_kl_to_uniform`). The published tables
    classify 26,000 samples. Sampling noise alone gives a perfect generator
    a KL of about `(1000 - 1) / (2 n)`, 0.02 for `n = 26,000`.

    Args:
        images: float array of shape `(n, size, size, 3)` in [-1, 1].
        classifier: a digit classifier (see `stacked_mnist_modes`).
        batch_size: int. Images per classifier call. Defaults to `1000`.
        resize: str. `"pad"` or `"bilinear"` (see `make_stacked_mnist`).
            Defaults to `"pad"`.

    Returns:
        A dict with `"modes"` (int, distinct modes seen, at most 1000) and
        `"reverse_kl"` (float, between 0 and `log 1000 = 6.91`).

    Example:

    ```python
    import keras
    from keras_gans.applications import mode_collapse

    (x, y), _ = keras.datasets.mnist.load_data()
    classifier = mode_collapse.digit_classifier("digit_classifier.keras", x, y)
    real, _ = mode_collapse.make_stacked_mnist(x, y, 26_000, seed=0)
    mode_collapse.stacked_mnist_summary(real, classifier)
    # about {'modes': 1000, 'reverse_kl': 0.02}; for a generator `gan`:
    mode_collapse.stacked_mnist_summary(gan.generate(26_000), classifier)
    ```

    Reference:
        Lin et al., "PacGAN: The power of two samples in generative
        adversarial networks", NeurIPS 2018.
    """
    modes = stacked_mnist_modes(images, classifier, batch_size=batch_size, resize=resize)
    counts = np.bincount(modes, minlength=NUM_MODES)
    return {
        "modes": int(np.count_nonzero(counts)),
        "reverse_kl": reverse_kl_to_uniform(counts),
    }
