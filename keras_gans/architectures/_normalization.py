"""Normalisation options shared by the discriminator builders.

- `normalization`: the layer applied after the hidden convolutions of a
  convolutional discriminator: `"batch"` (`BatchNormalization`, DCGAN),
  `"layer"` (`LayerNormalization` over each sample's whole feature map, for
  WGAN-GP critics) or `None`.
- `spectral_norm`: whether every weight layer (`Conv2D`, `Dense`) is wrapped
  in `keras.layers.SpectralNormalization` (Miyato et al., 2018).
"""

import keras

NORMALIZATIONS = ("batch", "layer", None)

# One power iteration per training call, with the singular vector estimate
# `u` carried over between calls, as in Miyato et al. (2018).
POWER_ITERATIONS = 1


def validate_normalization(normalization):
    """Return `normalization` if it is a known option, else raise.

    Args:
        normalization: str or None. One of `"batch"`, `"layer"` or `None`.

    Returns:
        The validated option.
    """
    # The type check comes first: `in` would compare arrays elementwise.
    if not (normalization is None or isinstance(normalization, str)) or (
        normalization not in NORMALIZATIONS
    ):
        raise ValueError(
            f"`normalization` must be one of {list(NORMALIZATIONS)}. "
            f"Received: normalization={normalization!r}"
        )
    return normalization


def feature_map_normalization(normalization, name_prefix, batch_norm):
    """Return the normalisation layer of a 4D feature map.

    Args:
        normalization: str. `"batch"` or `"layer"` (the caller skips the
            layer for `None`).
        name_prefix: str. Prefix of the layer's name, which ends in `"_bn"`
            or `"_ln"`.
        batch_norm: callable. Builds the `BatchNormalization` layer from a
            name, so that each architecture keeps its own initialisers.

    Returns:
        A `BatchNormalization` layer, or a
        `LayerNormalization(axis=[1, 2, 3])` normalising each sample over
        its whole `H x W x C` feature map, with a scale and an offset per
        feature-map element. Unlike batch norm it does not mix the samples
        of a batch, so the per-sample gradient penalty of WGAN-GP stays
        valid.
    """
    if normalization == "batch":
        return batch_norm(f"{name_prefix}_bn")
    return keras.layers.LayerNormalization(axis=[1, 2, 3], name=f"{name_prefix}_ln")


def maybe_spectral_norm(layer, spectral_norm):
    """Wrap `layer` in `keras.layers.SpectralNormalization` if asked to.

    The wrapper takes the layer's name (so the model's layer names, and
    `model.get_layer(name)`, do not depend on `spectral_norm`; the wrapped
    layer is `model.get_layer(name).layer`) and its dtype policy (so a
    float32 logits layer still outputs float32 under mixed precision: the
    wrapper casts its output to the dtype of its inputs, which it has cast
    to its own compute dtype).

    Keras' wrapper runs one power iteration in each training-mode call and
    writes `kernel / sigma` back to the wrapped layer's kernel, which is
    then used; inference calls use the stored kernel and leave the
    estimate `vector_u` unchanged.

    Args:
        layer: `keras.layers.Layer` with a `kernel`, e.g. `Conv2D` or
            `Dense`, not yet built.
        spectral_norm: bool. Whether to wrap the layer.

    Returns:
        The wrapper, or `layer` itself when `spectral_norm` is `False`.

    Reference:
        [Miyato et al., 2018](https://arxiv.org/abs/1802.05957)
    """
    if not spectral_norm:
        return layer
    return keras.layers.SpectralNormalization(
        layer,
        power_iterations=POWER_ITERATIONS,
        dtype=layer.dtype_policy,
        name=layer.name,
    )
