"""How fast the lab's discriminators learn to tell the 2-D grid from a blurred copy of it.

The generator of a GAN on the grid of 25 Gaussians (std 0.05) first puts its samples
around the modes, not on them. This script trains only a discriminator, with the
non-saturating loss, to separate the grid's samples from a fixed "blurred grid" (the
same 25 centres with std `--blur`, 0.5 by default): the signal a discriminator must
pick up before its generator can sharpen. For each variant of `lab.discriminator`
(packing, Fourier features of each sample) it reports the loss and the mean
probabilities given to real and blurred samples after a number of steps, each step
on `--batch` packs of real and of blurred samples.

    python benchmarks/mode_lab_discriminator.py \
        --output=benchmarks/results/mode_lab_discriminator.json
"""

import argparse

import _common

# (name, packing, Fourier features, Fourier scale)
VARIANTS = (
    ("coordinates, unpacked", 1, 0, 1.0),
    ("coordinates, packing 4", 4, 0, 1.0),
    ("Fourier 128 (scale 1), packing 4", 4, 128, 1.0),
    ("Fourier 128 (scale 2), packing 4", 4, 128, 2.0),
)
# (learning rate, beta_1): the PacGAN experiments' Adam, and a 10x faster one.
OPTIMIZERS = ((1e-4, 0.8), (1e-3, 0.5))
CHECKPOINTS = (100, 500, 1000, 2000)


def run(args):
    import keras
    import numpy as np
    import tensorflow as tf

    from keras_gans.applications.mode_collapse import lab
    from keras_gans.applications.mode_collapse import targets

    grid = targets.grid_2d()
    means = np.asarray(grid.means, "float32")
    results = []
    for learning_rate, beta_1 in OPTIMIZERS:
        for name, packing, features, scale in VARIANTS:
            rng = np.random.default_rng(args.seed)

            def draw(std, n, rng=rng):
                picked = means[rng.integers(len(means), size=n)]
                return (picked + std * rng.normal(size=(n, 2))).astype("float32")

            keras.utils.set_random_seed(args.seed)
            discriminator = lab.discriminator(
                packing=packing, fourier_features=features, fourier_scale=scale, seed=args.seed
            )
            optimizer = keras.optimizers.Adam(learning_rate, beta_1=beta_1)

            @tf.function(jit_compile=True)
            def step(real, fake, discriminator=discriminator, optimizer=optimizer):
                with tf.GradientTape() as tape:
                    real_logits = discriminator(real, training=True)
                    fake_logits = discriminator(fake, training=True)
                    loss = tf.reduce_mean(tf.nn.softplus(-real_logits)) + tf.reduce_mean(
                        tf.nn.softplus(fake_logits)
                    )
                variables = discriminator.trainable_variables
                optimizer.apply(tape.gradient(loss, variables), variables)
                return (
                    loss,
                    tf.reduce_mean(tf.sigmoid(real_logits)),
                    tf.reduce_mean(tf.sigmoid(fake_logits)),
                )

            row = {"variant": name, "learning_rate": learning_rate, "beta_1": beta_1}
            n = args.batch * packing
            for i in range(1, max(CHECKPOINTS) + 1):
                loss, d_real, d_fake = step(draw(grid.std, n), draw(args.blur, n))
                if i in CHECKPOINTS:
                    row[f"step_{i}"] = {
                        "loss": float(loss),
                        "d_real": float(d_real),
                        "d_fake": float(d_fake),
                    }
            results.append(row)
            print(row, flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blur", type=float, default=0.5, help="std of the blurred grid")
    parser.add_argument("--batch", type=int, default=100, help="packs per step")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default=None, help="JSON file of the results")
    args = parser.parse_args()
    _common.quiet_tensorflow_logs()
    payload = {"environment": _common.environment(), "settings": vars(args)}
    payload["results"] = run(args)
    headers = ["discriminator", "Adam"]
    headers += [f"step {s}: loss, D(real), D(blurred)" for s in CHECKPOINTS]
    rows = []
    for r in payload["results"]:
        cells = [r["variant"], f"{r['learning_rate']:g}, beta_1 {r['beta_1']}"]
        for s in CHECKPOINTS:
            c = r[f"step_{s}"]
            cells.append(f"{c['loss']:.3f}, {c['d_real']:.2f}, {c['d_fake']:.2f}")
        rows.append(cells)
    print(_common.markdown_table(headers, rows))
    _common.write_json(args.output, payload)


if __name__ == "__main__":
    main()
