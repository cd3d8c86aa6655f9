"""The named recipes of the classic GAN papers, as compiled `AdversarialModel`s.

Each preset builds the paper's kind of networks for a given image shape and
compiles them with the paper's loss, optimizers and update schedule. Any
`compile` argument can be overridden by keyword, and the builders' arguments
through `generator_args` and `discriminator_args`:

```python
gan = keras_gans.presets.get("wgan_gp", image_shape=(28, 28, 1))
gan = keras_gans.presets.wgan_gp(
    image_shape=(28, 28, 1), d_steps=3, discriminator_args={"base_filters": 32}
)
gan.fit(keras_gans.data.load_dataset("mnist_sample"), epochs=10)
```

The convolutional presets use the DCGAN networks, so they take 28x28 images
or square power-of-two sizes from 32 to 256; the MLP presets (`gan`, `cgan`)
take any shape.
"""

import keras

from keras_gans.architectures import DCGANDiscriminator
from keras_gans.architectures import DCGANGenerator
from keras_gans.architectures import DenseDiscriminator
from keras_gans.architectures import DenseGenerator
from keras_gans.losses import GradientPenalty
from keras_gans.models import AdversarialModel


def _assemble(
    generator_cls,
    discriminator_cls,
    generator_args,
    discriminator_args,
    recipe,
    image_shape,
    latent_dim,
    num_classes,
    seed,
    overrides,
):
    generator = generator_cls(
        latent_dim=latent_dim,
        image_shape=image_shape,
        num_classes=num_classes,
        **generator_args,
    )
    discriminator = discriminator_cls(
        image_shape=image_shape, num_classes=num_classes, **discriminator_args
    )
    gan = AdversarialModel(generator, discriminator, seed=seed)
    gan.compile(**{**recipe, **overrides})
    return gan


def _merge(defaults, given):
    return {**defaults, **(given or {})}


def gan(
    image_shape=(28, 28, 1),
    latent_dim=100,
    num_classes=None,
    generator_args=None,
    discriminator_args=None,
    seed=None,
    **compile_args,
):
    """The original GAN: MLPs trained with SGD and momentum.

    Networks: `DenseGenerator` with hidden layers (1200, 1200) and
    `DenseDiscriminator` with hidden layers (240, 240) and dropout 0.5 (the
    paper's MNIST sizes; its maxout units are LeakyReLU here). Loss: the
    non-saturating generator loss, which the paper recommends in practice.
    Optimizers: SGD with learning rate 0.1 and momentum 0.5.

    Args:
        image_shape: tuple. Sample shape. Defaults to `(28, 28, 1)`.
        latent_dim: int. Size of `z`. Defaults to `100`.
        num_classes: int. Makes the networks conditional. Defaults to `None`.
        generator_args: dict. Overrides of the generator builder's arguments.
        discriminator_args: dict. Overrides of the discriminator builder's
            arguments.
        seed: int. Seed of the training noise. Defaults to `None`.
        **compile_args: overrides of `AdversarialModel.compile` arguments.

    Returns:
        A compiled `keras_gans.AdversarialModel`.

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
    """
    recipe = {
        "loss": "non_saturating",
        "g_optimizer": keras.optimizers.SGD(0.1, momentum=0.5),
        "d_optimizer": keras.optimizers.SGD(0.1, momentum=0.5),
    }
    return _assemble(
        DenseGenerator,
        DenseDiscriminator,
        _merge({"hidden_units": (1200, 1200)}, generator_args),
        _merge({"hidden_units": (240, 240), "dropout": 0.5}, discriminator_args),
        recipe,
        image_shape,
        latent_dim,
        num_classes,
        seed,
        compile_args,
    )


def cgan(
    image_shape=(28, 28, 1),
    latent_dim=100,
    num_classes=10,
    generator_args=None,
    discriminator_args=None,
    seed=None,
    **compile_args,
):
    """The conditional GAN: the `gan` recipe with the label fed to both MLPs.

    The generator concatenates an embedding of the label with `z`; the
    discriminator concatenates one to the flattened image
    (`label_conditioning="input"`). Train it on `(images, labels)`.

    Args:
        image_shape: tuple. Sample shape. Defaults to `(28, 28, 1)`.
        latent_dim: int. Size of `z`. Defaults to `100`.
        num_classes: int. Number of classes. Defaults to `10`.
        generator_args: dict. Overrides of the generator builder's arguments.
        discriminator_args: dict. Overrides of the discriminator builder's
            arguments.
        seed: int. Seed of the training noise. Defaults to `None`.
        **compile_args: overrides of `AdversarialModel.compile` arguments.

    Returns:
        A compiled conditional `keras_gans.AdversarialModel`.

    Reference:
        Mirza and Osindero, "Conditional Generative Adversarial Nets", 2014.
    """
    if num_classes is None:
        raise ValueError("The cgan preset is conditional: give `num_classes`. Received: None")
    return gan(
        image_shape,
        latent_dim,
        num_classes,
        generator_args,
        discriminator_args,
        seed,
        **compile_args,
    )


