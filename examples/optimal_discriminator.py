"""The discriminator a GAN trains against: the learned D(x) beside the optimal D*(x).

For a fixed generator of density p_g, the discriminator that maximises the GAN's value
function is D*(x) = p_data(x) / (p_data(x) + p_g(x)) (Goodfellow et al. 2014,
Proposition 1). This script freezes the generator, trains only the discriminator with
keras_gans' engine, and plots the two together on the 1-D mixture
0.5 N(2, 1) + 0.5 N(8, 1):

* against a generator collapsed onto one mode, N(2, 1), D* is 1/3 on that mode and
  close to 1 on the missed one: the discriminator points at what the generator lacks;
* against a generator whose samples follow the data exactly, D* is 1/2 everywhere, and
  the trained discriminator's D(G(z)) is near 1/2.

    python examples/optimal_discriminator.py

It prints a JSON report and writes a figure (docs/figures/optimal_discriminator.png).
"""

import json
import os

import matplotlib

matplotlib.use("Agg")  # files only, no display needed

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from absl import app  # noqa: E402
from absl import flags  # noqa: E402
from keras import ops  # noqa: E402

from keras_gans.applications import mode_collapse  # noqa: E402
from keras_gans.applications.mode_collapse import lab  # noqa: E402

FLAGS = flags.FLAGS
# 3,000 steps of 100 samples: the discriminator's curve no longer moves visibly.
flags.DEFINE_integer("steps", 3000, "Discriminator updates.")
# The batch of the PacGAN experiments.
flags.DEFINE_integer("batch_size", 100, "Real (and generated) samples per update.")
# Where the collapsed generator sits: the first mode of the mixture.
flags.DEFINE_float("collapsed_mean", 2.0, "Mean of the collapsed generator N(mean, 1).")
# D(x) is compared with D*(x) where both densities are above this value: elsewhere
# neither real nor generated samples reach, and nothing is learned.
flags.DEFINE_float("min_density", 0.01, "Smallest density of the compared points.")
flags.DEFINE_string("figure", "docs/figures/optimal_discriminator.png", "Figure path.")
flags.DEFINE_string("report", None, "Also write the report as JSON to this file.")
flags.DEFINE_integer("seed", 0, "Seed of the data, the weights and the noise.")


def discriminator_probability(model, x):
    """sigmoid(D(x)) of a trained model's discriminator on 1-D points."""
    logits = model.discriminator(np.asarray(x, "float32").reshape(-1, 1), training=False)
    return ops.convert_to_numpy(ops.sigmoid(logits)).ravel()


def main(argv):
    del argv
    target = mode_collapse.mixture_1d()
    collapsed = mode_collapse.GaussianMixture([[FLAGS.collapsed_mean]], std=1.0)
    x = np.linspace(-2.0, 12.0, 281)
    p_data = target.density(x)
    report = {"steps": FLAGS.steps, "batch_size": FLAGS.batch_size}

    # 1. A collapsed generator: D(x) against D*(x).
    model = lab.train_discriminator(
        target, lab.fixed_generator(collapsed), FLAGS.steps, FLAGS.seed, FLAGS.batch_size
    )
    p_g = collapsed.density(x)
    d_star = mode_collapse.optimal_discriminator(p_data, p_g)
    d_learned = discriminator_probability(model, x)
    compared = (p_data > FLAGS.min_density) & (p_g > FLAGS.min_density)
    report["collapsed"] = {
        "generator": f"N({FLAGS.collapsed_mean:g}, 1)",
        "compared_range": [float(x[compared].min()), float(x[compared].max())],
        "max_abs_error": round(float(np.max(np.abs(d_learned - d_star)[compared])), 4),
        "mean_abs_error": round(float(np.mean(np.abs(d_learned - d_star)[compared])), 4),
        "d_at_generator_mode": round(float(discriminator_probability(model, [2.0])[0]), 4),
        "d_star_at_generator_mode": round(
            float(
                mode_collapse.optimal_discriminator(
                    target.density([2.0]), collapsed.density([2.0])
                )[0]
            ),
            4,
        ),
        "d_at_missed_mode": round(float(discriminator_probability(model, [8.0])[0]), 4),
    }

    # 2. A generator whose samples follow the data: D* = 1/2.
    matched = lab.train_discriminator(
        target, lab.fixed_generator(target), FLAGS.steps, FLAGS.seed + 1, FLAGS.batch_size
    )
    d_matched = discriminator_probability(matched, x)
    fake = matched.generate(10_000, seed=FLAGS.seed)
    real = target.sample(10_000, seed=FLAGS.seed)
    report["matched"] = {
        "mean_d_fake": round(float(discriminator_probability(matched, fake).mean()), 4),
        "mean_d_real": round(float(discriminator_probability(matched, real).mean()), 4),
        "max_abs_deviation_from_half": round(
            float(np.max(np.abs(d_matched - 0.5)[p_data > FLAGS.min_density])), 4
        ),
    }

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(6.0, 5.0), sharex=True)
    top.plot(x, p_data, color="black", label="p_data")
    top.plot(x, p_g, color="tab:red", label=f"p_g = N({FLAGS.collapsed_mean:g}, 1)")
    top.set_ylabel("density")
    top.legend(frameon=False)
    bottom.plot(x, d_star, color="black", label="D* (collapsed G)")
    bottom.plot(x, d_learned, color="tab:red", linestyle="--", label="trained D (collapsed G)")
    bottom.plot(x, d_matched, color="tab:blue", linestyle=":", label="trained D (p_g = p_data)")
    bottom.axhline(0.5, color="grey", linewidth=0.5)
    bottom.set_ylim(-0.02, 1.02)
    bottom.set_xlabel("x")
    bottom.set_ylabel("D(x)")
    bottom.legend(frameon=False, fontsize="small", loc="center right")
    figure.tight_layout()
    if os.path.dirname(FLAGS.figure):
        os.makedirs(os.path.dirname(FLAGS.figure), exist_ok=True)
    figure.savefig(FLAGS.figure, dpi=90)
    report["figure"] = FLAGS.figure

    print(json.dumps(report, indent=2))
    if FLAGS.report:
        with open(FLAGS.report, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    app.run(main)
