"""Scores of a mode-collapse lab recipe every few epochs of one trial: its learning curve.

`examples/mode_collapse.py` scores each trial once, at its end. To see how fast a
recipe converges, this script trains one trial of `lab.build(recipe, **settings)` on
`lab.training_data(...)` and, every `--every` epochs, scores 2,500 samples (modes
captured, high-quality share, reverse KL) drawn with the generator's moving-average
weights when the recipe keeps them, and with its raw weights. With
`--rejection_quantiles`, it also scores the samples discriminator rejection sampling
keeps (`keras_gans.applications.DiscriminatorRejectionSampler` with each
`gamma_quantile`, drawn with the averaged weights), and with `--calibration_steps` the
same after that many discriminator-only updates against the current generator (the
discriminator's weights are put back afterwards, so training goes on unchanged). One
JSON line per scoring goes to `--output` (appended; the first line holds the run's
settings).

    python benchmarks/mode_lab_curves.py --recipe=pacgan --target=grid_2d --epochs=40 \\
        --set=fourier_features=128 --set=fourier_scale=1.0 --set=init_std=0.2 \\
        --set=ema_momentum=0.999 --rejection_quantiles=0.5,0.8,0.9 \\
        --output=benchmarks/results/mode_collapse/curves/k.jsonl
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
    parser.add_argument(
        "--rejection_quantiles",
        default="",
        help="comma-separated gamma quantiles of rejection sampling to score as well",
    )
    parser.add_argument(
        "--calibration_steps",
        type=int,
        default=0,
        help="also score rejection sampling after this many discriminator-only updates",
    )
    args = parser.parse_args()
    _common.quiet_tensorflow_logs()
    settings = parse_settings(args.set, parser)
    try:
        quantiles = [float(q) for q in args.rejection_quantiles.split(",") if q.strip()]
    except ValueError:
        parser.error(f"--rejection_quantiles takes numbers. Received: {args.rejection_quantiles!r}")

    import keras

    from keras_gans.applications import rejection_sampling
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
    learning_rate = lab.settings(args.recipe, **settings)["learning_rate"]

    def rejection_scores(model):
        scores = {}
        for q in quantiles:
            sampler = rejection_sampling.DiscriminatorRejectionSampler(model, gamma_quantile=q)
            try:
                kept = sampler.sample(args.num_samples, seed=args.seed + 1)
            except RuntimeError as error:  # too few kept within max_draws: noted, run goes on
                scores[str(q)] = {"error": str(error), "acceptance_rate": sampler.acceptance_rate}
                continue
            scores[str(q)] = {
                **metrics.summary(kept, target),
                "acceptance_rate": sampler.acceptance_rate,
                "gamma": sampler.gamma,
            }
        return scores

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
            if quantiles:
                row["rejection"] = rejection_scores(self.model)
                if args.calibration_steps:
                    weights = self.model.discriminator.get_weights()
                    rejection_sampling.calibrate_discriminator(
                        self.model, data.repeat(), args.calibration_steps, learning_rate
                    )
                    row["rejection_calibrated"] = rejection_scores(self.model)
                    self.model.discriminator.set_weights(weights)
            row["logs"] = {k: float(v) for k, v in (logs or {}).items()}
            log.write(json.dumps(row) + "\n")
            log.flush()
            print(json.dumps(row), flush=True)

    model.fit(data, epochs=args.epochs, callbacks=[Score()], verbose=0)


if __name__ == "__main__":
    main()
