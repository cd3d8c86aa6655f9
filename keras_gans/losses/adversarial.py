"""Adversarial losses as pure functions of discriminator outputs.

Every function takes outputs of any rank (a PatchGAN discriminator's map of
outputs works as well as one per image), averages over all elements and
returns a scalar in the dtype of its inputs. The cross-entropy losses read the
outputs as logits of the probability of "real" (`real_logits`,
`fake_logits`); least squares, Wasserstein and hinge read them as unbounded
critic scores (`real_scores`, `fake_scores`). Discriminator losses take the
outputs on real and on generated data; generator losses take those on
generated data, and the relativistic generator loss also those on real data.
The loss objects of `keras_gans.losses.gan_loss` pair them for the engine.

The names and conventions follow TensorFlow-GAN (`tfgan.losses`), so the same
logits give the same numbers in both libraries, with two deliberate
differences: `minimax_generator_loss` keeps the paper's value (TF-GAN's is
shifted by a constant) and `minimax_discriminator_loss` does not smooth labels
unless asked (TF-GAN's default is `label_smoothing=0.25`).

The pairs of `keras_gans.losses.LOSSES`, by name (`D` the discriminator's outputs):

- `"minimax"`: G `log(1 - sigmoid(D(G(z))))`, D binary cross-entropy.
- `"non_saturating"`: G `-log sigmoid(D(G(z)))`, D binary cross-entropy.
- `"least_squares"`: G `(D(G(z)) - 1)^2 / 2`, D `(D(x) - 1)^2 / 2 + D(G(z))^2 / 2`.
- `"wasserstein"`: G `-D(G(z))`, D `D(G(z)) - D(x)`.
- `"hinge"`: G `-D(G(z))`, D `relu(1 - D(x)) + relu(1 + D(G(z)))`.
- `"relativistic_average"`: RaSGAN; its generator loss takes `real_logits`.

`feature_matching_loss` compares discriminator features rather than logits and
is not one of the named pairs.
"""

import numbers

import keras
from keras import ops


def _mean_softplus(x):
    return ops.mean(ops.softplus(x))


def _rank(x):
    try:
        return len(x.shape)
    except ValueError:  # Unknown rank in a traced function: cannot check here.
        return None


def _as_dtype(value, dtype):
    # Python numbers and tensors of another dtype (a float32 label with float16
    # logits) are cast, so the loss is computed in the dtype of the logits.
    return ops.cast(value, dtype)


