"""Fully connected (MLP) generator and discriminator of the original GAN."""

import math

import keras

from keras_gans.architectures import _normalization
from keras_gans.architectures import _validation
from keras_gans.architectures import conditional
from keras_gans.layers import PackSamples
from keras_gans.utils import validation

# Slope of the LeakyReLU activations; 0.2 is the value used throughout the
# GAN literature since DCGAN.
LEAKY_RELU_SLOPE = 0.2


@keras.saving.register_keras_serializable(package="keras_gans")
class DenseGenerator(keras.Model):
    """Fully connected generator mapping a latent vector to an image.

    The latent vector goes through `Dense` hidden layers with LeakyReLU(0.2)
    activations (optionally batch-normalised), then a
    `Dense(prod(image_shape), activation="tanh")` reshaped to `image_shape`.
    Outputs are float32 in `[-1, 1]`.

    When `num_classes` is set the model is class-conditional: it takes a
    dict `{"latent": z, "label": y}` and the label, embedded with
    `Embedding(num_classes, label_embedding_dim)`, is concatenated with `z`
    before the first dense layer (Mirza & Osindero, 2014).

    Args:
        latent_dim: int. Size of the latent vector input `"latent"`.
            Defaults to `100`.
        image_shape: tuple of 3 ints. `(height, width, channels)` of the
            generated images. Defaults to `(28, 28, 1)`.
        hidden_units: tuple of ints. Widths of the hidden dense layers.
            Defaults to `(256, 512, 1024)`.
        use_batch_norm: bool. Whether to apply `BatchNormalization` after
            each hidden dense layer. Defaults to `False`.
        num_classes: int or None. Number of classes of a conditional
            generator, `None` for an unconditional one. Defaults to `None`.
        label_embedding_dim: int. Size of the label embedding of a
            conditional generator; unused when `num_classes` is `None`.
            Defaults to `50`.
        **kwargs: `name` and `trainable`, passed to `keras.Model`.

    Example:
    ```python
    generator = keras_gans.architectures.DenseGenerator(
        latent_dim=64, image_shape=(28, 28, 1)
    )
    images = generator(keras.random.normal((2, 64)))  # (2, 28, 28, 1)

    # Class-conditional generator.
    generator = keras_gans.architectures.DenseGenerator(
        latent_dim=64, image_shape=(28, 28, 1), num_classes=10
    )
    images = generator(
        {"latent": keras.random.normal((2, 64)), "label": keras.ops.array([3, 7])}
    )
    ```

    Reference:
        [Goodfellow et al., 2014](https://arxiv.org/abs/1406.2661)
    """

    def __init__(
        self,
        latent_dim=100,
        image_shape=(28, 28, 1),
        hidden_units=(256, 512, 1024),
        use_batch_norm=False,
        num_classes=None,
        label_embedding_dim=50,
        **kwargs,
    ):
        _validation.validate_base_kwargs(type(self).__name__, kwargs)
        latent_dim = validation.check_positive_int(latent_dim, "latent_dim")
        image_shape = _validation.validate_image_shape(image_shape)
        hidden_units = _validation.validate_hidden_units(hidden_units)
        use_batch_norm = bool(use_batch_norm)
        num_classes = conditional.validate_num_classes(num_classes)
        label_embedding_dim = validation.check_positive_int(
            label_embedding_dim, "label_embedding_dim"
        )

        # === Functional model ===
        latent = keras.Input((latent_dim,), name="latent")
        label = conditional.label_input() if num_classes is not None else None
        x = latent
        if label is not None:
            x = conditional.embed_label_into_latent(x, label, num_classes, label_embedding_dim)
        for i, units in enumerate(hidden_units):
            x = keras.layers.Dense(units, use_bias=not use_batch_norm, name=f"hidden_{i}_dense")(x)
            if use_batch_norm:
                x = keras.layers.BatchNormalization(name=f"hidden_{i}_bn")(x)
            x = keras.layers.LeakyReLU(
                negative_slope=LEAKY_RELU_SLOPE, name=f"hidden_{i}_leaky_relu"
            )(x)
        x = keras.layers.Dense(math.prod(image_shape), name="output_dense")(x)
        x = keras.layers.Activation("tanh", dtype="float32", name="output_tanh")(x)
        images = keras.layers.Reshape(image_shape, dtype="float32", name="output_reshape")(x)
        super().__init__(
            inputs=conditional.model_inputs(latent, label),
            outputs=images,
            **kwargs,
        )

        # === Config ===
        self.latent_dim = latent_dim
        # The tanh output: training data must be scaled to this range.
        self.output_range = (-1.0, 1.0)
        self.image_shape = image_shape
        self.hidden_units = hidden_units
        self.use_batch_norm = use_batch_norm
        self.num_classes = num_classes
        self.label_embedding_dim = label_embedding_dim

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "latent_dim": self.latent_dim,
            "image_shape": self.image_shape,
            "hidden_units": self.hidden_units,
            "use_batch_norm": self.use_batch_norm,
            "num_classes": self.num_classes,
            "label_embedding_dim": self.label_embedding_dim,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_gans")
