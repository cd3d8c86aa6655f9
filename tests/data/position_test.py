import os

import keras
import numpy as np
import tensorflow as tf
import tensorflow_datasets as tfds
from absl.testing import parameterized

import keras_gans
from keras_gans.data.position import data_position
from tests.testing import tiny_gan
from tests.testing import tiny_images


def _labelled(n=10, batch_size=3, **kwargs):
    """A dataset whose labels 0..n-1 name its images."""
    images = np.zeros((n, 2, 2, 1), np.uint8)
    return keras_gans.data.from_arrays(images, np.arange(n), batch_size=batch_size, **kwargs)


def _batches(dataset):
    """The labels of each batch of one pass, as lists."""
    return [batch[1].numpy().tolist() for batch in dataset]


def _at(dataset, batch):
    data_position(dataset).set(batch)
    return _batches(dataset)


class PositionedOrderTest(tf.test.TestCase):
    def test_each_epoch_is_a_new_permutation(self):
        dataset = _labelled(12, seed=4)  # 4 batches per epoch
        self.assertEqual(int(dataset.cardinality()), 4)
        epochs = [_at(dataset, 4 * e) for e in range(3)]
        for batches in epochs:
            self.assertEqual(sorted(sum(batches, [])), list(range(12)))
        self.assertNotEqual(epochs[0], epochs[1])
        self.assertNotEqual(epochs[1], epochs[2])

    def test_order_is_a_function_of_seed_and_position(self):
        first, second, other = _labelled(seed=4), _labelled(seed=4), _labelled(seed=5)
        for position in (0, 3, 7):
            self.assertEqual(_at(first, position), _at(second, position))
        self.assertNotEqual(_at(first, 0), _at(other, 0))
        # Iterators made and dropped, and passes read before, change nothing.
        for _ in range(3):
            iter(first)
        _batches(first)
        self.assertEqual(_at(first, 3), _at(second, 3))

    def test_a_pass_from_within_an_epoch_runs_into_the_next(self):
        dataset = _labelled(12, seed=4)
        epoch_1, epoch_2 = _at(dataset, 4), _at(dataset, 8)
        self.assertEqual(_at(dataset, 6), epoch_1[2:] + epoch_2[:2])
        self.assertEqual(_at(dataset, 11), epoch_2[3:] + _at(dataset, 12)[:3])

    def test_partial_last_batches_stay_within_their_epoch(self):
        dataset = _labelled(10, seed=4, drop_remainder=False)  # 3 + 3 + 3 + 1
        self.assertEqual(int(dataset.cardinality()), 4)
        epoch_0, epoch_1 = _at(dataset, 0), _at(dataset, 4)
        self.assertEqual([len(b) for b in epoch_0], [3, 3, 3, 1])
        self.assertEqual(_at(dataset, 2), epoch_0[2:] + epoch_1[:2])

    def test_unshuffled_order_is_skipped_into(self):
        dataset = _labelled(9, shuffle=False)
        self.assertEqual(_at(dataset, 0), [[0, 1, 2], [3, 4, 5], [6, 7, 8]])
        self.assertEqual(_at(dataset, 4), [[3, 4, 5], [6, 7, 8], [0, 1, 2]])

    def test_unpositioned_passes_are_keyed_by_their_count(self):
        first, second = _labelled(seed=4), _labelled(seed=4)
        passes = [_batches(first) for _ in range(3)]
        self.assertNotEqual(passes[0], passes[1])
        self.assertNotEqual(passes[1], passes[2])
        for _ in range(5):  # iterators that yield nothing are not passes
            iter(second)
        self.assertEqual([_batches(second) for _ in range(3)], passes)
        # Positioned and unpositioned keys differ.
        self.assertNotIn(_at(first, 0), passes)
        data_position(first).release()
        self.assertNotEqual(_batches(first), passes[2])

    def test_folder_datasets_are_positioned(self):
        folder = self.get_temp_dir()
        for i in range(6):
            pixels = tf.fill((4, 4, 3), tf.constant(40 * i, tf.uint8))
            with open(os.path.join(folder, f"{i}.png"), "wb") as f:
                f.write(tf.io.encode_png(pixels).numpy())
        dataset = keras_gans.data.from_folder(folder, image_size=4, batch_size=2, seed=1)
        self.assertIsNotNone(data_position(dataset))

        def values(batches):
            return [
                np.round((b[:, 0, 0, 0] + 1) * 127.5 / 40).astype(int).tolist() for b in batches
            ]

        data_position(dataset).set(0)
        epoch_0 = values(dataset)
        data_position(dataset).set(3)
        epoch_1 = values(dataset)
        self.assertEqual(sorted(sum(epoch_0, [])), list(range(6)))
        self.assertNotEqual(epoch_0, epoch_1)
        data_position(dataset).set(1)
        self.assertEqual(values(dataset), epoch_0[1:] + epoch_1[:1])

    def test_transformed_datasets_are_not_positioned(self):
        self.assertIsNone(data_position(_labelled().map(lambda x, y: (x, y))))
        self.assertIsNone(data_position(None))


