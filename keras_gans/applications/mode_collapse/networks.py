"""Small dense encoder and decoder for a VAE baseline on the low-dimensional targets."""

import keras

from keras_gans.utils import validation


def _check_hidden_units(hidden_units):
    return validation.check_int_tuple(hidden_units, "hidden_units", example="(128, 128)")


def _mlp(inputs, hidden_units, activation, prefix):
    x = inputs
    for i, units in enumerate(hidden_units):
        x = keras.layers.Dense(units, activation=activation, name=f"{prefix}_hidden_{i}")(x)
    return x


def dense_encoder(data_dim=2, latent_dim=2, hidden_units=(128, 128), activation="relu"):
    """An MLP encoder for `keras_gans.models.vae.VAE` on vectors of size `data_dim`.

    Dense hidden layers, then a linear `Dense(2 * latent_dim)` giving the
    posterior mean and log variance concatenated, as `VAE` expects.

    Args:
        data_dim: int. Size of the input vectors (2 for the ring and grid,
            1 for the 1-D mixture). Defaults to `2`.
        latent_dim: int. Size of the latent space. Defaults to `2`.
        hidden_units: sequence of ints. Widths of the hidden layers.
            Defaults to `(128, 128)`.
        activation: str or callable. Activation of the hidden layers.
            Defaults to `"relu"`.

    Returns:
        A functional `keras.Model` named `"encoder"` mapping `(batch, data_dim)`
        to `(batch, 2 * latent_dim)`.

    Example:

    ```python
    from keras_gans.applications import mode_collapse

    encoder = mode_collapse.dense_encoder(data_dim=2, latent_dim=2)
    encoder.output.shape  # (None, 4)
    ```
    """
    data_dim = validation.check_positive_int(data_dim, "data_dim")
    latent_dim = validation.check_positive_int(latent_dim, "latent_dim")
    hidden_units = _check_hidden_units(hidden_units)
    inputs = keras.Input((data_dim,), name="sample")
    x = _mlp(inputs, hidden_units, activation, "encoder")
    outputs = keras.layers.Dense(2 * latent_dim, name="mean_and_log_var")(x)
    return keras.Model(inputs, outputs, name="encoder")


def dense_decoder(latent_dim=2, data_dim=2, hidden_units=(128, 128), activation="relu"):
    """An MLP decoder for `keras_gans.models.vae.VAE` producing vectors of size `data_dim`.

    Dense hidden layers, then a linear `Dense(data_dim)`: the mean of a
    Gaussian likelihood, unbounded like the targets.

    Args:
        latent_dim: int. Size of the latent space. Defaults to `2`.
        data_dim: int. Size of the output vectors. Defaults to `2`.
        hidden_units: sequence of ints. Widths of the hidden layers.
            Defaults to `(128, 128)`.
        activation: str or callable. Activation of the hidden layers.
            Defaults to `"relu"`.

    Returns:
        A functional `keras.Model` named `"decoder"` mapping
        `(batch, latent_dim)` to `(batch, data_dim)`.

    Example:

    ```python
    from keras_gans.applications import mode_collapse

    decoder = mode_collapse.dense_decoder(latent_dim=2, data_dim=2)
    decoder.output.shape  # (None, 2)
    ```
    """
    latent_dim = validation.check_positive_int(latent_dim, "latent_dim")
    data_dim = validation.check_positive_int(data_dim, "data_dim")
    hidden_units = _check_hidden_units(hidden_units)
    inputs = keras.Input((latent_dim,), name="latent")
    x = _mlp(inputs, hidden_units, activation, "decoder")
    outputs = keras.layers.Dense(data_dim, name="mean")(x)
    return keras.Model(inputs, outputs, name="decoder")
