"""Minibatch standard deviation (ProGAN, StyleGAN)."""

import keras
import tensorflow as tf
from keras import ops

from keras_gans.layers import _validation
from keras_gans.utils import validation


@keras.saving.register_keras_serializable(package="keras_gans")
class MinibatchStandardDeviation(keras.layers.Layer):
    """Appends the standard deviation of features across groups of samples.

    The batch of `N` NHWC feature maps is split into groups of
    `G = min(group_size, N)` samples: reshaping the batch to `(G, M, ...)`,
    with `M = N // G`, puts samples `m, m + M, m + 2M, ...` in the same
    group. For every group, feature and pixel the layer takes the standard
    deviation over the group's samples, `sqrt(var + epsilon)`, and averages
    it over the pixels and over the channels of each of `num_features`
    equal slices of the channels. Every sample gets its group's
    `num_features` values, broadcast over the pixels and appended as extra
    channels. This lets the discriminator see the variety of a batch
    (ProGAN's defence against mode collapse). The statistic is computed in
    float32 whatever the compute dtype.

    When `N > group_size`, `N` must be a multiple of `group_size`: a known
    batch size is checked when the layer is built or called (`ValueError`),
    an unknown one when the graph runs (`tf.errors.InvalidArgumentError`).
    A smaller batch forms a single group.

    Args:
        group_size: int. Maximum number of samples per group. Defaults to
            `4` (ProGAN, StyleGAN, StyleGAN2).
        num_features: int. Number of appended channels; it must divide the
            number of input channels. Defaults to `1`.
        epsilon: float. Added to the variance, > 0. Defaults to `1e-8`.
        **kwargs: base layer arguments (`name`, `dtype`).

    Example:
    ```python
    layer = keras_gans.layers.MinibatchStandardDeviation(group_size=4)
    features = layer(keras.random.normal((8, 4, 4, 16)))  # (8, 4, 4, 17)
    ```

    Reference:
        [Karras et al., 2018](https://arxiv.org/abs/1710.10196) (ProGAN,
        section 3)
    """

    def __init__(self, group_size=4, num_features=1, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.group_size = validation.check_positive_int(group_size, "group_size")
        self.num_features = validation.check_positive_int(num_features, "num_features")
        self.epsilon = validation.check_number(epsilon, "epsilon", minimum=0.0, exclusive=True)

    def _check_batch_size(self, batch_size):
        if batch_size is not None and batch_size > self.group_size:
            if batch_size % self.group_size:
                raise ValueError(
                    "`MinibatchStandardDeviation` needs a batch size that is a "
                    "multiple of `group_size` when it is larger than `group_size`. "
                    f"Received: batch_size={batch_size}, group_size={self.group_size}"
                )

    def build(self, input_shape):
        input_shape = _validation.feature_shape(input_shape, "MinibatchStandardDeviation", rank=4)
        if input_shape[-1] % self.num_features:
            raise ValueError(
                "`num_features` must divide the number of input channels. Received: "
                f"num_features={self.num_features}, input channels={input_shape[-1]}"
            )
        self._check_batch_size(input_shape[0])

    def call(self, inputs):
        batch_size = inputs.shape[0]
        channels = int(inputs.shape[-1])
        shape = ops.shape(inputs)
        height, width = shape[1], shape[2]
        if batch_size is not None:
            self._check_batch_size(batch_size)
            group_size = min(self.group_size, batch_size)
            checks = []
        else:
            batch_size = tf.shape(inputs)[0]
            group_size = tf.minimum(self.group_size, batch_size)
            checks = [
                tf.debugging.Assert(
                    tf.equal(batch_size % group_size, 0),
                    [
                        "`MinibatchStandardDeviation` needs a batch size that is a "
                        "multiple of `group_size` when it is larger than `group_size`. "
                        f"Received: group_size={self.group_size}, batch_size=",
                        batch_size,
                    ],
                )
            ]
        x = ops.cast(inputs, "float32")
        if checks:
            with tf.control_dependencies(checks):
                x = tf.identity(x)
        features = self.num_features
        # Sample i = g * M + m sits at [g, m]: group m holds m, m + M, ...
        y = ops.reshape(x, (group_size, -1, height, width, features, channels // features))
        y = y - ops.mean(y, axis=0, keepdims=True)
        y = ops.sqrt(ops.mean(ops.square(y), axis=0) + self.epsilon)
        y = ops.mean(y, axis=(1, 2, 4))  # (M, features)
        y = ops.tile(y, (group_size, 1))  # sample i gets group i mod M
        y = ops.broadcast_to(y[:, None, None, :], (batch_size, height, width, features))
        return ops.concatenate([inputs, ops.cast(y, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + self.num_features)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "group_size": self.group_size,
                "num_features": self.num_features,
                "epsilon": self.epsilon,
            }
        )
        return config
