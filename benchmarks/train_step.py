"""Training throughput of keras_gans against a plain Keras and a PyTorch reference.

For three models (the canonical 64x64x3 DCGAN, the MNIST DCGAN of
`examples/dcgan_mnist.py`, and the MLP GAN), measures images per second of
training, on the same in-memory data and batch size, for:

- `keras_gans-alternating[-xla]`, `keras_gans-simultaneous[-xla]`:
  `keras_gans.AdversarialModel` with each update scheme, `jit_compile` False
  and True.
- `keras.io[-xla]`: the keras.io DCGAN example's `train_step` (written out
  below): noise -> generator -> one discriminator pass on real and fake
  concatenated -> discriminator step -> FRESH noise -> generator again ->
  generator step. Same networks (built with the keras_gans builders).
- `pytorch`: the training loop of pytorch/examples `dcgan/main.py` with the
  same architecture, when `import torch` works (skipped with a note if not).

Every implementation runs in its own child process (`--only=MODEL:IMPL`), so
that each one's peak resident set size is its own; the parent collects their
JSON. The matrix-multiply rate of the machine (TensorFlow, NumPy, PyTorch) is
measured by children too, at the start and at the end of the run, and every
implementation's achieved GFLOP/s is set against it. Floating-point
operations per step are counted analytically from the layer shapes (see
`step_flops`).

    python benchmarks/train_step.py --quick                 # smoke run, ~5 min
    python benchmarks/train_step.py --output=benchmarks/results/train_step.json
    python benchmarks/train_step.py --models=dcgan64 --impls=keras_gans-alternating,pytorch
    python benchmarks/train_step.py --models=dcgan64 --precision=float32,bfloat16 \
        --allocators=default,tcmalloc

`--precision=bfloat16` runs the Keras implementations under the
`mixed_bfloat16` global policy (set before the networks are built) and the
PyTorch loop's forward passes under `torch.autocast("cpu",
dtype=torch.bfloat16)` (its BCE losses in float32, outside autocast);
`--allocators` runs every child once per memory allocator, `default` (the C
library's malloc) or one preloaded with `LD_PRELOAD` (`jemalloc`,
`tcmalloc`). With anything but float32 and the default allocator, the tables
get precision and allocator columns, every ratio compares runs of the same
precision and allocator, and bfloat16 rows are set against the bfloat16
matrix-multiply rate.

How Keras steps are timed: after `--warmup` steps (the first one traces the
step, and compiles it with XLA for the `-xla` variants), each of `--repeats`
windows calls `model.train_function(iterator)` `--steps` times on an iterator
of a repeated in-memory `tf.data` dataset and waits for the last step's
losses. `train_function` is the function `fit` calls once per step, so this is
fit's steady state without its per-step callback and progress-bar work
(`--keras_driver=fit` times `model.fit(dataset, steps_per_epoch=steps)`
windows instead, which adds fit's per-call setup to each window).
"""

import argparse
import contextlib
import math
import os
import sys

import _common

MODELS = {
    # The canonical DCGAN (Radford et al., 2016): 64x64x3, z of 100, 64 base filters.
    "dcgan64": {"kind": "dcgan", "image_shape": (64, 64, 3), "latent_dim": 100, "base_filters": 64},
    # examples/dcgan_mnist.py: 28x28x1, z of 64, 64 base filters.
    "dcgan_mnist": {
        "kind": "dcgan",
        "image_shape": (28, 28, 1),
        "latent_dim": 64,
        "base_filters": 64,
    },
    # DenseGenerator / DenseDiscriminator defaults: z of 100, G 256-512-1024, D 512-256.
    "mlp": {"kind": "dense", "image_shape": (28, 28, 1), "latent_dim": 100},
}

IMPLS = (
    "keras_gans-alternating",
    "keras_gans-alternating-xla",
    "keras_gans-simultaneous",
    "keras_gans-simultaneous-xla",
    "keras.io",
    "keras.io-xla",
    "pytorch",
)

# Steps per timed window when --steps is not given: a window of a few seconds
# to ~20 s on a 2-core CPU at batch 64 (a 64x64 DCGAN step takes about 1-2 s).
DEFAULT_STEPS = {"dcgan64": 10, "dcgan_mnist": 50, "mlp": 200}
# --quick: flags left at their defaults take these values.
QUICK = {
    "batch_size": 8,
    "steps": 2,
    "repeats": 2,
    "warmup": 1,
    "matmul_size": 512,
    "matmul_repeats": 3,
}
# Distinct batches cycled through: real data values do not change the cost.
DATA_POOL_BATCHES = 4
# Adam as in the DCGAN paper and both reference examples' DCGAN settings.
LEARNING_RATE = 2e-4
BETA_1 = 0.5

