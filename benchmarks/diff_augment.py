"""DiffAugment on little data: the same DCGAN and budget, with and without augmentation.

Trains the 28x28 DCGAN on a small subset of the MNIST training digits (1,000 by
default, 100 of each class) for the same number of steps with each DiffAugment
policy, and scores 5,000 samples of each run with a digit classifier trained on
the full MNIST training set (independent of the GANs):

- the Frechet distance between the classifier's features of the samples and of
  the 10,000 MNIST test digits (lower is better), beside the same distance for
  the training subset itself and for the full training set;
- the share of samples the classifier is sure of (probability >= 0.9), and the
  smallest and largest share of a digit.

    python benchmarks/diff_augment.py --data=../shared/data/mnist.npz

Writes `benchmarks/results/diff_augment.json` and a sample grid per run in
`benchmarks/results/diff_augment/`.
"""

import json
import os
import time

import keras
import numpy as np
from absl import app
from absl import flags

import keras_gans
from keras_gans.applications.mode_collapse import digit_classifier
from keras_gans.metrics.frechet import frechet_distance_from_activations

FLAGS = flags.FLAGS
flags.DEFINE_string("data", "../shared/data/mnist.npz", "MNIST as a .npz with Keras' keys.")
flags.DEFINE_integer("subset", 1000, "Training digits (an equal number per class).")
flags.DEFINE_integer("steps", 3000, "Training steps of every run.")
flags.DEFINE_integer("batch_size", 64, "Images per step.")
# Transforms of one policy are joined by "+": "none,translation+cutout".
flags.DEFINE_list(
    "policies", ["none", "translation+cutout", "color+translation+cutout"], "DiffAugment policies."
)
flags.DEFINE_list("seeds", ["0", "1"], "Seeds of the runs.")
flags.DEFINE_integer("num_samples", 5000, "Samples scored per run.")
flags.DEFINE_string("output", "benchmarks/results/diff_augment.json", "Results file.")
flags.DEFINE_string("cache", "benchmarks/results/.cache/digit_classifier.keras", "Classifier.")


def scale(digits):
    return digits[..., None].astype("float32") / 127.5 - 1.0


def balanced_subset(x, y, count, seed=0):
    rng = np.random.default_rng(seed)
    per_class = count // 10
    chosen = np.concatenate(
        [rng.choice(np.flatnonzero(y == digit), per_class, replace=False) for digit in range(10)]
    )
    return x[chosen], y[chosen]


def scores(features_model, classifier, images, reference_features):
    features = features_model.predict(images, batch_size=500, verbose=0)
    probabilities = classifier.predict(images, batch_size=500, verbose=0)
    shares = np.bincount(probabilities.argmax(1), minlength=10) / len(images)
    return {
        "frechet_distance": float(frechet_distance_from_activations(features, reference_features)),
        "confident_share": float((probabilities.max(1) >= 0.9).mean()),
        "min_class_share": float(shares.min()),
        "max_class_share": float(shares.max()),
    }


def train(images, policy, seed):
    keras.utils.set_random_seed(seed)
    gan = keras_gans.presets.dcgan(
        image_shape=(28, 28, 1),
        latent_dim=64,
        seed=seed,
        augmentation=None if policy == "none" else policy.replace("+", ","),
    )
    dataset = keras_gans.data.from_arrays(images, batch_size=FLAGS.batch_size, seed=seed)
    per_epoch = len(images) // FLAGS.batch_size
    start = time.perf_counter()
    gan.fit(dataset, epochs=-(-FLAGS.steps // per_epoch), verbose=0)
    return gan, time.perf_counter() - start


def main(argv):
    del argv
    with np.load(FLAGS.data) as f:
        x_train, y_train, x_test = f["x_train"], f["y_train"], f["x_test"]
    classifier = digit_classifier(FLAGS.cache, x_train, y_train, epochs=3, seed=0)
    features_model = keras.Model(classifier.input, classifier.get_layer(index=-3).output)
    test_features = features_model.predict(scale(x_test), batch_size=500, verbose=0)
    subset, _ = balanced_subset(x_train, y_train, FLAGS.subset)
    subset_images = scale(subset)
    results = {
        "setup": {
            "subset": FLAGS.subset,
            "steps": FLAGS.steps,
            "batch_size": FLAGS.batch_size,
            "num_samples": FLAGS.num_samples,
            "features": f"{features_model.output.shape[-1]}-d flattened conv features",
        },
        "references": {
            "training_subset": scores(features_model, classifier, subset_images, test_features),
            "full_training_set": scores(
                features_model, classifier, scale(x_train[:10000]), test_features
            ),
        },
        "runs": [],
    }
    directory = os.path.splitext(FLAGS.output)[0]
    for policy in FLAGS.policies:
        for seed in map(int, FLAGS.seeds):
            gan, seconds = train(subset_images, policy, seed)
            samples = gan.generate(FLAGS.num_samples, seed=seed)
            run = {"policy": policy, "seed": seed, "seconds": round(seconds, 1)}
            run.update(scores(features_model, classifier, samples, test_features))
            results["runs"].append(run)
            keras_gans.callbacks.save_image_grid(
                samples[:100], os.path.join(directory, f"{policy}_seed{seed}.png"), 10
            )
            print(json.dumps(run), flush=True)
            with open(FLAGS.output, "w") as f:
                json.dump(results, f, indent=2)


if __name__ == "__main__":
    app.run(main)
