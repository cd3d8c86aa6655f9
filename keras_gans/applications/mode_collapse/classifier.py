"""The digit classifier of the stacked-MNIST experiment, trained once and cached."""

import os

import keras
import numpy as np

from keras_gans.data.arrays import from_arrays
from keras_gans.utils import file_utils
from keras_gans.utils import validation

NUM_DIGITS = 10
DIGIT_SHAPE = (28, 28, 1)


def build_digit_classifier(seed=None):
    """A small convolutional network classifying 28x28 digits in [-1, 1].

    Two 3x3 convolutions (32 and 64 filters, ReLU) each followed by 2x2 max
    pooling, dropout 0.25 and a 10-way softmax; about 35,000 weights. A few
    epochs on MNIST give about 99% test accuracy, enough to read the digits
    of stacked-MNIST samples.

    Args:
        seed: int or None. Seed of the initial weights and the dropout, so
            that training is repeatable without touching global random
            state. Defaults to `None`.

    Returns:
        An uncompiled functional `keras.Model` mapping float32 images of
        shape `(batch, 28, 28, 1)` to probabilities of shape `(batch, 10)`.
    """
    seed = validation.check_seed(seed)

    def initializer(offset):
        return keras.initializers.GlorotUniform(seed=None if seed is None else seed + offset)

    inputs = keras.Input(DIGIT_SHAPE, name="image")
    x = keras.layers.Conv2D(32, 3, activation="relu", kernel_initializer=initializer(0))(inputs)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(64, 3, activation="relu", kernel_initializer=initializer(1))(x)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.25, seed=seed)(x)
    outputs = keras.layers.Dense(
        NUM_DIGITS, activation="softmax", kernel_initializer=initializer(2)
    )(x)
    return keras.Model(inputs, outputs, name="digit_classifier")


def digit_classifier(path, images=None, labels=None, epochs=3, batch_size=128, seed=0):
    """The digit classifier cached at `path`: loaded if present, else trained and saved.

    The first call trains `build_digit_classifier(seed)` on the given MNIST
    arrays with Adam and sparse categorical cross-entropy, and saves it to
    `path`; later calls load that file and do not need the arrays. The file
    is written to a temporary file beside `path` and renamed into place when
    complete, so an interrupted run never leaves a broken cache.

    Args:
        path: str or path-like. The cache, a `.keras` file.
        images: array of shape `(n, 28, 28)` or `(n, 28, 28, 1)`, uint8 pixel
            values in [0, 255] or floats in [-1, 1]. Training digits; needed
            only when `path` does not exist. Defaults to `None`.
        labels: int array of shape `(n,)`. Their digits, 0 to 9. Defaults to
            `None`.
        epochs: int. Training epochs. Defaults to `3`.
        batch_size: int. Training batch size. Defaults to `128`.
        seed: int. Seed of the initial weights, dropout and data order.
            Defaults to `0`.

    Returns:
        A compiled `keras.Model` mapping images of shape `(batch, 28, 28, 1)`
        in [-1, 1] to digit probabilities of shape `(batch, 10)`.

    Example:

    ```python
    import keras
    from keras_gans.applications import mode_collapse

    (x, y), _ = keras.datasets.mnist.load_data()
    classifier = mode_collapse.digit_classifier("digit_classifier.keras", x, y)
    # Later, in another run, without the arrays:
    classifier = mode_collapse.digit_classifier("digit_classifier.keras")
    ```
    """
    path = os.fspath(path)
    if not isinstance(path, str) or not path.endswith(".keras"):
        raise ValueError(f"`path` must name a `.keras` file. Received: path={path!r}")
    if os.path.exists(path):
        return keras.models.load_model(path)
    if images is None or labels is None:
        raise ValueError(
            f"No cached classifier at '{path}': pass `images` and `labels` (MNIST digits "
            "and their labels) to train one. "
            f"Received: images={'None' if images is None else 'an array'}, "
            f"labels={'None' if labels is None else 'an array'}"
        )
    epochs = validation.check_positive_int(epochs, "epochs")
    seed = validation.check_int(seed, "seed", minimum=0)
    labels = np.asarray(labels)
    if np.issubdtype(labels.dtype, np.integer) and labels.size and labels.max() >= NUM_DIGITS:
        raise ValueError(
            f"`labels` must be digits in [0, {NUM_DIGITS - 1}]. "
            f"Received: max(labels)={labels.max()}"
        )
    dataset = from_arrays(images, labels, batch_size=batch_size, seed=seed, drop_remainder=False)
    image_shape = tuple(dataset.element_spec[0].shape[1:])
    if image_shape != DIGIT_SHAPE:
        raise ValueError(
            f"`images` must be 28x28 grey digits, shape (n, 28, 28) or (n, 28, 28, 1). "
            f"Received images of shape (n, {', '.join(map(str, image_shape))})"
        )
    model = build_digit_classifier(seed)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(dataset, epochs=epochs, shuffle=False, verbose=0)  # the dataset is shuffled
    with file_utils.atomic_file(path) as staging:
        model.save(staging, overwrite=True)
    return model
