"""The fastest the MLP GAN's training step could run here, part by part.

`train_step.py` sets every implementation's FLOP rate against a 2048x2048
matrix product. The MLP GAN's products are far smaller (batch 64, widths of
256 to 1,024) and its step also updates 2 million parameters with Adam twice,
which moves memory rather than doing FLOPs. This script measures, in one
process, at batch `--batch_size`:

- every matrix product of one alternating training step of the MLP GAN at its
  own shape (forward `x W`, weight gradient `x^T dy`, input gradient
  `dy W^T`), each timed alone in a compiled loop;
- the two Adam updates of the step (discriminator and generator variables,
  `keras.optimizers.Adam.apply`), timed alone.

Their sum is a floor on the step's time: a step that did nothing else, with
each product at its own measured speed. The report gives that floor as
images/s and, when `train_step.json` is given, the share of it that each
implementation of `train_step.py` reached.

    python benchmarks/dense_ceiling.py --train_step=benchmarks/results/train_step.json \
        --output=benchmarks/results/dense_ceiling.json
"""

import argparse
import time

import _common
import train_step


def _timed(fn, repeats, inner):
    """Median seconds of one call of `fn`, over `repeats` windows of `inner` calls."""
    fn()  # trace
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            result = fn()
        float(result)  # wait for the last call
        times.append((time.perf_counter() - start) / inner)
    return _common.median(times)


def measure(args):
    import keras
    import numpy as np
    import tensorflow as tf

    from keras_gans import architectures

    spec = train_step.MODELS["mlp"]
    generator, discriminator = train_step.build_keras_networks(spec, architectures)
    batch = args.batch_size
    rng = np.random.default_rng(0)

    def product_time(a_shape, b_shape, transpose_a=False, transpose_b=False):
        a = tf.constant(rng.standard_normal(a_shape, dtype=np.float32))
        b = tf.constant(rng.standard_normal(b_shape, dtype=np.float32))

        @tf.function
        def run():
            # Each product reads the previous one's result, so that none can be
            # merged with another or run ahead of it.
            def body(i, x, total):
                out = tf.linalg.matmul(x, b, transpose_a=transpose_a, transpose_b=transpose_b)
                first = out[0, 0]
                return i + 1, a + 1e-30 * first, total + first

            _, _, total = tf.while_loop(
                lambda i, x, total: i < args.loop, body, (0, a, tf.constant(0.0))
            )
            return total

        return _timed(run, args.repeats, 1) / args.loop

    rows = []
    for net_name, net in (("generator", generator), ("discriminator", discriminator)):
        dense = [layer for layer in net.layers if isinstance(layer, keras.layers.Dense)]
        for index, layer in enumerate(dense):
            k, n = int(layer.kernel.shape[0]), int(layer.kernel.shape[1])
            times = {
                "forward": product_time((batch, k), (k, n)),
                "weight_grad": product_time((batch, k), (batch, n), transpose_a=True),
                "input_grad": product_time((batch, n), (k, n), transpose_b=True),
            }
            flops = 2 * batch * k * n
            rows.append(
                {
                    "network": net_name,
                    "layer": layer.name,
                    "first": index == 0,
                    "shape": [batch, k, n],
                    "seconds": times,
                    **{f"{name}_gflops": flops / t / 1e9 for name, t in times.items()},
                }
            )

    adam_rows = []
    for net_name, net in (("discriminator", discriminator), ("generator", generator)):
        optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
        variables = net.trainable_variables
        optimizer.build(variables)
        grads = [tf.constant(rng.standard_normal(v.shape, dtype=np.float32)) for v in variables]

        def make_update(optimizer, variables, grads):
            @tf.function
            def update():
                optimizer.apply(grads, variables)
                return tf.reshape(variables[0], [-1])[0]

            return update

        seconds = _timed(make_update(optimizer, variables, grads), args.repeats, args.loop)
        parameters = sum(int(np.prod(v.shape)) for v in variables)
        adam_rows.append({"network": net_name, "parameters": parameters, "seconds": seconds})
    adam_seconds = sum(a["seconds"] for a in adam_rows)
    floors = {}
    for scheme, passes in train_step.PASSES.items():
        products = 0.0
        for row in rows:
            counts = passes["g" if row["network"] == "generator" else "d"]
            input_grads = counts["igrad_full"] + (0 if row["first"] else counts["igrad_inner"])
            # Pass counts are in batches of `batch` samples.
            products += (
                counts["fwd"] * row["seconds"]["forward"]
                + counts["wgrad"] * row["seconds"]["weight_grad"]
                + input_grads * row["seconds"]["input_grad"]
            )
        floors[scheme] = {
            "products_seconds": products,
            "adam_seconds": adam_seconds,
            "images_per_s": batch / (products + adam_seconds),
        }
    return {"layers": rows, "adam": adam_rows, "floors": floors}


