"""TensorBoard summaries written with TensorFlow alone, shared by the callbacks."""

import numpy as np
import tensorflow as tf
from tensorflow.core.framework import summary_pb2


def _metadata(plugin_name):
    metadata = summary_pb2.SummaryMetadata()
    metadata.plugin_data.plugin_name = plugin_name
    return metadata


# `tf.summary.image` and `tf.summary.scalar` live in the TensorBoard package,
# which TensorFlow does not require; these write the same summaries (the
# tensors and plugin metadata TensorBoard's image and scalar dashboards read)
# with TensorFlow's own `tf.summary.write`.


def write_image_summary(tag, image):
    """Writes one image (float array in [0, 1], `(height, width)` or `(h, w, c)`)."""
    image = np.asarray(image, dtype="float32")
    if image.ndim == 2:
        image = image[..., np.newaxis]
    pixels = np.round(np.clip(image, 0.0, 1.0) * 255.0).astype("uint8")
    height, width = pixels.shape[:2]
    tensor = tf.stack([tf.as_string(width), tf.as_string(height), tf.io.encode_png(pixels)])
    tf.summary.write(tag, tensor, metadata=_metadata("images"))


def write_scalar_summary(tag, value):
    tf.summary.write(tag, tf.constant(value, tf.float32), metadata=_metadata("scalars"))


class SummaryWriter:
    """A `tf.summary` file writer opened on first use, flushed after each write.

    Callbacks write few summaries (one per epoch or every N steps), so each is
    flushed at once: TensorBoard shows it while training goes on.
    """

    def __init__(self, logdir):
        self.logdir = logdir
        self._writer = None

    def write(self, step, write_fn):
        """Runs `write_fn()` (which writes summaries) with this writer at `step`."""
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.logdir)
        with self._writer.as_default(step=int(step)):
            write_fn()
        self._writer.flush()

    def close(self):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
