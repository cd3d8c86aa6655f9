"""Style-based generator and residual discriminator (StyleGAN2, and StyleGAN's AdaIN synthesis)."""

import math

import keras
from keras import ops

from keras_gans.architectures import _validation
from keras_gans.architectures import conditional
from keras_gans.layers import AdaptiveInstanceNormalization
from keras_gans.layers import BiasActivation
from keras_gans.layers import Blur
from keras_gans.layers import EqualizedConv2D
from keras_gans.layers import EqualizedDense
from keras_gans.layers import LearnedConstant
from keras_gans.layers import MappingNetwork
from keras_gans.layers import MinibatchStandardDeviation
from keras_gans.layers import ModulatedConv2D
from keras_gans.layers import NoiseInjection
from keras_gans.layers import PixelNormalization
from keras_gans.layers import Upsample2D
from keras_gans.utils import validation

STYLES = ("modulation", "adain")
LATENT_INPUT = "latent"
MIXING_LATENT = "mixing_latent"
MIXING_CUTOFF = "mixing_cutoff"
LABEL_INPUT = "label"


def _resolutions(image_shape):
    """4, 8, ..., the image side: the sides of the synthesis blocks."""
    height, width, _ = image_shape
    if height != width or height < 4 or height & (height - 1):
        raise ValueError(
            "Style-based networks make square images whose side is a power of two >= 4. "
            f"Received: image_shape={image_shape!r}"
        )
    return [2**k for k in range(2, int(math.log2(height)) + 1)]