def report(payload, train_step_results):
    lines = _common.report_start(payload)
    result = payload["result"]
    batch = payload["config"]["batch_size"]
    lines.append(f"MLP GAN, batch {batch}: matrix products at their own shapes, and Adam.")
    lines.append("")
    rows = [
        [
            r["network"],
            r["layer"],
            "×".join(str(v) for v in r["shape"]),
            _common.fmt(r["forward_gflops"]),
            _common.fmt(r["weight_grad_gflops"]),
            _common.fmt(r["input_grad_gflops"]),
        ]
        for r in result["layers"]
    ]
    headers = ["network", "layer", "B×in×out", "x W GFLOP/s", "x^T dy GFLOP/s", "dy W^T GFLOP/s"]
    lines.append(_common.markdown_table(headers, rows))
    lines.append("")
    lines.append(
        _common.markdown_table(
            ["Adam update", "parameters", "ms"],
            [
                [a["network"], f"{a['parameters']:,}", _common.fmt(1e3 * a["seconds"], 2)]
                for a in result["adam"]
            ],
        )
    )
    lines.append("")
    measured = {}
    for row in train_step_results or []:
        if row["model"] == "mlp":
            measured[row["impl"]] = row["images_per_s"]
    table = []
    for scheme, floor in result["floors"].items():
        for impl in (scheme, f"{scheme}-xla"):
            if impl not in measured and impl != scheme:
                continue
            got = measured.get(impl)
            table.append(
                [
                    impl,
                    _common.fmt(1e3 * floor["products_seconds"], 2),
                    _common.fmt(1e3 * floor["adam_seconds"], 2),
                    _common.fmt(floor["images_per_s"]),
                    "–" if got is None else _common.fmt(got),
                    "–" if got is None else f"{got / floor['images_per_s']:.0%}",
                ]
            )
    lines.append(
        _common.markdown_table(
            [
                "step",
                "products, ms",
                "Adam, ms",
                "sum of the parts, images/s",
                "measured images/s (train_step.json)",
                "measured / sum of the parts",
            ],
            table,
        )
    )
    return "\n".join(lines)


def _train_step_rows(path):
    import json

    if not path:
        return None
    with open(path) as f:
        data = json.load(f)
    return data.get("summary", [])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=7, help="Timed windows per part.")
    parser.add_argument("--loop", type=int, default=50, help="Calls per timed window.")
    parser.add_argument("--train_step", default=None, help="train_step.py's JSON, for shares.")
    parser.add_argument("--quick", action="store_true", help="Smoke run; numbers mean nothing.")
    parser.add_argument("--output", default=None, help="Write the results as JSON here.")
    args = parser.parse_args()
    if args.quick:
        _common.apply_quick(args, parser, {"repeats": 2, "loop": 3})
    _common.quiet_tensorflow_logs()
    payload = {"environment": _common.environment(), "config": vars(args)}
    payload["result"] = measure(args)
    print(report(payload, _train_step_rows(args.train_step)))
    _common.write_json(args.output, payload)


if __name__ == "__main__":
    main()
