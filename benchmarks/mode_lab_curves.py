"""Scores of a mode-collapse lab recipe every few epochs of one trial: its learning curve.

`examples/mode_collapse.py` scores each trial once, at its end. To see how fast a
recipe converges, this script trains one trial of `lab.build(recipe, **settings)` on
`lab.training_data(...)` and, every `--every` epochs, scores 2,500 samples (modes
captured, high-quality share, reverse KL) drawn with the generator's moving-average
weights when the recipe keeps them, and with its raw weights. One JSON line per
scoring goes to `--output` (appended; the first line holds the run's settings).

    python benchmarks/mode_lab_curves.py --recipe=pacgan --target=grid_2d --epochs=40 \\
        --set=fourier_features=128 --set=fourier_scale=1.0 --set=init_std=0.2 \\
        --set=ema_momentum=0.999 --output=benchmarks/results/mode_collapse/curves/k.jsonl
"""

import argparse
import ast
import json
import os
import time

import _common


def parse_settings(items, parser):
    settings = {}
    for item in items:
        name, _, value = item.partition("=")
        if not name or not value:
            parser.error(f"--set takes name=value. Received: {item!r}")
        try:
            settings[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            settings[name] = value
    return settings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="pacgan")
    parser.add_argument("--target", default="grid_2d")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--every", type=int, default=5, help="epochs between scorings")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--num_samples", type=int, default=2500)
    parser.add_argument("--set", action="append", default=[], help="a recipe setting, name=value")
    parser.add_argument("--output", required=True, help="JSON-lines file of the scores")
    args = parser.parse_args()
    _common.quiet_tensorflow_logs()
    settings = parse_settings(args.set, parser)

    import keras

    from keras_gans.applications.mode_collapse import lab
    from keras_gans.applications.mode_collapse import metrics

    target = lab.TARGETS[args.target]()
    keras.utils.set_random_seed(args.seed)
    model = lab.build(args.recipe, seed=args.seed, **settings)
    data = lab.training_data(args.recipe, target, seed=args.seed, **settings)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    log = open(args.output, "a")
    header = {"recipe": args.recipe, "target": args.target, "seed": args.seed, **settings}
    log.write(json.dumps({"run": header, "environment": _common.environment()}) + "\n")
    log.flush()
    start = time.perf_counter()

    class Score(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if (epoch + 1) % args.every and epoch + 1 != args.epochs:
                return
            row = {"epoch": epoch + 1, "seconds": round(time.perf_counter() - start)}
            if args.recipe == "vae":  # the decoder's means; no weight average
                draws = {"raw": {}}
            else:
                draws = {"averaged": {"use_ema": True}, "raw": {"use_ema": False}}
            for name, options in draws.items():
                samples = self.model.generate(args.num_samples, seed=args.seed + 1, **options)
                row[name] = metrics.summary(samples, target)
            row["logs"] = {k: float(v) for k, v in (logs or {}).items()}
            log.write(json.dumps(row) + "\n")
            log.flush()
            print(json.dumps(row), flush=True)

    model.fit(data, epochs=args.epochs, callbacks=[Score()], verbose=0)


if __name__ == "__main__":
    main()
