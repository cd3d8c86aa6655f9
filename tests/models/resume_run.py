"""Trains the tiny GAN for 4 epochs with BackupAndRestore; run as a script.

    python -m tests.models.resume_run BACKUP_DIR OUT.npz [KILL_EPOCH]

With KILL_EPOCH the process dies abruptly in the middle of that (0-based)
epoch, as a crash would kill it. Saves the final weights to OUT.npz.
"""

import os
import sys


def main(backup_dir, out, kill_epoch=None):
    import keras
    import numpy as np

    from tests.testing import tiny_gan
    from tests.testing import tiny_images

    kill_epoch = None if kill_epoch is None else int(kill_epoch)
    gan = tiny_gan(seed=5, g_optimizer=keras.optimizers.Adam(1e-2))
    state = {"epoch": None}

    def crash(batch, logs):
        if state["epoch"] == kill_epoch and batch == 1:
            os._exit(17)

    callbacks = [
        keras.callbacks.BackupAndRestore(backup_dir),
        keras.callbacks.LambdaCallback(
            on_epoch_begin=lambda epoch, logs: state.update(epoch=epoch),
            on_train_batch_end=crash,
        ),
    ]
    history = gan.fit(
        tiny_images(16), batch_size=4, epochs=4, shuffle=False, verbose=0, callbacks=callbacks
    )
    np.savez(
        out,
        epochs=np.array(history.epoch),
        steps=int(gan.g_optimizer.iterations),
        **{f"w{i}": np.asarray(v) for i, v in enumerate(gan.variables)},
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
