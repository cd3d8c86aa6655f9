"""One interface to a trained generator, whichever form it comes in."""

import contextlib
import os

import keras
import numpy as np
import tensorflow as tf

from keras_gans.applications import _validation
from keras_gans.export import OUTPUT_KEY
from keras_gans.export import SERVE_ENDPOINT
from keras_gans.models import AdversarialModel
from keras_gans.models.submodel_io import LABEL_INPUT
from keras_gans.models.submodel_io import LATENT_INPUT
from keras_gans.models.submodel_io import SubmodelInputs
from keras_gans.utils import validation

# The names under which a style-based generator offers its two halves: as
# attributes of a Keras generator, or as signatures of a SavedModel.
MAPPING = "mapping"
SYNTHESIS = "synthesis"
W_OUTPUT = "w"
SPACES = ("z", "w")
# The range of a generator's images unless it says otherwise (a tanh output).
DEFAULT_OUTPUT_RANGE = (-1.0, 1.0)


class _KerasCall:
    """Calls a Keras network in inference mode, as the engine calls it (`SubmodelInputs`)."""

    def __init__(self, model, role):
        self.model = model
        self._io = SubmodelInputs(model, role)
        self.main_shape = self._io.main_shape
        self.output_shape = self._io.output_shape

    @property
    def conditional(self):
        return self._io.conditional

    def __call__(self, main, labels=None):
        return self._io.call(self.model, main, labels, training=False)


def _signature_inputs(function):
    """`{name: TensorSpec}` of a SavedModel signature."""
    args, kwargs = function.structured_input_signature
    if args:
        return {spec.name: spec for spec in args}
    return dict(kwargs)


def _single_output(outputs, preferred):
    """The output named `preferred`, or the only output, of a signature's result."""
    if not isinstance(outputs, dict):
        return outputs
    if preferred in outputs:
        return outputs[preferred]
    if len(outputs) == 1:
        return next(iter(outputs.values()))
    raise ValueError(
        f"Expected an output named {preferred!r} or a single output. Received outputs "
        f"named {sorted(outputs)}."
    )


def _output_spec(function, preferred):
    return _single_output(function.structured_outputs, preferred)


class _SavedModelSignature:
    """Calls a SavedModel signature with a latent (or w) tensor and, if it takes one, labels."""

    def __init__(self, function, name, main_key, output_key):
        self.function = function
        inputs = _signature_inputs(function)
        self.label_key = LABEL_INPUT if LABEL_INPUT in inputs else None
        others = [key for key in inputs if key != self.label_key]
        if main_key is None and len(others) == 1:
            main_key = others[0]
        if main_key not in inputs or len(others) != 1:
            expected = f"{main_key!r}" if main_key else "one input"
            raise ValueError(
                f"The SavedModel's {name!r} signature must take {expected} (and "
                f"optionally {LABEL_INPUT!r}). Received inputs named {sorted(inputs)}."
            )
        self.main_key = main_key
        self.main_shape = tuple(inputs[main_key].shape[1:])
        self.output_key = output_key
        self.output_shape = tuple(_output_spec(function, output_key).shape[1:])

    @property
    def conditional(self):
        return self.label_key is not None

    def __call__(self, main, labels=None):
        values = {self.main_key: main}
        if self.conditional:
            values[self.label_key] = labels
        return _single_output(self.function(**values), self.output_key)


