"""`compile(steps_per_execution=k)` trains exactly what `steps_per_execution=1` trains."""

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

import keras_gans
from keras_gans.losses import GradientPenalty
from tests.testing import NUM_CLASSES
from tests.testing import tiny_gan
from tests.testing import tiny_images
from tests.testing import tiny_labels


def _train(steps_per_execution, data, conditional=False, **compile_kwargs):
    gan = tiny_gan(
        num_classes=NUM_CLASSES if conditional else None,
        seed=5,
        steps_per_execution=steps_per_execution,
        g_optimizer=keras.optimizers.SGD(0.01, momentum=0.5),
        d_optimizer=keras.optimizers.Adam(1e-3),
        **compile_kwargs,
    )
    history = gan.fit(data(), epochs=3, verbose=0).history
    return gan, history


class StepsPerExecutionTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.named_parameters(
        # 5 batches an epoch: executions of 2 + 2 + 1, and of 3 + 2.
        ("two", 2, False, {}),
        ("three", 3, False, {}),
        (
            "three_conditional_penalty_d_steps",
            3,
            True,
            {"d_steps": 2, "regularizers": [GradientPenalty(10.0)]},
        ),
    )
    def test_same_weights_logs_and_steps_as_one_step_per_execution(
        self, steps_per_execution, conditional, compile_kwargs
    ):
        images, labels = tiny_images(20), tiny_labels(20)

        def data():
            # A positioned dataset: the same batches for every run.
            return keras_gans.data.from_arrays(
                images, labels if conditional else None, batch_size=4, seed=3
            )

        def fresh(kwargs):  # regularisers hold state: one object per model
            return {
                key: [type(r)(**r.get_config()) for r in value] if key == "regularizers" else value
                for key, value in kwargs.items()
            }

        reference, reference_logs = _train(1, data, conditional, **fresh(compile_kwargs))
        gan, logs = _train(steps_per_execution, data, conditional, **fresh(compile_kwargs))
        self.assertEqual(int(gan.trained_steps.numpy()), 15)
        self.assertEqual(int(reference.trained_steps.numpy()), 15)
        d_steps = compile_kwargs.get("d_steps", 1)
        for model in (gan, reference):
            self.assertEqual(int(model.g_optimizer.iterations), 15)
            self.assertEqual(int(model.d_optimizer.iterations), 15 * d_steps)
        for got, want in zip(gan.weights, reference.weights, strict=True):
            self.assertAllClose(got, want, rtol=1e-6, atol=1e-6, msg=got.path)
        self.assertAllEqual(gan.seed_generator.state, reference.seed_generator.state)
        self.assertEqual(sorted(logs), sorted(reference_logs))
        for key, values in logs.items():
            self.assertAllClose(values, reference_logs[key], rtol=1e-5, atol=1e-6, msg=key)
        # The runs trained: the weights moved from their common start.
        start = tiny_gan(num_classes=NUM_CLASSES if conditional else None, seed=5)
        self.assertNotAllClose(gan.generator.get_weights()[0], start.generator.get_weights()[0])
        for values in logs.values():
            self.assertTrue(np.all(np.isfinite(values)))
