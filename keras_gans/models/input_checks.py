"""Checks of the batches a GAN trains on: dtype, shape, range, labels, size.

The step runs them as graph assertions (`check_batch`). XLA drops assertions,
so under `jit_compile` `checked_input` runs the same checks in the input
pipeline instead, or once over in-memory arrays.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gans.data.position import keep_position
from keras_gans.models.submodel_io import LABEL_INPUT
from keras_gans.utils import validation


def _batch_size_message(minimum):
    return (
        f"A batch must hold at least {minimum} samples (the update schedule splits it "
        "into that many slices, one per discriminator update); drop the last, smaller "
        "batch (drop_remainder=True)."
    )


def check_batch_size(batch_size, minimum):
    """`batch_size` (a scalar tensor or int), asserted to be at least `minimum`."""
    if minimum <= 1:
        return batch_size
    if isinstance(batch_size, int):
        if batch_size < minimum:
            raise ValueError(_batch_size_message(minimum) + f" Received a batch of {batch_size}.")
        return batch_size
    check = tf.debugging.assert_greater_equal(
        batch_size, minimum, message=_batch_size_message(minimum)
    )
    with tf.control_dependencies([check]):
        return tf.identity(batch_size)


def check_range(real, bounds):
    """`real`, asserted to lie in `bounds` (the generator's `output_range`)."""
    if bounds is None:
        return real
    low, high = bounds
    tolerance = validation.range_tolerance(bounds)
    smallest, largest = ops.min(real), ops.max(real)
    check = tf.debugging.Assert(
        ops.logical_and(smallest >= low - tolerance, largest <= high + tolerance),
        [
            f"Training samples must lie in [{low}, {high}], the range of the generator's "
            "output; scale them first (keras_gans.data does). Received values from",
            smallest,
            "to",
            largest,
        ],
    )
    with tf.control_dependencies([check]):
        return tf.identity(real)


def check_label_tensor(labels, num_classes):
    """`labels` (int32, `(batch,)`), asserted to lie in `[0, num_classes)`."""
    if num_classes is None:
        return labels
    checks = [
        tf.debugging.assert_non_negative(labels, message="Class labels must be >= 0."),
        tf.debugging.assert_less(
            labels, num_classes, message=f"Class labels must be < num_classes={num_classes}."
        ),
    ]
    with tf.control_dependencies(checks):
        return tf.identity(labels)


def unpack_batch(model, data):
    """Splits a batch into checked `(real, labels)`; labels are None when unconditional.

    Args:
        model: the `AdversarialModel`.
        data: a batch as `fit` gives it: images, `(images, labels)`, or
            `((images, labels),)`.
    """
    real, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
    if isinstance(real, (tuple, list)) and len(real) == 2 and labels is None:
        real, labels = real
    real = tf.convert_to_tensor(real)
    if real.dtype.is_integer or real.dtype == tf.bool:
        raise ValueError(
            "Training samples must be floating point, scaled like the "
            f"generator's output (e.g. [-1, 1] for tanh). Received dtype "
            f"{real.dtype.name}: scale them first, e.g. with "
            "`keras_gans.data.from_arrays`."
        )
    if tuple(real.shape[1:]) != model.image_shape:
        raise ValueError(
            f"Training samples must have shape (batch, *{model.image_shape}) "
            f"to match the generator. Received: shape={tuple(real.shape)}"
        )
    bounds = getattr(model.generator, "output_range", None)
    real = check_range(ops.cast(real, model.compute_dtype), bounds)
    if not model.conditional:
        return real, None
    if labels is None:
        raise ValueError(
            "This AdversarialModel is conditional (its models take a "
            f"{LABEL_INPUT!r} input) and needs class labels: fit it on "
            "`(images, labels)` batches, e.g. `fit(x=images, y=labels)` or "
            "a dataset of `(images, labels)` pairs."
        )
    labels = tf.convert_to_tensor(labels)
    if not labels.dtype.is_integer:
        raise ValueError(f"Class labels must be integers. Received dtype {labels.dtype.name}.")
    shape = tuple(labels.shape)
    if len(shape) not in (1, 2) or (len(shape) == 2 and shape[1] != 1):
        raise ValueError(
            "Class labels must be class indices of shape (batch,) or (batch, 1); for "
            f"one-hot labels pass their argmax. Received: shape={shape}"
        )
    labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
    count = tf.debugging.assert_equal(
        ops.shape(labels)[0],
        ops.shape(real)[0],
        message="A batch must hold as many class labels as images.",
    )
    with tf.control_dependencies([count]):
        return real, check_label_tensor(labels, model.num_classes)


def batch_checks(model, data):
    """The tensors that carry every check of one batch (for the input pipeline)."""
    real, labels = unpack_batch(model, data)
    checks = [real] if labels is None else [real, labels]
    checks.append(check_batch_size(ops.shape(real)[0], model.schedule.min_batch_size))
    return checks


def checks_need_data_pipeline(model):
    """Whether the step's checks must run before it: XLA drops assertions."""
    return bool(model.jit_compile) and not model.run_eagerly


def checked_input(model, x, y=None, batch_size=None):
    """Runs the step's input checks outside an XLA-compiled step.

    Mapped over a `tf.data.Dataset` (which keeps its data position), or run
    once, eagerly, over in-memory arrays. Returns what the step should be
    given instead of `x`.
    """
    if isinstance(x, tf.data.Dataset):

        def check(*element):
            data = element[0] if len(element) == 1 else element
            with tf.control_dependencies(batch_checks(model, data)):
                return tf.nest.map_structure(tf.identity, data)

        return keep_position(x, x.map(check))
    if isinstance(x, (np.ndarray, tf.Tensor)) or keras.ops.is_tensor(x):
        data = x if y is None else (x, y)
        unpack_batch(model, data)  # eager: the assertions raise here
        count = int(x.shape[0])
        batch_size = batch_size or 32
        last = count % batch_size
        if last:
            try:
                check_batch_size(last, model.schedule.min_batch_size)
            except ValueError:
                raise ValueError(
                    _batch_size_message(model.schedule.min_batch_size)
                    + f" {count} samples in batches of {batch_size} leave a last batch of "
                    f"{last}: drop the last samples or pick another batch_size."
                ) from None
    return x


def warn_if_unit_range(model, x):
    """Warns when in-memory float samples look scaled to [0, 1]."""
    bounds = getattr(model.generator, "output_range", None)
    if bounds is None or not isinstance(x, np.ndarray) or x.size == 0:
        return
    if np.issubdtype(x.dtype, np.floating):
        validation.warn_if_unit_range(
            float(x.min()), float(x.max()), "The training samples", bounds
        )
