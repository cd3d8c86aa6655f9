import os
import pathlib
from unittest import mock

import keras
import tensorflow as tf

from keras_gans.utils.file_utils import atomic_directory
from keras_gans.utils.file_utils import atomic_file
from keras_gans.utils.file_utils import save_atomically
from tests.testing import tiny_gan
from tests.testing import weights_of


def _read(path):
    with open(path) as f:
        return f.read()


def _bytes(path):
    with open(path, "rb") as f:
        return f.read()


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


class _Injected(Exception):
    pass


class AtomicFileTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        self.folder = os.path.join(self.get_temp_dir(), self.id().rsplit(".", 1)[-1])
        os.makedirs(self.folder)

    def test_writes_beside_the_target_and_renames_into_place(self):
        path = os.path.join(self.folder, "model.weights.h5")
        _write(path, "old")
        with atomic_file(path) as staging:
            # A hidden file in the same folder (a rename there is atomic) that
            # keeps the ending Keras chooses the format by.
            self.assertEqual(os.path.dirname(staging), self.folder)
            self.assertTrue(os.path.basename(staging).startswith(".model.weights.h5."))
            self.assertTrue(staging.endswith(".weights.h5"))
            self.assertNotEqual(staging, path)
            _write(staging, "new")
            self.assertEqual(_read(path), "old")  # untouched until the end
        self.assertEqual(_read(path), "new")
        self.assertEqual(os.listdir(self.folder), ["model.weights.h5"])

    def test_endings(self):
        for name, ending in (("a.keras", ".keras"), ("grid.png", ".png"), ("noext", "")):
            with atomic_file(os.path.join(self.folder, name)) as staging:
                self.assertTrue(staging.endswith(ending) and not staging.endswith(name), staging)

    def test_failure_leaves_the_old_file_and_no_leftovers(self):
        path = os.path.join(self.folder, "model.keras")
        _write(path, "old")
        with self.assertRaises(_Injected):
            with atomic_file(path) as staging:
                _write(staging, "half a fi")
                raise _Injected()
        self.assertEqual(_read(path), "old")
        self.assertEqual(os.listdir(self.folder), ["model.keras"])

    def test_failure_of_a_new_file_leaves_nothing(self):
        path = os.path.join(self.folder, "sub", "dir", "model.keras")
        with self.assertRaises(_Injected):
            with atomic_file(path) as staging:
                _write(staging, "half")
                raise _Injected()
        self.assertEqual(os.listdir(os.path.dirname(path)), [])  # folders made, no file

    def test_pathlike(self):
        path = pathlib.Path(self.folder) / "x.txt"
        with atomic_file(path) as staging:
            _write(staging, "x")
        self.assertEqual(_read(path), "x")


class AtomicDirectoryTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        self.parent = os.path.join(self.get_temp_dir(), self.id().rsplit(".", 1)[-1])
        self.path = os.path.join(self.parent, "m")
        os.makedirs(self.path)
        _write(os.path.join(self.path, "version"), "old")

    def _version(self):
        return _read(os.path.join(self.path, "version"))

    def test_existing_folder_needs_overwrite_and_is_left_alone(self):
        with self.assertRaisesRegex(FileExistsError, "m already exists. Pass overwrite=True"):
            with atomic_directory(self.path):
                self.fail("nothing is written")
        self.assertEqual(os.listdir(self.parent), ["m"])
        self.assertEqual(self._version(), "old")

    def test_new_folder(self):
        path = os.path.join(self.parent, "deeper", "new")
        with atomic_directory(path) as staging:
            self.assertEqual(os.path.dirname(staging), os.path.dirname(path))
            self.assertTrue(os.path.basename(staging).startswith(".new."))
            self.assertFalse(os.path.exists(path))
            _write(os.path.join(staging, "version"), "new")
        self.assertEqual(_read(os.path.join(path, "version")), "new")
        self.assertEqual(os.listdir(os.path.dirname(path)), ["new"])

    def test_overwrite_replaces_only_once_complete(self):
        with atomic_directory(self.path, overwrite=True) as staging:
            _write(os.path.join(staging, "version"), "new")
            self.assertEqual(self._version(), "old")
        self.assertEqual(self._version(), "new")
        self.assertEqual(os.listdir(self.path), ["version"])
        self.assertEqual(os.listdir(self.parent), ["m"])

    def test_failure_while_writing_keeps_the_old_folder(self):
        with self.assertRaises(_Injected):
            with atomic_directory(self.path, overwrite=True) as staging:
                _write(os.path.join(staging, "version"), "half")
                raise _Injected()
        self.assertEqual(self._version(), "old")
        self.assertEqual(os.listdir(self.parent), ["m"])

    def test_failed_swap_puts_the_old_folder_back(self):
        real_replace = os.replace
        calls = []

        def replace(source, target):
            calls.append((os.path.basename(source), os.path.basename(target)))
            if len(calls) == 2:  # the new folder's rename into place
                raise OSError("injected")
            return real_replace(source, target)

        with mock.patch.object(os, "replace", side_effect=replace):
            with self.assertRaisesRegex(OSError, "injected"):
                with atomic_directory(self.path, overwrite=True) as staging:
                    _write(os.path.join(staging, "version"), "new")
        staging_name = os.path.basename(staging)
        self.assertEqual(
            calls,
            [
                ("m", f"{staging_name}.previous"),
                (staging_name, "m"),
                (f"{staging_name}.previous", "m"),
            ],
        )
        self.assertEqual(self._version(), "old")
        self.assertEqual(os.listdir(self.parent), ["m"])

    def test_failure_to_move_the_old_folder_aside(self):
        with mock.patch.object(os, "replace", side_effect=OSError("injected")):
            with self.assertRaisesRegex(OSError, "injected"):
                with atomic_directory(self.path, overwrite=True) as staging:
                    _write(os.path.join(staging, "version"), "new")
        self.assertEqual(self._version(), "old")
        self.assertEqual(os.listdir(self.parent), ["m"])


class SaveAtomicallyTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        self.folder = os.path.join(self.get_temp_dir(), self.id().rsplit(".", 1)[-1])
        os.makedirs(self.folder)
        self.path = os.path.join(self.folder, "gan.keras")

    def test_save_writes_to_a_staging_path(self):
        calls = []

        def save(filepath, overwrite=True, **kwargs):
            calls.append((filepath, overwrite, kwargs))
            _write(filepath, "saved")
            return "result"

        self.assertEqual(save_atomically(save, self.path, False, zipped=True), "result")
        ((filepath, overwrite, kwargs),) = calls
        self.assertNotEqual(filepath, self.path)
        self.assertEqual(os.path.dirname(filepath), self.folder)
        self.assertTrue(filepath.endswith(".keras"))
        self.assertEqual((overwrite, kwargs), (True, {"zipped": True}))
        self.assertEqual(_read(self.path), "saved")
        self.assertEqual(os.listdir(self.folder), ["gan.keras"])

    def test_existing_file_without_overwrite_is_left_to_save(self):
        _write(self.path, "old")
        calls = []

        def save(filepath, overwrite=True):
            calls.append((filepath, overwrite))

        save_atomically(save, pathlib.Path(self.path), False)
        self.assertEqual(calls, [(pathlib.Path(self.path), False)])  # Keras' own check

    def test_crash_while_saving_leaves_the_old_file(self):
        _write(self.path, "old")

        def save(filepath, overwrite=True):
            _write(filepath, "corrupt")
            raise _Injected()

        with self.assertRaises(_Injected):
            save_atomically(save, self.path, True)
        self.assertEqual(_read(self.path), "old")
        self.assertEqual(os.listdir(self.folder), ["gan.keras"])


class ModelSavesAtomicallyTest(tf.test.TestCase):
    """`AdversarialModel.save` and `save_weights` go through the atomic write."""

    def _crash_on_write(self, method):
        # Keras starts writing the file it is given, then dies.
        def crash(model, filepath, *args, **kwargs):
            _write(filepath, "corrupt")
            raise _Injected()

        return mock.patch.object(keras.Model, method, crash)

    def test_a_crash_in_save_keeps_the_last_good_file(self):
        folder = self.get_temp_dir()
        path = os.path.join(folder, "gan.keras")
        gan = tiny_gan(seed=1)
        gan.save(path)
        saved, saved_bytes = weights_of(gan), _bytes(path)
        for variable in gan.generator.trainable_variables:
            variable.assign(variable + 1.0)
        with self._crash_on_write("save"), self.assertRaises(_Injected):
            gan.save(path)
        self.assertEqual([n for n in os.listdir(folder) if n.endswith("keras")], ["gan.keras"])
        self.assertEqual(_bytes(path), saved_bytes)  # the last good file, untouched
        loaded = keras.models.load_model(path)
        for got, want in zip(weights_of(loaded), saved, strict=True):
            self.assertAllEqual(got, want)

    def test_a_crash_in_save_weights_keeps_the_last_good_file(self):
        folder = os.path.join(self.get_temp_dir(), "weights")
        path = os.path.join(folder, "gan.weights.h5")
        gan = tiny_gan(seed=1)
        gan.save_weights(path)
        saved, saved_bytes = weights_of(gan), _bytes(path)
        for variable in gan.generator.trainable_variables:
            variable.assign(variable + 1.0)
        with self._crash_on_write("save_weights"), self.assertRaises(_Injected):
            gan.save_weights(path)
        self.assertEqual(os.listdir(folder), ["gan.weights.h5"])
        self.assertEqual(_bytes(path), saved_bytes)
        gan.load_weights(path)
        for got, want in zip(weights_of(gan), saved, strict=True):
            self.assertAllEqual(got, want)
