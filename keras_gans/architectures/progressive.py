"""Progressively grown generator and discriminator (ProGAN, Karras et al. 2018).

Both networks hold the blocks of every resolution from 4x4 to the image size
and a non-trainable `level` (saved with the weights): the training progress
in blocks, from 0 (only the 4x4 block) to `num_blocks - 1` (all of them). At
an integer level `i` the networks work at resolution `4 * 2**i`; between `i`
and `i + 1` the next block fades in with weight `alpha = level - i`. Only the
blocks in use run (`tf.switch_case` over the stages), and images are always
exchanged at full size: the generator's output is upsampled (nearest
neighbour) to the image size, and the discriminator box-downsamples its
input to its working resolution. `keras_gans.models.Progressive` raises the
level over training.
"""

import math

import keras
import tensorflow as tf
from keras import ops

from keras_gans.architectures import _validation
from keras_gans.layers import EqualizedConv2D
from keras_gans.layers import EqualizedDense
from keras_gans.layers import MinibatchStandardDeviation
from keras_gans.layers import PixelNormalization
from keras_gans.utils import validation


def block_resolutions(image_shape):
    """4, 8, ..., the image side (a power of two >= 4)."""
    height, width, _ = image_shape
    if height != width or height < 4 or height & (height - 1):
        raise ValueError(
            "Progressive networks make square images whose side is a power of two >= 4. "
            f"Received: image_shape={image_shape!r}"
        )
    return [2**k for k in range(2, int(math.log2(height)) + 1)]


def compute_progress(images_shown, stable_images, transition_images, num_blocks):
    """The level (progress in blocks) after `images_shown` images.

    Training alternates a stable phase of `stable_images` images and a
    transition of `transition_images` images per new block: during the
    transition into block `b` the level rises linearly from `b - 1` to `b`.
    After the last transition the level stays at `num_blocks - 1`.

    Args:
        images_shown: scalar tensor or number.
        stable_images: int.
        transition_images: int.
        num_blocks: int.

    Returns:
        A float32 scalar.
    """
    images = ops.cast(images_shown, "float32")
    phase = float(stable_images + transition_images)
    stage = ops.floor(images / phase)
    into_phase = images - stage * phase
    fading = ops.maximum(into_phase - float(stable_images), 0.0) / float(max(transition_images, 1))
    return ops.minimum(stage + fading, float(num_blocks - 1))


def stage_index(level, num_blocks):
    """The branch a level runs: `2 i` stable at block `i`, `2 i + 1` fading into block `i + 1`."""
    level = ops.cast(level, "float32")
    block = ops.floor(level)
    fading = ops.cast(level > block, "int32")
    return ops.minimum(ops.cast(block, "int32") * 2 + fading, 2 * (num_blocks - 1))


def resize_to(images, side):
    """Images at `side` x `side`: box-filter downsampling or nearest upsampling."""
    current = images.shape[1]
    if side < current:
        factor = current // side
        return ops.average_pool(images, factor, factor, padding="valid")
    if side > current:
        factor = side // current
        return ops.repeat(ops.repeat(images, factor, axis=1), factor, axis=2)
    return images


def blend_images(images, level, num_blocks):
    """Real images as the networks see them at `level` (ProGAN's fade of the real images).

    At an integer level `i` the images are box-downsampled to `4 * 2**i` and
    upsampled back (nearest) to full size; between `i` and `i + 1` the two
    resolutions are mixed with weight `alpha = level - i` on the finer one.
    """
    side = images.shape[1]
    level = ops.cast(level, images.dtype)
    block = ops.floor(level)
    alpha = level - block
    branches = []
    for i in range(num_blocks):
        coarse_side, fine_side = 4 * 2**i, min(4 * 2 ** (i + 1), side)

        def branch(i=i, coarse_side=coarse_side, fine_side=fine_side):
            coarse = resize_to(resize_to(images, coarse_side), side)
            if i == num_blocks - 1:
                return coarse
            fine = resize_to(resize_to(images, fine_side), side)
            return coarse + (fine - coarse) * alpha

        branches.append(branch)
    index = ops.minimum(ops.cast(block, "int32"), num_blocks - 1)
    return tf.switch_case(index, branches)


