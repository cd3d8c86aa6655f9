import warnings

import keras
import tensorflow as tf

from keras_gans.callbacks import ConvergenceMonitor
from tests.testing import tiny_gan
from tests.testing import tiny_images

WINNING = {"d_loss": 0.02, "g_loss": 5.0, "d_real": 0.99, "d_fake": 0.01}
EQUILIBRIUM = {"d_loss": 1.38, "g_loss": 0.69, "d_real": 0.5, "d_fake": 0.5}


class ConvergenceMonitorTest(tf.test.TestCase):
    def assertSilent(self, monitor, epochs_and_logs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for epoch, logs in epochs_and_logs:
                monitor.on_epoch_end(epoch, dict(logs))
        self.assertEqual([str(w.message) for w in caught], [])

    def test_warns_when_the_discriminator_wins_for_patience_epochs(self):
        monitor = ConvergenceMonitor(patience=3)
        self.assertSilent(monitor, [(0, WINNING), (1, WINNING)])
        with self.assertWarnsRegex(
            RuntimeWarning,
            r"the discriminator wins outright: d_real=0\.99, d_fake=0\.01 for 3 epochs.*"
            r"gradients vanish",
        ):
            monitor.on_epoch_end(2, dict(WINNING))
        self.assertLen(monitor.events, 1)
        event = monitor.events[0]
        self.assertEqual(event["kind"], "discriminator_wins")
        self.assertEqual(event["epoch"], 2)
        self.assertIsNone(event["batch"])
        self.assertEqual(event["values"], {"d_real": 0.99, "d_fake": 0.01})
        # A condition that lasts is reported once; it is reported again
        # after it cleared and came back for `patience` epochs.
        self.assertSilent(monitor, [(3, WINNING), (4, EQUILIBRIUM), (5, WINNING), (6, WINNING)])
        with self.assertWarnsRegex(RuntimeWarning, "wins outright"):
            monitor.on_epoch_end(7, dict(WINNING))
        self.assertEqual([e["epoch"] for e in monitor.events], [2, 7])

    def test_silent_at_equilibrium_and_when_streaks_break(self):
        monitor = ConvergenceMonitor(patience=2)
        near_half = [
            (epoch, {**EQUILIBRIUM, "d_real": 0.5 + d, "d_fake": 0.5 - d})
            for epoch, d in enumerate([0.0, 0.1, -0.05, 0.2, 0.3, 0.44])
        ]
        alternating = [(6 + i, WINNING if i % 2 else EQUILIBRIUM) for i in range(6)]
        self.assertSilent(monitor, near_half + alternating)
        self.assertEqual(monitor.events, [])

    def test_thresholds(self):
        monitor = ConvergenceMonitor(patience=1, d_win_threshold=0.2)
        self.assertSilent(monitor, [(0, {"d_real": 0.79, "d_fake": 0.1})])
        with self.assertWarnsRegex(RuntimeWarning, r"d_real > 0\.8 and d_fake < 0\.2"):
            monitor.on_epoch_end(1, {"d_real": 0.81, "d_fake": 0.19})

    def test_collapse_both_fake_and_both_real(self):
        for d, answer in ((0.01, "fake"), (0.98, "real")):
            monitor = ConvergenceMonitor(patience=2, collapse_threshold=0.05)
            logs = {"d_loss": 1.0, "d_real": d, "d_fake": d}
            self.assertSilent(monitor, [(0, logs)])
            with self.assertWarnsRegex(
                RuntimeWarning,
                rf"discriminator collapsed: d_real={d}, d_fake={d} for 2 epochs: it calls "
                rf"real and generated samples alike {answer}",
            ):
                monitor.on_epoch_end(1, dict(logs))
            self.assertEqual(monitor.events[0]["kind"], "discriminator_collapse")

    def test_non_finite_losses_are_reported_at_once(self):
        monitor = ConvergenceMonitor(patience=5)
        with self.assertWarnsRegex(
            RuntimeWarning, r"non-finite values at epoch 2: d_loss=nan, g_loss=inf"
        ):
            monitor.on_epoch_end(1, {**EQUILIBRIUM, "d_loss": float("nan"), "g_loss": float("inf")})
        self.assertEqual(monitor.events[0]["kind"], "non_finite")
        self.assertEqual(list(monitor.events[0]["values"]), ["d_loss", "g_loss"])
        # Reported once while it lasts.
        self.assertSilent(monitor, [(2, {**EQUILIBRIUM, "d_loss": float("nan")})])

    def test_stops_training_when_asked(self):
        for stop in (False, True):
            model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
            model.stop_training = False
            monitor = ConvergenceMonitor(patience=2, stop_training=stop)
            monitor.set_model(model)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                monitor.on_epoch_end(0, dict(WINNING))
                self.assertFalse(model.stop_training)
                monitor.on_epoch_end(1, dict(WINNING))
            self.assertEqual(model.stop_training, stop)
            self.assertEqual(monitor.stopped_epoch, 1 if stop else None)

    def test_critic_scores_are_not_judged_and_said_so_once(self):
        monitor = ConvergenceMonitor(patience=1, stop_training=True)
        critic_logs = {"d_loss": -3.0, "g_loss": 2.0, "critic_real": 40.0, "critic_fake": -40.0}
        with self.assertWarnsRegex(RuntimeWarning, r"raw critic scores.*non-finite"):
            monitor.on_epoch_end(0, dict(critic_logs))
        self.assertSilent(monitor, [(1, critic_logs), (2, critic_logs)])
        self.assertEqual([e["kind"] for e in monitor.events], ["unwatched"])
        with self.assertWarnsRegex(RuntimeWarning, "non-finite values at epoch 4: d_loss=nan"):
            monitor.on_epoch_end(3, {**critic_logs, "d_loss": float("nan")})

    def test_in_fit_with_a_critic_loss(self):
        gan = tiny_gan(loss="wasserstein")
        monitor = ConvergenceMonitor(stop_training=True)
        with self.assertWarnsRegex(RuntimeWarning, "critic_real, critic_fake"):
            history = gan.fit(
                tiny_images(8), batch_size=4, epochs=2, verbose=0, callbacks=[monitor]
            )
        self.assertLen(history.history["d_loss"], 2)  # not stopped
        self.assertEqual([(e["kind"], e["epoch"]) for e in monitor.events], [("unwatched", 0)])

    def test_batch_frequency(self):
        monitor = ConvergenceMonitor(patience=2, frequency="batch")
        self.assertFalse(getattr(monitor.on_train_batch_end, "_is_default", False))
        self.assertTrue(
            getattr(ConvergenceMonitor().on_train_batch_end, "_is_default", False)
        )  # no batch hook (and no per-batch log fetching) by default
        monitor.on_train_begin()
        monitor.on_epoch_begin(4)
        monitor.on_train_batch_end(0, dict(WINNING))
        with self.assertWarnsRegex(RuntimeWarning, "for 2 batches"):
            monitor.on_train_batch_end(1, dict(WINNING))
        self.assertEqual((monitor.events[0]["epoch"], monitor.events[0]["batch"]), (4, 1))
        self.assertSilent(monitor, [(4, WINNING)])  # epoch logs are not checked

    def test_bad_arguments(self):
        cases = [
            ({"patience": 0}, "patience=0"),
            ({"d_win_threshold": 0.7}, "d_win_threshold=0.7"),
            ({"collapse_threshold": 0}, "collapse_threshold=0"),
            ({"stop_training": 1}, "stop_training=1"),
            ({"frequency": "step"}, "frequency='step'"),
        ]
        for kwargs, message in cases:
            with self.subTest(**{k: str(v) for k, v in kwargs.items()}):
                with self.assertRaisesRegex(ValueError, message):
                    ConvergenceMonitor(**kwargs)
