"""Trains the tiny GAN for 4 epochs with BackupAndRestore; run as a script.

    python -m tests.models.resume_run BACKUP_DIR OUT.npz DATA SAVE_FREQ [KILL_STEP]

DATA is "arrays" (16 images given to fit, unshuffled, batch 4) or "shuffled"
(the same images through `keras_gans.data.from_arrays`, shuffled with a seed,
batch 4). SAVE_FREQ is "epoch" or a number of batches. With KILL_STEP the
process dies abruptly once the model has trained that many steps in all, as a
crash would kill it. Saves the final weights, the epochs this process ran, the
step count and the labels of every batch it trained on to OUT.npz.
"""

import os
import sys


def main(backup_dir, out, data, save_freq, kill_step=None):
    import keras
    import numpy as np

    import keras_gans
    from tests.testing import tiny_gan
    from tests.testing import tiny_images

    kill_step = None if kill_step is None else int(kill_step)
    save_freq = save_freq if save_freq == "epoch" else int(save_freq)
    gan = tiny_gan(seed=5, g_optimizer=keras.optimizers.Adam(1e-2))
    images = tiny_images(16)
    if data == "shuffled":
        # Labels 0..15 name the images; the unconditional GAN ignores them but
        # they record which images each step trained on.
        labelled = keras_gans.data.from_arrays(images, np.arange(16), batch_size=4, seed=3)
    else:
        labelled = None

    def crash(batch, logs):
        if kill_step is not None and int(gan.trained_steps.numpy()) == kill_step:
            os._exit(17)

    callbacks = [
        keras.callbacks.BackupAndRestore(backup_dir, save_freq=save_freq),
        keras.callbacks.LambdaCallback(on_train_batch_end=crash),
    ]
    seen = []
    if labelled is None:
        history = gan.fit(
            images, batch_size=4, shuffle=False, epochs=4, verbose=0, callbacks=callbacks
        )
    else:
        gan.train_step = _recording(gan.train_step, seen)
        history = gan.fit(labelled, epochs=4, verbose=0, callbacks=callbacks)
    np.savez(
        out,
        epochs=np.array(history.epoch),
        steps=int(gan.trained_steps.numpy()),
        seen=np.array(seen, dtype="int64").reshape(-1, 4),
        **{f"w{i}": np.asarray(v) for i, v in enumerate(gan.variables)},
    )


def _recording(train_step, seen):
    """Wraps a train step to record the labels of each batch (unconditional GAN)."""
    import tensorflow as tf

    def step(data):
        images, labels = data

        def record(values):
            seen.extend(values.tolist())
            return values

        tf.numpy_function(record, [labels], labels.dtype, stateful=True)
        return train_step(images)

    return step


if __name__ == "__main__":
    main(*sys.argv[1:])
