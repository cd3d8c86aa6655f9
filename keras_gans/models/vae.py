"""A variational autoencoder trained by `fit`: the likelihood-based baseline."""

import math

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gans.utils import file_utils
from keras_gans.utils import validation

LIKELIHOODS = ("gaussian", "bernoulli")
# Bound keeping the Bernoulli means away from 0 and 1 in the cross-entropy,
# the value Keras' own binary cross-entropy uses (`keras.config.epsilon()`).
BERNOULLI_EPSILON = 1e-7
HALF_LOG_TWO_PI = 0.5 * math.log(2.0 * math.pi)


def _single_tensor(model, role, attribute):
    try:
        tensors = getattr(model, attribute)
    except (AttributeError, ValueError) as e:
        raise ValueError(
            f"The {role} must be a built Keras model with known inputs and outputs "
            "(a functional model, or a Sequential model that starts with `keras.Input`). "
            f"Received: {role}={model!r}"
        ) from e
    if len(tensors) != 1:
        raise ValueError(
            f"The {role} must have exactly one {attribute[:-1]}. "
            f"Received: {len(tensors)} {attribute} ({[t.name for t in tensors]})"
        )
    return tensors[0]


@keras.saving.register_keras_serializable(package="keras_gans")
class VAE(keras.Model):
    """A variational autoencoder: an encoder, a decoder and the ELBO, trained by `fit`.

    The encoder maps a sample `x` to the parameters of the approximate
    posterior `q(z|x) = N(mean, diag(exp(log_var)))` as **one tensor**
    `concatenate([mean, log_var], axis=-1)` of shape `(batch, 2 * latent_dim)`.
    The decoder maps a latent vector `z` to the mean of `p(x|z)` in data
    space. Each training step draws `z = mean + exp(log_var / 2) * eps` with
    `eps ~ N(0, I)` from the model's seeded noise stream (the
    reparameterisation trick) and minimises the negative evidence lower
    bound, averaged over the batch:

        loss = reconstruction + kl
        reconstruction = -log p(x | z)          (summed over the sample's entries)
        kl = KL(q(z|x) || N(0, I))
           = 1/2 sum_j (exp(log_var_j) + mean_j^2 - 1 - log_var_j)

    `fit` and `evaluate` log `loss` (the negative ELBO), `reconstruction` and
    `kl`; weight regularisation losses of the sub-models are added to the
    minimised loss but not to the logged `loss`.

    Two likelihoods:

    * `"gaussian"`, for continuous data such as the 2-D targets of
      `keras_gans.applications.mode_collapse`: `p(x|z) = N(decoder(z),
      diag(sigma^2))`. With `output_std=None`, `log(sigma)` is a learned
      weight with one entry per data entry, initialised to 0; a float fixes
      `sigma`. The reconstruction term is then a true negative
      log-density, `sum(log sigma + (x - decoder(z))^2 / (2 sigma^2) +
      log(2 pi) / 2)`.
    * `"bernoulli"`, for images in [-1, 1] from a decoder ending in `tanh`
      (like the GAN generators): the pixel intensities `t = (x + 1) / 2` are
      scored by the cross-entropy with the means `p = (decoder(z) + 1) / 2`
      (clipped to `[1e-7, 1 - 1e-7]`), `-sum(t log p + (1 - t) log(1 - p))`.
      This is the usual choice for MNIST-like images; it is a normalised
      likelihood only for binary pixels, so the ELBO it gives is not a bound
      on the log-likelihood of grey images.

    Args:
        encoder: `keras.Model` with one input and one output of known shapes
            (a functional model, or a Sequential model that starts with
            `keras.Input`). Maps samples of shape `(batch, *data_shape)` to
            `(batch, 2 * latent_dim)`: the posterior mean, then its log
            variance.
        decoder: `keras.Model`, likewise. Maps `(batch, latent_dim)` to
            `(batch, *data_shape)`.
        likelihood: str. `"gaussian"` or `"bernoulli"`. Defaults to
            `"gaussian"`.
        output_std: float or None. The fixed std of the Gaussian likelihood,
            or `None` to learn it. Must be `None` with `"bernoulli"`.
            Defaults to `None`.
        seed: int or None. Seed of the model's noise stream (the `eps` of
            each step). Defaults to `None`.
        **kwargs: arguments of `keras.Model`, such as `name`.

    Example:

    ```python
    import keras
    from keras_gans.applications import mode_collapse
    from keras_gans.models.vae import VAE

    ring = mode_collapse.ring_2d()
    vae = VAE(
        mode_collapse.dense_encoder(data_dim=2, latent_dim=2),
        mode_collapse.dense_decoder(latent_dim=2, data_dim=2),
        seed=0,
    )
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    vae.fit(ring.dataset(num_samples=10_000, seed=0), epochs=5)
    samples = vae.generate(2500, seed=0, add_noise=True)
    ```

    Reference:
        Kingma and Welling, "Auto-Encoding Variational Bayes", ICLR 2014.
    """

    def __init__(
        self, encoder, decoder, likelihood="gaussian", output_std=None, seed=None, **kwargs
    ):
        super().__init__(**kwargs)
        for role, model in (("encoder", encoder), ("decoder", decoder)):
            if not isinstance(model, keras.Model):
                raise ValueError(
                    f"The {role} must be a `keras.Model`. Received: "
                    f"{role}={model!r} of type {type(model).__name__}"
                )
        data_shape = tuple(_single_tensor(encoder, "encoder", "inputs").shape[1:])
        statistics_shape = tuple(_single_tensor(encoder, "encoder", "outputs").shape[1:])
        if (
            len(statistics_shape) != 1
            or statistics_shape[0] is None
            or statistics_shape[0] % 2
            or statistics_shape[0] < 2
        ):
            raise ValueError(
                "The encoder must output one tensor of shape (batch, 2 * latent_dim): "
                "the posterior mean and log variance, concatenated. "
                f"Received: encoder output shape=(batch, {', '.join(map(str, statistics_shape))})"
            )
        latent_dim = statistics_shape[0] // 2
        latent_shape = tuple(_single_tensor(decoder, "decoder", "inputs").shape[1:])
        if latent_shape != (latent_dim,):
            raise ValueError(
                f"The decoder must take latent vectors of shape (batch, {latent_dim}) "
                f"to match the encoder's output of size {2 * latent_dim}. "
                f"Received: decoder input shape=(batch, {', '.join(map(str, latent_shape))})"
            )
        output_shape = tuple(_single_tensor(decoder, "decoder", "outputs").shape[1:])
        if output_shape != data_shape:
            raise ValueError(
                "The decoder must produce samples of the shape the encoder takes. "
                f"Received: encoder input shape={data_shape}, decoder output "
                f"shape={output_shape}"
            )
        likelihood = validation.check_one_of(likelihood, "likelihood", LIKELIHOODS)
        output_std = validation.check_number(
            output_std, "output_std", minimum=0, exclusive=True, allow_none=True
        )
        if output_std is not None and likelihood != "gaussian":
            raise ValueError(
                "`output_std` applies to the Gaussian likelihood only. Received: "
                f"likelihood={likelihood!r}, output_std={output_std!r}"
            )
        seed = validation.check_seed(seed)

        self.encoder = encoder
        self.decoder = decoder
        self.likelihood = likelihood
        self.output_std = output_std
        self.seed = seed
        self.latent_dim = latent_dim
        self.data_shape = data_shape
        self.seed_generator = keras.random.SeedGenerator(seed)
        if likelihood == "gaussian" and output_std is None:
            self.log_output_std = self.add_weight(
                shape=data_shape, initializer="zeros", trainable=True, name="log_output_std"
            )
        else:
            self.log_output_std = None
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")
        self.built = True

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker]

    # ------------------------------------------------------------------
    # The model.

    def encode(self, x, training=False):
        """The posterior mean and log variance of `q(z|x)`.

        Args:
            x: tensor of shape `(batch, *data_shape)`.
            training: bool. Whether the encoder runs in training mode.

        Returns:
            A tuple `(mean, log_var)` of float32 tensors of shape
            `(batch, latent_dim)`.
        """
        statistics = ops.cast(self.encoder(x, training=training), "float32")
        mean, log_var = ops.split(statistics, 2, axis=-1)
        return mean, log_var

    def decode(self, z, training=False):
        """The mean of `p(x|z)`, a float32 tensor of shape `(batch, *data_shape)`."""
        return ops.cast(self.decoder(z, training=training), "float32")

    def call(self, inputs, training=False):
        """Reconstructs `inputs` through the posterior mean (no noise)."""
        mean, _ = self.encode(inputs, training=training)
        return self.decode(mean, training=training)

    def _negative_log_likelihood(self, x, x_mean):
        """`-log p(x | z)` per sample, summed over its entries: shape `(batch,)`."""
        if self.likelihood == "gaussian":
            if self.log_output_std is None:
                log_std = ops.convert_to_tensor(math.log(self.output_std), "float32")
            else:
                log_std = ops.cast(self.log_output_std, "float32")
            scaled = (x - x_mean) * ops.exp(-log_std)
            per_entry = HALF_LOG_TWO_PI + log_std + 0.5 * ops.square(scaled)
        else:
            target = (x + 1.0) / 2.0
            p = ops.clip((x_mean + 1.0) / 2.0, BERNOULLI_EPSILON, 1.0 - BERNOULLI_EPSILON)
            per_entry = -(target * ops.log(p) + (1.0 - target) * ops.log(1.0 - p))
        return ops.sum(per_entry, axis=tuple(range(1, len(self.data_shape) + 1)))

    def loss_terms(self, x, noise=None, training=False):
        """The negative ELBO and its two terms on a batch, averaged over the batch.

        Args:
            x: tensor of shape `(batch, *data_shape)`.
            noise: tensor of shape `(batch, latent_dim)` or None. The `eps`
                of the reparameterisation `z = mean + exp(log_var / 2) * eps`.
                `None` draws it from the model's noise stream, as
                `train_step` does. Defaults to `None`.
            training: bool. Whether the sub-models run in training mode.
                Defaults to `False`.

        Returns:
            A dict of float32 scalars: `"loss"` (the negative ELBO),
            `"reconstruction"` (`-log p(x|z)`) and `"kl"`
            (`KL(q(z|x) || N(0, I))`).
        """
        x = ops.cast(x, "float32")
        mean, log_var = self.encode(x, training=training)
        if noise is None:
            noise = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        z = mean + ops.exp(0.5 * log_var) * ops.cast(noise, "float32")
        x_mean = self.decode(z, training=training)
        reconstruction = ops.mean(self._negative_log_likelihood(x, x_mean))
        kl = ops.mean(0.5 * ops.sum(ops.exp(log_var) + ops.square(mean) - 1.0 - log_var, axis=-1))
        return {"loss": reconstruction + kl, "reconstruction": reconstruction, "kl": kl}

    # ------------------------------------------------------------------
    # Training.

    def _samples(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        return x

    def _log(self, terms):
        self.loss_tracker.update_state(terms["loss"])
        self.reconstruction_tracker.update_state(terms["reconstruction"])
        self.kl_tracker.update_state(terms["kl"])
        return {metric.name: metric.result() for metric in self.metrics}

    def train_step(self, data):
        x = self._samples(data)
        variables = self.trainable_variables
        with tf.GradientTape() as tape:
            terms = self.loss_terms(x, training=True)
            loss = terms["loss"]
            if self.losses:
                loss = loss + ops.sum(self.losses)
            loss = self.optimizer.scale_loss(loss)
        gradients = tape.gradient(loss, variables)
        self.optimizer.apply(gradients, variables)
        return self._log(terms)

    def test_step(self, data):
        return self._log(self.loss_terms(self._samples(data), training=False))

    # ------------------------------------------------------------------
    # Sampling.

    def generate(self, num_samples, seed=None, batch_size=256, add_noise=False):
        """Draws samples from the model: `z ~ N(0, I)`, then the decoder.

        Args:
            num_samples: int. The number of samples.
            seed: int or None. Seed of the draws, for repeatable samples.
                Defaults to `None`.
            batch_size: int. Latent vectors decoded per call. Defaults to
                `256`.
            add_noise: bool. Also draw the observation from `p(x|z)`: add
                Gaussian noise of the likelihood's std, or for `"bernoulli"`
                set each pixel to 1 with probability `p` and to -1 otherwise.
                `False` returns the decoder's means, the usual images of a
                VAE. Defaults to `False`.

        Returns:
            A float32 NumPy array of shape `(num_samples, *data_shape)`.
        """
        num_samples = validation.check_int(num_samples, "num_samples", minimum=0)
        batch_size = validation.check_positive_int(batch_size, "batch_size")
        seed = validation.check_seed(seed)
        add_noise = validation.check_bool(add_noise, "add_noise")
        if num_samples == 0:
            return np.zeros((0, *self.data_shape), "float32")
        stream = keras.random.SeedGenerator(seed)
        latents = keras.random.normal((num_samples, self.latent_dim), seed=stream)
        outputs = []
        for start in range(0, num_samples, batch_size):
            outputs.append(self.decode(latents[start : start + batch_size], training=False))
        means = ops.concatenate(outputs, axis=0)
        if add_noise:
            if self.likelihood == "gaussian":
                std = (
                    self.output_std
                    if self.log_output_std is None
                    else ops.exp(ops.cast(self.log_output_std, "float32"))
                )
                means = means + std * keras.random.normal(ops.shape(means), seed=stream)
            else:
                uniform = keras.random.uniform(ops.shape(means), seed=stream)
                means = ops.where(uniform < (means + 1.0) / 2.0, 1.0, -1.0)
        return ops.convert_to_numpy(means).astype("float32")

    # ------------------------------------------------------------------
    # Serialization.

    def save(self, filepath, overwrite=True, **kwargs):
        """Saves the model as `keras.Model.save` does, atomically.

        The file is written beside `filepath` and renamed into place when
        complete, so an interrupted save never leaves a broken file.
        """
        return file_utils.save_atomically(super().save, filepath, overwrite, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "encoder": keras.saving.serialize_keras_object(self.encoder),
                "decoder": keras.saving.serialize_keras_object(self.decoder),
                "likelihood": self.likelihood,
                "output_std": self.output_std,
                "seed": self.seed,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["encoder"] = keras.saving.deserialize_keras_object(config["encoder"])
        config["decoder"] = keras.saving.deserialize_keras_object(config["decoder"])
        return cls(**config)
