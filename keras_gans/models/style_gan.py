"""The engine for style-based generators: style mixing, and path lengths in `w`."""

import keras
from keras import ops

from keras_gans.models.adversarial_model import AdversarialModel
from keras_gans.utils import distribution
from keras_gans.utils import validation

# The keys of the latent dict a style-based generator takes in training.
LATENT = "latent"
MIXING_LATENT = "mixing_latent"
MIXING_CUTOFF = "mixing_cutoff"


@keras.saving.register_keras_serializable(package="keras_gans")
class StyleGAN(AdversarialModel):
    """`AdversarialModel` for style-based generators (StyleGAN, StyleGAN2).

    It changes two extension points of the engine and nothing else:

    - `sample_latents`: in training, with probability `style_mixing_prob`,
      each sample also gets a second latent and a crossover layer drawn
      uniformly from 1 to `num_ws - 1`: the generator uses the second
      latent's `w` from that layer on (style mixing regularisation). The
      other samples get the crossover `num_ws`, i.e. no mixing.
    - `intermediate_latents`: path length regularisation
      (`keras_gans.losses.PathLengthPenalty`) measures the synthesis network
      in `w` space, as StyleGAN2 does; that pass leaves the generator's
      moving average of `w` alone.

    The generator must be a style-based one: a `keras.Model` with a
    `mapping` network (`z -> ws`, `(batch, num_ws, w_dim)`), a `synthesis`
    network (`ws -> images`), `num_ws`, a `mapped(inputs, training,
    update_w_avg=...)` method and the latent dict keys `"latent"`,
    `"mixing_latent"` and `"mixing_cutoff"`, as
    `keras_gans.architectures.StyleGANGenerator` has.

    Args:
        generator: the style-based generator.
        discriminator: `keras.Model`.
        style_mixing_prob: float. Share of training samples with mixed
            styles. Defaults to `0.9` (StyleGAN, StyleGAN2).
        num_classes, seed, **kwargs: as `AdversarialModel`.

    Example:

    ```python
    gan = keras_gans.presets.stylegan2(image_shape=(32, 32, 3), size="small")
    gan.fit(dataset, epochs=10)
    images = gan.generate(16, truncation_psi=0.7)
    ```
    """

    def __init__(
        self, generator, discriminator, style_mixing_prob=0.9, num_classes=None, seed=None, **kwargs
    ):
        missing = [
            name
            for name in ("mapping", "synthesis", "num_ws", "mapped")
            if not hasattr(generator, name)
        ]
        if missing:
            raise ValueError(
                "StyleGAN takes a style-based generator (with a mapping and a synthesis "
                "network), such as keras_gans.architectures.StyleGANGenerator; the generator "
                f"has no {missing}. Received: generator={generator!r}"
            )
        super().__init__(generator, discriminator, num_classes=num_classes, seed=seed, **kwargs)
        self.style_mixing_prob = validation.check_number(
            style_mixing_prob, "style_mixing_prob", minimum=0.0, maximum=1.0
        )

    def sample_latents(self, batch_size, training=True):
        latents = super().sample_latents(batch_size, training)
        if not training or self.style_mixing_prob == 0.0:
            return latents
        mixing = super().sample_latents(batch_size, training)
        num_ws = self.generator.num_ws
        noise = self._noise(training)

        def draw_cutoffs(n):
            mixed = keras.random.uniform((n,), seed=noise) < self.style_mixing_prob
            cutoffs = keras.random.randint((n,), 1, num_ws, dtype="int32", seed=noise)
            return ops.where(mixed, cutoffs, num_ws)

        return {
            LATENT: latents,
            MIXING_LATENT: mixing,
            MIXING_CUTOFF: distribution.replica_rows(draw_cutoffs, batch_size),
        }

    def intermediate_latents(self, latents, labels=None, training=True):
        inputs = latents if isinstance(latents, dict) else {LATENT: latents}
        if labels is not None:
            inputs = {**inputs, "label": labels}
        ws = self.generator.mapped(inputs, training=training, update_w_avg=False)
        return ws, lambda w: self.generator.synthesis(w, training=training)

    def get_config(self):
        config = super().get_config()
        config["style_mixing_prob"] = self.style_mixing_prob
        return config
