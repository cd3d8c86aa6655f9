import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans.layers import make_blur_kernel
from keras_gans.layers import resampling
from keras_gans.layers import upfirdn2d
from tests.layers import numpy_reference


def _images(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


class MakeBlurKernelTest(tf.test.TestCase):
    def test_outer_product_normalised_to_gain(self):
        expected = np.outer([1, 3, 3, 1], [1, 3, 3, 1]) / 64.0
        self.assertAllClose(make_blur_kernel((1, 3, 3, 1)), expected, atol=1e-7)
        self.assertAllClose(make_blur_kernel([1, 2, 1], gain=4.0).sum(), 4.0, atol=1e-6)
        self.assertEqual(make_blur_kernel().dtype, np.float32)

    def test_invalid_taps_raise(self):
        for taps in ([], [1, -1], None, ["a"]):
            with self.assertRaisesRegex(ValueError, "taps="):
                make_blur_kernel(taps)


class Upfirdn2DTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.named_parameters(
        ("filter_only", 1, 1, (2, 1, 2, 1)),
        ("up2", 2, 1, (2, 1, 2, 1)),
        ("down2", 1, 2, (1, 1, 1, 1)),
        ("up3_down2", 3, 2, (0, 2, 1, 0)),
        ("asymmetric_pads", 1, 1, (3, 0, 0, 2)),
        ("negative_pads", 2, 1, (-1, 2, 1, -2)),
    )
    def test_matches_scipy_upfirdn(self, up, down, pads):
        # Different, asymmetric filters per axis: catches a missing flip and
        # swapped axes or paddings.
        taps_h = np.array([1.0, 2.0, -0.5, 3.0])
        taps_w = np.array([0.5, -1.0, 2.0])
        x = _images((2, 7, 6, 3))
        expected = numpy_reference.upfirdn_separable(x, taps_h, taps_w, up, down, pads)
        outputs = upfirdn2d(x, np.outer(taps_h, taps_w), up=up, down=down, padding=pads)
        side_h = (7 * up + pads[0] + pads[1] - 4) // down + 1
        side_w = (6 * up + pads[2] + pads[3] - 3) // down + 1
        self.assertEqual(tuple(outputs.shape), (2, side_h, side_w, 3))
        self.assertAllClose(outputs, expected, atol=1e-5)

    def test_matches_convolve2d_with_a_non_separable_filter(self):
        kernel = np.random.default_rng(3).normal(size=(3, 2))
        x = _images((2, 5, 6, 2), seed=1)
        for up, down, pads in ((1, 1, (1, 1, 0, 1)), (2, 2, (2, 1, 1, 1)), (2, 1, (0, -1, 1, 0))):
            expected = numpy_reference.upfirdn_2d_direct(x, kernel, up, down, pads)
            outputs = upfirdn2d(x, kernel, up=up, down=down, padding=pads)
            self.assertAllClose(outputs, expected, atol=1e-5)

    def test_unknown_spatial_size_in_a_graph(self):
        x = _images((2, 6, 5, 3))
        kernel = make_blur_kernel(gain=4.0)
        function = tf.function(
            lambda t: upfirdn2d(t, kernel, up=2, padding=(2, 1, 2, 1)),
            input_signature=[tf.TensorSpec((None, None, None, 3))],
        )
        self.assertAllClose(
            function(x), upfirdn2d(x, kernel, up=2, padding=(2, 1, 2, 1)), atol=1e-6
        )

    @parameterized.named_parameters(
        ("padding_3", {"padding": (1, 2, 3)}, r"padding=\(1, 2, 3\)"),
        ("padding_float", {"padding": 1.5}, "padding=1.5"),
        ("up_zero", {"up": 0}, "up=0"),
        ("down_float", {"down": 2.0}, "down=2.0"),
    )
    def test_invalid_arguments_raise(self, kwargs, message):
        with self.assertRaisesRegex(ValueError, message):
            upfirdn2d(_images((1, 4, 4, 1)), make_blur_kernel(), **kwargs)

    def test_invalid_kernel_and_images_raise(self):
        with self.assertRaisesRegex(ValueError, r"kernel.shape=\(4,\)"):
            upfirdn2d(_images((1, 4, 4, 1)), np.ones(4))
        with self.assertRaisesRegex(ValueError, r"x.shape=\(4, 4, 1\)"):
            upfirdn2d(_images((4, 4, 1)), make_blur_kernel())


class ResamplingFunctionsTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.named_parameters(("taps4", (1, 3, 3, 1)), ("taps3", (1, 2, 1)))
    def test_paddings_keep_the_expected_sizes(self, taps):
        x = _images((1, 8, 6, 2))
        self.assertEqual(tuple(resampling.upsample(x, taps).shape), (1, 16, 12, 2))
        self.assertEqual(tuple(resampling.downsample(x, taps).shape), (1, 4, 3, 2))
        self.assertEqual(tuple(resampling.blur(x, taps).shape), (1, 8, 6, 2))
        self.assertEqual(tuple(resampling.upsample(x, taps, factor=3).shape), (1, 24, 18, 2))
        self.assertEqual(tuple(resampling.downsample(x, taps, factor=3).shape), (1, 2, 2, 2))

    def test_padding_helpers(self):
        # StyleGAN2's paddings for the 4-tap filter and a factor of 2.
        self.assertEqual(resampling.upsample_padding(4, 2), (2, 1))
        self.assertEqual(resampling.downsample_padding(4, 2), (1, 1))
        self.assertEqual(resampling.blur_padding(4), (2, 1))
        self.assertEqual(resampling.blur_padding(3), (1, 1))

    def test_progan_box_filters(self):
        # TF-GAN's progressive_gan layers_test: 2x2 box downscale and nearest
        # upscale are the (1, 1) filter.
        x = np.array(
            [
                [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]],
                [[[0, 0, 0], [-1, -2, -3]], [[1, -2, 2], [2, 5, 3]]],
            ],
            dtype="float32",
        )
        self.assertAllClose(
            resampling.downsample(x, (1, 1)), [[[[5.5, 6.5, 7.5]]], [[[0.5, 0.25, 0.5]]]]
        )
        y = np.array([[[[1, 2, 3]]], [[[4, 5, 6]]]], dtype="float32")
        self.assertAllClose(
            resampling.upsample(y, (1, 1)),
            [
                [[[1, 2, 3], [1, 2, 3]], [[1, 2, 3], [1, 2, 3]]],
                [[[4, 5, 6], [4, 5, 6]], [[4, 5, 6], [4, 5, 6]]],
            ],
        )
