"""Recipes of the mode-collapse lab: compiled models for the 2-D targets, and trials.

Four recipes, built by `build(recipe)` and trained and scored by `run_trial`:

* `"gan"`: the GAN of the PacGAN experiments. The generator is an MLP of four
  ReLU layers of 400 units with batch normalisation and a linear output, fed
  `z ~ N(0, I)` in R^2; the discriminator is three maxout layers of 200 units
  (5 pieces each, the `Maxout` layer below) and a linear logit; every weight
  starts as `N(0, 0.02)` and every bias at 0. Non-saturating loss, Adam with
  learning rate 1e-4 and beta_1 0.8 for both players, batches of 100.
* `"pacgan"`: the same networks and training, with a discriminator that
  judges `packing` samples at once (`keras_gans.layers.PackSamples` as its
  first layer; 4 by default). As in the PacGAN experiments, each
  discriminator update sees 100 packs, so `packing * 100` real and as many
  generated samples, and an epoch is 100,000 packs.
* `"wgan_gp"`: the same generator against a critic of the same shape, trained
  with the Wasserstein loss and the gradient penalty of WGAN-GP.
* `"vae"`: the likelihood-based baseline, `keras_gans.models.vae.VAE` with the
  dense encoder and decoder of `networks` (samples are the decoder's means of
  `z ~ N(0, I)`).

An epoch is one pass over a training set of 100,000 examples drawn once from
the target (an example of a packed discriminator is a pack of `packing`
samples), as in the PacGAN experiments, which train for 400 epochs.

Every setting of a recipe is in `RECIPES[recipe]` and can be overridden by a
keyword argument of `build`, `training_data` and `run_trial`:

```python
from keras_gans.applications.mode_collapse import lab

result = lab.run_trial("pacgan", "grid_2d", epochs=40, seed=0, packing=2)
result["modes"], result["hq_share"], result["reverse_kl"]
```

References:
    Lin et al., "PacGAN: The power of two samples in generative adversarial
    networks", NeurIPS 2018; Srivastava et al., "VEEGAN: Reducing Mode
    Collapse in GANs using Implicit Variational Learning", NeurIPS 2017;
    Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017;
    Goodfellow et al., "Maxout Networks", ICML 2013.
"""

import os
import time

import keras
import numpy as np
from keras import ops

from keras_gans.applications import rejection_sampling
from keras_gans.applications.mode_collapse import metrics
from keras_gans.applications.mode_collapse import networks
from keras_gans.applications.mode_collapse import targets
from keras_gans.layers import PackSamples
from keras_gans.losses import GradientPenalty
from keras_gans.models import AdversarialModel
from keras_gans.models.vae import VAE
from keras_gans.utils import validation

# The settings of each recipe. `batch_size` is the number of examples (samples,
# or packs of `packing` samples) each discriminator update sees; an epoch is
# `epoch_examples` of them.
# How `fit` runs the step (`AdversarialModel.compile`'s arguments): speed only.
_EXECUTION = {"steps_per_execution": 1, "jit_compile": "auto"}
_NETWORKS = {
    "latent_dim": 2,
    "generator_units": (400, 400, 400, 400),
    "discriminator_units": (200, 200, 200),
    "activation": "maxout",
    "pieces": 5,
    "init_std": 0.02,
    "fourier_features": 0,
    "fourier_scale": 2.0,
    "fourier_keep_inputs": False,
}
_PACGAN = {
    **_NETWORKS,
    "loss": "non_saturating",
    "packing": 1,
    "d_steps": 1,
    "gradient_penalty": 0.0,
    "learning_rate": 1e-4,
    "generator_learning_rate": None,
    # A moving average of the generator's weights, which then draws the
    # samples (None: the trained weights, as in the PacGAN experiments).
    "ema_momentum": None,
    # Epochs over which both learning rates fall to 0 along a cosine (None:
    # constant learning rates, as in the PacGAN experiments).
    "decay_epochs": None,
    # Discriminator rejection sampling of the scored samples
    # (`keras_gans.applications.DiscriminatorRejectionSampler` with this
    # `gamma_quantile`; None: the generator's samples as they come), after
    # `calibration_steps` discriminator-only updates against the final
    # generator.
    "rejection_quantile": None,
    "calibration_steps": 0,
    # How the packed discriminator scores each sample for rejection sampling
    # (`DiscriminatorRejectionSampler`'s `packmates`, "shared" or "random",
    # and `packings`, the packs averaged per sample).
    "rejection_packmates": "shared",
    "rejection_packings": 32,
    "beta_1": 0.8,
    "beta_2": 0.999,
    "batch_size": 100,
    "epoch_examples": 100_000,
    **_EXECUTION,
}
RECIPES = {
    "gan": dict(_PACGAN),
    "pacgan": {**_PACGAN, "packing": 4},
    # WGAN-GP's own training: 5 critic updates per generator update, penalty
    # weight 10, Adam(1e-4, beta_1=0.5, beta_2=0.9); the critic is the maxout
    # discriminator (no batch normalisation, which the penalty forbids).
    "wgan_gp": {
        **_PACGAN,
        "loss": "wasserstein",
        "d_steps": 5,
        "gradient_penalty": 10.0,
        "beta_1": 0.5,
        "beta_2": 0.9,
    },
    "vae": {
        "latent_dim": 2,
        "vae_units": (400, 400, 400, 400),
        "learning_rate": 1e-3,
        "batch_size": 100,
        "epoch_examples": 100_000,
        "packing": 1,
        "d_steps": 1,
        **_EXECUTION,
    },
}
# Settings that change only the scoring after training (`score_trial`): a
# trained model can be scored again with other values.
SCORING_SETTINGS = (
    "rejection_quantile",
    "calibration_steps",
    "rejection_packmates",
    "rejection_packings",
)
ACTIVATIONS = ("maxout", "leaky_relu")
# Slope of the LeakyReLU alternative to maxout.
LEAKY_RELU_SLOPE = 0.2
# Momentum of the generator's batch-normalisation statistics: the PacGAN
# experiments update the population statistics with a rate of 0.05.
BATCH_NORM_MOMENTUM = 0.95
TARGETS = {"ring_2d": targets.ring_2d, "grid_2d": targets.grid_2d, "mixture_1d": targets.mixture_1d}
RESULT_KEYS = (
    "recipe",
    "target",
    "seed",
    "epochs",
    "epochs_trained",
    "modes",
    "num_modes",
    "hq_share",
    "reverse_kl",
    "samples",
    "snapshots",
    "train_seconds",
    "settings",
    "history",
    "generator_scores",
    "acceptance_rate",
)


