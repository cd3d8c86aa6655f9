"""Semantic inpainting by optimisation of the latent vector (Yeh et al. 2017)."""

from typing import NamedTuple

import numpy as np
import tensorflow as tf

from keras_gans.applications import _latent_optimization
from keras_gans.applications import _validation
from keras_gans.applications.generator_source import as_generator_source
from keras_gans.applications.masks import mask_batch
from keras_gans.applications.poisson import poisson_blend
from keras_gans.utils import validation

BLENDINGS = ("paste", "poisson")


class InpaintingResult(NamedTuple):
    """What `inpaint` returns.

    Attributes:
        images: float32 array `(n, *image_shape)`. The inpainted images:
            known pixels of the input, unchanged, and the filled hole.
        generated: float32 array `(n, *image_shape)`. `G(z)` of the best
            latent of each image.
        latents: float32 array `(n, latent_dim)`. The best latents.
        losses: float32 array `(n,)`. Their total losses.
        contextual_losses: float32 array `(n,)`. Their contextual losses.
        prior_losses: float32 array `(n,)`. Their prior losses (unweighted;
            zeros with `prior_weight=0`).
        loss_history: float32 array `(num_steps, n, num_candidates)`. The
            total loss of every candidate before each step.
    """

    images: np.ndarray
    generated: np.ndarray
    latents: np.ndarray
    losses: np.ndarray
    contextual_losses: np.ndarray
    prior_losses: np.ndarray
    loss_history: np.ndarray


def contextual_weights(masks, window_size=7):
    """The importance weights of the contextual loss.

    A known pixel `i` weighs `W_i = sum_{j in N(i)} (1 - M_j) / |N(i)|`, the
    fraction of missing pixels in the `window_size` by `window_size` window
    `N(i)` around it, so known pixels near the hole count most and those far
    from it not at all; missing pixels weigh 0. Windows reaching past the
    border reflect the mask symmetrically (the edge pixel repeated, as
    SciPy's `convolve2d(..., boundary="symm")`).

    Args:
        masks: array of 0s and 1s (1 = known pixel), of shape `(height,
            width)`, `(height, width, channels)` or `(n, height, width,
            channels)`.
        window_size: int. The odd side of the window. Defaults to `7`.

    Returns:
        A float32 array of the shape of `masks`.

    Example:

    ```python
    weights = keras_gans.applications.contextual_weights(
        keras_gans.applications.center_mask(64))
    ```

    Reference:
        Yeh et al., "Semantic Image Inpainting with Deep Generative Models",
        CVPR 2017, equation 3.
    """
    masks = _validation.float_array(masks, "masks")
    if masks.ndim not in (2, 3, 4):
        raise ValueError(
            "`masks` must have shape (height, width), (height, width, channels) or (n, "
            f"height, width, channels). Received: shape={masks.shape}"
        )
    if not np.all((masks == 0) | (masks == 1)):
        raise ValueError("`masks` must hold only 0 (missing pixel) and 1 (known pixel).")
    window_size = validation.check_positive_int(window_size, "window_size")
    if window_size % 2 == 0:
        raise ValueError(f"`window_size` must be odd. Received: window_size={window_size}")
    batch = masks
    if masks.ndim == 2:
        batch = masks[None, :, :, None]
    elif masks.ndim == 3:
        batch = masks[None]
    half = window_size // 2
    missing = np.pad(1.0 - batch, ((0, 0), (half, half), (half, half), (0, 0)), mode="symmetric")
    windows = np.lib.stride_tricks.sliding_window_view(
        missing, (window_size, window_size), axis=(1, 2)
    )
    weights = batch * windows.sum(axis=(-2, -1)) / window_size**2
    return weights.reshape(masks.shape).astype("float32")


def psnr(images, references, region=None, data_range=2.0):
    """Peak signal-to-noise ratio of each image, over all pixels or a region.

    `10 log10(data_range^2 / MSE)`, with the mean squared error taken over
    the pixels (and channels) where `region` is 1. Infinite for identical
    pixels.

    Args:
        images: float array `(n, height, width, channels)`.
        references: float array of the same shape.
        region: array of 0s and 1s, shaped as `inpaint` takes masks. The
            pixels to compare: `1 - mask` for the hole. Defaults to `None`
            (the whole image).
        data_range: float. The range of pixel values: 2 for [-1, 1].
            Defaults to `2.0`.

    Returns:
        A float64 array `(n,)` of PSNRs in dB.
    """
    images = _validation.float_array(images, "images").astype("float64")
    references = _validation.float_array(references, "references").astype("float64")
    if images.ndim != 4 or images.shape != references.shape:
        raise ValueError(
            "`images` and `references` must have the same shape (n, height, width, "
            f"channels). Received: shapes {images.shape} and {references.shape}"
        )
    data_range = validation.check_number(data_range, "data_range", minimum=0.0, exclusive=True)
    if region is None:
        region = np.ones(images.shape)
    region = mask_batch(region, images.shape, "region").astype("float64")
    count = region.sum(axis=(1, 2, 3))
    if np.any(count == 0):
        raise ValueError("`region` must hold at least one pixel of every image.")
    mse = (region * (images - references) ** 2).sum(axis=(1, 2, 3)) / count
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(data_range**2 / mse)