# How many times each network runs per training step, per sample of the batch
# (see `step_flops`). "fwd": forward passes; "wgrad": backward passes that
# compute weight gradients; "igrad_inner": backward passes that propagate to
# the input of every layer but the first (enough to reach all the weights);
# "igrad_full": backward passes to the network's input (through the
# discriminator to the generator).
PASSES = {
    # G forward once; D forward on real and on fake (d_tape), D backward
    # (weights, 2B); D forward on fake again with the updated weights for the
    # G step; D backward to its input (B; no D weight gradients: unused, so
    # pruned from the graph); G backward.
    "keras_gans-alternating": {
        "g": {"fwd": 1, "wgrad": 1, "igrad_inner": 1, "igrad_full": 0},
        "d": {"fwd": 3, "wgrad": 2, "igrad_inner": 2, "igrad_full": 1},
    },
    # One forward pass of each network serves both players: G forward, D
    # forward on real and fake; D backward (weights, 2B); D backward to its
    # input on fake (B) for the generator's gradient; G backward.
    "keras_gans-simultaneous": {
        "g": {"fwd": 1, "wgrad": 1, "igrad_inner": 1, "igrad_full": 0},
        "d": {"fwd": 2, "wgrad": 2, "igrad_inner": 2, "igrad_full": 1},
    },
    # G forward (outside any tape); D forward on the 2B concatenated batch, D
    # backward (weights, 2B); FRESH noise: G forward again, D forward on it,
    # D backward to its input (B), G backward.
    "keras.io": {
        "g": {"fwd": 2, "wgrad": 1, "igrad_inner": 1, "igrad_full": 0},
        "d": {"fwd": 3, "wgrad": 2, "igrad_inner": 2, "igrad_full": 1},
    },
    # netD(real) + backward; netG(noise); netD(fake.detach()) + backward;
    # netD(fake) + errG.backward(), which also computes netD's weight
    # gradients (netD's parameters require grad; the next zero_grad drops
    # them), so D weight gradients are computed on 3B samples.
    "pytorch": {
        "g": {"fwd": 1, "wgrad": 1, "igrad_inner": 1, "igrad_full": 0},
        "d": {"fwd": 3, "wgrad": 3, "igrad_inner": 2, "igrad_full": 1},
    },
}


def scheme_of(impl):
    return impl[: -len("-xla")] if impl.endswith("-xla") else impl


# ----------------------------------------------------------------------
# FLOP counting (parent process; builds the Keras models, runs nothing).


def layer_macs(model):
    """Multiply-accumulates per sample of each Dense / Conv2D / Conv2DTranspose layer.

    Dense: `positions * in * out`. Conv2D: `out_h * out_w * out_c * k_h * k_w *
    in_c` (padding taps included). Conv2DTranspose: `in_h * in_w * in_c * k_h *
    k_w * out_c` (each input pixel is scattered over a k x k window). Batch
    norm, activations, losses and the optimizers' updates are not counted:
    they are elementwise, a few FLOPs per value or parameter.
    """
    import keras

    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            in_shape = tuple(layer.input.shape[1:])
            positions = math.prod(in_shape[:-1]) if len(in_shape) > 1 else 1
            macs = positions * in_shape[-1] * layer.units
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            in_h, in_w, in_c = layer.input.shape[1:]
            k_h, k_w = layer.kernel_size
            macs = in_h * in_w * in_c * k_h * k_w * layer.filters
        elif isinstance(layer, keras.layers.Conv2D):
            out_h, out_w, out_c = layer.output.shape[1:]
            k_h, k_w = layer.kernel_size
            macs = out_h * out_w * out_c * k_h * k_w * layer.input.shape[-1]
        else:
            continue
        rows.append({"layer": layer.name, "type": type(layer).__name__, "macs": int(macs)})
    return rows


def network_flops(model):
    """Forward FLOPs per sample of a network, and those of its first weight layer."""
    rows = layer_macs(model)
    return {
        "forward": 2 * sum(r["macs"] for r in rows),
        "first_layer": 2 * rows[0]["macs"],
        "layers": rows,
    }


def step_flops(g, d, scheme):
    """FLOPs per sample of one training step of `scheme` (see `PASSES`).

    A forward pass of a layer costs `2 * MACs`; its backward pass costs
    `2 * MACs` for the input gradient and `2 * MACs` for the weight gradient.
    The first layer of a network needs no input gradient unless the gradient
    must reach the network's input (the discriminator in the generator step).
    """
    total = 0
    for net, passes in ((g, PASSES[scheme]["g"]), (d, PASSES[scheme]["d"])):
        inner = net["forward"] - net["first_layer"]
        total += passes["fwd"] * net["forward"]
        total += passes["wgrad"] * net["forward"]
        total += passes["igrad_inner"] * inner
        total += passes["igrad_full"] * net["forward"]
    return total