@keras.saving.register_keras_serializable(package="keras_gans")
class Maxout(keras.layers.Layer):
    """A dense maxout layer: the largest of `pieces` affine maps, per unit.

    `y_j = max_k (x W_k + b_k)_j` for `k = 1..pieces`, computed as one
    `Dense(units * pieces)` whose outputs are grouped `pieces` at a time.

    Args:
        units: int. Output size.
        pieces: int. Affine pieces per unit. Defaults to `5`.
        kernel_initializer: initializer of the `(input_dim, units * pieces)`
            kernel. Defaults to `"glorot_uniform"`.
        bias_initializer: initializer of the bias. Defaults to `"zeros"`.
        **kwargs: base layer arguments.

    Reference:
        Goodfellow et al., "Maxout Networks", ICML 2013.
    """

    def __init__(
        self,
        units,
        pieces=5,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = validation.check_positive_int(units, "units")
        self.pieces = validation.check_positive_int(pieces, "pieces")
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units * self.pieces),
            initializer=self.kernel_initializer,
            name="kernel",
        )
        self.bias = self.add_weight(
            shape=(self.units * self.pieces,), initializer=self.bias_initializer, name="bias"
        )

    def call(self, inputs):
        outputs = ops.matmul(inputs, self.kernel) + self.bias
        grouped = ops.reshape(outputs, (-1, self.units, self.pieces))
        return ops.max(grouped, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "pieces": self.pieces,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            }
        )
        return config


@keras.saving.register_keras_serializable(package="keras_gans")
class FourierFeatures(keras.layers.Layer):
    """Fixed random Fourier features: `sin(x B + phi)` with `B ~ N(0, scale^2)`.

    With several scales, the features are split among them: feature `j` has
    frequencies of std `scales[j % len(scales)]`, so coarse features (for
    where the modes are) and fine ones (for exactly where) sit side by side.

    The frequencies `B` (`(input_dim, features)`) and phases `phi ~ U(0, 2 pi)`
    are drawn once, from `seed`, and not trained. A ReLU network on raw
    low-dimensional inputs learns fine detail slowly (its spectral bias);
    these features give it oscillations of about `scale` radians per unit
    from the start.

    Args:
        features: int. Number of features.
        scale: float, or a list of floats. Std of the frequencies, in
            radians per unit of the inputs. Defaults to `2.0`.
        seed: int or None. Seed of the frequencies and phases. Defaults to
            `None`.
        **kwargs: base layer arguments.

    Reference:
        Rahimi and Recht, "Random Features for Large-Scale Kernel Machines",
        NeurIPS 2007; Tancik et al., "Fourier Features Let Networks Learn High
        Frequency Functions in Low Dimensional Domains", NeurIPS 2020.
    """

    def __init__(self, features, scale=2.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.features = validation.check_positive_int(features, "features")
        self.scale = _check_scales(scale, "scale")
        self.seed = validation.check_seed(seed)

    def build(self, input_shape):
        self.frequencies = self.add_weight(
            shape=(input_shape[-1], self.features),
            initializer=keras.initializers.RandomNormal(stddev=1.0, seed=self.seed),
            trainable=False,
            name="frequencies",
        )
        # Standard normal draws scaled per feature, stored scaled (a loaded
        # model's weights then replace them as they are).
        scales = np.resize(np.asarray(self.scale, "float32"), self.features)
        self.frequencies.assign(self.frequencies * scales)
        self.phases = self.add_weight(
            shape=(self.features,),
            initializer=keras.initializers.RandomUniform(
                0.0, 2.0 * np.pi, seed=None if self.seed is None else self.seed + 1
            ),
            trainable=False,
            name="phases",
        )

    def call(self, inputs):
        return ops.sin(ops.matmul(inputs, self.frequencies) + self.phases)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.features)

    def get_config(self):
        config = super().get_config()
        config.update({"features": self.features, "scale": self.scale, "seed": self.seed})
        return config


