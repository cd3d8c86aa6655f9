"""Trains a DCGAN on MNIST digits, writes sample grids and exports the generator.

With no flags it trains on the 5,000 MNIST digits bundled with keras_gans, so it
runs offline in a few minutes on a laptop CPU:

    python examples/dcgan_mnist.py

Train on the full set (a `.npz` file with Keras' MNIST keys, or the TFDS name):

    python examples/dcgan_mnist.py --data=path/to/mnist.npz --epochs=20
    python examples/dcgan_mnist.py --data=mnist --epochs=20

Add `--conditional` for a conditional DCGAN that draws the digit you ask for, or
`--clusters=200` for an unconditional generator trained without labels on 200 k-means
clusters of the images (self-conditioning; it draws far fewer broken digits), and
`--balance_classes` to draw every digit equally often though the data's are uneven (the
labels then weight the clusters at export, by their contents and by how a classifier
trained on the labels reads the generator's samples; training never sees them):

    python examples/dcgan_mnist.py --data=path/to/mnist.npz --clusters=200 --epochs=24 \
        --ema_momentum=0.999 --balance_classes

`--resume --epochs=0` exports a trained model again without training it, e.g. to add
`--balance_classes` to a finished run.

Training backs itself up after every epoch (or every `--backup_every` steps): if the
process dies, run the same command again and it goes on from the last backup, to the
result the uninterrupted run would have had.
"""

import json
import os

import keras
import numpy as np
from absl import app
from absl import flags

import keras_gans

FLAGS = flags.FLAGS
# The bundled sample: no download, 500 digits of each class.
flags.DEFINE_string("data", "mnist_sample", "'mnist_sample', a .npz file, a folder or a TFDS name.")
# 15 epochs of the bundled sample (about 1,200 steps) already draw digit shapes.
flags.DEFINE_integer("epochs", 15, "Passes over the data (0 with --resume: export only).")
# Half the DCGAN paper's 128: twice the steps per epoch on the small sample.
flags.DEFINE_integer("batch_size", 64, "Images per step.")
# 64 latent dimensions are plenty for 28x28 digits and keep the export small.
flags.DEFINE_integer("latent_dim", 64, "Size of the latent vector z.")
# The paper's width; halve it for a faster, weaker model.
flags.DEFINE_integer("base_filters", 64, "Filters of the widest-resolution conv layers.")
flags.DEFINE_bool("conditional", False, "Condition both networks on the digit label.")
# Self-conditioning: a conditional GAN on unsupervised clusters, exported unconditional.
flags.DEFINE_integer("clusters", 0, "Train on this many k-means clusters of the images (0: off).")
# Uneven classes (MNIST: 11% ones, 9% fives) come out uneven unless the export reweights them.
flags.DEFINE_bool(
    "balance_classes",
    False,
    "With --clusters: draw every class of the data's labels equally often.",
)
# Adam with the DCGAN paper's settings.
flags.DEFINE_float("learning_rate", 2e-4, "Adam learning rate of both players.")
# The discriminator's recipe: DCGAN's batch norm, or no normalisation with a penalty or
# spectral normalisation, which train steadier discriminators.
flags.DEFINE_enum("loss", "non_saturating", sorted(keras_gans.losses.LOSSES), "Adversarial loss.")
flags.DEFINE_enum("d_normalization", "batch", ["batch", "layer", "none"], "Discriminator norm.")
flags.DEFINE_bool("spectral_norm", False, "Spectrally normalise the discriminator's layers.")
flags.DEFINE_float("r1_gamma", 0.0, "Weight of the R1 penalty on real digits (0: none).")
# DiffAugment keeps the discriminator from memorising a small training set.
flags.DEFINE_string("augment", None, "DiffAugment policy, e.g. 'color,translation,cutout'.")
# A moving average of the generator's weights gives cleaner samples (ProGAN, StyleGAN).
flags.DEFINE_float("ema_momentum", None, "Keep an average of the generator's weights (e.g. 0.999).")
flags.DEFINE_bool("resume", False, "Continue training the .keras file in --output_dir.")
flags.DEFINE_integer("backup_every", 0, "Back up every N steps (0: after every epoch).")
flags.DEFINE_string("output_dir", "outputs/dcgan_mnist", "Where sample grids are written.")
flags.DEFINE_string("export_dir", "saved_models/dcgan_mnist", "Where the generator is exported.")
flags.DEFINE_integer("seed", 0, "Seed of the weights, the noise and the data order.")


