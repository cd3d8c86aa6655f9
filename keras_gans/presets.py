"""The named recipes of the classic GAN papers, as compiled `AdversarialModel`s.

Each preset builds the paper's kind of networks for a given image shape and
compiles them with the paper's loss, optimizers and update schedule. Any
`compile` argument can be overridden by keyword (e.g. `augmentation=` for
DiffAugment), and the builders' arguments through `generator_args` and
`discriminator_args`:

```python
gan = keras_gans.presets.get("wgan_gp", image_shape=(28, 28, 1))
gan = keras_gans.presets.wgan_gp(
    image_shape=(28, 28, 1), d_steps=3, discriminator_args={"base_filters": 32}
)
dataset = keras_gans.data.load_dataset(
    "mnist_sample", batch_size=gan.schedule.data_batch_size(64)
)
gan.fit(dataset, epochs=10)
```

Batches: with `d_steps=k` the engine splits each data batch into `k` slices,
one per discriminator update, and the generator update sees one slice of
generated samples. The papers' critic updates each see a batch of 64, so those
recipes need data batches of `k * 64`: `gan.schedule.data_batch_size(64)`.

The convolutional presets use the DCGAN networks, so they take 28x28 images or
square power-of-two sizes from 32 to 256; the MLP presets (`gan`, `cgan`) take
any shape.
"""

import keras

from keras_gans.architectures import DCGANDiscriminator
from keras_gans.architectures import DCGANGenerator
from keras_gans.architectures import DenseDiscriminator
from keras_gans.architectures import DenseGenerator
from keras_gans.architectures import ProgressiveDiscriminator
from keras_gans.architectures import ProgressiveGenerator
from keras_gans.architectures import StyleGANDiscriminator
from keras_gans.architectures import StyleGANGenerator
from keras_gans.losses import DriftPenalty
from keras_gans.losses import GradientPenalty
from keras_gans.losses import PathLengthPenalty
from keras_gans.losses import R1Penalty
from keras_gans.losses import lazy_optimizer_settings
from keras_gans.models import AdversarialModel
from keras_gans.models import Progressive
from keras_gans.models import StyleGAN


def _assemble(networks, image_shape, latent_dim, num_classes, seed, recipe, overrides):
    """Builds the networks and compiles the recipe with the caller's overrides."""
    generator_cls, generator_args, discriminator_cls, discriminator_args = networks
    generator = generator_cls(
        latent_dim=latent_dim, image_shape=image_shape, num_classes=num_classes, **generator_args
    )
    discriminator = discriminator_cls(
        image_shape=image_shape, num_classes=num_classes, **discriminator_args
    )
    gan = AdversarialModel(generator, discriminator, seed=seed)
    gan.compile(**{**recipe, **overrides})
    return gan


def _dcgan_networks(generator_args, discriminator_args, **discriminator_defaults):
    return (
        DCGANGenerator,
        {"base_filters": 64, **(generator_args or {})},
        DCGANDiscriminator,
        {"base_filters": 64, **discriminator_defaults, **(discriminator_args or {})},
    )


def _adam_pair(learning_rate, beta_1, beta_2=0.999):
    return {
        "g_optimizer": keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2),
        "d_optimizer": keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2),
    }


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
    Optimizers: SGD with learning rate 0.1 and momentum 0.5. One
    discriminator update and one generator update per batch, each on the
    whole batch (the paper used 100).

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
    networks = (
        DenseGenerator,
        {"hidden_units": (1200, 1200), **(generator_args or {})},
        DenseDiscriminator,
        {"hidden_units": (240, 240), "dropout": 0.5, **(discriminator_args or {})},
    )
    recipe = {
        "loss": "non_saturating",
        "g_optimizer": keras.optimizers.SGD(0.1, momentum=0.5),
        "d_optimizer": keras.optimizers.SGD(0.1, momentum=0.5),
    }
    return _assemble(networks, image_shape, latent_dim, num_classes, seed, recipe, compile_args)


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
    (`label_conditioning="input"`). Train it on `(images, labels)`; each
    update sees the whole batch.

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


