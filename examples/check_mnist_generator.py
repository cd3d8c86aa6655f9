"""Checks an exported MNIST generator with a digit classifier trained here.

Trains a small convolutional classifier on the MNIST training digits, reports its test
accuracy, then classifies samples of the generator and reports how many are confidently
recognised as a digit, how evenly they cover the ten classes, and the Frechet distance
between the classifier's features of the samples and of the test digits, beside the same
distance between training and test digits. For a conditional generator (its `serve`
signature takes a `label`) it also reports, for each digit k asked for, the share of
samples classified as k:

    python examples/check_mnist_generator.py \
        --generator=saved_models/dcgan_mnist_pretrained --data=path/to/mnist.npz

The classifier is independent of the GAN: it never sees generated images while training.
Exits with status 1 when a check fails.
"""

import json

import keras
import numpy as np
import tensorflow as tf
from absl import app
from absl import flags

FLAGS = flags.FLAGS
flags.DEFINE_string("generator", "saved_models/dcgan_mnist_pretrained", "SavedModel folder.")
flags.DEFINE_string("data", None, "MNIST as a .npz file with Keras' keys; default: keras.datasets.")
flags.DEFINE_integer("num_samples", 10000, "Generated samples to classify.")
# A sample counts as a recognisable digit when the classifier gives it this probability.
flags.DEFINE_float("confidence", 0.9, "Probability of a confident classification.")
# The goals of a generator good enough to ship (real test digits: 96% confident).
flags.DEFINE_float("min_confident_share", 0.9, "Required share of confident samples.")
# Ten even classes would each hold 10%.
flags.DEFINE_float("min_class_share", 0.09, "Smallest allowed share of any digit.")
flags.DEFINE_float("max_class_share", 0.11, "Largest allowed share of any digit.")
# The distance of the samples to the test digits, in units of the distance between
# the training and the test digits (which are both real).
flags.DEFINE_float("max_fd_ratio", 5.0, "Largest allowed Frechet distance ratio.")
flags.DEFINE_float("min_class_accuracy", 0.97, "Conditional: share classified as asked.")
flags.DEFINE_string("report", None, "Also write the report as JSON to this file.")
flags.DEFINE_integer("seed", 0, "Seed of the classifier and of the latent vectors.")
# A sample between two digits may be read as either: a generated digit's share moves
# with the classifier's seed, which repeated checks measure.
flags.DEFINE_integer("repeats", 1, "Check this many times, with seeds seed, seed + 1, ...")


def load_mnist(path):
    if path:
        with np.load(path) as f:
            return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    return keras.datasets.mnist.load_data()


def scale(digits):
    """uint8 (n, 28, 28) digits to float32 (n, 28, 28, 1) in [-1, 1], as the GAN sees them."""
    return digits[..., None].astype("float32") / 127.5 - 1.0


