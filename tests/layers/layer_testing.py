"""Checks shared by the layer tests: config and `.keras` round trips, mixed precision."""

import json
import os

import keras
import numpy as np


def _call(layer, inputs):
    return layer(*[np.asarray(x) for x in inputs])


def run_serialization_test(test, layer, inputs):
    """The layer survives `keras.layers.serialize` -> JSON -> `deserialize`.

    The restored layer has the same config and, given the same weights,
    computes the same outputs.
    """
    _call(layer, inputs)  # build
    config = layer.get_config()
    restored = keras.layers.deserialize(json.loads(json.dumps(keras.layers.serialize(layer))))
    test.assertIs(type(restored), type(layer))
    test.assertEqual(restored.get_config(), config)
    _call(restored, inputs)
    restored.set_weights(layer.get_weights())
    test.assertAllClose(_call(restored, inputs), _call(layer, inputs), rtol=0.0, atol=0.0)


def run_keras_file_test(test, make_layer, inputs, batch_size=None):
    """A functional model around the layer round-trips through a `.keras` file."""
    tensors = [keras.Input(np.shape(x)[1:], batch_size=batch_size) for x in inputs]
    model = keras.Model(tensors, make_layer()(*tensors))
    path = os.path.join(test.get_temp_dir(), "layer_model.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    arrays = [np.asarray(x) for x in inputs]
    test.assertAllClose(restored(arrays), model(arrays), rtol=0.0, atol=0.0)
    return restored


def run_mixed_precision_test(
    test,
    make_layer,
    inputs,
    policies=("mixed_float16", "mixed_bfloat16"),
    rtol=1e-2,
    atol=1e-2,
):
    """Under each mixed policy the layer keeps float32 variables, outputs in the
    compute dtype and matches the float32 layer with the same weights."""
    reference = make_layer()
    _call(reference, inputs)
    for policy in policies:
        keras.mixed_precision.set_global_policy(policy)
        try:
            layer = make_layer()
            _call(layer, inputs)
        finally:
            keras.mixed_precision.set_global_policy("float32")
        layer.set_weights(reference.get_weights())
        expected = _call(reference, inputs)
        outputs = _call(layer, inputs)
        compute_dtype = policy.split("_")[1]
        test.assertEqual(layer.compute_dtype, compute_dtype)
        for output in outputs if isinstance(outputs, (list, tuple)) else [outputs]:
            test.assertEqual(keras.backend.standardize_dtype(output.dtype), compute_dtype)
        for variable in layer.weights:
            test.assertIn(variable.dtype, ("float32", "int64", "uint32", "int32"))
        test.assertAllClose(
            np.asarray(keras.ops.cast(outputs, "float32")), expected, rtol=rtol, atol=atol
        )