def _check_scales(scale, name):
    """A positive float, or a non-empty list of them."""
    if isinstance(scale, (list, tuple)):
        if not scale:
            raise ValueError(
                f"`{name}` must be a positive number or a non-empty list of them. "
                f"Received: {name}={scale!r}"
            )
        return [validation.check_number(s, name, minimum=0, exclusive=True) for s in scale]
    return validation.check_number(scale, name, minimum=0, exclusive=True)


def mean_and_error(values):
    """The mean of `values` and its standard error, ignoring NaNs (0 error for one value).

    NaN (a trial's reverse KL when none of its samples is of high quality)
    is left out; with no value left both are NaN.
    """
    values = np.asarray([v for v in values if not np.isnan(v)], dtype=np.float64)
    if values.size == 0:
        return float("nan"), float("nan")
    error = values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else 0.0
    return float(values.mean()), float(error)


def _check_recipe(recipe):
    return validation.check_one_of(recipe, "recipe", tuple(RECIPES))


def settings(recipe, **overrides):
    """The settings of `recipe` with `overrides` applied, checked.

    Args:
        recipe: str. One of `RECIPES`: `"gan"`, `"pacgan"`, `"wgan_gp"`,
            `"vae"`.
        **overrides: settings to change, e.g. `packing=2` or
            `learning_rate=2e-4`.

    Returns:
        A new dict of the recipe's settings.
    """
    recipe = _check_recipe(recipe)
    config = dict(RECIPES[recipe])
    unknown = sorted(set(overrides) - set(config))
    if unknown:
        raise ValueError(
            f"Unknown settings of recipe {recipe!r}: {unknown}. Valid settings: {sorted(config)}"
        )
    config.update(overrides)
    for name in (
        "packing",
        "d_steps",
        "batch_size",
        "epoch_examples",
        "latent_dim",
        "steps_per_execution",
    ):
        config[name] = validation.check_positive_int(config[name], name)
    config["learning_rate"] = validation.check_number(
        config["learning_rate"], "learning_rate", minimum=0, exclusive=True
    )
    if config["jit_compile"] not in (True, False, "auto"):
        raise ValueError(
            "`jit_compile` must be True, False or 'auto'. "
            f"Received: jit_compile={config['jit_compile']!r}"
        )
    if recipe == "vae":
        config["vae_units"] = validation.check_int_tuple(config["vae_units"], "vae_units")
        return config
    for name in ("generator_units", "discriminator_units"):
        config[name] = validation.check_int_tuple(config[name], name, example="(200, 200)")
    config["activation"] = validation.check_one_of(config["activation"], "activation", ACTIVATIONS)
    config["pieces"] = validation.check_positive_int(config["pieces"], "pieces")
    config["fourier_features"] = validation.check_int(
        config["fourier_features"], "fourier_features", minimum=0
    )
    config["fourier_scale"] = _check_scales(config["fourier_scale"], "fourier_scale")
    config["fourier_keep_inputs"] = validation.check_bool(
        config["fourier_keep_inputs"], "fourier_keep_inputs"
    )
    config["init_std"] = validation.check_number(
        config["init_std"], "init_std", minimum=0, exclusive=True
    )
    config["gradient_penalty"] = validation.check_number(
        config["gradient_penalty"], "gradient_penalty", minimum=0
    )
    config["generator_learning_rate"] = validation.check_number(
        config["generator_learning_rate"],
        "generator_learning_rate",
        minimum=0,
        exclusive=True,
        allow_none=True,
    )
    for name in ("beta_1", "beta_2"):
        config[name] = validation.check_number(config[name], name, minimum=0, maximum=1)
    config["ema_momentum"] = validation.check_number(
        config["ema_momentum"], "ema_momentum", minimum=0, maximum=1, allow_none=True
    )
    config["decay_epochs"] = validation.check_number(
        config["decay_epochs"], "decay_epochs", minimum=0, exclusive=True, allow_none=True
    )
    config["rejection_quantile"] = validation.check_number(
        config["rejection_quantile"], "rejection_quantile", minimum=0, allow_none=True
    )
    if config["rejection_quantile"] is not None:
        if config["rejection_quantile"] >= 1:
            raise ValueError(
                "`rejection_quantile` must be in [0, 1). "
                f"Received: rejection_quantile={config['rejection_quantile']}"
            )
        if config["loss"] not in ("non_saturating", "minimax"):
            raise ValueError(
                "`rejection_quantile` needs a discriminator trained with the cross-entropy "
                f"loss ('non_saturating' or 'minimax'). Received: loss={config['loss']!r}"
            )
    config["calibration_steps"] = validation.check_int(
        config["calibration_steps"], "calibration_steps", minimum=0
    )
    config["rejection_packings"] = validation.check_positive_int(
        config["rejection_packings"], "rejection_packings"
    )
    config["rejection_packmates"] = validation.check_one_of(
        config["rejection_packmates"], "rejection_packmates", rejection_sampling.PACKMATES
    )
    return config


