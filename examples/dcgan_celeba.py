"""Trains the DCGAN of Radford et al. (2016) on 64x64 CelebA faces.

Point it at a folder of CelebA's aligned and cropped images, or let TensorFlow Datasets
download `celeb_a`:

    python examples/dcgan_celeba.py --data=path/to/img_align_celeba --epochs=5
    python examples/dcgan_celeba.py --data=celeb_a --epochs=5

Sample grids are written after every epoch, the trained GAN is saved as a `.keras` file
(train it further with `--resume`) and the generator is exported as a SavedModel.
Training backs itself up every `--backup_every` steps: if the process dies, run the same
command again and it goes on from the last backup, to the result the uninterrupted run
would have had (without `--steps_per_epoch`, which replays whole epochs).
"""

import os

import keras
from absl import app
from absl import flags

import keras_gans

FLAGS = flags.FLAGS
flags.DEFINE_string("data", "celeb_a", "A folder of JPEG/PNG faces, or the TFDS name celeb_a.")
# CelebA's aligned images are 178x218: the central 108x108 square holds the face, the
# crop of most DCGAN-on-CelebA code. Use 54 for half-size copies of the images.
flags.DEFINE_integer("crop_size", 108, "Side of the central square cropped from each image.")
flags.DEFINE_integer("image_size", 64, "Side of the generated images (32 to 256, power of 2).")
flags.DEFINE_integer("epochs", 5, "Passes over the data.")
flags.DEFINE_integer("steps_per_epoch", None, "Limit the steps of an epoch (short runs).")
# The paper's batch size, latent size, width and optimiser.
flags.DEFINE_integer("batch_size", 128, "Images per step.")
flags.DEFINE_integer("latent_dim", 100, "Size of the latent vector z.")
flags.DEFINE_integer("base_filters", 64, "Filters of the first discriminator layer.")
flags.DEFINE_float("learning_rate", 2e-4, "Adam learning rate of both players.")
# DiffAugment keeps the discriminator from memorising a small training set.
flags.DEFINE_float("ema_momentum", None, "Keep an average of the generator's weights (e.g. 0.999).")
flags.DEFINE_integer("start", 0, "First file of a folder to train on.")
flags.DEFINE_integer("stop", None, "Train on the files before this one (folders only).")
flags.DEFINE_string("augment", None, "DiffAugment policy, e.g. 'color,translation,cutout'.")
flags.DEFINE_string("output_dir", "outputs/dcgan_celeba", "Sample grids and the .keras file.")
flags.DEFINE_string("export_dir", "saved_models/dcgan_celeba", "Where the generator goes.")
flags.DEFINE_bool("resume", False, "Continue from the .keras file in --output_dir.")
flags.DEFINE_integer("backup_every", 500, "Back up every N steps (0: after every epoch).")
flags.DEFINE_integer("seed", 0, "Seed of the weights, the noise and the data order.")


def build_gan():
    shape = (FLAGS.image_size, FLAGS.image_size, 3)
    gan = keras_gans.AdversarialModel(
        keras_gans.architectures.DCGANGenerator(
            latent_dim=FLAGS.latent_dim, image_shape=shape, base_filters=FLAGS.base_filters
        ),
        keras_gans.architectures.DCGANDiscriminator(
            image_shape=shape, base_filters=FLAGS.base_filters
        ),
        seed=FLAGS.seed,
    )
    gan.compile(
        g_optimizer=_generator_optimizer(),
        d_optimizer=keras.optimizers.Adam(FLAGS.learning_rate, beta_1=0.5),
        loss="non_saturating",
        augmentation=FLAGS.augment,
    )
    return gan


def main(argv):
    del argv
    keras.utils.set_random_seed(FLAGS.seed)
    # Faces only: CelebA's 40 attributes are not labels of a class.
    dataset = keras_gans.data.load_dataset(
        FLAGS.data,
        image_size=FLAGS.image_size,
        crop_size=FLAGS.crop_size,
        batch_size=FLAGS.batch_size,
        seed=FLAGS.seed,
        # Hold files out of training, e.g. the last ones for inpainting tests.
        **({"start": FLAGS.start, "stop": FLAGS.stop} if os.path.isdir(FLAGS.data) else {}),
    )
    checkpoint = os.path.join(FLAGS.output_dir, "dcgan_celeba.keras")
    gan = keras.models.load_model(checkpoint) if FLAGS.resume else build_gan()
    if FLAGS.ema_momentum and not gan.uses_ema:
        # Start averaging a resumed model: a new generator optimizer, the
        # discriminator's kept.
        gan.compile(g_optimizer=_generator_optimizer(), d_optimizer=gan.d_optimizer)
    samples = keras_gans.callbacks.SampleGrid(os.path.join(FLAGS.output_dir, "samples"))
    gan.fit(
        dataset,
        epochs=FLAGS.epochs,
        steps_per_epoch=FLAGS.steps_per_epoch,
        callbacks=[
            samples,
            keras.callbacks.ModelCheckpoint(checkpoint),
            keras.callbacks.BackupAndRestore(
                os.path.join(FLAGS.output_dir, "backup"),
                save_freq=FLAGS.backup_every or "epoch",
            ),
        ],
    )
    keras_gans.export_generator(gan, FLAGS.export_dir, overwrite=True)
    if samples.paths:  # none when a finished run is run again
        print(f"Samples: {samples.paths[-1]}")
    print(f"Generator exported to {FLAGS.export_dir}")


def _generator_optimizer():
    if FLAGS.ema_momentum:
        return keras.optimizers.Adam(
            FLAGS.learning_rate, beta_1=0.5, use_ema=True, ema_momentum=FLAGS.ema_momentum
        )
    return keras.optimizers.Adam(FLAGS.learning_rate, beta_1=0.5)


if __name__ == "__main__":
    app.run(main)
