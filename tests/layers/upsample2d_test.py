import numpy as np
import tensorflow as tf

from keras_gans.layers import Upsample2D
from tests.layers import layer_testing
from tests.layers import numpy_reference

TAPS = np.array([1.0, 3.0, 3.0, 1.0]) / 8.0


class Upsample2DTest(tf.test.TestCase):
    def test_constant_image_keeps_its_value_away_from_the_border(self):
        x = np.full((2, 5, 4, 3), -1.5, "float32")
        y = Upsample2D()(x).numpy()
        self.assertEqual(y.shape, (2, 10, 8, 3))
        # DC gain 1: the filter's gain of 4 makes up for the inserted zeros.
        # Only the first and last rows and columns miss an input pixel.
        self.assertAllClose(y[:, 1:-1, 1:-1], np.full((2, 8, 6, 3), -1.5), atol=1e-6)
        self.assertTrue(np.all(np.abs(y[:, 0]) < 1.5))
        self.assertTrue(np.all(np.abs(y[:, -1]) < 1.5))

    def test_impulse_response_is_centred_on_the_upsampled_pixel(self):
        x = np.zeros((1, 4, 4, 1), "float32")
        x[0, 1, 2, 0] = 1.0
        y = Upsample2D()(x).numpy()[0, :, :, 0]
        # Input pixel (1, 2) covers output pixels (2..3, 4..5); the response
        # spans one more pixel on each side.
        expected = np.zeros((8, 8))
        expected[1:5, 3:7] = np.outer(2 * TAPS, 2 * TAPS)
        self.assertAllClose(y, expected, atol=1e-6)

    def test_matches_scipy_reference(self):
        x = np.random.default_rng(0).normal(size=(2, 5, 4, 3)).astype("float32")
        for taps, factor, pads in (
            ((1, 3, 3, 1), 2, (2, 1, 2, 1)),
            ((1, 2, 1), 2, (2, 0, 2, 0)),
            ((1, 3, 3, 1), 3, (3, 0, 3, 0)),
        ):
            filt = np.array(taps) / np.sum(taps) * factor
            expected = numpy_reference.upfirdn_separable(x, filt, filt, up=factor, pads=pads)
            outputs = Upsample2D(factor, taps)(x)
            self.assertEqual(tuple(outputs.shape), (2, 5 * factor, 4 * factor, 3))
            self.assertAllClose(outputs, expected, atol=1e-5)

    def test_output_shape(self):
        layer = Upsample2D(factor=3)
        self.assertEqual(layer.compute_output_shape((None, 3, None, 2)), (None, 9, None, 2))
        self.assertEqual(tuple(layer(np.zeros((1, 3, 5, 2), "float32")).shape), (1, 9, 15, 2))

    def test_invalid_arguments_raise(self):
        with self.assertRaisesRegex(ValueError, "factor=0"):
            Upsample2D(factor=0)
        with self.assertRaisesRegex(ValueError, "blur_kernel=None"):
            Upsample2D(blur_kernel=None)

    def test_serialization(self):
        x = np.random.default_rng(1).normal(size=(2, 3, 3, 2)).astype("float32")
        layer_testing.run_serialization_test(self, Upsample2D(3, (1, 2, 1)), [x])
        layer_testing.run_keras_file_test(self, Upsample2D, [x])

    def test_mixed_precision(self):
        x = np.random.default_rng(2).normal(size=(2, 4, 4, 2)).astype("float32")
        layer_testing.run_mixed_precision_test(self, Upsample2D, [x], rtol=2e-2, atol=2e-2)
