"""The training engine: a generator and a discriminator trained by `fit`."""

import contextlib

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gans import augmentation as augmentation_module
from keras_gans.layers import PackSamples
from keras_gans.losses import gan_loss
from keras_gans.losses import regularizer as regularizer_module
from keras_gans.losses.adversarial import feature_matching_loss
from keras_gans.models import fit_adapter
from keras_gans.models import input_checks
from keras_gans.models import sampling
from keras_gans.models import schedules
from keras_gans.models.submodel_io import DISCRIMINATOR
from keras_gans.models.submodel_io import GENERATOR
from keras_gans.models.submodel_io import check_pair
from keras_gans.models.submodel_io import is_graph_model
from keras_gans.utils import compat
from keras_gans.utils import distribution
from keras_gans.utils import ema
from keras_gans.utils import file_utils
from keras_gans.utils import validation

SEED_STATE_KEY = "seed_generator_state"


@keras.saving.register_keras_serializable(package="keras_gans")
class AdversarialModel(keras.Model):
    """A generator and a discriminator trained against each other by `fit`.

    The generator maps latent vectors `z ~ N(0, I)` (and, for a conditional
    GAN, class labels) to samples; the discriminator maps samples (and
    labels) to outputs, higher for samples it believes real. `fit` trains both
    with one `tf.GradientTape` per player.

    The networks may be any Keras models: functional, `keras.Sequential`
    (starting with `keras.Input`) or subclassed. The latent size, sample shape
    and label input are read from functional and Sequential models; a
    subclassed generator declares `latent_dim` (and `num_classes` if it takes
    labels) as attributes, a subclassed discriminator `image_shape` if it
    differs from the generator's output, and both are called once, on a batch
    of one, to build them (`keras_gans.models.submodel_io`). A conditional
    functional model has an input named `"label"` (`int32`, `(batch,)`); a
    conditional subclassed model takes a dict `{"latent": z, "label": y}`
    (generator) or `{"image": x, "label": y}` (discriminator). A conditional
    pair trains on `(images, labels)` batches; an unconditional pair ignores
    labels in the data.

    **Extension points.** A training step is the update schedule's
    (`compile(update=...)`, see `keras_gans.models.schedules`) use of these
    public methods, which subclasses may override, as Keras documents
    `compute_loss`:

    - `sample_latents(batch_size)`: the latent inputs of a training batch;
    - `run_generator(latents, labels, training)`: the generator's samples;
    - `discriminate(samples, labels, training)`: the discriminator's view of
      real and generated samples (augmentation happens here) and its float32
      outputs;
    - `discriminator_loss(real_outputs, fake_outputs)` and
      `generator_loss(real, fake, labels, ...)`: the adversarial objectives;
    - `regularization(player, real, fake, labels, latents)`: each player's
      regularisers (`keras_gans.losses.Regularizer`);
    - `scaled_loss`, `update_discriminator`, `update_generator`: gradients
      and their application.

    Args:
        generator: `keras.Model`. Maps latent vectors of shape
            `(batch, latent_dim)` (and labels) to samples.
        discriminator: `keras.Model`. Maps samples of the generator's output
            shape (and labels) to outputs of any shape.
        num_classes: int. The number of classes of a conditional pair, used to
            check labels. Defaults to the generator's (else the
            discriminator's) `num_classes` attribute, which the
            `keras_gans.architectures` builders set; a conditional pair with
            neither needs it.
        seed: int. Seed of the noise drawn in each step (latents, penalty
            weights, augmentation). Defaults to `None` (a random seed).
        packing: int. Judge packs of `packing` samples (PacGAN, Lin et al.
            2018): `discriminate` concatenates consecutive real (or generated)
            samples along the last axis, after augmentation, so the
            discriminator takes `(..., packing * channels)` inputs and gives
            one output per pack; batches must be divisible by `packing`, and
            the gradient penalties are taken per pack. Unconditional pairs
            only. Defaults to `1`. (The dense and DCGAN discriminators can
            also pack themselves: their `packing` argument.)
        **kwargs: arguments of `keras.Model`, such as `name`.

    Example:

    ```python
    generator = keras_gans.architectures.DCGANGenerator(latent_dim=64, image_shape=(28, 28, 1))
    discriminator = keras_gans.architectures.DCGANDiscriminator(image_shape=(28, 28, 1))
    gan = keras_gans.AdversarialModel(generator, discriminator)
    gan.compile(loss="non_saturating", augmentation="translation,cutout")
    gan.fit(keras_gans.data.load_dataset("mnist_sample"), epochs=5)
    images = gan.generate(16)
    ```

    Reference:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
    """

    def __init__(self, generator, discriminator, num_classes=None, seed=None, packing=1, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.packing = validation.check_positive_int(packing, "packing")
        self._g_io, self._d_io, num_classes = check_pair(
            generator, discriminator, num_classes, self.packing
        )
        self._pack = PackSamples(self.packing, name="pack") if self.packing > 1 else None
        self.augmentation = None  # `compile` sets it
        self.latent_dim = self._g_io.vector_size("latent")
        self.image_shape = self._g_io.output_shape
        self.num_classes = num_classes
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        # Validation draws its own noise: evaluating never changes training.
        self.evaluation_seed_generator = keras.random.SeedGenerator(
            None if seed is None else seed + 1
        )
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
        return self._g_io.conditional

    def call(self, inputs, training=False):
        """Runs the generator: `inputs` as the generator takes them."""
        return self.generator(inputs, training=training)

    # === Compilation ===

    def compile(
        self,
        g_optimizer=None,
        d_optimizer=None,
        loss="non_saturating",
        update="alternating",
        d_steps=None,
        regularizers=(),
        penalties=None,
        weight_clip=None,
        feature_matching=None,
        augmentation=None,
        jit_compile="auto",
        run_eagerly=False,
        steps_per_execution=1,
    ):
        """Configures the model for training.

        Args:
            g_optimizer: `keras.optimizers.Optimizer`, name or config. The
                generator's optimizer. Defaults to Adam with the DCGAN
                paper's setting (learning rate 2e-4, beta_1 0.5). With
                `use_ema=True` its moving average of the weights serves
                `generate`, the callbacks and the export.
            d_optimizer: The discriminator's optimizer, as `g_optimizer`.
                Separate learning rates (the two time-scale update rule) are
                two optimizers.
            loss: str, `keras_gans.losses.GANLoss`, or pair of callables. A name
                of `keras_gans.losses.LOSSES`, a loss object (whose arguments,
                such as `NonSaturating(label_smoothing=0.2)`, are saved with
                the model), or `(generator_loss, discriminator_loss)` (see
                `keras_gans.losses.get`). Defaults to `"non_saturating"`.
            update: str or `keras_gans.models.UpdateSchedule`. `"alternating"`:
                `d_steps` discriminator updates on slices of the batch, then
                a generator update against the updated discriminator.
                `"simultaneous"`: both players' gradients from one forward
                pass. Or a schedule object, e.g. `Alternating(d_steps=5)`.
                Defaults to `"alternating"`.
            d_steps: int. Discriminator updates per generator update with
                `update="alternating"`: a batch of `B` gives `d_steps` updates
                on `B // d_steps` samples each, and the generator update sees
                `B // d_steps` generated samples. Defaults to `1`.
            regularizers: list of `keras_gans.losses.Regularizer`. Terms added
                to either player's loss, each with its interval, such as
                `GradientPenalty(10.0)`, `R1Penalty(10.0, every=16)` or
                `PathLengthPenalty()`; each value is logged under its name.
                Defaults to none.
            penalties: list. Discriminator penalties, as `regularizers` (the
                argument's name in keras_gans 0.1). Defaults to `None`.
            weight_clip: float. Clip every discriminator weight to
                `[-weight_clip, weight_clip]` after each of its updates, as in
                WGAN (0.01). Defaults to `None`.
            feature_matching: str. Name of a discriminator layer: the
                generator then minimises `feature_matching_loss` between the
                batch means of that layer's output on real and generated data
                instead of its adversarial loss (Salimans et al. 2016).
                Defaults to `None`.
            augmentation: `keras_gans.augmentation.DiffAugment`, policy string
                or callable `augment(images, seed_generator)`. Applied to every
                sample the discriminator sees in training (both players'
                updates and the penalties). Defaults to `None`.
            jit_compile: bool or `"auto"`. Compile the step with XLA. `"auto"`
                uses XLA where Keras does (GPUs and TPUs), not on CPUs, where it
                measured slower (benchmarks/BENCHMARKS.md). Defaults to `"auto"`.
            run_eagerly: bool. Run the step eagerly, for debugging. Defaults
                to `False`.
            steps_per_execution: int. Steps run in one call of the compiled
                function. Defaults to `1`.
        """
        loss = gan_loss.get(loss)
        schedule = schedules.get(update, d_steps)
        if penalties is not None:
            regularizers = list(regularizers or ()) + list(
                penalties if isinstance(penalties, (list, tuple)) else [penalties]
            )
        regularizers = regularizer_module.get(regularizers)
        weight_clip = validation.check_number(
            weight_clip, "weight_clip", minimum=0.0, exclusive=True, allow_none=True
        )
        features = self._feature_model(feature_matching)
        augmentation = augmentation_module.get(augmentation)
        super().compile(
            optimizer=None,
            jit_compile=jit_compile,
            run_eagerly=run_eagerly,
            steps_per_execution=steps_per_execution,
        )
        self.g_optimizer = self._prepare_optimizer(g_optimizer, "g_optimizer", self.generator)
        self.d_optimizer = self._prepare_optimizer(d_optimizer, "d_optimizer", self.discriminator)
        self.loss = loss
        self.schedule = schedule
        if getattr(schedule, "_built_for", None) is not self:
            schedule.build(self)
            schedule._built_for = self
        self.regularizers = regularizers
        for entry in regularizers:
            if getattr(entry, "_built_for", None) is not self:
                entry.build(self)
                entry._built_for = self
        self.weight_clip = weight_clip
        self.feature_matching = feature_matching
        self._features = features
        self.augmentation = augmentation
        names = [gan_loss.D_LOSS, gan_loss.G_LOSS, *loss.log_names]
        names += [entry.name for entry in regularizers]
        self._trackers = [keras.metrics.Mean(name=name) for name in names]
        self._gan_compile_args = {
            "loss": loss,
            "update": schedule,
            "regularizers": regularizers,
            "weight_clip": weight_clip,
            "feature_matching": feature_matching,
            "augmentation": augmentation,
            "jit_compile": jit_compile,
            "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution,
        }

    def _feature_model(self, layer_name):
        if layer_name is None:
            return None
        names = [layer.name for layer in getattr(self.discriminator, "layers", [])]
        if layer_name not in names or not is_graph_model(self.discriminator):
            raise ValueError(
                "`feature_matching` must name a layer of a functional discriminator. "
                f"Received: feature_matching={layer_name!r}; its layers are {names}"
            )
        return keras.Model(
            self.discriminator.input, self.discriminator.get_layer(layer_name).output
        )

    def _prepare_optimizer(self, optimizer, name, model):
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
        if not optimizer.built:
            optimizer.build(model.trainable_variables)
        return optimizer

    def get_compile_config(self):
        if not self.compiled or not hasattr(self, "_gan_compile_args"):
            return None
        return keras.saving.serialize_keras_object(
            {"g_optimizer": self.g_optimizer, "d_optimizer": self.d_optimizer}
            | self._gan_compile_args
        )

    def compile_from_config(self, config):
        config = keras.saving.deserialize_keras_object(config)
        # Files of keras_gans 0.1: a loss pair as a list, penalties, d_steps.
        if isinstance(config.get("loss"), list):
            config["loss"] = tuple(config["loss"])
        for key in ("regularizers", "penalties"):
            if key in config:
                config[key] = [
                    keras.saving.deserialize_keras_object(p) if isinstance(p, dict) else p
                    for p in config[key] or []
                ]
        self.compile(**config)

    @property
    def metrics(self):
        return list(getattr(self, "_trackers", []))

    # === Extension points ===

    def _noise(self, training):
        return self.seed_generator if training else self.evaluation_seed_generator

    def sample_latents(self, batch_size, training=True):
        """The latent inputs of a batch of `batch_size` samples.

        Draws `N(0, I)` vectors from the model's noise stream (the rows of
        this replica under `tf.distribute`); evaluation (`training=False`)
        draws from a stream of its own. Override to sample otherwise, e.g. two
        latents per sample for style mixing in training.
        """

        def draw(n):
            # In float32 under mixed precision too: a bfloat16 draw keeps 8 bits of
            # each value. The generator casts its input to its compute dtype.
            return keras.random.normal(
                (n, self.latent_dim), dtype="float32", seed=self._noise(training)
            )

        return distribution.replica_rows(draw, batch_size)

    def run_generator(self, latents, labels=None, training=False, **options):
        """The generator's samples of `latents` (and `labels`); `options` go to its `call`."""
        return self._g_io.call(self.generator, latents, labels, training, **options)

    def intermediate_latents(self, latents, labels=None, training=True):
        """The latents path-length regularisation measures, and their map to samples.

        Returns `(w, synthesize)` with `synthesize(w)` the samples. By default
        `w` is the generator's input itself; a style-based model returns its
        intermediate latents and synthesis network.
        """
        return latents, lambda w: self.run_generator(w, labels, training)

    def _discriminator_view(self, samples, training):
        if training and self.augmentation is not None:
            samples = self.augmentation(samples, self.seed_generator)
        if self._pack is not None:
            samples = self._pack(samples)
        return samples

    def discriminate(self, samples, labels=None, training=False):
        """The discriminator's float32 outputs on `samples` as it sees them.

        In training, samples first pass through `augmentation`; with
        `packing > 1` they are then packed. Losses,
        regularisers and feature matching all see the discriminator through
        here (or `_discriminator_view`), so an override, such as packing
        several samples into one input, applies everywhere.
        """
        samples = self._discriminator_view(samples, training)
        outputs = self._d_io.call(self.discriminator, samples, labels, training)
        # Losses are computed in float32 whatever the models' compute dtype.
        return ops.cast(outputs, "float32")

    def discriminator_loss(self, real_outputs, fake_outputs):
        """The discriminator's adversarial loss (`self.loss`)."""
        return self.loss.discriminator_loss(real_outputs, fake_outputs)

    def generator_loss(
        self, real, fake, labels, real_outputs=None, fake_outputs=None, training=True
    ):
        """The generator's objective: feature matching, or its adversarial loss.

        Outputs are computed here unless given.
        """
        if self._features is not None:
            real_features, fake_features = (
                self._d_io.call(
                    self._features, self._discriminator_view(x, training), labels, training
                )
                for x in (real, fake)
            )
            return feature_matching_loss(
                ops.cast(real_features, "float32"), ops.cast(fake_features, "float32")
            )
        if fake_outputs is None:
            fake_outputs = self.discriminate(fake, labels, training=training)
        if self.loss.uses_real_outputs and real_outputs is None:
            real_outputs = self.discriminate(real, labels, training=training)
        return self.loss.generator_loss(fake_outputs, real_outputs)

    def regularization(self, player, real, fake, labels, latents, training=True):
        """The values of `player`'s regularisers on one update, by name.

        In training each is computed on one update of its player in `every`
        (counted by the player's optimizer) and scaled by `every`; in
        evaluation every time, at its plain weight, with the networks in
        inference mode.
        """
        optimizer = self.d_optimizer if player == DISCRIMINATOR else self.g_optimizer
        inputs = regularizer_module.RegularizerInputs(
            self,
            real,
            fake,
            labels,
            latents,
            optimizer.iterations,
            self._noise(training),
            training=training,
        )
        return {
            entry.name: entry(inputs, lazy=training)
            for entry in self.regularizers
            if entry.player == player
        }

    def scaled_loss(self, loss, player):
        """The loss to differentiate: per replica, and scaled for mixed precision."""
        optimizer = self.d_optimizer if player == DISCRIMINATOR else self.g_optimizer
        return optimizer.scale_loss(distribution.scale_loss(loss))

    def update_discriminator(self, tape, loss):
        """Applies the discriminator's gradients of `loss`, then the weight clip."""
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply(tape.gradient(loss, variables), variables)
        if self.weight_clip is not None:
            for variable in variables:
                variable.assign(ops.clip(variable, -self.weight_clip, self.weight_clip))

    def update_generator(self, tape, loss):
        """Applies the generator's gradients of `loss`."""
        variables = self.generator.trainable_variables
        self.g_optimizer.apply(tape.gradient(loss, variables), variables)

    # === Steps ===

    def _record(self, logs):
        values = [logs.d_loss, logs.g_loss, logs.real_summary, logs.fake_summary]
        values += [logs.regularizers[entry.name] for entry in self.regularizers]
        for tracker, value in zip(self._trackers, values, strict=True):
            tracker.update_state(value)
        return distribution.step_logs({m.name: m.result() for m in self.metrics})

    def train_step(self, data):
        self.trained_steps.assign_add(1)
        real, labels = input_checks.unpack_batch(self, data)
        return self._record(self.schedule.train_step(self, real, labels))

    def test_step(self, data):
        """The objectives `train_step` optimises, on `data`, without updates."""
        real, labels = input_checks.unpack_batch(self, data)
        latents = self.sample_latents(ops.shape(real)[0], training=False)
        fake = self.run_generator(latents, labels, training=False)
        real_outputs = self.discriminate(real, labels, training=False)
        fake_outputs = self.discriminate(fake, labels, training=False)
        g_loss = self.generator_loss(real, fake, labels, real_outputs, fake_outputs, training=False)
        regularizers = {}
        for player in (DISCRIMINATOR, GENERATOR):
            regularizers.update(
                self.regularization(player, real, fake, labels, latents, training=False)
            )
        return self._record(
            schedules.StepLogs(
                self.discriminator_loss(real_outputs, fake_outputs),
                g_loss,
                self.loss.output_summary(real_outputs),
                self.loss.output_summary(fake_outputs),
                regularizers,
            )
        )

    def fit(self, *args, **kwargs):
        """Trains the model, as `keras.Model.fit`.

        Adds a `keras_gans.callbacks.TerminateOnDivergence` unless the callbacks
        hold one, takes a `tf.data.Dataset` in its own order, and positions
        `keras_gans.data` datasets and in-memory arrays by the step count, so a
        run resumed by `keras.callbacks.BackupAndRestore` (also from a backup
        within an epoch) trains on the batches the uninterrupted run would
        have; see `keras_gans.models.fit_adapter` for the details and limits.
        """
        arguments = fit_adapter.bind(keras.Model.fit, self, args, kwargs)
        return super().fit(**fit_adapter.prepare_fit(self, arguments))

    def evaluate(self, *args, **kwargs):
        """Evaluates the model, as `keras.Model.evaluate`: the logs of `test_step`."""
        arguments = fit_adapter.bind(keras.Model.evaluate, self, args, kwargs)
        return super().evaluate(**fit_adapter.prepare_evaluate(self, arguments))

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Keras traces a step on a data batch to create optimizer and metric
        # variables before training under a distribution strategy; this model
        # creates them in `compile`. (Under MultiWorkerMirroredStrategy that
        # trace also fails on integer labels, keras-team/keras#20585.)
        return None

    # === Sampling ===

    @property
    def uses_ema(self):
        """Whether the generator's optimizer keeps a moving average of its weights."""
        return ema.keeps_average(getattr(self, "g_optimizer", None))

    def ema_weights(self):
        """A context in which the generator holds its moving-average weights.

        Does nothing when the generator's optimizer keeps no average
        (`use_ema=True`), or before the first training step; the raw weights
        are restored on exit.

        Example:

        ```python
        with gan.ema_weights():
            gan.generator.save_weights("generator_ema.weights.h5")
        ```
        """
        return ema.averaged_weights(
            getattr(self, "g_optimizer", None), self.generator.trainable_variables
        )

    def _inference(self, latents, labels, options):
        """The generator in inference mode, compiled once per set of `options`."""
        functions = self.__dict__.setdefault("_inference_functions", {})
        key = tuple(sorted(options.items()))
        if key not in functions:
            functions[key] = tf.function(
                lambda z, y: self.run_generator(z, y, training=False, **options),
                reduce_retracing=True,
            )
        labels = None if labels is None else tf.convert_to_tensor(labels)
        return functions[key](tf.convert_to_tensor(latents), labels)

    def generate(
        self, latents, labels=None, batch_size=256, seed=None, use_ema=True, verbose=0, **options
    ):
        """Generates samples in the range of the training data.

        Args:
            latents: int or array. The number of samples to draw, with latent
                vectors from `N(0, I)`, or the latent vectors themselves,
                shaped `(num_samples, latent_dim)`.
            labels: int or int array. For a conditional model, one class for
                all samples or one per sample. Defaults to `None`.
            batch_size: int. Samples generated per generator call. Defaults
                to `256`.
            seed: int. Seed of the drawn latent vectors, for repeatable
                samples. Defaults to `None`.
            use_ema: bool. Use the moving-average weights of the generator
                when its optimizer keeps them (see `uses_ema`). Defaults to
                `True`.
            verbose: `"auto"`, 0, 1 or 2. Progress display in samples, as in
                `keras.Model.predict`: 0 silent, 1 (or `"auto"`) a progress
                bar, 2 one line when done. Defaults to `0`.
            **options: keyword arguments of the generator's `call`, such as a
                style-based generator's `truncation_psi`.

        Returns:
            A NumPy array of shape `(num_samples, *image_shape)`.
        """
        verbose = validation.check_verbose(verbose)
        latents, labels = sampling.generation_inputs(self, latents, labels, seed)
        batch_size = validation.check_positive_int(batch_size, "batch_size")
        num_samples = latents.shape[0]
        if num_samples == 0:
            return np.zeros((0, *self.image_shape), "float32")
        progbar = keras.utils.Progbar(num_samples, verbose=verbose, unit_name="sample")
        outputs = []
        with self.ema_weights() if use_ema else contextlib.nullcontext():
            for start in range(0, num_samples, batch_size):
                batch_labels = None if labels is None else labels[start : start + batch_size]
                batch = self._inference(latents[start : start + batch_size], batch_labels, options)
                outputs.append(ops.convert_to_numpy(batch))
                if verbose:
                    progbar.update(min(start + batch_size, num_samples))
        return np.concatenate(outputs).astype("float32")

    # === Serialization ===

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "generator": keras.saving.serialize_keras_object(self.generator),
                "discriminator": keras.saving.serialize_keras_object(self.discriminator),
                "num_classes": self.num_classes,
                "seed": self.seed,
                "packing": self.packing,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)

    def save(self, filepath, overwrite=True, **kwargs):
        """Saves the model as `keras.Model.save` does, atomically.

        The file is written beside `filepath` and moved into place only when
        complete, so a crash while saving never leaves a corrupt file where a
        good one stood (`ModelCheckpoint` goes through here too).
        """
        return file_utils.save_atomically(super().save, filepath, overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        """Saves the weights as `keras.Model.save_weights` does, atomically.

        `keras.callbacks.BackupAndRestore` goes through here.
        """
        return file_utils.save_atomically(super().save_weights, filepath, overwrite, **kwargs)

    def save_own_variables(self, store):
        super().save_own_variables(store)
        # The noise stream is state too: a resumed run draws the latents the
        # uninterrupted run would have drawn.
        store[SEED_STATE_KEY] = self.seed_generator.state

    def load_own_variables(self, store):
        for i, variable in enumerate(compat.own_variables(self)):
            if f"{i}" in store:  # state created by `compile` may be missing
                variable.assign(store[f"{i}"])
        if SEED_STATE_KEY in store:
            self.seed_generator.state.assign(store[SEED_STATE_KEY])
