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
import inspect
import os

import keras
import tensorflow as tf

from keras_gans.models import AdversarialModel
from keras_gans.models.submodel_io import GENERATOR
from keras_gans.models.submodel_io import SubmodelInputs
from keras_gans.utils import file_utils

SERVE_ENDPOINT = "serve"
OUTPUT_KEY = "images"


class _GeneratorOnly:
    """A bare generator, described as `AdversarialModel` describes its own."""

    def __init__(self, generator):
        self.generator = generator
        self._g_io = SubmodelInputs(generator, GENERATOR)
        self.latent_dim = self._g_io.vector_size("latent")
        self.conditional = self._g_io.conditional
        self.num_classes = self._g_io.num_classes
        if self.conditional and self.num_classes is None:
            raise ValueError(
                "The exported generator must check its labels, so a conditional "
                "generator needs a `num_classes` attribute (the "
                "`keras_gans.architectures` builders set it). Set "
                "`generator.num_classes = N`, or export the `AdversarialModel`."
            )

    def run_generator(self, latents, labels=None, training=False, **options):
        return self._g_io.call(self.generator, latents, labels, training, **options)

    def ema_weights(self):
        return contextlib.nullcontext()


def _as_exportable(model_or_generator):
    """An object with the generator and what the export needs of it."""
    if isinstance(model_or_generator, AdversarialModel):
        return model_or_generator
    if isinstance(model_or_generator, keras.Model):
        return _GeneratorOnly(model_or_generator)
    raise ValueError(
        "`export_generator` takes an `AdversarialModel` or a generator "
        f"`keras.Model`. Received: {model_or_generator!r} of type "
        f"{type(model_or_generator).__name__}"
    )


def _takes_truncation(generator):
    """Whether the generator's `call` takes a `truncation_psi` (style-based generators)."""
    try:
        return "truncation_psi" in inspect.signature(generator.call).parameters
    except (TypeError, ValueError):
        return False


def _label_checks(latent, label, num_classes):
    return [
        tf.debugging.assert_equal(
            tf.shape(latent)[0],
            tf.shape(label)[0],
            message="latent and label must hold the same number of samples",
        ),
        tf.debugging.assert_non_negative(label, message="label must be >= 0"),
        tf.debugging.assert_less(
            label,
            tf.constant(num_classes, tf.int32),
            message=f"label must be < num_classes={num_classes}",
        ),
    ]


def _checked_latent(latent, latent_dim):
    # Concrete signatures (`loaded.signatures["serve"]`, TF Serving) do not
    # check input shapes against their spec: check the width here.
    width = tf.debugging.assert_equal(
        tf.shape(latent)[-1],
        latent_dim,
        message=f"latent must have shape (num_samples, {latent_dim}); its last dimension is",
    )
    with tf.control_dependencies([width]):
        return tf.identity(latent)


def _serving_function(model):
    """`serve(latent[, label][, truncation_psi])`, traced for each form it takes."""
    latent_spec = tf.TensorSpec([None, model.latent_dim], tf.float32, name="latent")
    label_spec = tf.TensorSpec([None], tf.int32, name="label")
    psi_spec = tf.TensorSpec([], tf.float32, name="truncation_psi")

    def images(latent, label=None, truncation_psi=None):
        checks = [] if label is None else _label_checks(latent, label, model.num_classes)
        options = {} if truncation_psi is None else {"truncation_psi": truncation_psi}
        with tf.control_dependencies(checks):
            latent = _checked_latent(latent, model.latent_dim)
            outputs = model.run_generator(latent, label, training=False, **options)
        return {OUTPUT_KEY: tf.cast(outputs, tf.float32)}

    if model.conditional:

        def serve(latent, label, truncation_psi=None):
            return images(latent, label, truncation_psi)

        specs = [latent_spec, label_spec]
    else:

        def serve(latent, truncation_psi=None):
            return images(latent, None, truncation_psi)

        specs = [latent_spec]
    if not _takes_truncation(model.generator):
        return tf.function(serve, input_signature=specs)
    # Two forms, with and without `truncation_psi`; the first is the signature.
    serve = tf.function(serve)
    serve.get_concrete_function(*specs)
    serve.get_concrete_function(*specs, psi_spec)
    return serve


def _two_stage_functions(model):
    """`mapping` and `synthesis` endpoints of a style-based generator, else none."""
    generator = model.generator
    mapping = getattr(generator, "mapping", None)
    synthesis = getattr(generator, "synthesis", None)
    if not isinstance(mapping, keras.Model) or not isinstance(synthesis, keras.Model):
        return {}
    latent_spec = tf.TensorSpec([None, model.latent_dim], tf.float32, name="latent")
    w_spec = tf.TensorSpec([None, *synthesis.inputs[0].shape[1:]], tf.float32, name="w")

    def synthesize(w):
        return {OUTPUT_KEY: tf.cast(synthesis(w, training=False), tf.float32)}

    if model.conditional:

        def map_latents(latent, label):
            with tf.control_dependencies(_label_checks(latent, label, model.num_classes)):
                latent = _checked_latent(latent, model.latent_dim)
                ws = mapping({"latent": latent, "label": label}, training=False)
            return {"w": tf.cast(ws, tf.float32)}

        specs = [latent_spec, tf.TensorSpec([None], tf.int32, name="label")]
    else:

        def map_latents(latent):
            ws = mapping(_checked_latent(latent, model.latent_dim), training=False)
            return {"w": tf.cast(ws, tf.float32)}

        specs = [latent_spec]
    functions = {
        "mapping": tf.function(map_latents, input_signature=specs),
        "synthesis": tf.function(synthesize, input_signature=[w_spec]),
    }
    w_avg = getattr(generator, "w_avg", None)
    if w_avg is not None:
        functions["mean_w"] = tf.function(
            lambda: {"w": tf.cast(tf.convert_to_tensor(w_avg), tf.float32)}, input_signature=[]
        )
    return functions


def export_generator(model_or_generator, path, overwrite=False):
    """Writes a generator as a TensorFlow SavedModel with a `serve` signature.

    The signature takes `latent`, `float32 [None, latent_dim]` (and `label`,
    `int32 [None]`, for a conditional generator) and returns
    `{"images": float32 [None, *image_shape]}`, equal to the generator's output
    in inference mode. It is also the SavedModel's `serving_default`. For an
    `AdversarialModel` whose generator's optimizer keeps a moving average of
    the weights (`use_ema=True`), the averaged generator is exported.

    A style-based generator (whose `call` takes `truncation_psi`, and which
    has `mapping` and `synthesis` networks) also gets, from Python,
    `serve(latent, truncation_psi)` (a float32 scalar), and the endpoints
    `mapping(latent[, label]) -> {"w": [None, num_ws, w_dim]}`,
    `synthesis(w) -> {"images": ...}` (for mixing and editing in `w` space)
    and `mean_w() -> {"w": [w_dim]}`, the tracked mean of `w` that truncation
    moves towards.

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
    with file_utils.atomic_directory(path, overwrite=overwrite) as staging:
        # A GAN whose generator keeps a moving average of its weights exports it.
        with model.ema_weights():
            archive = keras.export.ExportArchive()
            archive.track(model.generator)
            archive.add_endpoint(SERVE_ENDPOINT, _serving_function(model))
            for name, function in _two_stage_functions(model).items():
                archive.add_endpoint(name, function)
            archive.write_out(staging, verbose=False)
        if not tf.saved_model.contains_saved_model(staging):
            raise RuntimeError(f"Writing the SavedModel to {staging} failed.")
    return os.path.abspath(os.fspath(path))