def main(argv):
    del argv
    keras.utils.set_random_seed(FLAGS.seed)
    dataset = keras_gans.data.load_dataset(FLAGS.data, batch_size=FLAGS.batch_size, seed=FLAGS.seed)
    checkpoint = os.path.join(FLAGS.output_dir, "dcgan_mnist.keras")
    clusters = None
    labelled = dataset
    if FLAGS.clusters:
        clusters = _clusters(dataset)
        prior = _balanced(clusters, dataset) if FLAGS.balance_classes else clusters
        dataset = clusters.label(dataset)
        num_classes = clusters.num_clusters
    else:
        num_classes = 10 if FLAGS.conditional else None
    gan = keras.models.load_model(checkpoint) if FLAGS.resume else build_gan(num_classes)
    if gan.num_classes != num_classes:
        raise app.UsageError(
            f"{checkpoint} was trained with {gan.num_classes or 'no'} classes; this run "
            f"gives {num_classes or 'none'} (--conditional, --clusters)."
        )
    if FLAGS.ema_momentum and not gan.uses_ema:
        # Start averaging a resumed model: a new generator optimizer, the
        # discriminator's kept.
        gan.compile(g_optimizer=_generator_optimizer(), d_optimizer=gan.d_optimizer)
    # Ten columns: the digits' ten classes, or the first hundred clusters in rows of ten.
    samples = keras_gans.callbacks.SampleGrid(
        os.path.join(FLAGS.output_dir, "samples"), num_samples=100, num_columns=10
    )
    backup = keras.callbacks.BackupAndRestore(
        os.path.join(FLAGS.output_dir, "backup"), save_freq=FLAGS.backup_every or "epoch"
    )
    if FLAGS.epochs:
        gan.fit(dataset, epochs=FLAGS.epochs, callbacks=[samples, backup])
        gan.save(checkpoint)
    if clusters is None:
        keras_gans.export_generator(gan, FLAGS.export_dir, overwrite=True)
    else:
        # The averaged weights, if kept, drawing their own cluster: `serve(latent)`.
        with gan.ema_weights():
            generator = keras_gans.models.UnconditionalGenerator(gan.generator, prior.probabilities)
            if FLAGS.balance_classes:
                generator = _balance_drawn_labels(generator, labelled)
            keras_gans.export_generator(generator, FLAGS.export_dir, overwrite=True)
    if samples.paths:  # none when a finished run is run again
        print(f"Samples: {samples.paths[-1]}")
    print(f"Generator exported to {FLAGS.export_dir}")


def _clusters(dataset):
    """k-means clusters of the training images, kept beside the model for `--resume`."""
    path = os.path.join(FLAGS.output_dir, "clusters.npz")
    if FLAGS.resume:
        return keras_gans.data.ImageClusters.load(path)
    clusters = keras_gans.data.ImageClusters.fit(
        dataset, num_clusters=FLAGS.clusters, seed=FLAGS.seed
    )
    clusters.save(path)
    print(f"{clusters.num_clusters} clusters of the images written to {path}")
    return clusters


def _balanced(clusters, dataset):
    """The clusters' sampling prior with every labelled class weighing the same."""
    try:
        balanced = clusters.balance_classes(dataset)
    except ValueError as error:
        raise app.UsageError(
            f"--balance_classes needs labelled data ({FLAGS.data}): {error}"
        ) from error
    print(
        "Clusters reweighted to balance the classes: probabilities from "
        f"{clusters.probabilities.min():.4f}-{clusters.probabilities.max():.4f} to "
        f"{balanced.probabilities.min():.4f}-{balanced.probabilities.max():.4f}"
    )
    return balanced


