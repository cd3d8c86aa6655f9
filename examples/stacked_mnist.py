"""Stacked MNIST: a plain DCGAN and a packed one (PacGAN) on 1,000 modes.

Each training image stacks three MNIST digits as its red, green and blue channels, so the
data has 1,000 equally likely modes (the digit triples). For each `--packings` value the
script trains a DCGAN whose discriminator judges that many images at once (1: the plain
DCGAN), then classifies every channel of `--num_samples` generated images with a digit
classifier trained on the same MNIST digits (cached in `--output_dir`) and reports the
modes covered out of 1,000 and the KL divergence of the mode histogram to uniform, as in
the VEEGAN and PacGAN papers. Real stacked images are scored the same way, as the scale.

Writes to `--output_dir`:

* `results.jsonl`: one line per trained packing and seed; a run started again with the
  same flags skips the trainings already there (each also backs itself up while training);
* `table.md`: modes, KL and training time of each training and of the real images, and
  for a packing trained more than once the mean and standard error; it covers every
  training of the folder with the same settings, so `--packings=2 --trials=5` and then
  `--packings=1` in one folder give five packed trainings and a plain one in one table;
* `stacked_mnist.png`: 100 samples of each packing's first trial side by side.

    python examples/stacked_mnist.py                   # the bundled digits, a short run
    python examples/stacked_mnist.py --data=mnist --epochs=5 --num_train=128000
    python examples/stacked_mnist.py --data=mnist --packings=2 --trials=5 --epochs=8 \
        --base_filters=64 --ema_momentum=0.999 --score_every=2
    python examples/stacked_mnist.py --data=mnist --packings=1 --epochs=8 \
        --base_filters=64 --ema_momentum=0.999 --score_every=2   # the plain one beside

`--ema_momentum` keeps a moving average of the generator's weights, which draws the
samples; `--score_every=k` also scores the samples every k epochs (`curve.jsonl` in the
training's folder and `curve` in its line of `results.jsonl`); `--rejection_quantile=q`
scores the samples that discriminator rejection sampling keeps
(`keras_gans.applications.DiscriminatorRejectionSampler`, about `1 - q` of the draws) and
reports the generator alone beside them.

`--data` takes `mnist_sample` (the 5,000 digits bundled with keras_gans), a `.npz` file
with `x_train`/`y_train` (and `x_test`/`y_test`, used too: PacGAN draws from all 70,000
digits) or `images`/`labels`, or `mnist` (downloaded by `keras.datasets`).
"""

import json
import os
import time

import matplotlib

matplotlib.use("Agg")  # files only, no display needed

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from absl import app  # noqa: E402
from absl import flags  # noqa: E402

import keras_gans  # noqa: E402
from keras_gans.applications import DiscriminatorRejectionSampler  # noqa: E402
from keras_gans.applications import mode_collapse  # noqa: E402
from keras_gans.applications.mode_collapse.lab import mean_and_error  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_string("data", "mnist_sample", "'mnist_sample', an MNIST .npz file or 'mnist'.")
# 1 is the plain DCGAN; PacGAN reports packing 2, 3 and 4.
flags.DEFINE_list("packings", ["1", "4"], "Images each discriminator input packs together.")
# PacGAN's training set: 128,000 packs of stacked images.
flags.DEFINE_integer("num_train", 128_000, "Discriminator examples (packs) per epoch.")
flags.DEFINE_integer("epochs", 1, "Passes over the training set.")
flags.DEFINE_integer("batch_size", 64, "Discriminator examples (packs) per step.")
flags.DEFINE_integer("latent_dim", 100, "Size of the latent vector z.")
flags.DEFINE_integer("base_filters", 32, "Filters of the widest-resolution conv layers.")
flags.DEFINE_float("learning_rate", 2e-4, "Adam learning rate of both players.")
# The published tables classify 26,000 samples.
flags.DEFINE_integer("num_samples", 26_000, "Generated images scored per packing.")
flags.DEFINE_integer("classifier_epochs", 3, "Epochs of the digit classifier, when trained.")
flags.DEFINE_bool("jit_compile", False, "Compile the training step with XLA.")
flags.DEFINE_integer("steps_per_execution", 1, "Training steps per compiled call.")
flags.DEFINE_string("output_dir", "outputs/stacked_mnist", "Where results and figures go.")
flags.DEFINE_integer("seed", 0, "Seed of the data, the weights and the noise (first trial).")
flags.DEFINE_integer("score_every", 0, "Also score the samples every this many epochs; 0: off.")
flags.DEFINE_integer("trials", 1, "Trainings of each packing, seeded --seed, --seed + 1, ...")
flags.DEFINE_float("ema_momentum", 0.0, "Moving average of the generator's weights; 0: none.")
flags.DEFINE_float(
    "rejection_quantile", None, "Score discriminator rejection sampling keeping 1 - q of draws."
)


