"""Hand replays of `AdversarialModel`'s training step: eager, plain SGD, formulas written out.

Nothing here calls the engine: the networks are called directly (with a dict
`{"latent", "label"}` / `{"image", "label"}` for a conditional pair), the
losses are written from their definitions, and each update is a
`tf.GradientTape` followed by `w -= lr * grad`. The tests compare `fit` with
these replays.
"""

import keras
import numpy as np
import tensorflow as tf

LR = 0.1


# --- Losses, written out independently of keras_gans.losses ---------------


def ns_d_loss(real_logits, fake_logits):
    """-log sigmoid(r) - log(1 - sigmoid(f)), averaged."""
    return tf.reduce_mean(tf.math.softplus(-real_logits)) + tf.reduce_mean(
        tf.math.softplus(fake_logits)
    )


def ns_g_loss(fake_logits):
    """-log sigmoid(f), averaged."""
    return tf.reduce_mean(tf.math.softplus(-fake_logits))


def smoothed_d_loss(target):
    """Binary cross-entropy with real target `target` and fake target 0."""

    def loss(real_logits, fake_logits):
        return tf.reduce_mean(
            target * tf.math.softplus(-real_logits) + (1 - target) * tf.math.softplus(real_logits)
        ) + tf.reduce_mean(tf.math.softplus(fake_logits))

    return loss


def wasserstein_d_loss(real_scores, fake_scores):
    return tf.reduce_mean(fake_scores) - tf.reduce_mean(real_scores)


def wasserstein_g_loss(fake_scores):
    return -tf.reduce_mean(fake_scores)


def feature_distance(real_features, fake_features):
    """mean over features of (batch mean of real - batch mean of fake)^2."""
    return tf.reduce_mean(
        tf.square(tf.reduce_mean(real_features, 0) - tf.reduce_mean(fake_features, 0))
    )


# --- Calling the networks ---------------------------------------------------


def generate(generator, z, labels=None, training=True):
    return generator(z if labels is None else {"latent": z, "label": labels}, training=training)


def discriminate(discriminator, x, labels=None, training=True):
    return discriminator(x if labels is None else {"image": x, "label": labels}, training=training)


def first_latents(gan, batch_size):
    """The latents of the model's first step: the first draw of its seed."""
    return keras.random.normal(
        (batch_size, gan.latent_dim), seed=keras.random.SeedGenerator(gan.seed)
    )


def rows(tensor, part):
    return None if tensor is None else tensor[part]


def sgd(gradients, variables, lr=LR, clip=None):
    for variable, gradient in zip(variables, gradients, strict=True):
        value = variable - lr * tf.convert_to_tensor(gradient)
        if clip is not None:
            value = tf.clip_by_value(value, -clip, clip)
        variable.assign(value)


# --- One step -------------------------------------------------------------


