"""Class-conditioning pieces shared by the generator and discriminator builders.

A conditional GAN is not a separate architecture here: every builder takes
`num_classes=None`, and when it is set the builder calls the functions below
to add a `"label"` input and wire it in.

- Generators embed the label and concatenate it with the latent vector before
  the first dense layer (Mirza & Osindero, 2014).
- Discriminators use `label_conditioning`:
    - `"input"`: the embedded label is appended to the input (an extra image
      channel for convolutional discriminators, extra features for dense
      ones).
    - `"projection"`: the logits are `Dense(1)(phi(x)) + <embed(y), phi(x)>`
      where `phi(x)` are the flattened final features (Miyato & Koyama, 2018).

All functions build plain Keras layers (no `Lambda`), so the models stay
serializable.
"""

import keras

from keras_gans.architectures import _normalization
from keras_gans.utils import validation

LABEL_CONDITIONING_MODES = ("input", "projection")


def validate_num_classes(num_classes):
    """Return `num_classes` as `None` or an `int` >= 2, or raise.

    Args:
        num_classes: int or None. Number of classes of a conditional model,
            or `None` for an unconditional one.

    Returns:
        `None` or the number of classes as a Python `int`.
    """
    if num_classes is None:
        return None
    if not validation.is_int(num_classes) or num_classes < 2:
        raise ValueError(
            "`num_classes` must be None (unconditional model) or an integer "
            f">= 2. Received: num_classes={num_classes!r}"
        )
    return int(num_classes)


def validate_label_conditioning(label_conditioning):
    """Return `label_conditioning` if it is a known mode, else raise.

    Args:
        label_conditioning: str. One of `"input"` or `"projection"`.

    Returns:
        The validated mode string.
    """
    if label_conditioning not in LABEL_CONDITIONING_MODES:
        raise ValueError(
            "`label_conditioning` must be one of "
            f"{list(LABEL_CONDITIONING_MODES)}. "
            f"Received: label_conditioning={label_conditioning!r}"
        )
    return label_conditioning


def label_input():
    """Return the integer class-label input, `keras.Input((), "int32")`.

    Labels are fed as a batch of integer class ids of shape `(batch,)`.
    """
    return keras.Input((), dtype="int32", name="label")


def model_inputs(primary, label):
    """Return the `inputs` argument of a functional model.

    Args:
        primary: KerasTensor. The `"latent"` or `"image"` input.
        label: KerasTensor or None. The `"label"` input of a conditional
            model, `None` for an unconditional one.

    Returns:
        `primary` alone when `label` is `None`, otherwise the dict
        `{primary.name: primary, "label": label}`, so conditional models are
        called as `model({"latent": z, "label": y})`. Pass both entries as
        tensors (or both as NumPy arrays): Keras refuses a dict mixing the
        two in an eager call.
    """
    if label is None:
        return primary
    return {primary.name: primary, "label": label}


def concatenate_label_embedding(features, label, num_classes, embedding_dim, name_prefix="label"):
    """Concatenate `Embedding(num_classes, embedding_dim)(label)` to features.

    Args:
        features: KerasTensor of shape `(batch, d)`.
        label: KerasTensor of shape `(batch,)` holding integer class ids.
        num_classes: int. Number of classes.
        embedding_dim: int. Size of the label embedding.
        name_prefix: str. Prefix of the created layers' names.

    Returns:
        KerasTensor of shape `(batch, d + embedding_dim)`.
    """
    embedded = keras.layers.Embedding(num_classes, embedding_dim, name=f"{name_prefix}_embedding")(
        label
    )
    return keras.layers.Concatenate(axis=-1, name=f"{name_prefix}_concat")([features, embedded])


def embed_label_into_latent(latent, label, num_classes, embedding_dim):
    """Concatenate the embedded label to the latent vector (conditional G).

    Args:
        latent: KerasTensor of shape `(batch, latent_dim)`.
        label: KerasTensor of shape `(batch,)` holding integer class ids.
        num_classes: int. Number of classes.
        embedding_dim: int. Size of the label embedding.

    Returns:
        KerasTensor of shape `(batch, latent_dim + embedding_dim)`.

    Reference:
        [Mirza and Osindero, 2014](https://arxiv.org/abs/1411.1784)
    """
    return concatenate_label_embedding(
        latent, label, num_classes, embedding_dim, name_prefix="label"
    )


def label_as_channel(image, label, num_classes):
    """Append the embedded label to an image as one extra channel.

    The label is embedded with `Embedding(num_classes, H * W)` and reshaped
    to an `(H, W, 1)` map concatenated to the image's channels.

    Args:
        image: KerasTensor of shape `(batch, H, W, C)`.
        label: KerasTensor of shape `(batch,)` holding integer class ids.
        num_classes: int. Number of classes.

    Returns:
        KerasTensor of shape `(batch, H, W, C + 1)`.
    """
    height, width = int(image.shape[1]), int(image.shape[2])
    embedded = keras.layers.Embedding(num_classes, height * width, name="label_embedding")(label)
    label_map = keras.layers.Reshape((height, width, 1), name="label_reshape")(embedded)
    return keras.layers.Concatenate(axis=-1, name="label_concat")([image, label_map])


def projection_logits(
    features, label, num_classes, kernel_initializer="glorot_uniform", spectral_norm=False
):
    """Projection-discriminator logits `Dense(1)(phi) + <embed(y), phi>`.

    Args:
        features: KerasTensor of shape `(batch, d)`, the flattened final
            features `phi(x)` of the discriminator.
        label: KerasTensor of shape `(batch,)` holding integer class ids.
        num_classes: int. Number of classes.
        kernel_initializer: initializer of the unconditional `Dense(1)` term.
        spectral_norm: bool. Whether to wrap the `Dense(1)` in
            `keras.layers.SpectralNormalization`. The embedding is not
            wrapped. Defaults to `False`.

    Returns:
        KerasTensor of shape `(batch, 1)` in float32. The layers are named
        `"linear_logits"` (the `Dense(1)`, or its spectral-norm wrapper),
        `"projection_embedding"`, `"projection"` (the `Dot`) and `"logits"`
        (the `Add`).

    Reference:
        [Miyato and Koyama, 2018](https://arxiv.org/abs/1802.05637)
    """
    feature_dim = int(features.shape[-1])
    linear = _normalization.maybe_spectral_norm(
        keras.layers.Dense(
            1,
            kernel_initializer=kernel_initializer,
            dtype="float32",
            name="linear_logits",
        ),
        spectral_norm,
    )(features)
    embedded = keras.layers.Embedding(num_classes, feature_dim, name="projection_embedding")(label)
    projection = keras.layers.Dot(axes=1, dtype="float32", name="projection")([embedded, features])
    return keras.layers.Add(dtype="float32", name="logits")([linear, projection])
