"""Generation throughput of an exported SavedModel against the Keras generator, and FID cost.

Part 1: images per second of sampling from the same generator (an untrained
one: the cost does not depend on the weights), at each of `--batch_sizes`,
median over `--repeats` windows after `--warmup_calls`, each path returning a
NumPy array of images:

- `saved_model.serve`: `tf.saved_model.load(export).serve(z)["images"]`, the
  generator exported by `keras_gans.export_generator`.
- `tf.function(generator)`: `generator(z, training=False)` in a `tf.function`.
- `gan.generate`: `AdversarialModel.generate(z, batch_size=B)`.
- `generator (eager)`: `generator(z, training=False)` called eagerly.
- `generator.predict`: `generator.predict(z, batch_size=B)`.

Part 2: the time to compute FID on `--fid_samples` (default 10,000) samples
with `keras_gans.metrics`: InceptionV3 built with `weights=None`, because
weights cannot be downloaded here; random weights cost exactly what the
ImageNet weights cost (same architecture, same operations), only the value of
the FID is meaningless. Timed separately: building the extractor, the real
data's statistics (`compute_statistics`, done once per dataset and saved in
practice), the FID against those statistics (`fid`: generating the samples,
their features and the Fréchet distance, what each evaluation during training
pays), and the Fréchet distance alone.

    python benchmarks/generation.py --quick
    python benchmarks/generation.py --output=benchmarks/results/generation.json
"""

import argparse
import os
import sys
import tempfile
import time

import _common
import train_step

DEFAULT_CELEBA = os.path.join(_common.REPO_ROOT, "..", "shared", "data", "celeba_sample")
DEFAULT_MNIST = os.path.join(_common.REPO_ROOT, "..", "shared", "data", "mnist.npz")
# Crop of the half-size CelebA sample (see input_pipeline.py).
CELEBA_CROP_SIZE = 54
# --quick: flags left at their defaults take these values.
QUICK = {
    "batch_sizes": "1,8",
    "window_seconds": 0.2,
    "repeats": 2,
    "warmup_calls": 1,
    "fid_samples": 64,
    "fid_batch_size": 32,
}


def build_gan(model_name):
    import keras

    from keras_gans import AdversarialModel
    from keras_gans import architectures

    keras.utils.set_random_seed(0)
    spec = train_step.MODELS[model_name]
    generator, discriminator = train_step.build_keras_networks(spec, architectures)
    return AdversarialModel(generator, discriminator, seed=0)


def generation_paths(gan, export_dir):
    """name -> function(z_numpy, z_tensor) returning a NumPy batch of images."""
    import tensorflow as tf

    from keras_gans import export_generator

    export_generator(gan, export_dir)
    loaded = tf.saved_model.load(export_dir)
    generator = gan.generator
    compiled = tf.function(lambda z: generator(z, training=False))
    return {
        "saved_model.serve": lambda z_np, z_tf: loaded.serve(z_tf)["images"].numpy(),
        "tf.function(generator)": lambda z_np, z_tf: compiled(z_tf).numpy(),
        "gan.generate": lambda z_np, z_tf: gan.generate(z_np, batch_size=z_np.shape[0]),
        "generator (eager)": lambda z_np, z_tf: generator(z_tf, training=False).numpy(),
        "generator.predict": lambda z_np, z_tf: generator.predict(
            z_np, batch_size=z_np.shape[0], verbose=0
        ),
    }