class GeneratorSource:
    """A trained generator, however it was saved, behind one interface.

    Wraps a `keras_gans.AdversarialModel`, a bare generator `keras.Model`, or
    a TensorFlow SavedModel written by `keras_gans.export_generator` (loaded
    with `tf.saved_model.load`, or its path). The applications
    (`interpolate`, `project`, `inpaint`, ...) take any of these and wrap
    them here, so they run the same on a model still in training and on an
    exported generator that needs only TensorFlow.

    A generator `keras.Model` is a functional model whose input is the latent
    vector, of shape `(batch, latent_dim)`, plus an input named `"label"`
    (int32 class labels, shape `(batch,)`) for a conditional generator; its
    `num_classes` attribute, when present, is used to check labels. A
    SavedModel must have the `serve` signature of `export_generator`:
    `latent` (float32 `[None, latent_dim]`), `label` (int32 `[None]`) when
    conditional, returning `{"images": ...}`. A SavedModel does not record
    the number of classes: `num_classes` is then `None` and the signature
    itself checks labels.

    Style-based generators also offer their two halves, which the w-space
    operations (`space="w"`) use: `mapping` (latent vectors, and labels, to
    intermediate latents w) and `synthesis` (w to images). A Keras generator
    offers them as attributes `generator.mapping` and
    `generator.synthesis` (Keras models: the mapping takes the generator's
    inputs, the synthesis one w input); a SavedModel as signatures named
    `"mapping"` (inputs `latent` and optionally `label`, output `"w"` or a
    single output) and `"synthesis"` (one input, output `"images"` or a
    single output).

    With an `AdversarialModel` whose generator's optimizer keeps a moving
    average of the weights (`use_ema`), the applications run the averaged
    generator, as `AdversarialModel.generate` and `export_generator` do: they
    enter `inference_weights()`, which loads the average and restores the
    raw weights on exit.

    Attributes:
        latent_dim: int. Size of the latent vectors z.
        image_shape: tuple. Shape of one generated image.
        conditional: bool. Whether the generator takes class labels.
        num_classes: int or None. Number of classes, when known.
        output_range: tuple. `(low, high)`, the range of the images: the
            generator's `output_range` attribute when it has one, else
            `(-1.0, 1.0)` (a tanh output, as every exported generator of
            this library has).
        discriminator: callable or None. `discriminator(images, labels=None)`
            returns float32 logits in inference mode; `None` when the source
            has no discriminator.
        mapping: callable or None. `mapping(latents, labels=None)` returns
            intermediate latents w; `None` without a mapping network.
        synthesis: callable or None. `synthesis(w)` returns images; `None`
            without a synthesis network.
        w_shape: tuple or None. Shape of one intermediate latent w.

    Args:
        generator: `keras_gans.AdversarialModel`, `keras.Model`, a loaded
            SavedModel, or the path of a SavedModel folder. The generator.
        discriminator: `keras.Model`. A discriminator for a bare generator
            or a SavedModel, taking images (and an input named `"label"` when
            conditional) and returning logits. An `AdversarialModel` brings
            its own. Defaults to `None`.
        use_ema: bool. Run the moving-average weights of an
            `AdversarialModel`'s generator when its optimizer keeps them.
            Defaults to `True`.

    Example:

    ```python
    source = keras_gans.applications.GeneratorSource(
        "saved_models/dcgan_mnist_pretrained")
    images = source(tf.random.normal((4, source.latent_dim)))
    ```
    """

    def __init__(self, generator, discriminator=None, use_ema=True):
        if not isinstance(use_ema, bool):
            raise ValueError(f"`use_ema` must be a bool. Received: use_ema={use_ema!r}")
        self.use_ema = use_ema
        if isinstance(generator, (str, os.PathLike)):
            path = os.fspath(generator)
            if not tf.saved_model.contains_saved_model(path):
                raise ValueError(
                    "`generator` is a path but holds no SavedModel (write one with "
                    f"`keras_gans.export_generator`). Received: generator={path!r}"
                )
            generator = tf.saved_model.load(path)
        self.model = generator
        self.mapping = self.synthesis = None
        self.w_shape = None
        if isinstance(generator, AdversarialModel):
            if discriminator is not None:
                raise ValueError(
                    "An `AdversarialModel` brings its own discriminator: pass "
                    "`discriminator` only with a bare generator or a SavedModel. "
                    f"Received: discriminator={discriminator!r}"
                )
            self._init_keras(generator.generator)
            self.num_classes = generator.num_classes
            self.discriminator = self._engine_discriminator(generator)
            return
        if isinstance(generator, keras.Model):
            self._init_keras(generator)
            self.num_classes = getattr(generator, "num_classes", None)
        elif hasattr(generator, "signatures"):
            self._init_saved_model(generator)
            self.num_classes = None
        else:
            raise ValueError(
                "`generator` must be a `keras_gans.AdversarialModel`, a generator "
                "`keras.Model`, a SavedModel written by `keras_gans.export_generator` "
                "(as `tf.saved_model.load` returns it) or the path of one. Received: "
                f"generator={generator!r} of type {type(generator).__name__}"
            )
        self.discriminator = self._keras_discriminator(discriminator)

    # ------------------------------------------------------------------
    # Construction.

    def _init_keras(self, generator):
        self._call = _KerasCall(generator, "generator")
        low, high = getattr(generator, "output_range", None) or DEFAULT_OUTPUT_RANGE
        self.output_range = (float(low), float(high))
        shape = self._call.main_shape
        if len(shape) != 1 or shape[0] is None:
            raise ValueError(
                "The generator's latent input must have shape (batch, latent_dim). "
                f"Received: shape={(None, *shape)}"
            )
        self.latent_dim = int(shape[0])
        self.image_shape = self._call.output_shape
        self.conditional = self._call.conditional
        mapping = getattr(generator, MAPPING, None)
        synthesis = getattr(generator, SYNTHESIS, None)
        if mapping is not None and synthesis is not None:
            mapping_call = _KerasCall(mapping, "mapping network")
            synthesis_call = _KerasCall(synthesis, "synthesis network")
            self._set_w_space(mapping_call, synthesis_call)

    def _init_saved_model(self, loaded):
        signatures = dict(loaded.signatures)
        if SERVE_ENDPOINT not in signatures:
            raise ValueError(
                f"The SavedModel has no {SERVE_ENDPOINT!r} signature (write it with "
                "`keras_gans.export_generator`). Received a SavedModel with "
                f"signatures {sorted(signatures)}."
            )
        self._call = _SavedModelSignature(
            signatures[SERVE_ENDPOINT], SERVE_ENDPOINT, LATENT_INPUT, OUTPUT_KEY
        )
        self.output_range = DEFAULT_OUTPUT_RANGE
        shape = self._call.main_shape
        if len(shape) != 1 or shape[0] is None:
            raise ValueError(
                f"The SavedModel's {LATENT_INPUT!r} input must have shape [None, "
                f"latent_dim]. Received: shape={[None, *shape]}"
            )
        self.latent_dim = int(shape[0])
        self.image_shape = self._call.output_shape
        self.conditional = self._call.conditional
        if MAPPING in signatures and SYNTHESIS in signatures:
            self._set_w_space(
                _SavedModelSignature(signatures[MAPPING], MAPPING, LATENT_INPUT, W_OUTPUT),
                _SavedModelSignature(signatures[SYNTHESIS], SYNTHESIS, None, OUTPUT_KEY),
            )

    def _set_w_space(self, mapping_call, synthesis_call):
        if mapping_call.main_shape != (self.latent_dim,):
            raise ValueError(
                f"The mapping network must take latent vectors of shape ({self.latent_dim},), "
                f"as the generator does. Received: shape={mapping_call.main_shape}"
            )
        if mapping_call.conditional != self.conditional:
            raise ValueError(
                "The mapping network must take labels exactly when the generator does. "
                f"Received: generator conditional={self.conditional}, mapping "
                f"conditional={mapping_call.conditional}"
            )
        if synthesis_call.main_shape != mapping_call.output_shape:
            raise ValueError(
                "The synthesis network must take the mapping network's output. Received: "
                f"mapping output shape={mapping_call.output_shape}, synthesis input "
                f"shape={synthesis_call.main_shape}"
            )
        self.w_shape = mapping_call.output_shape

        def mapping(latents, labels=None):
            latents = self._latent_tensor(latents, "latents", (self.latent_dim,))
            labels = self._label_tensor(labels, latents)
            return tf.cast(mapping_call(latents, labels), tf.float32)

        def synthesis(w):
            w = self._latent_tensor(w, "w", self.w_shape)
            return tf.cast(synthesis_call(w), tf.float32)

        self.mapping, self.synthesis = mapping, synthesis

    def _engine_discriminator(self, gan):
        def discriminator(images, labels=None):
            images = self._image_tensor(images)
            return gan.discriminate(images, self._label_tensor(labels, images), training=False)

        return discriminator

    def _keras_discriminator(self, model):
        if model is None:
            return None
        if not isinstance(model, keras.Model):
            raise ValueError(
                "`discriminator` must be a `keras.Model` or None. Received: "
                f"discriminator={model!r} of type {type(model).__name__}"
            )
        call = _KerasCall(model, "discriminator")
        if call.main_shape != self.image_shape:
            raise ValueError(
                f"The generator makes images of shape {self.image_shape} but the "
                f"discriminator takes images of shape {call.main_shape}."
            )
        if call.conditional != self.conditional:
            which = "generator" if self.conditional else "discriminator"
            raise ValueError(
                f"Only the {which} takes a {LABEL_INPUT!r} input: a conditional pair "
                "needs a label input on both models, an unconditional one on neither."
            )

        def discriminator(images, labels=None):
            images = self._image_tensor(images)
            return tf.cast(call(images, self._label_tensor(labels, images)), tf.float32)

        return discriminator

    # ------------------------------------------------------------------
    # Tensors in.

    @staticmethod
    def _latent_tensor(values, name, shape):
        values = tf.cast(tf.convert_to_tensor(values), tf.float32)
        received = values.shape
        if received.rank is not None and (
            received.rank != len(shape) + 1
            or any(a is not None and a != b for a, b in zip(received[1:], shape, strict=True))
        ):
            raise ValueError(
                f"`{name}` must have shape (num_samples, {', '.join(map(str, shape))}). "
                f"Received: shape={tuple(received)}"
            )
        return values

    def _image_tensor(self, images):
        return self._latent_tensor(images, "images", self.image_shape)

    def _label_tensor(self, labels, batch):
        """Labels as an int32 tensor of shape `(batch,)`, checked when they are concrete."""
        if not self.conditional or labels is None:
            return self.prepare_labels(labels, 0)  # None, or the error
        if tf.is_symbolic_tensor(labels):
            labels = tf.cast(labels, tf.int32)  # traced: checked where they were made
        elif batch.shape[0] is None:  # a traced batch of unknown size
            array = np.asarray(labels)
            checked = self.prepare_labels(array, array.size if array.ndim else 1)
            labels = tf.constant(checked.reshape(array.shape))
        else:
            labels = tf.constant(self.prepare_labels(labels, batch.shape[0]))
        if labels.shape.rank == 0:
            labels = tf.fill(tf.shape(batch)[:1], labels)
        return labels

    # ------------------------------------------------------------------
    # Public interface.

    def prepare_labels(self, labels, num_samples):
        """Checks class labels on the host and returns them as an int32 array.

        Args:
            labels: int, int array or None. One class for all samples or one
                per sample; `None` for an unconditional generator.
            num_samples: int. The number of samples.

        Returns:
            `None` for an unconditional generator, else an int32 array of
            shape `(num_samples,)`.
        """
        if not self.conditional:
            if labels is not None:
                raise ValueError(
                    f"This generator is unconditional: `labels` must be None. Received: "
                    f"labels={labels!r}"
                )
            return None
        if labels is None:
            raise ValueError(
                "This generator is conditional: pass `labels`, one class for all "
                "samples or one per sample."
            )
        array = np.asarray(labels)
        if array.ndim == 0:
            array = np.full((num_samples,), array)
        if array.shape != (num_samples,) or not np.issubdtype(array.dtype, np.integer):
            raise ValueError(
                f"`labels` must be one integer or {num_samples} integers. Received: "
                f"shape={array.shape}, dtype={array.dtype}"
            )
        if (
            self.num_classes is not None
            and array.size
            and (array.min() < 0 or array.max() >= self.num_classes)
        ):
            raise ValueError(
                f"Class labels must lie in [0, {self.num_classes}). Received values from "
                f"{array.min()} to {array.max()}."
            )
        return array.astype("int32")

    def check_space(self, space, purpose):
        """Checks `space` is `"z"` or `"w"`, and that w space is available for it."""
        validation.check_one_of(space, "space", SPACES)
        if space == "w" and self.mapping is None:
            raise ValueError(
                f"{purpose} in w space needs a style-based generator with a mapping and "
                "a synthesis network (a Keras generator with `mapping` and `synthesis` "
                f"attributes, or a SavedModel with {MAPPING!r} and {SYNTHESIS!r} "
                f"signatures). This {self._kind()} has neither: use space='z'."
            )
        return space

    def _kind(self):
        if isinstance(self.model, AdversarialModel):
            return "AdversarialModel's generator"
        if isinstance(self.model, keras.Model):
            return "Keras generator"
        return f"SavedModel (signatures {sorted(self.model.signatures)})"

    def __call__(self, latents, labels=None):
        """Generates images in inference mode, differentiably in `latents`.

        Args:
            latents: float array or tensor of shape `(num_samples, latent_dim)`.
            labels: int or int array. For a conditional generator, one class
                for all samples or one per sample. Defaults to `None`.

        Returns:
            A float32 tensor of shape `(num_samples, *image_shape)`.
        """
        latents = self._latent_tensor(latents, "latents", (self.latent_dim,))
        return tf.cast(self._call(latents, self._label_tensor(labels, latents)), tf.float32)

    def inference_weights(self):
        """The context in which the applications run the generator.

        Loads the moving-average weights of an `AdversarialModel`'s generator
        when its optimizer keeps them and `use_ema` is set (see
        `AdversarialModel.ema_weights`), and restores the raw weights on
        exit; otherwise it does nothing.
        """
        if self.use_ema and isinstance(self.model, AdversarialModel):
            return self.model.ema_weights()
        return contextlib.nullcontext()

    def sample_latents(self, num_samples, seed=None):
        """Draws latent vectors from the prior `N(0, I)` as a float32 NumPy array."""
        num_samples = validation.check_positive_int(num_samples, "num_samples")
        rng = np.random.default_rng(seed)
        return rng.standard_normal((num_samples, self.latent_dim)).astype("float32")

    def generate(self, latents, labels=None, space="z", batch_size=256):
        """Generates images from latent vectors (or w) as a NumPy array.

        Runs compiled batches under `inference_weights()`.

        Args:
            latents: float array of shape `(num_samples, latent_dim)`, or
                `(num_samples, *w_shape)` with `space="w"`.
            labels: int or int array. Classes of a conditional generator, one
                for all samples or one per sample; unused in w space (the
                class is part of w). Defaults to `None`.
            space: str. `"z"` or `"w"` (through the synthesis network).
                Defaults to `"z"`.
            batch_size: int. Samples per generator call. Defaults to `256`.

        Returns:
            A float32 array of shape `(num_samples, *image_shape)`.
        """
        self.check_space(space, "Generating")
        batch_size = validation.check_positive_int(batch_size, "batch_size")
        shape = (self.latent_dim,) if space == "z" else self.w_shape
        latents = _validation.float_array(latents, "latents")
        if latents.ndim != len(shape) + 1 or latents.shape[1:] != tuple(shape):
            raise ValueError(
                f"`latents` must have shape (num_samples, {', '.join(map(str, shape))}). "
                f"Received: shape={latents.shape}"
            )
        num_samples = latents.shape[0]
        labels = self.prepare_labels(labels, num_samples) if space == "z" else None
        if num_samples == 0:
            return np.zeros((0, *self.image_shape), "float32")
        if getattr(self, "_compiled", None) is None:
            self._compiled = {
                "z": tf.function(lambda z, y: self(z, y), reduce_retracing=True),
                "w": tf.function(lambda w: self.synthesis(w), reduce_retracing=True),
            }
        outputs = []
        with self.inference_weights():
            for start in range(0, num_samples, batch_size):
                batch = tf.constant(latents[start : start + batch_size])
                if space == "w":
                    outputs.append(self._compiled["w"](batch).numpy())
                    continue
                batch_labels = None
                if labels is not None:
                    batch_labels = tf.constant(labels[start : start + batch_size])
                outputs.append(self._compiled["z"](batch, batch_labels).numpy())
        return np.concatenate(outputs).astype("float32")

    def map_latents(self, latents, labels=None, batch_size=256):
        """Maps latent vectors to w with the mapping network, as a NumPy array."""
        self.check_space("w", "Mapping latents")
        batch_size = validation.check_positive_int(batch_size, "batch_size")
        latents = _validation.float_array(latents, "latents")
        if latents.ndim != 2 or latents.shape[1] != self.latent_dim:
            raise ValueError(
                f"`latents` must have shape (num_samples, {self.latent_dim}). Received: "
                f"shape={latents.shape}"
            )
        labels = self.prepare_labels(labels, latents.shape[0])
        if latents.shape[0] == 0:
            return np.zeros((0, *self.w_shape), "float32")
        outputs = []
        with self.inference_weights():
            for start in range(0, latents.shape[0], batch_size):
                batch_labels = None if labels is None else labels[start : start + batch_size]
                w = self.mapping(latents[start : start + batch_size], batch_labels)
                outputs.append(np.asarray(w))
        return np.concatenate(outputs).astype("float32")


def as_generator_source(generator, discriminator=None):
    """`generator` itself if it is a `GeneratorSource`, else one that wraps it."""
    if isinstance(generator, GeneratorSource):
        if discriminator is not None:
            raise ValueError(
                "Pass `discriminator` to the `GeneratorSource`, not with one. Received: "
                f"discriminator={discriminator!r}"
            )
        return generator
    return GeneratorSource(generator, discriminator=discriminator)