def dcgan(
    image_shape=(64, 64, 3),
    latent_dim=100,
    num_classes=None,
    generator_args=None,
    discriminator_args=None,
    seed=None,
    **compile_args,
):
    """DCGAN: the DCGAN networks, non-saturating loss, Adam(2e-4, beta_1=0.5).

    One discriminator update and one generator update per batch, each on the
    whole batch (the paper used 128).

    Args:
        image_shape: tuple. 28x28 or a square power of two from 32 to 256, any
            number of channels. Defaults to `(64, 64, 3)`.
        latent_dim: int. Size of `z`. Defaults to `100`.
        num_classes: int. Makes the networks conditional. Defaults to `None`.
        generator_args: dict. Overrides of `DCGANGenerator` arguments (its
            width `base_filters` is 64).
        discriminator_args: dict. Overrides of `DCGANDiscriminator` arguments.
        seed: int. Seed of the training noise. Defaults to `None`.
        **compile_args: overrides of `AdversarialModel.compile` arguments.

    Returns:
        A compiled `keras_gans.AdversarialModel`.

    Reference:
        Radford et al., "Unsupervised Representation Learning with Deep
        Convolutional Generative Adversarial Networks", ICLR 2016.
    """
    recipe = {"loss": "non_saturating", **_adam_pair(2e-4, 0.5)}
    networks = _dcgan_networks(generator_args, discriminator_args)
    return _assemble(networks, image_shape, latent_dim, num_classes, seed, recipe, compile_args)


def lsgan(
    image_shape=(64, 64, 3),
    latent_dim=100,
    num_classes=None,
    generator_args=None,
    discriminator_args=None,
    seed=None,
    **compile_args,
):
    """LSGAN: least squares loss (targets a=0, b=c=1) on the DCGAN networks, Adam(2e-4, 0.5).

    One discriminator update and one generator update per batch, each on the
    whole batch (the paper used 64).

    Args:
        image_shape: tuple. As `dcgan`. Defaults to `(64, 64, 3)`.
        latent_dim: int. Size of `z`. Defaults to `100`.
        num_classes: int. Makes the networks conditional. Defaults to `None`.
        generator_args: dict. Overrides of `DCGANGenerator` arguments.
        discriminator_args: dict. Overrides of `DCGANDiscriminator` arguments.
        seed: int. Seed of the training noise. Defaults to `None`.
        **compile_args: overrides of `AdversarialModel.compile` arguments.

    Returns:
        A compiled `keras_gans.AdversarialModel`.

    Reference:
        Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017.
    """
    recipe = {"loss": "least_squares", **_adam_pair(2e-4, 0.5)}
    networks = _dcgan_networks(generator_args, discriminator_args)
    return _assemble(networks, image_shape, latent_dim, num_classes, seed, recipe, compile_args)


def wgan(
    image_shape=(64, 64, 3),
    latent_dim=100,
    num_classes=None,
    generator_args=None,
    discriminator_args=None,
    seed=None,
    **compile_args,
):
    """WGAN: Wasserstein loss, critic weights clipped to 0.01, RMSprop(5e-5).

    Five critic updates per generator update, on the DCGAN networks (batch
    norm in the critic, as in the paper). Each critic update sees one fifth of
    the data batch: for the paper's 64 images per critic update, feed batches
    of 5 x 64 = 320 (`gan.schedule.data_batch_size(64)`); the generator update
    then sees 64 generated images.

    Args:
        image_shape: tuple. As `dcgan`. Defaults to `(64, 64, 3)`.
        latent_dim: int. Size of `z`. Defaults to `100`.
        num_classes: int. Makes the networks conditional. Defaults to `None`.
        generator_args: dict. Overrides of `DCGANGenerator` arguments.
        discriminator_args: dict. Overrides of `DCGANDiscriminator` arguments.
        seed: int. Seed of the training noise. Defaults to `None`.
        **compile_args: overrides of `AdversarialModel.compile` arguments.

    Returns:
        A compiled `keras_gans.AdversarialModel`.

    Reference:
        Arjovsky et al., "Wasserstein Generative Adversarial Networks", ICML 2017.
    """
    recipe = {
        "loss": "wasserstein",
        "g_optimizer": keras.optimizers.RMSprop(5e-5),
        "d_optimizer": keras.optimizers.RMSprop(5e-5),
        "d_steps": 5,
        "weight_clip": 0.01,
    }
    networks = _dcgan_networks(generator_args, discriminator_args)
    return _assemble(networks, image_shape, latent_dim, num_classes, seed, recipe, compile_args)