def training_settings(config):
    """`config` without the settings that only change how a trained model is scored."""
    return {name: value for name, value in config.items() if name not in SCORING_SETTINGS}


def _initializer(std, seed, offset):
    return keras.initializers.RandomNormal(
        stddev=std, seed=None if seed is None else seed * 1000 + offset
    )


def generator(
    latent_dim=2, data_dim=2, hidden_units=(400, 400, 400, 400), init_std=0.02, seed=None
):
    """The generator of the PacGAN experiments: an MLP with batch normalisation.

    Each hidden layer is `Dense(units, use_bias=False)`, `BatchNormalization`
    and ReLU; the output is a linear `Dense(data_dim)`, unbounded like the
    targets. Weights start as `N(0, init_std)`.

    Args:
        latent_dim: int. Size of the latent input `"latent"`. Defaults to `2`.
        data_dim: int. Size of the samples. Defaults to `2`.
        hidden_units: sequence of ints. Widths of the hidden layers. Defaults
            to `(400, 400, 400, 400)`.
        init_std: float. Std of the initial weights. Defaults to `0.02`.
        seed: int or None. Seed of the initial weights. Defaults to `None`.

    Returns:
        A functional `keras.Model` named `"generator"` mapping
        `(batch, latent_dim)` to `(batch, data_dim)`.
    """
    latent_dim = validation.check_positive_int(latent_dim, "latent_dim")
    data_dim = validation.check_positive_int(data_dim, "data_dim")
    hidden_units = validation.check_int_tuple(hidden_units, "hidden_units", example="(400, 400)")
    init_std = validation.check_number(init_std, "init_std", minimum=0, exclusive=True)
    seed = validation.check_seed(seed)
    latent = keras.Input((latent_dim,), name="latent")
    x = latent
    for i, units in enumerate(hidden_units):
        x = keras.layers.Dense(
            units,
            use_bias=False,
            kernel_initializer=_initializer(init_std, seed, i),
            name=f"hidden_{i}_dense",
        )(x)
        x = keras.layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM, name=f"hidden_{i}_bn")(x)
        x = keras.layers.ReLU(name=f"hidden_{i}_relu")(x)
    samples = keras.layers.Dense(
        data_dim,
        kernel_initializer=_initializer(init_std, seed, len(hidden_units)),
        dtype="float32",
        name="samples",
    )(x)
    return keras.Model(latent, samples, name="generator")


def discriminator(
    data_dim=2,
    hidden_units=(200, 200, 200),
    activation="maxout",
    pieces=5,
    packing=1,
    init_std=0.02,
    fourier_features=0,
    fourier_scale=2.0,
    fourier_keep_inputs=False,
    seed=None,
):
    """The discriminator of the PacGAN experiments: maxout layers and a logit.

    Samples of shape `(batch, data_dim)` are first grouped `packing` at a time
    (`keras_gans.layers.PackSamples`: consecutive samples concatenated, so
    `(batch // packing, packing * data_dim)`), then go through the hidden
    layers, each `Maxout(units, pieces)` (or `Dense` and LeakyReLU(0.2) with
    `activation="leaky_relu"`), and a linear `Dense(1)`. Weights start as
    `N(0, init_std)`, biases at 0.

    With `fourier_features`, each sample is first replaced by its
    `FourierFeatures` (fixed random frequencies, the same for every sample),
    or followed by them with `fourier_keep_inputs`; packing then groups
    these per-sample features. On raw coordinates a packed maxout network
    learns the fine structure of the 2-D targets very slowly (its spectral
    bias); the features give it that structure from the first step.

    Args:
        data_dim: int. Size of the samples. Defaults to `2`.
        hidden_units: sequence of ints. Widths of the hidden layers. Defaults
            to `(200, 200, 200)`.
        activation: str. `"maxout"` or `"leaky_relu"`. Defaults to
            `"maxout"`.
        pieces: int. Pieces of each maxout unit. Defaults to `5`.
        packing: int. Samples judged together. Defaults to `1`.
        init_std: float. Std of the initial weights. Defaults to `0.02`.
        fourier_features: int. Number of Fourier features of each sample, 0
            for none. Defaults to `0`.
        fourier_scale: float, or a list of floats among which the features
            are split. Std of their frequencies, in radians per unit of the
            data. Defaults to `2.0`.
        fourier_keep_inputs: bool. Feed the coordinates beside their Fourier
            features. Defaults to `False`.
        seed: int or None. Seed of the initial weights and the frequencies.
            Defaults to `None`.

    Returns:
        A functional `keras.Model` named `"discriminator"` mapping
        `(batch, data_dim)` to float32 logits of shape `(batch // packing, 1)`.
    """
    data_dim = validation.check_positive_int(data_dim, "data_dim")
    hidden_units = validation.check_int_tuple(hidden_units, "hidden_units", example="(200, 200)")
    activation = validation.check_one_of(activation, "activation", ACTIVATIONS)
    pieces = validation.check_positive_int(pieces, "pieces")
    packing = validation.check_positive_int(packing, "packing")
    init_std = validation.check_number(init_std, "init_std", minimum=0, exclusive=True)
    seed = validation.check_seed(seed)
    # Offsets of the initializers' seeds, apart from the generator's.
    offset = 100
    sample = keras.Input((data_dim,), name="sample")
    x = sample
    if fourier_features:
        # Features of each sample, the same for all: packing then groups them.
        x = FourierFeatures(
            fourier_features,
            fourier_scale,
            seed=None if seed is None else seed * 1000 + 99,
            name="fourier_features",
        )(x)
        if fourier_keep_inputs:
            x = keras.layers.Concatenate(name="inputs_and_features")([sample, x])
    if packing > 1:
        x = PackSamples(packing, name="pack")(x)
    for i, units in enumerate(hidden_units):
        kernel = _initializer(init_std, seed, offset + i)
        if activation == "maxout":
            x = Maxout(units, pieces, kernel_initializer=kernel, name=f"hidden_{i}_maxout")(x)
        else:
            x = keras.layers.Dense(units, kernel_initializer=kernel, name=f"hidden_{i}_dense")(x)
            x = keras.layers.LeakyReLU(LEAKY_RELU_SLOPE, name=f"hidden_{i}_leaky_relu")(x)
    logits = keras.layers.Dense(
        1,
        kernel_initializer=_initializer(init_std, seed, offset + len(hidden_units)),
        dtype="float32",
        name="logits",
    )(x)
    return keras.Model(sample, logits, name="discriminator")