class DenseDiscriminator(keras.Model):
    """Fully connected discriminator mapping an image to a real/fake logit.

    The image is flattened and goes through `Dense` hidden layers with
    LeakyReLU(0.2) activations (each followed by `Dropout(dropout)` when
    `dropout > 0`), then a `Dense(1)`. The output is a float32 logit of
    shape `(batch, 1)` (no sigmoid: use a from-logits loss).

    When `num_classes` is set the model is class-conditional and takes a
    dict `{"image": x, "label": y}`. With `label_conditioning="input"` the
    label, embedded with `Embedding(num_classes, label_embedding_dim)`, is
    concatenated to the flattened image. With `"projection"` the logits are
    `Dense(1)(phi(x)) + <Embedding(num_classes, d)(y), phi(x)>`, where
    `phi(x)` is the output of the last hidden layer (Miyato & Koyama, 2018).

    Args:
        image_shape: tuple of 3 ints. `(height, width, channels)` of the
            input images. Defaults to `(28, 28, 1)`.
        hidden_units: tuple of ints. Widths of the hidden dense layers.
            Defaults to `(512, 256)`.
        dropout: float. Dropout rate after each hidden layer, in `[0, 1)`.
            Defaults to `0.0`.
        num_classes: int or None. Number of classes of a conditional
            discriminator, `None` for an unconditional one. Defaults to
            `None`.
        label_conditioning: str. How a conditional discriminator uses the
            label, `"input"` or `"projection"`; unused when `num_classes`
            is `None`. Defaults to `"input"`.
        label_embedding_dim: int. Size of the label embedding concatenated
            to the image with `label_conditioning="input"`. Defaults to
            `50`.
        spectral_norm: bool. Whether to wrap every `Dense` (hidden, final
            and, with `label_conditioning="projection"`, the projection's
            `Dense(1)`, but not the label embeddings) in
            `keras.layers.SpectralNormalization`: each training-mode call
            runs one power iteration to estimate the kernel's largest
            singular value `sigma` and replaces the kernel by
            `kernel / sigma`; inference calls use the stored kernel. The
            wrappers take the names of the layers they wrap. Defaults to
            `False`.
        packing: int. Judge this many samples at once (PacGAN): the
            discriminator's first layer, `keras_gans.layers.PackSamples`,
            concatenates consecutive samples along the last axis, so batches
            must be divisible by it; unconditional only. Defaults to `1`.
        **kwargs: `name` and `trainable`, passed to `keras.Model`.

    Example:
    ```python
    discriminator = keras_gans.architectures.DenseDiscriminator(
        image_shape=(28, 28, 1)
    )
    logits = discriminator(keras.random.uniform((2, 28, 28, 1), -1, 1))
    # logits.shape == (2, 1)

    # Projection discriminator with spectral normalisation.
    discriminator = keras_gans.architectures.DenseDiscriminator(
        image_shape=(28, 28, 1),
        num_classes=10,
        label_conditioning="projection",
        spectral_norm=True,
    )
    logits = discriminator(
        {
            "image": keras.random.uniform((2, 28, 28, 1), -1, 1),
            "label": keras.ops.array([3, 7]),
        }
    )
    ```

    References:
        - [Goodfellow et al., 2014](https://arxiv.org/abs/1406.2661) (GAN)
        - [Miyato et al., 2018](https://arxiv.org/abs/1802.05957)
          (spectral normalisation)
    """

    def __init__(
        self,
        image_shape=(28, 28, 1),
        hidden_units=(512, 256),
        dropout=0.0,
        num_classes=None,
        label_conditioning="input",
        label_embedding_dim=50,
        spectral_norm=False,
        packing=1,
        **kwargs,
    ):
        _validation.validate_base_kwargs(type(self).__name__, kwargs)
        image_shape = _validation.validate_image_shape(image_shape)
        hidden_units = _validation.validate_hidden_units(hidden_units)
        dropout = validation.check_number(dropout, "dropout", minimum=0.0)
        if dropout >= 1.0:
            raise ValueError(f"`dropout` must be a float in [0, 1). Received: dropout={dropout!r}")
        num_classes = conditional.validate_num_classes(num_classes)
        label_conditioning = conditional.validate_label_conditioning(label_conditioning)
        label_embedding_dim = validation.check_positive_int(
            label_embedding_dim, "label_embedding_dim"
        )
        spectral_norm = validation.check_bool(spectral_norm, "spectral_norm")
        packing = validation.check_positive_int(packing, "packing")
        if packing > 1 and num_classes is not None:
            raise ValueError(
                "Packing judges several samples at once and takes no labels: use "
                f"packing=1 for a conditional discriminator. Received: packing={packing}, "
                f"num_classes={num_classes}"
            )

        # === Functional model ===
        image = keras.Input(image_shape, name="image")
        label = conditional.label_input() if num_classes is not None else None
        packed = PackSamples(packing, name="pack")(image) if packing > 1 else image
        x = keras.layers.Flatten(name="flatten")(packed)
        if label is not None and label_conditioning == "input":
            x = conditional.concatenate_label_embedding(x, label, num_classes, label_embedding_dim)
        for i, units in enumerate(hidden_units):
            dense = keras.layers.Dense(units, name=f"hidden_{i}_dense")
            x = _normalization.maybe_spectral_norm(dense, spectral_norm)(x)
            x = keras.layers.LeakyReLU(
                negative_slope=LEAKY_RELU_SLOPE, name=f"hidden_{i}_leaky_relu"
            )(x)
            if dropout > 0.0:
                x = keras.layers.Dropout(dropout, name=f"hidden_{i}_dropout")(x)
        if label is not None and label_conditioning == "projection":
            logits = conditional.projection_logits(
                x, label, num_classes, spectral_norm=spectral_norm
            )
        else:
            dense = keras.layers.Dense(1, dtype="float32", name="logits")
            logits = _normalization.maybe_spectral_norm(dense, spectral_norm)(x)
        super().__init__(
            inputs=conditional.model_inputs(image, label),
            outputs=logits,
            **kwargs,
        )

        # === Config ===
        self.image_shape = image_shape
        self.hidden_units = hidden_units
        self.dropout = dropout
        self.num_classes = num_classes
        self.label_conditioning = label_conditioning
        self.label_embedding_dim = label_embedding_dim
        self.spectral_norm = spectral_norm
        self.packing = packing

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "image_shape": self.image_shape,
            "hidden_units": self.hidden_units,
            "dropout": self.dropout,
            "num_classes": self.num_classes,
            "label_conditioning": self.label_conditioning,
            "label_embedding_dim": self.label_embedding_dim,
            "spectral_norm": self.spectral_norm,
            "packing": self.packing,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