def wgan_gp(
    image_shape=(64, 64, 3),
    latent_dim=100,
    num_classes=None,
    generator_args=None,
    discriminator_args=None,
    seed=None,
    **compile_args,
):
    """WGAN-GP: Wasserstein loss with a gradient penalty of weight 10, Adam(1e-4, 0, 0.9).

    Five critic updates per generator update. The critic uses layer
    normalisation instead of batch norm, which would break the per-sample
    penalty. Each critic update sees one fifth of the data batch: for the
    paper's 64 images per critic update, feed batches of 5 x 64 = 320
    (`gan.schedule.data_batch_size(64)`); the generator update then sees 64
    generated images.

    Args:
        image_shape: tuple. As `dcgan`. Defaults to `(64, 64, 3)`.
        latent_dim: int. Size of `z`. Defaults to `100`.
        num_classes: int. Makes the networks conditional. Defaults to `None`.
        generator_args: dict. Overrides of `DCGANGenerator` arguments.
        discriminator_args: dict. Overrides of `DCGANDiscriminator` arguments
            (`normalization="layer"` by default).
        seed: int. Seed of the training noise. Defaults to `None`.
        **compile_args: overrides of `AdversarialModel.compile` arguments.

    Returns:
        A compiled `keras_gans.AdversarialModel`.

    Reference:
        Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017.
    """
    recipe = {
        "loss": "wasserstein",
        **_adam_pair(1e-4, 0.0, 0.9),
        "d_steps": 5,
        "regularizers": [GradientPenalty(weight=10.0)],
    }
    networks = _dcgan_networks(generator_args, discriminator_args, normalization="layer")
    return _assemble(networks, image_shape, latent_dim, num_classes, seed, recipe, compile_args)


def sngan(
    image_shape=(64, 64, 3),
    latent_dim=100,
    num_classes=None,
    generator_args=None,
    discriminator_args=None,
    seed=None,
    **compile_args,
):
    """SNGAN: hinge loss, spectral normalisation in the discriminator, Adam(2e-4, 0, 0.9).

    Spectral normalisation on every discriminator layer and no other
    normalisation in it; five discriminator updates per generator update.
    Each discriminator update sees one fifth of the data batch: for the
    paper's 64 images per update, feed batches of 5 x 64 = 320
    (`gan.schedule.data_batch_size(64)`); the generator update then sees 64
    generated images (the paper's generator batch was 128).

    Args:
        image_shape: tuple. As `dcgan`. Defaults to `(64, 64, 3)`.
        latent_dim: int. Size of `z`. Defaults to `100`.
        num_classes: int. Makes the networks conditional. Defaults to `None`.
        generator_args: dict. Overrides of `DCGANGenerator` arguments.
        discriminator_args: dict. Overrides of `DCGANDiscriminator` arguments
            (`spectral_norm=True, normalization=None` by default).
        seed: int. Seed of the training noise. Defaults to `None`.
        **compile_args: overrides of `AdversarialModel.compile` arguments.

    Returns:
        A compiled `keras_gans.AdversarialModel`.

    Reference:
        Miyato et al., "Spectral Normalization for Generative Adversarial
        Networks", ICLR 2018.
    """
    recipe = {"loss": "hinge", **_adam_pair(2e-4, 0.0, 0.9), "d_steps": 5}
    networks = _dcgan_networks(
        generator_args, discriminator_args, spectral_norm=True, normalization=None
    )
    return _assemble(networks, image_shape, latent_dim, num_classes, seed, recipe, compile_args)


