"""A shared test case: one call checks what every builder and layer must do.

`run_builder_test` checks a generator or discriminator builder: its output
shape, its config round trip (`from_config` and Keras' serialization), a
`.keras` round trip with equal outputs, a forward pass under mixed precision,
and one `fit` step of an `AdversarialModel` made with it. `run_layer_test` does
the same for a layer. A new builder then needs a short test file:

```python
class MyGeneratorTest(TestCase):
    def test_builder(self):
        self.run_builder_test(
            MyGenerator, {"latent_dim": 4, "image_shape": (8, 8, 1)},
            np.zeros((2, 4), "float32"), expected_output_shape=(2, 8, 8, 1),
        )
```
"""

import os

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_gans import AdversarialModel

MIXED_POLICIES = ("mixed_float16", "mixed_bfloat16")


def _as_numpy(outputs):
    return keras.tree.map_structure(lambda x: keras.ops.convert_to_numpy(x), outputs)


class TestCase(tf.test.TestCase, parameterized.TestCase):
    """`tf.test.TestCase` with the shared checks of builders and layers."""

    def tearDown(self):
        keras.mixed_precision.set_global_policy("float32")
        super().tearDown()

    # --- Serialization ---------------------------------------------------

    def run_serialization_test(self, instance):
        """The config round-trips through `from_config` and Keras serialization."""
        config = instance.get_config()
        restored = type(instance).from_config(config)
        self.assertEqual(restored.get_config(), config)
        serialized = keras.saving.serialize_keras_object(instance)
        again = keras.saving.deserialize_keras_object(serialized)
        self.assertIsInstance(again, type(instance))
        self.assertEqual(again.get_config(), config)
        return restored

    def run_model_saving_test(self, model, input_data):
        """A `.keras` round trip keeps the weights: outputs are equal."""
        expected = _as_numpy(model(input_data, training=False))
        path = os.path.join(self.get_temp_dir(), f"{model.name}.keras")
        model.save(path)
        loaded = keras.models.load_model(path)
        self.assertIsInstance(loaded, type(model))
        self.assertAllClose(_as_numpy(loaded(input_data, training=False)), expected, atol=1e-6)
        return loaded

    # --- Precision -------------------------------------------------------

    def run_precision_test(self, cls, init_kwargs, input_data, float32_output=True):
        """Built under each mixed policy, the model runs with finite outputs.

        With `float32_output`, outputs are float32 whatever the policy (the
        builders cast their outputs, so losses see float32).
        """
        for policy in MIXED_POLICIES:
            keras.mixed_precision.set_global_policy(policy)
            try:
                instance = cls(**init_kwargs)
                outputs = instance(input_data, training=False)
            finally:
                keras.mixed_precision.set_global_policy("float32")
            for output in keras.tree.flatten(outputs):
                if float32_output:
                    self.assertEqual(keras.backend.standardize_dtype(output.dtype), "float32")
                self.assertTrue(
                    np.all(np.isfinite(keras.ops.convert_to_numpy(output).astype("float32"))),
                    msg=f"{cls.__name__} gives non-finite outputs under {policy}",
                )

    # --- Training --------------------------------------------------------

    def run_fit_step_test(self, generator, discriminator, images, labels=None):
        """One `fit` step of a GAN made of the two networks moves both, finitely."""
        gan = AdversarialModel(generator, discriminator, seed=1)
        gan.compile(g_optimizer=keras.optimizers.SGD(0.01), d_optimizer=keras.optimizers.SGD(0.01))
        variables = generator.trainable_variables + discriminator.trainable_variables
        before = [v.numpy() for v in variables]
        data = images if labels is None else (images, labels)
        history = gan.fit(tf.data.Dataset.from_tensors(data), epochs=1, verbose=0).history
        for name, values in history.items():
            self.assertTrue(np.all(np.isfinite(values)), msg=f"{name}={values}")
        after = [v.numpy() for v in variables]
        moved = [not np.allclose(a, b) for a, b in zip(before, after, strict=True)]
        self.assertTrue(any(moved[: len(generator.trainable_variables)]), "the generator moved")
        self.assertTrue(any(moved[len(generator.trainable_variables) :]), "the discriminator moved")
        return gan

    # --- All of it -------------------------------------------------------

    def run_builder_test(
        self,
        cls,
        init_kwargs,
        input_data,
        expected_output_shape,
        partner=None,
        images=None,
        labels=None,
    ):
        """Output shape, config and `.keras` round trips, mixed precision, one fit step.

        Args:
            cls: the builder class.
            init_kwargs: dict. Its arguments for a tiny model.
            input_data: what the model is called on.
            expected_output_shape: tuple. The shape of its output.
            partner: `keras.Model`. The other player, for the fit step (a
                discriminator for a generator builder and vice versa).
                Defaults to `None` (no fit step).
            images: array. Training images for the fit step.
            labels: array. Their labels, for a conditional pair.
        """
        model = cls(**init_kwargs)
        output = model(input_data, training=False)
        self.assertEqual(tuple(output.shape), tuple(expected_output_shape))
        self.run_serialization_test(model)
        self.run_model_saving_test(model, input_data)
        self.run_precision_test(cls, init_kwargs, input_data)
        if partner is not None:
            is_generator = hasattr(model, "latent_dim")
            generator, discriminator = (model, partner) if is_generator else (partner, model)
            self.run_fit_step_test(generator, discriminator, images, labels)
        return model

    def run_layer_test(self, layer, input_data, expected_output_shape):
        """A layer: output shape, config round trip, `.keras` round trip inside a model."""
        output = layer(input_data)
        self.assertEqual(tuple(output.shape), tuple(expected_output_shape))
        self.run_serialization_test(layer)
        inputs = keras.Input(tuple(input_data.shape[1:]), batch_size=input_data.shape[0])
        model = keras.Model(inputs, layer(inputs), name="layer_test_model")
        self.run_model_saving_test(model, input_data)
        return layer
