"""`keras-gans mode-lab`: train a mode-collapse lab recipe on a synthetic target and score it."""

import json
import math

from keras_gans.cli import arguments
from keras_gans.cli import common
from keras_gans.cli.errors import UsageError

NAME = "mode-lab"
HELP = "train a GAN, PacGAN, WGAN-GP or VAE on a Gaussian mixture and count its modes"
DESCRIPTION = (
    "Trains a recipe of the mode-collapse lab (keras_gans.applications.mode_collapse.lab) "
    "on a synthetic target: the ring of 8 Gaussians, the grid of 25, or the 1-D mixture. "
    "Each trial prints the modes captured, the share of high-quality samples (within 3 "
    "standard deviations of a mode) and the reverse KL of the mode histogram; with several "
    "trials, their mean and standard error. --pack sets the discriminator's packing "
    "(PacGAN); --set changes any setting of the recipe (see lab.RECIPES)."
)
EXAMPLE = "keras-gans mode-lab --target grid_2d --recipe pacgan --pack 4 --epochs 40 --out grid.png"
TARGETS = ("ring_2d", "grid_2d", "mixture_1d")
RECIPES = ("gan", "pacgan", "wgan_gp", "vae")


def add_arguments(parser):
    parser.add_argument("--target", choices=TARGETS, default="grid_2d", help="the mixture")
    parser.add_argument("--recipe", choices=RECIPES, default="pacgan", help="what to train")
    parser.add_argument(
        "--pack",
        type=arguments.positive_int,
        help="samples the discriminator judges at once (default: the recipe's, 4 for pacgan)",
    )
    parser.add_argument(
        "--epochs", type=arguments.positive_int, default=40, help="epochs of each trial"
    )
    parser.add_argument("--trials", type=arguments.positive_int, default=1, help="trials to run")
    parser.add_argument(
        "--seed",
        type=arguments.non_negative_int,
        default=0,
        help="seed of the first trial; trial i uses seed + i",
    )
    parser.add_argument(
        "--num", type=arguments.positive_int, default=2500, help="samples scored per trial"
    )
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        type=arguments.parse_setting,
        metavar="KEY=VALUE",
        help="a setting of the recipe, value read as JSON (repeatable), e.g. learning_rate=2e-4",
    )
    parser.add_argument("--out", help="PNG file: each trial's samples over the mixture's modes")
    parser.add_argument("--json", help="JSON file of the trials' scores and settings")
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")


def _overrides(args):
    try:
        overrides = arguments.settings_dict(args.settings)
    except Exception as e:  # argparse.ArgumentTypeError
        raise UsageError(str(e)) from None
    if args.pack is not None:
        if args.recipe == "vae":
            raise UsageError("--pack applies to the GAN recipes (gan, pacgan, wgan_gp), not vae.")
        if "packing" in overrides:
            raise UsageError("give the packing once: --pack or --set packing=..., not both.")
        overrides["packing"] = args.pack
    return overrides


def _summary(results):
    from keras_gans.applications.mode_collapse.lab import mean_and_error

    modes = mean_and_error([r["modes"] for r in results])
    hq = mean_and_error([100.0 * r["hq_share"] for r in results])
    kl = mean_and_error([r["reverse_kl"] for r in results])
    every = all(r["modes"] == r["num_modes"] for r in results)
    return (
        f"{len(results)} trials: modes {modes[0]:.1f} ± {modes[1]:.1f} / "
        f"{results[0]['num_modes']}, high quality {hq[0]:.1f}% ± {hq[1]:.1f}, "
        f"reverse KL {kl[0]:.3f} ± {kl[1]:.3f}; every mode in every trial: "
        f"{'yes' if every else 'no'}"
    )


def _kept(result):
    """What rejection sampling did, when a trial used it."""
    if result.get("acceptance_rate") is None:
        return ""
    return (
        f" (rejection sampling kept {100 * result['acceptance_rate']:.0f}% of draws; "
        f"the generator alone: {100 * result['generator_scores']['hq_share']:.1f}% high quality)"
    )


def _plain(value):
    """A JSON value: NaN (the reverse KL when no sample is of high quality) becomes null."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and math.isnan(value) else value


def _figure(results, target, path):
    from matplotlib import figure as mpl_figure

    fig = mpl_figure.Figure(figsize=(3.2 * len(results), 3.2))
    means = target.means
    for i, result in enumerate(results):
        ax = fig.add_subplot(1, len(results), i + 1)
        samples = result["samples"]
        if target.dim == 1:
            ax.hist(samples[:, 0], bins=100, color="0.4")
            for mean in means[:, 0]:
                ax.axvline(mean, color="tab:red", linewidth=0.8)
        else:
            ax.scatter(samples[:, 0], samples[:, 1], s=1, color="0.3", alpha=0.5)
            ax.scatter(means[:, 0], means[:, 1], s=20, marker="x", color="tab:red")
            ax.set_aspect("equal")
        ax.set_title(
            f"seed {result['seed']}: {result['modes']}/{result['num_modes']} modes, "
            f"{100 * result['hq_share']:.0f}% HQ",
            fontsize=8,
        )
    fig.tight_layout()
    common.write_atomically(path, lambda file: fig.savefig(file, format="png", dpi=100))


def run(args):
    common.check_output(args.out, "--out", (".png",), args.overwrite)
    common.check_output(args.json, "--json", (".json",), args.overwrite)
    overrides = _overrides(args)
    from keras_gans.cli import runtime

    runtime.import_tensorflow(args.verbose)
    from keras_gans.applications.mode_collapse import lab

    lab.settings(args.recipe, **overrides)  # a bad setting fails before any training
    target = lab.TARGETS[args.target]()
    results = []
    for trial in range(args.trials):
        seed = args.seed + trial
        result = lab.run_trial(
            args.recipe, target, args.epochs, seed, num_samples=args.num, **overrides
        )
        results.append(result)
        print(
            f"{args.target} {args.recipe} seed {seed}: {result['modes']}/{result['num_modes']} "
            f"modes, {100 * result['hq_share']:.1f}% high quality, reverse KL "
            f"{result['reverse_kl']:.3f}, {result['train_seconds']:.0f} s{_kept(result)}",
            flush=True,
        )
    print(_summary(results))
    if args.out:
        _figure(results, target, args.out)
        print(f"Wrote the samples of each trial to {args.out}")
    if args.json:
        keys = (
            "seed",
            "epochs_trained",
            "modes",
            "num_modes",
            "hq_share",
            "reverse_kl",
            "acceptance_rate",
        )
        record = {
            "target": args.target,
            "recipe": args.recipe,
            "epochs": args.epochs,
            "settings": results[0]["settings"],
            "trials": [
                {
                    **{key: _plain(r[key]) for key in keys},
                    "generator_scores": {k: _plain(v) for k, v in r["generator_scores"].items()},
                    "train_seconds": r["train_seconds"],
                }
                for r in results
            ],
        }
        common.save_text(args.json, json.dumps(record, indent=2, default=float) + "\n")
        print(f"Wrote the scores to {args.json}")
