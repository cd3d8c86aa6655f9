"""A callback that writes a grid of generated samples as a PNG file."""

import os

import keras
import numpy as np


def image_grid(images, num_columns=None):
    """Tiles a batch of images into one image, row by row.

    Args:
        images: array of shape `(n, height, width, channels)` with values in
            [-1, 1].
        num_columns: int. Images per row. Defaults to `ceil(sqrt(n))`.

    Returns:
        A float array in [0, 1] of shape `(rows * height, columns * width)`
        for grey images or `(rows * height, columns * width, channels)`
        otherwise. Empty cells are black.
    """
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4:
        raise ValueError(
            f"`images` must have shape (n, height, width, channels). Received: shape={images.shape}"
        )
    n, height, width, channels = images.shape
    num_columns = num_columns or int(np.ceil(np.sqrt(n)))
    num_rows = int(np.ceil(n / num_columns))
    grid = np.zeros((num_rows * height, num_columns * width, channels), "float32")
    for i, image in enumerate(np.clip((images + 1.0) / 2.0, 0.0, 1.0)):
        row, column = divmod(i, num_columns)
        grid[row * height : (row + 1) * height, column * width : (column + 1) * width] = image
    return grid[..., 0] if channels == 1 else grid


def save_image_grid(images, path, num_columns=None):
    """Writes `image_grid(images, num_columns)` to a PNG file with matplotlib."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import pyplot as plt

    grid = image_grid(images, num_columns)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    plt.imsave(path, grid, cmap="gray" if grid.ndim == 2 else None, vmin=0.0, vmax=1.0)
    return path


class SampleGrid(keras.callbacks.Callback):
    """Writes a PNG grid of samples from fixed latent vectors after each epoch.

    The same latent vectors are used every time, so the files show how the
    generator's output for one input evolves. For a conditional model the
    labels cycle through the classes, one class per column when
    `num_columns` equals the number of classes.

    Args:
        directory: str. Folder of the PNG files, named `epoch_0001.png`, ...
        num_samples: int. Samples per grid. Defaults to `64`.
        num_columns: int. Samples per row. Defaults to the number of classes
            of a conditional model, else `ceil(sqrt(num_samples))`.
        seed: int. Seed of the fixed latent vectors. Defaults to `0`.

    Example:

    ```python
    gan.fit(dataset, epochs=10,
            callbacks=[keras_gans.callbacks.SampleGrid("samples/")])
    ```
    """

    def __init__(self, directory, num_samples=64, num_columns=None, seed=0):
        super().__init__()
        if not isinstance(num_samples, int) or num_samples < 1:
            raise ValueError(
                f"`num_samples` must be a positive integer. Received: num_samples={num_samples!r}"
            )
        self.directory = os.fspath(directory)
        self.num_samples = num_samples
        self.num_columns = num_columns
        self.seed = seed
        self.paths = []

    def _inputs(self):
        rng = np.random.default_rng(self.seed)
        latents = rng.standard_normal((self.num_samples, self.model.latent_dim))
        labels = None
        if self.model.conditional:
            if self.model.num_classes is None:
                raise ValueError(
                    "SampleGrid needs the number of classes of a conditional "
                    "model: build the AdversarialModel with `num_classes`."
                )
            labels = np.arange(self.num_samples) % self.model.num_classes
        return latents.astype("float32"), labels

    def write(self, name):
        """Writes a grid now, to `<directory>/<name>.png`."""
        latents, labels = self._inputs()
        images = self.model.generate(latents, labels)
        num_columns = self.num_columns
        if num_columns is None and labels is not None:
            num_columns = self.model.num_classes
        path = save_image_grid(images, os.path.join(self.directory, f"{name}.png"), num_columns)
        self.paths.append(path)
        return path

    def on_epoch_end(self, epoch, logs=None):
        self.write(f"epoch_{epoch + 1:04d}")