# Sizes of the style-based networks. "paper": the papers' widths (config F);
# "small": a configuration for 32 to 64 pixels that trains on a CPU, narrower
# and with a shorter mapping network, as the reference CIFAR-10 settings are.
STYLE_SIZES = {
    "paper": {
        "latent_dim": 512,
        "w_dim": 512,
        "mapping_layers": 8,
        "channel_base": 16384,
        "channel_max": 512,
    },
    "small": {
        "latent_dim": 128,
        "w_dim": 128,
        "mapping_layers": 2,
        "channel_base": 4096,
        "channel_max": 128,
    },
}


def _ema_momentum(batch_size, half_life_images):
    """Per-step decay of a weight average whose half-life is counted in images."""
    return 0.5 ** (batch_size / half_life_images)


def _lazy_adam(learning_rate, every):
    lr, beta_1, beta_2 = lazy_optimizer_settings(every, learning_rate, 0.0, 0.99)
    return {"learning_rate": lr, "beta_1": beta_1, "beta_2": beta_2, "epsilon": 1e-8}


def _style_gan(
    style,
    image_shape,
    size,
    num_classes,
    batch_size,
    seed,
    generator_args,
    discriminator_args,
    style_mixing_prob,
    recipe,
    overrides,
):
    if size not in STYLE_SIZES:
        raise ValueError(f"`size` must be one of {sorted(STYLE_SIZES)}. Received: size={size!r}")
    widths = STYLE_SIZES[size]
    generator = StyleGANGenerator(
        image_shape=image_shape,
        num_classes=num_classes,
        style=style,
        seed=seed,
        **{**widths, **(generator_args or {})},
    )
    discriminator_defaults = {
        "channel_base": widths["channel_base"],
        "channel_max": widths["channel_max"],
        "mbstd_group_size": min(4, batch_size),
        "architecture": "resnet" if style == "modulation" else "orig",
    }
    discriminator = StyleGANDiscriminator(
        image_shape=image_shape,
        num_classes=num_classes,
        **{**discriminator_defaults, **(discriminator_args or {})},
    )
    gan = StyleGAN(generator, discriminator, style_mixing_prob=style_mixing_prob, seed=seed)
    gan.compile(**{**recipe, **overrides})
    return gan


