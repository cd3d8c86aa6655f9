"""Epoch orders that depend on the training step, so a resumed run replays them.

`tf.data`'s `shuffle(reshuffle_each_iteration=True)` draws each epoch's order
from a seed that advances with every iterator made of the dataset, so the order
of epoch 3 depends on how many iterators the process made before it (Keras'
`fit` makes two per epoch), and a process restarted from a backup sees other
orders than the process it replaces.

The datasets of `keras_gans.data` (with a known number of examples) instead
carry a `DataPosition`: the index of the batch their next pass starts at,
counted over the whole training. A pass starting at batch `p` of a dataset of
`n` batches per epoch is

    epoch e = p // n: the examples in the order keyed by (seed, e),
    from batch p % n on, then those of epoch e + 1, for n batches in all,

where the order is a pure function of its key: a permutation of the whole
dataset (`tf.random.experimental.index_shuffle`) for arrays and files, a
shuffle buffer seeded by the key for sources read in sequence (TFDS, caches).
`AdversarialModel.fit` positions the dataset at the start of every epoch
(`keras_gans.models.fit_adapter`): a new `fit` starts at the first data epoch after
the model's `trained_steps` (saved with its weights), each epoch at the next,
and a `fit` that `keras.callbacks.BackupAndRestore` restored starts at the
restored step count itself, even in the middle of an epoch, and trains only
the rest of that epoch. So the order of every batch is a function of the step
it is trained at, and a resumed run replays the batches the uninterrupted run
trained on.

A dataset that nothing positions (iterated by hand, trained by another
model's `fit`, or transformed before `fit`) keys each pass by the number of
passes it has begun in this process instead: pass 1, 2, 3... of the same seed
give the same orders in every process.
"""

import random

import tensorflow as tf

# Position of a dataset that nothing positions.
UNPOSITIONED = -1
# The attribute of a `tf.data.Dataset` that carries its `DataPosition`. Datasets
# have no place for such metadata; a transformation of the dataset drops it.
POSITION_ATTRIBUTE = "_keras_gans_position"


class DataPosition:
    """The first batch of a dataset's next pass, counted over the whole training.

    Args:
        batches_per_epoch: int. Batches in one epoch of the dataset.

    Attributes:
        batches_per_epoch: int.
        variable: int64 `tf.Variable`, read when a pass produces its first
            batch; `UNPOSITIONED` (-1) when nothing positions the dataset.
        passes: int64 `tf.Variable`. Unpositioned passes made so far.
    """

    def __init__(self, batches_per_epoch):
        self.batches_per_epoch = int(batches_per_epoch)
        with tf.init_scope():
            self.variable = tf.Variable(
                UNPOSITIONED, dtype=tf.int64, trainable=False, name="data_position"
            )
            self.passes = tf.Variable(0, dtype=tf.int64, trainable=False, name="data_passes")

    def set(self, batch):
        self.variable.assign(batch)

    def release(self):
        self.variable.assign(UNPOSITIONED)


def batches_per_epoch(num_examples, batch_size, drop_remainder):
    """Batches in one epoch of `num_examples` examples."""
    if drop_remainder:
        return num_examples // batch_size
    return -(-num_examples // batch_size)


def positioned_pipeline(epoch_elements, *, num_examples, batch_size, drop_remainder):
    """Builds the pass described in the module docstring.

    Args:
        epoch_elements: function `(key, skip)` of two int64 tensors returning a
            `tf.data.Dataset` of the training elements of the epoch keyed by
            `key`, in that epoch's order, without its first `skip` elements.
            The same key must give the same order in every process.
        num_examples: int. Examples in one epoch.
        batch_size: int.
        drop_remainder: bool. Whether each epoch drops its last, smaller batch.

    Returns:
        The `tf.data.Dataset`, with a `DataPosition` as `_keras_gans_position`.
    """
    per_epoch = batches_per_epoch(num_examples, batch_size, drop_remainder)
    if per_epoch < 1:
        raise ValueError(
            f"An epoch of {num_examples} examples in batches of {batch_size} "
            f"(drop_remainder={drop_remainder}) holds no batch."
        )
    position = DataPosition(per_epoch)

    def epoch_batches(key, skip):
        elements = epoch_elements(key, skip)
        return elements.batch(batch_size, drop_remainder=drop_remainder)

    def one_pass(_):
        start = position.variable.read_value()
        epoch = tf.maximum(start, 0) // per_epoch
        # Positioned passes are keyed by their epoch, unpositioned ones by a
        # count of the passes made; the two families of keys never meet.
        key = tf.cond(
            start >= 0,
            lambda: 2 * epoch,
            lambda: 2 * position.passes.assign_add(1) - 1,
        )
        skip = tf.where(start >= 0, start % per_epoch, 0) * batch_size
        # A pass that starts inside an epoch ends inside the next one.
        next_epoch = epoch_batches(key + 2, tf.constant(0, tf.int64))
        return epoch_batches(key, skip).concatenate(next_epoch)

    # `flat_map` runs `one_pass` when a pass produces its first batch, not when
    # its iterator is made: iterators that are made and dropped (Keras' `fit`
    # makes one at the end of each epoch) count for nothing.
    dataset = tf.data.Dataset.from_tensors(0).flat_map(one_pass).take(per_epoch)
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(per_epoch))
    dataset = dataset.prefetch(tf.data.AUTOTUNE)
    setattr(dataset, POSITION_ATTRIBUTE, position)
    return dataset


def draw_seed(seed):
    """`seed` as a key of orders, below 2**31; one drawn now when it is None."""
    return (random.SystemRandom().randrange(2**31) if seed is None else seed) % 2**31


def indexed_pipeline(load_fn, *, num_examples, batch_size, shuffle, seed, drop_remainder):
    """A positioned pipeline of `load_fn(i)` over indices 0..num_examples-1.

    Each epoch is a permutation of all the indices keyed by (seed, key)
    (`tf.random.experimental.index_shuffle`), or the indices in order without
    `shuffle`; skipping into an epoch loads nothing.

    Args:
        load_fn: function of an int64 index returning a training element;
            TensorFlow ops only.
        num_examples, batch_size, drop_remainder: as `positioned_pipeline`.
        shuffle: bool. Whether each epoch is a permutation.
        seed: int or None. Key of the permutations; None draws one now.
    """
    seed = tf.constant(draw_seed(seed), tf.int64)
    max_index = num_examples - 1

    def epoch_elements(key, skip):
        indices = tf.data.Dataset.range(num_examples)
        if shuffle:
            seeds = tf.stack([seed, key])
            indices = indices.map(
                lambda i: tf.random.experimental.index_shuffle(i, seeds, max_index)
            )
        return indices.skip(skip).map(load_fn, num_parallel_calls=tf.data.AUTOTUNE)

    return positioned_pipeline(
        epoch_elements,
        num_examples=num_examples,
        batch_size=batch_size,
        drop_remainder=drop_remainder,
    )


def data_position(dataset):
    """The `DataPosition` of a `keras_gans.data` dataset, or None."""
    return getattr(dataset, POSITION_ATTRIBUTE, None)


def keep_position(source, derived):
    """Gives `derived`, a dataset made from `source` batch for batch, its position.

    `tf.data` transformations make new dataset objects; the position of the
    source still says which batch a pass of the derived dataset starts at when
    the transformation keeps the batches in order (a `map` of each batch).
    """
    position = data_position(source)
    if position is not None:
        setattr(derived, POSITION_ATTRIBUTE, position)
    return derived
