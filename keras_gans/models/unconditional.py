"""An unconditional generator made of a conditional one and a prior over its classes."""

import keras
import numpy as np
import tensorflow as tf

from keras_gans.models.submodel_io import GENERATOR
from keras_gans.models.submodel_io import SubmodelInputs
from keras_gans.utils import validation

# Keeps the redrawn first latent coordinate finite where float32 rounds the
# normal CDF to 0 or 1.
_EDGE = 1e-7


@keras.saving.register_keras_serializable(package="keras_gans")
class UnconditionalGenerator(keras.Model):
    """A conditional generator that draws its own class from the latent vector.

    The class is drawn from `class_probabilities` by the first latent
    coordinate, through the normal CDF: `u = Phi(z_0)` is uniform on (0, 1),
    and the class is the interval of the cumulative probabilities `u` falls
    in. Where `u` lies inside that interval, rescaled to (0, 1) and mapped
    back through `Phi^-1`, gives a new first coordinate. This is a one-to-one
    map of `N(0, I)` onto `Categorical(p) x N(0, I)`: a standard normal latent
    gives each class with its probability and, given the class, a standard
    normal latent, which is what the conditional generator was trained on. It
    turns a GAN trained on cluster ids (`keras_gans.data.ImageClusters`) into
    an ordinary unconditional generator, `latent -> image`, which exports with
    `serve(latent)`.

    Args:
        generator: `keras.Model`. A conditional generator (it takes a
            `"label"`), as `keras_gans.architectures` builds with
            `num_classes` set.
        class_probabilities: sequence of floats, one per class of the
            generator, positive and summing to 1 (an `ImageClusters`'
            `probabilities`).

    Example:

    ```python
    clusters = keras_gans.data.ImageClusters.fit(dataset, num_clusters=50)
    gan = keras_gans.AdversarialModel(
        DCGANGenerator(latent_dim=64, image_shape=(28, 28, 1), num_classes=50),
        DCGANDiscriminator(image_shape=(28, 28, 1), num_classes=50),
    )
    gan.compile()
    gan.fit(clusters.label(dataset), epochs=20)
    with gan.ema_weights():
        generator = UnconditionalGenerator(gan.generator, clusters.probabilities)
        keras_gans.export_generator(generator, "saved_models/my_generator")
    ```
    """

    def __init__(self, generator, class_probabilities, **kwargs):
        super().__init__(**kwargs)
        io = SubmodelInputs(generator, GENERATOR)
        if not io.conditional:
            raise ValueError(
                "`UnconditionalGenerator` wraps a conditional generator (one with a "
                f"'label' input). Received an unconditional one: {generator!r}"
            )
        # One per class of the generator.
        probabilities = validation.check_probabilities(
            class_probabilities, "class_probabilities", size=io.num_classes
        )
        self.generator = generator
        self._io = io
        self.latent_dim = io.vector_size("latent")
        self.class_probabilities = probabilities.tolist()
        upper = np.cumsum(probabilities)
        upper[-1] = 1.0
        self._upper = tf.constant(upper, tf.float32)
        self._lower = tf.constant(np.concatenate([[0.0], upper[:-1]]), tf.float32)

    def split_latent(self, latent):
        """The class each latent vector draws, and the latent the generator gets."""
        # The class is chosen in float32 under any precision policy.
        latent = tf.cast(latent, tf.float32)
        first = latent[:, :1]
        u = tf.clip_by_value(0.5 * tf.math.erfc(-first / np.sqrt(2.0)), _EDGE, 1.0 - _EDGE)
        labels = tf.searchsorted(self._upper, u[:, 0], side="right", out_type=tf.int32)
        labels = tf.minimum(labels, len(self.class_probabilities) - 1)
        lower = tf.gather(self._lower, labels)[:, None]
        width = tf.gather(self._upper, labels)[:, None] - lower
        inside = tf.clip_by_value((u - lower) / width, _EDGE, 1.0 - _EDGE)
        redrawn = np.sqrt(2.0) * tf.math.erfinv(2.0 * inside - 1.0)
        return labels, tf.concat([redrawn, latent[:, 1:]], axis=1)

    def call(self, latent, training=False):
        labels, latent = self.split_latent(latent)
        return self._io.call(self.generator, latent, labels, training)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "generator": keras.saving.serialize_keras_object(self.generator),
                "class_probabilities": self.class_probabilities,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        return cls(**config)
