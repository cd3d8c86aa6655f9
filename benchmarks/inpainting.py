"""Time of semantic inpainting: 64 faces at 64x64 with the default steps, against references.

keras_gans runs `applications.inpaint` exactly as a user calls it: 64 faces,
a centre hole, the defaults (1,500 Adam steps, 8 candidate latents per face,
so 512 latents optimised at once, prior weight 0.003), on the canonical 64x64
DCGAN (`train_step.MODELS["dcgan64"]`, the architecture of
`saved_models/dcgan_celeba64`). The networks are untrained: the cost does not
depend on the weights. Its whole optimisation is one `tf.function` traced
once per call, a `tf.range` loop of steps called in 50 chunks for the
progress bar.

References, each the same optimisation (same networks, loss, 512 latents,
Adam, clipping to [-3, 3], best point kept), written the way a script
usually writes it, with a Python loop over steps:

- `tf-python-loop`: a `tf.function` of one step, called once per step.
- `pytorch`: the same networks in PyTorch (`train_step.build_torch_networks`),
  an autograd step per iteration, `torch.set_num_threads(cores)`.

The references run `--reference_steps` timed steps after `--warmup` steps;
their time per step is set against keras_gans' (its whole call divided by
its steps, tracing included). Each implementation runs in its own process.

    python benchmarks/inpainting.py --quick
    python benchmarks/inpainting.py --output=benchmarks/results/inpainting.json
"""

import argparse
import os
import sys
import time

import _common
import train_step

DEFAULT_CELEBA = os.path.join(_common.REPO_ROOT, "..", "shared", "data", "celeba_sample")
IMPLEMENTATIONS = ("keras_gans", "tf-python-loop", "pytorch")
QUICK = {"num_images": 4, "num_steps": 10, "reference_steps": 5, "warmup": 2}
PRIOR_WEIGHT = 0.003
LATENT_RANGE = 3.0
LEARNING_RATE = 0.01


def faces(args):
    """`num_images` faces in [-1, 1]: held-out CelebA files when `--data` exists, else noise."""
    import numpy as np

    if args.data and os.path.isdir(args.data):
        from keras_gans import data

        dataset = data.load_dataset(
            args.data,
            image_size=64,
            crop_size=args.crop_size,
            batch_size=args.num_images,
            shuffle=False,
            start=args.start,
            stop=args.start + args.num_images,
        )
        return next(iter(dataset)).numpy(), f"{args.data} files {args.start}+"
    rng = np.random.default_rng(0)
    return rng.uniform(-1, 1, (args.num_images, 64, 64, 3)).astype("float32"), "uniform noise"


def build_gan():
    import keras

    from keras_gans import AdversarialModel
    from keras_gans import architectures

    keras.utils.set_random_seed(0)
    generator, discriminator = train_step.build_keras_networks(
        train_step.MODELS["dcgan64"], architectures
    )
    return AdversarialModel(generator, discriminator, seed=0)


def run_keras_gans(args, images, mask):
    from keras_gans import applications

    gan = build_gan()
    start = time.perf_counter()
    result = applications.inpaint(
        gan,
        images,
        mask,
        num_steps=args.num_steps,
        num_candidates=args.num_candidates,
        seed=0,
        verbose=0,
    )
    seconds = time.perf_counter() - start
    return {
        "steps": args.num_steps,
        "total_s": seconds,
        "s_per_step": seconds / args.num_steps,
        "mean_final_loss": float(result.losses.mean()),
    }


def _repeated(args, images, mask):
    import numpy as np

    from keras_gans import applications

    known = applications.masks.mask_batch(mask, images.shape)
    weights = applications.contextual_weights(known, 7)
    n = args.num_candidates
    return np.repeat(images, n, axis=0), np.repeat(weights, n, axis=0)


def _time_loop(step, warmup, steps):
    start = time.perf_counter()
    step(1)
    first = time.perf_counter() - start
    step(warmup - 1)
    start = time.perf_counter()
    step(steps)
    seconds = time.perf_counter() - start
    return {
        "first_step_s": first,
        "steps": steps,
        "total_s": seconds,
        "s_per_step": seconds / steps,
    }