def channels_at(resolution, channel_base, channel_max):
    """Feature maps at a resolution: `min(channel_base // resolution, channel_max)`."""
    return max(1, min(channel_base // resolution, channel_max))


def num_ws_for(image_size):
    """Per-layer styles of a synthesis network: `2 * log2(size) - 2` (10 at 64x64)."""
    return 2 * int(math.log2(image_size)) - 2


@keras.saving.register_keras_serializable(package="keras_gans")
class StyleGANGenerator(keras.Model):
    """Style-based generator: a mapping network to `w`, and synthesis from a learned constant.

    The mapping network (`keras_gans.layers.MappingNetwork`: `z` normalised,
    `mapping_layers` equalised dense layers with learning-rate multiplier
    0.01) maps each latent to `w`, repeated for each of the `num_ws` layers of
    the synthesis network (`self.mapping`: `z -> ws` of shape
    `(batch, num_ws, w_dim)`). The synthesis network (`self.synthesis`:
    `ws -> images`) starts from a learned 4x4 constant and doubles the side
    per block with two 3x3 convolutions, each followed by noise with a
    learned strength and a leaky ReLU, and styled by its `w`:

    - `style="modulation"` (StyleGAN2): the convolution's weights are
      modulated by the style and demodulated; the image is the sum of every
      block's 1x1 "to RGB" output, each upsampled with the [1, 3, 3, 1]
      filter (the skip architecture). The constant starts as `N(0, 1)`.
    - `style="adain"` (StyleGAN): adaptive instance normalisation after each
      convolution (scale starting at 1), nearest upsampling with a blur, one
      "to RGB" at the end, a constant starting at ones. The paper grew this
      network progressively; here it trains at full size.

    Training (`training=True`) keeps a moving average of `w` (`w_avg`,
    decay `w_avg_beta`), saved and exported with the generator, and takes
    style mixing inputs: a dict `{"latent": z, "mixing_latent": z2,
    "mixing_cutoff": c}` uses `w(z2)` for the layers from `c` on (the second
    pass does not update `w_avg`). `keras_gans.models.StyleGAN` draws them.
    Sampling takes a truncation: `generator(z, truncation_psi=0.7)` moves
    each `w` towards `w_avg` (on the first `truncation_cutoff` layers, all
    by default); it has no effect in training.

    Outputs are linear (no tanh), for data in [-1, 1]; they may overshoot it
    slightly.

    Args:
        latent_dim: int. Size of `z`. Defaults to `512`.
        image_shape: tuple. `(size, size, channels)` with `size` a power of
            two >= 4. Defaults to `(64, 64, 3)`.
        w_dim: int. Size of `w`. Defaults to `512`.
        mapping_layers: int. Dense layers of the mapping network. Defaults to
            `8`.
        channel_base: int. Feature maps at resolution `r` are
            `min(channel_base // r, channel_max)`. Defaults to `16384`.
        channel_max: int. Defaults to `512`.
        style: str. `"modulation"` (StyleGAN2) or `"adain"` (StyleGAN).
            Defaults to `"modulation"`.
        num_classes: int or None. Conditions the mapping network on a label
            (its embedding, normalised, concatenated with the normalised
            `z`). Defaults to `None`.
        w_avg_beta: float. Decay of the moving average of `w`. Defaults to
            `0.995`.
        noise_mode: str. `"auto"` (fresh noise in training, a fixed map in
            inference, so the same `z` gives the same image), `"random"`,
            `"const"` or `"none"`. Defaults to `"auto"`.
        fused_modconv: bool or `"auto"`. How `ModulatedConv2D` runs: `"auto"`
            takes the grouped convolution on GPUs and scaled activations on
            CPUs. Defaults to `"auto"`.
        seed: int or None. Seed of the noise layers. Defaults to `None`.
        **kwargs: `name` and `trainable`.

    Example:

    ```python
    generator = keras_gans.architectures.StyleGANGenerator(
        latent_dim=128, image_shape=(32, 32, 3), w_dim=128, mapping_layers=2,
        channel_base=2048, channel_max=128,
    )
    images = generator(keras.random.normal((4, 128)), truncation_psi=0.7)
    ```

    Reference:
        Karras et al., "A Style-Based Generator Architecture for Generative
        Adversarial Networks", CVPR 2019; Karras et al., "Analyzing and
        Improving the Image Quality of StyleGAN", CVPR 2020.
    """

    def __init__(
        self,
        latent_dim=512,
        image_shape=(64, 64, 3),
        w_dim=512,
        mapping_layers=8,
        channel_base=16384,
        channel_max=512,
        style="modulation",
        num_classes=None,
        w_avg_beta=0.995,
        noise_mode="auto",
        fused_modconv="auto",
        seed=None,
        **kwargs,
    ):
        _validation.validate_base_kwargs(type(self).__name__, kwargs)
        super().__init__(**kwargs)
        self.latent_dim = validation.check_positive_int(latent_dim, "latent_dim")
        self.image_shape = _validation.validate_image_shape(image_shape)
        self.resolutions = _resolutions(self.image_shape)
        self.w_dim = validation.check_positive_int(w_dim, "w_dim")
        self.mapping_layers = validation.check_positive_int(mapping_layers, "mapping_layers")
        self.channel_base = validation.check_positive_int(channel_base, "channel_base")
        self.channel_max = validation.check_positive_int(channel_max, "channel_max")
        self.style = validation.check_one_of(style, "style", STYLES)
        self.num_classes = conditional.validate_num_classes(num_classes)
        self.w_avg_beta = validation.check_number(w_avg_beta, "w_avg_beta", minimum=0, maximum=1)
        self.noise_mode = noise_mode
        self.fused_modconv = fused_modconv
        self.seed = validation.check_seed(seed)
        self.num_ws = num_ws_for(self.image_shape[0])
        self.output_range = (-1.0, 1.0)
        self.mapping = self._build_mapping()
        self.synthesis = self._build_synthesis()
        self.w_avg = self.add_weight(
            shape=(self.w_dim,),
            initializer="zeros",
            trainable=False,
            aggregation="mean",
            name="w_avg",
        )

    # === Mapping network: z (and label) -> ws ===

    def _build_mapping(self):
        latent = keras.Input((self.latent_dim,), name=LATENT_INPUT)
        inputs, x = latent, latent
        mapping = MappingNetwork(
            w_dim=self.w_dim, num_layers=self.mapping_layers, name="mapping_network"
        )
        if self.num_classes is not None:
            label = conditional.label_input()
            embedded = keras.layers.Embedding(
                self.num_classes, self.latent_dim, name="label_embedding"
            )(label)
            x = keras.layers.Concatenate(name="latent_and_label")(
                [
                    PixelNormalization(name="latent_norm")(latent),
                    PixelNormalization(name="label_norm")(embedded),
                ]
            )
            inputs = {LATENT_INPUT: latent, LABEL_INPUT: label}
            mapping = MappingNetwork(
                w_dim=self.w_dim,
                num_layers=self.mapping_layers,
                normalize_latents=False,
                name="mapping_network",
            )
        w = mapping(x)
        ws = keras.layers.RepeatVector(self.num_ws, name="broadcast_w")(w)
        return keras.Model(inputs, ws, name="mapping")

    # === Synthesis network: ws -> images ===

    def _channels(self, resolution):
        return channels_at(resolution, self.channel_base, self.channel_max)

    def _noise(self, index):
        seed = None if self.seed is None else self.seed + index
        return NoiseInjection(noise_mode=self.noise_mode, seed=seed, name=f"noise_{index}")

    def _build_synthesis(self):
        ws = keras.Input((self.num_ws, self.w_dim), name="ws")
        modulated = self.style == "modulation"
        first = self._channels(4)
        x = LearnedConstant(
            first, size=4, initializer=None if modulated else "ones", name="constant"
        )(ws)
        image = None
        layer = 0  # index of the conv layer (its noise and its w)
        for resolution in self.resolutions:
            channels = self._channels(resolution)
            convs = (1,) if resolution == 4 else (2, 1)  # upsampling factors
            if resolution == 4 and not modulated:
                # StyleGAN styles the constant itself, then its first conv.
                x = self._adain_layer(x, ws, layer, None, channels, "b4_const")
                layer += 1
            for i, up in enumerate(convs):
                name = f"b{resolution}_conv{i}"
                if modulated:
                    x = ModulatedConv2D(
                        channels,
                        3,
                        up=up,
                        use_bias=False,
                        fused_modconv=self.fused_modconv,
                        name=name,
                    )(x, ws[:, layer])
                    x = self._noise(layer)(x)
                    x = BiasActivation("lrelu", name=f"{name}_act")(x)
                else:
                    x = self._adain_layer(x, ws, layer, up, channels, name)
                layer += 1
            if modulated:
                rgb = ModulatedConv2D(
                    self.image_shape[-1],
                    1,
                    demodulate=False,
                    use_bias=True,
                    fused_modconv=self.fused_modconv,
                    name=f"b{resolution}_to_rgb",
                )(x, ws[:, layer])
                image = (
                    rgb if image is None else Upsample2D(name=f"b{resolution}_skip_up")(image) + rgb
                )
        if not modulated:
            image = EqualizedConv2D(self.image_shape[-1], 1, gain=1.0, name="to_rgb")(x)
        image = keras.layers.Activation("linear", dtype="float32", name="images")(image)
        return keras.Model(ws, image, name="synthesis")

    def _adain_layer(self, x, ws, layer, up, channels, name):
        if up is not None:
            if up == 2:
                x = keras.layers.UpSampling2D(2, name=f"{name}_up")(x)
                x = Blur((1, 2, 1), name=f"{name}_blur")(x)
            x = EqualizedConv2D(channels, 3, use_bias=False, name=name)(x)
        x = self._noise(layer)(x)
        x = BiasActivation("lrelu", name=f"{name}_act")(x)
        return AdaptiveInstanceNormalization(name=f"{name}_adain")(x, ws[:, layer])

    # === Call ===

    def _split(self, inputs):
        if isinstance(inputs, dict):
            return (
                inputs[LATENT_INPUT],
                inputs.get(LABEL_INPUT),
                inputs.get(MIXING_LATENT),
                inputs.get(MIXING_CUTOFF),
            )
        return inputs, None, None, None

    def _map(self, latent, label, training):
        if self.num_classes is None:
            return self.mapping(latent, training=training)
        return self.mapping({LATENT_INPUT: latent, LABEL_INPUT: label}, training=training)

    def mapped(
        self,
        inputs,
        training=False,
        truncation_psi=1.0,
        truncation_cutoff=None,
        update_w_avg=True,
    ):
        """The per-layer styles `ws` of `inputs`, as `call` computes them.

        Takes the inputs `call` takes; in training it updates `w_avg` (unless
        `update_w_avg=False`) and applies style mixing, in inference the
        truncation.
        """
        latent, label, mixing_latent, cutoff = self._split(inputs)
        ws = self._map(latent, label, training)
        if training:
            if update_w_avg:
                batch_mean = ops.mean(ops.cast(ws[:, 0], "float32"), axis=0)
                self.w_avg.assign(batch_mean + self.w_avg_beta * (self.w_avg - batch_mean))
            if mixing_latent is not None:
                mixed = self._map(mixing_latent, label, training)
                layers = ops.arange(self.num_ws, dtype="int32")[None, :, None]
                take = layers >= ops.cast(cutoff, "int32")[:, None, None]
                ws = ops.where(take, mixed, ws)
            return ws
        return self.truncate(ws, truncation_psi, truncation_cutoff)

    def truncate(self, ws, psi=1.0, cutoff=None):
        """`ws` moved towards `w_avg`: `w_avg + psi * (w - w_avg)` on the first `cutoff` layers."""
        if isinstance(psi, (int, float)) and psi == 1.0:
            return ws
        w_avg = ops.cast(self.w_avg, ws.dtype)
        truncated = w_avg + ops.cast(psi, ws.dtype) * (ws - w_avg)
        if cutoff is None:
            return truncated
        layers = ops.arange(self.num_ws, dtype="int32")[None, :, None]
        return ops.where(layers < cutoff, truncated, ws)

    def call(self, inputs, training=False, truncation_psi=1.0, truncation_cutoff=None):
        ws = self.mapped(inputs, training, truncation_psi, truncation_cutoff)
        return self.synthesis(ws, training=training)

    def get_config(self):
        return {
            "latent_dim": self.latent_dim,
            "image_shape": self.image_shape,
            "w_dim": self.w_dim,
            "mapping_layers": self.mapping_layers,
            "channel_base": self.channel_base,
            "channel_max": self.channel_max,
            "style": self.style,
            "num_classes": self.num_classes,
            "w_avg_beta": self.w_avg_beta,
            "noise_mode": self.noise_mode,
            "fused_modconv": self.fused_modconv,
            "seed": self.seed,
            "name": self.name,
            "trainable": self.trainable,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_gans")
class StyleGANDiscriminator(keras.Model):
    """StyleGAN2's residual discriminator (or StyleGAN's plain one).

    A 1x1 "from RGB" convolution at full resolution, then one block per
    halving of the side (two 3x3 convolutions, the second downsampling with
    the [1, 3, 3, 1] filter; with `architecture="resnet"` also a 1x1
    downsampling shortcut, the sum scaled by `1/sqrt(2)`), down to 4x4, then
    the epilogue: minibatch
    standard deviation (groups of `mbstd_group_size`), a 3x3 convolution, a
    dense layer and the output. Every layer has an equalised learning rate;
    activations are leaky ReLU with StyleGAN2's gain. A conditional
    discriminator adds the projection of a label embedding to its output
    (Miyato and Koyama 2018). No batch norm: the gradient penalties are per
    sample.

    Args:
        image_shape: tuple. `(size, size, channels)`, size a power of two >= 4.
            Defaults to `(64, 64, 3)`.
        channel_base: int. Defaults to `16384`.
        channel_max: int. Defaults to `512`.
        mbstd_group_size: int. Group size of the minibatch standard deviation
            (batches must be divisible by it, or smaller). Defaults to `4`.
        num_classes: int or None. Defaults to `None`.
        architecture: str. `"resnet"` (StyleGAN2) or `"orig"` (StyleGAN's
            plain stack, without the shortcuts). Defaults to `"resnet"`.
        **kwargs: `name` and `trainable`.

    Reference:
        Karras et al., "Analyzing and Improving the Image Quality of
        StyleGAN", CVPR 2020 (residual discriminator, config E/F).
    """

    def __init__(
        self,
        image_shape=(64, 64, 3),
        channel_base=16384,
        channel_max=512,
        mbstd_group_size=4,
        num_classes=None,
        architecture="resnet",
        **kwargs,
    ):
        _validation.validate_base_kwargs(type(self).__name__, kwargs)
        architecture = validation.check_one_of(architecture, "architecture", ("resnet", "orig"))
        image_shape = _validation.validate_image_shape(image_shape)
        resolutions = _resolutions(image_shape)
        channel_base = validation.check_positive_int(channel_base, "channel_base")
        channel_max = validation.check_positive_int(channel_max, "channel_max")
        mbstd_group_size = validation.check_positive_int(mbstd_group_size, "mbstd_group_size")
        num_classes = conditional.validate_num_classes(num_classes)

        def channels(resolution):
            return channels_at(resolution, channel_base, channel_max)

        # === Functional model ===
        image = keras.Input(image_shape, name="image")
        inputs = image
        # Weights of unit gain: "lrelu" applies the sqrt(2) of He's initialisation
        # itself (a gain of sqrt(2) here as well would double every layer's scale).
        x = EqualizedConv2D(
            channels(resolutions[-1]), 1, gain=1.0, activation="lrelu", name="from_rgb"
        )(image)
        for resolution in reversed(resolutions[1:]):
            block_input = x
            x = EqualizedConv2D(
                channels(resolution), 3, gain=1.0, activation="lrelu", name=f"b{resolution}_conv0"
            )(x)
            x = EqualizedConv2D(
                channels(resolution // 2),
                3,
                gain=1.0,
                activation="lrelu",
                down=2,
                name=f"b{resolution}_conv1",
            )(x)
            if architecture == "resnet":
                skip = EqualizedConv2D(
                    channels(resolution // 2),
                    1,
                    gain=1.0,
                    use_bias=False,
                    down=2,
                    name=f"b{resolution}_skip",
                )(block_input)
                x = keras.layers.Add(name=f"b{resolution}_add")([skip, x])
                x = keras.layers.Rescaling(1.0 / math.sqrt(2.0), name=f"b{resolution}_scale")(x)
        x = MinibatchStandardDeviation(group_size=mbstd_group_size, name="mbstd")(x)
        x = EqualizedConv2D(channels(4), 3, gain=1.0, activation="lrelu", name="epilogue_conv")(x)
        x = keras.layers.Flatten(name="flatten")(x)
        x = EqualizedDense(channels(4), gain=1.0, activation="lrelu", name="epilogue_dense")(x)
        logits = EqualizedDense(1, gain=1.0, name="logits")(x)
        if num_classes is not None:
            label = conditional.label_input()
            embedded = keras.layers.Embedding(num_classes, channels(4), name="label_projection")(
                label
            )
            projection = keras.layers.Dot(axes=1, name="projection")([x, embedded])
            logits = keras.layers.Add(name="logits_and_projection")([logits, projection])
            inputs = {"image": image, LABEL_INPUT: label}
        outputs = keras.layers.Activation("linear", dtype="float32", name="outputs")(logits)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)

        # === Config ===
        self.image_shape = image_shape
        self.channel_base = channel_base
        self.channel_max = channel_max
        self.mbstd_group_size = mbstd_group_size
        self.num_classes = num_classes
        self.architecture = architecture

    def get_config(self):
        return {
            "image_shape": self.image_shape,
            "channel_base": self.channel_base,
            "channel_max": self.channel_max,
            "mbstd_group_size": self.mbstd_group_size,
            "num_classes": self.num_classes,
            "architecture": self.architecture,
            "name": self.name,
            "trainable": self.trainable,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
