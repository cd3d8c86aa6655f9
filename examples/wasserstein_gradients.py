"""Why a saturated discriminator stops teaching: gradients for generated samples, GAN vs WGAN-GP.

Two 1-D distributions that do not overlap, the data N(0, 0.1^2) and a fixed generator
N(3, 0.1^2). Against it the script trains, with keras_gans' engine:

* a discriminator with the cross-entropy loss: it separates the two perfectly and
  saturates, D(x) -> 0 on the generated samples, so the gradient of the original
  (minimax) generator loss log(1 - D(x)) with respect to a generated sample vanishes;
* a WGAN-GP critic (Wasserstein loss and gradient penalty 10): it is pushed towards a
  1-Lipschitz function with slope about 1 between the two distributions, so its
  gradient at the generated samples keeps its size.

On the line the two-sided penalty (||f'|| - 1)^2 has two wells, slopes +1 and -1, with a
barrier of height `gradient_penalty` at slope 0 between them: a critic whose slope starts
with the wrong sign stays there, higher on the generated samples than on the data, and
points the generator away from the data (in two or more dimensions the gradient can turn
round instead). The critic is therefore trained with the one-sided penalty
max(0, ||f'|| - 1)^2 by default (Petzka et al. 2018); `--one_sided=false` shows the trap.

It also reports the gradient of the non-saturating generator loss -log D(x), which does
not vanish with D(x) but follows the slope of the logits. The figure shows D(x), the
critic and the gradient magnitudes on a log scale:

    python examples/wasserstein_gradients.py

Reference: Arjovsky et al., "Wasserstein GAN", ICML 2017 (figure 2); Gulrajani et al.,
"Improved Training of Wasserstein GANs", NeurIPS 2017; Petzka et al., "On the
regularization of Wasserstein GANs", ICLR 2018.
"""

import json
import os

import matplotlib

matplotlib.use("Agg")  # files only, no display needed

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from keras_gans.applications import mode_collapse  # noqa: E402
from keras_gans.applications.mode_collapse import lab  # noqa: E402

FLAGS = flags.FLAGS
# Far apart compared with their width (30 std): no overlap at all.
flags.DEFINE_float("data_mean", 0.0, "Mean of the data N(mean, std^2).")
flags.DEFINE_float("generator_mean", 3.0, "Mean of the fixed generator N(mean, std^2).")
flags.DEFINE_float("std", 0.1, "Std of both distributions.")
# Enough updates for the cross-entropy discriminator to saturate.
flags.DEFINE_integer("steps", 2000, "Updates of each discriminator.")
# The WGAN-GP paper's weight.
flags.DEFINE_float("gradient_penalty", 10.0, "Weight of the critic's gradient penalty.")
# One-sided: no barrier at slope 0 on the line (see above).
flags.DEFINE_bool("one_sided", True, "Penalise only gradient norms above 1.")
flags.DEFINE_string("figure", "docs/figures/wasserstein_gradients.png", "Figure path.")
flags.DEFINE_string("report", None, "Also write the report as JSON to this file.")
flags.DEFINE_integer("seed", 0, "Seed of the data, the weights and the noise.")


def outputs_and_gradients(model, x):
    """The discriminator's outputs on 1-D points and their derivatives in x."""
    x = tf.constant(np.asarray(x, "float32").reshape(-1, 1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        outputs = model.discriminator(x, training=False)
    gradients = tape.gradient(outputs, x)
    return outputs.numpy().ravel(), gradients.numpy().ravel()


def main(argv):
    del argv
    data = mode_collapse.GaussianMixture([[FLAGS.data_mean]], FLAGS.std)
    generated = mode_collapse.GaussianMixture([[FLAGS.generator_mean]], FLAGS.std)
    generator = lab.fixed_generator(generated)
    gan = lab.train_discriminator(data, generator, FLAGS.steps, FLAGS.seed, loss="minimax")
    wgan = lab.train_discriminator(
        data,
        generator,
        FLAGS.steps,
        FLAGS.seed,
        loss="wasserstein",
        gradient_penalty=FLAGS.gradient_penalty,
        one_sided=FLAGS.one_sided,
    )

    x = np.linspace(FLAGS.data_mean - 1.0, FLAGS.generator_mean + 1.0, 401)
    logits, logit_slopes = outputs_and_gradients(gan, x)
    d = 1.0 / (1.0 + np.exp(-logits))
    # d/dx log(1 - D(x)) = -D(x) * logit'(x);  d/dx -log D(x) = -(1 - D(x)) * logit'(x).
    minimax = np.abs(d * logit_slopes)
    non_saturating = np.abs((1.0 - d) * logit_slopes)
    critic, critic_slopes = outputs_and_gradients(wgan, x)

    samples = generated.sample(2000, seed=FLAGS.seed)
    fake_logits, fake_slopes = outputs_and_gradients(gan, samples)
    fake_d = 1.0 / (1.0 + np.exp(-fake_logits))
    _, fake_critic_slopes = outputs_and_gradients(wgan, samples)
    _, real_critic_slopes = outputs_and_gradients(wgan, data.sample(2000, seed=FLAGS.seed))
    report = {
        "data": f"N({FLAGS.data_mean:g}, {FLAGS.std:g}^2)",
        "generator": f"N({FLAGS.generator_mean:g}, {FLAGS.std:g}^2)",
        "steps": FLAGS.steps,
        "at_generated_samples": {
            "mean_d": float(fake_d.mean()),
            "mean_abs_grad_minimax_loss": float(np.abs(fake_d * fake_slopes).mean()),
            "mean_abs_grad_non_saturating_loss": float(np.abs((1 - fake_d) * fake_slopes).mean()),
            "mean_abs_grad_critic": float(np.abs(fake_critic_slopes).mean()),
        },
        "critic_abs_grad_at_real_samples": float(np.abs(real_critic_slopes).mean()),
        "one_sided_penalty": FLAGS.one_sided,
        # Positive when the critic ranks the data above the generated samples.
        "critic_real_minus_fake": float(
            outputs_and_gradients(wgan, [FLAGS.data_mean])[0][0]
            - outputs_and_gradients(wgan, [FLAGS.generator_mean])[0][0]
        ),
    }

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(6.0, 5.0), sharex=True)
    for mean, color, label in (
        (FLAGS.data_mean, "black", "data"),
        (FLAGS.generator_mean, "tab:red", "generated"),
    ):
        top.axvspan(mean - 3 * FLAGS.std, mean + 3 * FLAGS.std, color=color, alpha=0.15)
        top.text(mean, 1.05, label, ha="center", color=color)
    top.plot(x, d, color="tab:orange", label="GAN discriminator D(x)")
    span = (critic.max() - critic.min()) or 1.0
    top.plot(
        x,
        (critic - critic.min()) / span,
        color="tab:blue",
        label="WGAN-GP critic (scaled to [0, 1])",
    )
    top.set_ylim(-0.05, 1.2)
    top.legend(frameon=False, fontsize="small", loc="center left")
    tiny = 1e-12  # the floor of the log scale
    bottom.semilogy(x, np.maximum(minimax, tiny), color="tab:orange", label="|d/dx log(1 - D)|")
    bottom.semilogy(
        x,
        np.maximum(non_saturating, tiny),
        color="tab:orange",
        linestyle=":",
        label="|d/dx -log D|",
    )
    bottom.semilogy(
        x, np.maximum(np.abs(critic_slopes), tiny), color="tab:blue", label="|d/dx critic|"
    )
    bottom.set_xlabel("x")
    bottom.set_ylabel("gradient magnitude")
    bottom.legend(frameon=False, fontsize="small")
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