def run_tf_loop(args, images, mask):
    import keras
    import numpy as np
    import tensorflow as tf

    gan = build_gan()
    generator, discriminator = gan.generator, gan.discriminator
    targets, weights = (tf.constant(a) for a in _repeated(args, images, mask))
    count = targets.shape[0]
    start = np.random.default_rng(0).standard_normal((count, gan.latent_dim)).astype("float32")
    latents = keras.Variable(np.clip(start, -LATENT_RANGE, LATENT_RANGE))
    best = tf.Variable(latents.value)
    best_loss = tf.Variable(tf.fill([count], np.float32(np.inf)))
    optimizer = keras.optimizers.Adam(LEARNING_RATE)
    optimizer.build([latents])

    @tf.function
    def step():
        z = latents.value
        with tf.GradientTape() as tape:
            tape.watch(z)
            generated = generator(z, training=False)
            contextual = tf.reduce_sum(tf.abs(generated - targets) * weights, axis=[1, 2, 3])
            logits = tf.reshape(discriminator(generated, training=False), [count])
            loss = contextual - PRIOR_WEIGHT * tf.nn.softplus(logits)
            total = tf.reduce_sum(loss)
        gradient = tape.gradient(total, z)
        better = loss < best_loss
        best_loss.assign(tf.where(better, loss, best_loss))
        best.assign(tf.where(better[:, None], z, best))
        optimizer.apply_gradients([(gradient, latents)])
        latents.assign(tf.clip_by_value(latents, -LATENT_RANGE, LATENT_RANGE))
        return loss

    def run(n):
        for _ in range(n):
            loss = step()
        if n:
            loss.numpy()

    return _time_loop(run, args.warmup, args.reference_steps)


def run_torch(args, images, mask):
    import numpy as np
    import torch

    torch.set_num_threads(_common.cpu_count())
    torch.manual_seed(0)
    generator, discriminator = train_step.build_torch_networks(train_step.MODELS["dcgan64"])
    # Logits: the discriminator without its final Sigmoid (and Flatten).
    critic = torch.nn.Sequential(*list(discriminator)[:-2], torch.nn.Flatten(0))
    for network in (generator, critic):
        network.eval()
        network.requires_grad_(False)
    targets, weights = _repeated(args, images, mask)
    targets = torch.from_numpy(targets.transpose(0, 3, 1, 2).copy())
    weights = torch.from_numpy(weights.transpose(0, 3, 1, 2).copy())
    count = targets.shape[0]
    start = np.random.default_rng(0).standard_normal((count, 100)).astype("float32")
    latents = torch.tensor(np.clip(start, -LATENT_RANGE, LATENT_RANGE), requires_grad=True)
    best = latents.detach().clone()
    best_loss = torch.full((count,), float("inf"))
    optimizer = torch.optim.Adam([latents], lr=LEARNING_RATE)

    def run(n):
        for _ in range(n):
            optimizer.zero_grad()
            generated = generator(latents)
            contextual = ((generated - targets).abs() * weights).sum(dim=(1, 2, 3))
            loss = contextual - PRIOR_WEIGHT * torch.nn.functional.softplus(critic(generated))
            loss.sum().backward()
            with torch.no_grad():
                better = loss < best_loss
                best_loss[better] = loss[better]
                best[better] = latents[better]
            optimizer.step()
            with torch.no_grad():
                latents.clamp_(-LATENT_RANGE, LATENT_RANGE)

    return _time_loop(run, args.warmup, args.reference_steps)


def run_child(args):
    images, source = faces(args)
    from keras_gans import applications

    mask = applications.center_mask(64)
    runner = {"keras_gans": run_keras_gans, "tf-python-loop": run_tf_loop, "pytorch": run_torch}
    result = runner[args.only](args, images, mask)
    return {
        "impl": args.only,
        "images": int(images.shape[0]),
        "latents": int(images.shape[0]) * args.num_candidates,
        "data": source,
        **result,
        "peak_rss_mb": _common.peak_rss_mb(),
        "load_average_at_end": _common.load_average(),
    }