@keras.saving.register_keras_serializable(package="keras_gans")
class MixtureSampler(keras.layers.Layer):
    """Maps `N(0, I)` latents of size `dim + 1` exactly to a Gaussian mixture.

    The first latent picks the mode: `u = Phi(z_0)` is uniform in (0, 1) and
    mode `k = floor(K u)` is drawn with probability `1 / K`; the others give
    the point `means[k] + std * z_{1..dim}`. The layer has no weights: a
    generator made of it is fixed, and its samples follow the mixture
    exactly.

    Args:
        means: nested list of floats, shape `(num_modes, dim)`. The centres.
        std: float. The std of every mode.
        **kwargs: base layer arguments.
    """

    def __init__(self, means, std, **kwargs):
        super().__init__(**kwargs)
        means = np.asarray(means, dtype=np.float64)
        if means.ndim != 2 or 0 in means.shape:
            raise ValueError(
                f"`means` must have shape (num_modes, dim). Received: means.shape={means.shape}"
            )
        self.means = means.tolist()
        self.std = validation.check_number(std, "std", minimum=0, exclusive=True)

    def call(self, latents):
        latents = ops.cast(latents, "float32")
        means = ops.convert_to_tensor(np.asarray(self.means, "float32"))
        num_modes = len(self.means)
        uniform = 0.5 * (1.0 + ops.erf(latents[:, 0] / np.sqrt(2.0)))
        modes = ops.clip(ops.floor(uniform * num_modes), 0, num_modes - 1)
        chosen = ops.one_hot(ops.cast(modes, "int32"), num_modes) @ means
        return chosen + self.std * latents[:, 1:]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.means[0]))

    def get_config(self):
        config = super().get_config()
        config.update({"means": self.means, "std": self.std})
        return config


def fixed_generator(target):
    """A generator without weights whose samples follow `target` exactly.

    Latents of size `target.dim + 1` go through `MixtureSampler`: for a
    one-mode target `N(mu, s^2)` the sample is `mu + s * z_1`. Paired with a
    trained discriminator (`train_discriminator`) it shows what the
    discriminator learns against a generator that does not move.

    Args:
        target: a `GaussianMixture` (any number of modes and dimensions).

    Returns:
        A functional `keras.Model` named `"fixed_generator"` with no
        trainable weights, mapping `(batch, dim + 1)` to `(batch, dim)`.

    Example:

    ```python
    from keras_gans.applications import mode_collapse
    from keras_gans.applications.mode_collapse import lab

    generator = lab.fixed_generator(mode_collapse.GaussianMixture([[2.0]], std=1.0))
    ```
    """
    target = _target(target)
    latent = keras.Input((target.dim + 1,), name="latent")
    samples = MixtureSampler(target.means, target.std, name="mixture")(latent)
    return keras.Model(latent, samples, name="fixed_generator")


