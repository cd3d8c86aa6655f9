"""Generators whose images are known in closed form, for the application tests."""

import keras
import numpy as np

IMAGE_SHAPE = (4, 4, 1)
NUM_PIXELS = 16


def orthonormal_matrix(latent_dim, seed=0, scale=0.25):
    """`(latent_dim, NUM_PIXELS)`: `scale` times orthonormal rows, so `z @ A` is injective."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((NUM_PIXELS, latent_dim)))
    return (scale * q.T).astype("float32")


def linear_generator(matrix, offsets=None):
    """`G(z) = reshape(z @ matrix)`, plus `offsets[label]` when conditional.

    Args:
        matrix: `(latent_dim, NUM_PIXELS)` array.
        offsets: `(num_classes, NUM_PIXELS)` array, or None (unconditional).
    """
    latent_dim = matrix.shape[0]
    latent = keras.Input((latent_dim,), name="latent")
    linear = keras.layers.Dense(NUM_PIXELS, use_bias=False, name="linear")
    pixels = linear(latent)
    inputs = latent
    if offsets is not None:
        label = keras.Input((), dtype="int32", name="label")
        embedding = keras.layers.Embedding(len(offsets), NUM_PIXELS, name="offsets")
        pixels = keras.layers.Add()([pixels, embedding(label)])
        inputs = {"latent": latent, "label": label}
    images = keras.layers.Reshape(IMAGE_SHAPE)(pixels)
    model = keras.Model(inputs, images, name="linear_generator")
    linear.set_weights([matrix])
    if offsets is not None:
        embedding.set_weights([np.asarray(offsets, "float32")])
        model.num_classes = len(offsets)
    return model


def style_generator(mapping_matrix, synthesis_matrix):
    """A linear style-based generator: `w = z @ M`, `G(w) = reshape(w @ S)`.

    The generator model has `mapping` and `synthesis` attributes, as a
    style-based generator offers them.
    """
    latent_dim, w_dim = mapping_matrix.shape
    latent = keras.Input((latent_dim,), name="latent")
    map_layer = keras.layers.Dense(w_dim, use_bias=False, name="map")
    mapping = keras.Model(latent, map_layer(latent), name="mapping")
    w = keras.Input((w_dim,), name="w")
    synth_layer = keras.layers.Dense(NUM_PIXELS, use_bias=False, name="synth")
    synthesis = keras.Model(w, keras.layers.Reshape(IMAGE_SHAPE)(synth_layer(w)), name="synthesis")
    map_layer.set_weights([mapping_matrix])
    synth_layer.set_weights([synthesis_matrix])
    z = keras.Input((latent_dim,), name="latent")
    generator = keras.Model(z, synthesis(mapping(z)), name="style_generator")
    generator.mapping = mapping
    generator.synthesis = synthesis
    return generator


def images_of(matrix, latents, offsets=None, labels=None):
    """The linear generator's images, computed with NumPy."""
    pixels = np.asarray(latents, "float64") @ np.asarray(matrix, "float64")
    if offsets is not None:
        pixels = pixels + np.asarray(offsets, "float64")[np.asarray(labels)]
    return pixels.reshape((-1, *IMAGE_SHAPE))
