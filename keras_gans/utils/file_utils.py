"""Writes that never leave a half-written file or folder where a good one stood.

Everything the package writes that a user may rely on (`.keras` files, weights,
exported SavedModels, cached classifiers, images) is written beside its target
under a temporary name and renamed into place when complete: a rename within a
folder is atomic, so a crash leaves either the old file or the new one.
"""

import contextlib
import os
import shutil
import tempfile


def _suffix(name):
    # Keras and matplotlib choose the format by the file's ending.
    for ending in (".weights.h5",):
        if name.endswith(ending):
            return ending
    return os.path.splitext(name)[1]


@contextlib.contextmanager
def atomic_file(path):
    """Yields a temporary path beside `path`; renames it to `path` on success.

    The temporary file keeps `path`'s ending (writers that choose a format by
    it work unchanged). On an exception the temporary file is removed and
    `path` is left as it was.

    Example:

    ```python
    with atomic_file("model.keras") as staging:
        model.save(staging)
    ```
    """
    path = os.path.abspath(os.fspath(path))
    directory, name = os.path.split(path)
    os.makedirs(directory, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{name}.", suffix=_suffix(name), dir=directory)
    os.close(handle)
    try:
        yield staging
        os.replace(staging, path)
    finally:
        if os.path.exists(staging):
            os.remove(staging)


@contextlib.contextmanager
def atomic_directory(path, overwrite=False):
    """Yields a temporary folder beside `path`; moves it to `path` on success.

    An existing `path` is replaced only with `overwrite=True` (else
    `FileExistsError` before anything is written), and only once the new
    folder is complete: if the swap fails, the old folder is put back.
    """
    path = os.path.abspath(os.fspath(path))
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"{path} already exists. Pass overwrite=True to replace it.")
    parent, name = os.path.split(path)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{name}.", dir=parent)
    backup = None
    try:
        yield staging
        if os.path.exists(path):
            backup = staging + ".previous"
            os.replace(path, backup)
        os.replace(staging, path)
    except BaseException:
        if backup is not None and not os.path.exists(path):
            os.replace(backup, path)
            backup = None
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)


def save_atomically(save, filepath, overwrite, **kwargs):
    """Runs a Keras `save(filepath, overwrite=..., **kwargs)` through `atomic_file`.

    Paths that are not strings, or existing files without `overwrite`, are left
    to `save` itself (its own checks and errors).
    """
    path = os.fspath(filepath)
    if not isinstance(path, str) or (os.path.exists(path) and not overwrite):
        return save(filepath, overwrite=overwrite, **kwargs)
    with atomic_file(path) as staging:
        return save(staging, overwrite=True, **kwargs)
