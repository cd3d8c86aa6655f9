"""Export of generators as TensorFlow SavedModels, for inference anywhere.

An exported generator needs only TensorFlow to run:

```python
generator = tf.saved_model.load("saved_models/dcgan_mnist")
images = generator.serve(tf.random.normal((16, 64)))["images"]
```

TensorFlow's own tools inspect and run it:
`saved_model_cli show --dir saved_models/dcgan_mnist --all`.
"""

import contextlib
import os
import shutil
import tempfile

import keras
import tensorflow as tf

SERVE_ENDPOINT = "serve"
OUTPUT_KEY = "images"


def _as_exportable(model_or_generator):
    """Returns an object with the generator and what the export needs of it."""
    from keras_gans.models.adversarial_model import AdversarialModel

    if isinstance(model_or_generator, AdversarialModel):
        return model_or_generator
    if isinstance(model_or_generator, keras.Model):
        # A bare generator: describe it the way AdversarialModel would, with
        # the generator standing in for the discriminator's input checks.
        return _GeneratorOnly(model_or_generator)
    raise ValueError(
        "`export_generator` takes an `AdversarialModel` or a generator "
        f"`keras.Model`. Received: {model_or_generator!r} of type "
        f"{type(model_or_generator).__name__}"
    )


class _GeneratorOnly:
    def __init__(self, generator):
        from keras_gans.models.adversarial_model import _Inputs

        self.generator = generator
        self._g_inputs = _Inputs(generator, "generator")
        self.latent_dim = self._g_inputs.vector_size("latent")
        self.conditional = self._g_inputs.conditional
        self.num_classes = getattr(generator, "num_classes", None)
        if self.conditional and self.num_classes is None:
            raise ValueError(
                "The exported generator must check its labels, so a conditional "
                "generator needs a `num_classes` attribute (the "
                "`keras_gans.architectures` builders set it). Set "
                "`generator.num_classes = N`, or export the `AdversarialModel`."
            )

    def _generate(self, latents, labels, training):
        return self._g_inputs.call(self.generator, latents, labels, training)


def _serving_function(model):
    latent_spec = tf.TensorSpec([None, model.latent_dim], tf.float32, name="latent")

    def images(latents, labels=None):
        # Concrete signatures (`loaded.signatures["serve"]`, TF Serving) do
        # not check input shapes against their spec: check the width here.
        width = tf.debugging.assert_equal(
            tf.shape(latents)[-1],
            model.latent_dim,
            message=f"latent must have shape (num_samples, {model.latent_dim}); "
            "its last dimension is",
        )
        with tf.control_dependencies([width]):
            outputs = model._generate(tf.identity(latents), labels, training=False)
        return {OUTPUT_KEY: tf.cast(outputs, tf.float32)}

    if not model.conditional:
        return tf.function(images, input_signature=[latent_spec])

    num_classes = model.num_classes

    def conditional_images(latent, label):
        checks = [
            tf.debugging.assert_equal(
                tf.shape(latent)[0],
                tf.shape(label)[0],
                message="latent and label must hold the same number of samples",
            )
        ]
        if num_classes is not None:  # always, for models of this version
            checks += [
                tf.debugging.assert_non_negative(label, message="label must be >= 0"),
                tf.debugging.assert_less(
                    label,
                    tf.constant(num_classes, tf.int32),
                    message=f"label must be < num_classes={num_classes}",
                ),
            ]
        with tf.control_dependencies(checks):
            return images(latent, label)

    label_spec = tf.TensorSpec([None], tf.int32, name="label")
    return tf.function(conditional_images, input_signature=[latent_spec, label_spec])


def export_generator(model_or_generator, path, overwrite=False):
    """Writes a generator as a TensorFlow SavedModel with a `serve` signature.

    The signature takes `latent`, `float32 [None, latent_dim]` (and `label`,
    `int32 [None]`, for a conditional generator) and returns
    `{"images": float32 [None, *image_shape]}`, equal to the generator's output
    in inference mode. It is also the SavedModel's `serving_default`. For an
    `AdversarialModel` whose generator's optimizer keeps a moving average of
    the weights (`use_ema=True`), the averaged generator is exported.

    The model is written to a temporary folder beside `path` and moved into
    place only when complete, so a failed export never leaves a broken model
    where a good one stood.

    Args:
        model_or_generator: `keras_gans.AdversarialModel` or `keras.Model`.
            The trained GAN, or its generator.
        path: str or path. The SavedModel folder to write.
        overwrite: bool. Replace an existing `path`. Defaults to `False`.

    Returns:
        The path written, as a string.

    Example:

    ```python
    keras_gans.export_generator(gan, "saved_models/my_generator")
    generator = tf.saved_model.load("saved_models/my_generator")
    images = generator.serve(tf.random.normal((4, gan.latent_dim)))["images"]
    ```
    """
    model = _as_exportable(model_or_generator)
    path = os.path.abspath(os.fspath(path))
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"{path} already exists. Pass overwrite=True to replace it.")
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.", dir=parent)
    backup = None
    # A GAN whose generator keeps a moving average of its weights exports it.
    weights = model.ema_weights() if hasattr(model, "ema_weights") else contextlib.nullcontext()
    try:
        with weights:
            archive = keras.export.ExportArchive()
            archive.track(model.generator)
            archive.add_endpoint(SERVE_ENDPOINT, _serving_function(model))
            archive.write_out(staging, verbose=False)
        if not tf.saved_model.contains_saved_model(staging):
            raise RuntimeError(f"Writing the SavedModel to {staging} failed.")
        if os.path.exists(path):
            backup = staging + ".previous"
            os.replace(path, backup)
        os.replace(staging, path)
    except BaseException:
        if backup is not None and not os.path.exists(path):
            os.replace(backup, path)
            backup = None
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    return path
