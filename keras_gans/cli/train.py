"""`keras-gans train`: a preset trained on a dataset into one output folder, resumable.

The folder holds everything of the run:

    config.json      the run's configuration; a rerun must match it
    samples/         a grid of samples after each epoch (epoch_0001.png, ...)
    history.jsonl    each epoch's logs, one JSON line per epoch
    history.png      the plotted history (losses, discriminator outputs, metrics)
    backup/          Keras' BackupAndRestore state while the run is unfinished
    gan.keras        the trained AdversarialModel, for more training
    generator/       the generator as a SavedModel (keras_gans.export_generator)
    state.json       the epochs and steps trained, written when a run ends

Running the same command again resumes an interrupted run from its backup,
and reports a finished one; `--more-epochs N` (or a larger `--epochs`)
trains a finished run further from `gan.keras`.
"""

import importlib.metadata
import json
import math
import os
import shutil

from keras_gans.cli import arguments
from keras_gans.cli import common
from keras_gans.cli import runtime
from keras_gans.cli.errors import RunError
from keras_gans.cli.errors import UsageError

NAME = "train"
HELP = "train a preset on a dataset (resumable)"
DESCRIPTION = (
    "Trains a keras_gans preset (see `keras-gans presets`) on --data and writes the run into "
    "--outdir: config.json, a sample grid per epoch in samples/, history.png, the "
    "checkpoint gan.keras and the exported generator/. A crashed or killed run goes on from "
    "its last backup when the same command is run again; a finished run says so, and "
    "--more-epochs N trains it further. --set overrides the preset's arguments with JSON "
    "values (e.g. --set d_steps=3 --set 'generator_args={\"base_filters\": 32}')."
)
EXAMPLE = "keras-gans train --preset dcgan --data mnist_sample --outdir runs/digits --epochs 20"

DEFAULT_EPOCHS = 10
# Images per discriminator update when neither the user nor the preset says.
DEFAULT_BATCH = 64
SAMPLES_PER_GRID = 64
TRAIN_METRICS = ("fid", "kid")

CONFIG_FILE = "config.json"
STATE_FILE = "state.json"
HISTORY_LOG = "history.jsonl"
HISTORY_PLOT = "history.png"
CHECKPOINT = "gan.keras"
GENERATOR = "generator"
SAMPLES = "samples"
BACKUP = "backup"
OUTPUTS = (
    CONFIG_FILE,
    STATE_FILE,
    HISTORY_LOG,
    HISTORY_PLOT,
    CHECKPOINT,
    GENERATOR,
    SAMPLES,
    BACKUP,
)
# Keras' BackupAndRestore records the epoch (and batch) of its backup here.
BACKUP_METADATA = "training_metadata.json"
# Preset arguments this command sets, and the option that sets each.
OWN_ARGUMENTS = {
    "image_shape": "--image-size (the shape is the data's)",
    "seed": "--seed",
    "size": "--size",
    "batch_size": "--batch-size",
    "augmentation": "--augment",
}
MNIST_SAMPLE = "mnist_sample"


def add_arguments(parser):
    parser.add_argument("--preset", required=True, help="the recipe: see `keras-gans presets`")
    parser.add_argument(
        "--data",
        required=True,
        help="training images: mnist_sample (bundled), a .npz file, a folder of JPEG/PNG "
        "files or a TensorFlow Datasets name",
    )
    parser.add_argument("--outdir", required=True, help="folder of the run's outputs")
    length = parser.add_mutually_exclusive_group()
    length.add_argument(
        "--epochs",
        type=arguments.positive_int,
        help=f"passes over the data (default: the run's, else {DEFAULT_EPOCHS})",
    )
    length.add_argument(
        "--images",
        type=arguments.positive_int,
        help="training images to show instead of --epochs (rounded up to whole epochs)",
    )
    length.add_argument(
        "--more-epochs", type=arguments.positive_int, help="train a finished run N more epochs"
    )
    parser.add_argument(
        "--batch-size",
        type=arguments.positive_int,
        help="images per discriminator update; the data batch is the schedule's "
        f"data_batch_size of it (default: the preset's, else {DEFAULT_BATCH})",
    )
    parser.add_argument(
        "--image-size", type=arguments.positive_int, help="resize the data to this square side"
    )
    parser.add_argument(
        "--size", choices=("paper", "small"), help="network size of progan, stylegan, stylegan2"
    )
    parser.add_argument(
        "--seed",
        type=arguments.non_negative_int,
        default=0,
        help="seed of the weights, the training noise and the data order",
    )
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        type=arguments.parse_setting,
        metavar="KEY=VALUE",
        help="override a preset argument, value in JSON (repeatable)",
    )
    parser.add_argument(
        "--mixed-precision", choices=("float16", "bfloat16"), help="mixed precision policy"
    )
    parser.add_argument(
        "--augment", metavar="POLICY", help="DiffAugment policy, e.g. color,translation,cutout"
    )
    parser.add_argument(
        "--metrics",
        type=arguments.parse_names(TRAIN_METRICS),
        default=[],
        help="metrics during training: fid, kid, comma-separated, or none",
    )
    parser.add_argument(
        "--metrics-every", type=arguments.positive_int, default=1, help="epochs between metrics"
    )
    parser.add_argument(
        "--metrics-num", type=arguments.positive_int, default=10000, help="images per metric"
    )
    parser.add_argument(
        "--extractor",
        help="metrics' features: InceptionV3 weights without top (.h5) or a .keras model "
        "(default: InceptionV3 with ImageNet weights, downloaded)",
    )
    parser.add_argument(
        "--backup-every",
        type=arguments.positive_int,
        help="back up every N steps (default: after every epoch)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the resolved configuration as JSON and exit"
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="start anew in an --outdir holding another run (its outputs are replaced)",
    )