class SequentialSourcesTest(tf.test.TestCase, parameterized.TestCase):
    """Buffered shuffles, caches and TFDS follow the same positioned orders."""

    def _make(self, kind, seed):
        images = np.arange(12, dtype=np.uint8)[:, None, None, None] * np.ones(
            (1, 2, 2, 1), np.uint8
        )
        if kind == "buffer":
            return keras_gans.data.from_arrays(
                images * 20, batch_size=3, seed=seed, shuffle_buffer_size=4
            )
        if kind == "cache":
            folder = os.path.join(self.get_temp_dir(), "cache")
            os.makedirs(folder, exist_ok=True)
            for i in range(12):
                with open(os.path.join(folder, f"{i:02d}.png"), "wb") as f:
                    f.write(tf.io.encode_png(tf.constant(images[i] * 20)).numpy())
            return keras_gans.data.from_folder(
                folder, image_size=2, channels=1, batch_size=3, seed=seed, cache=True
            )
        return keras_gans.data.from_tfds("mnist", image_size=4, batch_size=3, seed=seed)

    @parameterized.parameters("buffer", "cache", "tfds")
    def test_positioned_orders(self, kind):
        with tfds.testing.mock_data(num_examples=12):
            dataset, again = self._make(kind, 4), self._make(kind, 4)
            self.assertEqual(int(dataset.cardinality()), 4)
            epochs = [_at_ids(dataset, 4 * e) for e in range(3)]
            self.assertEqual(epochs, [_at_ids(again, 4 * e) for e in range(3)])
            for batches in epochs:
                self.assertEqual(sorted(sum(batches, [])), sorted(sum(epochs[0], [])))
                self.assertLen(set(sum(batches, [])), 12)
            self.assertNotEqual(epochs[0], epochs[1])
            self.assertEqual(_at_ids(dataset, 6), epochs[1][2:] + epochs[2][:2])
            data_position(dataset).release()
            passes = [_image_ids_of(dataset) for _ in range(2)]
            self.assertNotEqual(passes[0], passes[1])


def _image_ids_of(dataset):
    ids = []
    for batch in dataset:
        images = batch[0] if isinstance(batch, tuple) else batch
        ids.append([hash(np.round(image, 4).tobytes()) for image in images.numpy()])
    return ids


def _at_ids(dataset, batch):
    data_position(dataset).set(batch)
    return _image_ids_of(dataset)


