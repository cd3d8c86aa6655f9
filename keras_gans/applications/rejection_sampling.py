"""Discriminator rejection sampling: the trained discriminator filters the generator's samples.

A generator fed a connected latent space cannot put all its mass on
disconnected modes: some samples always fall in between. The discriminator of
a GAN trained with the cross-entropy loss estimates where: its optimal logit
is `log(p_data(x) / p_g(x))`. Rejection sampling with that ratio (accept `x`
with probability `p_data(x) / (M p_g(x))`) draws from `p_data` itself when the
discriminator is optimal, and in practice drops most of the in-between
samples.

A packed discriminator (PacGAN) judges several samples at once, so each
sample is scored in packs with others; by default every sample is scored with
the same packmates (`choose_packmates`), which makes the estimates of
different samples comparable.

```python
sampler = keras_gans.applications.DiscriminatorRejectionSampler(gan, gamma_quantile=0.9)
samples = sampler.sample(2500, seed=0)
sampler.acceptance_rate  # the share of draws kept
```

Reference:
    Azadi et al., "Discriminator Rejection Sampling", ICLR 2019.
"""

import contextlib

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gans.layers import PackSamples
from keras_gans.losses import Minimax
from keras_gans.utils import validation

# How `DiscriminatorRejectionSampler` packs each sample for a packed discriminator.
PACKMATES = ("shared", "random")


def discriminator_packing(gan):
    """Samples the discriminator of `gan` judges at once.

    `gan.packing`, or the `packing` of a `keras_gans.layers.PackSamples`
    layer in the discriminator (the lab's packed discriminators); `1` when
    it judges samples one by one.
    """
    if getattr(gan, "packing", 1) > 1:
        return gan.packing
    packings = [
        layer.packing
        for layer in getattr(gan.discriminator, "layers", [])
        if isinstance(layer, PackSamples)
    ]
    return packings[0] if packings else 1


def _check_gan(gan):
    loss = getattr(gan, "loss", None)
    if not isinstance(loss, Minimax):
        raise ValueError(
            "Discriminator rejection sampling needs a discriminator trained with the "
            "cross-entropy loss (`loss='non_saturating'` or `'minimax'`), whose logit "
            "estimates log(p_data / p_g). "
            f"Received a model compiled with loss={type(loss).__name__}."
        )
    if getattr(gan, "conditional", False):
        raise ValueError(
            "Discriminator rejection sampling supports unconditional models only. "
            f"Received a conditional model (num_classes={gan.num_classes})."
        )


