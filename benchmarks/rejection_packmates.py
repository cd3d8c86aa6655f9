"""How precisely a packed discriminator scores each sample: random against shared packmates.

Discriminator rejection sampling ranks generated samples by the discriminator's
estimate of `log(p_data / p_g)` (`keras_gans.applications.log_density_ratios`). A
packed discriminator (PacGAN) judges `m` samples at once, so each sample is scored in
packs with others. This script loads a trained model of the mode-collapse lab (saved by
`examples/mode_collapse.py --save_models`), draws `--num_samples` generated samples and
scores each twice, with different packings, by each method:

* `random_P`: `P` random packings among the samples (the packmates differ per sample);
* `shared_K`: the same `K` packs of packmates for every sample
  (`keras_gans.applications.choose_packmates`, drawn from other generated samples).

For the samples near a mode (within `--near` of the nearest centre) it reports how well
the two scorings agree (their correlation, and the std of their difference against
the std of the scores) and how well they follow the distance to the nearest centre,
which is what separates a high-quality sample from one just outside 3 std; and, for
the last method, the mean score by distance. One JSON object goes to `--output`.

    python benchmarks/rejection_packmates.py \\
        --model=benchmarks/results/mode_collapse/rejection_ring_shared/models/MODEL.keras \\
        --target=ring_2d --output=benchmarks/results/mode_collapse/rejection_packmates.json
"""

import argparse
import json
import os

import _common

DISTANCE_BINS = (0.0, 0.01, 0.02, 0.03, 0.04, 0.06, 0.1, float("inf"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a saved .keras model of the lab")
    parser.add_argument("--target", default="ring_2d")
    parser.add_argument("--num_samples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--near", type=float, default=0.1, help="distance of 'near a mode'")
    parser.add_argument(
        "--methods", default="random_8,random_64,shared_8,shared_32", help="comma-separated"
    )
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    _common.quiet_tensorflow_logs()
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    for method in methods:
        kind, _, count = method.partition("_")
        if kind not in ("random", "shared") or not count.isdigit() or int(count) < 1:
            parser.error(f"--methods takes random_P or shared_K. Received: {method!r}")

    import keras
    import numpy as np

    import keras_gans  # noqa: F401  (registers the saved model's classes)
    from keras_gans.applications import rejection_sampling
    from keras_gans.applications.mode_collapse import lab

    model = keras.models.load_model(args.model)
    target = lab.TARGETS[args.target]()
    samples = np.asarray(model.generate(args.num_samples, seed=args.seed), dtype="float32")
    pool = np.asarray(model.generate(10_000, seed=args.seed + 1), dtype="float32")
    means = np.asarray(target.means)
    distance = np.linalg.norm(samples[:, None] - means[None], axis=-1).min(axis=1)
    near = distance < args.near

    def score(method, seed):
        kind, _, count = method.partition("_")
        if kind == "random":
            return rejection_sampling.log_density_ratios(model, samples, int(count), seed=seed)
        mates = rejection_sampling.choose_packmates(model, pool, int(count), seed=seed)
        return rejection_sampling.log_density_ratios(model, samples, packmates=mates)

    result = {"model": os.path.basename(args.model), "target": args.target, "near": args.near}
    result["samples_near"] = int(near.sum())
    result["methods"] = {}
    for method in methods:
        first, second = score(method, args.seed + 10), score(method, args.seed + 20)
        result["methods"][method] = {
            "repeat_correlation": float(np.corrcoef(first[near], second[near])[0, 1]),
            "difference_std": float((first - second)[near].std()),
            "score_std": float(first[near].std()),
            "distance_correlation": float(np.corrcoef(first[near], distance[near])[0, 1]),
        }
        print(method, json.dumps(result["methods"][method]), flush=True)
    bins = []
    for low, high in zip(DISTANCE_BINS[:-1], DISTANCE_BINS[1:], strict=True):
        inside = (distance >= low) & (distance < high)
        if inside.any():
            bins.append(
                {
                    "from": low,
                    "to": high if np.isfinite(high) else None,
                    "samples": int(inside.sum()),
                    "mean_score": float(first[inside].mean()),
                    "score_std": float(first[inside].std()),
                }
            )
    result["by_distance"] = {"method": methods[-1], "bins": bins}
    result["environment"] = _common.environment()
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result["by_distance"]), flush=True)


if __name__ == "__main__":
    main()
