import json
import os

import keras
import numpy as np
import scipy.stats
import tensorflow as tf

from keras_gans.applications import mode_collapse
from keras_gans.models.vae import VAE

DATA_DIM, LATENT_DIM, BATCH = 3, 2, 4
SEED = 5


def _pinned_weights(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "We": rng.normal(0.0, 0.5, (DATA_DIM, 2 * LATENT_DIM)),
        "be": rng.normal(0.0, 0.2, (2 * LATENT_DIM,)),
        "Wd": rng.normal(0.0, 0.5, (LATENT_DIM, DATA_DIM)),
        "bd": rng.normal(0.0, 0.2, (DATA_DIM,)),
    }


def _tiny_vae(likelihood="gaussian", output_std=None, seed=SEED, weights=None):
    """A VAE of two linear layers (tanh output for Bernoulli) with pinned weights."""
    weights = weights or _pinned_weights()
    encoder = keras.Sequential(
        [keras.Input((DATA_DIM,)), keras.layers.Dense(2 * LATENT_DIM)], name="encoder"
    )
    activation = "tanh" if likelihood == "bernoulli" else None
    decoder = keras.Sequential(
        [keras.Input((LATENT_DIM,)), keras.layers.Dense(DATA_DIM, activation=activation)],
        name="decoder",
    )
    encoder.set_weights([weights["We"], weights["be"]])
    decoder.set_weights([weights["Wd"], weights["bd"]])
    return VAE(encoder, decoder, likelihood=likelihood, output_std=output_std, seed=seed)


def _data(seed=1, low=-1.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, (BATCH, DATA_DIM)).astype("float32")


def _noise(seed=2):
    return np.random.default_rng(seed).standard_normal((BATCH, LATENT_DIM)).astype("float32")


def _reference_terms(x, eps, weights, likelihood="gaussian", std=None):
    """The negative ELBO in float64 NumPy and SciPy, written out independently."""
    x = x.astype(np.float64)
    statistics = x @ weights["We"] + weights["be"]
    mean, log_var = statistics[:, :LATENT_DIM], statistics[:, LATENT_DIM:]
    z = mean + np.exp(0.5 * log_var) * eps
    x_mean = z @ weights["Wd"] + weights["bd"]
    if likelihood == "gaussian":
        log_likelihood = scipy.stats.norm.logpdf(x, loc=x_mean, scale=std).sum(axis=1)
    else:
        target = (x + 1) / 2
        p = np.clip((np.tanh(x_mean) + 1) / 2, 1e-7, 1 - 1e-7)
        log_likelihood = (target * np.log(p) + (1 - target) * np.log(1 - p)).sum(axis=1)
    kl = 0.5 * np.sum(np.exp(log_var) + mean**2 - 1.0 - log_var, axis=1)
    reconstruction = -log_likelihood.mean()
    return {"loss": reconstruction + kl.mean(), "reconstruction": reconstruction, "kl": kl.mean()}


def _as_json(config):
    return json.dumps(config, sort_keys=True)


def _as_floats(terms):
    return {name: float(value) for name, value in terms.items()}