def log_density_ratios(gan, samples, packings=8, seed=None, batch_size=1024, packmates=None):
    """Per-sample estimates of `log(p_data(x) / p_g(x))` from the discriminator.

    For a discriminator that judges samples one by one this is its logit.
    A packed discriminator (PacGAN) judges `m` samples at once, and its
    optimal logit is the sum of their log ratios, so each sample needs
    `m - 1` packmates, whose share is then taken off:

    * `packmates=None`: each sample is packed with `m - 1` others of
      `samples` (which should be generated samples, as in the packs it was
      trained on) in `packings` random packings, its packs' logits are
      averaged, and the packmates' mean share, `(m - 1) / m` of the overall
      mean, is taken off. Each sample's estimate carries the noise of its
      own packmates' ratios, which between the modes of a GAN are tens of
      units below those on a mode.
    * `packmates` given (`choose_packmates`): every sample is scored in the
      same packs, the `i`-th set of packmates with the sample in position
      `i % m`, and its logits averaged. The packmates' share is then one
      number for all samples, so it cancels when samples are compared (the
      estimates are as precise as the discriminator), and is taken off as
      `T / m`, with `T` the packmates' own scores summed per pack and
      averaged over packs (exact for an additive logit).

    Args:
        gan: a trained `AdversarialModel` compiled with the non-saturating or
            minimax loss.
        samples: float array `(num_samples, *sample_shape)`, generated
            samples. With a packed discriminator, at least `m` of them.
        packings: int. Random packings averaged, for a packed
            discriminator. Defaults to `8`.
        seed: int or None. Seed of the packings. Defaults to `None`.
        batch_size: int. Packs per discriminator call. Defaults to `1024`.
        packmates: float array `(num_packs, m - 1, *sample_shape)`, or None.
            Shared packmates for a packed discriminator (then `packings`
            and `seed` are not used). Defaults to `None`: random packings.

    Returns:
        float64 array `(num_samples,)`.
    """
    _check_gan(gan)
    samples = np.asarray(samples, dtype="float32")
    packings = validation.check_positive_int(packings, "packings")
    batch_size = validation.check_positive_int(batch_size, "batch_size")
    seed = validation.check_seed(seed)
    m = discriminator_packing(gan)
    n = samples.shape[0]
    if n < m:
        raise ValueError(
            f"A discriminator that packs {m} samples needs at least {m} samples to score. "
            f"Received {n}."
        )

    def logits(batch):
        outputs = []
        for start in range(0, batch.shape[0], batch_size * m):
            chunk = batch[start : start + batch_size * m]
            outputs.append(ops.convert_to_numpy(gan.discriminate(chunk, training=False)))
        return np.concatenate(outputs).reshape(-1).astype("float64")

    if packmates is not None:
        packmates = _check_packmates(packmates, m, samples.shape[1:])
    if m == 1:
        return logits(samples)
    if packmates is not None:

        def shared_scores(batch):
            totals = np.zeros(batch.shape[0])
            for i, mates in enumerate(packmates):
                position = i % m
                tiled = np.broadcast_to(mates, (batch.shape[0], *mates.shape))
                packs = np.concatenate(
                    [tiled[:, :position], batch[:, None], tiled[:, position:]], axis=1
                )
                totals += logits(packs.reshape(-1, *batch.shape[1:]))
            return totals / len(packmates)

        mates_scores = shared_scores(packmates.reshape(-1, *samples.shape[1:]))
        mates_share = mates_scores.reshape(len(packmates), m - 1).sum(axis=1).mean() / m
        return shared_scores(samples) - mates_share
    rng = np.random.default_rng(seed)
    totals = np.zeros(n)
    counts = np.zeros(n)
    for _ in range(packings):
        # A permutation, topped up to a multiple of m with samples of another.
        order = np.concatenate([rng.permutation(n), rng.permutation(n)[: (-n) % m]])
        pack_logits = np.repeat(logits(samples[order]), m)
        np.add.at(totals, order, pack_logits)
        np.add.at(counts, order, 1)
    scores = totals / counts
    return scores - (m - 1) / m * scores.mean()


def _check_packmates(packmates, packing, sample_shape):
    packmates = np.asarray(packmates, dtype="float32")
    expected = (packing - 1, *sample_shape)
    if packing == 1 or packmates.ndim != len(expected) + 1 or packmates.shape[1:] != expected:
        raise ValueError(
            "`packmates` must be an array (num_packs, packing - 1, *sample_shape) = "
            f"(num_packs, *{expected}) for a discriminator that packs {packing} samples"
            f"{' (none: it judges samples one by one)' if packing == 1 else ''}. "
            f"Received shape {packmates.shape}."
        )
    if packmates.shape[0] == 0:
        raise ValueError("`packmates` must hold at least one pack. Received shape (0, ...).")
    return packmates