# ----------------------------------------------------------------------
# The run's configuration and state, without TensorFlow.


def _data_id(data):
    """The data as the configuration records it: a path made absolute, a name as it is."""
    return os.path.abspath(data) if os.path.exists(data) else data


def _check_data(data):
    """Refuses data that names a missing or unreadable path (a name may be a TFDS dataset)."""
    if os.path.isfile(data) and not data.lower().endswith(".npz"):
        raise UsageError(
            f"--data {data!r} is a file but not a .npz file: give mnist_sample, a .npz file, "
            "a folder of JPEG/PNG images or a TensorFlow Datasets name."
        )
    looks_like_path = data.lower().endswith(".npz") or os.sep in data or data.startswith(".")
    if looks_like_path and not os.path.exists(data):
        raise UsageError(
            f"--data {data!r}: no such file or folder. Give mnist_sample, a .npz file, a folder "
            "of JPEG/PNG images or a TensorFlow Datasets name."
        )


def settings_of(args):
    """What a rerun must repeat: everything but the training length and the backup interval."""
    try:
        overrides = arguments.settings_dict(args.settings)
    except Exception as e:
        raise UsageError(str(e)) from e
    settings = {
        "preset": args.preset,
        "data": _data_id(args.data),
        "image_size": args.image_size,
        "size": args.size,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "set": overrides,
        "mixed_precision": args.mixed_precision,
        "augment": args.augment,
        "metrics": list(args.metrics),
        "metrics_every": args.metrics_every if args.metrics else None,
        "metrics_num": args.metrics_num if args.metrics else None,
        "extractor": os.path.abspath(args.extractor) if args.extractor else None,
    }
    return json.loads(json.dumps(settings))  # as a saved configuration reads back


def _read_json(path, what):
    if not os.path.isfile(path):
        return None
    try:
        with open(path) as file:
            return json.load(file)
    except ValueError:
        raise UsageError(
            f"{path} is not valid JSON ({what}): pass --overwrite to start anew."
        ) from None