_ARGS_DOC = """
    Args:
        image_shape: tuple. Image shape: 28x28 or a square power of two from
            32 to 256, any number of channels. Defaults to `(64, 64, 3)`.
        latent_dim: int. Size of `z`. Defaults to `100`.
        num_classes: int. Makes the networks conditional. Defaults to `None`.
        generator_args: dict. Overrides of `DCGANGenerator` arguments (its
            width `base_filters` is 64).
        discriminator_args: dict. Overrides of `DCGANDiscriminator`
            arguments.
        seed: int. Seed of the training noise. Defaults to `None`.
        **compile_args: overrides of `AdversarialModel.compile` arguments.

    Returns:
        A compiled `keras_gans.AdversarialModel`.
"""


def _convolutional_preset(name, recipe, discriminator_defaults, summary, reference):
    """A preset on the DCGAN networks: `recipe()` gives fresh compile arguments."""

    def preset(
        image_shape=(64, 64, 3),
        latent_dim=100,
        num_classes=None,
        generator_args=None,
        discriminator_args=None,
        seed=None,
        **compile_args,
    ):
        return _assemble(
            DCGANGenerator,
            DCGANDiscriminator,
            _merge({"base_filters": 64}, generator_args),
            _merge({"base_filters": 64, **discriminator_defaults}, discriminator_args),
            recipe(),
            image_shape,
            latent_dim,
            num_classes,
            seed,
            compile_args,
        )

    preset.__name__ = preset.__qualname__ = name
    preset.__doc__ = f"{summary}\n{_ARGS_DOC}\n    Reference:\n        {reference}\n"
    return preset


def _adam(learning_rate, beta_1, beta_2=0.999):
    return {
        "g_optimizer": keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2),
        "d_optimizer": keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2),
    }


dcgan = _convolutional_preset(
    "dcgan",
    lambda: {"loss": "non_saturating", **_adam(2e-4, 0.5)},
    {},
    "DCGAN: the DCGAN networks, non-saturating loss, Adam(2e-4, beta_1=0.5).",
    'Radford et al., "Unsupervised Representation Learning with Deep '
    'Convolutional Generative Adversarial Networks", ICLR 2016.',
)

lsgan = _convolutional_preset(
    "lsgan",
    lambda: {"loss": "least_squares", **_adam(2e-4, 0.5)},
    {},
    "LSGAN: least squares loss with targets a=0, b=c=1, Adam(2e-4, beta_1=0.5).",
    'Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017.',
)

wgan = _convolutional_preset(
    "wgan",
    lambda: {
        "loss": "wasserstein",
        "g_optimizer": keras.optimizers.RMSprop(5e-5),
        "d_optimizer": keras.optimizers.RMSprop(5e-5),
        "d_steps": 5,
        "weight_clip": 0.01,
    },
    {},
    "WGAN: Wasserstein loss, critic weights clipped to 0.01, 5 critic steps per\n"
    "    generator step, RMSprop(5e-5), on the DCGAN networks (batch norm in the\n"
    "    critic, as in the paper). Each batch is split into 5 critic batches.",
    'Arjovsky et al., "Wasserstein Generative Adversarial Networks", ICML 2017.',
)

wgan_gp = _convolutional_preset(
    "wgan_gp",
    lambda: {
        "loss": "wasserstein",
        **_adam(1e-4, 0.0, 0.9),
        "d_steps": 5,
        "penalties": [GradientPenalty(weight=10.0)],
    },
    {"normalization": "layer"},
    "WGAN-GP: Wasserstein loss with a gradient penalty of weight 10, 5 critic\n"
    "    steps, Adam(1e-4, beta_1=0, beta_2=0.9); the critic uses layer\n"
    "    normalisation instead of batch norm, which would break the per-sample\n"
    "    penalty.",
    'Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017.',
)

sngan = _convolutional_preset(
    "sngan",
    lambda: {"loss": "hinge", **_adam(2e-4, 0.0, 0.9), "d_steps": 5},
    {"spectral_norm": True, "normalization": None},
    "SNGAN: hinge loss, spectral normalisation of every discriminator layer and no\n"
    "    other normalisation in it, 5 discriminator steps, Adam(2e-4, beta_1=0,\n"
    "    beta_2=0.9).",
    'Miyato et al., "Spectral Normalization for Generative Adversarial Networks", ICLR 2018.',
)


PRESETS = {
    "gan": gan,
    "cgan": cgan,
    "dcgan": dcgan,
    "lsgan": lsgan,
    "wgan": wgan,
    "wgan_gp": wgan_gp,
    "sngan": sngan,
}


def get(name, **kwargs):
    """Returns the compiled `AdversarialModel` of the preset `name`.

    Args:
        name: str. One of `keras_gans.presets.PRESETS`.
        **kwargs: the preset's arguments.

    Example:

    ```python
    gan = keras_gans.presets.get("dcgan", image_shape=(28, 28, 1))
    ```
    """
    if name not in PRESETS:
        raise ValueError(f"Unknown preset {name!r}. Valid names are {sorted(PRESETS)}.")
    return PRESETS[name](**kwargs)
