"""Latent vectors and class labels for sampling from a trained model, outside training."""

import keras
import numpy as np
from keras import ops

from keras_gans.utils import validation


def class_count(model, who):
    """The model's `num_classes`, which sampling every class of a conditional model needs."""
    num_classes = getattr(model, "num_classes", None)
    if not num_classes:
        raise ValueError(
            f"{who} needs the number of classes of a conditional model: build the "
            f"AdversarialModel with `num_classes`. Received: num_classes={num_classes!r}"
        )
    return int(num_classes)


def latents_and_labels(model, num_samples, seed=None, start=0, who="Sampling"):
    """`num_samples` latent vectors from `N(0, I)`, and labels for a conditional model.

    The labels cycle through the classes (sample `start + i` gets class
    `(start + i) % num_classes`), so every class gets its share.

    Returns:
        `(latents, labels)`: float32 `(num_samples, latent_dim)` and int32
        `(num_samples,)`, or None for an unconditional model.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    latents = rng.standard_normal((num_samples, model.latent_dim)).astype(np.float32)
    labels = None
    if getattr(model, "conditional", False):
        count = class_count(model, who)
        labels = (np.arange(start, start + num_samples) % count).astype(np.int32)
    return latents, labels


def generation_inputs(model, latents, labels=None, seed=None):
    """`generate`'s latents (a count or the vectors) and labels, checked.

    Returns:
        `(latents, labels)`: float32 `(num_samples, latent_dim)` and int32
        `(num_samples,)`, or None for an unconditional model.
    """
    if validation.is_int(latents):
        validation.check_positive_int(latents, "latents")
        latents = keras.random.normal((int(latents), model.latent_dim), seed=seed)
    latents = ops.convert_to_numpy(latents).astype("float32")
    if latents.ndim != 2 or latents.shape[1] != model.latent_dim:
        raise ValueError(
            f"Latent vectors must have shape (num_samples, {model.latent_dim}). "
            f"Received: shape={latents.shape}"
        )
    if model.conditional:
        if labels is None:
            raise ValueError(
                "This model is conditional: pass `labels`, one class for all samples "
                "or one per sample."
            )
        labels = validation.check_labels(labels, latents.shape[0], model.num_classes)
    elif labels is not None:
        raise ValueError("This model is unconditional: `labels` must be None.")
    return latents, labels
