"""Projection of images into a generator's latent space by gradient descent."""

from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf

from keras_gans.applications import _latent_optimization
from keras_gans.applications.generator_source import as_generator_source
from keras_gans.utils import validation


class ProjectionResult(NamedTuple):
    """What `project` returns.

    Attributes:
        latents: float32 array `(n, latent_dim)` (or `(n, *w_shape)` in w
            space). The best latent found for each target.
        images: float32 array `(n, *image_shape)`. The generator's images
            of `latents`.
        losses: float32 array `(n,)`. Their losses.
        loss_history: float32 array `(num_steps, n, num_restarts)`. The loss
            of every candidate before each step.
    """

    latents: np.ndarray
    images: np.ndarray
    losses: np.ndarray
    loss_history: np.ndarray


def _per_sample_mean(x):
    return tf.reduce_mean(tf.reshape(x, [tf.shape(x)[0], -1]), axis=1)


def project(
    source,
    targets,
    labels=None,
    space="z",
    num_steps=1000,
    num_restarts=4,
    learning_rate=0.05,
    latent_range=None,
    feature_model=None,
    feature_weight=1.0,
    seed=None,
    verbose="auto",
):
    """Finds latent vectors whose images match target images.

    Minimises, for each target `x`, `mean((G(z) - x)^2)` plus, with a
    `feature_model` `F`, `feature_weight * mean((F(G(z)) - F(x))^2)` over
    the latent `z` (or `w`) by Adam, with the generator frozen in inference
    mode. Each target gets `num_restarts` candidates from different random
    starts, optimised together in one batch; each candidate keeps the best
    point it reached, and the best candidate is returned. In z space the
    starts are drawn from `N(0, I)`; in w space they are the mapping of such
    draws.

    The optimisation is one `tf.function`, traced once per call, called
    once per chunk of steps to update the progress bar. All targets and
    restarts form one batch: split a large set of targets into several calls.

    Args:
        source: `GeneratorSource`, or anything it wraps (an
            `AdversarialModel`, a generator `keras.Model`, a SavedModel or
            its path).
        targets: float array of shape `(n, *image_shape)`, in the
            generator's output range (`GeneratorSource.output_range`).
        labels: int or int array. For a conditional generator, the class of
            every target or of each. Defaults to `None`.
        space: str. `"z"`, or `"w"` for a style-based generator. Defaults to
            `"z"`.
        num_steps: int. Optimiser steps. Defaults to `1000` (the StyleGAN2
            projector's count).
        num_restarts: int. Candidates per target. Defaults to `4`.
        learning_rate: float. Adam's learning rate. Defaults to `0.05`.
        latent_range: float. In z space, clip the latents to
            `[-latent_range, latent_range]` after each step; for the
            `N(0, I)` prior, `3.0` keeps each coordinate where 99.7% of the
            prior's mass lies. Defaults to `None` (no clipping).
        feature_model: `keras.Model` or callable. Maps images (as the
            generator makes them) to features compared in addition to the
            pixels, e.g. a pretrained network's intermediate layer. Defaults
            to `None`.
        feature_weight: float. Weight of the feature distance. Defaults to
            `1.0`.
        seed: int. Seed of the starting points. Defaults to `None`.
        verbose: `"auto"`, 0, 1 or 2. Progress display, as in Keras'
            `predict`: 0 silent, 1 progress bar, 2 one line; `"auto"` is 1.
            Defaults to `"auto"`.

    Returns:
        A `ProjectionResult` `(latents, images, losses, loss_history)`.

    Example:

    ```python
    result = keras_gans.applications.project(gan, images, num_steps=500)
    reconstructions = result.images
    ```

    Reference:
        Karras et al., "Analyzing and Improving the Image Quality of
        StyleGAN", CVPR 2020 (section 5, projection).
    """
    source = as_generator_source(source)
    source.check_space(space, "Projection")
    targets = _latent_optimization.check_images(targets, source, "targets")
    num_steps = validation.check_positive_int(num_steps, "num_steps")
    num_restarts = validation.check_positive_int(num_restarts, "num_restarts")
    learning_rate = validation.check_number(
        learning_rate, "learning_rate", minimum=0.0, exclusive=True
    )
    latent_range = validation.check_number(
        latent_range, "latent_range", minimum=0.0, exclusive=True, allow_none=True
    )
    feature_weight = validation.check_number(feature_weight, "feature_weight", minimum=0.0)
    if feature_model is not None and not callable(feature_model):
        raise ValueError(
            "`feature_model` must be a Keras model or a callable on images, or None. "
            f"Received: feature_model={feature_model!r}"
        )
    if space == "w" and latent_range is not None:
        raise ValueError(
            "`latent_range` clips latents drawn from N(0, I), in z space; w has no such "
            f"range. Received: latent_range={latent_range}, space='w'"
        )
    verbose = validation.check_verbose(verbose)
    num_images = targets.shape[0]
    labels = source.prepare_labels(labels, num_images)
    candidate_labels = None if labels is None else np.repeat(labels, num_restarts)
    starts = source.sample_latents(num_images * num_restarts, seed=seed)

    with source.inference_weights():
        if space == "w":
            starts = source.map_latents(starts, candidate_labels)
        repeated = tf.constant(np.repeat(targets, num_restarts, axis=0))

        def features(images):
            if isinstance(feature_model, keras.Model):
                return tf.cast(feature_model(images, training=False), tf.float32)
            return tf.cast(feature_model(images), tf.float32)

        target_features = None
        if feature_model is not None and feature_weight > 0:
            target_features = tf.constant(features(tf.constant(targets)))
            target_features = tf.repeat(target_features, num_restarts, axis=0)

        def generate(latents):
            if space == "w":
                return source.synthesis(latents)
            return source(latents, candidate_labels)

        def loss_fn(latents):
            images = generate(latents)
            loss = _per_sample_mean(tf.square(images - repeated))
            if target_features is not None:
                distance = _per_sample_mean(tf.square(features(images) - target_features))
                loss = loss + feature_weight * distance
            return loss

        best, losses, history = _latent_optimization.optimize(
            loss_fn,
            starts,
            num_steps,
            learning_rate,
            latent_range,
            verbose,
            num_images,
        )
    latents, losses, _ = _latent_optimization.pick_best(best, losses, num_images)
    images = source.generate(latents, None if space == "w" else labels, space=space)
    return ProjectionResult(
        latents=latents,
        images=images,
        losses=losses.astype("float32"),
        loss_history=history.reshape((num_steps, num_images, num_restarts)),
    )
