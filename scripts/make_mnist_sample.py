"""Build `keras_gans/data/mnist_sample.npz`, the MNIST sample bundled with the package.

Picks 5,000 training digits, exactly 500 of each class, with a fixed seed, and saves
them with `np.savez_compressed` as `images` uint8 (5000, 28, 28) and `labels` uint8
(5000,), in the order they have in the MNIST training set.

MNIST is by Yann LeCun, Corinna Cortes and Christopher J. C. Burges, CC BY-SA 3.0.

Usage (from the repository root):

    python scripts/make_mnist_sample.py
    python scripts/make_mnist_sample.py --source path/to/mnist.npz --seed 0
"""

import argparse
import hashlib
import os

import numpy as np

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SOURCE = os.path.join(REPO_ROOT, "..", "shared", "data", "mnist.npz")
DEFAULT_OUTPUT = os.path.join(REPO_ROOT, "keras_gans", "data", "mnist_sample.npz")
PER_CLASS = 500  # 10 classes x 500 = 5,000 digits: balanced, and about 1 MB.
MAX_BYTES = 2 * 1024 * 1024  # The bundled file must stay small enough to ship.


def select_indices(labels, per_class, seed):
    """Return sorted indices of `per_class` examples of each class, chosen by `seed`."""
    rng = np.random.default_rng(seed)
    chosen = []
    for digit in np.unique(labels):
        candidates = np.flatnonzero(labels == digit)
        if len(candidates) < per_class:
            raise ValueError(
                f"Class {digit} has only {len(candidates)} examples, fewer than "
                f"per_class={per_class}."
            )
        chosen.append(rng.choice(candidates, size=per_class, replace=False))
    return np.sort(np.concatenate(chosen))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", default=DEFAULT_SOURCE, help="MNIST .npz with x_train, y_train."
    )
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="Where to write the sample.")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the selection.")
    args = parser.parse_args()

    with np.load(args.source) as data:
        x_train, y_train = data["x_train"], data["y_train"]
    if x_train.shape != (60000, 28, 28) or x_train.dtype != np.uint8:
        raise ValueError(
            f"Expected x_train uint8 (60000, 28, 28). Received: shape={x_train.shape}, "
            f"dtype={x_train.dtype}"
        )

    indices = select_indices(y_train, PER_CLASS, args.seed)
    images = x_train[indices].astype(np.uint8)
    labels = y_train[indices].astype(np.uint8)
    np.savez_compressed(args.output, images=images, labels=labels)

    size = os.path.getsize(args.output)
    if size > MAX_BYTES:
        os.remove(args.output)
        raise RuntimeError(f"{args.output} is {size} bytes, over the limit of {MAX_BYTES}.")
    counts = np.bincount(labels, minlength=10).tolist()
    with open(args.output, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    print(f"Wrote {args.output}: {size} bytes, images {images.shape}, per class {counts}")
    print(f"First indices into x_train: {indices[:5].tolist()}; sha256 {digest}")


if __name__ == "__main__":
    main()
