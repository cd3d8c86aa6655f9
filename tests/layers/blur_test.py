import numpy as np
import tensorflow as tf

from keras_gans.layers import Blur
from tests.layers import layer_testing
from tests.layers import numpy_reference

TAPS = np.array([1.0, 3.0, 3.0, 1.0]) / 8.0


class BlurTest(tf.test.TestCase):
    def test_constant_image_keeps_its_value_away_from_the_border(self):
        x = np.full((2, 9, 8, 3), 2.5, "float32")
        y = Blur()(x).numpy()
        # Padding (2, 1): rows and columns 2 .. side - 2 see no zeros.
        self.assertAllClose(y[:, 2:-1, 2:-1], np.full((2, 6, 5, 3), 2.5), atol=1e-6)
        # The zero padding darkens the border.
        self.assertTrue(np.all(y[:, :2] < 2.5))
        self.assertTrue(np.all(y[:, -1] < 2.5))

    def test_impulse_response(self):
        x = np.zeros((1, 8, 8, 1), "float32")
        x[0, 3, 4, 0] = 1.0
        y = Blur()(x).numpy()[0, :, :, 0]
        expected = np.zeros((8, 8))
        # Taps at offsets -1 .. 2: the content moves half a pixel down-right.
        expected[2:6, 3:7] = np.outer(TAPS, TAPS)
        self.assertAllClose(y, expected, atol=1e-7)

    def test_matches_scipy_reference(self):
        x = np.random.default_rng(0).normal(size=(2, 7, 6, 3)).astype("float32")
        for taps, pads in (((1, 3, 3, 1), (2, 1, 2, 1)), ((1, 2, 1), (1, 1, 1, 1))):
            normalised = np.array(taps) / np.sum(taps)
            expected = numpy_reference.upfirdn_separable(x, normalised, normalised, pads=pads)
            self.assertAllClose(Blur(taps)(x), expected, atol=1e-5)

    def test_output_shape(self):
        layer = Blur()
        self.assertEqual(layer.compute_output_shape((None, 5, None, 3)), (None, 5, None, 3))
        self.assertEqual(tuple(layer(np.zeros((1, 5, 7, 3), "float32")).shape), (1, 5, 7, 3))

    def test_invalid_arguments_raise(self):
        with self.assertRaisesRegex(ValueError, r"blur_kernel=\(1, -1\)"):
            Blur((1, -1))
        with self.assertRaisesRegex(ValueError, r"inputs_shape=\(2, 4, 3\)"):
            Blur()(np.zeros((2, 4, 3), "float32"))

    def test_serialization(self):
        x = np.random.default_rng(1).normal(size=(2, 6, 6, 2)).astype("float32")
        layer_testing.run_serialization_test(self, Blur((1, 2, 1), name="blur"), [x])
        layer_testing.run_keras_file_test(self, lambda: Blur((1, 2, 1)), [x])

    def test_mixed_precision(self):
        x = np.random.default_rng(2).normal(size=(2, 6, 6, 2)).astype("float32")
        layer_testing.run_mixed_precision_test(self, Blur, [x], rtol=2e-2, atol=2e-2)
