"""Resampling of NHWC images with a FIR filter: upsample, pad, filter, downsample.

`upfirdn2d` is the primitive; `upsample`, `downsample` and `blur` are its
three uses in StyleGAN2, with StyleGAN2's paddings (which keep the image
centred for its 4-tap filter and a factor of 2). The
filter is a small NumPy array (a constant of the graph, not a variable),
applied to every channel separately as a true convolution (flipped, as in
`scipy.signal.upfirdn`; symmetric filters do not care). Images are padded
with zeros, so outputs near the border see the padding: with a `k`-tap filter
an output further than `k` pixels from the border is unaffected.
"""

import numpy as np
import tensorflow as tf

from keras_gans.layers import _validation
from keras_gans.utils import validation

# StyleGAN2's resampling filter, the binomial filter of 4 taps.
DEFAULT_BLUR_KERNEL = (1.0, 3.0, 3.0, 1.0)


def make_blur_kernel(taps=DEFAULT_BLUR_KERNEL, gain=1.0):
    """Returns the separable 2-D filter `outer(taps, taps)`, normalised to sum `gain`.

    Args:
        taps: sequence of floats. The 1-D filter, e.g. `(1, 3, 3, 1)`.
        gain: float. Sum of the returned filter (its gain on a constant
            image). Defaults to `1.0`.

    Returns:
        A float32 NumPy array of shape `(len(taps), len(taps))`.
    """
    taps = np.asarray(_validation.filter_taps(taps, "taps"), dtype=np.float64)
    kernel = np.outer(taps, taps)
    return (kernel * (gain / kernel.sum())).astype(np.float32)


def _padding(padding):
    if validation.is_int(padding):
        return (int(padding),) * 4
    try:
        pads = tuple(padding)
    except TypeError:
        pads = ()
    if len(pads) != 4 or not all(validation.is_int(p) for p in pads):
        raise ValueError(
            "`padding` must be an integer or 4 integers (top, bottom, left, right); "
            f"negative values crop. Received: padding={padding!r}"
        )
    return tuple(int(p) for p in pads)


def _spatial_size(x, axis):
    size = x.shape[axis]
    return tf.shape(x)[axis] if size is None else int(size)


def upfirdn2d(x, kernel, up=1, down=1, padding=0):
    """Upsamples, pads, filters and downsamples a batch of NHWC images.

    For every channel of every image: insert `up - 1` zeros after each pixel
    (along both axes), pad with zeros (negative paddings crop), convolve with
    `kernel` over the valid region and keep every `down`-th pixel. The output
    side is `(side * up + pad_before + pad_after - kernel_side) // down + 1`.

    Args:
        x: tensor of shape `(batch, height, width, channels)` with a known
            number of channels.
        kernel: 2-D array. The FIR filter, e.g. from `make_blur_kernel`;
            multiply it by `up**2` to keep the gain of an upsampling at 1.
        up: int. Upsampling factor. Defaults to `1`.
        down: int. Downsampling factor. Defaults to `1`.
        padding: int or 4 ints `(top, bottom, left, right)`, applied after
            the upsampling. Defaults to `0`.

    Returns:
        A tensor of the dtype of `x`.

    Example:
    ```python
    kernel = keras_gans.layers.make_blur_kernel((1, 3, 3, 1), gain=4.0)
    y = keras_gans.layers.upfirdn2d(x, kernel, up=2, padding=(2, 1, 2, 1))
    ```

    Reference:
        [Karras et al., 2020](https://arxiv.org/abs/1912.04958) (StyleGAN2)
    """
    up = validation.check_positive_int(up, "up")
    down = validation.check_positive_int(down, "down")
    top, bottom, left, right = _padding(padding)
    kernel = np.asarray(kernel, dtype=np.float32)
    if kernel.ndim != 2 or kernel.size == 0:
        raise ValueError(
            f"`kernel` must be a non-empty 2-D array. Received: kernel.shape={kernel.shape}"
        )
    x = tf.convert_to_tensor(x)
    if x.shape.rank != 4 or x.shape[-1] is None:
        raise ValueError(
            "`upfirdn2d` expects NHWC images (rank 4) with a known number of "
            f"channels. Received: x.shape={x.shape}"
        )
    channels = int(x.shape[-1])

    if up > 1:
        height, width = _spatial_size(x, 1), _spatial_size(x, 2)
        x = tf.reshape(x, [-1, height, 1, width, 1, channels])
        x = tf.pad(x, [[0, 0], [0, 0], [0, up - 1], [0, 0], [0, up - 1], [0, 0]])
        x = tf.reshape(x, [-1, height * up, width * up, channels])

    x = tf.pad(
        x,
        [[0, 0], [max(top, 0), max(bottom, 0)], [max(left, 0), max(right, 0)], [0, 0]],
    )
    if min(top, bottom, left, right) < 0:
        height, width = _spatial_size(x, 1), _spatial_size(x, 2)
        x = x[
            :,
            max(-top, 0) : height - max(-bottom, 0),
            max(-left, 0) : width - max(-right, 0),
            :,
        ]

    # A true convolution: correlate with the flipped kernel.
    taps = np.ascontiguousarray(kernel[::-1, ::-1])
    depthwise = np.tile(taps[:, :, None, None], (1, 1, channels, 1))
    depthwise = tf.constant(depthwise, dtype=x.dtype)
    return tf.nn.depthwise_conv2d(x, depthwise, strides=[1, down, down, 1], padding="VALID")


def upsample_padding(kernel_size, factor):
    """Paddings `(before, after)` of `upfirdn2d` for an upsampling by `factor`.

    StyleGAN2's: they give an output of `side * factor` pixels, centred on
    the input for an even number of taps and an even factor (or both odd).
    """
    p = kernel_size - factor
    return (p + 1) // 2 + factor - 1, p // 2


def downsample_padding(kernel_size, factor):
    """Paddings `(before, after)` of `upfirdn2d` for a downsampling by `factor`.

    StyleGAN2's: they give an output of `side // factor` pixels, centred on
    the input for an even number of taps and an even factor (or both odd).
    """
    p = kernel_size - factor
    return (p + 1) // 2, p // 2


def blur_padding(kernel_size):
    """Paddings `(before, after)` of `upfirdn2d` that keep the image size."""
    return kernel_size // 2, (kernel_size - 1) // 2


def upsample(x, taps=DEFAULT_BLUR_KERNEL, factor=2):
    """Upsamples NHWC images by `factor`: zero insertion, then the blur filter.

    The filter is normalised to a gain of `factor**2`, so a constant image
    stays constant (away from the border).
    """
    factor = validation.check_positive_int(factor, "factor")
    kernel = make_blur_kernel(taps, gain=factor**2)
    before, after = upsample_padding(kernel.shape[0], factor)
    return upfirdn2d(x, kernel, up=factor, padding=(before, after, before, after))


def downsample(x, taps=DEFAULT_BLUR_KERNEL, factor=2):
    """Downsamples NHWC images by `factor`: the blur filter, then subsampling.

    Sides that are not multiples of `factor` are rounded down.
    """
    factor = validation.check_positive_int(factor, "factor")
    kernel = make_blur_kernel(taps)
    before, after = downsample_padding(kernel.shape[0], factor)
    return upfirdn2d(x, kernel, down=factor, padding=(before, after, before, after))


def blur(x, taps=DEFAULT_BLUR_KERNEL):
    """Filters NHWC images with the normalised blur filter, keeping their size."""
    kernel = make_blur_kernel(taps)
    before, after = blur_padding(kernel.shape[0])
    return upfirdn2d(x, kernel, padding=(before, after, before, after))
