"""The training engine: a generator and a discriminator trained by `fit`."""

import contextlib
import inspect
import math
import os
import tempfile

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gans import losses as losses_module
from keras_gans.utils import distribution

UPDATE_SCHEMES = ("alternating", "simultaneous")
# Losses whose discriminator outputs are logits of the probability of "real".
PROBABILITY_LOSSES = ("minimax", "non_saturating")
LABEL_INPUT = "label"
SEED_STATE_KEY = "seed_generator_state"


def _atomically(save, filepath, overwrite, **kwargs):
    """Runs `save` on a temporary file beside `filepath`, then renames it into place."""
    path = os.fspath(filepath)
    if not isinstance(path, str) or (os.path.exists(path) and not overwrite):
        return save(filepath, overwrite=overwrite, **kwargs)  # Keras' own checks
    directory, name = os.path.split(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    suffix = ".weights.h5" if name.endswith(".weights.h5") else os.path.splitext(name)[1]
    handle, staging = tempfile.mkstemp(prefix=f".{name}.", suffix=suffix, dir=directory)
    os.close(handle)
    try:
        result = save(staging, overwrite=True, **kwargs)
        os.replace(staging, path)
    except BaseException:
        if os.path.exists(staging):
            os.remove(staging)
        raise
    return result


def _bind(method, model, args, kwargs):
    """The arguments of a call to a `keras.Model` method, by name (self left out)."""
    arguments = inspect.signature(method).bind(model, *args, **kwargs).arguments
    del arguments["self"]
    extra = arguments.pop("kwargs", {})
    return {**arguments, **extra}


def _single(tensors):
    return tensors[0] if len(tensors) == 1 else list(tensors)


class _Inputs:
    """How to call a sub-model: its main input, and its label input if any.

    Functional models take a single tensor, a list in the order of
    `model.inputs`, or a dict keyed by input name. A conditional model has an
    input named `"label"`; its other input is the latent vector (generator)
    or the image (discriminator).
    """

    def __init__(self, model, role):
        self.role = role
        try:
            # Functional models keep their input structure (a dict, a list or
            # one tensor); Sequential models only have the list.
            structure = model.input if not isinstance(model, keras.Sequential) else None
            structure = structure if structure is not None else _single(model.inputs)
        except (AttributeError, ValueError) as e:
            raise ValueError(
                f"The {role} must be a built Keras model with known inputs "
                "(a functional model, or a Sequential model that starts with "
                f"`keras.Input`). Received: {role}={model!r}"
            ) from e
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
                f"The {role} must take one input, or two inputs of which one "
                f"is named {LABEL_INPUT!r} (the class label). Received inputs "
                f"named {sorted(named)}."
            )
        self.label_key = LABEL_INPUT if len(named) == 2 else None
        (self.main_key,) = [key for key in named if key != self.label_key]
        self.main = named[self.main_key]

    @property
    def conditional(self):
        return self.label_key is not None

    def vector_size(self, what):
        """The size of a main input of shape `(batch, size)`, checked."""
        shape = tuple(self.main.shape)
        if len(shape) != 2 or shape[1] is None:
            raise ValueError(
                f"The {self.role}'s {what} input must have shape (batch, {what}_dim). "
                f"Received: shape={shape}"
            )
        return int(shape[1])

    def call(self, model, main, labels, training):
        if not self.conditional:
            return model(main, training=training)
        values = {self.main_key: main, self.label_key: labels}
        if self.style == "dict":
            return model(values, training=training)
        return model([values[key] for key in self.order], training=training)