def digit_classifier():
    """A small CNN; about 99% test accuracy after three epochs."""
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(name="features"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def class_report(probabilities, confidence):
    """Shares of confident samples and of each predicted class."""
    predicted = probabilities.argmax(axis=1)
    shares = np.bincount(predicted, minlength=probabilities.shape[1]) / len(predicted)
    return {
        "confident_share": float((probabilities.max(axis=1) >= confidence).mean()),
        "mean_max_probability": float(probabilities.max(axis=1).mean()),
        "class_shares": [round(float(s), 4) for s in shares],
    }


def frechet_distance(features, reference):
    """The Frechet distance between two sets of features (rows)."""
    from keras_gans.metrics.frechet import frechet_distance_from_activations

    return float(frechet_distance_from_activations(features, reference))


def generate(generator, latents, labels):
    batches = max(1, len(latents) // 500)
    outputs = []
    for index in np.array_split(np.arange(len(latents)), batches):
        arguments = [tf.constant(latents[index], tf.float32)]
        if labels is not None:
            arguments.append(tf.constant(labels[index], tf.int32))
        outputs.append(generator.serve(*arguments)["images"].numpy())
    return np.concatenate(outputs)


def main(argv):
    del argv
    data = load_mnist(FLAGS.data)
    generator = tf.saved_model.load(FLAGS.generator)
    seeds = range(FLAGS.seed, FLAGS.seed + FLAGS.repeats)
    runs = [check(generator, data, seed) for seed in seeds]
    if FLAGS.repeats == 1:
        ((report, passed),) = runs
    else:
        report = summarize([run for run, _ in runs], list(seeds), [ok for _, ok in runs])
        passed = all(ok for _, ok in runs)
    print(json.dumps(report, indent=2))
    if FLAGS.report:
        with open(FLAGS.report, "w") as f:
            json.dump(report, f, indent=2)
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


def check(generator, data, seed):
    """One check: a classifier and latent vectors from `seed`. Returns (report, passed)."""
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = data
    classifier = digit_classifier()
    classifier.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    classifier.fit(scale(x_train), y_train, batch_size=128, epochs=3, verbose=2)
    _, test_accuracy = classifier.evaluate(scale(x_test), y_test, verbose=0)
    features = keras.Model(classifier.inputs, classifier.get_layer("features").output)

    _, inputs = generator.signatures["serve"].structured_input_signature
    latent_dim = inputs["latent"].shape[1]
    conditional = "label" in inputs
    latents = np.random.default_rng(seed).standard_normal((FLAGS.num_samples, latent_dim))
    labels = np.arange(FLAGS.num_samples) % 10 if conditional else None
    images = generate(generator, latents, labels)
    probabilities = classifier.predict(images, verbose=0)
    real = class_report(classifier.predict(scale(x_test), verbose=0), FLAGS.confidence)
    fake = class_report(probabilities, FLAGS.confidence)
    test_features = features.predict(scale(x_test), verbose=0)
    train_vs_test = frechet_distance(
        features.predict(scale(x_train[: len(x_test)]), verbose=0), test_features
    )
    generated_vs_test = frechet_distance(features.predict(images, verbose=0), test_features)
    report = {
        "classifier_test_accuracy": round(float(test_accuracy), 4),
        "mnist_test_digits": real,
        "generated": fake,
        "frechet_distance": {
            "generated_vs_test": round(generated_vs_test, 3),
            "train_vs_test": round(train_vs_test, 3),
            "ratio": round(generated_vs_test / train_vs_test, 3),
        },
        "num_samples": FLAGS.num_samples,
    }
    if conditional:
        predicted = probabilities.argmax(axis=1)
        accuracy = [float((predicted[labels == k] == k).mean()) for k in range(10)]
        report["conditional"] = {
            "class_accuracy": [round(a, 4) for a in accuracy],
            "min_class_accuracy": round(min(accuracy), 4),
        }
    shares = fake["class_shares"]
    passed = (
        fake["confident_share"] >= FLAGS.min_confident_share
        and min(shares) >= FLAGS.min_class_share
        and max(shares) <= FLAGS.max_class_share
        and report["frechet_distance"]["ratio"] <= FLAGS.max_fd_ratio
        and (not conditional or min(accuracy) >= FLAGS.min_class_accuracy)
    )
    return report, passed


def summarize(reports, seeds, passed):
    """The reports of repeated checks, and per digit the mean, least and most share."""
    shares = np.array([r["generated"]["class_shares"] for r in reports])
    return {
        "seeds": seeds,
        "passed": passed,
        "summary": {
            "num_passed": int(sum(passed)),
            "confident_share": [r["generated"]["confident_share"] for r in reports],
            "frechet_ratio": [r["frechet_distance"]["ratio"] for r in reports],
            "class_shares_mean": [round(float(v), 4) for v in shares.mean(axis=0)],
            "class_shares_min": [round(float(v), 4) for v in shares.min(axis=0)],
            "class_shares_max": [round(float(v), 4) for v in shares.max(axis=0)],
        },
        "runs": reports,
    }


flags.register_validator("repeats", lambda value: value >= 1, "--repeats must be at least 1.")

if __name__ == "__main__":
    app.run(main)
