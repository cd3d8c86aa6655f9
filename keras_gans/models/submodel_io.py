"""How the engine calls a generator or a discriminator, whatever kind of Keras model it is.

Three kinds of models are accepted:

- functional models (`keras.Model(inputs, outputs)`, the builders of
  `keras_gans.architectures`): the inputs are read from `model.inputs`; a
  conditional model has a second input named `"label"`, and takes a dict, a
  list in the order of its inputs, or a single tensor, as it was built;
- `keras.Sequential` models that start with `keras.Input`: one input;
- subclassed models (`class G(keras.Model)` with `call`): they declare what
  the engine cannot read from them as attributes (`latent_dim` for a
  generator, `image_shape` for a discriminator, and `num_classes` for a
  conditional one), and reveal the rest by being called once on a batch of
  one. A conditional subclassed model is called with a dict:
  `{"latent": z, "label": y}` (generator) or `{"image": x, "label": y}`
  (discriminator).
"""

import keras
import numpy as np

from keras_gans.utils import validation

GENERATOR = "generator"
DISCRIMINATOR = "discriminator"
LATENT_INPUT = "latent"
IMAGE_INPUT = "image"
LABEL_INPUT = "label"


def _unwrap_single(tensors):
    return tensors[0] if len(tensors) == 1 else list(tensors)


def is_graph_model(model):
    """Whether the model's inputs are known symbolically (functional or Sequential)."""
    try:
        return bool(model.inputs)
    except (AttributeError, ValueError):
        return False


class SubmodelInputs:
    """How to call one player's network: its main input, and its label input if any.

    Args:
        model: `keras.Model`. The generator or the discriminator.
        role: str. `"generator"` or `"discriminator"`.
        image_shape: tuple. For a subclassed discriminator without an
            `image_shape` attribute, the sample shape to build it for (the
            generator's). Defaults to `None`.

    Attributes:
        conditional: bool. Whether the model takes class labels.
        main_shape: tuple. The shape of the main input without the batch axis:
            `(latent_dim,)` for a generator, the sample shape for a
            discriminator.
        output_shape: tuple. The shape of one output, without the batch axis.
        num_classes: int or None. The model's `num_classes` attribute.
    """

    def __init__(self, model, role, image_shape=None):
        if not isinstance(model, keras.Model):
            raise ValueError(
                f"The {role} must be a `keras.Model`. Received: "
                f"{role}={model!r} of type {type(model).__name__}"
            )
        self.role = role
        self.num_classes = getattr(model, "num_classes", None)
        if is_graph_model(model):
            self._read_graph_model(model)
        elif isinstance(model, keras.Sequential):
            raise ValueError(
                f"The {role} is a Sequential model whose input is unknown: start it with "
                f"`keras.Input(shape)`. Received: {role}={model!r}"
            )
        else:
            self._reveal_subclassed_model(model, image_shape)

    # --- Functional and Sequential models --------------------------------

    def _read_graph_model(self, model):
        if isinstance(model, keras.Sequential):
            # In Keras 3.15 `Sequential.input` raises until the model is
            # called; its list of inputs is known.
            structure = _unwrap_single(model.inputs)
        else:
            # Functional models keep their input structure: a dict, a list or
            # one tensor.
            structure = model.input
        self.style = "single"
        if isinstance(structure, dict):
            self.style = "dict"
            named = dict(structure)
        elif isinstance(structure, (list, tuple)):
            self.style = "list"
            named = {tensor.name: tensor for tensor in structure}
            self.order = [tensor.name for tensor in structure]
        else:
            named = {structure.name: structure}
        if len(named) > 2 or (len(named) == 2 and LABEL_INPUT not in named):
            raise ValueError(
                f"The {self.role} must take one input, or two inputs of which one "
                f"is named {LABEL_INPUT!r} (the class label). Received inputs "
                f"named {sorted(named)}."
            )
        self.label_key = LABEL_INPUT if len(named) == 2 else None
        (self.main_key,) = [key for key in named if key != self.label_key]
        self.main_shape = tuple(named[self.main_key].shape[1:])
        outputs = model.outputs
        if len(outputs) != 1:
            raise ValueError(
                f"The {self.role} must have one output. Received {len(outputs)} outputs."
            )
        self.output_shape = tuple(outputs[0].shape[1:])

    # --- Subclassed models ------------------------------------------------

    def _reveal_subclassed_model(self, model, image_shape):
        self.style = "dict"
        self.main_key = LATENT_INPUT if self.role == GENERATOR else IMAGE_INPUT
        self.label_key = LABEL_INPUT if self.num_classes is not None else None
        if self.role == GENERATOR:
            latent_dim = getattr(model, "latent_dim", None)
            if not isinstance(latent_dim, (int, np.integer)) or latent_dim < 1:
                raise ValueError(
                    "A subclassed generator must declare its latent size as an attribute, "
                    "`self.latent_dim = N` (and `self.num_classes = K` if it takes "
                    f"labels). Received: latent_dim={latent_dim!r} on {model!r}"
                )
            self.main_shape = (int(latent_dim),)
        else:
            shape = getattr(model, "image_shape", None) or image_shape
            if shape is None:
                raise ValueError(
                    "A subclassed discriminator must declare the sample shape it takes, "
                    f"`self.image_shape = (H, W, C)`. Received: {model!r}"
                )
            self.main_shape = tuple(int(d) for d in shape)
        # Calling the model once builds it (its variables exist afterwards)
        # and reveals its output shape.
        main = np.zeros((1, *self.main_shape), "float32")
        labels = np.zeros((1,), "int32") if self.conditional else None
        try:
            outputs = self.call(model, main, labels, training=False)
        except Exception as e:
            raise ValueError(
                f"Calling the subclassed {self.role} on a batch of one "
                f"({self.main_key} of shape {main.shape}"
                + (", label of shape (1,)" if self.conditional else "")
                + f") failed: {e}"
            ) from e
        if isinstance(outputs, (list, tuple, dict)):
            raise ValueError(
                f"The {self.role} must return one tensor. Received: {type(outputs).__name__}"
            )
        self.output_shape = tuple(int(d) for d in outputs.shape[1:])

    @property
    def conditional(self):
        return self.label_key is not None

    def vector_size(self, what):
        """The size of a main input of shape `(batch, size)`, checked."""
        if len(self.main_shape) != 1 or self.main_shape[0] is None:
            raise ValueError(
                f"The {self.role}'s {what} input must have shape (batch, {what}_dim). "
                f"Received: shape={(None, *self.main_shape)}"
            )
        return int(self.main_shape[0])

    def call(self, model, main, labels, training, **options):
        """Calls `model` on its main input (and labels); `options` go to its `call`.

        A subclassed model may take a dict of latents as its main input (style
        mixing): the label joins that dict.
        """
        if not self.conditional:
            return model(main, training=training, **options)
        if isinstance(main, dict):
            values = {**main, self.label_key: labels}
        else:
            values = {self.main_key: main, self.label_key: labels}
        if self.style == "dict":
            return model(values, training=training, **options)
        if self.style == "list":
            return model([values[key] for key in self.order], training=training, **options)
        return model(main, training=training, **options)


