"""A callback that warns when GAN training goes wrong in a recognisable way."""

import math
import numbers
import warnings

import keras

from keras_gans.losses.gan_loss import OUTPUT_LOG_NAMES
from keras_gans.losses.gan_loss import PROBABILITY
from keras_gans.losses.gan_loss import SCORE
from keras_gans.utils.validation import check_bool
from keras_gans.utils.validation import check_positive_int

FREQUENCIES = ("epoch", "batch")
PROBABILITY_KEYS = OUTPUT_LOG_NAMES[PROBABILITY]
CRITIC_KEYS = OUTPUT_LOG_NAMES[SCORE]

DISCRIMINATOR_WINS = "discriminator_wins"
DISCRIMINATOR_COLLAPSE = "discriminator_collapse"
NON_FINITE = "non_finite"
UNWATCHED = "unwatched"


def _check_threshold(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 0.5:
        raise ValueError(
            f"`{name}` must be a number strictly between 0 and 0.5 (a distance "
            f"from a probability of 0 or 1). Received: {name}={value!r}"
        )
    return float(value)


def _format(values):
    return ", ".join(f"{key}={value:.3g}" for key, value in values.items())


class ConvergenceMonitor(keras.callbacks.Callback):
    """Warns when the discriminator wins outright, collapses, or training diverges.

    Watches the discriminator's mean probabilities `d_real` (on real
    samples) and `d_fake` (on generated ones) that `AdversarialModel.fit`
    logs for the cross-entropy losses (`"minimax"`, `"non_saturating"`).
    Both near 0.5 is the equilibrium the game aims at, not a problem. It
    warns (`RuntimeWarning`) when, for `patience` consecutive epochs (or
    batches):

    - the discriminator wins outright: `d_real > 1 - d_win_threshold` and
      `d_fake < d_win_threshold`. Its loss saturates and the generator's
      gradients vanish (minimax loss) or become uninformative.
    - the discriminator collapses: `d_real` and `d_fake` both below
      `collapse_threshold` or both above `1 - collapse_threshold`. It gives
      real and generated samples the same answer, so its loss is stuck and
      the generator learns nothing (often data scaled differently from the
      generator's output, or a learning rate far too high).

    It also warns at once when a logged value (`d_loss`, `g_loss`, a
    penalty, ...) is NaN or infinite: training has diverged.

    Losses that log raw critic scores (`critic_real` / `critic_fake`, e.g.
    Wasserstein or hinge) have no probability scale to judge; for them only
    non-finite values are watched, and the monitor says so once.

    Each detection is appended to `events` as a dict with `kind`
    (`"discriminator_wins"`, `"discriminator_collapse"`, `"non_finite"`, or
    `"unwatched"` for the note about critic scores), `epoch` (0-based, as
    Keras passes it), `batch` (`None` at epoch level), `values` (what was
    seen) and `message`. A condition that lasts is reported once, when it
    reaches `patience`, and again only after it has cleared.

    Args:
        patience: int. Consecutive epochs (or batches) a condition must hold
            before it is reported. Defaults to `3`.
        d_win_threshold: float in (0, 0.5). How close to 1 and 0 `d_real` and
            `d_fake` must be for the discriminator to win outright. Defaults
            to `0.05`.
        collapse_threshold: float in (0, 0.5). How close to 0 (or 1) both
            must be for a collapse. Defaults to `0.05`.
        stop_training: bool. Stop `fit` (set `model.stop_training`) at a
            detection. Defaults to `False`.
        frequency: str. `"epoch"` to check the epoch logs, `"batch"` to check
            each batch's logs (Keras' running means over the epoch so far;
            makes Keras fetch the logs of every batch). Defaults to
            `"epoch"`.

    Example:

    ```python
    monitor = keras_gans.callbacks.ConvergenceMonitor(patience=3, stop_training=True)
    gan.fit(dataset, epochs=50, callbacks=[monitor])
    print(monitor.events)
    ```
    """

    def __init__(
        self,
        patience=3,
        d_win_threshold=0.05,
        collapse_threshold=0.05,
        stop_training=False,
        frequency="epoch",
    ):
        super().__init__()
        self.patience = check_positive_int(patience, "patience")
        self.d_win_threshold = _check_threshold(d_win_threshold, "d_win_threshold")
        self.collapse_threshold = _check_threshold(collapse_threshold, "collapse_threshold")
        self.stop_training = check_bool(stop_training, "stop_training")
        if frequency not in FREQUENCIES:
            raise ValueError(
                f"`frequency` must be one of {list(FREQUENCIES)}. Received: frequency={frequency!r}"
            )
        self.frequency = frequency
        self.events = []
        self.stopped_epoch = None
        self._reset()
        if frequency == "batch":
            # Only then does this callback have a batch hook: Keras fetches
            # every batch's logs for callbacks that override it.
            self.on_train_batch_end = self._on_train_batch_end

    def _reset(self):
        self._epoch = 0
        self._condition = None  # the kind of the current streak
        self._streak = 0
        self._reported = False
        self._non_finite = False
        self._said_unwatched = False

    def on_train_begin(self, logs=None):
        self.events = []
        self.stopped_epoch = None
        self._reset()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.frequency == "epoch":
            self.check(logs, epoch=epoch)

    def _on_train_batch_end(self, batch, logs=None):
        self.check(logs, epoch=self._epoch, batch=batch)

    def check(self, logs, epoch, batch=None):
        """Checks one set of logs; returns the events it added.

        Args:
            logs: dict. The logs of an epoch (or batch), as Keras passes them.
            epoch: int. The 0-based epoch.
            batch: int. The batch index, or `None` for epoch logs.
        """
        logs = logs or {}
        added = []
        where = f"epoch {epoch + 1}" if batch is None else f"epoch {epoch + 1}, batch {batch + 1}"
        unit = "epochs" if batch is None else "batches"

        values = {}
        for key, value in logs.items():
            try:
                values[key] = float(value)
            except (TypeError, ValueError):
                continue
        non_finite = {key: value for key, value in values.items() if not math.isfinite(value)}
        if non_finite and not self._non_finite:
            added.append(
                self._event(
                    NON_FINITE,
                    epoch,
                    batch,
                    non_finite,
                    f"training diverged: non-finite values at {where}: {_format(non_finite)}. "
                    "Lower the learning rates, check the data for NaN, or add a gradient "
                    "penalty (keras_gans.losses.GradientPenalty, R1Penalty).",
                )
            )
        self._non_finite = bool(non_finite)

        if all(key in values for key in PROBABILITY_KEYS):
            d_real, d_fake = values["d_real"], values["d_fake"]
            kind = self._condition_of(d_real, d_fake)
            if kind != self._condition:
                self._condition = kind
                self._streak = 0
                self._reported = False
            if kind is not None:
                self._streak += 1
                if self._streak >= self.patience and not self._reported:
                    self._reported = True
                    seen = {"d_real": d_real, "d_fake": d_fake}
                    added.append(
                        self._event(kind, epoch, batch, seen, self._message(kind, seen, unit))
                    )
        elif not self._said_unwatched:
            self._said_unwatched = True
            if all(key in values for key in CRITIC_KEYS):
                message = (
                    "this model logs raw critic scores (critic_real, critic_fake), which "
                    "have no probability scale: whether the discriminator wins or "
                    "collapses is not judged; only non-finite values are watched."
                )
            else:
                message = (
                    "the logs hold neither d_real/d_fake nor critic_real/critic_fake "
                    f"(keys: {sorted(logs)}): only non-finite values are watched."
                )
            added.append(self._event(UNWATCHED, epoch, batch, {}, message))
        return added

    def _condition_of(self, d_real, d_fake):
        win, collapse = self.d_win_threshold, self.collapse_threshold
        if d_real > 1.0 - win and d_fake < win:
            return DISCRIMINATOR_WINS
        if (d_real < collapse and d_fake < collapse) or (
            d_real > 1.0 - collapse and d_fake > 1.0 - collapse
        ):
            return DISCRIMINATOR_COLLAPSE
        return None

    def _message(self, kind, seen, unit):
        values = _format(seen)
        if kind == DISCRIMINATOR_WINS:
            return (
                f"the discriminator wins outright: {values} for {self._streak} {unit} "
                f"(d_real > {1 - self.d_win_threshold:.3g} and d_fake < "
                f"{self.d_win_threshold:.3g}); the generator's gradients vanish or carry "
                "little signal. Try a lower discriminator learning rate, fewer d_steps, "
                "label smoothing, or a gradient penalty."
            )
        answer = "fake" if seen["d_real"] < 0.5 else "real"
        return (
            f"the discriminator collapsed: {values} for {self._streak} {unit}: it calls "
            f"real and generated samples alike {answer}, so the generator gets no useful "
            "signal. Check that the real data is scaled like the generator's output "
            "(e.g. [-1, 1] for tanh) and lower the learning rates."
        )

    def _event(self, kind, epoch, batch, values, message):
        event = {
            "kind": kind,
            "epoch": epoch,
            "batch": batch,
            "values": dict(values),
            "message": message,
        }
        self.events.append(event)
        warnings.warn(f"ConvergenceMonitor: {message}", RuntimeWarning, stacklevel=3)
        if self.stop_training and kind != UNWATCHED and self.model is not None:
            self.model.stop_training = True
            self.stopped_epoch = epoch
        return event
