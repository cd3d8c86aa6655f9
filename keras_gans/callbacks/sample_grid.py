"""A callback that writes grids of generated samples as PNG files and TensorBoard images."""

import os

import keras
import numpy as np

from keras_gans.callbacks._utils import SummaryWriter
from keras_gans.callbacks._utils import write_image_summary
from keras_gans.models.sampling import latents_and_labels
from keras_gans.utils.validation import check_bool
from keras_gans.utils.validation import check_optional_path
from keras_gans.utils.validation import check_positive_int

EPOCH_TAG = "epoch_samples"
STEP_TAG = "batch_samples"


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
    """Writes grids of samples from fixed latent vectors during training.

    The same latent vectors are used every time, so the grids show how the
    generator's output for one input evolves. For a conditional model the
    labels cycle through the classes, one class per column when
    `num_columns` equals the number of classes.

    A grid is written after each epoch (`epoch_0001.png`, ...) and, with
    `every_n_steps`, every N training batches (`step_000500.png` after the
    500th batch). Steps count the batches the model has been trained on (its
    generator optimizer's `iterations`), so they go on across `fit` calls.
    With `tensorboard_dir` each grid is also written as a
    TensorBoard image: tag `"epoch_samples"` at step `epoch` (0-based, as
    Keras' `TensorBoard` callback logs `epoch_loss`) and tag
    `"batch_samples"` at the global step.

    Args:
        directory: str. Folder of the PNG files.
        num_samples: int. Samples per grid. Defaults to `64`.
        num_columns: int. Samples per row. Defaults to the number of classes
            of a conditional model, else `ceil(sqrt(num_samples))`.
        seed: int. Seed of the fixed latent vectors. Defaults to `0`.
        every_n_steps: int. Also write a grid every this many training
            batches. Generating a grid takes one generator call, but a
            callback with a batch hook makes Keras fetch the logs of every
            batch: keep N in the hundreds. Defaults to `None` (no step grids,
            and no batch hook).
        on_epoch: bool. Write a grid after each epoch. Defaults to `True`.
        tensorboard_dir: str. Log folder to which the grids are also written
            as TensorBoard image summaries. Defaults to `None`.

    Example:

    ```python
    gan.fit(dataset, epochs=10, callbacks=[
        keras_gans.callbacks.SampleGrid(
            "samples/", every_n_steps=500, tensorboard_dir="logs/"),
    ])
    ```
    """

    def __init__(
        self,
        directory,
        num_samples=64,
        num_columns=None,
        seed=0,
        every_n_steps=None,
        on_epoch=True,
        tensorboard_dir=None,
    ):
        super().__init__()
        self.directory = check_optional_path(directory, "directory")
        if self.directory is None:
            raise ValueError("`directory` must be a path. Received: directory=None")
        self.num_samples = check_positive_int(num_samples, "num_samples")
        self.num_columns = check_positive_int(num_columns, "num_columns", allow_none=True)
        self.seed = seed
        self.every_n_steps = check_positive_int(every_n_steps, "every_n_steps", allow_none=True)
        self.on_epoch = check_bool(on_epoch, "on_epoch")
        if not on_epoch and every_n_steps is None:
            raise ValueError(
                "SampleGrid would write nothing: pass `every_n_steps` or keep "
                f"on_epoch=True. Received: on_epoch={on_epoch}, every_n_steps=None"
            )
        self.tensorboard_dir = check_optional_path(tensorboard_dir, "tensorboard_dir")
        self._writer = None if self.tensorboard_dir is None else SummaryWriter(self.tensorboard_dir)
        self.paths = []
        self.step = 0
        self._epoch_start_step = 0
        if self.every_n_steps is not None:
            # Only then does this callback have a batch hook: Keras fetches
            # every batch's logs for callbacks that override it.
            self.on_train_batch_end = self._on_train_batch_end

    def _inputs(self):
        return latents_and_labels(self.model, self.num_samples, self.seed, who="SampleGrid")

    def write(self, name, tensorboard_step=None, tensorboard_tag=EPOCH_TAG):
        """Writes a grid now, to `<directory>/<name>.png`.

        Args:
            name: str. The file name, without `.png`.
            tensorboard_step: int. With `tensorboard_dir`, also write the grid
                as an image summary at this step. Defaults to `None` (no
                summary).
            tensorboard_tag: str. The tag of the image summary. Defaults to
                `"epoch_samples"`.

        Returns:
            The path of the PNG file.
        """
        latents, labels = self._inputs()
        images = self.model.generate(latents, labels)
        num_columns = self.num_columns
        if num_columns is None and labels is not None:
            num_columns = self.model.num_classes
        path = save_image_grid(images, os.path.join(self.directory, f"{name}.png"), num_columns)
        self.paths.append(path)
        if self._writer is not None and tensorboard_step is not None:
            grid = image_grid(images, num_columns)
            self._writer.write(tensorboard_step, lambda: write_image_summary(tensorboard_tag, grid))
        return path

    def on_train_begin(self, logs=None):
        optimizer = getattr(self.model, "g_optimizer", None)
        if optimizer is not None:
            # Batches trained so far: one generator update per batch.
            self.step = int(optimizer.iterations)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start_step = self.step

    def _on_train_batch_end(self, batch, logs=None):
        # `batch` is the index of the last batch run (several with
        # `steps_per_execution`): write when a multiple of N was passed.
        previous, self.step = self.step, self._epoch_start_step + batch + 1
        if self.step // self.every_n_steps > previous // self.every_n_steps:
            self.write(f"step_{self.step:06d}", self.step, STEP_TAG)

    def on_epoch_end(self, epoch, logs=None):
        if self.on_epoch:
            self.write(f"epoch_{epoch + 1:04d}", epoch, EPOCH_TAG)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