def load_digits(source):
    """MNIST digits `(n, 28, 28)` uint8 and their labels, from `--data`."""
    if source == "mnist_sample":
        images, labels = keras_gans.data.load_mnist_sample()
        return images[..., 0], labels
    if source == "mnist":
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        return np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])
    if source.endswith(".npz") and os.path.exists(source):
        with np.load(source) as data:
            pairs = [("x_train", "y_train"), ("x_test", "y_test"), ("images", "labels")]
            found = [(data[x], data[y]) for x, y in pairs if x in data.files and y in data.files]
            if found:
                images = np.concatenate([x.reshape(-1, 28, 28) for x, _ in found])
                return images, np.concatenate([y.reshape(-1) for _, y in found])
            raise app.UsageError(
                f"--data={source} holds {sorted(data.files)}; it needs x_train and y_train "
                "(and optionally x_test, y_test) or images and labels."
            )
    raise app.UsageError(
        f"--data takes 'mnist_sample', an existing .npz file or 'mnist'. Received: {source!r}"
    )


def build_gan(packing, seed):
    generator = keras_gans.architectures.DCGANGenerator(
        latent_dim=FLAGS.latent_dim, image_shape=(28, 28, 3), base_filters=FLAGS.base_filters
    )
    discriminator = keras_gans.architectures.DCGANDiscriminator(
        image_shape=(28, 28, 3), base_filters=FLAGS.base_filters, packing=packing
    )
    gan = keras_gans.AdversarialModel(generator, discriminator, seed=seed)
    average = FLAGS.ema_momentum > 0
    gan.compile(
        g_optimizer=keras.optimizers.Adam(
            FLAGS.learning_rate,
            beta_1=0.5,
            use_ema=average,
            ema_momentum=FLAGS.ema_momentum if average else 0.99,
        ),
        d_optimizer=keras.optimizers.Adam(FLAGS.learning_rate, beta_1=0.5),
        jit_compile=FLAGS.jit_compile,
        steps_per_execution=FLAGS.steps_per_execution,
    )
    return gan


def settings():
    names = ("num_train", "epochs", "batch_size", "latent_dim", "base_filters", "learning_rate")
    extra = ("ema_momentum", "rejection_quantile", "num_samples", "score_every")
    values = {name: FLAGS[name].value for name in (*names, *extra)}
    # The data by name: the same file elsewhere is the same data.
    return {"data": os.path.basename(FLAGS.data), **values}


class ScoreEvery(keras.callbacks.Callback):
    """Scores `--num_samples` samples every `every` epochs, one JSON line each in `path`.

    With a moving average of the generator, the raw weights are scored too. The
    file is appended to, so a run resumed from its backup keeps the earlier lines.
    """

    def __init__(self, every, path, classifier, seed):
        super().__init__()
        self.every, self.path, self.classifier, self.seed = every, path, classifier, seed
        self.seconds = 0.0

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        start = time.perf_counter()
        samples = self.model.generate(FLAGS.num_samples, seed=self.seed)
        row = {"epoch": epoch + 1, **mode_collapse.stacked_mnist_summary(samples, self.classifier)}
        if self.model.uses_ema:
            samples = self.model.generate(FLAGS.num_samples, seed=self.seed, use_ema=False)
            row["raw_weights"] = mode_collapse.stacked_mnist_summary(samples, self.classifier)
        with open(self.path, "a") as f:
            f.write(json.dumps(row) + "\n")
        print(f"epoch {row['epoch']}: {row['modes']} modes, KL {row['reverse_kl']:.3f}", flush=True)
        self.seconds += time.perf_counter() - start


def run_dir(packing, seed):
    return os.path.join(FLAGS.output_dir, f"packing_{packing}", f"seed_{seed}")


