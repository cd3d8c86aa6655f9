"""The mode-collapse lab: GAN, WGAN-GP, PacGAN and a VAE on the 2-D ring and grid.

Trains each recipe of `keras_gans.applications.mode_collapse.lab` on each target for
several trials (seeds 0, 1, ...), scores 2,500 samples of each trial with the VEEGAN and
PacGAN protocol (modes captured, share of high-quality samples within 3 std of a mode,
reverse KL of the mode histogram), and writes:

* `trials.jsonl`: one line per trial, appended as soon as it finishes; a run started
  again with the same flags skips the trials already there;
* `table.md` and `table.json`: the mean and standard error over trials of every score
  and of the training time;
* figures of samples over training (the first trial of each recipe), one per target,
  drawn from the first trial's snapshots, kept in `snapshots/` so a resumed run redraws
  them without training that trial again; a recipe with `rejection_quantile` gets a last
  column of the samples rejection sampling kept;
* with `--save_models`, each trial it trains as `models/TARGET_RECIPE_seedS_KEY.keras`
  (the model when training ended: `keras.models.load_model(path).generate(N, seed=S + 1)`,
  N the `--num_samples`, draws the generator's scored samples again), KEY naming the
  training settings only. A later run with `--save_models` that changes only how trials
  are scored (`lab.SCORING_SETTINGS`: rejection sampling's quantile, calibration,
  packmates) scores the saved models of the trials in `trials.jsonl` again instead of
  training them, and logs those trials with `"scored_from"` (the model's file) and the
  training's time. Trials already done are not trained again for it.

    python examples/mode_collapse.py                     # the lab's measurements
    python examples/mode_collapse.py --trials=1 --epochs=2 --targets=ring_2d

Change a recipe's setting with `--set`, e.g. `--set=pacgan.packing=2`
`--set=gan.learning_rate=2e-4` (the settings are `lab.RECIPES`).
"""

import ast
import hashlib
import json
import os

import matplotlib

matplotlib.use("Agg")  # files only, no display needed

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from keras_gans.applications.mode_collapse import lab  # noqa: E402

FLAGS = flags.FLAGS
# The four recipes of the lab.
flags.DEFINE_list("recipes", ["gan", "wgan_gp", "pacgan", "vae"], "Recipes to train.")
# The two 2-D targets of VEEGAN and PacGAN.
flags.DEFINE_list("targets", ["ring_2d", "grid_2d"], "Targets to train on.")
# Five trials give a mean and its standard error (PacGAN reports ten).
flags.DEFINE_integer("trials", 5, "Trials (seeds) per recipe and target.")
# The lab's budget; the PacGAN experiments train for 400 epochs.
flags.DEFINE_integer("epochs", 40, "Epochs of 100,000 examples per trial.")
# The published tables score 2,500 samples.
flags.DEFINE_integer("num_samples", 2500, "Samples scored per trial.")
# Epochs of the figures of samples over training (at most the trained epochs).
flags.DEFINE_list("snapshot_epochs", ["1", "5", "10", "20", "40"], "Epochs shown in figures.")
flags.DEFINE_multi_string("set", [], "A recipe's setting, recipe.name=value; repeatable.")
flags.DEFINE_string("output_dir", "outputs/mode_collapse", "Where the table and trials go.")
# The figures are small PNGs meant for the documentation.
flags.DEFINE_string("figure_dir", None, "Where the figures go; defaults to --output_dir.")
flags.DEFINE_integer("first_seed", 0, "Seed of the first trial; trial i uses first_seed + i.")
flags.DEFINE_bool("save_models", False, "Also save each trial's trained model in models/.")


def overrides():
    """`--set` as {recipe: {setting: value}}."""
    result = {}
    for item in FLAGS.set:
        key, _, value = item.partition("=")
        recipe, _, name = key.partition(".")
        if not value or not name or recipe not in lab.RECIPES:
            raise app.UsageError(f"--set takes recipe.name=value. Received: {item!r}")
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            parsed = value
        result.setdefault(recipe, {})[name] = parsed
    return result


# The snapshot of the samples discriminator rejection sampling kept after training.
KEPT = "kept"