def choose_packmates(gan, samples, num_packs=8, seed=None, packings=None):
    """Shared packmates for `log_density_ratios`, drawn from generated `samples`.

    The packmates come from the half of `samples` whose estimated log ratios
    (`packings` random packings) are highest: a generated sample between
    modes has a log ratio far below those on a mode and would dominate the
    logit of every pack it is in. Each pack's `m - 1` packmates are distinct
    samples.

    Args:
        gan: a trained `AdversarialModel` whose discriminator packs `m > 1`
            samples (see `log_density_ratios`).
        samples: float array `(num_samples, *sample_shape)` of generated
            samples, at least `2 * m` of them.
        num_packs: int. Sets of packmates. Defaults to `8`.
        seed: int or None. Defaults to `None`.
        packings: int or None. Random packings of the first estimate.
            Defaults to `None`: `2 * num_packs`.

    Returns:
        float32 array `(num_packs, m - 1, *sample_shape)`.
    """
    _check_gan(gan)
    samples = np.asarray(samples, dtype="float32")
    num_packs = validation.check_positive_int(num_packs, "num_packs")
    packings = 2 * num_packs if packings is None else packings
    seed = validation.check_seed(seed)
    m = discriminator_packing(gan)
    if m == 1:
        raise ValueError(
            "Packmates are for a discriminator that packs several samples; this one "
            "judges samples one by one (packing 1)."
        )
    if samples.shape[0] < 2 * m:
        raise ValueError(
            f"Choosing packmates for a discriminator that packs {m} samples needs at least "
            f"{2 * m} samples. Received {samples.shape[0]}."
        )
    rng = np.random.default_rng(seed)
    ratios = log_density_ratios(gan, samples, packings, seed=int(rng.integers(2**31 - 1)))
    pool = samples[ratios >= np.median(ratios)]
    picks = np.stack([rng.choice(pool.shape[0], m - 1, replace=False) for _ in range(num_packs)])
    return pool[picks]


def calibrate_discriminator(gan, data, steps, learning_rate=1e-4, use_ema=True):
    """Trains the discriminator alone against the trained generator, held fixed.

    During training the discriminator chases a moving generator; a few
    hundred updates against the final one bring its logit closer to that
    generator's `log(p_data / p_g)`, which rejection sampling relies on
    (Azadi et al. 2019 keep training it the same way). Each update sees a
    batch of `data` and as many generated samples (the generator in
    inference mode, with its moving-average weights when `use_ema` and it
    keeps them), with the model's discriminator loss, and a fresh Adam
    optimizer of its own.

    Args:
        gan: a trained `AdversarialModel` (see `log_density_ratios`).
        data: a `tf.data.Dataset` (or iterable) of real batches; with a
            packed discriminator, batches divisible by its packing.
        steps: int. Discriminator updates.
        learning_rate: float. Adam learning rate (`beta_1=0.5`). Defaults to
            `1e-4`.
        use_ema: bool. Defaults to `True`.

    Returns:
        A list of the discriminator's loss at each update.
    """
    _check_gan(gan)
    steps = validation.check_positive_int(steps, "steps")
    learning_rate = validation.check_number(
        learning_rate, "learning_rate", minimum=0, exclusive=True
    )
    use_ema = validation.check_bool(use_ema, "use_ema")
    optimizer = keras.optimizers.Adam(learning_rate, beta_1=0.5)
    variables = gan.discriminator.trainable_variables
    optimizer.build(variables)

    @tf.function
    def update(real):
        real = tf.cast(real, "float32")
        latents = gan.sample_latents(tf.shape(real)[0], training=False)
        fake = gan.run_generator(latents, training=False)
        with tf.GradientTape() as tape:
            loss = gan.discriminator_loss(
                gan.discriminate(real, training=False), gan.discriminate(fake, training=False)
            )
        optimizer.apply(tape.gradient(loss, variables), variables)
        return loss

    losses = []
    with gan.ema_weights() if use_ema else contextlib.nullcontext():
        for real in data:
            if len(losses) == steps:
                break
            losses.append(float(update(real)))
    if len(losses) < steps:
        raise ValueError(
            f"`data` ran out after {len(losses)} batches; `steps` asked for {steps}. "
            "Repeat the dataset (`data.repeat()`) or lower `steps`."
        )
    return losses