def stylegan2(
    image_shape=(64, 64, 3),
    size="paper",
    num_classes=None,
    batch_size=32,
    seed=None,
    generator_args=None,
    discriminator_args=None,
    style_mixing_prob=0.9,
    **compile_args,
):
    """StyleGAN2: modulated convolutions, skip generator, residual discriminator.

    The paper's training (config F): non-saturating loss; R1 with gamma 10
    every 16 discriminator updates and path length regularisation (weight 2,
    decay 0.01) every 4 generator updates, with the lazy-regularisation
    adjustment of both Adams (learning rate 0.002, betas (0, 0.99), epsilon
    1e-8, scaled by `every / (every + 1)`); style mixing with probability 0.9;
    an average of the generator's weights with a half-life of 10,000 images
    (`use_ema`, momentum `0.5 ** (batch_size / 10000)`), which `generate` and
    the export use. One discriminator update and one generator update per
    batch of `batch_size` (the paper's 32), minibatch standard deviation over
    groups of 4. With `size="small"` (z and w of 128, 2 mapping layers, at
    most 128 feature maps, R1 gamma `0.0002 * side**2 / batch_size` as
    StyleGAN2-ADA's automatic setting) it trains at 32 to 64 pixels on a CPU.

    Args:
        image_shape: tuple. `(size, size, channels)`, side a power of two.
            Defaults to `(64, 64, 3)`.
        size: str. `"paper"` or `"small"`. Defaults to `"paper"`.
        num_classes: int. Makes the networks conditional. Defaults to `None`.
        batch_size: int. The data batch the model will train on, for the
            weight average's decay and the minibatch standard deviation.
            Defaults to `32`.
        seed: int. Seed of the training noise. Defaults to `None`.
        generator_args: dict. Overrides of `StyleGANGenerator` arguments.
        discriminator_args: dict. Overrides of `StyleGANDiscriminator` arguments.
        style_mixing_prob: float. Defaults to `0.9`.
        **compile_args: overrides of `AdversarialModel.compile` arguments.

    Returns:
        A compiled `keras_gans.models.StyleGAN`.

    Reference:
        Karras et al., "Analyzing and Improving the Image Quality of StyleGAN",
        CVPR 2020.
    """
    gamma = 10.0 if size == "paper" else 0.0002 * image_shape[0] ** 2 / batch_size
    recipe = {
        "loss": "non_saturating",
        "g_optimizer": keras.optimizers.Adam(
            **_lazy_adam(0.002, 4),
            use_ema=True,
            ema_momentum=_ema_momentum(batch_size, 10_000),
        ),
        "d_optimizer": keras.optimizers.Adam(**_lazy_adam(0.002, 16)),
        "regularizers": [
            R1Penalty(gamma=gamma, every=16),
            PathLengthPenalty(weight=2.0, every=4, decay=0.01),
        ],
    }
    return _style_gan(
        "modulation",
        image_shape,
        size,
        num_classes,
        batch_size,
        seed,
        generator_args,
        discriminator_args,
        style_mixing_prob,
        recipe,
        compile_args,
    )


def stylegan(
    image_shape=(64, 64, 3),
    size="paper",
    num_classes=None,
    batch_size=32,
    seed=None,
    generator_args=None,
    discriminator_args=None,
    style_mixing_prob=0.9,
    **compile_args,
):
    """StyleGAN: adaptive instance normalisation, noise, style mixing.

    The paper's networks without progressive growing (they train at full
    size from the start): a synthesis network styled by AdaIN from a constant
    of ones, StyleGAN's plain discriminator. Training: non-saturating loss
    with R1 (gamma 10) on every update, Adam(0.001, betas (0, 0.99), epsilon
    1e-8), style mixing with probability 0.9, a generator weight average with
    a half-life of 10,000 images. One discriminator update and one generator
    update per batch of `batch_size`. Arguments as `stylegan2`.

    Returns:
        A compiled `keras_gans.models.StyleGAN`.

    Reference:
        Karras et al., "A Style-Based Generator Architecture for Generative
        Adversarial Networks", CVPR 2019.
    """
    gamma = 10.0 if size == "paper" else 0.0002 * image_shape[0] ** 2 / batch_size
    adam = {"learning_rate": 0.001, "beta_1": 0.0, "beta_2": 0.99, "epsilon": 1e-8}
    recipe = {
        "loss": "non_saturating",
        "g_optimizer": keras.optimizers.Adam(
            **adam, use_ema=True, ema_momentum=_ema_momentum(batch_size, 10_000)
        ),
        "d_optimizer": keras.optimizers.Adam(**adam),
        "regularizers": [R1Penalty(gamma=gamma)],
    }
    return _style_gan(
        "adain",
        image_shape,
        size,
        num_classes,
        batch_size,
        seed,
        generator_args,
        discriminator_args,
        style_mixing_prob,
        recipe,
        compile_args,
    )


# Batch per resolution of ProGAN's one-GPU configuration.
PROGAN_BATCH_SIZES = {4: 128, 8: 128, 16: 128, 32: 64, 64: 32, 128: 16, 256: 8, 512: 4}
PROGAN_SIZES = {
    "paper": {"latent_dim": 512, "channel_base": 16384, "channel_max": 512},
    "small": {"latent_dim": 128, "channel_base": 2048, "channel_max": 128},
}


