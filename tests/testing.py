"""Tiny models and data shared by the tests."""

import keras
import numpy as np

LATENT_DIM = 3
IMAGE_SHAPE = (4, 4, 1)
NUM_CLASSES = 3


def tiny_generator(latent_dim=LATENT_DIM, image_shape=IMAGE_SHAPE, num_classes=None):
    """A two-layer MLP generator, conditional when `num_classes` is given."""
    latent = keras.Input((latent_dim,), name="latent")
    inputs, hidden = latent, latent
    if num_classes:
        label = keras.Input((), dtype="int32", name="label")
        embedded = keras.layers.Embedding(num_classes, 2)(label)
        hidden = keras.layers.Concatenate()([latent, embedded])
        inputs = {"latent": latent, "label": label}
    hidden = keras.layers.Dense(8, activation="relu")(hidden)
    hidden = keras.layers.Dense(int(np.prod(image_shape)), activation="tanh")(hidden)
    outputs = keras.layers.Reshape(image_shape)(hidden)
    model = keras.Model(inputs, outputs, name="tiny_generator")
    model.num_classes = num_classes
    return model


def tiny_discriminator(image_shape=IMAGE_SHAPE, num_classes=None):
    """A two-layer MLP discriminator, conditional when `num_classes` is given."""
    image = keras.Input(image_shape, name="image")
    inputs, hidden = image, keras.layers.Flatten()(image)
    if num_classes:
        label = keras.Input((), dtype="int32", name="label")
        embedded = keras.layers.Embedding(num_classes, 2)(label)
        hidden = keras.layers.Concatenate()([hidden, embedded])
        inputs = {"image": image, "label": label}
    hidden = keras.layers.Dense(8, activation="relu", name="hidden")(hidden)
    outputs = keras.layers.Dense(1)(hidden)
    return keras.Model(inputs, outputs, name="tiny_discriminator")


def tiny_gan(num_classes=None, seed=1, **compile_kwargs):
    """A compiled tiny AdversarialModel with plain SGD (easy to replay)."""
    from keras_gans import AdversarialModel

    keras.utils.set_random_seed(seed)  # the same initial weights every time
    gan = AdversarialModel(
        tiny_generator(num_classes=num_classes),
        tiny_discriminator(num_classes=num_classes),
        seed=seed,
    )
    compile_kwargs.setdefault("g_optimizer", keras.optimizers.SGD(0.1))
    compile_kwargs.setdefault("d_optimizer", keras.optimizers.SGD(0.1))
    gan.compile(**compile_kwargs)
    return gan


def tiny_images(n=16, seed=0, image_shape=IMAGE_SHAPE):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, *image_shape)).astype("float32")


def tiny_labels(n=16, seed=0, num_classes=NUM_CLASSES):
    return np.random.default_rng(seed).integers(0, num_classes, n).astype("int32")


def weights_of(model):
    return [v.numpy() for v in model.weights]
