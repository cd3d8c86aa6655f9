"""Gradient descent on batches of latent vectors, with the generator frozen.

Projection and inpainting both optimise several candidate latents per image
against a per-candidate loss, keeping each candidate's best point. The
whole optimisation runs in one `tf.function`, traced once per call: a
`tf.range` loop of optimiser steps, called once per chunk of steps so that
a Keras progress bar can follow it.
"""

import math

import keras
import numpy as np
import tensorflow as tf

from keras_gans.applications import _validation

# Progress bar updates per optimisation (each one a call of the compiled loop).
PROGRESS_UPDATES = 50
# Images must lie in the generator's output range, up to this fraction of its width.
RANGE_TOLERANCE = 1e-3


def check_images(images, source, name):
    """`images` as a float32 `(n, *image_shape)` array in the generator's range, or an error."""
    array = _validation.float_array(images, name)
    if array.ndim != len(source.image_shape) + 1 or array.shape[1:] != tuple(source.image_shape):
        raise ValueError(
            f"`{name}` must have shape (n, {', '.join(map(str, source.image_shape))}), the "
            f"generator's image shape. Received: shape={array.shape}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"`{name}` must hold at least one image. Received: shape={array.shape}")
    bottom, top = source.output_range
    tolerance = RANGE_TOLERANCE * (top - bottom)
    low, high = float(array.min()), float(array.max())
    if low < bottom - tolerance or high > top + tolerance:
        raise ValueError(
            f"`{name}` must lie in [{bottom:g}, {top:g}], the range of the generator's "
            f"output; scale them first. Received values from {low} to {high}."
        )
    return array


def optimize(loss_fn, initial, num_steps, learning_rate, clip, verbose, num_images):
    """Minimises `loss_fn` over each candidate latent with Adam.

    Args:
        loss_fn: callable. `loss_fn(latents)` returns the loss of each
            candidate, shape `(num_candidates,)`; it is traced once.
        initial: float32 array `(num_candidates, ...)`: the starting points,
            image by image (`num_candidates = num_images * per_image`).
        num_steps: int. Optimiser steps.
        learning_rate: float. Adam's learning rate.
        clip: float or None. Latents are clipped to `[-clip, clip]` after
            each step.
        verbose: int. 0, 1 or 2, as `keras.utils.Progbar` takes it.
        num_images: int. For the progress bar's loss: the mean over images
            of their best candidate's loss.

    Returns:
        `(best_latents, best_losses, history)`: each candidate's lowest-loss
        point (the last point included) and its loss, and the loss of every
        candidate at every step, `(num_steps, num_candidates)`, before the
        step's update.
    """
    initial = np.asarray(initial, "float32")
    if clip is not None:
        initial = np.clip(initial, -clip, clip)
    num_candidates = initial.shape[0]
    latents = keras.Variable(initial, dtype="float32", name="latents")
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build([latents])
    best_latents = tf.Variable(initial, trainable=False)
    best_losses = tf.Variable(tf.fill([num_candidates], np.float32(np.inf)), trainable=False)
    history = tf.Variable(tf.zeros([num_steps, num_candidates]), trainable=False)
    step = tf.Variable(0, dtype=tf.int32, trainable=False)
    candidate_axes = (num_candidates,) + (1,) * (initial.ndim - 1)

    def keep_best(losses):
        better = losses < best_losses
        best_losses.assign(tf.where(better, losses, best_losses))
        best_latents.assign(tf.where(tf.reshape(better, candidate_axes), latents, best_latents))

    @tf.function
    def run(count, finish):
        losses = tf.zeros([num_candidates])
        for _ in tf.range(count):
            with tf.GradientTape() as tape:
                losses = loss_fn(latents.value)
                total = tf.reduce_sum(losses)
            gradient = tape.gradient(total, latents.value)
            keep_best(losses)
            history.scatter_nd_update(step[None, None], losses[None])
            step.assign_add(1)
            optimizer.apply_gradients([(gradient, latents)])
            if clip is not None:
                latents.assign(tf.clip_by_value(latents, -clip, clip))
        if finish:
            losses = loss_fn(latents.value)
            keep_best(losses)
        return losses

    chunk = num_steps if verbose == 0 else max(1, math.ceil(num_steps / PROGRESS_UPDATES))
    progbar = keras.utils.Progbar(num_steps, verbose=verbose, stateful_metrics=["loss"])
    done = 0
    while True:
        count = min(chunk, num_steps - done)
        finish = done + count == num_steps
        losses = run(tf.constant(count), tf.constant(finish))
        done += count
        best = np.min(np.reshape(losses.numpy(), (num_images, -1)), axis=1)
        progbar.update(done, values=[("loss", float(np.mean(best)))], finalize=finish)
        if finish:
            break
    return best_latents.numpy(), best_losses.numpy(), history.numpy()


def pick_best(latents, losses, num_images):
    """The lowest-loss candidate of each image: `(latents, losses, indices)`."""
    per_image = np.reshape(losses, (num_images, -1))
    index = np.argmin(per_image, axis=1)
    chosen = np.arange(num_images) * per_image.shape[1] + index
    return latents[chosen], per_image[np.arange(num_images), index], index
