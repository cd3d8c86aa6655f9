"""Training speed of the mode-collapse lab's recipes, with and without XLA, on this CPU.

`AdversarialModel`'s `jit_compile="auto"` leaves XLA off on CPUs, where it measured
slower for the convolutional GANs of `train_step.py`. The lab's 2-D recipes are small
MLPs (batches of 100 to 400 two-dimensional points) whose steps are many small ops,
the case XLA's fusion is made for. For each recipe this script times `fit` epochs of
the lab's own model and data (`lab.build`, `lab.training_data`), with the lab's
default execution (`jit_compile="auto"`, one step per call) as the reference, against
XLA with one step per call and XLA with `--steps_per_execution` steps per call. Each
variant runs in its own child process, one thread (TensorFlow's intra- and inter-op
pools of 1), so each gets one core: the way the lab's trials run two at a time on two
cores.

Reported: seconds per 100,000-example epoch (the lab's epoch), the first epoch
(tracing and compilation included) and the speed-up over the reference.

    python benchmarks/mode_lab_step.py --output=benchmarks/results/mode_lab_step.json
    python benchmarks/mode_lab_step.py --quick
"""

import argparse
import json
import os
import sys
import time

import _common

RECIPES = ("gan", "pacgan", "wgan_gp")
VARIANTS = {
    "default": {"jit_compile": "auto", "steps_per_execution": 1},
    "xla": {"jit_compile": True, "steps_per_execution": 1},
    "xla-multi": {"jit_compile": True, "steps_per_execution": None},
}


def child(args):
    import keras

    from keras_gans.applications.mode_collapse import lab

    execution = dict(VARIANTS[args.variant])
    if execution["steps_per_execution"] is None:
        execution["steps_per_execution"] = args.steps_per_execution
    settings = {"epoch_examples": args.examples, **execution}
    keras.utils.set_random_seed(0)
    model = lab.build(args.recipe, seed=0, **settings)
    data = lab.training_data(args.recipe, "grid_2d", seed=0, **settings)
    start = time.perf_counter()
    model.fit(data, epochs=1, verbose=0)
    first = time.perf_counter() - start
    windows = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        model.fit(data, epochs=1, verbose=0)
        windows.append(time.perf_counter() - start)
    per_epoch = _common.median(windows) * lab.RECIPES[args.recipe]["epoch_examples"] / args.examples
    result = {
        "recipe": args.recipe,
        "variant": args.variant,
        "settings": settings,
        "first_epoch_s": first,
        "window_s": windows,
        "seconds_per_epoch": per_epoch,
    }
    with open(args.child_output, "w") as f:
        json.dump(result, f)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", default=",".join(RECIPES), help="recipes to time")
    parser.add_argument("--examples", type=int, default=20_000, help="examples per timed epoch")
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per variant")
    parser.add_argument("--steps_per_execution", type=int, default=25, help="for xla-multi")
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--output", default=None, help="JSON file of the results")
    parser.add_argument("--child_timeout", type=int, default=1800)
    # Internal: the flags of a child process.
    parser.add_argument("--recipe", help=argparse.SUPPRESS)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    parser.add_argument("--child_output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    _common.quiet_tensorflow_logs()
    if args.child_output:
        child(args)
        return
    if args.quick:
        _common.apply_quick(args, parser, {"examples": 2_000, "repeats": 1})
    recipes = _common.parse_choices(args.recipes, RECIPES, "recipes", parser)
    payload = {"environment": _common.environment(), "settings": vars(args), "results": []}
    one_thread = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
    os.environ.update(one_thread)
    for recipe in recipes:
        for variant in VARIANTS:
            flags = [
                f"--recipe={recipe}",
                f"--variant={variant}",
                f"--examples={args.examples}",
                f"--repeats={args.repeats}",
                f"--steps_per_execution={args.steps_per_execution}",
            ]
            result = _common.spawn_json_child(
                __file__, flags, args.child_timeout, recipe=recipe, variant=variant
            )
            payload["results"].append(result)
            print(json.dumps(result), file=sys.stderr, flush=True)
    rows = []
    for recipe in recipes:
        found = {r["variant"]: r for r in payload["results"] if r["recipe"] == recipe}
        reference = found.get("default", {}).get("seconds_per_epoch")
        for variant in VARIANTS:
            r = found.get(variant, {})
            seconds = r.get("seconds_per_epoch")
            speedup = reference / seconds if reference and seconds else None
            rows.append(
                [
                    recipe,
                    variant,
                    json.dumps(r.get("settings", {}).get("steps_per_execution")),
                    _common.fmt(seconds),
                    _common.fmt(r.get("first_epoch_s")),
                    _common.fmt_ratio(speedup),
                    r.get("error", ""),
                ]
            )
    headers = [
        "recipe",
        "execution",
        "steps per call",
        "s per 100k-example epoch",
        "first (short) epoch s",
        "speed-up",
        "error",
    ]
    lines = _common.report_start(payload) + [_common.markdown_table(headers, rows)]
    print("\n".join(lines))
    _common.write_json(args.output, payload)


if __name__ == "__main__":
    main()