@keras.saving.register_keras_serializable(package="keras_gans")
class AdversarialModel(keras.Model):
    """A generator and a discriminator trained against each other by `fit`.

    The generator maps latent vectors `z ~ N(0, I)` (and, for a conditional
    GAN, class labels) to samples; the discriminator maps samples (and
    labels) to logits, higher for samples it believes real. `fit` trains both
    with one `tf.GradientTape` per player. The latent size, sample shape and
    whether the pair is conditional are read from the two models.

    A conditional pair is made of models with an input named `"label"`
    (`int32`, shape `(batch,)`); it is trained on `(images, labels)` batches.
    An unconditional pair ignores labels in the data.

    Args:
        generator: `keras.Model`. Maps latent vectors of shape
            `(batch, latent_dim)` (and labels) to samples.
        discriminator: `keras.Model`. Maps samples of the generator's output
            shape (and labels) to logits of any shape.
        num_classes: int. The number of classes of a conditional pair, used
            to check labels. Defaults to the generator's (else the
            discriminator's) `num_classes` attribute, which the
            `keras_gans.architectures` builders set; a conditional pair with
            neither needs it.
        seed: int. Seed of the latent noise drawn in each step. Defaults to
            `None` (a random seed).
        **kwargs: arguments of `keras.Model`, such as `name`.

    Example:

    ```python
    generator = keras_gans.architectures.DCGANGenerator(
        latent_dim=64, image_shape=(28, 28, 1))
    discriminator = keras_gans.architectures.DCGANDiscriminator(
        image_shape=(28, 28, 1))
    gan = keras_gans.AdversarialModel(generator, discriminator)
    gan.compile(
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        loss="non_saturating",
    )
    gan.fit(keras_gans.data.load_dataset("mnist_sample"), epochs=5)
    images = gan.generate(16)
    ```

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
    """

    def __init__(self, generator, discriminator, num_classes=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        for role, model in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(model, keras.Model):
                raise ValueError(
                    f"The {role} must be a `keras.Model`. Received: "
                    f"{role}={model!r} of type {type(model).__name__}"
                )
        self.generator = generator
        self.discriminator = discriminator
        self._g_inputs = _Inputs(generator, "generator")
        self._d_inputs = _Inputs(discriminator, "discriminator")

        self.latent_dim = self._g_inputs.vector_size("latent")
        self.image_shape = tuple(generator.output.shape[1:])
        d_shape = tuple(self._d_inputs.main.shape[1:])
        if d_shape != self.image_shape:
            raise ValueError(
                f"The generator produces samples of shape {self.image_shape} "
                f"but the discriminator takes samples of shape {d_shape}. "
                "Build both for the same sample shape."
            )
        if self._g_inputs.conditional != self._d_inputs.conditional:
            which = "generator" if self._g_inputs.conditional else "discriminator"
            raise ValueError(
                f"Only the {which} takes a {LABEL_INPUT!r} input. A "
                "conditional GAN needs a label input on both models, an "
                "unconditional one on neither."
            )
        if num_classes is None and self.conditional:
            num_classes = getattr(generator, "num_classes", None)
            if num_classes is None:
                num_classes = getattr(discriminator, "num_classes", None)
            if num_classes is None:
                raise ValueError(
                    "A conditional AdversarialModel needs the number of classes, to "
                    "check labels (a label out of range would otherwise be read as "
                    "another class, or fail inside a network): neither network has "
                    "a `num_classes` attribute. Pass "
                    "`AdversarialModel(generator, discriminator, num_classes=N)`."
                )
        if num_classes is not None and (
            not isinstance(num_classes, (int, np.integer)) or num_classes < 2
        ):
            raise ValueError(
                "`num_classes` must be an integer >= 2 or None. Received: "
                f"num_classes={num_classes!r}"
            )
        if num_classes is not None and not self.conditional:
            raise ValueError(
                f"`num_classes` was given ({num_classes}) but the generator "
                f"and discriminator have no {LABEL_INPUT!r} input."
            )
        self.num_classes = None if num_classes is None else int(num_classes)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        # Batches trained on, over every `fit`. Saved with the weights, it tells
        # a resumed run where its data stopped (keras_gans.data.position).
        self.trained_steps = self.add_weight(
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
            name="trained_steps",
        )
        self.built = True

    @property
    def conditional(self):
        """Whether the generator and discriminator take class labels."""
        return self._g_inputs.conditional

    def call(self, inputs, training=False):
        """Runs the generator: `inputs` as the generator takes them."""
        return self.generator(inputs, training=training)

    # ------------------------------------------------------------------
    # Compilation.

    def compile(
        self,
        g_optimizer=None,
        d_optimizer=None,
        loss="non_saturating",
        d_steps=1,
        update="alternating",
        penalties=(),
        weight_clip=None,
        feature_matching=None,
        jit_compile="auto",
        run_eagerly=False,
        steps_per_execution=1,
    ):
        """Configures the model for training.

        Args:
            g_optimizer: `keras.optimizers.Optimizer`, name or config. The
                generator's optimizer. Defaults to Adam with the DCGAN
                paper's setting (learning rate 2e-4, beta_1 0.5).
            d_optimizer: `keras.optimizers.Optimizer`, name or config. The
                discriminator's optimizer. Defaults to the same as
                `g_optimizer` (a separate instance). Separate learning rates
                (the two time-scale update rule) are two optimizers.
            loss: str or pair of callables. A name from
                `keras_gans.losses.LOSSES`, or `(generator_loss(fake_logits),
                discriminator_loss(real_logits, fake_logits))`. A generator
                loss with a `real_logits` parameter (relativistic losses) is
                also given the discriminator's logits on real data. Defaults
                to `"non_saturating"`.
            d_steps: int. Discriminator updates per generator update. Each
                uses its own slice of the batch, so a batch of `B` samples
                gives `d_steps` updates on `B // d_steps` samples and one
                generator update on `B // d_steps` samples. Defaults to `1`.
            update: str. `"alternating"`: the discriminator steps first, then
                the generator steps against the updated discriminator,
                reusing the same generated batch. `"simultaneous"`: both
                gradients come from one forward pass and are applied
                together. Defaults to `"alternating"`.
            penalties: list. Penalties added to the discriminator's loss,
                such as `keras_gans.losses.GradientPenalty(10.0)` or
                `keras_gans.losses.R1Penalty(gamma, every)`: callables
                `penalty(discriminator_fn, real, fake, step, seed_generator)`
                with a `name`, under which their value is logged. Defaults
                to none.
            weight_clip: float. Clip every discriminator weight to
                `[-weight_clip, weight_clip]` after each of its updates, as
                in WGAN (which uses 0.01). Defaults to `None`.
            feature_matching: str. Name of a discriminator layer: the
                generator then minimises
                `keras_gans.losses.feature_matching_loss` between the batch
                means of that layer's output on real and generated data
                instead of its adversarial loss (Salimans et al. 2016).
                Defaults to `None`.
            jit_compile: bool or `"auto"`. Compile the step with XLA.
                `"auto"` uses XLA where Keras does (on GPUs and TPUs), not on CPUs,
                where it measured slower (benchmarks/BENCHMARKS.md).
                Defaults to `"auto"`.
            run_eagerly: bool. Run the step eagerly, for debugging. Defaults
                to `False`.
            steps_per_execution: int. Steps run in one call of the compiled
                function. Defaults to `1`.
        """
        g_loss_fn, d_loss_fn = losses_module.get(loss)
        if isinstance(d_steps, bool) or not isinstance(d_steps, (int, np.integer)) or d_steps < 1:
            raise ValueError(f"`d_steps` must be a positive integer. Received: d_steps={d_steps!r}")
        if update not in UPDATE_SCHEMES:
            raise ValueError(
                f"Unknown update scheme. Valid values are {list(UPDATE_SCHEMES)}. "
                f"Received: update={update!r}"
            )
        if update == "simultaneous" and d_steps != 1:
            raise ValueError(
                "`d_steps` > 1 needs update='alternating': simultaneous "
                "updates take one step of each player from one forward pass. "
                f"Received: d_steps={d_steps}, update={update!r}"
            )
        penalties = self._check_penalties(penalties)
        if weight_clip is not None and (
            isinstance(weight_clip, bool)
            or not isinstance(weight_clip, (int, float))
            or weight_clip <= 0
        ):
            raise ValueError(
                "`weight_clip` must be a positive number or None. Received: "
                f"weight_clip={weight_clip!r}"
            )
        feature_model = self._feature_model(feature_matching)
        super().compile(
            optimizer=None,
            jit_compile=jit_compile,
            run_eagerly=run_eagerly,
            steps_per_execution=steps_per_execution,
        )
        self.g_optimizer = self._prepare_optimizer(g_optimizer, "g_optimizer")
        self.d_optimizer = self._prepare_optimizer(d_optimizer, "d_optimizer")
        self.g_loss_fn = g_loss_fn
        self.d_loss_fn = d_loss_fn
        self._g_loss_takes_real = "real_logits" in inspect.signature(g_loss_fn).parameters
        self.d_steps = int(d_steps)
        self.update = update
        self.penalties = penalties
        self.weight_clip = None if weight_clip is None else float(weight_clip)
        self.feature_matching = feature_matching
        self._features = feature_model
        # Cross-entropy losses read the outputs as logits of "real": their
        # mean probabilities are logged. Other losses' outputs are scores,
        # logged as they are.
        self._outputs_are_logits = loss in PROBABILITY_LOSSES
        output_names = (
            ("d_real", "d_fake")
            if self._outputs_are_logits
            else (
                "critic_real",
                "critic_fake",
            )
        )
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.d_real_tracker = keras.metrics.Mean(name=output_names[0])
        self.d_fake_tracker = keras.metrics.Mean(name=output_names[1])
        self.penalty_trackers = [keras.metrics.Mean(name=p.name) for p in penalties]
        self._gan_compile_args = {
            "loss": loss if isinstance(loss, str) else list(loss),
            "d_steps": self.d_steps,
            "update": update,
            "penalties": list(penalties),
            "weight_clip": self.weight_clip,
            "feature_matching": feature_matching,
            "jit_compile": jit_compile,
            "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution,
        }

    @staticmethod
    def _check_penalties(penalties):
        if penalties is None:
            return []
        if not isinstance(penalties, (list, tuple)):
            penalties = [penalties]
        names = []
        for penalty in penalties:
            if not callable(penalty) or not isinstance(getattr(penalty, "name", None), str):
                raise ValueError(
                    "Each penalty must be a callable with a `name`, such as "
                    "`keras_gans.losses.GradientPenalty(10.0)`. Received: "
                    f"{penalty!r}"
                )
            names.append(penalty.name)
        if len(set(names)) != len(names):
            raise ValueError(f"Penalty names must be unique. Received: {names}")
        return list(penalties)

    def _feature_model(self, layer_name):
        if layer_name is None:
            return None
        names = [layer.name for layer in self.discriminator.layers]
        if layer_name not in names:
            raise ValueError(
                f"`feature_matching` names no layer of the discriminator. "
                f"Received: feature_matching={layer_name!r}; its layers are {names}"
            )
        return keras.Model(
            self.discriminator.input, self.discriminator.get_layer(layer_name).output
        )

    def _prepare_optimizer(self, optimizer, name):
        if optimizer is None:
            optimizer = keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)
        try:
            optimizer = keras.optimizers.get(optimizer)
        except ValueError as e:
            raise ValueError(
                f"`{name}` must be a Keras optimizer, its name or its config. "
                f"Received: {name}={optimizer!r}"
            ) from e
        if self.dtype_policy.name == "mixed_float16" and not isinstance(
            optimizer, keras.optimizers.LossScaleOptimizer
        ):
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        model = self.generator if name == "g_optimizer" else self.discriminator
        if not optimizer.built:
            optimizer.build(model.trainable_variables)
        return optimizer

    def get_compile_config(self):
        if not self.compiled or not hasattr(self, "_gan_compile_args"):
            return None
        return keras.saving.serialize_keras_object(
            {
                "g_optimizer": self.g_optimizer,
                "d_optimizer": self.d_optimizer,
                **self._gan_compile_args,
            }
        )

    def compile_from_config(self, config):
        config = keras.saving.deserialize_keras_object(config)
        if not isinstance(config["loss"], str):
            config["loss"] = tuple(config["loss"])
        config["penalties"] = [
            keras.saving.deserialize_keras_object(p) if isinstance(p, dict) else p
            for p in config.get("penalties", [])
        ]
        self.compile(**config)

    @property
    def metrics(self):
        if not self.compiled or not hasattr(self, "g_loss_tracker"):
            return []
        return [
            self.d_loss_tracker,
            self.g_loss_tracker,
            self.d_real_tracker,
            self.d_fake_tracker,
            *self.penalty_trackers,
        ]

    # ------------------------------------------------------------------
    # Steps.

    def _unpack(self, data):
        real, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if isinstance(real, (tuple, list)) and len(real) == 2 and labels is None:
            real, labels = real
        real = tf.convert_to_tensor(real)
        if real.dtype.is_integer or real.dtype == tf.bool:
            raise ValueError(
                "Training samples must be floating point, scaled like the "
                f"generator's output (e.g. [-1, 1] for tanh). Received dtype "
                f"{real.dtype.name}: scale them first, e.g. with "
                "`keras_gans.data.from_arrays`."
            )
        if tuple(real.shape[1:]) != self.image_shape:
            raise ValueError(
                f"Training samples must have shape (batch, *{self.image_shape}) "
                f"to match the generator. Received: shape={tuple(real.shape)}"
            )
        real = self._check_range(ops.cast(real, self.compute_dtype))
        if not self.conditional:
            return real, None
        if labels is None:
            raise ValueError(
                "This AdversarialModel is conditional (its models take a "
                f"{LABEL_INPUT!r} input) and needs class labels: fit it on "
                "`(images, labels)` batches, e.g. `fit(x=images, y=labels)` or "
                "a dataset of `(images, labels)` pairs."
            )
        labels = tf.convert_to_tensor(labels)
        if not labels.dtype.is_integer:
            raise ValueError(f"Class labels must be integers. Received dtype {labels.dtype.name}.")
        shape = tuple(labels.shape)
        if len(shape) not in (1, 2) or (len(shape) == 2 and shape[1] != 1):
            raise ValueError(
                "Class labels must be class indices of shape (batch,) or (batch, 1); for "
                f"one-hot labels pass their argmax. Received: shape={shape}"
            )
        labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
        count = tf.debugging.assert_equal(
            ops.shape(labels)[0],
            ops.shape(real)[0],
            message="A batch must hold as many class labels as images.",
        )
        with tf.control_dependencies([count]):
            return real, self._check_labels(labels)

    def _check_range(self, real):
        """Checks the samples lie in the generator's `output_range`, when it has one."""
        bounds = getattr(self.generator, "output_range", None)
        if bounds is None:
            return real
        low, high = bounds
        tolerance = 1e-3 * (high - low)
        smallest, largest = ops.min(real), ops.max(real)
        check = tf.debugging.Assert(
            ops.logical_and(smallest >= low - tolerance, largest <= high + tolerance),
            [
                f"Training samples must lie in [{low}, {high}], the range of the generator's "
                "output; scale them first (keras_gans.data does). Received values from",
                smallest,
                "to",
                largest,
            ],
        )
        with tf.control_dependencies([check]):
            return tf.identity(real)

    def _check_labels(self, labels):
        if self.num_classes is None:
            return labels
        checks = [
            tf.debugging.assert_non_negative(labels, message="Class labels must be >= 0."),
            tf.debugging.assert_less(
                labels,
                self.num_classes,
                message=f"Class labels must be < num_classes={self.num_classes}.",
            ),
        ]
        with tf.control_dependencies(checks):
            return tf.identity(labels)

    def _generate(self, latents, labels, training):
        return self._g_inputs.call(self.generator, latents, labels, training)

    def _discriminate(self, samples, labels, training):
        logits = self._d_inputs.call(self.discriminator, samples, labels, training)
        # Losses are computed in float32 whatever the models' compute dtype.
        return ops.cast(logits, "float32")

    def _sample_latents(self, batch_size):
        def draw(n):
            return keras.random.normal(
                (n, self.latent_dim), dtype=self.compute_dtype, seed=self.seed_generator
            )

        return distribution.replica_rows(draw, batch_size)

    def _output_summary(self, logits):
        """What `d_real` / `d_fake` (or `critic_real` / `critic_fake`) log."""
        if self._outputs_are_logits:
            return ops.mean(ops.sigmoid(logits))
        return ops.mean(logits)

    def _penalty_values(self, real, fake, labels, training=True):
        def discriminator_fn(samples):
            return self._discriminate(samples, labels, training=training)

        step = self.d_optimizer.iterations
        return [p(discriminator_fn, real, fake, step, self.seed_generator) for p in self.penalties]

    @staticmethod
    def _with_penalties(d_loss, penalty_values):
        return d_loss + sum(penalty_values) if penalty_values else d_loss

    def _generator_objective(self, real, fake, labels, real_logits=None, fake_logits=None):
        """The generator's loss; logits are computed here unless given."""
        if self._features is not None:
            real_features = self._d_inputs.call(self._features, real, labels, True)
            fake_features = self._d_inputs.call(self._features, fake, labels, True)
            return losses_module.feature_matching_loss(real_features, fake_features)
        if fake_logits is None:
            fake_logits = self._discriminate(fake, labels, training=True)
        if not self._g_loss_takes_real:
            return self.g_loss_fn(fake_logits)
        if real_logits is None:
            real_logits = self._discriminate(real, labels, training=True)
        return self.g_loss_fn(fake_logits, real_logits=real_logits)

    def _scaled(self, loss, optimizer):
        """The loss to differentiate: per replica, and scaled for mixed precision."""
        return optimizer.scale_loss(distribution.scale_loss(loss))

    def _update_discriminator(self, tape, loss):
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply(tape.gradient(loss, variables), variables)
        if self.weight_clip is not None:
            for variable in variables:
                variable.assign(ops.clip(variable, -self.weight_clip, self.weight_clip))

    def _update_generator(self, tape, loss):
        variables = self.generator.trainable_variables
        self.g_optimizer.apply(tape.gradient(loss, variables), variables)

    def _record(self, d_loss, g_loss, real_summary, fake_summary, penalty_values):
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_real_tracker.update_state(real_summary)
        self.d_fake_tracker.update_state(fake_summary)
        for tracker, value in zip(self.penalty_trackers, penalty_values, strict=True):
            tracker.update_state(value)
        return distribution.step_logs({m.name: m.result() for m in self.metrics})

    def fit(self, *args, **kwargs):
        """Trains the model, as `keras.Model.fit`.

        Adds a `keras_gans.callbacks.TerminateOnDivergence` to the callbacks
        unless they hold one: training stops after an epoch whose losses are
        not finite, and the model goes back to its state at the end of the
        last finite epoch. A `tf.data.Dataset` is taken in its own order (it
        shuffles itself).

        Datasets of `keras_gans.data`, and in-memory arrays (which `fit`
        shuffles by a permutation keyed by the model's `seed` and the epoch),
        are positioned by the step count (`keras_gans.data.position`): each
        epoch's order follows from the seed and `trained_steps`, so a run
        resumed by `keras.callbacks.BackupAndRestore`, also from a backup made
        within an epoch (`save_freq=N`), trains on the batches the
        uninterrupted run would have trained on, and ends after as many steps.
        (Not with `steps_per_epoch`, nor with `steps_per_execution` > 1 from a
        backup made within an epoch.)
        """
        from keras_gans.callbacks import TerminateOnDivergence
        from keras_gans.data.position import data_position
        from keras_gans.data.position import data_position_callbacks

        arguments = _bind(keras.Model.fit, self, args, kwargs)
        callbacks = list(arguments.pop("callbacks", None) or [])
        if not any(isinstance(c, TerminateOnDivergence) for c in callbacks):
            callbacks.append(TerminateOnDivergence())
        self._warn_if_unit_range(arguments.get("x"))
        checked = self._checks_need_data_pipeline()
        if checked:  # in-memory arrays are checked once, here
            self._checked_input(arguments.get("x"), arguments.get("y"), arguments.get("batch_size"))
        x = self._positioned_arrays(arguments)
        position = data_position(x)
        if position is not None and arguments.get("steps_per_epoch") is None:
            front, back = data_position_callbacks(position)
            callbacks = [front, *callbacks, back]
        if isinstance(x, tf.data.Dataset) and "shuffle" not in arguments:
            # A dataset shuffles itself (keras_gans.data does); Keras would only
            # warn that its own `shuffle=True` default is ignored.
            arguments["shuffle"] = False
        if checked:
            arguments["x"] = self._checked_input(x)
            validation = arguments.get("validation_data")
            if isinstance(validation, tf.data.Dataset):
                arguments["validation_data"] = self._checked_input(validation)
            elif isinstance(validation, (tuple, list)) and validation:
                self._checked_input(*validation[:2], arguments.get("validation_batch_size"))
        return super().fit(callbacks=callbacks, **arguments)

    def _warn_if_unit_range(self, x):
        """Warns when in-memory float samples look scaled to [0, 1] (see `data.arrays`)."""
        from keras_gans.data.arrays import warn_if_unit_range

        bounds = getattr(self.generator, "output_range", None)
        if bounds is None or not isinstance(x, np.ndarray) or x.size == 0:
            return
        if np.issubdtype(x.dtype, np.floating):
            warn_if_unit_range(float(x.min()), float(x.max()), "The training samples", bounds)

    def _positioned_arrays(self, arguments):
        """Turns `fit`'s in-memory arrays into a positioned dataset, in place.

        Keras shuffles arrays from an unseeded stream that a restarted process
        does not continue, and cannot skip into an epoch. Arrays of images (and
        labels) are given instead as a `keras_gans.data.position` dataset:
        the same batches of `batch_size` (the last one smaller), shuffled per
        epoch by a permutation keyed by the model's `seed` and the epoch, or
        in order with `shuffle=False`. `validation_split` is taken off the end
        first, as Keras does. Other inputs (datasets, generators, sample or
        class weights, `shuffle="batch"`, `steps_per_epoch`) are left to Keras.

        Returns the training data `fit` goes on with.
        """
        from keras_gans.data.position import indexed_pipeline

        x, y = arguments.get("x"), arguments.get("y")
        shuffle = arguments.get("shuffle", True)

        def is_array(value):
            return isinstance(value, np.ndarray) or (
                isinstance(value, tf.Tensor) and not isinstance(value, tf.SparseTensor)
            )

        if (
            not is_array(x)
            or not (y is None or is_array(y))
            or shuffle not in (True, False)
            or any(
                arguments.get(name) is not None
                for name in ("sample_weight", "class_weight", "steps_per_epoch")
            )
        ):
            return x
        count = int(x.shape[0])
        if count == 0:
            raise ValueError(
                "`fit` got no training samples (Keras would only warn that the input "
                f"ran out of data). Received: x.shape={tuple(x.shape)}"
            )
        if y is not None and int(y.shape[0]) != count:
            return x  # Keras' own error names the sizes
        split = arguments.pop("validation_split", 0.0) or 0.0
        if split:
            split_at = int(math.floor(count * (1.0 - split)))
            if arguments.get("validation_data") is None and 0 < split_at < count:
                held_out = x[split_at:] if y is None else (x[split_at:], y[split_at:])
                arguments["validation_data"] = held_out
            elif not 0 < split_at < count:
                arguments["validation_split"] = split  # Keras' error
                return x
            x = x[:split_at]
            y = None if y is None else y[:split_at]
            count = split_at
        tensors = (tf.convert_to_tensor(x),) + (() if y is None else (tf.convert_to_tensor(y),))
        batch_size = arguments.pop("batch_size", None) or 32
        dataset = indexed_pipeline(
            lambda i: tuple(tf.gather(t, i) for t in tensors),
            num_examples=count,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=self.seed,
            # Drops nothing either way; when the batches are equal, their
            # static size spares retracing (and lets XLA see it).
            drop_remainder=count % batch_size == 0,
        )
        arguments["x"] = dataset
        arguments.pop("y", None)
        arguments["shuffle"] = False
        return dataset

    def evaluate(self, *args, **kwargs):
        """Evaluates the model, as `keras.Model.evaluate`."""
        arguments = _bind(keras.Model.evaluate, self, args, kwargs)
        if self._checks_need_data_pipeline() and not arguments.get("_use_cached_eval_dataset"):
            arguments["x"] = self._checked_input(
                arguments.get("x"), arguments.get("y"), arguments.get("batch_size")
            )
        return super().evaluate(**arguments)

    def _checks_need_data_pipeline(self):
        """Whether the step's input checks must run before it: XLA drops asserts."""
        return bool(self.jit_compile) and not self.run_eagerly

    def _checked_input(self, x, y=None, batch_size=None):
        """Runs the step's input checks outside the XLA-compiled step.

        XLA drops `tf.debugging` asserts, so under `jit_compile` the checks of
        sample range, label range and count, and batch size against `d_steps`
        run in the input pipeline instead: mapped over a `tf.data.Dataset`
        (which keeps its data position), or once over in-memory arrays.
        Returns what the step should be given instead of `x`.
        """
        from keras_gans.data.position import data_position

        if isinstance(x, tf.data.Dataset):
            position = data_position(x)

            def check(*element):
                data = element[0] if len(element) == 1 else element
                checks = self._input_checks(data)
                with tf.control_dependencies(checks):
                    return tf.nest.map_structure(tf.identity, data)

            checked = x.map(check)
            if position is not None:
                checked._keras_gans_position = position
            return checked
        if isinstance(x, (np.ndarray, tf.Tensor)) or keras.ops.is_tensor(x):
            data = x if y is None else (x, y)
            self._input_checks(data)  # eager: the asserts raise here
            count = int(x.shape[0])
            last = count % (batch_size or 32)
            if self.update == "alternating" and 0 < last < self.d_steps:
                raise ValueError(
                    f"A batch must hold at least d_steps={self.d_steps} samples (one "
                    f"slice per discriminator step); {count} samples in batches of "
                    f"{batch_size or 32} leave a last batch of {last}. Drop the last "
                    "samples or pick another batch_size."
                )
        return x

    def _input_checks(self, data):
        """The tensors that carry the checks of one batch (see `_unpack`)."""
        real, labels = self._unpack(data)
        checks = [real] if labels is None else [real, labels]
        if self.update == "alternating" and self.d_steps > 1:
            checks.append(
                tf.debugging.assert_greater_equal(
                    ops.shape(real)[0],
                    self.d_steps,
                    message=f"A batch must hold at least d_steps={self.d_steps} samples "
                    "(one slice per discriminator step); drop the last, smaller batch "
                    "(drop_remainder=True).",
                )
            )
        return checks

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Keras traces a step on a data batch to create optimizer and metric
        # variables before training under a distribution strategy; this model
        # creates them in `compile`. (Under MultiWorkerMirroredStrategy that
        # trace also fails on integer labels, keras-team/keras#20585.)
        return None

    def train_step(self, data):
        self.trained_steps.assign_add(1)
        real, labels = self._unpack(data)
        if self.update == "simultaneous":
            return self._simultaneous_step(real, labels)
        return self._alternating_step(real, labels)

    def _simultaneous_step(self, real, labels):
        latents = self._sample_latents(ops.shape(real)[0])
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            # One forward pass of each network serves both players.
            fake = self._generate(latents, labels, training=True)
            real_logits = self._discriminate(real, labels, training=True)
            fake_logits = self._discriminate(fake, labels, training=True)
            d_loss = self.d_loss_fn(real_logits, fake_logits)
            with g_tape.stop_recording():
                penalty_values = self._penalty_values(real, fake, labels)
                scaled_d_loss = self._scaled(
                    self._with_penalties(d_loss, penalty_values), self.d_optimizer
                )
            g_loss = self._generator_objective(real, fake, labels, real_logits, fake_logits)
            scaled_g_loss = self._scaled(g_loss, self.g_optimizer)
        self._update_generator(g_tape, scaled_g_loss)
        self._update_discriminator(d_tape, scaled_d_loss)
        return self._record(
            d_loss,
            g_loss,
            self._output_summary(real_logits),
            self._output_summary(fake_logits),
            penalty_values,
        )

    def _alternating_step(self, real, labels):
        k = self.d_steps
        batch_size = ops.shape(real)[0]
        static_batch = real.shape[0]
        if static_batch is not None and static_batch < k:
            raise ValueError(
                f"A batch must hold at least d_steps={k} samples (one slice "
                f"per discriminator step). Received a batch of {static_batch}."
            )
        if k > 1:
            check = tf.debugging.assert_greater_equal(
                batch_size,
                k,
                message=f"A batch must hold at least d_steps={k} samples (one slice per "
                "discriminator step); drop the last, smaller batch (drop_remainder=True).",
            )
            with tf.control_dependencies([check]):
                batch_size = tf.identity(batch_size)
        latents = self._sample_latents(batch_size)
        d_losses, real_summaries, fake_summaries, penalties = [], [], [], []
        with tf.GradientTape() as g_tape:
            # One generator pass serves every discriminator step and the
            # generator step: the generator does not change in between.
            fake = self._generate(latents, labels, training=True)
            with g_tape.stop_recording():
                for i in range(k):
                    part = slice(i * batch_size // k, (i + 1) * batch_size // k)
                    labels_i = None if labels is None else labels[part]
                    real_i, fake_i = real[part], fake[part]
                    with tf.GradientTape() as d_tape:
                        real_logits = self._discriminate(real_i, labels_i, training=True)
                        fake_logits = self._discriminate(fake_i, labels_i, training=True)
                        d_loss = self.d_loss_fn(real_logits, fake_logits)
                        penalty_values = self._penalty_values(real_i, fake_i, labels_i)
                        scaled_d_loss = self._scaled(
                            self._with_penalties(d_loss, penalty_values), self.d_optimizer
                        )
                    self._update_discriminator(d_tape, scaled_d_loss)
                    d_losses.append(d_loss)
                    real_summaries.append(self._output_summary(real_logits))
                    fake_summaries.append(self._output_summary(fake_logits))
                    penalties.append(penalty_values)
            # The generator steps against the updated discriminator, on the
            # samples of the last discriminator step (sliced again here, where
            # the generator's tape records it).
            g_loss = self._generator_objective(real[part], fake[part], labels_i)
            scaled_g_loss = self._scaled(g_loss, self.g_optimizer)
        self._update_generator(g_tape, scaled_g_loss)

        def mean(values):
            return values[0] if k == 1 else ops.mean(ops.stack(values))

        return self._record(
            mean(d_losses),
            g_loss,
            mean(real_summaries),
            mean(fake_summaries),
            [mean(list(values)) for values in zip(*penalties, strict=True)],
        )

    def test_step(self, data):
        real, labels = self._unpack(data)
        latents = self._sample_latents(ops.shape(real)[0])
        fake = self._generate(latents, labels, training=False)
        real_logits = self._discriminate(real, labels, training=False)
        fake_logits = self._discriminate(fake, labels, training=False)
        if self._g_loss_takes_real:
            g_loss = self.g_loss_fn(fake_logits, real_logits=real_logits)
        else:
            g_loss = self.g_loss_fn(fake_logits)
        return self._record(
            self.d_loss_fn(real_logits, fake_logits),
            g_loss,
            self._output_summary(real_logits),
            self._output_summary(fake_logits),
            self._penalty_values(real, fake, labels, training=False),
        )

    # ------------------------------------------------------------------
    # Sampling.

    @property
    def uses_ema(self):
        """Whether the generator's optimizer keeps a moving average of its weights.

        Enable it with the optimizer's own option, e.g.
        `g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5, use_ema=True,
        ema_momentum=0.999)`. The average then serves `generate`, and so the
        sample and metric callbacks, and `export_generator`; training goes on
        with the raw weights.
        """
        optimizer = getattr(self, "g_optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        return bool(getattr(optimizer, "use_ema", False))

    @contextlib.contextmanager
    def ema_weights(self):
        """Temporarily loads the generator's moving-average weights.

        Does nothing when the generator's optimizer keeps no average, or
        before the first training step. The raw weights are restored on
        exit.

        Example:

        ```python
        with gan.ema_weights():
            gan.generator.save_weights("generator_ema.weights.h5")
        ```
        """
        if not self.uses_ema:
            yield
            return
        optimizer = getattr(self.g_optimizer, "inner_optimizer", self.g_optimizer)
        if int(optimizer.iterations) == 0:  # no average yet
            yield
            return
        variables = self.generator.trainable_variables
        raw = [ops.copy(v.value) for v in variables]
        optimizer.finalize_variable_values(variables)
        try:
            yield
        finally:
            for variable, value in zip(variables, raw, strict=True):
                variable.assign(value)

    def _inference(self, latents, labels):
        """The generator in inference mode, compiled once (variables read at each call)."""
        if getattr(self, "_inference_function", None) is None:
            self._inference_function = tf.function(
                lambda z, y: self._generate(z, y, training=False), reduce_retracing=True
            )
        return self._inference_function(latents, labels)

    def generate(self, latents, labels=None, batch_size=256, seed=None, use_ema=True):
        """Generates samples in the range of the training data.

        Args:
            latents: int or array. The number of samples to draw, with
                latent vectors from `N(0, I)`, or the latent vectors
                themselves, shaped `(num_samples, latent_dim)`.
            labels: int or int array. For a conditional model, one class for
                all samples or one per sample. Defaults to `None`.
            batch_size: int. Samples generated per generator call. Defaults
                to `256`.
            seed: int. Seed of the drawn latent vectors, for repeatable
                samples. Defaults to `None`.
            use_ema: bool. Use the moving-average weights of the generator
                when its optimizer keeps them (see `uses_ema`). Defaults to
                `True`.

        Returns:
            A NumPy array of shape `(num_samples, *image_shape)`.
        """
        if isinstance(latents, (int, np.integer)) and not isinstance(latents, bool):
            if latents < 1:
                raise ValueError(f"The number of samples must be >= 1. Received: latents={latents}")
            latents = keras.random.normal((int(latents), self.latent_dim), seed=seed)
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or batch_size < 1
        ):
            raise ValueError(
                f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}"
            )
        latents = ops.convert_to_numpy(latents).astype("float32")
        if latents.ndim != 2 or latents.shape[1] != self.latent_dim:
            raise ValueError(
                "Latent vectors must have shape (num_samples, "
                f"{self.latent_dim}). Received: shape={latents.shape}"
            )
        num_samples = latents.shape[0]
        if self.conditional:
            if labels is None:
                raise ValueError(
                    "This model is conditional: pass `labels`, one class for "
                    "all samples or one per sample."
                )
            labels = np.asarray(labels)
            if labels.ndim == 0:
                labels = np.full((num_samples,), labels)
            if labels.shape != (num_samples,) or not np.issubdtype(labels.dtype, np.integer):
                raise ValueError(
                    f"`labels` must be {num_samples} integers. Received: "
                    f"shape={labels.shape}, dtype={labels.dtype}"
                )
            if (
                self.num_classes is not None
                and labels.size
                and (labels.min() < 0 or labels.max() >= self.num_classes)
            ):
                raise ValueError(
                    f"Class labels must lie in [0, {self.num_classes}). "
                    f"Received values from {labels.min()} to {labels.max()}."
                )
            labels = labels.astype("int32")
        elif labels is not None:
            raise ValueError("This model is unconditional: `labels` must be None.")
        if num_samples == 0:
            return np.zeros((0, *self.image_shape), "float32")
        outputs = []
        with self.ema_weights() if use_ema else contextlib.nullcontext():
            for start in range(0, num_samples, batch_size):
                batch_labels = None if labels is None else labels[start : start + batch_size]
                batch = self._inference(latents[start : start + batch_size], batch_labels)
                outputs.append(ops.convert_to_numpy(batch))
        return np.concatenate(outputs).astype("float32")

    def export_generator(self, path, overwrite=False):
        """Exports the generator as a TensorFlow SavedModel.

        With a moving average of the generator's weights (see `uses_ema`),
        the average is exported. See `keras_gans.export_generator`.
        """
        from keras_gans.export import export_generator

        return export_generator(self, path, overwrite=overwrite)

    # ------------------------------------------------------------------
    # Serialization.

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "generator": keras.saving.serialize_keras_object(self.generator),
                "discriminator": keras.saving.serialize_keras_object(self.discriminator),
                "num_classes": self.num_classes,
                "seed": self.seed,
            }
        )
        return config

    def save(self, filepath, overwrite=True, **kwargs):
        """Saves the model as `keras.Model.save` does, atomically.

        The file is written beside `filepath` and moved into place only when
        complete, so a crash while saving never leaves a corrupt file where a
        good one stood (`ModelCheckpoint` goes through here too).
        """
        return _atomically(super().save, filepath, overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        """Saves the weights as `keras.Model.save_weights` does, atomically.

        `keras.callbacks.BackupAndRestore` goes through here.
        """
        return _atomically(super().save_weights, filepath, overwrite, **kwargs)

    def save_own_variables(self, store):
        super().save_own_variables(store)
        # The noise stream is state too: a resumed run draws the latents the
        # uninterrupted run would have drawn.
        store[SEED_STATE_KEY] = self.seed_generator.state

    def load_own_variables(self, store):
        own = self._trainable_variables + self._non_trainable_variables
        for i, variable in enumerate(own):
            if f"{i}" in store:  # files written before `trained_steps` lack it
                variable.assign(store[f"{i}"])
        if SEED_STATE_KEY in store:
            self.seed_generator.state.assign(store[SEED_STATE_KEY])

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)