def train_discriminator(
    target,
    generator,
    steps,
    seed=0,
    batch_size=100,
    loss="non_saturating",
    gradient_penalty=0.0,
    one_sided=False,
    learning_rate=1e-3,
    hidden_units=(64, 64),
):
    """Trains a discriminator (or critic) of 1-D or 2-D samples against a given generator.

    Builds an `AdversarialModel` of `generator` and `discriminator(data_dim,
    hidden_units, activation="leaky_relu", init_std=0.1)` and fits it for
    `steps` steps on batches of `batch_size` samples of `target`, with
    Adam(learning_rate, beta_1=0.5). With a `fixed_generator` only the
    discriminator learns: its probability `sigmoid(D(x))` approaches the
    optimal discriminator `p_data(x) / (p_data(x) + p_g(x))`
    (`keras_gans.applications.mode_collapse.optimal_discriminator`), and a
    critic trained with `loss="wasserstein"` and a `gradient_penalty`
    approaches a 1-Lipschitz potential.

    Args:
        target: `GaussianMixture` or the name of a target. The data.
        generator: `keras.Model`. The generator, usually `fixed_generator(...)`.
        steps: int. Training steps (discriminator updates).
        seed: int. Seed of the data, the weights and the noise. Defaults to
            `0`.
        batch_size: int. Real (and generated) samples per step. Defaults to
            `100`.
        loss: str. A loss of `keras_gans.losses`. Defaults to
            `"non_saturating"`.
        gradient_penalty: float. Weight of `GradientPenalty`, or 0 for none.
            Defaults to `0.0`.
        one_sided: bool. Penalise only gradient norms above 1 (the
            `one_sided` option of `GradientPenalty`). Defaults to `False`.
        learning_rate: float. Adam's learning rate. Defaults to `1e-3`.
        hidden_units: sequence of ints. The discriminator's hidden layers.
            Defaults to `(64, 64)`.

    Returns:
        The trained `AdversarialModel`; `model.discriminator` maps samples to
        logits (or critic scores).
    """
    target = _target(target)
    steps = validation.check_positive_int(steps, "steps")
    seed = validation.check_int(seed, "seed", minimum=0)
    batch_size = validation.check_positive_int(batch_size, "batch_size")
    gradient_penalty = validation.check_number(gradient_penalty, "gradient_penalty", minimum=0)
    keras.utils.set_random_seed(seed)
    model = AdversarialModel(
        generator,
        discriminator(target.dim, hidden_units, activation="leaky_relu", init_std=0.1, seed=seed),
        seed=seed,
    )
    model.compile(
        g_optimizer=keras.optimizers.Adam(learning_rate, beta_1=0.5),
        d_optimizer=keras.optimizers.Adam(learning_rate, beta_1=0.5),
        loss=loss,
        regularizers=(
            [GradientPenalty(gradient_penalty, one_sided=one_sided)] if gradient_penalty > 0 else []
        ),
    )
    data = target.dataset(num_samples=steps * batch_size, batch_size=batch_size, seed=seed)
    model.fit(data, epochs=1, verbose=0)
    return model


def _target(target):
    if isinstance(target, str):
        name = validation.check_one_of(target, "target", tuple(TARGETS))
        return TARGETS[name]()
    if not (hasattr(target, "means") and hasattr(target, "std") and hasattr(target, "dataset")):
        raise ValueError(
            f"`target` must be one of {list(TARGETS)} or a `GaussianMixture`. "
            f"Received: target={target!r}"
        )
    return target


def build(recipe, data_dim=2, seed=None, **overrides):
    """The compiled model of a recipe.

    Args:
        recipe: str. `"gan"`, `"pacgan"`, `"wgan_gp"` or `"vae"`.
        data_dim: int. Size of the samples (2 for the ring and the grid).
            Defaults to `2`.
        seed: int or None. Seed of the initial weights and of the model's
            noise stream. Defaults to `None`.
        **overrides: settings of `RECIPES[recipe]` to change, e.g.
            `packing=2`.

    Returns:
        A compiled `keras_gans.AdversarialModel`, or for `"vae"` a compiled
        `keras_gans.models.vae.VAE`.

    Example:

    ```python
    from keras_gans.applications.mode_collapse import lab

    gan = lab.build("pacgan", packing=2, seed=0)
    gan.discriminator.get_layer("pack").packing  # 2
    ```
    """
    recipe = _check_recipe(recipe)
    config = settings(recipe, **overrides)
    data_dim = validation.check_positive_int(data_dim, "data_dim")
    seed = validation.check_seed(seed)
    if recipe == "vae":
        model = VAE(
            networks.dense_encoder(data_dim, config["latent_dim"], config["vae_units"]),
            networks.dense_decoder(config["latent_dim"], data_dim, config["vae_units"]),
            seed=seed,
        )
        model.compile(
            optimizer=keras.optimizers.Adam(config["learning_rate"]),
            steps_per_execution=config["steps_per_execution"],
            jit_compile=config["jit_compile"],
        )
        return model
    gan = AdversarialModel(
        generator(
            config["latent_dim"], data_dim, config["generator_units"], config["init_std"], seed
        ),
        discriminator(
            data_dim,
            config["discriminator_units"],
            config["activation"],
            config["pieces"],
            config["packing"],
            config["init_std"],
            config["fourier_features"],
            config["fourier_scale"],
            config["fourier_keep_inputs"],
            seed,
        ),
        seed=seed,
    )

    def adam(learning_rate, updates_per_epoch, ema_momentum=None):
        if config["decay_epochs"] is not None:
            learning_rate = keras.optimizers.schedules.CosineDecay(
                learning_rate, max(1, round(config["decay_epochs"] * updates_per_epoch))
            )
        return keras.optimizers.Adam(
            learning_rate,
            beta_1=config["beta_1"],
            beta_2=config["beta_2"],
            use_ema=ema_momentum is not None,
            ema_momentum=0.99 if ema_momentum is None else ema_momentum,
        )

    regularizers = []
    if config["gradient_penalty"] > 0:
        regularizers.append(GradientPenalty(config["gradient_penalty"]))
    # Each step updates the generator once and the discriminator `d_steps`
    # times, on `batch_size` examples each.
    d_updates = config["epoch_examples"] / config["batch_size"]
    gan.compile(
        g_optimizer=adam(
            config["generator_learning_rate"] or config["learning_rate"],
            d_updates / config["d_steps"],
            config["ema_momentum"],
        ),
        d_optimizer=adam(config["learning_rate"], d_updates),
        loss=config["loss"],
        d_steps=config["d_steps"],
        regularizers=regularizers,
        steps_per_execution=config["steps_per_execution"],
        jit_compile=config["jit_compile"],
    )
    return gan