def made_by(*parts):
    """A short key of what made a file, for its name."""
    text = json.dumps(list(parts), sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def snapshot_path(target_name, recipe, seed, config, snapshot_epochs):
    """Where the first trial's samples over training are kept, named by what made them."""
    key = made_by(FLAGS.epochs, FLAGS.num_samples, snapshot_epochs, config)
    return os.path.join(
        FLAGS.output_dir, "snapshots", f"{target_name}_{recipe}_seed{seed}_{key}.npz"
    )


def model_path(target_name, recipe, seed, config):
    """Where `--save_models` puts a trial's trained model, named by its training settings."""
    key = made_by(FLAGS.epochs, lab.training_settings(config))
    return os.path.join(
        FLAGS.output_dir, "models", f"{target_name}_{recipe}_seed{seed}_{key}.keras"
    )


# What a trial scored again from its saved model takes from the logged training.
TRAINING_KEYS = (
    "recipe",
    "target",
    "seed",
    "epochs",
    "epochs_trained",
    "train_seconds",
    "final_logs",
)


def trained_before(done, target_name, recipe, seed, config, snapshot_epochs):
    """A logged training of this trial whose saved model can be scored again, or None.

    With `--save_models`: a trial of `done` with the same training settings
    (it may differ in `lab.SCORING_SETTINGS`) whose model is in `models/`.
    Returns (its record, the model's path, its samples over training or None).
    """
    if not FLAGS.save_models:
        return None
    saved = model_path(target_name, recipe, seed, config)
    if not os.path.exists(saved):
        return None
    training = json.loads(json.dumps(lab.training_settings(config)))
    for earlier in done:
        if (earlier["target"], earlier["recipe"], earlier["seed"], earlier["epochs"]) != (
            target_name,
            recipe,
            seed,
            FLAGS.epochs,
        ) or lab.training_settings(earlier["settings"]) != training:
            continue
        earlier_path = snapshot_path(
            target_name, recipe, seed, earlier["settings"], snapshot_epochs
        )
        return earlier, saved, load_snapshots(earlier_path)
    return None


def load_snapshots(path):
    """Samples by epoch, and under `KEPT` those rejection sampling kept at the end."""
    if not os.path.exists(path):
        return None
    with np.load(path) as stored:
        return {
            name if name == KEPT else int(name.split("_")[1]): stored[name] for name in stored.files
        }


def save_snapshots(path, snapshots):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    staging = path + ".partial.npz"
    named = {key if key == KEPT else f"epoch_{key}": v for key, v in snapshots.items()}
    np.savez(staging, **named)
    os.replace(staging, path)


def summarise(trials):
    """One row per (target, recipe): mean and standard error of each score."""
    rows = []
    keys = sorted({(t["target"], t["recipe"]) for t in trials})
    for target, recipe in keys:
        group = [t for t in trials if t["target"] == target and t["recipe"] == recipe]
        row = {"target": target, "recipe": recipe, "trials": len(group)}
        row["num_modes"] = group[0]["num_modes"]
        row["epochs"] = group[0]["epochs"]
        row["all_modes_in_every_trial"] = all(t["modes"] == t["num_modes"] for t in group)
        row["min_hq_share"] = min(t["hq_share"] for t in group)
        for name in ("modes", "hq_share", "reverse_kl", "train_seconds"):
            row[name], row[name + "_se"] = lab.mean_and_error([t[name] for t in group])
        # With rejection sampling: the generator's own samples, and the share kept.
        plain = [t.get("generator_scores") or t for t in group]
        row["generator_hq_share"], row["generator_hq_share_se"] = lab.mean_and_error(
            [p["hq_share"] for p in plain]
        )
        rates = [t.get("acceptance_rate") for t in group]
        row["acceptance_rate"] = None if None in rates else float(np.mean(rates))
        row["settings"] = group[0]["settings"]
        rows.append(row)
    return rows


def markdown(rows):
    lines = [
        "| target | recipe | trials | epochs | modes | high quality | reverse KL | "
        "all modes, every trial | time per trial (s) | generator alone: high quality "
        "(share kept by rejection sampling) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        kept = row["acceptance_rate"]
        alone = (
            f"{100 * row['generator_hq_share']:.1f}% ± {100 * row['generator_hq_share_se']:.1f} "
            f"({100 * kept:.2g}% kept)"
            if kept is not None
            else "no rejection sampling"
        )
        lines.append(
            f"| {row['target']} | {row['recipe']} | {row['trials']} | {row['epochs']} | "
            f"{row['modes']:.1f} ± {row['modes_se']:.1f} / {row['num_modes']} | "
            f"{100 * row['hq_share']:.1f}% ± {100 * row['hq_share_se']:.1f} | "
            f"{row['reverse_kl']:.3f} ± {row['reverse_kl_se']:.3f} | "
            f"{'yes' if row['all_modes_in_every_trial'] else 'no'} | "
            f"{row['train_seconds']:.0f} ± {row['train_seconds_se']:.0f} | {alone} |"
        )
    return "\n".join(lines) + "\n"


def figure(target, snapshots, path):
    """Samples over training: one row per recipe, one column per snapshot epoch.

    A last column shows the samples rejection sampling kept, for recipes that use it.
    """
    recipes = [r for r in FLAGS.recipes if r in snapshots]
    epochs = sorted({e for r in recipes for e in snapshots[r] if e != KEPT})
    if any(KEPT in snapshots[r] for r in recipes):
        epochs.append(KEPT)
    if not recipes or not epochs:
        return
    grid, axes = plt.subplots(
        len(recipes),
        len(epochs),
        figsize=(1.6 * len(epochs), 1.6 * len(recipes)),
        squeeze=False,
    )
    means = np.asarray(target.means)
    low, high = means.min(axis=0) - 1.0, means.max(axis=0) + 1.0
    for i, recipe in enumerate(recipes):
        for j, epoch in enumerate(epochs):
            axis = axes[i][j]
            points = snapshots[recipe].get(epoch)
            axis.scatter(means[:, 0], means[:, 1], s=6, color="tab:red", marker="x", lw=0.6)
            if points is not None:
                axis.scatter(points[:, 0], points[:, 1], s=0.5, color="black", alpha=0.3)
            axis.set_xlim(low[0], high[0])
            axis.set_ylim(low[1], high[1])
            axis.set_xticks([])
            axis.set_yticks([])
            if i == 0:
                title = "kept by rejection" if epoch == KEPT else f"epoch {epoch}"
                axis.set_title(title, fontsize=8)
            if j == 0:
                axis.set_ylabel(recipe, fontsize=8)
    grid.tight_layout(pad=0.3)
    grid.savefig(path, dpi=80)
    plt.close(grid)


def main(argv):
    del argv
    settings = overrides()
    os.makedirs(FLAGS.output_dir, exist_ok=True)
    figure_dir = FLAGS.figure_dir or FLAGS.output_dir
    os.makedirs(figure_dir, exist_ok=True)
    log_path = os.path.join(FLAGS.output_dir, "trials.jsonl")
    done = []
    if os.path.exists(log_path):
        with open(log_path) as f:
            done = [json.loads(line) for line in f if line.strip()]
    snapshot_epochs = [int(e) for e in FLAGS.snapshot_epochs if int(e) <= FLAGS.epochs]

    trials = []
    for target_name in FLAGS.targets:
        target = lab.TARGETS[target_name]()
        snapshots = {}
        for recipe in FLAGS.recipes:
            for trial in range(FLAGS.trials):
                seed = FLAGS.first_seed + trial
                config = lab.settings(recipe, **settings.get(recipe, {}))
                previous = [
                    t
                    for t in done
                    if (t["target"], t["recipe"], t["seed"], t["epochs"], t["settings"])
                    == (target_name, recipe, seed, FLAGS.epochs, json.loads(json.dumps(config)))
                ]
                # Figures need the samples of the first trial over training: it is
                # trained again only if they were not kept.
                first = trial == 0 and snapshot_epochs
                kept = None
                if first:
                    kept_path = snapshot_path(target_name, recipe, seed, config, snapshot_epochs)
                    kept = load_snapshots(kept_path)
                if previous and (not first or kept is not None):
                    trials.append(previous[0])
                    if first:
                        snapshots[recipe] = kept
                    continue
                trained = trained_before(done, target_name, recipe, seed, config, snapshot_epochs)
                if trained is not None:
                    earlier, saved, earlier_snapshots = trained
                    print(f"{target_name} {recipe} seed {seed}: scoring {saved}", flush=True)
                    result = lab.score_trial(
                        keras.models.load_model(saved),
                        recipe,
                        target,
                        seed,
                        FLAGS.num_samples,
                        **settings.get(recipe, {}),
                    )
                    result.update(
                        {k: earlier[k] for k in TRAINING_KEYS},
                        settings=config,
                        scored_from=os.path.basename(saved),
                        snapshots=earlier_snapshots or {},
                    )
                else:
                    result = lab.run_trial(
                        recipe,
                        target,
                        epochs=FLAGS.epochs,
                        seed=seed,
                        num_samples=FLAGS.num_samples,
                        snapshot_epochs=snapshot_epochs if first else (),
                        save_path=(
                            model_path(target_name, recipe, seed, config)
                            if FLAGS.save_models
                            else None
                        ),
                        **settings.get(recipe, {}),
                    )
                    result["final_logs"] = {k: v[-1] for k, v in result.pop("history").items()}
                if first:
                    snapshots[recipe] = {k: v for k, v in result["snapshots"].items() if k != KEPT}
                    if result.get("acceptance_rate") is not None:
                        snapshots[recipe][KEPT] = result["samples"]
                    save_snapshots(kept_path, snapshots[recipe])
                record = {k: v for k, v in result.items() if k not in ("samples", "snapshots")}
                record = json.loads(json.dumps(record))
                trials.append(record)
                print(
                    f"{target_name} {recipe} seed {seed}: {record['modes']}/{record['num_modes']} "
                    f"modes, {100 * record['hq_share']:.1f}% high quality, reverse KL "
                    f"{record['reverse_kl']:.3f}, {record['train_seconds']:.0f} s",
                    flush=True,
                )
                if not previous:
                    with open(log_path, "a") as f:
                        f.write(json.dumps(record) + "\n")
        figure(target, snapshots, os.path.join(figure_dir, f"mode_collapse_{target_name}.png"))

    rows = summarise(trials)
    with open(os.path.join(FLAGS.output_dir, "table.json"), "w") as f:
        json.dump(rows, f, indent=2)
    table = markdown(rows)
    with open(os.path.join(FLAGS.output_dir, "table.md"), "w") as f:
        f.write(table)
    print(table)


if __name__ == "__main__":
    app.run(main)
