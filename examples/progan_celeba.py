"""Grows a progressive GAN (ProGAN) from 4x4 to 64x64 CelebA faces in one training run.

Point it at a folder of CelebA's aligned and cropped images, or let TensorFlow Datasets
download `celeb_a`:

    python examples/progan_celeba.py --data=path/to/img_align_celeba --phase_images=100000

The networks start at 4x4; each resolution trains for `--phase_images` images, then the
next block fades in over as many. Sample grids (from the generator's weight average) are
written every epoch, upsampled to full size; the model is saved as a `.keras` file and
the final generator exported. Training backs itself up every `--backup_every` steps: if
the process dies, run the same command again and it goes on from the last backup, at the
same stage of growth.
"""

import os

import keras
from absl import app
from absl import flags

import keras_gans

FLAGS = flags.FLAGS
flags.DEFINE_string("data", "celeb_a", "A folder of JPEG/PNG faces, or the TFDS name celeb_a.")
# The central 108x108 square of CelebA's 178x218 images holds the face (54 for half size).
flags.DEFINE_integer("crop_size", 108, "Side of the central square cropped from each image.")
flags.DEFINE_integer("image_size", 64, "Side of the final images (a power of two).")
# "small" trains on a CPU; "paper" has the paper's widths (for GPUs).
flags.DEFINE_enum("size", "small", ["small", "paper"], "Width of the networks.")
# The paper used 600k-800k images per phase; a CPU run takes far fewer.
flags.DEFINE_integer("phase_images", 50_000, "Images per stable phase and per fade-in.")
flags.DEFINE_integer("extra_images", 0, "Images to train at full size after growing.")
# By default ProGAN's batch per resolution (128 up to 16x16, then 64, 32).
flags.DEFINE_integer("batch_size", None, "One batch size for every resolution.")
flags.DEFINE_integer("start", 0, "First file of a folder to train on.")
flags.DEFINE_integer("stop", None, "Train on the files before this one (folders only).")
flags.DEFINE_string("output_dir", "outputs/progan_celeba", "Samples and the .keras file.")
flags.DEFINE_string("export_dir", "saved_models/progan_celeba", "Where the generator goes.")
flags.DEFINE_integer("backup_every", 500, "Back up every N steps (0: after every epoch).")
flags.DEFINE_integer("seed", 0, "Seed of the weights, the noise and the data order.")


def main(argv):
    del argv
    keras.utils.set_random_seed(FLAGS.seed)
    gan = keras_gans.presets.progan(
        image_shape=(FLAGS.image_size, FLAGS.image_size, 3),
        size=FLAGS.size,
        stable_images=FLAGS.phase_images,
        transition_images=FLAGS.phase_images,
        batch_sizes={4: FLAGS.batch_size} if FLAGS.batch_size else None,
        seed=FLAGS.seed,
    )
    schedule = gan.schedule
    # Data batches of the largest batch of the schedule: each update takes the
    # images of its resolution's batch from them.
    data_batch = schedule.min_batch_size
    dataset = keras_gans.data.load_dataset(
        FLAGS.data,
        image_size=FLAGS.image_size,
        crop_size=FLAGS.crop_size,
        batch_size=data_batch,
        seed=FLAGS.seed,
        **({"start": FLAGS.start, "stop": FLAGS.stop} if os.path.isdir(FLAGS.data) else {}),
    )
    # Steps for the growth and the extra images, at the batch sizes of each phase.
    images = schedule.total_images() + FLAGS.extra_images
    final_batch = schedule.batch_size_at(FLAGS.image_size)
    steps = sum(
        -(-(2 * FLAGS.phase_images) // schedule.batch_size_at(r))
        for r in gan.generator.resolutions[:-1]
    ) + -(-(FLAGS.phase_images + FLAGS.extra_images) // final_batch)
    steps_per_epoch = int(dataset.cardinality())
    epochs = max(1, -(-steps // steps_per_epoch))
    print(f"Growing over {images:,} images: {steps:,} steps, {epochs} epochs of the data.")
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
    gan.save(os.path.join(FLAGS.output_dir, "progan_celeba.keras"))
    keras_gans.export_generator(gan, FLAGS.export_dir, overwrite=True)
    print(
        f"Level reached: {float(gan.generator.level.numpy()):.2f} of {gan.generator.num_blocks - 1}"
    )
    if samples.paths:  # none when a finished run is run again
        print(f"Samples: {samples.paths[-1]}")
    print(f"Generator exported to {FLAGS.export_dir}")


if __name__ == "__main__":
    app.run(main)
