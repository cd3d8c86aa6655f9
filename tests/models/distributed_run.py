"""Trains the tiny GAN two epochs under a tf.distribute strategy; run as a script.

    python -m tests.models.distributed_run OUT.npz single [D_STEPS]
    python -m tests.models.distributed_run OUT.npz mirrored [D_STEPS]   # 2 logical CPUs
    python -m tests.models.distributed_run OUT.npz worker INDEX PORT0,PORT1

Saves the final weights and the fit history to OUT.npz. Each strategy needs a
fresh process (devices and TF_CONFIG are fixed when TensorFlow starts).

With D_STEPS = k > 1 each of the 2 replicas splits its shard of the global
batch into k slices, one per discriminator update, and update i trains on
every replica's slice i. The single-device run is then given each global
batch, and the step's latents, in the order that gathers the replicas' slices:
its slice i is replica 0's slice i followed by replica 1's (`replica_order`).
"""

import json
import os
import sys

REPLICAS = 2
BATCH = 8


def replica_order(batch, replicas, d_steps):
    """The single-device order of a global batch split by `replicas`, then by `d_steps`.

    Replica r holds rows `r * batch / replicas` onwards, and its slice s the
    next `batch / (replicas * d_steps)` of them; slice s of the single device
    lists slice s of replica 0, then of replica 1, and so on.
    """
    local = batch // replicas
    rows = local // d_steps
    return [
        r * local + s * rows + j
        for s in range(d_steps)
        for r in range(replicas)
        for j in range(rows)
    ]


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

    d_steps = int(args[0]) if mode in ("single", "mirrored") and args else 1
    with strategy.scope():
        gan = tiny_gan(
            num_classes=3,
            seed=3,
            loss="wasserstein",
            penalties=[GradientPenalty()],
            d_steps=d_steps,
        )
    images = tiny_images(16)
    labels = np.arange(16) % 3
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).batch(BATCH)
    if mode == "single" and d_steps > 1:
        order = tf.constant(replica_order(BATCH, REPLICAS, d_steps))
        dataset = dataset.map(lambda x, y: (tf.gather(x, order), tf.gather(y, order)))
        draw = gan.sample_latents
        gan.sample_latents = lambda batch_size, training=True: tf.gather(draw(batch_size), order)
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