def _short(value, limit=40):
    if value is None:
        return "unset"
    text = json.dumps(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _flat(settings):
    """The settings with each `--set` override as a key of its own (`set.d_steps`)."""
    flat = {key: value for key, value in settings.items() if key != "set"}
    for key, value in (settings.get("set") or {}).items():
        flat[f"set.{key}"] = value
    return flat


def existing_run(outdir, settings, overwrite):
    """`(config, state)` of the run in `outdir` that this command continues, or `(None, None)`."""
    if overwrite or not os.path.exists(outdir):
        return None, None
    if not os.path.isdir(outdir):
        raise UsageError(f"--outdir {outdir!r} is a file; give a folder.")
    config = _read_json(os.path.join(outdir, CONFIG_FILE), "the run's configuration")
    if config is None:
        if os.listdir(outdir):
            raise UsageError(
                f"--outdir {outdir!r} holds files but no keras-gans run (no {CONFIG_FILE}): "
                "choose another folder, or pass --overwrite to write the run into it."
            )
        return None, None
    saved = _flat(config.get("settings", {}))
    current = _flat(settings)
    differing = arguments.differing_keys(saved, current)
    if differing:
        settings = current
        details = ", ".join(
            f"{key} ({_short(saved.get(key))} there, {_short(settings.get(key))} now)"
            for key in differing
        )
        raise UsageError(
            f"--outdir {outdir!r} holds a run with another configuration: {details}. "
            "Repeat its options to resume it, choose another --outdir, or pass --overwrite."
        )
    state = _read_json(os.path.join(outdir, STATE_FILE), "the run's state")
    return config, state


def target_epochs(args, config, state):
    """The epoch count to reach, or None when `--images` needs the data to say."""
    if args.more_epochs is not None:
        if state is None:
            raise UsageError(
                f"--more-epochs trains a finished run further, and {args.outdir!r} holds none: "
                "run the command without it to train (or resume) the run."
            )
        return state["epochs_done"] + args.more_epochs
    if args.epochs is not None:
        return args.epochs
    if args.images is not None:
        per_epoch = (config or {}).get("resolved", {}).get("images_per_epoch")
        return math.ceil(args.images / per_epoch) if per_epoch else None
    if config is not None:
        return config["epochs"]
    return DEFAULT_EPOCHS


def _finished_message(outdir, state):
    return (
        f"{outdir} is a finished run: {state['epochs_done']} epochs, "
        f"{state['trained_steps']} steps (checkpoint {os.path.join(outdir, CHECKPOINT)}, "
        f"generator {os.path.join(outdir, GENERATOR)}). To train it further pass "
        "--more-epochs N or a larger --epochs."
    )


def _backup_position(outdir):
    """`(epoch, batch)` of the backup in `outdir`, or None."""
    metadata = _read_json(os.path.join(outdir, BACKUP, BACKUP_METADATA), "the backup")
    if not metadata:
        return None
    return int(metadata.get("epoch", 0)), int(metadata.get("batch", 0))


def _clean(outdir):
    """Removes this command's outputs from `outdir` (and nothing else)."""
    for name in OUTPUTS:
        path = os.path.join(outdir, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)


def _write_json(path, value):
    common.save_text(path, json.dumps(value, indent=2) + "\n")


# ----------------------------------------------------------------------
# Building the run.


def _images_spec(dataset):
    spec = dataset.element_spec
    return (spec[0] if isinstance(spec, tuple) else spec), isinstance(spec, tuple)


def _probe_data(args):
    """`(image_shape, has_labels, num_images)` of the data, as it will be loaded."""
    from keras_gans.data import load_dataset

    options = {"batch_size": 1, "shuffle": False, "drop_remainder": False}
    if args.image_size:
        options["image_size"] = args.image_size
    probe = load_dataset(args.data, **options)
    images, has_labels = _images_spec(probe)
    shape = tuple(images.shape[1:])
    if len(shape) != 3 or any(d is None for d in shape):
        raise UsageError(
            f"--data {args.data!r} has images of shape {shape}, not a fixed (height, width, "
            "channels): pass --image-size."
        )
    count = int(probe.cardinality())
    return tuple(int(d) for d in shape), has_labels, (count if count >= 0 else None)


def _preset_function(name):
    from keras_gans.presets import PRESETS

    if name not in PRESETS:
        import difflib

        close = difflib.get_close_matches(name, PRESETS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"unknown preset {name!r}.{hint} Valid presets: {', '.join(PRESETS)}.")
    return PRESETS[name]


def _preset_arguments(args, function, image_shape, batch, overrides):
    """The keyword arguments of the preset, checked against its signature and `compile`'s."""
    import inspect

    from keras_gans.models import AdversarialModel

    parameters = inspect.signature(function).parameters
    compile_parameters = inspect.signature(AdversarialModel.compile).parameters
    valid = sorted(
        (set(parameters) | set(compile_parameters)) - set(OWN_ARGUMENTS) - {"self", "compile_args"}
    )
    for key in overrides:
        if key in OWN_ARGUMENTS:
            raise UsageError(f"--set {key}=...: use {OWN_ARGUMENTS[key]} instead.")
        if key not in valid:
            raise UsageError(
                f"--set {key}=...: {args.preset} has no argument {key!r}. Valid keys: "
                f"{', '.join(valid)}."
            )
    kwargs = {"image_shape": list(image_shape), "seed": args.seed}
    if args.size is not None:
        if "size" not in parameters:
            raise UsageError(
                f"--size is for the presets progan, stylegan and stylegan2; {args.preset} "
                "takes no size."
            )
        kwargs["size"] = args.size
    if "batch_size" in parameters:
        kwargs["batch_size"] = batch
    if args.augment:
        kwargs["augmentation"] = args.augment
    kwargs.update(overrides)
    return kwargs


def _default_batch(function):
    import inspect

    parameter = inspect.signature(function).parameters.get("batch_size")
    return parameter.default if parameter is not None else DEFAULT_BATCH


def _build(function, kwargs):
    call = dict(kwargs, image_shape=tuple(kwargs["image_shape"]))
    try:
        return function(**call)
    except (ValueError, TypeError) as e:
        raise UsageError(f"the preset refused its arguments: {e}") from e


def _data_batch(args, gan, batch):
    schedule = gan.schedule
    data_batch = schedule.data_batch_size(batch)
    minimum = schedule.min_batch_size
    if data_batch < minimum:
        if args.batch_size is not None:
            raise UsageError(
                f"--batch-size {batch} gives data batches of {data_batch} images, and this "
                f"preset's schedule needs at least {minimum}."
            )
        data_batch = minimum
    return data_batch


def _load_training_data(args, data_batch, num_images):
    from keras_gans.data import load_dataset

    options = {"batch_size": data_batch, "seed": args.seed}
    if args.image_size:
        options["image_size"] = args.image_size
    if num_images is not None and num_images < data_batch:
        raise UsageError(
            f"--data {args.data!r} holds {num_images} images, fewer than one data batch of "
            f"{data_batch}: lower --batch-size."
        )
    dataset = load_dataset(args.data, **options)
    steps = int(dataset.cardinality())
    return dataset, (steps if steps > 0 else None)


def _metric_evaluator(args, num_images, images_per_epoch):
    from keras_gans.callbacks import MetricEvaluator
    from keras_gans.data import load_dataset

    extractor = common.build_extractor(args.extractor)
    options = {"batch_size": DEFAULT_BATCH, "shuffle": False, "drop_remainder": False}
    if args.image_size:
        options["image_size"] = args.image_size
    available = num_images or images_per_epoch
    num = min(args.metrics_num, available) if available else args.metrics_num
    return MetricEvaluator(
        load_dataset(args.data, **options),
        every_n_epochs=args.metrics_every,
        num_samples=num,
        metrics=tuple(args.metrics),
        extractor=extractor,
        seed=args.seed,
    )


def _parameter_counts(gan):
    return {
        "generator": int(gan.generator.count_params()),
        "discriminator": int(gan.discriminator.count_params()),
    }


# ----------------------------------------------------------------------
# The command.


def run(args):
    outdir = args.outdir
    settings = settings_of(args)
    _check_data(args.data)
    common.check_extractor_path(args.extractor)
    if args.extractor and not args.metrics:
        raise UsageError("--extractor is for --metrics: name the metrics (fid, kid) too.")
    config, state = existing_run(outdir, settings, args.overwrite)
    target = target_epochs(args, config, state)
    done = state["epochs_done"] if state else 0
    if not args.dry_run and state and target is not None and done >= target:
        print(_finished_message(outdir, state))
        return 0

    runtime.import_tensorflow(args.verbose)
    import keras

    if args.mixed_precision:
        keras.mixed_precision.set_global_policy(f"mixed_{args.mixed_precision}")
    keras.utils.set_random_seed(args.seed)
    function = _preset_function(args.preset)
    image_shape, has_labels, num_images = _probe_data(args)
    batch = args.batch_size or _default_batch(function)
    preset_args = _preset_arguments(args, function, image_shape, batch, settings["set"])
    gan = _build(function, preset_args)
    if gan.conditional and not has_labels:
        raise UsageError(
            f"the {args.preset} model is conditional and --data {args.data!r} has no labels: "
            "give labelled data, or an unconditional preset."
        )
    data_batch = _data_batch(args, gan, batch)
    dataset, steps = _load_training_data(args, data_batch, num_images)
    images_per_epoch = steps * data_batch if steps else None
    if target is None:  # --images, first run
        if images_per_epoch is None:
            raise UsageError(
                f"the number of batches of --data {args.data!r} per epoch is unknown: give "
                "--epochs instead of --images."
            )
        target = math.ceil(args.images / images_per_epoch)
    outputs = {name: os.path.join(outdir, name) for name in OUTPUTS}
    resolved = {
        "image_shape": list(image_shape),
        "num_images": num_images,
        "labels": has_labels,
        "batch_size": batch,
        "data_batch_size": data_batch,
        "steps_per_epoch": steps,
        "images_per_epoch": images_per_epoch,
        "preset_arguments": preset_args,
        "model": type(gan).__name__,
        "latent_dim": int(gan.latent_dim),
        "parameters": _parameter_counts(gan),
    }
    new_config = {
        "command": "train",
        "keras_gans_version": _installed_version(),
        "settings": settings,
        "epochs": target,
        "total_images": target * images_per_epoch if images_per_epoch else None,
        "resolved": resolved,
        "outputs": outputs,
    }
    if args.dry_run:
        print(json.dumps(new_config, indent=2))
        return 0
    if state and done >= target:  # --images on a finished run
        print(_finished_message(outdir, state))
        return 0

    if args.overwrite and os.path.isdir(outdir):
        _clean(outdir)
    os.makedirs(outdir, exist_ok=True)
    _write_json(outputs[CONFIG_FILE], new_config)
    initial_epoch = 0
    if state is not None:  # a finished run trained further, from its checkpoint
        if not os.path.isfile(outputs[CHECKPOINT]):
            raise RunError(
                f"{outputs[CHECKPOINT]} is missing, so the run cannot go on: pass --overwrite "
                "to train it anew."
            )
        gan = keras.models.load_model(outputs[CHECKPOINT])
        initial_epoch = done
        print(f"Training {outdir} further: epochs {done + 1} to {target}")
    return _fit(args, gan, dataset, outputs, initial_epoch, target, num_images, images_per_epoch)


def _fit(args, gan, dataset, outputs, initial_epoch, target, num_images, images_per_epoch):
    import keras

    from keras_gans.callbacks import SampleGrid
    from keras_gans.cli import train_callbacks
    from keras_gans.export import export_generator

    position = _backup_position(args.outdir)
    start_epoch = initial_epoch
    if position is not None:
        epoch, batch = position
        start_epoch = max(start_epoch, epoch)
        where = (
            f"after epoch {epoch}" if batch == 0 else f"in epoch {epoch + 1}, after batch {batch}"
        )
        print(f"Resuming from the backup in {outputs[BACKUP]} ({where})")
    callbacks = [SampleGrid(outputs[SAMPLES], SAMPLES_PER_GRID, seed=args.seed)]
    if args.metrics:
        callbacks.append(_metric_evaluator(args, num_images, images_per_epoch))
    log = train_callbacks.EpochLog(outputs[HISTORY_LOG])
    callbacks += [
        log,
        train_callbacks.RunHistory(outputs[HISTORY_PLOT], outputs[HISTORY_LOG]),
        # Kept when training ends: removed below once the checkpoint is written.
        keras.callbacks.BackupAndRestore(
            outputs[BACKUP], save_freq=args.backup_every or "epoch", delete_checkpoint=False
        ),
    ]
    try:
        gan.fit(
            dataset,
            epochs=target,
            initial_epoch=initial_epoch,
            callbacks=callbacks,
            verbose="auto",
        )
    except KeyboardInterrupt:
        raise
    except Exception as e:
        raise RunError(f"training failed: {type(e).__name__}: {e}") from e
    completed = log.last_epoch + 1 if log.last_epoch is not None else start_epoch
    gan.save(outputs[CHECKPOINT])
    export_generator(gan, outputs[GENERATOR], overwrite=True)
    steps = int(keras.ops.convert_to_numpy(gan.trained_steps))
    _write_json(outputs[STATE_FILE], {"epochs_done": completed, "trained_steps": steps})
    shutil.rmtree(outputs[BACKUP], ignore_errors=True)
    if completed < target:
        raise RunError(
            f"training stopped after epoch {completed} of {target} (see the warning above); "
            f"the model of epoch {completed} is saved in {args.outdir}."
        )
    epochs = "1 epoch" if completed == 1 else f"{completed} epochs"
    print(f"Trained {epochs} ({steps} steps) into {args.outdir}:")
    print(f"  samples:    {outputs[SAMPLES]}/epoch_{completed:04d}.png")
    print(f"  history:    {outputs[HISTORY_PLOT]}")
    print(f"  checkpoint: {outputs[CHECKPOINT]}")
    print(f"  generator:  {outputs[GENERATOR]}")
    return 0


def _installed_version():
    try:
        return importlib.metadata.version("keras_gans")
    except importlib.metadata.PackageNotFoundError:
        return None
