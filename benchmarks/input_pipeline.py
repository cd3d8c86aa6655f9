"""Throughput of `keras_gans.data.from_folder` against the training rate it must feed.

Reads a folder of JPEG/PNG images (by default the 10,000 half-size CelebA
images in `../shared/data/celeba_sample`, 89x109, centre-cropped to 54 and
resized to 64x64: the classic 108-pixel DCGAN crop at half size) and measures
images per second delivered by the pipeline alone, median over `--repeats`
windows of `--batches` batches after `--warmup_batches`:

- `from_folder`: decode, crop and resize every image, every epoch (default).
- `from_folder(cache=True)`: timed after one full epoch has filled the cache.

It then compares the pipeline's rate with the training rate of the 64x64 DCGAN
(`keras_gans.AdversarialModel`, alternating updates, batch `--batch_size`):
read from a JSON file written by `train_step.py` (`--train_results`), and in
any case measured here in the same process for a short window, on in-memory
data and fed by `from_folder` (interleaved windows), since the pipeline takes
CPU time from the training step when both share the cores.

    python benchmarks/input_pipeline.py --quick
    python benchmarks/input_pipeline.py --train_results=benchmarks/results/train_step.json \
        --output=benchmarks/results/input_pipeline.json
"""

import argparse
import json
import os
import sys
import tempfile
import time

import _common

DEFAULT_DATA_DIR = os.path.join(_common.REPO_ROOT, "..", "shared", "data", "celeba_sample")
# Half-size CelebA (89x109): the DCGAN crop of 108 pixels at full size is 54 here.
DEFAULT_CROP_SIZE = 54
# The training configuration whose rate the pipeline is compared with.
TRAIN_MODEL = "dcgan64"
# --quick: flags left at their defaults take these values.
QUICK = {
    "num_files": 256,
    "batch_size": 8,
    "batches": 4,
    "warmup_batches": 2,
    "repeats": 2,
    "train_steps": 2,
    "train_repeats": 2,
    "train_warmup": 1,
}


def limited_folder(data_dir, num_files, tmp):
    """`data_dir`, or a folder of symlinks to its first `num_files` images."""
    if not num_files:
        return data_dir
    names = sorted(
        n for n in os.listdir(data_dir) if n.lower().endswith((".jpg", ".jpeg", ".png"))
    )[:num_files]
    folder = os.path.join(tmp, "images")
    os.makedirs(folder)
    for name in names:
        os.symlink(os.path.abspath(os.path.join(data_dir, name)), os.path.join(folder, name))
    return folder


def warm_page_cache(folder):
    """Reads every file once, so that the first timed variant is not reading from disk."""
    count, size = 0, 0
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            size += len(f.read())
        count += 1
    return count, size


def time_pipeline(dataset, batch_size, warmup_batches, batches, repeats):
    iterator = iter(dataset)
    for _ in range(warmup_batches):
        next(iterator)
    windows = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(batches):
            next(iterator)
        windows.append(time.perf_counter() - start)
    rates = [batches * batch_size / s for s in windows]
    return {
        "window_s": windows,
        "images_per_s": rates,
        "images_per_s_median": _common.median(rates),
    }


def measure_pipeline(folder, args, cache):
    from keras_gans.data import from_folder

    dataset = from_folder(
        folder,
        image_size=args.image_size,
        crop_size=args.crop_size,
        batch_size=args.batch_size,
        shuffle=True,
        seed=0,
        cache=cache,
    )
    num_batches = sum(1 for _ in dataset) if cache else None  # one epoch fills the cache
    result = time_pipeline(
        dataset.repeat(), args.batch_size, args.warmup_batches, args.batches, args.repeats
    )
    result["variant"] = "from_folder(cache=True)" if cache else "from_folder"
    if cache:
        result["batches_per_epoch"] = num_batches
    return result


def measure_training(folder, args):
    """Images/s of the 64x64 DCGAN on in-memory data and fed by `from_folder`."""
    import keras
    import numpy as np
    import tensorflow as tf
    import train_step

    from keras_gans import AdversarialModel
    from keras_gans import architectures
    from keras_gans.data import from_folder

    spec = train_step.MODELS[TRAIN_MODEL]
    keras.utils.set_random_seed(0)
    generator, discriminator = train_step.build_keras_networks(spec, architectures)
    gan = AdversarialModel(generator, discriminator, seed=0)
    gan.compile(
        g_optimizer=keras.optimizers.Adam(train_step.LEARNING_RATE, beta_1=train_step.BETA_1),
        d_optimizer=keras.optimizers.Adam(train_step.LEARNING_RATE, beta_1=train_step.BETA_1),
        loss="non_saturating",
        update="alternating",
    )
    pool = train_step.data_pool(spec, args.batch_size, 0)
    sources = {
        "in_memory": tf.data.Dataset.from_tensor_slices(pool).repeat(),
        "from_folder": from_folder(
            folder,
            image_size=args.image_size,
            crop_size=args.crop_size,
            batch_size=args.batch_size,
            shuffle=True,
            seed=0,
        ).repeat(),
    }
    gan.make_train_function()
    iterators = {name: iter(dataset) for name, dataset in sources.items()}

    def run(name, steps):
        for _ in range(steps):
            logs = gan.train_function(iterators[name])
        float(logs["g_loss"])

    for name in iterators:
        run(name, args.train_warmup)
    windows = {name: [] for name in iterators}
    for _ in range(args.train_repeats):  # interleaved, so drift hits both alike
        for name in iterators:
            start = time.perf_counter()
            run(name, args.train_steps)
            windows[name].append(time.perf_counter() - start)
    result = {}
    for name, times in windows.items():
        rates = [args.train_steps * args.batch_size / s for s in times]
        result[name] = {
            "window_s": times,
            "images_per_s": rates,
            "images_per_s_median": float(np.median(rates)),
        }
    return result