class VAETest(tf.test.TestCase):
    def test_elbo_matches_numpy_with_learned_std(self):
        vae = _tiny_vae()
        log_std = np.array([0.3, -0.5, 0.1], np.float32)
        vae.log_output_std.assign(log_std)
        x, eps = _data(), _noise()
        got = _as_floats(vae.loss_terms(x, noise=eps))
        expected = _reference_terms(x, eps, _pinned_weights(), std=np.exp(log_std))
        for name in ("loss", "reconstruction", "kl"):
            self.assertAllClose(got[name], expected[name], rtol=1e-5, msg=name)

    def test_elbo_matches_numpy_with_fixed_std(self):
        vae = _tiny_vae(output_std=0.25)
        self.assertIsNone(vae.log_output_std)
        self.assertEqual(len(vae.trainable_variables), 4)
        x, eps = _data(), _noise()
        got = _as_floats(vae.loss_terms(x, noise=eps))
        expected = _reference_terms(x, eps, _pinned_weights(), std=0.25)
        for name in ("loss", "reconstruction", "kl"):
            self.assertAllClose(got[name], expected[name], rtol=1e-5, msg=name)

    def test_elbo_matches_numpy_with_bernoulli_likelihood(self):
        vae = _tiny_vae(likelihood="bernoulli")
        x, eps = _data(), _noise()
        got = _as_floats(vae.loss_terms(x, noise=eps))
        expected = _reference_terms(x, eps, _pinned_weights(), likelihood="bernoulli")
        for name in ("loss", "reconstruction", "kl"):
            self.assertAllClose(got[name], expected[name], rtol=1e-5, msg=name)

    def test_kl_is_the_closed_form_and_agrees_with_monte_carlo(self):
        vae = _tiny_vae()
        x = _data()
        mean, log_var = (t.numpy().astype(np.float64) for t in vae.encode(x))
        closed_form = 0.5 * np.sum(np.exp(log_var) + mean**2 - 1.0 - log_var, axis=1)
        got = float(vae.loss_terms(x, noise=_noise())["kl"])
        self.assertAllClose(got, closed_form.mean(), rtol=1e-6)
        # E_q[log q(z) - log p(z)] by sampling, with SciPy's densities.
        rng = np.random.default_rng(3)
        std = np.exp(0.5 * log_var)
        estimates = []
        for m, s in zip(mean, std, strict=True):
            z = m + s * rng.standard_normal((200_000, LATENT_DIM))
            log_q = scipy.stats.norm.logpdf(z, m, s).sum(axis=1)
            log_p = scipy.stats.norm.logpdf(z).sum(axis=1)
            estimates.append(np.mean(log_q - log_p))
        self.assertAllClose(closed_form, estimates, atol=0.02)
        # The KL does not depend on the noise.
        self.assertAllClose(float(vae.loss_terms(x, noise=_noise(9))["kl"]), got, rtol=1e-6)

    def test_steps_draw_the_noise_from_the_seeded_stream(self):
        x = _data()
        eps = keras.random.normal((BATCH, LATENT_DIM), seed=keras.random.SeedGenerator(SEED))
        expected = _reference_terms(x, eps.numpy(), _pinned_weights(), std=1.0)
        vae = _tiny_vae()
        vae.compile(optimizer=keras.optimizers.SGD(0.1))
        logs = vae.evaluate(x, batch_size=BATCH, verbose=0, return_dict=True)
        self.assertEqual(set(logs), {"loss", "reconstruction", "kl"})
        for name in ("loss", "reconstruction", "kl"):
            self.assertAllClose(logs[name], expected[name], rtol=1e-5, msg=name)

    def test_one_train_step_is_sgd_on_the_negative_elbo(self):
        x = _data()
        eps = keras.random.normal((BATCH, LATENT_DIM), seed=keras.random.SeedGenerator(SEED))
        vae = _tiny_vae()
        vae.compile(optimizer=keras.optimizers.SGD(0.1))
        variables = vae.trainable_variables
        self.assertLen(variables, 5)  # two dense layers and the output log std
        with tf.GradientTape() as tape:
            loss = vae.loss_terms(x, noise=eps, training=True)["loss"]
        expected = [
            v.numpy() - 0.1 * g.numpy()
            for v, g in zip(variables, tape.gradient(loss, variables), strict=True)
        ]
        logs = vae.train_on_batch(x, return_dict=True)
        self.assertAllClose(logs["loss"], float(loss), rtol=1e-6)
        for variable, value in zip(variables, expected, strict=True):
            self.assertAllClose(variable.numpy(), value, rtol=1e-5, atol=1e-7)
        self.assertNotAllClose(vae.log_output_std.numpy(), np.zeros(DATA_DIM))

    def test_fit_reduces_the_loss_on_a_toy_dataset(self):
        # Points near the line x2 = 2 x1: one latent dimension explains them.
        rng = np.random.default_rng(0)
        t = rng.standard_normal((512, 1))
        x = (np.concatenate([t, 2 * t], axis=1) + 0.05 * rng.standard_normal((512, 2))).astype(
            "float32"
        )
        keras.utils.set_random_seed(0)
        vae = VAE(
            mode_collapse.dense_encoder(data_dim=2, latent_dim=1, hidden_units=(16,)),
            mode_collapse.dense_decoder(latent_dim=1, data_dim=2, hidden_units=(16,)),
            seed=0,
        )
        vae.compile(optimizer=keras.optimizers.Adam(1e-2))
        before = vae.evaluate(x, batch_size=512, verbose=0, return_dict=True)
        history = vae.fit(x, batch_size=64, epochs=8, shuffle=False, verbose=0).history
        after = vae.evaluate(x, batch_size=512, verbose=0, return_dict=True)
        self.assertLess(after["loss"], before["loss"] - 1.5)
        self.assertLess(history["loss"][-1], history["loss"][0] - 1.0)
        for epoch in range(8):
            self.assertAllClose(
                history["loss"][epoch],
                history["reconstruction"][epoch] + history["kl"][epoch],
                rtol=1e-5,
            )

    def test_generate_decodes_standard_normal_latents(self):
        vae = _tiny_vae(output_std=0.5)
        stream = keras.random.SeedGenerator(11)
        z = keras.random.normal((6, LATENT_DIM), seed=stream).numpy().astype(np.float64)
        weights = _pinned_weights()
        means = z @ weights["Wd"] + weights["bd"]
        samples = vae.generate(6, seed=11, batch_size=4)
        self.assertEqual(samples.dtype, np.float32)
        self.assertAllClose(samples, means, rtol=1e-5, atol=1e-6)
        self.assertAllEqual(vae.generate(6, seed=11), samples)
        self.assertNotAllClose(vae.generate(6, seed=12), samples)
        noise = keras.random.normal((6, DATA_DIM), seed=stream).numpy()
        self.assertAllClose(
            vae.generate(6, seed=11, add_noise=True), means + 0.5 * noise, rtol=1e-5, atol=1e-6
        )
        self.assertEqual(vae.generate(0).shape, (0, DATA_DIM))

    def test_generate_with_bernoulli_noise(self):
        vae = _tiny_vae(likelihood="bernoulli")
        means = vae.generate(4000, seed=0)
        binary = vae.generate(4000, seed=0, add_noise=True)
        self.assertEqual(set(np.unique(binary)), {-1.0, 1.0})
        # E[x] = 2 p - 1 = the decoder's mean, pixel by pixel on average.
        self.assertAllClose(binary.mean(axis=0), means.mean(axis=0), atol=0.06)

    def test_keras_file_round_trip(self):
        for likelihood, output_std in (("gaussian", None), ("gaussian", 0.3), ("bernoulli", None)):
            vae = _tiny_vae(likelihood=likelihood, output_std=output_std)
            if vae.log_output_std is not None:
                vae.log_output_std.assign([0.1, -0.2, 0.3])
            path = os.path.join(self.get_temp_dir(), f"vae_{likelihood}_{output_std}.keras")
            vae.save(path)
            self.assertNotIn(".vae", "".join(os.listdir(self.get_temp_dir())))  # no staging file
            loaded = keras.models.load_model(path)
            self.assertIsInstance(loaded, VAE)
            # Equal up to tuples read back as lists.
            self.assertEqual(_as_json(loaded.get_config()), _as_json(vae.get_config()))
            self.assertEqual((loaded.likelihood, loaded.output_std), (likelihood, output_std))
            x, eps = _data(), _noise()
            self.assertAllClose(loaded(x), vae(x), rtol=0, atol=0)
            self.assertAllEqual(loaded.generate(5, seed=3), vae.generate(5, seed=3))
            got, expected = loaded.loss_terms(x, noise=eps), vae.loss_terms(x, noise=eps)
            for name in ("loss", "reconstruction", "kl"):
                self.assertEqual(float(got[name]), float(expected[name]))

    def test_config_round_trip(self):
        vae = _tiny_vae(output_std=0.3, seed=7)
        config = vae.get_config()
        self.assertEqual(
            {k: config[k] for k in ("likelihood", "output_std", "seed")},
            {"likelihood": "gaussian", "output_std": 0.3, "seed": 7},
        )
        self.assertEqual(VAE.from_config(config).get_config(), config)
        self.assertEqual(keras.saving.get_registered_name(VAE), "keras_gans>VAE")

    def test_bad_networks_and_arguments(self):
        encoder = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
        decoder = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
        odd = keras.Sequential([keras.Input((3,)), keras.layers.Dense(5)])
        wide = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(4)])
        cases = [
            (dict(encoder=odd), r"\(batch, 2 \* latent_dim\).*\(batch, 5\)"),
            (dict(decoder=wide), r"shape \(batch, 2\).*decoder input shape=\(batch, 3\)"),
            (
                dict(decoder=keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])),
                r"encoder input shape=\(3,\), decoder output shape=\(4,\)",
            ),
            (dict(encoder="encoder"), "must be a `keras.Model`.*type str"),
            (
                dict(encoder=keras.Sequential([keras.layers.Dense(4)])),
                "built Keras model with known inputs",
            ),
            (dict(likelihood="laplace"), "likelihood='laplace'"),
            (dict(likelihood="bernoulli", output_std=0.1), "Gaussian likelihood only"),
            (dict(output_std=0.0), "output_std=0.0"),
            (dict(seed=-1), "seed=-1"),
        ]
        for overrides, message in cases:
            kwargs = {"encoder": encoder, "decoder": decoder, **overrides}
            with self.assertRaisesRegex(ValueError, message):
                VAE(**kwargs)
        vae = VAE(encoder, decoder)
        with self.assertRaisesRegex(ValueError, "num_samples=-1"):
            vae.generate(-1)
        with self.assertRaisesRegex(ValueError, "add_noise=1"):
            vae.generate(2, add_noise=1)
