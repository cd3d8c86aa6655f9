"""Trains StyleGAN2 (or StyleGAN) on 64x64 CelebA faces and writes its signature figures.

Point it at a folder of CelebA's aligned and cropped images, or let TensorFlow Datasets
download `celeb_a`:

    python examples/stylegan_celeba.py --data=path/to/img_align_celeba --images=500000
    python examples/stylegan_celeba.py --style=adain ...   # StyleGAN's AdaIN generator
    python examples/stylegan_celeba.py --mixed_precision=bfloat16 ...  # CPUs with AMX

Writes, in `--output_dir`: a grid of samples every epoch (from the generator's weight
average), and at the end a style-mixing grid (rows take the coarse styles of one latent,
columns the fine styles of another), a truncation sweep (psi from 1 to 0 towards the
mean face), the `.keras` model and the exported generator (with `mapping` and
`synthesis` signatures). Training backs itself up every `--backup_every` steps: if the
process dies, run the same command again and it goes on from the last backup.
"""

import os

import keras
import numpy as np
from absl import app
from absl import flags

import keras_gans

FLAGS = flags.FLAGS
flags.DEFINE_string("data", "celeb_a", "A folder of JPEG/PNG faces, or the TFDS name celeb_a.")
# The central 108x108 square of CelebA's 178x218 images holds the face (54 for half size).
flags.DEFINE_integer("crop_size", 108, "Side of the central square cropped from each image.")
flags.DEFINE_integer("image_size", 64, "Side of the generated images (a power of two).")
flags.DEFINE_enum("style", "modulation", ["modulation", "adain"], "StyleGAN2 or StyleGAN.")
# "small" trains on a CPU; "paper" has the papers' widths (for GPUs).
flags.DEFINE_enum("size", "small", ["small", "paper"], "Width of the networks.")
flags.DEFINE_integer("images", 200_000, "Images to show the discriminator in all.")
# The papers' batch (and the minibatch standard deviation's groups of 4).
flags.DEFINE_integer("batch_size", 32, "Images per update.")
# Files of a folder, in sorted order, to train on: e.g. --stop=9500 holds out the rest.
flags.DEFINE_integer("start", 0, "First file of a folder to train on.")
flags.DEFINE_integer("stop", None, "Train on the files before this one (folders only).")
flags.DEFINE_string("output_dir", "outputs/stylegan_celeba", "Samples, figures, .keras file.")
flags.DEFINE_string("export_dir", "saved_models/stylegan_celeba", "Where the generator goes.")
flags.DEFINE_integer("backup_every", 500, "Back up every N steps (0: after every epoch).")
flags.DEFINE_integer("seed", 0, "Seed of the weights, the noise and the data order.")
# bfloat16 on CPUs with AVX512_BF16 or AMX (`lscpu` flags), float16 on GPUs: see the README.
flags.DEFINE_enum("mixed_precision", None, ["bfloat16", "float16"], "Mixed precision policy.")


def style_mixing_grid(gan, rows, columns, crossover):
    """Images whose first `crossover` styles come from `rows` and the rest from `columns`."""
    generator = gan.generator
    with gan.ema_weights():
        ws_rows = generator.mapping(rows).numpy()
        ws_columns = generator.mapping(columns).numpy()
        mixed = np.repeat(ws_rows[:, None], len(columns), axis=1)
        mixed[:, :, crossover:] = ws_columns[None, :, crossover:]
        images = generator.synthesis(mixed.reshape(-1, *ws_rows.shape[1:])).numpy()
        top = generator.synthesis(ws_columns).numpy()
        left = generator.synthesis(ws_rows).numpy()
    grid = np.full((len(rows) + 1, len(columns) + 1, *images.shape[1:]), -1.0, "float32")
    grid[0, 1:], grid[1:, 0] = top, left
    grid[1:, 1:] = images.reshape(len(rows), len(columns), *images.shape[1:])
    return grid.reshape(-1, *images.shape[1:])


def main(argv):
    del argv
    keras.utils.set_random_seed(FLAGS.seed)
    if FLAGS.mixed_precision:
        keras.mixed_precision.set_global_policy(f"mixed_{FLAGS.mixed_precision}")
    preset = (
        keras_gans.presets.stylegan2 if FLAGS.style == "modulation" else keras_gans.presets.stylegan
    )
    gan = preset(
        image_shape=(FLAGS.image_size, FLAGS.image_size, 3),
        size=FLAGS.size,
        batch_size=FLAGS.batch_size,
        seed=FLAGS.seed,
    )
    dataset = keras_gans.data.load_dataset(
        FLAGS.data,
        image_size=FLAGS.image_size,
        crop_size=FLAGS.crop_size,
        batch_size=FLAGS.batch_size,
        seed=FLAGS.seed,
        **({"start": FLAGS.start, "stop": FLAGS.stop} if os.path.isdir(FLAGS.data) else {}),
    )
    steps_per_epoch = int(dataset.cardinality())
    epochs = max(1, -(-FLAGS.images // (steps_per_epoch * FLAGS.batch_size)))
    samples = keras_gans.callbacks.SampleGrid(os.path.join(FLAGS.output_dir, "samples"))
    gan.fit(
        dataset,
        epochs=epochs,
        callbacks=[
            samples,
            keras_gans.callbacks.LossCurves(os.path.join(FLAGS.output_dir, "history.png")),
            keras.callbacks.BackupAndRestore(
                os.path.join(FLAGS.output_dir, "backup"),
                save_freq=FLAGS.backup_every or "epoch",
            ),
        ],
    )
    gan.save(os.path.join(FLAGS.output_dir, "stylegan_celeba.keras"))
    keras_gans.export_generator(gan, FLAGS.export_dir, overwrite=True)

    rng = np.random.default_rng(FLAGS.seed)
    rows = rng.standard_normal((4, gan.latent_dim)).astype("float32")
    columns = rng.standard_normal((6, gan.latent_dim)).astype("float32")
    # Coarse styles (4x4 and 8x8: the first four layers) from the rows.
    mixing = style_mixing_grid(gan, rows, columns, crossover=4)
    keras_gans.callbacks.save_image_grid(
        mixing, os.path.join(FLAGS.output_dir, "style_mixing.png"), len(columns) + 1
    )
    psis = np.linspace(1.0, 0.0, 6)
    sweep = np.concatenate([gan.generate(rows, truncation_psi=float(psi)) for psi in psis], axis=0)
    sweep = sweep.reshape(len(psis), len(rows), *sweep.shape[1:]).transpose(1, 0, 2, 3, 4)
    keras_gans.callbacks.save_image_grid(
        sweep.reshape(-1, *sweep.shape[2:]),
        os.path.join(FLAGS.output_dir, "truncation.png"),
        len(psis),
    )
    if samples.paths:  # none when a finished run is run again
        print(f"Samples: {samples.paths[-1]}")
    print(f"Figures: {FLAGS.output_dir}/style_mixing.png, {FLAGS.output_dir}/truncation.png")
    print(f"Generator exported to {FLAGS.export_dir}")


if __name__ == "__main__":
    app.run(main)
