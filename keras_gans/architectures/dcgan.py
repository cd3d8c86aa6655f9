"""Deep convolutional generator and discriminator (DCGAN)."""

import keras

from keras_gans.architectures import _normalization
from keras_gans.architectures import _validation
from keras_gans.architectures import conditional
from keras_gans.layers import PackSamples
from keras_gans.utils import validation

# Image sizes the DCGAN stacks support: 28 (MNIST: 7 -> 14 -> 28) and the
# square powers of two from 32 (4 -> ... -> S, one stride-2 layer per
# doubling).
SUPPORTED_IMAGE_SIZES = (28, 32, 64, 128, 256)

# Slope of the discriminator's LeakyReLU activations, as in the paper.
LEAKY_RELU_SLOPE = 0.2

# Kernel size and stride of every (transposed) convolution, as in the paper.
KERNEL_SIZE = 4
STRIDES = 2


def _kernel_initializer():
    # A fresh instance per layer: an unseeded Keras initializer instance
    # returns the same values on every call.
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)


def _batch_norm(name):
    return keras.layers.BatchNormalization(
        gamma_initializer=keras.initializers.RandomNormal(mean=1.0, stddev=0.02),
        beta_initializer="zeros",
        name=name,
    )


def _dcgan_plan(image_shape):
    """Return `(start_size, num_doublings)` for a supported image shape.

    `start_size` is the side of the smallest feature map (7 for 28, 4
    otherwise) and `num_doublings` the number of stride-2 layers between it
    and the image.
    """
    height, width, _ = image_shape
    if height != width or height not in SUPPORTED_IMAGE_SIZES:
        valid = ", ".join(f"({s}, {s}, C)" for s in SUPPORTED_IMAGE_SIZES)
        raise ValueError(
            "DCGAN models support square images of side 28 or a power of two "
            f"from 32 to 256, i.e. image_shape in {valid} with C >= 1 "
            f"channels. Received: image_shape={image_shape!r}"
        )
    if height == 28:
        return 7, 2
    return 4, height.bit_length() - 1 - 2


@keras.saving.register_keras_serializable(package="keras_gans")
class DCGANGenerator(keras.Model):
    """DCGAN generator: transposed convolutions from a latent vector to an image.

    The latent vector is projected by `Dense(start * start * filters)` and
    reshaped to a `start x start` feature map (4x4, or 7x7 for 28x28
    images), followed by `BatchNormalization` and ReLU. Each
    `Conv2DTranspose(kernel_size=4, strides=2, padding="same")` block then
    doubles the side and halves the filters (with batch norm and ReLU), and
    a last `Conv2DTranspose` to `channels` with tanh gives the image. For a
    64x64x3 image and `base_filters=64` the feature maps are
    4x4x512 -> 8x8x256 -> 16x16x128 -> 32x32x64 -> 64x64x3, as in the paper.
    For 28x28 images they are 7x7x(2 * base_filters) ->
    14x14x(base_filters) -> 28x28xC.

    Kernels are initialised from `N(0, 0.02)` and batch-norm scales from
    `N(1, 0.02)`, as in the paper. Outputs are float32 in `[-1, 1]`.

    When `num_classes` is set the model is class-conditional: it takes a
    dict `{"latent": z, "label": y}` and the label, embedded with
    `Embedding(num_classes, label_embedding_dim)`, is concatenated with `z`
    before the projection (Mirza & Osindero, 2014).

    Args:
        latent_dim: int. Size of the latent vector input `"latent"`.
            Defaults to `100`.
        image_shape: tuple of 3 ints. `(size, size, channels)` of the
            generated images, with size 28, 32, 64, 128 or 256 and any number
            of channels. Defaults to `(64, 64, 3)`.
        base_filters: int. Number of filters of the last hidden block; the
            earlier blocks have 2, 4, 8, ... times as many. Defaults to `64`.
        num_classes: int or None. Number of classes of a conditional
            generator, `None` for an unconditional one. Defaults to `None`.
        label_embedding_dim: int. Size of the label embedding of a
            conditional generator; unused when `num_classes` is `None`.
            Defaults to `50`.
        **kwargs: `name` and `trainable`, passed to `keras.Model`.

    Example:
    ```python
    generator = keras_gans.architectures.DCGANGenerator(
        latent_dim=100, image_shape=(64, 64, 3)
    )
    images = generator(keras.random.normal((2, 100)))  # (2, 64, 64, 3)

    # Class-conditional MNIST generator.
    generator = keras_gans.architectures.DCGANGenerator(
        latent_dim=100, image_shape=(28, 28, 1), num_classes=10
    )
    images = generator(
        {"latent": keras.random.normal((2, 100)), "label": keras.ops.array([3, 7])}
    )
    ```

    Reference:
        [Radford et al., 2016](https://arxiv.org/abs/1511.06434)
    """

    def __init__(
        self,
        latent_dim=100,
        image_shape=(64, 64, 3),
        base_filters=64,
        num_classes=None,
        label_embedding_dim=50,
        **kwargs,
    ):
        _validation.validate_base_kwargs(type(self).__name__, kwargs)
        latent_dim = validation.check_positive_int(latent_dim, "latent_dim")
        image_shape = _validation.validate_image_shape(image_shape)
        start_size, num_doublings = _dcgan_plan(image_shape)
        base_filters = validation.check_positive_int(base_filters, "base_filters")
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
        # One stride-2 layer per doubling; the last one outputs the image, so
        # the projection has base_filters * 2 ** (num_doublings - 1) filters.
        filters = base_filters * 2 ** (num_doublings - 1)
        x = keras.layers.Dense(
            start_size * start_size * filters,
            use_bias=False,
            kernel_initializer=_kernel_initializer(),
            name="project_dense",
        )(x)
        x = keras.layers.Reshape((start_size, start_size, filters), name="project_reshape")(x)
        x = _batch_norm("project_bn")(x)
        x = keras.layers.ReLU(name="project_relu")(x)
        for i in range(num_doublings - 1):
            filters //= 2
            x = keras.layers.Conv2DTranspose(
                filters,
                KERNEL_SIZE,
                strides=STRIDES,
                padding="same",
                use_bias=False,
                kernel_initializer=_kernel_initializer(),
                name=f"upsample_{i}_conv",
            )(x)
            x = _batch_norm(f"upsample_{i}_bn")(x)
            x = keras.layers.ReLU(name=f"upsample_{i}_relu")(x)
        x = keras.layers.Conv2DTranspose(
            image_shape[-1],
            KERNEL_SIZE,
            strides=STRIDES,
            padding="same",
            kernel_initializer=_kernel_initializer(),
            name="output_conv",
        )(x)
        images = keras.layers.Activation("tanh", dtype="float32", name="output_tanh")(x)
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
        self.base_filters = base_filters
        self.num_classes = num_classes
        self.label_embedding_dim = label_embedding_dim

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "latent_dim": self.latent_dim,
            "image_shape": self.image_shape,
            "base_filters": self.base_filters,
            "num_classes": self.num_classes,
            "label_embedding_dim": self.label_embedding_dim,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_gans")