def _channels(resolution, channel_base, channel_max):
    return max(1, min(channel_base // resolution, channel_max))


class _Progressive(keras.Model):
    """What the two networks share: blocks per resolution, `level`, stage branches."""

    def _init_common(self, image_shape, channel_base, channel_max):
        self.image_shape = _validation.validate_image_shape(image_shape)
        self.resolutions = block_resolutions(self.image_shape)
        self.num_blocks = len(self.resolutions)
        self.channel_base = validation.check_positive_int(channel_base, "channel_base")
        self.channel_max = validation.check_positive_int(channel_max, "channel_max")
        self.level = self.add_weight(
            shape=(),
            dtype="float32",
            initializer=keras.initializers.Constant(float(self.num_blocks - 1)),
            trainable=False,
            aggregation="only_first_replica",
            name="level",
        )

    def channels(self, resolution):
        return _channels(resolution, self.channel_base, self.channel_max)

    def _run(self, inputs, training):
        level = ops.convert_to_tensor(self.level)
        block = ops.floor(level)
        alpha = level - block
        branches = [
            (lambda i=i: self._stable(inputs, i, training))
            if index % 2 == 0
            else (lambda i=i: self._fading(inputs, i, alpha, training))
            for index, i in ((index, index // 2) for index in range(2 * self.num_blocks - 1))
        ]
        return tf.switch_case(stage_index(level, self.num_blocks), branches)


@keras.saving.register_keras_serializable(package="keras_gans")
class ProgressiveGenerator(_Progressive):
    """ProGAN's generator, grown from 4x4 to `image_shape`.

    The latent is pixel-normalised and projected to a 4x4 map (a dense layer
    with gain `sqrt(2) / 4`); each block doubles the side (nearest
    upsampling) and applies two 3x3 convolutions; every convolution is
    followed by a leaky ReLU (0.2) and pixel normalisation. Each block has a
    linear 1x1 "to RGB" layer. All layers have an equalised learning rate. At
    a level between `i` and `i + 1`, the image is
    `(1 - alpha) * upsample(to_rgb_i(x_i)) + alpha * to_rgb_{i+1}(x_{i+1})`,
    upsampled to full size. A fresh generator starts at the last level (all
    blocks); `keras_gans.models.Progressive` sets the level during training.

    Args:
        latent_dim: int. Size of `z`. Defaults to `512`.
        image_shape: tuple. `(size, size, channels)`, size a power of two >= 4.
            Defaults to `(64, 64, 3)`.
        channel_base: int. Feature maps at resolution `r`:
            `min(channel_base // r, channel_max)` (the paper's
            `min(8192 / 2**stage, 512)`). Defaults to `16384`.
        channel_max: int. Defaults to `512`.
        **kwargs: `name` and `trainable`.

    Reference:
        Karras et al., "Progressive Growing of GANs for Improved Quality,
        Stability, and Variation", ICLR 2018.
    """

    def __init__(
        self, latent_dim=512, image_shape=(64, 64, 3), channel_base=16384, channel_max=512, **kwargs
    ):
        _validation.validate_base_kwargs(type(self).__name__, kwargs)
        super().__init__(**kwargs)
        self.latent_dim = validation.check_positive_int(latent_dim, "latent_dim")
        self._init_common(image_shape, channel_base, channel_max)
        self.output_range = (-1.0, 1.0)
        first = self.channels(4)
        self.normalize = PixelNormalization(name="latent_norm")
        self.project = EqualizedDense(
            16 * first, gain=math.sqrt(2.0) / 4, activation="leaky_relu", name="b4_dense"
        )
        self.blocks = []
        self.to_rgb = []
        for resolution in self.resolutions:
            channels = self.channels(resolution)
            layers = [
                EqualizedConv2D(channels, 3, activation="leaky_relu", name=f"b{resolution}_conv1")
            ]
            if resolution > 4:
                layers.insert(
                    0,
                    EqualizedConv2D(
                        channels, 3, activation="leaky_relu", name=f"b{resolution}_conv0"
                    ),
                )
            self.blocks.append(layers)
            self.to_rgb.append(
                EqualizedConv2D(self.image_shape[-1], 1, gain=1.0, name=f"b{resolution}_to_rgb")
            )
        self.pixel_norm = PixelNormalization(name="feature_norm")
        for i in range(self.num_blocks):  # build every layer now, outside any branch
            self._stable(ops.zeros((1, self.latent_dim)), i, False)
        self.built = True

    def _features(self, latents, last_block):
        x = self.project(self.normalize(latents))
        x = self.pixel_norm(ops.reshape(x, (-1, 4, 4, self.channels(4))))
        for i in range(last_block + 1):
            if i > 0:
                x = ops.repeat(ops.repeat(x, 2, axis=1), 2, axis=2)
            for layer in self.blocks[i]:
                x = self.pixel_norm(layer(x))
        return x

    def _stable(self, latents, i, training):
        image = self.to_rgb[i](self._features(latents, i))
        return ops.cast(resize_to(image, self.image_shape[0]), "float32")

    def _fading(self, latents, i, alpha, training):
        if i + 1 >= self.num_blocks:
            return self._stable(latents, i, training)
        x = self._features(latents, i)
        old = resize_to(self.to_rgb[i](x), self.resolutions[i + 1])
        x = ops.repeat(ops.repeat(x, 2, axis=1), 2, axis=2)
        for layer in self.blocks[i + 1]:
            x = self.pixel_norm(layer(x))
        new = self.to_rgb[i + 1](x)
        image = old + (new - old) * ops.cast(alpha, new.dtype)
        return ops.cast(resize_to(image, self.image_shape[0]), "float32")

    def call(self, inputs, training=False):
        return self._run(inputs, training)

    def get_config(self):
        return {
            "latent_dim": self.latent_dim,
            "image_shape": self.image_shape,
            "channel_base": self.channel_base,
            "channel_max": self.channel_max,
            "name": self.name,
            "trainable": self.trainable,
        }


@keras.saving.register_keras_serializable(package="keras_gans")
class ProgressiveDiscriminator(_Progressive):
    """ProGAN's discriminator, grown with the generator.

    A 1x1 "from RGB" layer per resolution; each block applies two 3x3
    convolutions and halves the side by average pooling; the 4x4 block
    appends the minibatch standard deviation (groups of `mbstd_group_size`),
    then a 3x3 convolution and two dense layers (the last one linear, gain 1).
    Leaky ReLU (0.2), equalised learning rate, no normalisation. At a level
    between `i` and `i + 1` the features entering block `i` are
    `(1 - alpha) * from_rgb_i(downsample(x)) + alpha * block_{i+1}(from_rgb_{i+1}(x))`.

    Args:
        image_shape: tuple. Defaults to `(64, 64, 3)`.
        channel_base: int. Defaults to `16384`.
        channel_max: int. Defaults to `512`.
        mbstd_group_size: int. Defaults to `4`.
        **kwargs: `name` and `trainable`.

    Reference:
        Karras et al., "Progressive Growing of GANs for Improved Quality,
        Stability, and Variation", ICLR 2018.
    """

    def __init__(
        self,
        image_shape=(64, 64, 3),
        channel_base=16384,
        channel_max=512,
        mbstd_group_size=4,
        **kwargs,
    ):
        _validation.validate_base_kwargs(type(self).__name__, kwargs)
        super().__init__(**kwargs)
        self._init_common(image_shape, channel_base, channel_max)
        self.mbstd_group_size = validation.check_positive_int(mbstd_group_size, "mbstd_group_size")
        self.from_rgb = [
            EqualizedConv2D(self.channels(r), 1, activation="leaky_relu", name=f"b{r}_from_rgb")
            for r in self.resolutions
        ]
        self.blocks = [None]
        for resolution in self.resolutions[1:]:
            self.blocks.append(
                [
                    EqualizedConv2D(
                        self.channels(resolution),
                        3,
                        activation="leaky_relu",
                        name=f"b{resolution}_conv0",
                    ),
                    EqualizedConv2D(
                        self.channels(resolution // 2),
                        3,
                        activation="leaky_relu",
                        name=f"b{resolution}_conv1",
                    ),
                ]
            )
        first = self.channels(4)
        self.mbstd = MinibatchStandardDeviation(group_size=self.mbstd_group_size, name="mbstd")
        self.epilogue_conv = EqualizedConv2D(first, 3, activation="leaky_relu", name="b4_conv")
        self.epilogue_dense = EqualizedDense(first, activation="leaky_relu", name="b4_dense")
        self.logits = EqualizedDense(1, gain=1.0, name="logits")
        images = ops.zeros((1, *self.image_shape))
        for i in range(self.num_blocks):  # build every layer now, outside any branch
            self._stable(images, i, False)
        self.built = True

    def _block(self, x, i):
        if i == 0:
            x = self.mbstd(x)
            x = self.epilogue_conv(x)
            x = self.epilogue_dense(ops.reshape(x, (-1, 16 * x.shape[-1])))
            return self.logits(x)
        for layer in self.blocks[i]:
            x = layer(x)
        return ops.average_pool(x, 2, 2, padding="valid")

    def _from(self, x, i):
        for j in range(i, -1, -1):
            x = self._block(x, j)
        return ops.cast(x, "float32")

    def _stable(self, images, i, training):
        x = self.from_rgb[i](resize_to(images, self.resolutions[i]))
        return self._from(x, i)

    def _fading(self, images, i, alpha, training):
        if i + 1 >= self.num_blocks:
            return self._stable(images, i, training)
        old = self.from_rgb[i](resize_to(images, self.resolutions[i]))
        new = self._block(self.from_rgb[i + 1](resize_to(images, self.resolutions[i + 1])), i + 1)
        x = old + (new - old) * ops.cast(alpha, new.dtype)
        return self._from(x, i)

    def call(self, inputs, training=False):
        return self._run(inputs, training)

    def get_config(self):
        return {
            "image_shape": self.image_shape,
            "channel_base": self.channel_base,
            "channel_max": self.channel_max,
            "mbstd_group_size": self.mbstd_group_size,
            "name": self.name,
            "trainable": self.trainable,
        }