def train_rate_from_file(path, impl):
    if not path:
        return None
    if not os.path.exists(path):
        print(f"No train_step results at {path}; using the rate measured here.", file=sys.stderr)
        return None
    with open(path) as f:
        payload = json.load(f)
    for entry in payload.get("summary", []):
        if entry["model"] == TRAIN_MODEL and entry["impl"] == impl:
            return {
                "images_per_s": entry["images_per_s"],
                "impl": impl,
                "batch_size": payload["config"]["batch_size"],
                "source": os.path.abspath(path),
                "load_average_at_start": payload["environment"].get("load_average_at_start"),
            }
    print(f"{path} has no {TRAIN_MODEL} / {impl} result.", file=sys.stderr)
    return None


def report(payload):
    lines = _common.report_start(payload)
    config = payload["config"]
    lines.append(
        f"{payload['data']['files']} files ({payload['data']['megabytes']:.1f} MB) from "
        f"`{config['data_dir']}`, {config['image_size']}x{config['image_size']}, crop "
        f"{config['crop_size']}, batch {config['batch_size']}; median of {config['repeats']} "
        f"windows of {config['batches']} batches."
    )
    lines.append("")
    rows = []
    reference = payload["train_rate_reference"]
    for entry in payload["pipeline"]:
        rate = entry["images_per_s_median"]
        rows.append(
            [
                entry["variant"],
                _common.fmt(rate),
                f"{_common.fmt(min(entry['images_per_s']))}–"
                f"{_common.fmt(max(entry['images_per_s']))}",
                _common.fmt_ratio(rate / reference["images_per_s"]) if reference else "–",
            ]
        )
    lines.append(
        _common.markdown_table(
            [
                "pipeline",
                "images/s",
                "min–max",
                f"× training rate ({reference['label'] if reference else 'none'})",
            ],
            rows,
        )
    )
    training = payload.get("training_here")
    if training:
        lines += ["", f"Training {TRAIN_MODEL} (keras_gans, alternating) in this process:", ""]
        in_memory = training["in_memory"]["images_per_s_median"]
        rows = [
            [
                name,
                _common.fmt(entry["images_per_s_median"]),
                _common.fmt_ratio(entry["images_per_s_median"] / in_memory),
            ]
            for name, entry in training.items()
        ]
        lines.append(_common.markdown_table(["data", "images/s", "× in-memory"], rows))
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data_dir", default=DEFAULT_DATA_DIR, help="Folder of JPEG/PNG files.")
    parser.add_argument("--num_files", type=int, default=0, help="Use the first N files (0: all).")
    parser.add_argument("--image_size", type=int, default=64)
    parser.add_argument("--crop_size", type=int, default=DEFAULT_CROP_SIZE)
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--batches", type=int, default=100, help="Batches per timed window.")
    parser.add_argument("--warmup_batches", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--train_results",
        default=os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "results", "train_step.json"
        ),
        help="JSON written by train_step.py; its dcgan64 rate is the reference if present.",
    )
    parser.add_argument("--train_impl", default="keras_gans-alternating")
    parser.add_argument("--train_steps", type=int, default=5, help="Steps per training window.")
    parser.add_argument("--train_repeats", type=int, default=3)
    parser.add_argument("--train_warmup", type=int, default=2)
    parser.add_argument(
        "--skip_training", action="store_true", help="Do not measure training here."
    )
    parser.add_argument("--output", default=None, help="Write the results as JSON here.")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=(
            "Smoke run: 256 files, batch 8, 2 windows of 4 batches, 2 training steps; "
            "flags given explicitly keep their values."
        ),
    )
    args = parser.parse_args(argv)
    if args.quick:
        _common.apply_quick(args, parser, QUICK)
    return args


def main(argv=None):
    args = parse_args(argv)
    _common.quiet_tensorflow_logs()
    env = _common.environment()
    with tempfile.TemporaryDirectory() as tmp:
        folder = limited_folder(args.data_dir, args.num_files, tmp)
        files, size = warm_page_cache(folder)
        pipeline = []
        for cache in (False, True):
            result = measure_pipeline(folder, args, cache)
            pipeline.append(result)
            print(
                f"{result['variant']}: {_common.fmt(result['images_per_s_median'])} images/s",
                file=sys.stderr,
            )
        training = None if args.skip_training else measure_training(folder, args)
    from_file = train_rate_from_file(args.train_results, args.train_impl)
    if from_file:
        reference = dict(from_file, label=f"train_step.json {args.train_impl}")
    elif training:
        reference = {
            "images_per_s": training["in_memory"]["images_per_s_median"],
            "label": "measured here, in-memory",
        }
    else:
        reference = None
    payload = {
        "benchmark": "input_pipeline",
        "environment": env,
        "load_average_at_end": _common.load_average(),
        "config": {**vars(args), "data_dir": os.path.abspath(args.data_dir)},
        "data": {"files": files, "megabytes": size / 1e6},
        "pipeline": pipeline,
        "training_here": training,
        "train_rate_reference": reference,
    }
    for entry in pipeline:
        entry["vs_training_rate"] = (
            entry["images_per_s_median"] / reference["images_per_s"] if reference else None
        )
    _common.write_json(args.output, payload)
    print(report(payload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