def train(packing, seed, images, labels, classifier):
    """Trains the DCGAN of one packing and seed; returns its scores, keeps 100 samples."""
    keras.utils.set_random_seed(seed)
    directory = run_dir(packing, seed)
    # A discriminator example is a pack: `packing` stacked images.
    dataset, _ = mode_collapse.stacked_mnist_dataset(
        images, labels, FLAGS.num_train * packing, FLAGS.batch_size * packing, seed=seed
    )
    gan = build_gan(packing, seed)
    callbacks = [keras.callbacks.BackupAndRestore(os.path.join(directory, "backup"))]
    curve_path = os.path.join(directory, "curve.jsonl")
    if FLAGS.score_every:
        if os.path.exists(curve_path) and not os.path.isdir(os.path.join(directory, "backup")):
            os.remove(curve_path)  # a fresh start: the lines of an earlier run go
        callbacks.append(ScoreEvery(FLAGS.score_every, curve_path, classifier, seed + 1))
    start = time.perf_counter()
    gan.fit(dataset, epochs=FLAGS.epochs, callbacks=callbacks, verbose=2)
    # The training time leaves out the scoring along the way.
    seconds = time.perf_counter() - start - sum(getattr(c, "seconds", 0.0) for c in callbacks)
    samples = gan.generate(FLAGS.num_samples, seed=seed + 1)
    scores = mode_collapse.stacked_mnist_summary(samples, classifier)
    result = {"packing": packing, "seed": seed, **scores, "train_seconds": seconds}
    if FLAGS.score_every:
        with open(curve_path) as f:
            result["curve"] = [json.loads(line) for line in f if line.strip()]
    if FLAGS.rejection_quantile is not None:
        start = time.perf_counter()
        sampler = DiscriminatorRejectionSampler(gan, gamma_quantile=FLAGS.rejection_quantile)
        samples = sampler.sample(FLAGS.num_samples, seed=seed + 3)
        result["generator_scores"] = scores
        result.update(mode_collapse.stacked_mnist_summary(samples, classifier))
        result["acceptance_rate"] = sampler.acceptance_rate
        result["rejection_seconds"] = time.perf_counter() - start
    gan.save(os.path.join(directory, "stacked_mnist.keras"))
    # 100 samples for the figure, as 8-bit pixels (0.2 MB).
    pixels = np.round((np.clip(samples[:100], -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)
    np.save(os.path.join(directory, "samples.npy"), pixels)
    return {**result, "settings": settings()}


def name_of(packing):
    return "DCGAN" if packing == 1 else f"PacDCGAN{packing}"


def summary(values, digits):
    """`mean ± standard error` of `values`, with `digits` decimals."""
    mean, error = mean_and_error(values)
    return f"{mean:.{digits}f} ± {error:.{digits}f}"


def table_of(results, real_scores):
    """The markdown table: every training, then each packing's mean and standard error."""
    rejection = FLAGS.rejection_quantile is not None
    head = "| discriminator | seed | modes (of 1,000) | KL to uniform |"
    if rejection:
        head += " generator alone: modes / KL | draws kept |"
    head += " training time (s) |"
    lines = [head, "|---" * (head.count("|") - 1) + "|"]
    blank = " | |" if rejection else ""
    lines.append(
        f"| real stacked images | | {real_scores['modes']} | "
        f"{real_scores['reverse_kl']:.3f} |{blank} |"
    )
    for result in results:
        row = f"| {name_of(result['packing'])} | {result['seed']} | {result['modes']} | "
        row += f"{result['reverse_kl']:.3f} |"
        if rejection:
            alone = result["generator_scores"]
            row += f" {alone['modes']} / {alone['reverse_kl']:.3f} |"
            row += f" {100 * result['acceptance_rate']:.1f}% |"
        lines.append(row + f" {result['train_seconds']:.0f} |")
    for packing in sorted({r["packing"] for r in results}):
        group = [r for r in results if r["packing"] == packing]
        if len(group) < 2:
            continue
        row = f"| {name_of(packing)}, mean ± s.e. | {len(group)} trials | "
        row += f"{summary([r['modes'] for r in group], 1)} | "
        row += f"{summary([r['reverse_kl'] for r in group], 3)} |"
        if rejection:
            alone = [r["generator_scores"] for r in group]
            row += f" {summary([a['modes'] for a in alone], 1)} / "
            row += f"{summary([a['reverse_kl'] for a in alone], 3)} |"
            row += f" {100 * np.mean([r['acceptance_rate'] for r in group]):.1f}% |"
        lines.append(row + f" {summary([r['train_seconds'] for r in group], 0)} |")
    return "\n".join(lines) + "\n"


def figure(results, path):
    """100 samples of each run that kept them, side by side."""
    kept = []
    for packing in sorted({r["packing"] for r in results}):
        result = min((r for r in results if r["packing"] == packing), key=lambda r: r["seed"])
        samples = os.path.join(run_dir(packing, result["seed"]), "samples.npy")
        if os.path.exists(samples):
            kept.append((result, np.load(samples).astype(np.float32) / 127.5 - 1.0))
    if not kept:
        return
    grid, axes = plt.subplots(1, len(kept), figsize=(4 * len(kept), 4.3), squeeze=False)
    for axis, (result, samples) in zip(axes[0], kept, strict=True):
        axis.imshow(keras_gans.callbacks.image_grid(samples, num_columns=10))
        axis.set_title(
            f"{name_of(result['packing'])}: {result['modes']} modes, KL {result['reverse_kl']:.2f}",
            fontsize=10,
        )
        axis.set_xticks([])
        axis.set_yticks([])
    grid.tight_layout(pad=0.3)
    grid.savefig(path, dpi=80)
    plt.close(grid)


def main(argv):
    del argv
    packings = sorted({int(p) for p in FLAGS.packings})
    os.makedirs(FLAGS.output_dir, exist_ok=True)
    images, labels = load_digits(FLAGS.data)
    classifier = mode_collapse.digit_classifier(
        os.path.join(FLAGS.output_dir, "digit_classifier.keras"),
        images,
        labels,
        epochs=FLAGS.classifier_epochs,
        seed=FLAGS.seed,
    )
    real, _ = mode_collapse.make_stacked_mnist(
        images, labels, FLAGS.num_samples, seed=FLAGS.seed + 2
    )
    real_scores = mode_collapse.stacked_mnist_summary(real, classifier)
    del real

    log_path = os.path.join(FLAGS.output_dir, "results.jsonl")
    done = []
    if os.path.exists(log_path):
        with open(log_path) as f:
            done = [json.loads(line) for line in f if line.strip()]
    current = json.loads(json.dumps(settings()))
    results = []
    for packing in packings:
        for seed in range(FLAGS.seed, FLAGS.seed + FLAGS.trials):
            previous = [
                r
                for r in done
                if (r["packing"], r.get("seed"), r["settings"]) == (packing, seed, current)
            ]
            if previous:
                results.append(previous[-1])
                continue
            result = train(packing, seed, images, labels, classifier)
            result = json.loads(json.dumps(result))
            results.append(result)
            with open(log_path, "a") as f:
                f.write(json.dumps(result) + "\n")
            print(
                f"packing {packing}, seed {seed}: {result['modes']}/1000 modes, "
                f"KL {result['reverse_kl']:.3f}, {result['train_seconds']:.0f} s",
                flush=True,
            )

    # The table and the figure show every training of the folder with these
    # settings, also those of earlier runs with other --packings or seeds.
    rows = {(r["packing"], r["seed"]): r for r in done if r["settings"] == current and "seed" in r}
    rows.update({(r["packing"], r["seed"]): r for r in results})
    results = [rows[key] for key in sorted(rows)]
    table = table_of(results, real_scores)
    with open(os.path.join(FLAGS.output_dir, "table.md"), "w") as f:
        f.write(table)
    figure(results, os.path.join(FLAGS.output_dir, "stacked_mnist.png"))
    print(table)


flags.register_validator("trials", lambda value: value >= 1, "--trials takes a positive integer.")
flags.register_validator(
    "score_every", lambda value: value >= 0, "--score_every takes 0 (off) or a positive integer."
)
flags.register_validator(
    "ema_momentum", lambda value: 0 <= value < 1, "--ema_momentum takes a number in [0, 1)."
)
flags.register_validator(
    "rejection_quantile",
    lambda value: value is None or 0 <= value < 1,
    "--rejection_quantile takes a number in [0, 1).",
)
flags.register_validator(
    "packings",
    lambda values: bool(values) and all(v.isdigit() and int(v) >= 1 for v in values),
    "--packings takes positive integers, e.g. 1,4.",
)

if __name__ == "__main__":
    app.run(main)