class DiscriminatorRejectionSampler:
    """Draws a GAN's samples and keeps each with the probability its discriminator gives.

    Discriminator rejection sampling (Azadi et al. 2019): with `r(x)` the
    discriminator's estimate of `log(p_data(x) / p_g(x))`
    (`log_density_ratios`) and `r_max` its largest value seen (first over
    `burn_in` samples, then over every batch drawn), a sample is kept with
    probability `sigmoid(F(x))`,

        F(x) = r(x) - r_max - log(1 - exp(r(x) - r_max - epsilon)) - gamma,

    which is close to `exp(r(x) - r_max)` for `gamma = 0`: rejection sampling
    of `p_data` from `p_g` with the estimated ratio. `gamma > 0` keeps fewer
    samples (the surer ones), `gamma < 0` more. A sharp discriminator's
    logits span tens of units, so that `gamma = 0` keeps almost nothing;
    `gamma_quantile=q` sets `gamma` to the `q`-quantile of `F` (with
    `gamma = 0`) over the burn-in samples instead, so that about `1 - q` of
    the samples score above it and are kept with probability over 1/2.

    Args:
        gan: a trained, unconditional `AdversarialModel` compiled with the
            non-saturating or minimax loss.
        gamma: float. Shift of the acceptance logit. Defaults to `0.0`.
        gamma_quantile: float in [0, 1), or None. Set `gamma` from the
            burn-in samples instead (then leave `gamma` at 0). Defaults to
            `None`.
        burn_in: int. Samples drawn first to estimate `r_max`. Defaults to
            `10000`.
        epsilon: float. Keeps the logarithm finite at `r(x) = r_max`.
            Defaults to `1e-6`.
        packings: int. Packs averaged per sample for a packed
            discriminator (`log_density_ratios`). Defaults to `8`.
        packmates: `"shared"` or `"random"`: for a packed discriminator,
            score every sample in the same `packings` packs, whose
            packmates `choose_packmates` draws from the burn-in samples, or
            each in its own random packs. Shared packmates make the
            estimates of different samples comparable, as rejection needs;
            random ones add each sample's packmates' noise. Defaults to
            `"shared"`.
        batch_size: int. Samples drawn at a time. Defaults to `2500`.
        use_ema: bool. Draw with the generator's moving-average weights when
            it keeps them. Defaults to `True`.

    Attributes:
        gamma: the shift in use (set by the burn-in with `gamma_quantile`).
        max_log_ratio: the running `r_max` (None before the first draw).
        reference_packmates: the shared packmates (None before the first
            draw, and for random packmates or an unpacked discriminator).
        draws, accepted: samples drawn and kept by the last `sample` call.
        acceptance_rate: `accepted / draws` of the last `sample` call.
    """

    def __init__(
        self,
        gan,
        gamma=0.0,
        gamma_quantile=None,
        burn_in=10_000,
        epsilon=1e-6,
        packings=8,
        batch_size=2500,
        use_ema=True,
        packmates="shared",
    ):
        _check_gan(gan)
        self.gan = gan
        self.gamma = validation.check_number(gamma, "gamma")
        self.gamma_quantile = validation.check_number(
            gamma_quantile, "gamma_quantile", minimum=0, maximum=1, allow_none=True
        )
        if self.gamma_quantile is not None and (self.gamma_quantile >= 1 or self.gamma != 0):
            raise ValueError(
                "`gamma_quantile` must be in [0, 1) and replaces `gamma`, which must then "
                f"be left at 0. Received: gamma={gamma}, gamma_quantile={gamma_quantile}"
            )
        self.burn_in = validation.check_int(burn_in, "burn_in", minimum=0)
        self.epsilon = validation.check_number(epsilon, "epsilon", minimum=0, exclusive=True)
        self.packings = validation.check_positive_int(packings, "packings")
        self.batch_size = validation.check_positive_int(batch_size, "batch_size")
        self.packing = discriminator_packing(gan)
        if self.batch_size < self.packing:
            raise ValueError(
                f"`batch_size` must be at least the discriminator's packing ({self.packing}). "
                f"Received: batch_size={batch_size}"
            )
        self.use_ema = validation.check_bool(use_ema, "use_ema")
        self.packmates = validation.check_one_of(packmates, "packmates", PACKMATES)
        self.reference_packmates = None
        self.max_log_ratio = None
        self.draws = 0
        self.accepted = 0

    @property
    def acceptance_rate(self):
        return self.accepted / self.draws if self.draws else float("nan")

    def _draw(self, count, rng, choose_packmates_first=False):
        count = max(count, self.packing)
        samples = self.gan.generate(count, seed=int(rng.integers(2**31 - 1)), use_ema=self.use_ema)
        seed = int(rng.integers(2**31 - 1))
        if choose_packmates_first:
            self.reference_packmates = choose_packmates(self.gan, samples, self.packings, seed)
        ratios = log_density_ratios(
            self.gan, samples, self.packings, seed=seed, packmates=self.reference_packmates
        )
        return samples, ratios

    def acceptance_logits(self, log_ratios):
        """`F(x)` of each log ratio, against the current `max_log_ratio` and `gamma`."""
        delta = np.asarray(log_ratios, dtype="float64") - self.max_log_ratio
        # -log(1 - exp(delta - epsilon)), finite for delta <= 0 (and clamped above).
        return delta - np.log(-np.expm1(np.minimum(delta, 0.0) - self.epsilon)) - self.gamma

    def acceptance_probabilities(self, log_ratios):
        """`sigmoid(F(x))` of each log ratio: the chance each sample is kept."""
        return 0.5 * (1.0 + np.tanh(0.5 * self.acceptance_logits(log_ratios)))

    def sample(self, num_samples, seed=None, max_draws=None):
        """`num_samples` kept samples, in the order drawn.

        Args:
            num_samples: int. Samples to return.
            seed: int or None. Seed of the draws, packings and acceptance
                tests. Defaults to `None`.
            max_draws: int or None. Give up after drawing this many samples
                (besides the burn-in). Defaults to `1000 * num_samples`.

        Returns:
            float32 array `(num_samples, *sample_shape)`.

        Raises:
            RuntimeError: fewer than `num_samples` kept within `max_draws`
                draws (lower `gamma`).
        """
        num_samples = validation.check_positive_int(num_samples, "num_samples")
        seed = validation.check_seed(seed)
        max_draws = validation.check_positive_int(
            1000 * num_samples if max_draws is None else max_draws, "max_draws"
        )
        rng = np.random.default_rng(seed)
        if self.max_log_ratio is None:
            shared = self.packmates == "shared" and self.packing > 1
            burn_in = max(self.burn_in, 2 * self.packing if shared else 1)
            _, ratios = self._draw(burn_in, rng, choose_packmates_first=shared)
            self.max_log_ratio = float(ratios.max())
            if self.gamma_quantile is not None:
                self.gamma = float(np.quantile(self.acceptance_logits(ratios), self.gamma_quantile))
        kept = []
        self.draws = self.accepted = 0
        while self.accepted < num_samples:
            if self.draws >= max_draws:
                raise RuntimeError(
                    f"Kept {self.accepted} of {self.draws} samples, fewer than the "
                    f"{num_samples} asked for within max_draws={max_draws}; lower `gamma` "
                    f"(received gamma={self.gamma}) or raise `max_draws`."
                )
            samples, ratios = self._draw(self.batch_size, rng)
            self.max_log_ratio = max(self.max_log_ratio, float(ratios.max()))
            keep = rng.uniform(size=ratios.shape) < self.acceptance_probabilities(ratios)
            kept.append(samples[keep])
            self.draws += samples.shape[0]
            self.accepted += int(keep.sum())
        return np.concatenate(kept)[:num_samples].astype("float32")