@keras.saving.register_keras_serializable(package="keras_gans")
def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Discriminator loss of the original GAN, with one-sided label smoothing.

    The discriminator maximises `log D(x) + log(1 - D(G(z)))`, i.e. it
    minimises the binary cross-entropy of real samples labelled `t` and
    generated samples labelled 0:

        L_D = mean(t * softplus(-real_logits) + (1 - t) * softplus(real_logits))
              + mean(softplus(fake_logits))
            = mean(softplus(-real_logits)) + (1 - t) * mean(real_logits)
              + mean(softplus(fake_logits))

    with `t = 1 - label_smoothing / 2`, computed from logits, which is exact
    and stable for logits of any size (`-log sigmoid(x) = softplus(-x)`).

    Label smoothing follows TF-GAN, whose `label_smoothing` is that of
    `tf.compat.v1.losses.sigmoid_cross_entropy`: the real target is moved
    towards 1/2, `t = 1 * (1 - label_smoothing) + 0.5 * label_smoothing`. So
    Salimans et al.'s real target of 0.9 is `label_smoothing=0.2`, not 0.1.
    Only the real targets are smoothed (one-sided): smoothing the fake ones
    too would reward the generator for samples the discriminator already
    rejects. Note TF-GAN defaults to `label_smoothing=0.25` (target 0.875);
    the default here is no smoothing.

    Args:
        real_logits: tensor. Discriminator logits on real data, any shape.
        fake_logits: tensor. Discriminator logits on generated data, any
            shape.
        label_smoothing: float in `[0, 1]`. Amount of one-sided smoothing of
            the real target, which becomes `1 - label_smoothing / 2`.
            Defaults to `0.0` (target 1).

    Returns:
        A scalar tensor in the dtype of the logits.

    Example:

    ```python
    import functools

    d_loss_fn = functools.partial(
        keras_gans.losses.non_saturating_discriminator_loss, label_smoothing=0.2
    )  # real target 0.9
    model.compile(
        loss=(keras_gans.losses.non_saturating_generator_loss, d_loss_fn)
    )
    ```

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014;
        Salimans et al., "Improved Techniques for Training GANs", NeurIPS
        2016, section 3.4 (one-sided label smoothing).
    """
    if isinstance(label_smoothing, numbers.Real) and not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(
            "`label_smoothing` must be in [0, 1] (the real target is "
            f"1 - label_smoothing / 2). Received: label_smoothing={label_smoothing!r}"
        )
    real_logits = ops.convert_to_tensor(real_logits)
    fake_logits = ops.convert_to_tensor(fake_logits)
    loss = _mean_softplus(-real_logits) + _mean_softplus(fake_logits)
    if isinstance(label_smoothing, numbers.Real) and label_smoothing == 0:
        return loss
    # (1 - t) * softplus(x) - (1 - t) * softplus(-x) = (1 - t) * x.
    smoothing = _as_dtype(label_smoothing, real_logits.dtype) / 2
    return loss + smoothing * ops.mean(real_logits)


@keras.saving.register_keras_serializable(package="keras_gans")
def minimax_generator_loss(fake_logits):
    """Generator loss of the original minimax GAN.

    The generator minimises `log(1 - D(G(z)))`:

        L_G = mean(log(1 - sigmoid(fake_logits))) = -mean(softplus(fake_logits))

    This loss saturates: when the discriminator rejects generated samples
    confidently its gradient vanishes. It is here for the original objective
    and for studies of that effect; the non-saturating loss is the practical
    choice.

    This is the paper's value. TF-GAN's `minimax_generator_loss` is
    `-minimax_discriminator_loss(ones_like(x), x)`, which also counts the
    discriminator's loss on a logit of 1, so it is this loss minus the
    constant `softplus(-1) = log(1 + 1/e) ~ 0.3133`: the same gradient, a
    different value.

    Args:
        fake_logits: tensor. Discriminator logits on generated data, any
            shape.

    Returns:
        A scalar tensor in the dtype of the logits.

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
    """
    return -_mean_softplus(ops.convert_to_tensor(fake_logits))


@keras.saving.register_keras_serializable(package="keras_gans")
def non_saturating_generator_loss(fake_logits):
    """Non-saturating generator loss: the generator maximises `log D(G(z))`.

        L_G = -mean(log(sigmoid(fake_logits))) = mean(softplus(-fake_logits))

    It has the same fixed point as the minimax loss but strong gradients early
    in training, when the discriminator easily rejects generated samples.
    TF-GAN calls it `modified_generator_loss`.

    Args:
        fake_logits: tensor. Discriminator logits on generated data, any
            shape.

    Returns:
        A scalar tensor in the dtype of the logits.

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014,
        section 3.
    """
    return _mean_softplus(-ops.convert_to_tensor(fake_logits))


# The discriminator of the non-saturating GAN plays the same game as the
# minimax one; TF-GAN calls this `modified_discriminator_loss`.
non_saturating_discriminator_loss = minimax_discriminator_loss


@keras.saving.register_keras_serializable(package="keras_gans")
def least_squares_generator_loss(fake_scores, real_label=1.0):
    """Generator loss of the least squares GAN (LSGAN).

        L_G = 0.5 * mean((fake_scores - real_label)^2)

    The discriminator's raw outputs (no sigmoid) are regressed onto labels;
    the generator pulls its samples' outputs to the label of real data, `c`
    in the paper. `real_label=1` with the discriminator's default labels is
    the paper's equation (9) with `a=0, b=c=1`; `real_label=0` with
    `fake_label=-1` is its `a=-1, b=1, c=0` variant.

    Args:
        fake_scores: tensor. Discriminator outputs on generated data, any
            shape.
        real_label: float. The output the generator wants the discriminator
            to give its samples. Defaults to `1.0`.

    Returns:
        A scalar tensor in the dtype of the logits.

    Reference:
        Mao et al., "Least Squares Generative Adversarial Networks", ICCV
        2017.
    """
    fake_scores = ops.convert_to_tensor(fake_scores)
    real_label = _as_dtype(real_label, fake_scores.dtype)
    return 0.5 * ops.mean(ops.square(fake_scores - real_label))


@keras.saving.register_keras_serializable(package="keras_gans")
def least_squares_discriminator_loss(real_scores, fake_scores, real_label=1.0, fake_label=0.0):
    """Discriminator loss of the least squares GAN (LSGAN).

        L_D = 0.5 * mean((real_scores - real_label)^2)
              + 0.5 * mean((fake_scores - fake_label)^2)

    The discriminator regresses its raw outputs (no sigmoid) onto `b` for
    real data and `a` for generated data, in the paper's notation.

    Args:
        real_scores: tensor. Discriminator outputs on real data, any shape.
        fake_scores: tensor. Discriminator outputs on generated data, any
            shape.
        real_label: float. Target output on real data. Defaults to `1.0`.
        fake_label: float. Target output on generated data. Defaults to
            `0.0`.

    Returns:
        A scalar tensor in the dtype of the logits.

    Reference:
        Mao et al., "Least Squares Generative Adversarial Networks", ICCV
        2017.
    """
    real_scores = ops.convert_to_tensor(real_scores)
    fake_scores = ops.convert_to_tensor(fake_scores)
    real_label = _as_dtype(real_label, real_scores.dtype)
    fake_label = _as_dtype(fake_label, fake_scores.dtype)
    return 0.5 * ops.mean(ops.square(real_scores - real_label)) + 0.5 * ops.mean(
        ops.square(fake_scores - fake_label)
    )


@keras.saving.register_keras_serializable(package="keras_gans")
def wasserstein_generator_loss(fake_scores):
    """Generator loss of the Wasserstein GAN.

        L_G = -mean(fake_scores)

    The discriminator (critic) outputs unbounded scores; the generator raises
    its samples' scores. Also the generator loss of the hinge GAN.

    Args:
        fake_scores: tensor. Critic scores on generated data, any shape.

    Returns:
        A scalar tensor in the dtype of the logits.

    Reference:
        Arjovsky et al., "Wasserstein Generative Adversarial Networks", ICML
        2017.
    """
    return -ops.mean(ops.convert_to_tensor(fake_scores))


@keras.saving.register_keras_serializable(package="keras_gans")
def wasserstein_discriminator_loss(real_scores, fake_scores):
    """Critic loss of the Wasserstein GAN.

        L_D = mean(fake_scores) - mean(real_scores)

    Its negation estimates the Wasserstein-1 distance only when the critic is
    1-Lipschitz: pair it with weight clipping, a gradient penalty or spectral
    normalisation. On its own the loss is unbounded below.

    Args:
        real_scores: tensor. Critic scores on real data, any shape.
        fake_scores: tensor. Critic scores on generated data, any shape.

    Returns:
        A scalar tensor in the dtype of the logits.

    Reference:
        Arjovsky et al., "Wasserstein Generative Adversarial Networks", ICML
        2017.
    """
    real_scores = ops.convert_to_tensor(real_scores)
    fake_scores = ops.convert_to_tensor(fake_scores)
    return ops.mean(fake_scores) - ops.mean(real_scores)


# The hinge GAN's generator loss is the Wasserstein one; TF-GAN calls the pair
# `wasserstein_hinge_generator_loss` / `wasserstein_hinge_discriminator_loss`.
hinge_generator_loss = wasserstein_generator_loss


@keras.saving.register_keras_serializable(package="keras_gans")
def hinge_discriminator_loss(real_scores, fake_scores):
    """Discriminator loss of the hinge GAN, as in SNGAN and SAGAN.

        L_D = mean(relu(1 - real_scores)) + mean(relu(1 + fake_scores))

    Real samples scored above 1 and generated samples scored below -1 no
    longer contribute (zero loss and zero gradient). The generator loss is
    `-mean(fake_scores)` (`hinge_generator_loss`, the Wasserstein one).
    TF-GAN calls this `wasserstein_hinge_discriminator_loss`.

    Args:
        real_scores: tensor. Discriminator logits on real data, any shape.
        fake_scores: tensor. Discriminator logits on generated data, any
            shape.

    Returns:
        A scalar tensor in the dtype of the logits.

    Reference:
        Lim & Ye, "Geometric GAN", 2017; Miyato et al., "Spectral
        Normalization for Generative Adversarial Networks", ICLR 2018; Zhang
        et al., "Self-Attention Generative Adversarial Networks", ICML 2019.
    """
    real_scores = ops.convert_to_tensor(real_scores)
    fake_scores = ops.convert_to_tensor(fake_scores)
    return ops.mean(ops.relu(1.0 - real_scores)) + ops.mean(ops.relu(1.0 + fake_scores))


@keras.saving.register_keras_serializable(package="keras_gans")
def relativistic_average_discriminator_loss(real_logits, fake_logits):
    """Discriminator loss of the relativistic average standard GAN (RaSGAN).

    The discriminator estimates how much more realistic a real sample is than
    the average generated one, and the reverse:

        L_D = -mean(log sigmoid(real_logits - mean(fake_logits)))
              - mean(log(1 - sigmoid(fake_logits - mean(real_logits))))
            = mean(softplus(mean(fake_logits) - real_logits))
              + mean(softplus(fake_logits - mean(real_logits)))

    The averages `mean(...)` run over all elements of the other batch (all
    patches of a PatchGAN map), as in TF-GAN's
    `relativistic_discriminator_loss`.

    Args:
        real_logits: tensor. Discriminator logits on real data, any shape.
        fake_logits: tensor. Discriminator logits on generated data, any
            shape.

    Returns:
        A scalar tensor in the dtype of the logits.

    Reference:
        Jolicoeur-Martineau, "The relativistic discriminator: a key element
        missing from standard GAN", ICLR 2019 (arXiv 2018).
    """
    real_logits = ops.convert_to_tensor(real_logits)
    fake_logits = ops.convert_to_tensor(fake_logits)
    return _mean_softplus(ops.mean(fake_logits) - real_logits) + _mean_softplus(
        fake_logits - ops.mean(real_logits)
    )


@keras.saving.register_keras_serializable(package="keras_gans")
def relativistic_average_generator_loss(fake_logits, real_logits):
    """Generator loss of the relativistic average standard GAN (RaSGAN).

    The discriminator loss with the roles of real and generated data swapped,
    so the generator also lowers how realistic real data looks:

        L_G = -mean(log sigmoid(fake_logits - mean(real_logits)))
              - mean(log(1 - sigmoid(real_logits - mean(fake_logits))))
            = mean(softplus(mean(real_logits) - fake_logits))
              + mean(softplus(real_logits - mean(fake_logits)))

    It needs the discriminator's logits on real data: the training engine
    passes them as `real_logits` to any generator loss with a parameter of
    that name.

    Args:
        fake_logits: tensor. Discriminator logits on generated data, any
            shape.
        real_logits: tensor. Discriminator logits on real data, any shape.

    Returns:
        A scalar tensor in the dtype of the logits.

    Reference:
        Jolicoeur-Martineau, "The relativistic discriminator: a key element
        missing from standard GAN", ICLR 2019 (arXiv 2018).
    """
    return relativistic_average_discriminator_loss(fake_logits, real_logits)


@keras.saving.register_keras_serializable(package="keras_gans")
def feature_matching_loss(real_features, fake_features):
    """Feature matching: match the mean discriminator features of real data.

    The generator matches the batch mean of an intermediate discriminator
    feature `f` on real data:

        L_G = mean_features((mean_batch(f(x)) - mean_batch(f(G(z))))^2)

    This is Salimans et al.'s `||E f(x) - E f(G(z))||_2^2` divided by the
    number of features `F` (the product of all non-batch dimensions). The
    average rather than the sum keeps the scale of the loss independent of
    which layer is matched and how wide it is, so its weight and the learning
    rate need no retuning when the layer changes; multiply by `F` for the
    paper's sum. (The authors' released code averages over features too,
    though with an absolute rather than a squared difference.)

    Args:
        real_features: tensor. Features of a real batch, shape
            `(batch, ...)`.
        fake_features: tensor. Features of a generated batch, shape
            `(batch', ...)` with the same non-batch dimensions; the two
            batch sizes may differ.

    Returns:
        A scalar tensor in the dtype of the features.

    Reference:
        Salimans et al., "Improved Techniques for Training GANs", NeurIPS
        2016, section 3.1.
    """
    real_features = ops.convert_to_tensor(real_features)
    fake_features = ops.convert_to_tensor(fake_features)
    if _rank(real_features) == 0 or _rank(fake_features) == 0:
        raise ValueError(
            "`feature_matching_loss` needs features with a batch dimension. "
            f"Received: real_features.shape={real_features.shape}, "
            f"fake_features.shape={fake_features.shape}"
        )
    difference = ops.mean(real_features, axis=0) - ops.mean(fake_features, axis=0)
    return ops.mean(ops.square(difference))