def training_data(recipe, target, seed=None, **overrides):
    """The training set of a recipe on a target, as a `tf.data.Dataset` for `fit`.

    `epoch_examples * packing` points drawn once from the target, in batches
    of `batch_size * packing * d_steps` (each of the `d_steps` discriminator
    updates of a step sees `batch_size` examples), in a new order each
    epoch.

    Args:
        recipe: str. A recipe of `RECIPES`.
        target: `GaussianMixture` or the name of a target: `"ring_2d"`,
            `"grid_2d"` or `"mixture_1d"`.
        seed: int or None. Seed of the points and their orders. Defaults to
            `None`.
        **overrides: settings of the recipe to change.

    Returns:
        A `tf.data.Dataset` of float32 batches `(batch, target.dim)`.
    """
    config = settings(recipe, **overrides)
    target = _target(target)
    per_example = config["packing"]
    return target.dataset(
        num_samples=config["epoch_examples"] * per_example,
        batch_size=config["batch_size"] * per_example * config["d_steps"],
        seed=seed,
    )


class SampleSnapshots(keras.callbacks.Callback):
    """Draws samples from fixed latents at the end of chosen epochs.

    Args:
        epochs: sequence of ints. The epochs (counted from 1) after which to
            draw.
        num_samples: int. Samples per snapshot. Defaults to `2500`.
        seed: int. Seed of the latents, the same at every snapshot. Defaults
            to `0`.

    Attributes:
        snapshots: dict mapping each epoch reached to a float32 array
            `(num_samples, dim)`.
    """

    def __init__(self, epochs, num_samples=2500, seed=0):
        super().__init__()
        self.epochs = {validation.check_positive_int(e, "epochs") for e in epochs}
        self.num_samples = validation.check_positive_int(num_samples, "num_samples")
        self.seed = validation.check_seed(seed)
        self.snapshots = {}

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 in self.epochs:
            self.snapshots[epoch + 1] = _generate(self.model, self.num_samples, self.seed)


def _rejection_samples(model, recipe, target, config, overrides, num_samples, seed):
    """Samples kept by discriminator rejection sampling, and the share kept.

    Calibration, when asked for, runs on the trial's training data.
    """
    if config["calibration_steps"]:
        data = training_data(recipe, target, seed=seed, **overrides)
        rejection_sampling.calibrate_discriminator(
            model, data.repeat(), config["calibration_steps"], config["learning_rate"]
        )
    sampler = rejection_sampling.DiscriminatorRejectionSampler(
        model,
        gamma_quantile=config["rejection_quantile"],
        packmates=config["rejection_packmates"],
        packings=config["rejection_packings"],
    )
    samples = sampler.sample(num_samples, seed=seed + 1)
    return samples, sampler.acceptance_rate


def _generate(model, num_samples, seed):
    # The GAN draws the latents of `seed` itself; so does the VAE (its means).
    return np.asarray(model.generate(num_samples, seed=seed), dtype=np.float32)