def replay_step(
    gan,
    real,
    labels=None,
    latents=None,
    update="alternating",
    d_steps=1,
    d_loss=ns_d_loss,
    g_loss=ns_g_loss,
    summary=tf.sigmoid,
    d_penalty=None,
    g_penalty=None,
    clip=None,
    features=None,
    lr=LR,
    restore=True,
):
    """Replays one training step of `gan` on `real` (and `labels`).

    Args:
        gan: the `AdversarialModel`; only its `generator` and `discriminator`
            are used.
        latents: the step's latents. Defaults to the first draw of the
            model's seed (`first_latents`).
        d_penalty: `(name, fn)`, with `fn(discriminator_fn, real, fake)` the
            weighted value added to each discriminator update's loss.
        g_penalty: `(name, fn)`, with `fn(real, fake, latents)` the weighted
            value added to the generator's loss (on the generator's slice).
        clip: float. Clip every discriminator weight after each update.
        features: str. A discriminator layer: the generator minimises
            `feature_distance` of that layer's outputs instead of `g_loss`.
        restore: put the networks' initial weights back afterwards.

    Returns:
        `(generator_weights, discriminator_weights, logs)`: the weights after
        the step, and the values the step should log: `d_loss`, `d_real`,
        `d_fake` and each discriminator penalty as means over the slices,
        `g_loss` and the generator penalty on the generator's update, and
        (alternating) `slices`, the list of each slice's own values.
    """
    g, d = gan.generator, gan.discriminator
    g_init, d_init = g.get_weights(), d.get_weights()
    real = tf.convert_to_tensor(real)
    batch = int(real.shape[0])
    z = first_latents(gan, batch) if latents is None else tf.convert_to_tensor(latents)
    feature_model = None
    if features is not None:
        feature_model = keras.Model(d.input, d.get_layer(features).output)

    def g_objective(real_g, fake_g, y, z_g):
        if feature_model is not None:
            value = feature_distance(
                discriminate(feature_model, real_g, y), discriminate(feature_model, fake_g, y)
            )
        else:
            value = g_loss(discriminate(d, fake_g, y))
        extra = {}
        if g_penalty is not None:
            name, fn = g_penalty
            extra[name] = fn(real_g, fake_g, z_g)
        return value, extra

    def d_objective(real_d, fake_d, y):
        real_logits, fake_logits = discriminate(d, real_d, y), discriminate(d, fake_d, y)
        value = d_loss(real_logits, fake_logits)
        extra = {}
        if d_penalty is not None:
            name, fn = d_penalty
            extra[name] = fn(lambda x: discriminate(d, x, y), real_d, fake_d)
        summaries = (
            tf.reduce_mean(summary(real_logits)),
            tf.reduce_mean(summary(fake_logits)),
        )
        return value, extra, summaries

    logs = {}
    if update == "simultaneous":
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = generate(g, z, labels)
            d_value, d_extra, (d_real, d_fake) = d_objective(real, fake, labels)
            g_value, g_extra = g_objective(real, fake, labels, z)
            d_total = d_value + sum(d_extra.values())
            g_total = g_value + sum(g_extra.values())
        g_grads = g_tape.gradient(g_total, g.trainable_variables)
        d_grads = d_tape.gradient(d_total, d.trainable_variables)
        sgd(g_grads, g.trainable_variables, lr)
        sgd(d_grads, d.trainable_variables, lr, clip)
        logs.update(d_loss=d_value, g_loss=g_value, d_real=d_real, d_fake=d_fake)
        logs.update(d_extra)
        logs.update(g_extra)
    else:
        n = batch // d_steps
        fake = generate(g, z, labels)
        per_slice = []
        for i in range(d_steps):
            part = slice(i * n, (i + 1) * n)
            y = rows(labels, part)
            with tf.GradientTape() as tape:
                d_value, d_extra, summaries = d_objective(real[part], fake[part], y)
                total = d_value + sum(d_extra.values())
            sgd(tape.gradient(total, d.trainable_variables), d.trainable_variables, lr, clip)
            per_slice.append(
                {"d_loss": d_value, "d_real": summaries[0], "d_fake": summaries[1], **d_extra}
            )
        # The generator steps on the last slice, against the updated discriminator.
        y = rows(labels, part)
        with tf.GradientTape() as tape:
            fake_g = generate(g, z, labels)[part]
            g_value, g_extra = g_objective(real[part], fake_g, y, z[part])
            total = g_value + sum(g_extra.values())
        sgd(tape.gradient(total, g.trainable_variables), g.trainable_variables, lr)
        for key in per_slice[0]:
            logs[key] = np.mean([float(values[key]) for values in per_slice])
        logs["g_loss"] = g_value
        logs.update(g_extra)
        logs["slices"] = per_slice
    expected = g.get_weights(), d.get_weights()
    if restore:
        g.set_weights(g_init)
        d.set_weights(d_init)
    logs = {key: value if key == "slices" else float(value) for key, value in logs.items()}
    return expected[0], expected[1], logs
