"""Independent NumPy / SciPy references of the layers' arithmetic."""

import math

import numpy as np
import scipy.signal


def _take(z, indices):
    """`z[indices]` along axis 1, with zeros outside `z`."""
    valid = (indices >= 0) & (indices < z.shape[1])
    out = np.take(z, np.clip(indices, 0, z.shape[1] - 1), axis=1)
    shape = [1] * z.ndim
    shape[1] = len(indices)
    return out * valid.reshape(shape)


def upfirdn_1d(x, taps, up, down, pad0, pad1):
    """Upsample, pad, filter, downsample along axis 1 with `scipy.signal.upfirdn`.

    `scipy.signal.upfirdn` convolves the zero-upsampled signal with `taps`
    over the full support; entry `i` of the padded, valid-filtered,
    downsampled signal is entry `i * down + len(taps) - 1 - pad0` of that.
    """
    taps = np.asarray(taps, np.float64)
    length = x.shape[1]
    out_length = (length * up + pad0 + pad1 - len(taps)) // down + 1
    z = scipy.signal.upfirdn(taps, x.astype(np.float64), up=up, down=1, axis=1)
    return _take(z, np.arange(out_length) * down + len(taps) - 1 - pad0)


def upfirdn_separable(x, taps_h, taps_w, up=1, down=1, pads=(0, 0, 0, 0)):
    """upfirdn2d of NHWC `x` with the filter `outer(taps_h, taps_w)`, axis by axis."""
    top, bottom, left, right = pads
    y = upfirdn_1d(x, taps_h, up, down, top, bottom)
    y = np.swapaxes(upfirdn_1d(np.swapaxes(y, 1, 2), taps_w, up, down, left, right), 1, 2)
    return y


def upfirdn_2d_direct(x, kernel, up=1, down=1, pads=(0, 0, 0, 0)):
    """upfirdn2d of NHWC `x` with any 2-D filter, with `scipy.signal.convolve2d`."""
    n, h, w, c = x.shape
    u = np.zeros((n, h * up, w * up, c))
    u[:, ::up, ::up, :] = x
    top, bottom, left, right = pads
    u = np.pad(u, ((0, 0), (max(top, 0), max(bottom, 0)), (max(left, 0), max(right, 0)), (0, 0)))
    u = u[
        :, max(-top, 0) : u.shape[1] - max(-bottom, 0), max(-left, 0) : u.shape[2] - max(-right, 0)
    ]
    out = np.stack(
        [
            np.stack(
                [scipy.signal.convolve2d(u[i, :, :, j], kernel, mode="valid") for j in range(c)],
                axis=-1,
            )
            for i in range(n)
        ]
    )
    return out[:, ::down, ::down, :]


def same_padding(size, kernel, stride=1):
    """TensorFlow's "SAME" paddings `(before, after)` along one axis."""
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def conv2d(x, kernel, stride=1, padding="same"):
    """Cross-correlation of NHWC `x` with an HWIO `kernel` (what `conv2d` computes)."""
    kh, kw = kernel.shape[:2]
    if padding == "same":
        rows = same_padding(x.shape[1], kh, stride)
        cols = same_padding(x.shape[2], kw, stride)
    elif padding == "valid":
        rows = cols = (0, 0)
    else:
        rows, cols = padding[:2], padding[2:]
    x = np.pad(x.astype(np.float64), ((0, 0), rows, cols, (0, 0)))
    out_h = (x.shape[1] - kh) // stride + 1
    out_w = (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], out_h, out_w, kernel.shape[-1]))
    for a in range(kh):
        for c in range(kw):
            window = x[:, a : a + stride * out_h : stride, c : c + stride * out_w : stride, :]
            out += window @ kernel[a, c].astype(np.float64)
    return out


def leaky_relu(x, slope=0.2):
    return np.where(x >= 0, x, slope * x)
