"""The MNIST sample bundled with the package."""

import io
from importlib import resources

import numpy as np

MNIST_SAMPLE_FILE = "mnist_sample.npz"


def load_mnist_sample():
    """Load the 5,000 MNIST digits bundled with `keras_gans`, 500 of each class.

    The digits are a fixed, class-balanced sample of the MNIST training set,
    shipped inside the package (about 0.8 MB), so examples and tests run without
    a download. The file is read with `importlib.resources`, which also works
    from an installed wheel or zip. See `keras_gans/data/README.md` for how it was
    made. MNIST is by Yann LeCun, Corinna Cortes and Christopher J. C. Burges,
    licensed CC BY-SA 3.0.

    Returns:
        A tuple `(images, labels)` of NumPy arrays: `images` uint8 of shape
        `(5000, 28, 28, 1)` with pixel values in [0, 255], and `labels` int32 of
        shape `(5000,)` with the digits 0 to 9.

    Example:

    ```python
    import keras_gans

    images, labels = keras_gans.data.load_mnist_sample()
    dataset = keras_gans.data.from_arrays(images, labels, batch_size=64)
    ```
    """
    data = resources.files(__package__).joinpath(MNIST_SAMPLE_FILE).read_bytes()
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        images = archive["images"]
        labels = archive["labels"]
    return images[..., np.newaxis].astype(np.uint8), labels.astype(np.int32)
