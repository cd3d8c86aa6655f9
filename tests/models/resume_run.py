"""Trains the tiny GAN for 4 epochs with BackupAndRestore; run as a script.

    python -m tests.models.resume_run BACKUP_DIR OUT.npz DATA SAVE_FREQ [KILL_STEP]

DATA is "arrays" (16 images and labels 0..15 given to fit, which shuffles
them, batch 4) or "shuffled" (the same through `keras_gans.data.from_arrays`,
shuffled with a seed, batch 4). The labels name the images: the GAN is
unconditional and ignores them, but they record which images each step
trained on. SAVE_FREQ is "epoch" or a number of batches. With KILL_STEP the
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
        fit_data = {"x": keras_gans.data.from_arrays(images, np.arange(16), batch_size=4, seed=3)}
    else:
        fit_data = {"x": images, "y": np.arange(16), "batch_size": 4}

    def crash(batch, logs):
        if kill_step is not None and int(gan.trained_steps.numpy()) == kill_step:
            os._exit(17)

    callbacks = [
        keras.callbacks.BackupAndRestore(backup_dir, save_freq=save_freq),
        keras.callbacks.LambdaCallback(on_train_batch_end=crash),
    ]
    seen = []
    gan.train_step = _recording(gan.train_step, seen)
    history = gan.fit(**fit_data, epochs=4, verbose=0, callbacks=callbacks)
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
