import numpy as np
import tensorflow as tf

from keras_gans.layers import Downsample2D
from tests.layers import layer_testing
from tests.layers import numpy_reference

TAPS = np.array([1.0, 3.0, 3.0, 1.0]) / 8.0


class Downsample2DTest(tf.test.TestCase):
    def test_constant_image_keeps_its_value_away_from_the_border(self):
        x = np.full((2, 10, 8, 3), 4.0, "float32")
        y = Downsample2D()(x).numpy()
        self.assertEqual(y.shape, (2, 5, 4, 3))
        # Padding (1, 1): only the first and last rows and columns see zeros.
        self.assertAllClose(y[:, 1:-1, 1:-1], np.full((2, 3, 2, 3), 4.0), atol=1e-6)
        self.assertTrue(np.all(y[:, 0] < 4.0))
        self.assertTrue(np.all(y[:, -1] < 4.0))

    def test_impulse_response_is_centred(self):
        x = np.zeros((1, 8, 8, 1), "float32")
        x[0, 4, 2, 0] = 1.0
        y = Downsample2D()(x).numpy()[0, :, :, 0]
        # Output pixel i averages input pixels 2i - 1 .. 2i + 2 with the taps.
        expected = np.outer([0, TAPS[0], TAPS[1], 0], [TAPS[0], TAPS[1], 0, 0])
        self.assertAllClose(y, expected, atol=1e-7)

    def test_matches_scipy_reference(self):
        x = np.random.default_rng(0).normal(size=(2, 9, 8, 3)).astype("float32")
        for taps, factor, pads in (
            ((1, 3, 3, 1), 2, (1, 1, 1, 1)),
            ((1, 2, 1), 2, (1, 0, 1, 0)),
            ((1, 3, 3, 1), 3, (1, 0, 1, 0)),
        ):
            filt = np.array(taps) / np.sum(taps)
            expected = numpy_reference.upfirdn_separable(x, filt, filt, down=factor, pads=pads)
            outputs = Downsample2D(factor, taps)(x)
            self.assertEqual(tuple(outputs.shape), (2, 9 // factor, 8 // factor, 3))
            self.assertAllClose(outputs, expected, atol=1e-5)

    def test_output_shape(self):
        layer = Downsample2D()
        self.assertEqual(layer.compute_output_shape((None, 7, None, 2)), (None, 3, None, 2))
        self.assertEqual(tuple(layer(np.zeros((1, 7, 6, 2), "float32")).shape), (1, 3, 3, 2))

    def test_invalid_arguments_raise(self):
        with self.assertRaisesRegex(ValueError, "factor=1.5"):
            Downsample2D(factor=1.5)
        with self.assertRaisesRegex(ValueError, r"blur_kernel=\[\]"):
            Downsample2D(blur_kernel=[])

    def test_serialization(self):
        x = np.random.default_rng(1).normal(size=(2, 8, 8, 2)).astype("float32")
        layer_testing.run_serialization_test(self, Downsample2D(blur_kernel=(1, 1)), [x])
        layer_testing.run_keras_file_test(self, Downsample2D, [x])

    def test_mixed_precision(self):
        x = np.random.default_rng(2).normal(size=(2, 8, 8, 2)).astype("float32")
        layer_testing.run_mixed_precision_test(self, Downsample2D, [x], rtol=2e-2, atol=2e-2)