def hole_psnr(images, references, masks, data_range=2.0):
    """PSNR on the missing pixels (mask 0) only: `psnr(..., region=1 - masks)`."""
    references = _validation.float_array(references, "references")
    masks = mask_batch(masks, references.shape)
    return psnr(images, references, region=1.0 - masks, data_range=data_range)


def mean_fill(images, masks):
    """The baseline inpainting: each hole filled with its image's mean known colour.

    Args:
        images: float array `(n, height, width, channels)`.
        masks: array of 0s and 1s (1 = known pixel), shaped as `inpaint`
            takes them.

    Returns:
        A float32 array of the shape of `images`: known pixels unchanged,
        missing ones set to the mean of the image's known pixels, channel by
        channel (0 where a channel has none).
    """
    images = _validation.float_array(images, "images")
    if images.ndim != 4:
        raise ValueError(
            f"`images` must have shape (n, height, width, channels). Received: shape={images.shape}"
        )
    known = mask_batch(masks, images.shape)
    count = known.sum(axis=(1, 2), keepdims=True)
    mean = (known * images).sum(axis=(1, 2), keepdims=True) / np.maximum(count, 1)
    return np.where(known > 0, images, np.broadcast_to(mean, images.shape)).astype("float32")


def inpaint(
    source,
    images,
    masks,
    labels=None,
    prior_weight=0.003,
    num_steps=1500,
    num_candidates=8,
    learning_rate=0.01,
    window_size=7,
    latent_range=3.0,
    blending="paste",
    seed=None,
    verbose="auto",
):
    """Fills the missing pixels of images with a generator's best match.

    Semantic inpainting (Yeh et al. 2017): for each image `y` with mask `M`
    (1 on known pixels), find the latent `z` minimising

        contextual(z) + prior_weight * prior(z),
        contextual(z) = sum_i W_i |G(z)_i - y_i|,
        prior(z) = log(1 - D(G(z))) = -softplus(logit(G(z))),

    where `W = contextual_weights(M, window_size)` weighs the known pixels
    near the hole, and `D = sigmoid(logit)` is the discriminator's
    probability of "real" (the prior is averaged over the logits of a
    discriminator with several outputs). That reading of the outputs is
    the one of the minimax and non-saturating losses; on a Wasserstein
    critic's scores the prior still rewards higher scores, but is not
    `log(1 - D)`. The output is `M * y + (1 - M) *
    G(z)`, or its Poisson blend.

    Adam optimises `num_candidates` latents per image, drawn from the
    generator's prior `N(0, I)`, all images at once; after each step every
    coordinate is clipped to `[-latent_range, latent_range]`, keeping `z`
    where the prior has its mass (a coordinate of `N(0, 1)` lies in
    [-3, 3] with probability 0.997; the paper's uniform prior is clipped to
    its support [-1, 1]). Each candidate keeps the best point it reached and
    the lowest-loss candidate of each image is returned. The generator and
    discriminator run in inference mode and are not changed. The
    optimisation is one `tf.function`, traced once per call.

    Args:
        source: `GeneratorSource`, or anything it wraps (an
            `AdversarialModel`, a generator `keras.Model`, a SavedModel or
            its path). The prior loss needs its discriminator.
        images: float array of shape `(n, *image_shape)`, the generator's
            image shape, in its output range (`GeneratorSource.output_range`:
            [-1, 1] for this library's generators). Missing pixels may hold
            anything finite within that range.
        masks: array of 0s and 1s (or booleans), 1 on known pixels: one mask
            for all images, `(height, width)`, `(height, width, 1)` or
            `(height, width, channels)`, or one per image, with a leading
            axis of `n`. See `center_mask`, `random_mask`, `half_mask` and
            `load_mask`.
        labels: int or int array. For a conditional generator, the class of
            every image or of each. Defaults to `None`.
        prior_weight: float. Weight `lambda` of the prior loss. Defaults to
            `0.003`, the paper's value; `0` inpaints without a
            discriminator.
        num_steps: int. Adam steps. Defaults to `1500`, the paper's count.
        num_candidates: int. Latents optimised per image. Defaults to `8`.
        learning_rate: float. Adam's learning rate. Defaults to `0.01`.
        window_size: int. Odd side of the window of the contextual weights.
            Defaults to `7`.
        latent_range: float. Clip each latent coordinate to
            `[-latent_range, latent_range]` after each step. Defaults to
            `3.0`; `None` disables clipping.
        blending: str. `"paste"`: `M * y + (1 - M) * G(z)`. `"poisson"`:
            the hole solved from `G(z)`'s gradients with the known pixels as
            boundary (`poisson_blend`), then clipped to the generator's
            output range. Defaults to `"paste"`.
        seed: int. Seed of the starting latents. Defaults to `None`.
        verbose: `"auto"`, 0, 1 or 2. Progress display, as in Keras'
            `predict`: 0 silent, 1 progress bar, 2 one line; `"auto"` is 1.
            Defaults to `"auto"`.

    Returns:
        An `InpaintingResult` `(images, generated, latents, losses,
        contextual_losses, prior_losses, loss_history)`.

    Example:

    ```python
    mask = keras_gans.applications.center_mask(64)
    result = keras_gans.applications.inpaint(gan, faces, mask)
    print(keras_gans.applications.hole_psnr(result.images, faces, mask))
    ```

    Reference:
        Yeh et al., "Semantic Image Inpainting with Deep Generative Models",
        CVPR 2017.
    """
    source = as_generator_source(source)
    images = _latent_optimization.check_images(images, source, "images")
    known = mask_batch(masks, images.shape)
    prior_weight = validation.check_number(prior_weight, "prior_weight", minimum=0.0)
    if prior_weight > 0 and source.discriminator is None:
        raise ValueError(
            "The prior loss log(1 - D(G(z))) needs a discriminator, and this generator "
            "has none: inpaint an `AdversarialModel`, pass `discriminator=` to "
            "`GeneratorSource`, or pass prior_weight=0 to use the contextual loss only. "
            f"Received: prior_weight={prior_weight}"
        )
    num_steps = validation.check_positive_int(num_steps, "num_steps")
    num_candidates = validation.check_positive_int(num_candidates, "num_candidates")
    learning_rate = validation.check_number(
        learning_rate, "learning_rate", minimum=0.0, exclusive=True
    )
    latent_range = validation.check_number(
        latent_range, "latent_range", minimum=0.0, exclusive=True, allow_none=True
    )
    validation.check_one_of(blending, "blending", BLENDINGS)
    verbose = validation.check_verbose(verbose)
    weights = contextual_weights(known, window_size)
    num_images = images.shape[0]
    labels = source.prepare_labels(labels, num_images)
    candidate_labels = None if labels is None else np.repeat(labels, num_candidates)
    repeated_images = tf.constant(np.repeat(images, num_candidates, axis=0))
    repeated_weights = tf.constant(np.repeat(weights, num_candidates, axis=0))

    def loss_terms(latents, labels, targets, weights):
        """The contextual and prior losses of each latent."""
        generated = source(latents, labels)
        contextual = tf.reduce_sum(
            tf.reshape(weights * tf.abs(generated - targets), [tf.shape(generated)[0], -1]),
            axis=1,
        )
        if prior_weight == 0:
            return contextual, tf.zeros_like(contextual)
        logits = source.discriminator(generated, labels)
        # log(1 - sigmoid(l)) = log(sigmoid(-l)) = -softplus(l).
        prior = -tf.reduce_mean(
            tf.reshape(tf.nn.softplus(logits), [tf.shape(logits)[0], -1]), axis=1
        )
        return contextual, prior

    def loss_fn(latents):
        contextual, prior = loss_terms(latents, candidate_labels, repeated_images, repeated_weights)
        return contextual + prior_weight * prior

    starts = source.sample_latents(num_images * num_candidates, seed=seed)
    with source.inference_weights():
        best, best_losses, history = _latent_optimization.optimize(
            loss_fn, starts, num_steps, learning_rate, latent_range, verbose, num_images
        )
        latents, total, _ = _latent_optimization.pick_best(best, best_losses, num_images)
        contextual, prior = loss_terms(latents, labels, images, weights)
        generated = source.generate(latents, labels)
    if blending == "poisson":
        filled = np.clip(poisson_blend(images, generated, known), *source.output_range)
    else:
        filled = generated
    output = np.where(known > 0, images, filled).astype("float32")
    return InpaintingResult(
        images=output,
        generated=generated,
        latents=latents,
        losses=total.astype("float32"),
        contextual_losses=contextual.numpy().astype("float32"),
        prior_losses=prior.numpy().astype("float32"),
        loss_history=history.reshape((num_steps, num_images, num_candidates)),
    )