class DCGANDiscriminator(keras.Model):
    """DCGAN discriminator: strided convolutions from an image to a logit.

    Mirrors `DCGANGenerator`: a first `Conv2D(base_filters, kernel_size=4,
    strides=2, padding="same")` without normalisation, then stride-2
    convolutions doubling the filters, each followed by a normalisation
    layer (`BatchNormalization` by default), all followed by LeakyReLU(0.2),
    until the feature map is 4x4 (7x7 for 28x28 images); then `Flatten` and
    `Dense(1)`. For a 64x64 image and `base_filters=64` the feature maps are
    32x32x64 -> 16x16x128 -> 8x8x256 -> 4x4x512. The output is a float32
    logit of shape `(batch, 1)` (no sigmoid: use a from-logits loss).

    Kernels are initialised from `N(0, 0.02)` and batch-norm scales from
    `N(1, 0.02)`, as in the paper. The convolutions followed by a
    normalisation layer have no bias (its offset replaces it).

    Critics of a WGAN-GP need `normalization="layer"` (or `None`): the
    gradient penalty is computed per sample, and batch norm makes each
    output depend on the whole batch (Gulrajani et al., 2017). SNGAN uses
    `spectral_norm=True` with `normalization=None` (Miyato et al., 2018).

    When `num_classes` is set the model is class-conditional and takes a
    dict `{"image": x, "label": y}`. With `label_conditioning="input"` the
    label is embedded with `Embedding(num_classes, H * W)` and appended to
    the image as an extra `H x W x 1` channel. With `"projection"` the
    logits are `Dense(1)(phi(x)) + <Embedding(num_classes, d)(y), phi(x)>`,
    where `phi(x)` are the flattened final features (Miyato & Koyama, 2018).

    Args:
        image_shape: tuple of 3 ints. `(size, size, channels)` of the input
            images, with size 28, 32, 64, 128 or 256 and any number of
            channels. Defaults to `(64, 64, 3)`.
        base_filters: int. Number of filters of the first convolution; each
            later one has twice as many as the previous. Defaults to `64`.
        num_classes: int or None. Number of classes of a conditional
            discriminator, `None` for an unconditional one. Defaults to
            `None`.
        label_conditioning: str. How a conditional discriminator uses the
            label, `"input"` or `"projection"`; unused when `num_classes`
            is `None`. Defaults to `"input"`.
        normalization: str or None. Normalisation after every convolution
            but the first: `"batch"` for `BatchNormalization` (DCGAN),
            `"layer"` for `LayerNormalization(axis=[1, 2, 3])`, which
            normalises each sample over its whole feature map with a scale
            and an offset per feature-map element (WGAN-GP critics), or
            `None` for no normalisation, in which case every convolution
            has a bias. Defaults to `"batch"`.
        spectral_norm: bool. Whether to wrap every `Conv2D` and the final
            `Dense` (with `label_conditioning="projection"`, the projection's
            `Dense(1)` too, but not its embedding) in
            `keras.layers.SpectralNormalization`: each training-mode call
            runs one power iteration to estimate the kernel's largest
            singular value `sigma` and replaces the kernel by
            `kernel / sigma`; inference calls use the stored kernel. Works
            with any `normalization`; SNGAN uses `normalization=None`. The
            wrappers take the names of the layers they wrap. Defaults to
            `False`.
        packing: int. Judge this many samples at once (PacGAN): the
            discriminator's first layer, `keras_gans.layers.PackSamples`,
            concatenates consecutive samples along the last axis, so batches
            must be divisible by it; unconditional only. Defaults to `1`.
        **kwargs: `name` and `trainable`, passed to `keras.Model`.

    Example:
    ```python
    discriminator = keras_gans.architectures.DCGANDiscriminator(
        image_shape=(64, 64, 3)
    )
    logits = discriminator(keras.random.uniform((2, 64, 64, 3), -1, 1))
    # logits.shape == (2, 1)

    # WGAN-GP critic: no batch statistics, so the gradient penalty is valid.
    critic = keras_gans.architectures.DCGANDiscriminator(
        image_shape=(64, 64, 3), normalization="layer"
    )

    # SNGAN discriminator.
    discriminator = keras_gans.architectures.DCGANDiscriminator(
        image_shape=(64, 64, 3), normalization=None, spectral_norm=True
    )

    # Projection discriminator for class-conditional MNIST.
    discriminator = keras_gans.architectures.DCGANDiscriminator(
        image_shape=(28, 28, 1),
        num_classes=10,
        label_conditioning="projection",
    )
    logits = discriminator(
        {
            "image": keras.random.uniform((2, 28, 28, 1), -1, 1),
            "label": keras.ops.array([3, 7]),
        }
    )
    ```

    References:
        - [Radford et al., 2016](https://arxiv.org/abs/1511.06434) (DCGAN)
        - [Gulrajani et al., 2017](https://arxiv.org/abs/1704.00028)
          (WGAN-GP, layer-normalised critic)
        - [Miyato et al., 2018](https://arxiv.org/abs/1802.05957)
          (spectral normalisation)
    """

    def __init__(
        self,
        image_shape=(64, 64, 3),
        base_filters=64,
        num_classes=None,
        label_conditioning="input",
        normalization="batch",
        spectral_norm=False,
        packing=1,
        **kwargs,
    ):
        _validation.validate_base_kwargs(type(self).__name__, kwargs)
        image_shape = _validation.validate_image_shape(image_shape)
        _, num_doublings = _dcgan_plan(image_shape)
        base_filters = validation.check_positive_int(base_filters, "base_filters")
        num_classes = conditional.validate_num_classes(num_classes)
        label_conditioning = conditional.validate_label_conditioning(label_conditioning)
        normalization = _normalization.validate_normalization(normalization)
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
        x = packed
        if label is not None and label_conditioning == "input":
            x = conditional.label_as_channel(x, label, num_classes)
        filters = base_filters
        for i in range(num_doublings):
            normalized = i > 0 and normalization is not None
            conv = keras.layers.Conv2D(
                filters,
                KERNEL_SIZE,
                strides=STRIDES,
                padding="same",
                # The normalisation's offset replaces the bias.
                use_bias=not normalized,
                kernel_initializer=_kernel_initializer(),
                name=f"downsample_{i}_conv",
            )
            x = _normalization.maybe_spectral_norm(conv, spectral_norm)(x)
            if normalized:
                x = _normalization.feature_map_normalization(
                    normalization, f"downsample_{i}", _batch_norm
                )(x)
            x = keras.layers.LeakyReLU(
                negative_slope=LEAKY_RELU_SLOPE,
                name=f"downsample_{i}_leaky_relu",
            )(x)
            filters *= 2
        features = keras.layers.Flatten(name="flatten")(x)
        if label is not None and label_conditioning == "projection":
            logits = conditional.projection_logits(
                features,
                label,
                num_classes,
                kernel_initializer=_kernel_initializer(),
                spectral_norm=spectral_norm,
            )
        else:
            dense = keras.layers.Dense(
                1,
                kernel_initializer=_kernel_initializer(),
                dtype="float32",
                name="logits",
            )
            logits = _normalization.maybe_spectral_norm(dense, spectral_norm)(features)
        super().__init__(
            inputs=conditional.model_inputs(image, label),
            outputs=logits,
            **kwargs,
        )

        # === Config ===
        self.image_shape = image_shape
        self.base_filters = base_filters
        self.num_classes = num_classes
        self.label_conditioning = label_conditioning
        self.normalization = normalization
        self.spectral_norm = spectral_norm
        self.packing = packing

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "image_shape": self.image_shape,
            "base_filters": self.base_filters,
            "num_classes": self.num_classes,
            "label_conditioning": self.label_conditioning,
            "normalization": self.normalization,
            "spectral_norm": self.spectral_norm,
            "packing": self.packing,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
