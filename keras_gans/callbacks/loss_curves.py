"""A callback that plots the training history (losses, discriminator outputs, metrics) to PNG."""

import numbers
import os

import keras

from keras_gans.losses.gan_loss import D_LOSS
from keras_gans.losses.gan_loss import G_LOSS
from keras_gans.losses.gan_loss import OUTPUT_LOG_NAMES
from keras_gans.losses.gan_loss import PROBABILITY
from keras_gans.losses.gan_loss import SCORE

LOSS_KEYS = (D_LOSS, G_LOSS)
PROBABILITY_KEYS = OUTPUT_LOG_NAMES[PROBABILITY]
CRITIC_KEYS = OUTPUT_LOG_NAMES[SCORE]
# Keys drawn as a band around another key's curve (value key -> band key).
BANDS = {"kid": "kid_std"}
VALIDATION_PREFIX = "val_"
FIGURE_WIDTH = 8.0  # inches
PANEL_HEIGHT = 2.5  # inches
MAX_MARKED_POINTS = 30  # curves with fewer points show a marker at each


def _base(key):
    return key[len(VALIDATION_PREFIX) :] if key.startswith(VALIDATION_PREFIX) else key


def _series(history):
    """`{key: ([epoch, ...], [value, ...])}` from the accepted history types."""
    epochs = None
    if isinstance(history, keras.callbacks.History):
        epochs = list(getattr(history, "epoch", None) or [])
        history = history.history
    if not isinstance(history, dict):
        raise ValueError(
            "`history` must be a dict of logged values (e.g. `fit(...).history`) or a "
            f"keras.callbacks.History. Received: history of type {type(history).__name__}"
        )
    series = {}
    for key, values in history.items():
        if isinstance(values, dict):
            points = sorted(values.items())
        elif isinstance(values, (list, tuple)) or hasattr(values, "__array__"):
            values = list(values)
            if epochs is not None and len(epochs) == len(values):
                points = list(zip(epochs, values, strict=True))
            else:
                points = list(enumerate(values))
        else:
            raise ValueError(
                f"`history[{key!r}]` must be a list of values, one per epoch, or a dict "
                f"{{epoch: value}}. Received: {values!r}"
            )
        if not points:
            continue
        try:
            series[str(key)] = (
                [int(epoch) for epoch, _ in points],
                [float(value) for _, value in points],
            )
        except (TypeError, ValueError) as e:
            raise ValueError(f"`history[{key!r}]` must hold numbers. Received: {values!r}") from e
    return series


def _panels(keys):
    """Groups the keys into panels: `[(title, [key, ...]), ...]`."""
    keys = set(keys)
    panels = []
    used = set()

    def take(title, names):
        present = [key for name in names for key in (name, VALIDATION_PREFIX + name) if key in keys]
        if present:
            panels.append((title, present))
            used.update(present)

    take("losses", LOSS_KEYS)
    if any(key in keys for key in PROBABILITY_KEYS):
        take("discriminator's mean probability", PROBABILITY_KEYS)
    else:
        take("critic scores", CRITIC_KEYS)
    for key in sorted(keys - used):
        base = _base(key)
        banded = any(band == base and value in keys for value, band in BANDS.items())
        if key in used or banded:
            continue
        take(base, [base])
    return panels


