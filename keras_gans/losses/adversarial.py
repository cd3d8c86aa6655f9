"""Adversarial losses as pure functions of discriminator logits.

Every function takes logits of any rank (a PatchGAN discriminator's map of
logits works as well as one logit per image), averages over all elements and
returns a scalar in the dtype of its inputs. Discriminator losses take
`real_logits` and `fake_logits`; generator losses take `fake_logits`.

The names and conventions follow TensorFlow-GAN (`tfgan.losses`), so the same
logits give the same numbers in both libraries.
"""

import keras
from keras import ops


def _mean_softplus(x):
    return ops.mean(ops.softplus(x))


@keras.saving.register_keras_serializable(package="keras_gans")
def minimax_discriminator_loss(real_logits, fake_logits):
    """Discriminator loss of the original GAN.

    The discriminator maximises `log D(x) + log(1 - D(G(z)))`, i.e. it
    minimises the binary cross-entropy of real samples labelled 1 and
    generated samples labelled 0:

        L_D = mean(softplus(-real_logits)) + mean(softplus(fake_logits))

    computed from logits, which is exact and stable for logits of any size
    (`-log sigmoid(x) = softplus(-x)`).

    Args:
        real_logits: tensor. Discriminator logits on real data, any shape.
        fake_logits: tensor. Discriminator logits on generated data, any
            shape.

    Returns:
        A scalar tensor in the dtype of the logits.

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
    """
    real_logits = ops.convert_to_tensor(real_logits)
    fake_logits = ops.convert_to_tensor(fake_logits)
    return _mean_softplus(-real_logits) + _mean_softplus(fake_logits)


@keras.saving.register_keras_serializable(package="keras_gans")
def minimax_generator_loss(fake_logits):
    """Generator loss of the original minimax GAN.

    The generator minimises `log(1 - D(G(z)))`:

        L_G = mean(log(1 - sigmoid(fake_logits))) = -mean(softplus(fake_logits))

    This loss saturates: when the discriminator rejects generated samples
    confidently its gradient vanishes. It is here for the original objective
    and for studies of that effect; the non-saturating loss is the practical
    choice.

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

LOSSES = {
    "minimax": (minimax_generator_loss, minimax_discriminator_loss),
    "non_saturating": (
        non_saturating_generator_loss,
        non_saturating_discriminator_loss,
    ),
}


def get(identifier):
    """Returns the `(generator_loss, discriminator_loss)` pair for a loss.

    Args:
        identifier: str or pair of callables. A loss name (one of
            `keras_gans.losses.LOSSES`) or a pair
            `(generator_loss(fake_logits), discriminator_loss(real_logits,
            fake_logits))`.

    Returns:
        A tuple of two callables.

    Example:

    ```python
    g_loss_fn, d_loss_fn = keras_gans.losses.get("non_saturating")
    ```
    """
    if isinstance(identifier, str):
        if identifier not in LOSSES:
            raise ValueError(
                f"Unknown GAN loss {identifier!r}. Valid names are "
                f"{sorted(LOSSES)}, or pass a pair of callables "
                "(generator_loss, discriminator_loss)."
            )
        return LOSSES[identifier]
    if (
        isinstance(identifier, (tuple, list))
        and len(identifier) == 2
        and all(callable(fn) for fn in identifier)
    ):
        return tuple(identifier)
    raise ValueError(
        "`loss` must be a loss name, one of "
        f"{sorted(LOSSES)}, or a pair of callables "
        f"(generator_loss, discriminator_loss). Received: loss={identifier!r}"
    )