def spawn(args, impl):
    flags = [
        f"--only={impl}",
        f"--num_images={args.num_images}",
        f"--num_candidates={args.num_candidates}",
        f"--num_steps={args.num_steps}",
        f"--reference_steps={args.reference_steps}",
        f"--warmup={args.warmup}",
        f"--data={args.data}",
        f"--crop_size={args.crop_size}",
        f"--start={args.start}",
    ]
    return _common.spawn_json_child(os.path.abspath(__file__), flags, args.child_timeout, impl=impl)


def report(payload):
    lines = _common.report_start(payload)
    results = {r["impl"]: r for r in payload["results"] if "error" not in r}
    ours = results.get("keras_gans")
    rows = []
    for result in payload["results"]:
        if "error" in result:
            rows.append([result["impl"], "error", "", "", "", ""])
            continue
        ratio = (
            result["s_per_step"] / ours["s_per_step"]
            if ours and result["impl"] != "keras_gans"
            else None
        )
        rows.append(
            [
                result["impl"],
                result["steps"],
                _common.fmt(result["total_s"]),
                _common.fmt(result["s_per_step"], 3),
                "–" if ratio is None else _common.fmt_ratio(ratio),
                _common.fmt(result["peak_rss_mb"], 0),
            ]
        )
    config = payload["config"]
    lines.append(
        f"{config['num_images']} images, {config['num_candidates']} candidates each "
        f"({config['num_images'] * config['num_candidates']} latents), centre hole, 64x64 DCGAN"
    )
    lines.append("")
    lines.append(
        _common.markdown_table(
            [
                "implementation",
                "steps timed",
                "seconds",
                "s/step",
                "keras_gans faster by",
                "peak RSS MB",
            ],
            rows,
        )
    )
    if ours:
        lines.append("")
        lines.append(
            f"keras_gans inpaint, whole call with {ours['steps']} steps: "
            f"{ours['total_s'] / 60:.1f} min"
        )
    for result in payload["results"]:
        if "error" in result:
            lines.append(f"\n{result['impl']} failed: {result['error']}\n{result['output_tail']}")
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--impls", default=",".join(IMPLEMENTATIONS))
    parser.add_argument("--num_images", type=int, default=64)
    parser.add_argument("--num_candidates", type=int, default=8)
    parser.add_argument("--num_steps", type=int, default=1500, help="keras_gans' steps.")
    parser.add_argument("--reference_steps", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--data", default=DEFAULT_CELEBA, help="A folder of faces, if present.")
    parser.add_argument("--crop_size", type=int, default=54)
    # The faces held out of saved_models/dcgan_celeba64's training.
    parser.add_argument("--start", type=int, default=9500)
    parser.add_argument("--child_timeout", type=int, default=7200)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", default=None)
    parser.add_argument("--only", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child_output", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        _common.apply_quick(args, parser, QUICK)
    args.impls = [name for name in args.impls.split(",") if name]
    unknown = sorted(set(args.impls) - set(IMPLEMENTATIONS))
    if unknown:
        parser.error(f"unknown --impls {unknown}; choose among {', '.join(IMPLEMENTATIONS)}")
    return args


def main(argv=None):
    _common.quiet_tensorflow_logs()
    args = parse_args(argv)
    if args.only:
        _common.write_json(args.child_output, run_child(args))
        return 0
    payload = {
        "environment": _common.environment(),
        "config": {k: v for k, v in vars(args).items() if k not in ("only", "child_output")},
        "results": [],
    }
    for impl in args.impls:
        if impl == "pytorch" and not train_step.torch_available():
            print("PyTorch is not installed: skipping the pytorch reference.")
            continue
        payload["results"].append(spawn(args, impl))
    print(report(payload))
    _common.write_json(args.output, payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
