"""The Keras and TensorFlow internals `keras_gans.utils.compat` relies on still behave so."""

import inspect

import keras
import tensorflow as tf

from keras_gans.utils import compat
from tests.testing import tiny_discriminator


def test_checked_keras_version():
    assert keras.__version__.startswith("3."), keras.__version__


def test_initial_epoch_is_what_backup_and_restore_sets():
    model = tiny_discriminator()
    assert compat.initial_epoch(model) is None
    compat.set_initial_epoch(model, 3)
    assert model._initial_epoch == 3
    # Keras' fit reads the same attribute to skip finished epochs.
    source = inspect.getsource(keras.src.backend.tensorflow.trainer.TensorFlowTrainer.fit)
    assert "_initial_epoch" in source
    assert "_initial_epoch" in inspect.getsource(keras.callbacks.BackupAndRestore)


def test_fit_validates_through_the_cached_eval_dataset_argument():
    source = inspect.getsource(keras.src.backend.tensorflow.trainer.TensorFlowTrainer.fit)
    assert "_use_cached_eval_dataset=True" in source
    assert compat.uses_cached_eval_dataset({"_use_cached_eval_dataset": True})
    assert not compat.uses_cached_eval_dataset({})


def test_multi_worker_query():
    assert compat.is_multi_worker(tf.distribute.get_strategy()) is False
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0"])
    # The private query exists on the strategies' `extended` objects.
    assert callable(mirrored.extended._in_multi_worker_mode)
    assert compat.is_multi_worker(mirrored) is False


def test_own_variables_in_save_order():
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    store = {}
    layer.save_own_variables(store)
    variables = compat.own_variables(layer)
    assert [v.path for v in variables] == [v.path for v in layer.weights]
    for i, variable in enumerate(variables):
        assert store[f"{i}"].shape == variable.shape
