"""Trains the tiny GAN one epoch under a tf.distribute strategy; run as a script.

    python -m tests.models.distributed_run OUT.npz single
    python -m tests.models.distributed_run OUT.npz mirrored        # 2 logical CPUs
    python -m tests.models.distributed_run OUT.npz worker INDEX PORT0,PORT1

Saves the final weights and the fit history to OUT.npz. Each strategy needs a
fresh process (devices and TF_CONFIG are fixed when TensorFlow starts).
"""

import json
import os
import sys


def main(out, mode, *args):
    if mode == "worker":
        index, ports = int(args[0]), args[1].split(",")
        os.environ["TF_CONFIG"] = json.dumps(
            {
                "cluster": {"worker": [f"localhost:{port}" for port in ports]},
                "task": {"type": "worker", "index": index},
            }
        )
    import numpy as np
    import tensorflow as tf

    if mode == "mirrored":
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2
        )
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    elif mode == "worker":
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
    else:
        strategy = tf.distribute.get_strategy()

    from keras_gans.losses import GradientPenalty
    from tests.testing import tiny_gan
    from tests.testing import tiny_images

    with strategy.scope():
        gan = tiny_gan(num_classes=3, seed=3, loss="wasserstein", penalties=[GradientPenalty()])
    images = tiny_images(16)
    labels = np.arange(16) % 3
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).batch(8)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    history = gan.fit(dataset.with_options(options), epochs=2, verbose=0).history
    np.savez(
        out,
        replicas=strategy.num_replicas_in_sync,
        history=json.dumps(history),
        **{f"w{i}": np.asarray(w) for i, w in enumerate(gan.weights)},
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
