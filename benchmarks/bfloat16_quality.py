"""Sample quality of mixed_bfloat16 against float32 training at an equal number of steps.

Trains the `dcgan` preset on MNIST twice with `keras-gans train`, same seed,
data order and steps, once in float32 and once with `--mixed-precision
bfloat16`, and scores both exported generators with
`examples/check_mnist_generator.py` (its own digit classifier: share of
confidently classified samples, share of each digit, Fréchet distance in the
classifier's features over the real train-vs-test distance). Wall time of
each training is recorded too (the speed of one step is `train_step.py
--precision`'s job; this is the end-to-end time with the input pipeline).

    python benchmarks/bfloat16_quality.py --data=path/to/mnist.npz --epochs=3 \
        --output=benchmarks/results/bfloat16_quality.json
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import _common

DEFAULT_MNIST = os.path.join(_common.REPO_ROOT, "..", "shared", "data", "mnist.npz")
CHECKER = os.path.join(_common.REPO_ROOT, "examples", "check_mnist_generator.py")
PRECISIONS = ("float32", "bfloat16")


def train(args, precision, outdir):
    command = [
        sys.executable,
        "-m",
        "keras_gans",
        "train",
        "--preset",
        "dcgan",
        "--data",
        args.data,
        "--epochs",
        str(args.epochs),
        "--batch-size",
        str(args.batch_size),
        "--seed",
        str(args.seed),
        "--outdir",
        outdir,
    ]
    if precision != "float32":
        command += ["--mixed-precision", precision]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return seconds


def check(args, generator, report):
    command = [
        sys.executable,
        CHECKER,
        f"--generator={generator}",
        f"--data={args.data}",
        f"--num_samples={args.num_samples}",
        f"--report={report}",
        f"--seed={args.seed}",
    ]
    # Status 1 only says that a shipping goal is not met: the report is what counts.
    result = subprocess.run(command, capture_output=True, text=True)
    if not os.path.exists(report):
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    with open(report) as f:
        return json.load(f)


def summary(report):
    generated = report["generated"]
    shares = generated["class_shares"]
    return {
        "confident_share": generated["confident_share"],
        "min_class_share": min(shares),
        "max_class_share": max(shares),
        "frechet_distance": report["frechet_distance"]["generated_vs_test"],
        "frechet_ratio": report["frechet_distance"]["ratio"],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=DEFAULT_MNIST, help="MNIST as a .npz file")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch_size", type=int, default=128)
    parser.add_argument("--num_samples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", default=None, help="keep the runs here (default: a temp dir)")
    parser.add_argument("--output", default=None)
    args = parser.parse_args(argv)
    _common.quiet_tensorflow_logs()
    payload = {"environment": _common.environment(), "config": vars(args), "results": []}
    with tempfile.TemporaryDirectory() as tmp:
        root = args.workdir or tmp
        for precision in PRECISIONS:
            outdir = os.path.join(root, precision)
            seconds = train(args, precision, outdir)
            report = check(args, os.path.join(outdir, "generator"), outdir + ".check.json")
            payload["results"].append(
                {"precision": precision, "train_s": seconds, **summary(report)}
            )
    lines = _common.report_start(payload)
    rows = [
        [
            r["precision"],
            _common.fmt(r["train_s"]),
            f"{100 * r['confident_share']:.1f}%",
            f"{100 * r['min_class_share']:.1f}–{100 * r['max_class_share']:.1f}%",
            _common.fmt(r["frechet_distance"]),
            _common.fmt(r["frechet_ratio"], 2),
        ]
        for r in payload["results"]
    ]
    lines.append(
        f"dcgan preset on {args.data}, {args.epochs} epochs of batch {args.batch_size}, "
        f"seed {args.seed}; {args.num_samples} samples checked"
    )
    lines.append("")
    lines.append(
        _common.markdown_table(
            ["precision", "train s", "confident", "per digit", "FD", "FD ratio"], rows
        )
    )
    print("\n".join(lines))
    _common.write_json(args.output, payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
