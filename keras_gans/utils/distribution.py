"""What a train step needs to behave the same on one device and on many.

Under `tf.distribute`, each replica runs the step on its shard of the global
batch and the optimizers sum the replicas' gradients. So that N replicas with a
global batch B take the step one device takes with batch B:

- losses are divided by the number of replicas before differentiation (the
  sum of the replicas' gradients of `mean / N` is the gradient of the global
  mean), and
- random draws that are per sample (latent vectors, interpolation weights) are
  drawn for the global batch from the shared seed, and each replica keeps its
  own rows, so that the replicas neither repeat each other's noise nor differ
  from what one device would draw.
"""

import tensorflow as tf
from keras import ops

from keras_gans.utils import compat


def num_replicas():
    """The number of replicas the current `tf.distribute` strategy runs."""
    return tf.distribute.get_strategy().num_replicas_in_sync


def scale_loss(loss):
    """Divides a replica's loss by the number of replicas (before gradients)."""
    n = num_replicas()
    return loss if n == 1 else loss * ops.cast(1.0 / n, loss.dtype)


def replica_rows(draw, local_size):
    """This replica's rows of `draw(local_size * num_replicas())`.

    Args:
        draw: callable. `draw(n)` returns a tensor whose first axis is `n`.
        local_size: int or scalar tensor. The replica's batch size.

    Returns:
        `draw(local_size)` on one replica; on replica `r` of `N`, rows
        `r * local_size` to `(r + 1) * local_size` of a draw for all replicas.
    """
    n = num_replicas()
    if n == 1:
        return draw(local_size)
    context = tf.distribute.get_replica_context()
    replica = 0 if context is None else context.replica_id_in_sync_group
    start = replica * local_size
    return draw(local_size * n)[start : start + local_size]


def step_logs(logs):
    """A train step's logs in the shape Keras can reduce across workers.

    Keras 3 reduces a step's per-replica logs under
    `MultiWorkerMirroredStrategy` with `strategy.reduce("MEAN", value,
    axis=0)`, which needs a batch axis: give each scalar one there.
    """
    if not compat.is_multi_worker(tf.distribute.get_strategy()):
        return logs
    return {name: ops.reshape(value, (1,)) for name, value in logs.items()}