def run_trial(
    recipe,
    target,
    epochs,
    seed,
    num_samples=2500,
    snapshot_epochs=(),
    verbose=0,
    save_path=None,
    **overrides,
):
    """Trains one recipe on one target and scores its samples.

    Builds `build(recipe, seed=seed)`, fits it with one `fit` call for
    `epochs` epochs of `training_data(recipe, target, seed)`, then draws
    `num_samples` samples and scores them with
    `keras_gans.applications.mode_collapse.summary` (modes captured,
    high-quality share, reverse KL). Samples of the VAE are its decoder's
    means.

    Args:
        recipe: str. `"gan"`, `"pacgan"`, `"wgan_gp"` or `"vae"`.
        target: `GaussianMixture` or `"ring_2d"`, `"grid_2d"`, `"mixture_1d"`.
        epochs: int. Training epochs.
        seed: int. Seed of the data, the initial weights, the training noise
            and the scored samples.
        num_samples: int. Samples scored. Defaults to `2500`, the published
            protocol.
        snapshot_epochs: sequence of ints. Epochs (from 1) after which to
            keep `num_samples` samples from fixed latents, for figures of
            training. Defaults to none.
        verbose: int. `fit`'s verbosity. Defaults to `0`.
        save_path: str or None. Where to save the trained model, a `.keras`
            file (`keras.models.load_model` reads it back), as it is when
            training ends: before any calibration of the discriminator for
            rejection sampling. Its `generate(num_samples, seed=seed + 1)`
            draws the generator's samples scored here. Defaults to `None`,
            not saved.
        **overrides: settings of the recipe to change, e.g. `packing=2`.

    Returns:
        A dict with the keys of `RESULT_KEYS`: `"recipe"`, `"target"` (its
        name), `"seed"`, `"epochs"`, `"epochs_trained"` (fewer if training
        diverged and stopped), `"modes"`, `"num_modes"`, `"hq_share"`,
        `"reverse_kl"`, `"samples"` (float32 `(num_samples, dim)`),
        `"snapshots"` (dict epoch -> samples), `"train_seconds"` (wall time
        of `fit`), `"settings"` (the recipe's settings), `"history"` (the
        logs of each epoch), `"generator_scores"` (the scores of the
        generator's own samples) and `"acceptance_rate"` (None). With the
        `rejection_quantile` setting the samples and their scores are those
        discriminator rejection sampling keeps, `"generator_scores"` those of
        as many samples drawn as they come, and `"acceptance_rate"` the share
        kept.
    """
    recipe = _check_recipe(recipe)
    target = _target(target)
    epochs = validation.check_positive_int(epochs, "epochs")
    seed = validation.check_int(seed, "seed", minimum=0)
    num_samples = validation.check_positive_int(num_samples, "num_samples")
    if save_path is not None and not str(save_path).endswith(".keras"):
        raise ValueError(
            f"`save_path` must name a `.keras` file. Received: save_path={save_path!r}"
        )
    config = settings(recipe, **overrides)
    keras.utils.set_random_seed(seed)
    model = build(recipe, data_dim=target.dim, seed=seed, **overrides)
    data = training_data(recipe, target, seed=seed, **overrides)
    snapshots = SampleSnapshots(snapshot_epochs, num_samples, seed=seed + 1)
    start = time.perf_counter()
    history = model.fit(data, epochs=epochs, callbacks=[snapshots], verbose=verbose)
    train_seconds = time.perf_counter() - start
    if save_path is not None:
        os.makedirs(os.path.dirname(os.path.abspath(save_path)), exist_ok=True)
        model.save(save_path)  # written whole or not at all
    return {
        "recipe": recipe,
        "target": target.name,
        "seed": seed,
        "epochs": epochs,
        "epochs_trained": len(next(iter(history.history.values()), [])),
        **score_trial(model, recipe, target, seed, num_samples, **overrides),
        "snapshots": dict(snapshots.snapshots),
        "train_seconds": train_seconds,
        "settings": config,
        "history": {name: [float(v) for v in values] for name, values in history.history.items()},
    }


def score_trial(model, recipe, target, seed, num_samples=2500, **overrides):
    """Scores a trained model of `recipe` as `run_trial` does.

    `run_trial` calls it when training ends; a model it saved
    (`keras.models.load_model(save_path)`) can be scored again with other
    values of the `SCORING_SETTINGS` (rejection sampling's quantile,
    calibration and packmates), on the same draws.

    Args:
        model: the trained model.
        recipe: str. The recipe it was trained with.
        target: `GaussianMixture` or a target's name.
        seed: int. The trial's seed: the samples are drawn with `seed + 1`,
            and calibration uses `training_data(recipe, target, seed)`.
        num_samples: int. Samples scored. Defaults to `2500`.
        **overrides: settings of the recipe, as for `run_trial`.

    Returns:
        A dict with `"modes"`, `"num_modes"`, `"hq_share"`, `"reverse_kl"`,
        `"samples"`, `"generator_scores"` and `"acceptance_rate"`, as in
        `run_trial`'s result.
    """
    recipe = _check_recipe(recipe)
    target = _target(target)
    seed = validation.check_int(seed, "seed", minimum=0)
    num_samples = validation.check_positive_int(num_samples, "num_samples")
    config = settings(recipe, **overrides)
    samples = _generate(model, num_samples, seed + 1)
    generator_scores = metrics.summary(samples, target)
    scores, acceptance_rate = generator_scores, None
    if recipe != "vae" and config["rejection_quantile"] is not None:
        samples, acceptance_rate = _rejection_samples(
            model, recipe, target, config, overrides, num_samples, seed
        )
        scores = metrics.summary(samples, target)
    return {
        "modes": scores["modes"],
        "num_modes": target.num_modes,
        "hq_share": scores["hq_share"],
        "reverse_kl": scores["reverse_kl"],
        "samples": samples,
        "generator_scores": generator_scores,
        "acceptance_rate": acceptance_rate,
    }