def check_pair(generator, discriminator, num_classes=None, packing=1):
    """How to call a generator and a discriminator that fit together, and their classes.

    With `packing > 1` the discriminator takes packs of `packing` samples
    concatenated along the last axis (`keras_gans.layers.PackSamples`).

    Returns:
        `(generator_inputs, discriminator_inputs, num_classes)`: two
        `SubmodelInputs` and the number of classes of a conditional pair (the
        argument, else the generator's or the discriminator's `num_classes`),
        None for an unconditional one.
    """
    g_io = SubmodelInputs(generator, GENERATOR)
    image_shape = g_io.output_shape
    seen_shape = image_shape
    if packing > 1:
        seen_shape = (*image_shape[:-1], image_shape[-1] * packing)
    d_io = SubmodelInputs(discriminator, DISCRIMINATOR, image_shape=seen_shape)
    if d_io.main_shape != seen_shape:
        if packing > 1:
            raise ValueError(
                f"With packing={packing} the discriminator judges packs of {packing} samples "
                f"of shape {image_shape}, concatenated along the last axis: it must take "
                f"inputs of shape {seen_shape}. Received a discriminator taking "
                f"{d_io.main_shape}."
            )
        raise ValueError(
            f"The generator produces samples of shape {image_shape} "
            f"but the discriminator takes samples of shape {d_io.main_shape}. "
            "Build both for the same sample shape."
        )
    if packing > 1 and g_io.conditional:
        raise ValueError(
            f"Packing works with unconditional pairs only: a pack mixes samples of "
            f"different labels. Received: packing={packing} for a conditional pair."
        )
    if g_io.conditional != d_io.conditional:
        which = GENERATOR if g_io.conditional else DISCRIMINATOR
        raise ValueError(
            f"Only the {which} takes a {LABEL_INPUT!r} input. A conditional GAN needs a "
            "label input on both models, an unconditional one on neither."
        )
    if num_classes is None and g_io.conditional:
        num_classes = g_io.num_classes or d_io.num_classes
        if num_classes is None:
            raise ValueError(
                "A conditional AdversarialModel needs the number of classes, to "
                "check labels (a label out of range would otherwise be read as "
                "another class, or fail inside a network): neither network has "
                "a `num_classes` attribute. Pass "
                "`AdversarialModel(generator, discriminator, num_classes=N)`."
            )
    if num_classes is not None:
        validation.check_int(num_classes, "num_classes", minimum=2)
        if not g_io.conditional:
            raise ValueError(
                f"`num_classes` was given ({num_classes}) but the generator "
                f"and discriminator have no {LABEL_INPUT!r} input."
            )
        num_classes = int(num_classes)
    return g_io, d_io, num_classes
