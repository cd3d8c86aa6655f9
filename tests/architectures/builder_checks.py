"""Checks the shared harness (`tests/test_case.py`) leaves to the builder tests."""

import keras


def float32_training_outputs(test, cls, init_kwargs, inputs, layer_name):
    """Under mixed_float16, `layer_name` computes in float16 and training calls give float32.

    `TestCase.run_precision_test` checks inference calls; training calls take
    other paths (batch statistics, spectral normalisation's power iteration).
    """
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = cls(**init_kwargs)
        test.assertEqual(model.get_layer(layer_name).compute_dtype, "float16")
        outputs = model(inputs, training=True)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    test.assertEqual(keras.backend.standardize_dtype(outputs.dtype), "float32")