def _balance_drawn_labels(generator, labelled):
    """The generator with its clusters reweighted so that a classifier reads every label evenly.

    Weighting the clusters by their contents assumes the generator draws a cluster's
    labels as often as the cluster holds them, but a GAN leans to a mixed cluster's most
    common label. A classifier trained here on the labelled images reads samples of
    every cluster, and `balance_labels` moves the prior the least (in relative entropy)
    for its readings to come out even. The readings and both priors are written to
    `label_balance.json` in --output_dir.
    """
    labels = np.concatenate([np.asarray(batch[1]) for batch in labelled])
    num_labels = int(labels.max()) + 1
    reader = _label_reader(num_labels)
    reader.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    # The dataset reshuffles itself every epoch.
    history = reader.fit(labelled, epochs=READER_EPOCHS, shuffle=False, verbose=2)
    readings = generator.read_labels(reader, seed=FLAGS.seed)
    before = np.asarray(generator.class_probabilities) @ readings
    try:
        balanced = generator.balance_labels(readings)
    except ValueError as error:
        print(f"Drawn labels left as the clusters' contents give them: {error}")
        return generator
    after = np.asarray(balanced.class_probabilities) @ readings
    print(
        f"Labels of the samples as read by a classifier: {before.min():.4f}-{before.max():.4f}"
        f" with the clusters' contents balanced, {after.min():.4f}-{after.max():.4f} reweighted"
    )
    report = {
        "reader_train_accuracy": float(history.history["accuracy"][-1]),
        "readings": readings.round(6).tolist(),
        "contents_prior": generator.class_probabilities,
        "prior": balanced.class_probabilities,
        "label_shares_contents_prior": before.round(6).tolist(),
        "label_shares": after.round(6).tolist(),
    }
    with open(os.path.join(FLAGS.output_dir, "label_balance.json"), "w") as f:
        json.dump(report, f, indent=2)
    return balanced


# The classifier that reads the generator's samples for --balance_classes: a VGG-like
# CNN, not the design of examples/check_mnist_generator.py, which checks the result.
READER_EPOCHS = 4


def _label_reader(num_labels):
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dropout(0.4),
            layers.Dense(num_labels, activation="softmax"),
        ],
        name="label_reader",
    )


def build_gan(num_classes):
    generator = keras_gans.architectures.DCGANGenerator(
        latent_dim=FLAGS.latent_dim,
        image_shape=(28, 28, 1),
        base_filters=FLAGS.base_filters,
        num_classes=num_classes,
    )
    discriminator = keras_gans.architectures.DCGANDiscriminator(
        image_shape=(28, 28, 1),
        base_filters=FLAGS.base_filters,
        num_classes=num_classes,
        normalization=None if FLAGS.d_normalization == "none" else FLAGS.d_normalization,
        spectral_norm=FLAGS.spectral_norm,
    )
    gan = keras_gans.AdversarialModel(generator, discriminator, seed=FLAGS.seed)
    gan.compile(
        g_optimizer=_generator_optimizer(),
        d_optimizer=keras.optimizers.Adam(FLAGS.learning_rate, beta_1=0.5),
        loss=FLAGS.loss,
        regularizers=[keras_gans.losses.R1Penalty(FLAGS.r1_gamma)] if FLAGS.r1_gamma else [],
        augmentation=FLAGS.augment,
    )
    return gan


def _generator_optimizer():
    if FLAGS.ema_momentum:
        return keras.optimizers.Adam(
            FLAGS.learning_rate, beta_1=0.5, use_ema=True, ema_momentum=FLAGS.ema_momentum
        )
    return keras.optimizers.Adam(FLAGS.learning_rate, beta_1=0.5)


flags.register_validator("epochs", lambda value: value >= 0, "--epochs must be at least 0.")
flags.register_multi_flags_validator(
    ["epochs", "resume"],
    lambda values: values["epochs"] or values["resume"],
    "--epochs=0 exports a trained model without training: give --resume too.",
)
flags.register_validator(
    "clusters", lambda value: value == 0 or value >= 2, "--clusters must be 0 (off) or at least 2."
)
flags.register_multi_flags_validator(
    ["clusters", "conditional"],
    lambda values: not (values["clusters"] and values["conditional"]),
    "--clusters trains an unconditional generator without labels: it cannot be --conditional.",
)
flags.register_multi_flags_validator(
    ["clusters", "balance_classes"],
    lambda values: values["clusters"] or not values["balance_classes"],
    "--balance_classes reweights the clusters of --clusters: give --clusters too.",
)

if __name__ == "__main__":
    app.run(main)