class FitPositionsTest(tf.test.TestCase):
    def test_fit_positions_each_epoch_at_the_step_count(self):
        images = tiny_images(16)
        dataset = keras_gans.data.from_arrays(images, batch_size=4, seed=2)
        gan = tiny_gan()
        positions = []
        gan.fit(
            dataset,
            epochs=3,
            verbose=0,
            callbacks=[
                keras.callbacks.LambdaCallback(
                    on_epoch_begin=lambda epoch, logs: positions.append(
                        int(data_position(dataset).variable.numpy())
                    )
                )
            ],
        )
        self.assertEqual(positions, [0, 4, 8])
        self.assertEqual(int(gan.trained_steps.numpy()), 12)
        # A second fit goes on from the step count, and the position is
        # released after training.
        gan.fit(dataset, epochs=1, verbose=0)
        self.assertEqual(int(gan.trained_steps.numpy()), 16)
        self.assertEqual(int(data_position(dataset).variable.numpy()), -1)

    def test_fit_trains_on_the_positioned_batches(self):
        # Two models fit on the same data and seed: the batches follow from the
        # step count, so the weights agree; with another seed they do not.
        def trained(seed, epochs_per_fit):
            gan = tiny_gan(seed=7)
            dataset = keras_gans.data.from_arrays(tiny_images(16), batch_size=4, seed=seed)
            for _ in range(4 // epochs_per_fit):
                gan.fit(dataset, epochs=epochs_per_fit, verbose=0)
            return gan.generator.get_weights()

        reference = trained(2, 4)
        for got, want in zip(trained(2, 1), reference, strict=True):
            self.assertAllClose(got, want, rtol=0, atol=0)
        self.assertNotAllClose(trained(3, 4)[0], reference[0])

    def test_steps_per_epoch_leaves_the_dataset_unpositioned(self):
        # With steps_per_epoch, fit leaves a dataset's order alone: it follows
        # the count of passes made in this process (pass 1, 2, ...), not the
        # step count, and its position stays -1 throughout.
        def labelled():
            return keras_gans.data.from_arrays(tiny_images(16), np.arange(16), batch_size=4, seed=2)

        reference = labelled()
        passes = [_batches(reference) for _ in range(2)]  # unpositioned passes 1 and 2
        self.assertNotEqual(passes[0], passes[1])
        gan = tiny_gan()
        seen, positions = [], []
        step = gan.train_step

        def recording(data):
            images, labels = data
            tf.numpy_function(
                lambda v: seen.append(v.tolist()) or v, [labels], labels.dtype, stateful=True
            )
            return step(images)

        gan.train_step = recording
        watch = keras.callbacks.LambdaCallback(
            on_train_batch_end=lambda batch, logs: positions.append(
                int(data_position(dataset).variable.numpy())
            )
        )
        dataset = labelled()
        gan.fit(dataset.repeat(), epochs=2, steps_per_epoch=3, verbose=0, callbacks=[watch])
        self.assertEqual(seen, passes[0] + passes[1][:2])
        self.assertEqual(positions, [-1] * 6)
        # The dataset itself (not a transformation of it), after 6 trained
        # steps: a new dataset's first pass.
        seen.clear()
        positions.clear()
        dataset = labelled()
        gan.fit(dataset, epochs=1, steps_per_epoch=4, verbose=0, callbacks=[watch])
        self.assertEqual(seen, passes[0])
        self.assertEqual(positions, [-1] * 4)
        self.assertEqual(int(data_position(dataset).variable.numpy()), -1)
        self.assertEqual(int(gan.trained_steps.numpy()), 10)
        # What a positioned fit would have trained on (the next epoch after 6
        # steps starts at batch 8) differs, so the check above can tell.
        self.assertNotEqual(_at(labelled(), 8), passes[0])

    def test_arrays_given_to_fit_are_positioned(self):
        # 10 images, 2 held out by validation_split, batches of 3: 3 steps per
        # epoch (the last of 2 images), each epoch a new order of the same 8.
        images, labels = tiny_images(10), np.arange(10)
        gan = tiny_gan(seed=3)
        seen = []
        step = gan.train_step

        def recording(data):
            images, labels = data
            tf.numpy_function(
                lambda v: seen.append(v.tolist()) or v, [labels], labels.dtype, stateful=True
            )
            return step(images)

        gan.train_step = recording
        history = gan.fit(images, labels, batch_size=3, epochs=3, validation_split=0.2, verbose=0)
        self.assertEqual(int(gan.trained_steps.numpy()), 9)
        self.assertIn("val_d_loss", history.history)
        self.assertEqual([len(batch) for batch in seen], [3, 3, 2] * 3)
        epochs = [sum(seen[3 * e : 3 * e + 3], []) for e in range(3)]
        for epoch in epochs:
            self.assertEqual(sorted(epoch), list(range(8)))  # 8 and 9 held out
        self.assertNotEqual(epochs[0], epochs[1])
        seen.clear()
        gan.fit(images, labels, batch_size=3, epochs=1, shuffle=False, verbose=0)
        self.assertEqual(seen, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]])