def measure_generation(gan, paths, args):
    """Images/s of each path at each batch size.

    Each path gets its own number of calls per window, so that a window lasts
    about `--window_seconds` (from the time of one call after warm-up): a
    slow path at batch 1 and a fast one at batch 256 are both timed over a
    window long enough to be stable and short enough to finish. Windows of
    the paths are interleaved, so drift of the machine hits every path alike.
    """
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    results = []
    for batch_size in args.batch_sizes:
        z_np = rng.standard_normal((batch_size, gan.latent_dim)).astype(np.float32)
        z_tf = tf.constant(z_np)
        calls = {}
        for name, path in paths.items():
            for _ in range(args.warmup_calls):
                path(z_np, z_tf)
            start = time.perf_counter()
            images = path(z_np, z_tf)
            one_call = time.perf_counter() - start
            if images.shape != (batch_size, *gan.image_shape):
                raise RuntimeError(f"{name} returned shape {images.shape}")
            calls[name] = max(1, min(args.max_calls, round(args.window_seconds / one_call)))
        windows = {name: [] for name in paths}
        for _ in range(args.repeats):
            for name, path in paths.items():
                start = time.perf_counter()
                for _ in range(calls[name]):
                    path(z_np, z_tf)
                windows[name].append(time.perf_counter() - start)
        for name, times in windows.items():
            rates = [calls[name] * batch_size / s for s in times]
            results.append(
                {
                    "path": name,
                    "batch_size": batch_size,
                    "calls_per_window": calls[name],
                    "window_s": times,
                    "images_per_s": rates,
                    "images_per_s_median": _common.median(rates),
                }
            )
        print(f"generation, batch {batch_size}: done", file=sys.stderr)
    reference = {
        r["batch_size"]: r["images_per_s_median"]
        for r in results
        if r["path"] == "saved_model.serve"
    }
    for r in results:
        r["vs_saved_model"] = r["images_per_s_median"] / reference[r["batch_size"]]
    return results


def real_source(gan, args):
    """Real images of the generator's shape: CelebA sample (64x64) or MNIST (28x28)."""
    import numpy as np

    from keras_gans.data import from_folder

    height, _, channels = gan.image_shape
    if channels == 3:
        return from_folder(
            args.celeba_dir,
            image_size=height,
            crop_size=CELEBA_CROP_SIZE,
            batch_size=args.fid_batch_size,
            shuffle=False,
            drop_remainder=False,
        )
    with np.load(args.mnist) as data:
        images = data["x_train"][: args.fid_samples]
    return (images.astype(np.float32) / 127.5 - 1.0)[..., np.newaxis]


def measure_fid(gan, args):
    import numpy as np

    from keras_gans import metrics

    timings = {}
    start = time.perf_counter()
    extractor = metrics.inception_feature_extractor(weights=None)
    timings["build_extractor_s"] = time.perf_counter() - start

    if args.skip_real_statistics:
        # Stand-in statistics of the same size: the Fréchet distance costs the same.
        dim = extractor.output.shape[-1]
        mean, covariance = np.zeros(dim), np.eye(dim)
        timings["real_statistics_s"] = None
    else:
        start = time.perf_counter()
        mean, covariance = metrics.compute_statistics(
            extractor,
            real_source(gan, args),
            num_samples=args.fid_samples,
            batch_size=args.fid_batch_size,
        )
        timings["real_statistics_s"] = time.perf_counter() - start
        print(f"FID real statistics: {timings['real_statistics_s']:.1f} s", file=sys.stderr)

    start = time.perf_counter()
    value = metrics.fid(
        (mean, covariance),
        gan,
        extractor=extractor,
        num_samples=args.fid_samples,
        batch_size=args.fid_batch_size,
    )
    timings["fid_vs_saved_statistics_s"] = time.perf_counter() - start
    seconds = timings["fid_vs_saved_statistics_s"]
    print(f"FID of generated samples: {seconds:.1f} s", file=sys.stderr)

    start = time.perf_counter()
    metrics.frechet_distance(mean, covariance, mean, covariance)
    timings["frechet_distance_only_s"] = time.perf_counter() - start
    generated = timings["fid_vs_saved_statistics_s"]
    real = timings["real_statistics_s"]
    timings["total_s"] = None if real is None else real + generated
    # Generation is a small part of it (see the generation table above).
    timings["inception_images_per_s"] = args.fid_samples / (real or generated)
    timings["fid_value_meaningless"] = value
    return timings