def progan(
    image_shape=(64, 64, 3),
    size="paper",
    stable_images=600_000,
    transition_images=600_000,
    batch_sizes=None,
    seed=None,
    generator_args=None,
    discriminator_args=None,
    **compile_args,
):
    """ProGAN: networks grown from 4x4 to full size, WGAN-GP with drift.

    The paper's training: Wasserstein loss with a gradient penalty of weight
    10 and the drift term `0.001 * D(x)^2` on real scores; one critic update
    per generator update; Adam(0.001, betas (0, 0.99), epsilon 1e-8) for both,
    reset at each phase; an average of the generator's weights (momentum
    0.999) for sampling and export; `stable_images` images per resolution and
    `transition_images` per fade-in (the defaults' 600k; the paper's CelebA-HQ
    runs used 800k); batch size per resolution (`PROGAN_BATCH_SIZES`, the
    one-GPU configuration: 128 images per update up to 16x16, then 64, 32,
    ...). Feed data batches of the largest batch size used, at full
    resolution: each update takes the first `batch_sizes[resolution]` images.
    With `size="small"` (z of 128, at most 128 feature maps) it trains at 32
    to 64 pixels on a CPU.

    Args:
        image_shape: tuple. `(size, size, channels)`, side a power of two.
            Defaults to `(64, 64, 3)`.
        size: str. `"paper"` or `"small"`. Defaults to `"paper"`.
        stable_images: int. Defaults to `600_000`.
        transition_images: int. Defaults to `600_000`.
        batch_sizes: dict. Batch per resolution. Defaults to
            `PROGAN_BATCH_SIZES`.
        seed: int. Seed of the training noise. Defaults to `None`.
        generator_args: dict. Overrides of `ProgressiveGenerator` arguments.
        discriminator_args: dict. Overrides of `ProgressiveDiscriminator`
            arguments.
        **compile_args: overrides of `AdversarialModel.compile` arguments.

    Returns:
        A compiled `keras_gans.AdversarialModel` with the `Progressive`
        schedule (`gan.schedule.total_images()` images grow it fully).

    Reference:
        Karras et al., "Progressive Growing of GANs for Improved Quality,
        Stability, and Variation", ICLR 2018.
    """
    if size not in PROGAN_SIZES:
        raise ValueError(f"`size` must be one of {sorted(PROGAN_SIZES)}. Received: size={size!r}")
    widths = PROGAN_SIZES[size]
    batch_sizes = {
        r: b for r, b in (batch_sizes or PROGAN_BATCH_SIZES).items() if r <= image_shape[0]
    }
    generator = ProgressiveGenerator(
        image_shape=image_shape, **{**widths, **(generator_args or {})}
    )
    discriminator_defaults = {
        "channel_base": widths["channel_base"],
        "channel_max": widths["channel_max"],
        "mbstd_group_size": min(4, min(batch_sizes.values())),
    }
    discriminator = ProgressiveDiscriminator(
        image_shape=image_shape, **{**discriminator_defaults, **(discriminator_args or {})}
    )
    adam = {"learning_rate": 0.001, "beta_1": 0.0, "beta_2": 0.99, "epsilon": 1e-8}
    recipe = {
        "loss": "wasserstein",
        "g_optimizer": keras.optimizers.Adam(**adam, use_ema=True, ema_momentum=0.999),
        "d_optimizer": keras.optimizers.Adam(**adam),
        "regularizers": [GradientPenalty(10.0), DriftPenalty(0.001)],
        "update": Progressive(stable_images, transition_images, batch_sizes),
    }
    gan = AdversarialModel(generator, discriminator, seed=seed)
    gan.compile(**{**recipe, **compile_args})
    return gan


PRESETS = {
    "gan": gan,
    "cgan": cgan,
    "dcgan": dcgan,
    "lsgan": lsgan,
    "wgan": wgan,
    "wgan_gp": wgan_gp,
    "sngan": sngan,
    "progan": progan,
    "stylegan": stylegan,
    "stylegan2": stylegan2,
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