def plot_history(history, path, dpi=100):
    """Plots a GAN's training history to a PNG file.

    One panel of the losses (`d_loss`, `g_loss`), one of the discriminator's
    outputs (`d_real` and `d_fake` as probabilities, with the 0.5 of the
    equilibrium marked, or `critic_real` and `critic_fake`), and one panel
    for each other logged value (penalties, `fid`, `kid` with `kid_std` as a
    band, ...). Validation values (`val_*`) share their value's panel.
    Missing keys simply leave their panel out. The image is
    `8 * dpi` pixels wide and `2.5 * dpi` pixels high per panel.

    Args:
        history: dict or `keras.callbacks.History`. The logged values: a dict
            of lists, one value per epoch (`fit(...).history`), or of dicts
            `{epoch: value}` (0-based epochs) for values logged every few
            epochs, like `MetricEvaluator.history`.
        path: str. The PNG file to write; folders are created.
        dpi: int. Pixels per inch. Defaults to `100`.

    Returns:
        The path written, as a string.

    Example:

    ```python
    history = gan.fit(dataset, epochs=20)
    keras_gans.callbacks.plot_history(history.history, "curves.png")
    ```
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    try:
        path = os.fspath(path)
    except TypeError as e:
        raise ValueError(f"`path` must be a file path. Received: path={path!r}") from e
    if isinstance(dpi, bool) or not isinstance(dpi, numbers.Real) or dpi <= 0:
        raise ValueError(f"`dpi` must be a positive number. Received: dpi={dpi!r}")
    series = _series(history)
    panels = _panels(series)
    if not panels:
        keys = sorted(history.history if isinstance(history, keras.callbacks.History) else history)
        raise ValueError(f"`history` holds no values to plot. Received keys: {keys}")

    figure = Figure(figsize=(FIGURE_WIDTH, PANEL_HEIGHT * len(panels)), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (title, keys) in zip(axes, panels, strict=True):
        colours = {}  # a validation curve takes its training curve's colour
        for key in keys:
            colour = colours.setdefault(_base(key), f"C{len(colours)}")
            epochs, values = series[key]
            x = [epoch + 1 for epoch in epochs]
            marker = "o" if len(x) <= MAX_MARKED_POINTS else None
            style = "--" if key.startswith(VALIDATION_PREFIX) else "-"
            ax.plot(x, values, style, color=colour, marker=marker, markersize=3, label=key)
            band = BANDS.get(_base(key))
            if band is not None and key.startswith(VALIDATION_PREFIX):
                band = VALIDATION_PREFIX + band
            if band in series:
                spread = dict(zip(*series[band], strict=True))
                low, high, band_x = [], [], []
                for epoch, value in zip(epochs, values, strict=True):
                    if epoch in spread:
                        band_x.append(epoch + 1)
                        low.append(value - spread[epoch])
                        high.append(value + spread[epoch])
                ax.fill_between(band_x, low, high, alpha=0.2, color=colour)
        if title.startswith("discriminator's"):
            ax.axhline(0.5, color="grey", linestyle=":", linewidth=1, label="equilibrium")
            ax.set_ylim(-0.02, 1.02)
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7, loc="best")
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("epoch")
    figure.tight_layout()
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    figure.savefig(path, format="png")
    return path


class LossCurves(keras.callbacks.Callback):
    """Plots the training history to a PNG file when training ends.

    Records each epoch's logs, including the values that other callbacks add
    to them (such as `MetricEvaluator`'s `fid`, at the epochs it was
    computed), and at the end of `fit` writes them with `plot_history`: the
    losses, the discriminator's outputs, and the penalties and metrics. Use
    `plot_history` directly for a history saved earlier.

    Args:
        path: str. The PNG file to write.
        dpi: int. Pixels per inch of the image. Defaults to `100`.

    Example:

    ```python
    gan.fit(dataset, epochs=20,
            callbacks=[keras_gans.callbacks.LossCurves("curves.png")])
    ```
    """

    def __init__(self, path, dpi=100):
        super().__init__()
        try:
            self.path = os.fspath(path)
        except TypeError as e:
            raise ValueError(f"`path` must be a file path. Received: path={path!r}") from e
        if isinstance(dpi, bool) or not isinstance(dpi, numbers.Real) or dpi <= 0:
            raise ValueError(f"`dpi` must be a positive number. Received: dpi={dpi!r}")
        self.dpi = dpi
        self.history = {}
        self._pending = None

    def _record_pending(self):
        # The logs of the last epoch are read only now: Keras passes one dict
        # to every callback in turn, so the values that callbacks after this
        # one added are in it too.
        if self._pending is None:
            return
        epoch, logs = self._pending
        self._pending = None
        for key, value in logs.items():
            try:
                self.history.setdefault(key, {})[epoch] = float(value)
            except (TypeError, ValueError):
                continue  # not a number: nothing to plot

    def on_train_begin(self, logs=None):
        self.history = {}
        self._pending = None

    def on_epoch_begin(self, epoch, logs=None):
        self._record_pending()

    def on_epoch_end(self, epoch, logs=None):
        self._record_pending()
        self._pending = (epoch, logs if logs is not None else {})

    def on_train_end(self, logs=None):
        self._record_pending()
        if self.history:
            plot_history(self.history, self.path, dpi=self.dpi)