def count_flops(model_names):
    from keras_gans import architectures

    counts = {}
    for name in model_names:
        generator, discriminator = build_keras_networks(MODELS[name], architectures)
        g, d = network_flops(generator), network_flops(discriminator)
        counts[name] = {
            "generator_forward_flops_per_image": g["forward"],
            "discriminator_forward_flops_per_image": d["forward"],
            "generator_layers": g["layers"],
            "discriminator_layers": d["layers"],
            "step_flops_per_image": {scheme: step_flops(g, d, scheme) for scheme in PASSES},
        }
    return counts


# ----------------------------------------------------------------------
# Networks.


def build_keras_networks(spec, architectures):
    if spec["kind"] == "dcgan":
        generator = architectures.DCGANGenerator(
            latent_dim=spec["latent_dim"],
            image_shape=spec["image_shape"],
            base_filters=spec["base_filters"],
        )
        discriminator = architectures.DCGANDiscriminator(
            image_shape=spec["image_shape"], base_filters=spec["base_filters"]
        )
    else:
        generator = architectures.DenseGenerator(
            latent_dim=spec["latent_dim"], image_shape=spec["image_shape"]
        )
        discriminator = architectures.DenseDiscriminator(image_shape=spec["image_shape"])
    return generator, discriminator


def build_torch_networks(spec):
    """The keras_gans networks, written as pytorch/examples dcgan/main.py writes them.

    DCGAN: the generator's projection `Dense(s*s*f, no bias) -> reshape` is
    the example's `ConvTranspose2d(nz, f, s, 1, 0, bias=False)` on a 1x1
    input (the same function and cost); `Conv2DTranspose(k=4, s=2,
    "same")` is `ConvTranspose2d(k=4, s=2, padding=1)`. The discriminator's
    `Flatten -> Dense(1)` is the example's final `Conv2d(f, 1, s, 1, 0)`,
    followed by `Sigmoid` for `BCELoss`. Biases where keras_gans has them
    (last generator layer, first and last discriminator layers). MLP: the
    Dense stacks of `DenseGenerator` / `DenseDiscriminator`.
    """
    from torch import nn

    height, _, channels = spec["image_shape"]
    nz = spec["latent_dim"]
    if spec["kind"] == "dense":
        generator = nn.Sequential(
            nn.Linear(nz, 256),
            nn.LeakyReLU(0.2),
            nn.Linear(256, 512),
            nn.LeakyReLU(0.2),
            nn.Linear(512, 1024),
            nn.LeakyReLU(0.2),
            nn.Linear(1024, height * height * channels),
            nn.Tanh(),
            nn.Unflatten(1, (channels, height, height)),
        )
        discriminator = nn.Sequential(
            nn.Flatten(),
            nn.Linear(height * height * channels, 512),
            nn.LeakyReLU(0.2),
            nn.Linear(512, 256),
            nn.LeakyReLU(0.2),
            nn.Linear(256, 1),
            nn.Sigmoid(),
            nn.Flatten(0),
        )
        return generator, discriminator

    start, doublings = (7, 2) if height == 28 else (4, height.bit_length() - 3)
    base = spec["base_filters"]
    filters = base * 2 ** (doublings - 1)
    g_layers = [
        nn.Unflatten(1, (nz, 1, 1)),
        nn.ConvTranspose2d(nz, filters, start, 1, 0, bias=False),
        nn.BatchNorm2d(filters),
        nn.ReLU(True),
    ]
    for _ in range(doublings - 1):
        g_layers += [
            nn.ConvTranspose2d(filters, filters // 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(filters // 2),
            nn.ReLU(True),
        ]
        filters //= 2
    g_layers += [nn.ConvTranspose2d(filters, channels, 4, 2, 1), nn.Tanh()]

    filters = base
    d_layers = [nn.Conv2d(channels, filters, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True)]
    for _ in range(doublings - 1):
        d_layers += [
            nn.Conv2d(filters, filters * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(filters * 2),
            nn.LeakyReLU(0.2, inplace=True),
        ]
        filters *= 2
    d_layers += [nn.Conv2d(filters, 1, start, 1, 0), nn.Sigmoid(), nn.Flatten(0)]
    generator, discriminator = nn.Sequential(*g_layers), nn.Sequential(*d_layers)

    def weights_init(m):  # as in the example
        classname = m.__class__.__name__
        if classname.find("Conv") != -1:
            nn.init.normal_(m.weight.data, 0.0, 0.02)
        elif classname.find("BatchNorm") != -1:
            nn.init.normal_(m.weight.data, 1.0, 0.02)
            nn.init.constant_(m.bias.data, 0)

    generator.apply(weights_init)
    discriminator.apply(weights_init)
    return generator, discriminator


def make_keras_io_gan(keras, tf):
    """The keras.io DCGAN example's model ("DCGAN to generate face images").

    Written as the example writes it, with two changes: the networks are
    called with `training=True` (the example's networks have no batch norm
    and are called without it; with batch norm that would run it in
    inference mode), and the optimizers are built in `compile`, as
    `AdversarialModel` does, so that the first traced step creates no
    variables.
    """
    from keras import ops

    class KerasIOGAN(keras.Model):
        def __init__(self, discriminator, generator, latent_dim, seed=None):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.seed_generator = keras.random.SeedGenerator(seed)

        def compile(self, d_optimizer, g_optimizer, loss_fn, jit_compile=False):
            super().compile(jit_compile=jit_compile)
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn
            self.d_loss_metric = keras.metrics.Mean(name="d_loss")
            self.g_loss_metric = keras.metrics.Mean(name="g_loss")
            d_optimizer.build(self.discriminator.trainable_variables)
            g_optimizer.build(self.generator.trainable_variables)

        @property
        def metrics(self):
            return [self.d_loss_metric, self.g_loss_metric]

        def train_step(self, real_images):
            # Sample random points in the latent space
            batch_size = ops.shape(real_images)[0]
            random_latent_vectors = keras.random.normal(
                shape=(batch_size, self.latent_dim), seed=self.seed_generator
            )
            # Decode them to fake images
            generated_images = self.generator(random_latent_vectors, training=True)
            # Combine them with real images
            combined_images = ops.concatenate([generated_images, real_images], axis=0)
            # Assemble labels discriminating real from fake images
            labels = ops.concatenate(
                [ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0
            )
            # Add random noise to the labels - important trick!
            labels += 0.05 * keras.random.uniform(ops.shape(labels), seed=self.seed_generator)
            # Train the discriminator
            with tf.GradientTape() as tape:
                predictions = self.discriminator(combined_images, training=True)
                d_loss = self.loss_fn(labels, predictions)
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(
                zip(grads, self.discriminator.trainable_weights, strict=True)
            )
            # Sample random points in the latent space
            random_latent_vectors = keras.random.normal(
                shape=(batch_size, self.latent_dim), seed=self.seed_generator
            )
            # Assemble labels that say "all real images"
            misleading_labels = ops.zeros((batch_size, 1))
            # Train the generator (note that we should *not* update the weights
            # of the discriminator)!
            with tf.GradientTape() as tape:
                predictions = self.discriminator(
                    self.generator(random_latent_vectors, training=True), training=True
                )
                g_loss = self.loss_fn(misleading_labels, predictions)
            grads = tape.gradient(g_loss, self.generator.trainable_weights)
            self.g_optimizer.apply_gradients(
                zip(grads, self.generator.trainable_weights, strict=True)
            )
            # Update metrics
            self.d_loss_metric.update_state(d_loss)
            self.g_loss_metric.update_state(g_loss)
            return {
                "d_loss": self.d_loss_metric.result(),
                "g_loss": self.g_loss_metric.result(),
            }

    return KerasIOGAN


# ----------------------------------------------------------------------
# Child process: one implementation of one model.


def data_pool(spec, batch_size, seed):
    """`DATA_POOL_BATCHES` batches of images in [-1, 1], NHWC float32."""
    import numpy as np

    rng = np.random.default_rng(seed)
    shape = (DATA_POOL_BATCHES, batch_size, *spec["image_shape"])
    return rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)


time_windows = _common.time_windows


def run_keras(spec, impl, args):
    import keras
    import tensorflow as tf

    from keras_gans import AdversarialModel
    from keras_gans import architectures

    rss_after_import = _common.peak_rss_mb()
    if args.precision == "bfloat16":
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    keras.utils.set_random_seed(args.seed)
    generator, discriminator = build_keras_networks(spec, architectures)
    jit = impl.endswith("-xla")
    scheme = scheme_of(impl)

    def adam():
        return keras.optimizers.Adam(LEARNING_RATE, beta_1=BETA_1)

    if scheme.startswith("keras_gans"):
        model = AdversarialModel(generator, discriminator, seed=args.seed)
        model.compile(
            g_optimizer=adam(),
            d_optimizer=adam(),
            loss="non_saturating",
            update=scheme.split("-")[1],
            jit_compile=jit,
        )
    else:
        model = make_keras_io_gan(keras, tf)(
            discriminator, generator, spec["latent_dim"], seed=args.seed
        )
        model.compile(
            d_optimizer=adam(),
            g_optimizer=adam(),
            loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
            jit_compile=jit,
        )
    pool = data_pool(spec, args.batch_size, args.seed)
    dataset = tf.data.Dataset.from_tensor_slices(pool).repeat()

    last = {}
    if args.keras_driver == "train_function":
        model.make_train_function()
        iterator = iter(dataset)

        def run(n):
            for _ in range(n):
                logs = model.train_function(iterator)
            float(logs["g_loss"])  # waits for the last step
            last["logs"] = logs

    else:

        def run(n):
            history = model.fit(dataset, steps_per_epoch=n, epochs=1, verbose=0, shuffle=False)
            last["logs"] = {k: v[-1] for k, v in history.history.items()}

    timing = time_windows(run, args.warmup, args.steps, args.repeats)
    losses = {k: float(last["logs"][k]) for k in ("d_loss", "g_loss")}
    return timing, rss_after_import, losses


def run_torch(spec, args):
    import numpy as np
    import torch
    from torch import nn
    from torch import optim

    rss_after_import = _common.peak_rss_mb()
    torch.set_num_threads(args.torch_threads or _common.cpu_count())
    torch.manual_seed(args.seed)
    net_g, net_d = build_torch_networks(spec)
    net_g.train()
    net_d.train()
    criterion = nn.BCELoss()
    optimizer_d = optim.Adam(net_d.parameters(), lr=LEARNING_RATE, betas=(BETA_1, 0.999))
    optimizer_g = optim.Adam(net_g.parameters(), lr=LEARNING_RATE, betas=(BETA_1, 0.999))
    pool = data_pool(spec, args.batch_size, args.seed)
    pool = torch.from_numpy(np.ascontiguousarray(pool.transpose(0, 1, 4, 2, 3)))  # NCHW
    batch_size, nz = args.batch_size, spec["latent_dim"]
    real_label, fake_label = 1.0, 0.0
    state = {"i": 0}
    if args.precision == "bfloat16":  # forward passes only; the losses in float32

        def autocast():
            return torch.autocast("cpu", dtype=torch.bfloat16)

    else:
        autocast = contextlib.nullcontext

    def run(n):
        for _ in range(n):
            real = pool[state["i"] % DATA_POOL_BATCHES]
            state["i"] += 1
            # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
            net_d.zero_grad()
            label = torch.full((batch_size,), real_label, dtype=real.dtype)
            with autocast():
                output = net_d(real)
            err_d_real = criterion(output.float(), label)
            err_d_real.backward()
            noise = torch.randn(batch_size, nz)
            with autocast():
                fake = net_g(noise)
            label.fill_(fake_label)
            with autocast():
                output = net_d(fake.detach())
            err_d_fake = criterion(output.float(), label)
            err_d_fake.backward()
            err_d = err_d_real + err_d_fake
            optimizer_d.step()
            # (2) Update G network: maximize log(D(G(z)))
            net_g.zero_grad()
            label.fill_(real_label)
            with autocast():
                output = net_d(fake)
            err_g = criterion(output.float(), label)
            err_g.backward()
            optimizer_g.step()
            # The example reads the losses every step (for its log line).
            state["losses"] = err_d.item(), err_g.item()

    timing = time_windows(run, args.warmup, args.steps, args.repeats)
    losses = dict(zip(("d_loss", "g_loss"), state["losses"], strict=True))
    return timing, rss_after_import, losses


def run_child(args):
    what, _, name = args.only.partition(":")
    if what == "matmul":
        result = _common.matmul_gflops(
            name,
            args.matmul_size,
            args.matmul_repeats,
            torch_threads=args.torch_threads,
            dtype=args.precision,
        )
        result["peak_rss_mb"] = _common.peak_rss_mb()
        return result
    spec = MODELS[what]
    if name == "pytorch":
        timing, rss_after_import, losses = run_torch(spec, args)
    else:
        timing, rss_after_import, losses = run_keras(spec, name, args)
    images = args.batch_size * args.steps
    rates = [images / s for s in timing["window_s"]]
    return {
        "model": what,
        "impl": name,
        "batch_size": args.batch_size,
        "steps": args.steps,
        "repeats": args.repeats,
        "warmup": args.warmup,
        **timing,
        "images_per_s": rates,
        "images_per_s_median": _common.median(rates),
        "rss_after_import_mb": rss_after_import,
        "peak_rss_mb": _common.peak_rss_mb(),
        "load_average_at_end": _common.load_average(),
        "precision": args.precision,
        "allocator": args.allocator,
        "allocators_loaded": _common.loaded_allocators(),
        "last_losses": losses,
        "finite_losses": all(math.isfinite(v) for v in losses.values()),
    }


# ----------------------------------------------------------------------
# Parent process.


def torch_available():
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def child_args(args, only, precision="float32", allocator="default"):
    flags = [
        f"--only={only}",
        f"--batch_size={args.batch_size}",
        f"--repeats={args.repeats}",
        f"--warmup={args.warmup}",
        f"--seed={args.seed}",
        f"--keras_driver={args.keras_driver}",
        f"--matmul_size={args.matmul_size}",
        f"--matmul_repeats={args.matmul_repeats}",
        f"--torch_threads={args.torch_threads}",
        f"--precision={precision}",
        f"--allocators={allocator}",
    ]
    if args.steps is not None:  # per-model default otherwise
        flags.append(f"--steps={args.steps}")
    return flags


def spawn(args, only, precision="float32", allocator="default"):
    return _common.spawn_variant(
        os.path.abspath(__file__), child_args, args, only, precision, allocator
    )


def matmul_key(library, precision):
    """The float32 results keep the library as their key; others are `library:precision`."""
    return library if precision == "float32" else f"{library}:{precision}"


def run_matmul_children(args, libraries, label):
    results = {}
    for precision in args.precisions:
        for library in libraries:
            if precision != "float32" and library == "numpy":
                continue  # NumPy has no bfloat16 product
            key = matmul_key(library, precision)
            result = spawn(args, f"matmul:{library}", precision)
            results[key] = result
            rate = result.get("gflops_median")
            print(f"[{label}] matmul {key}: {_common.fmt(rate)} GFLOP/s", file=sys.stderr)
    return results


def variants_requested(config):
    """Whether the run has anything but float32 with the default allocator."""
    return config.get("precisions", ["float32"]) != ["float32"] or config.get(
        "allocators", ["default"]
    ) != ["default"]


def summarize(runs, flops, matmul_rates):
    """Median over rounds of each (model, impl, precision, allocator), with FLOP rates and ratios.

    `matmul_rates` maps each precision to its reference matmul rate; the
    ratios compare runs of the same precision and allocator.
    """
    grouped = {}
    for run in runs:
        if "error" in run:
            continue
        key = (run["model"], run["impl"], run["precision"], run["allocator"])
        grouped.setdefault(key, []).append(run)
    summary = []
    for (model, impl, precision, allocator), group in grouped.items():
        rate = _common.median([r["images_per_s_median"] for r in group])
        all_rates = [x for r in group for x in r["images_per_s"]]
        per_image = flops[model]["step_flops_per_image"][scheme_of(impl)]
        matmul_rate = matmul_rates.get(precision)
        gflops = rate * per_image / 1e9
        summary.append(
            {
                "model": model,
                "impl": impl,
                "images_per_s": rate,
                "images_per_s_min": min(all_rates),
                "images_per_s_max": max(all_rates),
                "gflop_per_image": per_image / 1e9,
                "achieved_gflops": gflops,
                "share_of_matmul": gflops / matmul_rate if matmul_rate else None,
                "images_per_s_bound": matmul_rate * 1e9 / per_image if matmul_rate else None,
                "peak_rss_mb": max(r["peak_rss_mb"] for r in group),
                "rss_after_import_mb": max(r["rss_after_import_mb"] for r in group),
                "first_step_s": _common.median([r["first_step_s"] for r in group]),
                "precision": precision,
                "allocator": allocator,
                "finite_losses": all(r["finite_losses"] for r in group),
            }
        )
    by_key = {(s["model"], s["impl"], s["precision"], s["allocator"]): s for s in summary}
    for s in summary:
        reference = "keras.io-xla" if s["impl"].endswith("-xla") else "keras.io"
        variant = (s["precision"], s["allocator"])
        ref = by_key.get((s["model"], reference, *variant))
        torch_ref = by_key.get((s["model"], "pytorch", *variant))
        s["vs_keras_io"] = s["images_per_s"] / ref["images_per_s"] if ref else None
        s["vs_keras_io_reference"] = reference if ref else None
        s["vs_pytorch"] = s["images_per_s"] / torch_ref["images_per_s"] if torch_ref else None
    return summary


def report(payload):
    lines = _common.report_start(payload)
    config = payload["config"]
    lines.append(
        f"Batch size {config['batch_size']}, median of {config['repeats']} windows "
        f"x {config['rounds']} round(s); steps per window: {config['steps_per_model']}; "
        f"Keras driver: {config['keras_driver']}; {payload['environment']['cpu_count']} cores."
    )
    variants = variants_requested(config)
    lines.append("")
    if config.get("precisions", ["float32"]) == ["float32"]:
        lines.append("Matrix multiply, float32, GFLOP/s (start / end of the run):")
    else:
        lines.append(
            "Matrix multiply, GFLOP/s (start / end of the run; float32, and bfloat16 in the "
            "`library:bfloat16` rows):"
        )
    lines.append("")
    rows = []
    for library in payload["matmul"]["start"]:
        start = payload["matmul"]["start"][library].get("gflops_median")
        end = payload["matmul"]["end"].get(library, {}).get("gflops_median")
        rows.append([library, _common.fmt(start), _common.fmt(end)])
    lines.append(
        _common.markdown_table(
            [f"library ({config['matmul_size']}²)", "start", "end"],
            rows,
        )
    )
    lines.append("")
    reference = f"Reference matmul rate (best TensorFlow): {_common.fmt(payload['matmul_rate'])}"
    for precision, rate in payload.get("matmul_rates", {}).items():
        if precision != "float32":
            reference += f"; {precision}: {_common.fmt(rate)}"
    lines.append(f"{reference} GFLOP/s")
    lines += ["", "Analytical FLOPs per image (see PASSES for the passes of each step):", ""]
    rows = []
    for model in config["models"]:
        counts = payload["flops"][model]
        rows.append(
            [
                model,
                _common.fmt(counts["generator_forward_flops_per_image"] / 1e9, 4),
                _common.fmt(counts["discriminator_forward_flops_per_image"] / 1e9, 4),
                *(
                    _common.fmt(counts["step_flops_per_image"][scheme] / 1e9, 4)
                    for scheme in PASSES
                ),
            ]
        )
    lines.append(
        _common.markdown_table(
            ["model", "G forward", "D forward", *(f"step: {scheme}" for scheme in PASSES)],
            rows,
        )
    )
    for model in config["models"]:
        rows = []
        for s in payload["summary"]:
            if s["model"] != model:
                continue
            variant = [s["precision"], s["allocator"]] if variants else []
            rows.append(
                [
                    s["impl"],
                    *variant,
                    _common.fmt(s["images_per_s"]),
                    f"{_common.fmt(s['images_per_s_min'])}–{_common.fmt(s['images_per_s_max'])}",
                    _common.fmt_ratio(s["vs_keras_io"]),
                    _common.fmt_ratio(s["vs_pytorch"]),
                    _common.fmt(s["gflop_per_image"], 3),
                    _common.fmt(s["achieved_gflops"]),
                    "–" if s["share_of_matmul"] is None else f"{100 * s['share_of_matmul']:.0f}%",
                    _common.fmt(s["images_per_s_bound"]),
                    _common.fmt(s["peak_rss_mb"], 0),
                    _common.fmt(s["rss_after_import_mb"], 0),
                    _common.fmt(s["first_step_s"]),
                    *([("yes" if s["finite_losses"] else "**NO**")] if variants else []),
                ]
            )
        lines += ["", f"### {model}", ""]
        lines.append(
            _common.markdown_table(
                [
                    "implementation",
                    *(["precision", "allocator"] if variants else []),
                    "images/s",
                    "min–max",
                    "× keras.io (same jit)",
                    "× PyTorch",
                    "GFLOP/image",
                    "GFLOP/s",
                    "% of matmul",
                    "bound images/s",
                    "peak RSS MB",
                    "RSS after import MB",
                    "first step s",
                    *(["finite losses"] if variants else []),
                ],
                rows,
            )
        )
    for run in payload["runs"]:
        if "error" in run:
            what = run["only"]
            if variants:
                what += f" {run['precision']} {run['allocator']}"
            lines += ["", f"FAILED {what}: {run['error']}", "```", run["output_tail"], "```"]
        elif not run.get("finite_losses", True):
            lines += [
                "",
                f"NON-FINITE LOSSES {run['model']}:{run['impl']} {run['precision']} "
                f"{run['allocator']}: {run['last_losses']}",
            ]
    for note in payload["notes"]:
        lines += ["", note]
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS), help="Comma-separated models.")
    parser.add_argument("--impls", default=",".join(IMPLS), help="Comma-separated implementations.")
    parser.add_argument("--batch_size", type=int, default=64, help="Images per step, all models.")
    parser.add_argument(
        "--steps",
        type=int,
        default=None,
        help=f"Steps per timed window. Default per model: {DEFAULT_STEPS}.",
    )
    parser.add_argument("--repeats", type=int, default=5, help="Timed windows per child.")
    parser.add_argument(
        "--warmup", type=int, default=5, help="Untimed steps first (the first traces/compiles)."
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="Run every child this many times, interleaved; the median is reported.",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--keras_driver",
        choices=("train_function", "fit"),
        default="train_function",
        help="How Keras steps are driven (see the module docstring).",
    )
    parser.add_argument("--matmul_size", type=int, default=2048)
    parser.add_argument("--matmul_repeats", type=int, default=10)
    parser.add_argument(
        "--torch_threads",
        type=int,
        default=0,
        help="torch.set_num_threads for the PyTorch reference; 0 = the core count.",
    )
    parser.add_argument(
        "--precision",
        default="float32",
        help=(
            "Comma-separated: float32, bfloat16 (Keras' mixed_bfloat16 policy, PyTorch's "
            "bfloat16 autocast). Every implementation runs once per precision."
        ),
    )
    parser.add_argument(
        "--allocators",
        default="default",
        help=(
            "Comma-separated: default (the C library's malloc, no preload), jemalloc, "
            "tcmalloc (LD_PRELOAD). Every implementation runs once per allocator."
        ),
    )
    parser.add_argument("--child_timeout", type=float, default=3600.0, help="Seconds per child.")
    parser.add_argument("--output", default=None, help="Write the results as JSON here.")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=(
            "Smoke run: batch 8, 2 windows of 2 steps, 1 warm-up step, 512² matmul; "
            "flags given explicitly keep their values."
        ),
    )
    parser.add_argument("--only", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child_output", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick and args.only is None:
        _common.apply_quick(args, parser, QUICK)
    for name in ("batch_size", "repeats", "warmup", "rounds", "matmul_size", "matmul_repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be >= 1. Received: {getattr(args, name)}")
    if args.steps is not None and args.steps < 1:
        parser.error(f"--steps must be >= 1. Received: {args.steps}")
    args.models = [m for m in args.models.split(",") if m]
    args.impls = [i for i in args.impls.split(",") if i]
    for model in args.models:
        if model not in MODELS:
            parser.error(f"Unknown model {model!r}. Valid: {list(MODELS)}")
    for impl in args.impls:
        if impl not in IMPLS:
            parser.error(f"Unknown implementation {impl!r}. Valid: {list(IMPLS)}")
    args.precisions = _common.parse_choices(args.precision, _common.PRECISIONS, "precision", parser)
    args.allocator_list = _common.parse_choices(
        args.allocators, _common.ALLOCATORS, "allocators", parser
    )
    _common.check_allocators(args.allocator_list, parser)
    # A child runs one of each.
    args.precision, args.allocator = args.precisions[0], args.allocator_list[0]
    return args


def main(argv=None):
    args = parse_args(argv)
    _common.quiet_tensorflow_logs()
    if args.only is not None:
        if args.steps is None:
            args.steps = DEFAULT_STEPS.get(args.only.split(":")[0], 1)
        _common.write_json(args.child_output, run_child(args))
        return 0

    env = _common.environment()
    notes = []
    impls = list(args.impls)
    libraries = ["tensorflow", "numpy"]
    if torch_available():
        libraries.append("torch")
    elif "pytorch" in impls:
        impls.remove("pytorch")
        notes.append("PyTorch is not installed: the `pytorch` reference was skipped.")
    steps_per_model = {m: args.steps or DEFAULT_STEPS[m] for m in args.models}

    matmul = {"start": run_matmul_children(args, libraries, "start")}
    runs = []
    variants = [(p, a) for p in args.precisions for a in args.allocator_list]
    for round_index in range(args.rounds):
        for model in args.models:
            for impl in impls:
                for precision, allocator in variants:
                    child = argparse.Namespace(**vars(args))
                    child.steps = steps_per_model[model]
                    result = spawn(child, f"{model}:{impl}", precision, allocator)
                    result["round"] = round_index
                    runs.append(result)
                    rate = result.get("images_per_s_median")
                    status = result.get("error") or f"{_common.fmt(rate)} images/s"
                    label = f"{model} {impl}"
                    if len(variants) > 1 or variants[0] != ("float32", "default"):
                        label += f" {precision} {allocator}"
                    print(f"[round {round_index}] {label}: {status}", file=sys.stderr)
    matmul["end"] = run_matmul_children(args, libraries, "end")
    matmul_rates = {}
    for precision in args.precisions:
        key = matmul_key("tensorflow", precision)
        tf_rates = [matmul[when].get(key, {}).get("gflops_median") for when in ("start", "end")]
        tf_rates = [r for r in tf_rates if r]
        matmul_rates[precision] = max(tf_rates) if tf_rates else None
    matmul_rate = matmul_rates.get("float32")
    for run in runs:
        if "error" in run:
            continue
        expected = [] if run["allocator"] == "default" else [run["allocator"]]
        if run["allocators_loaded"] not in (None, expected):
            notes.append(
                f"ALLOCATOR: {run['model']}:{run['impl']} {run['precision']} asked for "
                f"{run['allocator']} but had {run['allocators_loaded']} mapped."
            )

    flops = count_flops(args.models)
    payload = {
        "benchmark": "train_step",
        "environment": env,
        "load_average_at_end": _common.load_average(),
        "config": {
            "models": args.models,
            "model_specs": {m: MODELS[m] for m in args.models},
            "impls": impls,
            "batch_size": args.batch_size,
            "steps_per_model": steps_per_model,
            "repeats": args.repeats,
            "warmup": args.warmup,
            "rounds": args.rounds,
            "keras_driver": args.keras_driver,
            "matmul_size": args.matmul_size,
            "matmul_repeats": args.matmul_repeats,
            "torch_threads": args.torch_threads or env["cpu_count"],
            "quick": args.quick,
            "passes_per_step": PASSES,
            "precisions": args.precisions,
            "allocators": args.allocator_list,
        },
        "matmul": matmul,
        "matmul_rate": matmul_rate,
        "matmul_rates": matmul_rates,
        "flops": flops,
        "runs": runs,
        "summary": summarize(runs, flops, matmul_rates),
        "notes": notes,
    }
    _common.write_json(args.output, payload)
    print(report(payload))
    return 0 if not any("error" in run for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