def report(payload):
    lines = _common.report_start(payload)
    config = payload["config"]
    lines.append(
        f"Generator: {config['model']}; median of {config['repeats']} windows of about "
        f"{config['window_seconds']} s each."
    )
    lines.append("")
    rows = []
    for r in payload["generation"]:
        rows.append(
            [
                r["path"],
                r["batch_size"],
                _common.fmt(r["images_per_s_median"]),
                f"{_common.fmt(min(r['images_per_s']))}–{_common.fmt(max(r['images_per_s']))}",
                _common.fmt_ratio(r["vs_saved_model"]),
            ]
        )
    lines.append(
        _common.markdown_table(["path", "batch", "images/s", "min–max", "× SavedModel"], rows)
    )
    fid = payload.get("fid")
    if fid:
        lines += ["", f"FID on {config['fid_samples']} samples (InceptionV3, weights=None):", ""]
        rows = [
            ["build InceptionV3", _common.fmt(fid["build_extractor_s"])],
            ["real statistics (once per dataset)", _common.fmt(fid["real_statistics_s"])],
            [
                "FID of generated samples vs saved statistics",
                _common.fmt(fid["fid_vs_saved_statistics_s"]),
            ],
            ["  of which the Fréchet distance", _common.fmt(fid["frechet_distance_only_s"])],
            ["total (real + generated)", _common.fmt(fid["total_s"])],
        ]
        lines.append(_common.markdown_table(["step", "seconds"], rows))
        lines.append("")
        rate = _common.fmt(fid["inception_images_per_s"])
        lines.append(f"InceptionV3 features: {rate} images/s.")
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=list(train_step.MODELS), default="dcgan64")
    parser.add_argument("--batch_sizes", default="1,16,64,256", help="Comma-separated.")
    parser.add_argument(
        "--window_seconds", type=float, default=2.0, help="Target length of a timed window."
    )
    parser.add_argument("--max_calls", type=int, default=10_000, help="Calls per window, at most.")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup_calls", type=int, default=3)
    parser.add_argument("--fid_samples", type=int, default=10_000)
    parser.add_argument("--fid_batch_size", type=int, default=64)
    parser.add_argument("--skip_fid", action="store_true")
    parser.add_argument(
        "--skip_real_statistics",
        action="store_true",
        help="Time only the generated side of FID (real statistics saved beforehand).",
    )
    parser.add_argument("--celeba_dir", default=DEFAULT_CELEBA, help="Real images for 64x64 FID.")
    parser.add_argument("--mnist", default=DEFAULT_MNIST, help="Real images for 28x28 FID.")
    parser.add_argument("--output", default=None, help="Write the results as JSON here.")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=(
            "Smoke run: batches 1 and 8, 2 windows of 0.2 s, FID on 64 samples; "
            "flags given explicitly keep their values."
        ),
    )
    args = parser.parse_args(argv)
    if args.quick:
        _common.apply_quick(args, parser, QUICK)
    args.batch_sizes = [int(b) for b in args.batch_sizes.split(",") if b]
    if not args.batch_sizes or min(args.batch_sizes) < 1:
        parser.error(f"--batch_sizes must be positive integers. Received: {args.batch_sizes}")
    return args


def main(argv=None):
    args = parse_args(argv)
    _common.quiet_tensorflow_logs()
    env = _common.environment()
    gan = build_gan(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        paths = generation_paths(gan, os.path.join(tmp, "generator"))
        generation = measure_generation(gan, paths, args)
    fid = None if args.skip_fid else measure_fid(gan, args)
    config = vars(args)
    payload = {
        "benchmark": "generation",
        "environment": env,
        "load_average_at_end": _common.load_average(),
        "config": config,
        "generation": generation,
        "fid": fid,
        "peak_rss_mb": _common.peak_rss_mb(),
    }
    _common.write_json(args.output, payload)
    print(report(payload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
