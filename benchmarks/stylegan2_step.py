"""StyleGAN2 training throughput: keras_gans against a PyTorch implementation of the same step.

The model is `keras_gans.presets.stylegan2(image_shape=(64, 64, 3),
size="small", batch_size=32, seed=0)`: a skip generator (z and w of 128, two
mapping layers with learning-rate multiplier 0.01, at most 128 feature maps,
modulated convolutions, per-layer noise, [1, 3, 3, 1] resampling filters) and
a residual discriminator (minibatch standard deviation over groups of 4),
non-saturating loss, lazy R1 every 16 discriminator updates, path length
regularisation every 4 generator updates, style mixing with probability 0.9,
an average of the generator's weights (Keras Adam `use_ema=True`) and the
lazily adjusted Adams of StyleGAN2.

The PyTorch reference (`_torch_classes`) writes the same networks as
stylegan2-ada-pytorch writes its own (NCHW, equalised learning rate applied
at run time, FIR filters as depthwise convolutions) and the same training
step as keras_gans' `Alternating` schedule (see `torch_step`). It takes the
path keras_gans takes on a CPU for the modulated convolutions: the non-fused
one (`ModulatedConv2D(fused_modconv="auto")` without a GPU), i.e. scale the
input channels by the styles, convolve with the shared kernel, scale the
output channels by the demodulation coefficients.

Implementations, each in its own child process, for every `--precision`
and every `--allocators` entry:

- `keras_gans`: the compiled preset, `model.train_function(iterator)` per
  step (fit's steady state, as `train_step.py`), TensorFlow's default
  threading; `bfloat16` sets `keras.mixed_precision.set_global_policy(
  "mixed_bfloat16")` before building the preset.
- `pytorch`: `torch_step` on the networks of `_torch_classes`,
  `torch.set_num_threads(cores)`; `bfloat16` runs the forward passes under
  `torch.autocast("cpu", dtype=torch.bfloat16)` (losses and gradients
  outside it, as PyTorch recommends).
- allocators: `default` (glibc malloc), `jemalloc`, `tcmalloc` (the child
  runs with `LD_PRELOAD` set to the library; it checks that the library is
  mapped).

Before timing, a `parity` child builds both implementations, copies the
Keras weights into the PyTorch networks and checks that they compute the
same functions (mapping, synthesis, discriminator, R1's gradient norms, the
path lengths), that they have the same number of parameters and the same
analytical FLOPs, and that the PyTorch constants are the preset's (loss
weights, intervals, Adam settings, EMA momentum). A mismatch stops the run.

Timing: `--warmup` steps (the first one traces the Keras step; its time is
reported as "first step"), then `--repeats` windows of `--steps` steps. A
window must be a multiple of 16 steps, so that every window holds R1 once
and the path length penalty four times, their real frequency. Median
images/s over the windows.

    python benchmarks/stylegan2_step.py --quick            # smoke run, ~4 min
    python benchmarks/stylegan2_step.py --output=benchmarks/results/stylegan2_step.json
    python benchmarks/stylegan2_step.py --allocators=default,jemalloc,tcmalloc \
        --output=benchmarks/results/stylegan2_step_allocators.json
    python benchmarks/stylegan2_step.py --impls=pytorch --precision=bfloat16 \\
        --allocators=default,tcmalloc

A default run (parity, 4 timed children of 2 + 3 x 16 steps at batch 32,
matmul children) should take 10-15 minutes on 2 idle cores (a float32 step
takes ~2-3 s there, a bfloat16 one about half); every extra allocator adds
the 4 children again. PyTorch's OpenMP threads wait for each other, so on a
loaded machine its results are far worse than on a quiet one (see
README.md): run it on a quiet machine.

FLOPs per image are counted analytically (`PASSES`, `step_flops`), from the
layer shapes of each network, independently in Keras (`keras_network_macs`)
and in PyTorch (a counting forward pass), which must agree.
"""

import argparse
import functools
import math
import os
import sys

import _common

IMPLS = ("keras_gans", "pytorch")
IMAGE_SHAPE = (64, 64, 3)
SIZE = "small"
DATA_POOL_BATCHES = 4

# The networks of `presets.stylegan2(size="small")` at 64x64 (STYLE_SIZES["small"]
# and the builders' defaults); the parity child checks them against the preset.
SPEC = {
    "latent_dim": 128,
    "w_dim": 128,
    "mapping_layers": 2,
    "mapping_lr_multiplier": 0.01,
    "channel_base": 4096,
    "channel_max": 128,
    "blur_kernel": (1.0, 3.0, 3.0, 1.0),
    "w_avg_beta": 0.995,
    "mbstd_group_size": 4,  # min(4, batch)
    "style_mixing_prob": 0.9,
}
# The preset's training settings.
R1_EVERY = 16
PL_EVERY = 4
PL_WEIGHT = 2.0
PL_DECAY = 0.01
PL_BATCH_SHRINK = 2
LEARNING_RATE = 0.002
BETA_2 = 0.99
EPSILON = 1e-8
EMA_HALF_LIFE_IMAGES = 10_000


def r1_gamma(batch_size):
    """The small preset's R1 gamma (StyleGAN2-ADA's automatic setting)."""
    return 0.0002 * IMAGE_SHAPE[0] ** 2 / batch_size


def lazy_adam(every):
    """Adam's (learning rate, beta_1, beta_2) for a player regularised every `every` updates."""
    ratio = every / (every + 1)
    return LEARNING_RATE * ratio, 0.0, BETA_2**ratio


def ema_momentum(batch_size):
    return 0.5 ** (batch_size / EMA_HALF_LIFE_IMAGES)


def num_ws():
    return 2 * int(math.log2(IMAGE_SHAPE[0])) - 2


def channels_at(resolution):
    return max(1, min(SPEC["channel_base"] // resolution, SPEC["channel_max"]))


def resolutions():
    return [2**k for k in range(2, int(math.log2(IMAGE_SHAPE[0])) + 1)]


# Windows of a few tens of seconds on 2 cores at batch 32.
DEFAULTS = {"steps": 16, "repeats": 3, "warmup": 2}
QUICK = {
    "batch_size": 8,
    "steps": 16,
    "repeats": 1,
    "warmup": 1,
    "matmul_size": 512,
    "matmul_repeats": 3,
}

# ----------------------------------------------------------------------
# FLOP counting.
#
# Each network's forward pass is counted per image as multiply-accumulates of
# its operations with weights ("weighted": dense layers, including the style
# affines; convolutions; transposed convolutions, `in_h * in_w * in_c * k * k
# * out_c`; the demodulation's `styles**2 @ kernel_energy`, `in_c * out_c`)
# and of its FIR filters ("fir": the [1, 3, 3, 1] blurs of up- and
# downsampling, depthwise, `out_h * out_w * channels * 16` at the resolution
# they run at, including the zeros inserted by upsampling). Elementwise work
# (modulation, noise, bias, activations, minibatch standard deviation, losses,
# Adam, the weight average) is not counted.
#
# A forward pass costs F = 2 * (weighted + fir). A backward pass costs F for
# the gradients with respect to every operation's input and W = 2 * weighted
# for the gradients with respect to the weights. A double backward (R1 and
# path length: the gradient of a gradient norm) costs a forward pass, a
# backward pass to the input (F), then a backward pass through both of them
# to the weights: through the gradient graph (F + W) and through the forward
# graph (F + W), which the penalties also depend on (the demodulation and
# modulation in the generator, the minibatch standard deviation in the
# discriminator): 1 forward, 3 input gradients, 2 weight gradients.
#
# One training step of keras_gans' `Alternating` schedule (d_steps=1), which
# the PyTorch step mirrors, per image of the batch B:
#
# "main" (every step):
#   - the generator's forward pass, under the generator's tape: the mapping
#     network on z and on the style-mixing z2 (always both; per-sample
#     crossover), the synthesis network once;
#   - discriminator update: D on the real batch and on the (detached)
#     generated batch, backward to D's weights on both (2B);
#   - generator update against the updated D: D on the generated batch,
#     backward to its input only (D's weight gradients are not needed: pruned
#     by TensorFlow, `requires_grad_(False)` in PyTorch), then backward
#     through the synthesis and both mapping passes to G's weights.
# "r1" (one discriminator update in 16, on the B real images): D forward
#   again (the penalty's own pass), its input gradient with the graph kept,
#   and the double backward to D's weights.
# "path_length" (one generator update in 4, on B / 2 latents): the mapping
#   on z and z2 and the synthesis again (without updating w_avg), the
#   gradient of sum(images * noise) with respect to the ws, and the double
#   backward to G's weights.
#
# Per network: forward passes, input-gradient passes, weight-gradient passes;
# `share` is the phase's average share of a step's images (1/16 of the steps
# for R1; 1/4 of the steps on half the batch for the path length).
PASSES = {
    "main": {
        "share": 1.0,
        "mapping": (2, 2, 2),
        "synthesis": (1, 1, 1),
        "discriminator": (3, 3, 2),
    },
    "r1": {"share": 1.0 / R1_EVERY, "discriminator": (1, 3, 2)},
    "path_length": {
        "share": 1.0 / (PL_EVERY * PL_BATCH_SHRINK),
        "mapping": (2, 2, 2),
        "synthesis": (1, 3, 2),
    },
}
NETWORKS = ("mapping", "synthesis", "discriminator")


def phase_flops(macs, phase):
    """FLOPs per image of one `PASSES` phase, when it runs (not yet weighted by `share`)."""
    total = 0
    for net in NETWORKS:
        if net not in PASSES[phase]:
            continue
        fwd, igrad, wgrad = PASSES[phase][net]
        forward = 2 * (macs[net]["weighted"] + macs[net]["fir"])
        weights = 2 * macs[net]["weighted"]
        total += fwd * forward + igrad * forward + wgrad * weights
    return total


def step_flops(macs):
    """FLOPs per image of an average step: the phases weighted by their share."""
    return sum(PASSES[phase]["share"] * phase_flops(macs, phase) for phase in PASSES)


def forward_flops(macs):
    """Forward FLOPs per image: generator (one mapping pass + synthesis) and discriminator."""

    def flops(net):
        return 2 * (macs[net]["weighted"] + macs[net]["fir"])

    return {
        "generator": flops("mapping") + flops("synthesis"),
        "mapping": flops("mapping"),
        "synthesis": flops("synthesis"),
        "discriminator": flops("discriminator"),
    }


def keras_network_macs(gan):
    """Per-image MACs of the Keras networks, from their layers' shapes (see above)."""
    from keras_gans import layers as kl

    taps = len(SPEC["blur_kernel"])
    mapping = {"weighted": 0, "fir": 0}
    for layer in gan.generator.mapping.layers:
        if isinstance(layer, kl.MappingNetwork):
            for dense in layer.dense_layers:
                mapping["weighted"] += math.prod(dense.kernel.shape)
    synthesis = {"weighted": 0, "fir": 0}
    for layer in gan.generator.synthesis.layers:
        if isinstance(layer, kl.ModulatedConv2D):
            x_shape = layer.input[0].shape
            out_h, out_w, out_c = layer.output.shape[1:]
            in_h, in_w, in_c = x_shape[1:]
            k = layer.kernel_size
            synthesis["weighted"] += math.prod(layer.affine.kernel.shape)
            if layer.demodulate:
                synthesis["weighted"] += in_c * out_c
            if layer.up == 1:
                synthesis["weighted"] += out_h * out_w * out_c * k * k * in_c
            else:
                synthesis["weighted"] += in_h * in_w * in_c * k * k * out_c
                synthesis["fir"] += out_h * out_w * out_c * taps * taps
        elif isinstance(layer, kl.Upsample2D):
            out_h, out_w, out_c = layer.output.shape[1:]
            synthesis["fir"] += out_h * out_w * out_c * taps * taps
    discriminator = {"weighted": 0, "fir": 0}
    for layer in gan.discriminator.layers:
        if isinstance(layer, kl.EqualizedConv2D):
            in_h, in_w, in_c = layer.input.shape[1:]
            out_h, out_w, out_c = layer.output.shape[1:]
            k_h, k_w = layer.kernel_size
            discriminator["weighted"] += out_h * out_w * out_c * k_h * k_w * in_c
            if layer.down > 1:
                pad = len(layer.blur_kernel) - layer.down + k_h - 1
                side = in_h + pad - len(layer.blur_kernel) + 1
                discriminator["fir"] += side * side * in_c * len(layer.blur_kernel) ** 2
        elif isinstance(layer, kl.EqualizedDense):
            discriminator["weighted"] += math.prod(layer.kernel.shape)
    return {"mapping": mapping, "synthesis": synthesis, "discriminator": discriminator}


def keras_parameter_counts(gan):
    """Trainable parameters per network, and non-trainable state (RNG states aside)."""

    def count(variables):
        return sum(math.prod(v.shape) for v in variables)

    def state(variables):
        return count(v for v in variables if "seed_generator" not in v.path)

    generator, discriminator = gan.generator, gan.discriminator
    return {
        "generator": count(generator.trainable_variables),
        "generator_buffers": state(generator.non_trainable_variables),
        "mapping": count(generator.mapping.trainable_variables),
        "synthesis": count(generator.synthesis.trainable_variables),
        "discriminator": count(discriminator.trainable_variables),
        "discriminator_buffers": state(discriminator.non_trainable_variables),
    }


# ----------------------------------------------------------------------
# The PyTorch implementation.


@functools.cache
def _torch_classes():
    """The PyTorch networks: `(Generator, Discriminator, count_macs)`.

    Written after stylegan2-ada-pytorch's `training/networks.py` (equalised
    learning rate by run-time weight gains, `bias_act` with the lrelu gain
    sqrt(2), `upfirdn2d` resampling, the non-fused modulated convolution) and
    shaped as the keras_gans networks, layer for layer, with their
    initialisations and gains (unit weight gains before "lrelu", which applies
    sqrt(2) itself). NCHW. Module names are the Keras
    layer names, which the parity check uses to copy the weights over.
    """
    import torch
    import torch.nn.functional as F
    from torch import nn

    sqrt2 = math.sqrt(2.0)
    counter = {"active": None}

    def count(kind, macs):
        if counter["active"] is not None:
            counter["active"][kind] += int(macs)

    def count_macs(fn):
        """Per-image MACs of the operations `fn()` runs (call it on a batch of 1)."""
        counter["active"] = {"weighted": 0, "fir": 0}
        try:
            with torch.no_grad():
                fn()
            return counter["active"]
        finally:
            counter["active"] = None

    def lrelu(x):
        return F.leaky_relu(x, 0.2) * sqrt2

    def fir_kernel(gain):
        taps = torch.tensor(SPEC["blur_kernel"], dtype=torch.float32)
        kernel = torch.outer(taps, taps)
        return kernel * (gain / kernel.sum())

    def compute_dtype():
        if torch.is_autocast_enabled("cpu"):
            return torch.get_autocast_dtype("cpu")
        return torch.float32

    def upfirdn2d(x, kernel, up=1, padding=(0, 0, 0, 0)):
        """Zero-insertion upsampling, zero padding (top, bottom, left, right), FIR filter."""
        batch, channels, height, width = x.shape
        if up > 1:
            x = x.reshape(batch, channels, height, 1, width, 1)
            x = F.pad(x, (0, up - 1, 0, 0, 0, up - 1))
            x = x.reshape(batch, channels, height * up, width * up)
        top, bottom, left, right = padding
        x = F.pad(x, (left, right, top, bottom))
        weight = kernel.flip((0, 1))[None, None].repeat(channels, 1, 1, 1).to(x.dtype)
        y = F.conv2d(x, weight, groups=channels)
        count("fir", channels * y.shape[2] * y.shape[3] * kernel.numel())
        return y

    class EqualizedDense(nn.Module):
        def __init__(
            self, in_features, out_features, gain=sqrt2, lr_multiplier=1.0, bias_init=0.0, act=False
        ):
            super().__init__()
            self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_multiplier)
            self.bias = nn.Parameter(torch.full((out_features,), bias_init / lr_multiplier))
            self.weight_gain = gain / math.sqrt(in_features) * lr_multiplier
            self.lr_multiplier = lr_multiplier
            self.act = act

        def forward(self, x):
            y = F.linear(x, self.weight * self.weight_gain, self.bias * self.lr_multiplier)
            count("weighted", self.weight.numel() * (x.numel() // x.shape[0] // x.shape[-1]))
            return lrelu(y) if self.act else y

    class MappingNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            dim = SPEC["w_dim"]
            self.layers = nn.ModuleDict(
                {
                    f"dense_{i}": EqualizedDense(
                        SPEC["latent_dim"] if i == 0 else dim,
                        dim,
                        gain=1.0,
                        lr_multiplier=SPEC["mapping_lr_multiplier"],
                        act=True,
                    )
                    for i in range(SPEC["mapping_layers"])
                }
            )

        def forward(self, z):
            z = z.float()
            x = z * torch.rsqrt(z.square().mean(dim=1, keepdim=True) + 1e-8)
            for layer in self.layers.values():
                x = layer(x)
            return x

    class ModulatedConv2d(nn.Module):
        def __init__(
            self, in_channels, out_channels, kernel_size, demodulate=True, up=1, bias=False
        ):
            super().__init__()
            self.affine = EqualizedDense(SPEC["w_dim"], in_channels, gain=1.0, bias_init=1.0)
            self.weight = nn.Parameter(
                torch.randn(out_channels, in_channels, kernel_size, kernel_size)
            )
            self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
            self.weight_gain = 1.0 / math.sqrt(in_channels * kernel_size * kernel_size)
            self.demodulate = demodulate
            self.up = up
            self.fir = fir_kernel(4.0) if up == 2 else None

        def forward(self, x, w):
            styles = self.affine(w)
            weight = self.weight * self.weight_gain
            out_c, in_c, k, _ = weight.shape
            if self.demodulate:  # in float32, as keras_gans
                with torch.autocast("cpu", enabled=False):
                    energy = weight.float().square().sum(dim=(2, 3))  # (out, in)
                    dcoefs = torch.rsqrt(styles.float().square() @ energy.t() + 1e-8)
                count("weighted", in_c * out_c)
            x = x * styles.to(x.dtype)[:, :, None, None]
            if self.up == 1:
                x = F.conv2d(x, weight, padding=k // 2)
                count("weighted", x.shape[2] * x.shape[3] * out_c * k * k * in_c)
            else:
                height, width = x.shape[2:]
                # The transposed convolution of the flipped kernel correlates the
                # zero-upsampled input with the kernel, as keras_gans does.
                x = F.conv_transpose2d(x, weight.flip((2, 3)).transpose(0, 1), stride=2)
                count("weighted", height * width * in_c * k * k * out_c)
                x = upfirdn2d(x, self.fir, padding=(1, 1, 1, 1))
            if self.demodulate:
                x = x * dcoefs.to(x.dtype)[:, :, None, None]
            if self.bias is not None:
                x = x + self.bias.to(x.dtype)[None, :, None, None]
            return x

    class NoiseInjection(nn.Module):
        def __init__(self, resolution):
            super().__init__()
            self.strength = nn.Parameter(torch.zeros(()))
            self.register_buffer("noise_const", torch.randn(resolution, resolution))
            self.use_const = False  # the parity check's deterministic noise

        def forward(self, x):
            if self.use_const:
                noise = self.noise_const[None, None]
            else:
                noise = torch.randn(x.shape[0], 1, x.shape[2], x.shape[3])
            return x + noise.to(x.dtype) * self.strength.to(x.dtype)

    class BiasActivation(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.bias = nn.Parameter(torch.zeros(channels))

        def forward(self, x):
            return lrelu(x + self.bias.to(x.dtype)[None, :, None, None])

    class SynthesisNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.constant = nn.Parameter(torch.randn(channels_at(4), 4, 4))
            self.layers = nn.ModuleDict()
            self.plan = []  # ("conv", name, w index) or ("rgb", name, w index)
            index, in_channels = 0, channels_at(4)
            for resolution in resolutions():
                channels = channels_at(resolution)
                for i, up in enumerate((1,) if resolution == 4 else (2, 1)):
                    name = f"b{resolution}_conv{i}"
                    self.layers[name] = ModulatedConv2d(in_channels, channels, 3, up=up)
                    self.layers[f"noise_{index}"] = NoiseInjection(resolution)
                    self.layers[f"{name}_act"] = BiasActivation(channels)
                    self.plan.append(("conv", name, index))
                    index += 1
                    in_channels = channels
                name = f"b{resolution}_to_rgb"
                self.layers[name] = ModulatedConv2d(
                    channels, IMAGE_SHAPE[-1], 1, demodulate=False, bias=True
                )
                self.plan.append(("rgb", name, index))
            self.fir_up = fir_kernel(4.0)

        def forward(self, ws):
            x = self.constant.to(compute_dtype())[None].expand(ws.shape[0], -1, -1, -1)
            image = None
            for kind, name, index in self.plan:
                w = ws[:, index]
                if kind == "conv":
                    x = self.layers[name](x, w)
                    x = self.layers[f"noise_{index}"](x)
                    x = self.layers[f"{name}_act"](x)
                else:
                    rgb = self.layers[name](x, w)
                    if image is not None:
                        image = upfirdn2d(image, self.fir_up, up=2, padding=(2, 1, 2, 1))
                        rgb = image.to(rgb.dtype) + rgb
                    image = rgb
            return image.float()

    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            self.mapping = MappingNetwork()
            self.synthesis = SynthesisNetwork()
            self.register_buffer("w_avg", torch.zeros(SPEC["w_dim"]))
            self.num_ws = num_ws()

        def mapped(self, z, mixing_z, cutoff, update_w_avg=True):
            """Per-layer ws with style mixing: layers >= cutoff take mixing_z's w."""
            w = self.mapping(z)
            if update_w_avg:
                with torch.no_grad():
                    self.w_avg.copy_(
                        w.detach().float().mean(0).lerp(self.w_avg, SPEC["w_avg_beta"])
                    )
            ws = w[:, None].expand(-1, self.num_ws, -1)
            mixed = self.mapping(mixing_z)[:, None].expand(-1, self.num_ws, -1)
            layers = torch.arange(self.num_ws)[None, :, None]
            return torch.where(layers >= cutoff[:, None, None], mixed, ws)

    class EqualizedConv2d(nn.Module):
        def __init__(self, in_channels, out_channels, kernel_size, bias=True, act=True, down=1):
            super().__init__()
            self.weight = nn.Parameter(
                torch.randn(out_channels, in_channels, kernel_size, kernel_size)
            )
            self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
            self.weight_gain = 1.0 / math.sqrt(in_channels * kernel_size * kernel_size)
            self.act = act
            self.down = down
            if down > 1:
                pad = len(SPEC["blur_kernel"]) - down + kernel_size - 1
                self.padding = ((pad + 1) // 2, pad // 2) * 2
                self.fir = fir_kernel(1.0)

        def forward(self, x):
            weight = self.weight * self.weight_gain
            out_c, in_c, k, _ = weight.shape
            if self.down == 1:
                x = F.conv2d(x, weight, self.bias, padding=k // 2)
            else:
                x = upfirdn2d(x, self.fir, padding=self.padding)
                x = F.conv2d(x, weight, self.bias, stride=self.down)
            count("weighted", x.shape[2] * x.shape[3] * out_c * k * k * in_c)
            return lrelu(x) if self.act else x

    def minibatch_std(x, group_size):
        batch, channels, height, width = x.shape
        group = min(group_size, batch)
        with torch.autocast("cpu", enabled=False):  # in float32, as keras_gans
            y = x.float().reshape(group, -1, 1, channels, height, width)
            y = y - y.mean(dim=0)
            y = (y.square().mean(dim=0) + 1e-8).sqrt()
            y = y.mean(dim=(2, 3, 4))  # (batch // group, 1)
            y = y.repeat(group, 1)[:, :, None, None].expand(batch, 1, height, width)
        return torch.cat([x, y.to(x.dtype)], dim=1)

    class Discriminator(nn.Module):
        def __init__(self, mbstd_group_size):
            super().__init__()
            self.mbstd_group_size = mbstd_group_size
            top = IMAGE_SHAPE[0]
            self.layers = nn.ModuleDict()
            self.layers["from_rgb"] = EqualizedConv2d(IMAGE_SHAPE[-1], channels_at(top), 1)
            self.blocks = [r for r in reversed(resolutions()) if r > 4]
            for r in self.blocks:
                c, half = channels_at(r), channels_at(r // 2)
                self.layers[f"b{r}_conv0"] = EqualizedConv2d(c, c, 3)
                self.layers[f"b{r}_conv1"] = EqualizedConv2d(c, half, 3, down=2)
                self.layers[f"b{r}_skip"] = EqualizedConv2d(
                    c, half, 1, bias=False, act=False, down=2
                )
            c4 = channels_at(4)
            self.layers["epilogue_conv"] = EqualizedConv2d(c4 + 1, c4, 3)
            self.layers["epilogue_dense"] = EqualizedDense(c4 * 16, c4, gain=1.0, act=True)
            self.layers["logits"] = EqualizedDense(c4, 1, gain=1.0)

        def forward(self, images):
            x = self.layers["from_rgb"](images)
            for r in self.blocks:
                y = self.layers[f"b{r}_conv1"](self.layers[f"b{r}_conv0"](x))
                x = (self.layers[f"b{r}_skip"](x) + y) * (1.0 / sqrt2)
            x = minibatch_std(x, self.mbstd_group_size)
            x = self.layers["epilogue_conv"](x)
            x = self.layers["epilogue_dense"](x.flatten(1))
            return self.layers["logits"](x).float()

    return Generator, Discriminator, count_macs


def torch_network_macs(generator, discriminator):
    """Per-image MACs of the PyTorch networks, counted by running them on one image."""
    import torch

    _, _, count_macs = _torch_classes()
    z = torch.randn(1, SPEC["latent_dim"])
    ws = torch.randn(1, num_ws(), SPEC["w_dim"])
    image = torch.randn(1, IMAGE_SHAPE[-1], *IMAGE_SHAPE[:2])
    return {
        "mapping": count_macs(lambda: generator.mapping(z)),
        "synthesis": count_macs(lambda: generator.synthesis(ws)),
        "discriminator": count_macs(lambda: discriminator(image)),
    }


def torch_parameter_counts(generator, discriminator):
    def count(parameters):
        return sum(p.numel() for p in parameters)

    return {
        "generator": count(generator.parameters()),
        "generator_buffers": count(generator.buffers()),
        "mapping": count(generator.mapping.parameters()),
        "synthesis": count(generator.synthesis.parameters()),
        "discriminator": count(discriminator.parameters()),
        "discriminator_buffers": count(discriminator.buffers()),
    }


def build_torch(batch_size, seed):
    """The PyTorch `(generator, discriminator)`, initialised from `seed`."""
    import torch

    generator_cls, discriminator_cls, _ = _torch_classes()
    torch.manual_seed(seed)
    generator = generator_cls()
    discriminator = discriminator_cls(min(SPEC["mbstd_group_size"], batch_size))
    return generator, discriminator


def torch_step(generator, discriminator, batch_size, precision):
    """One training step of keras_gans' `Alternating` schedule, in PyTorch: `step(real)`.

    Per step `i` (see `PASSES`): latents z, z2 and per-sample crossovers
    (mixing with probability 0.9); ws and the generated batch (updating
    w_avg); the discriminator's update on the real and the detached generated
    batch, plus R1 (its own forward pass on the real batch, `gamma / 2 * 16 *
    mean(|grad|^2)`) when `i % 16 == 0`; the generator's update against the
    updated discriminator (whose parameters stop requiring gradients), plus
    the path length penalty (on the first B / 2 latents, weight `2 * 4`) when
    `i % 4 == 0`; the weight average of the generator's parameters. Both
    losses are read with `.item()` each step. Adam as the preset's
    (`lazy_adam`); the weight average as Keras' `use_ema` (none before the
    first update).
    """
    import torch
    import torch.nn.functional as F

    autocast_on = precision == "bfloat16"
    gamma = r1_gamma(batch_size)
    momentum = ema_momentum(batch_size)
    lr, beta_1, beta_2 = lazy_adam(PL_EVERY)
    g_params = list(generator.parameters())
    g_optimizer = torch.optim.Adam(g_params, lr=lr, betas=(beta_1, beta_2), eps=EPSILON)
    lr, beta_1, beta_2 = lazy_adam(R1_EVERY)
    d_params = list(discriminator.parameters())
    d_optimizer = torch.optim.Adam(d_params, lr=lr, betas=(beta_1, beta_2), eps=EPSILON)
    averages = [p.detach().clone() for p in g_params]
    pl_mean = torch.zeros(())
    n_ws = num_ws()
    height, width = IMAGE_SHAPE[:2]
    state = {"step": 0}

    def autocast():
        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast_on)

    def sample_latents(n):
        z = torch.randn(n, SPEC["latent_dim"])
        mixing_z = torch.randn(n, SPEC["latent_dim"])
        mixed = torch.rand(n) < SPEC["style_mixing_prob"]
        cutoff = torch.where(mixed, torch.randint(1, n_ws, (n,)), torch.full((n,), n_ws))
        return z, mixing_z, cutoff

    def step(real):
        i = state["step"]
        z, mixing_z, cutoff = sample_latents(batch_size)
        with autocast():
            fake = generator.synthesis(generator.mapped(z, mixing_z, cutoff))

        # Discriminator update (and R1 on one update in 16).
        discriminator.requires_grad_(True)
        with autocast():
            real_logits = discriminator(real)
            fake_logits = discriminator(fake.detach())
        d_loss = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
        d_total = d_loss
        if i % R1_EVERY == 0:
            x = real.detach().requires_grad_(True)
            with autocast():
                logits = discriminator(x)
            (grad,) = torch.autograd.grad(logits.sum(), x, create_graph=True)
            r1 = grad.square().sum(dim=(1, 2, 3)).mean()
            d_total = d_total + r1 * (0.5 * gamma * R1_EVERY)
        d_optimizer.zero_grad(set_to_none=True)
        d_total.backward()
        d_optimizer.step()

        # Generator update (and the path length penalty on one update in 4).
        discriminator.requires_grad_(False)
        with autocast():
            g_logits = discriminator(fake)
        g_loss = F.softplus(-g_logits).mean()
        g_total = g_loss
        if i % PL_EVERY == 0:
            n = max(batch_size // PL_BATCH_SHRINK, 1)
            with autocast():
                ws = generator.mapped(z[:n], mixing_z[:n], cutoff[:n], update_w_avg=False)
            ws = ws.float()
            with autocast():
                images = generator.synthesis(ws)
            noise = torch.randn_like(images) / math.sqrt(height * width)
            (grad,) = torch.autograd.grad((images * noise).sum(), ws, create_graph=True)
            lengths = (grad.float().square().sum(dim=2).mean(dim=1) + 1e-8).sqrt()
            mean = pl_mean + PL_DECAY * (lengths.detach().mean() - pl_mean)
            pl_mean.copy_(mean)
            g_total = g_total + (lengths - mean).square().mean() * (PL_WEIGHT * PL_EVERY)
        g_optimizer.zero_grad(set_to_none=True)
        g_total.backward()
        g_optimizer.step()
        with torch.no_grad():
            torch._foreach_lerp_(averages, g_params, 1.0 - (momentum if i > 0 else 0.0))
        state["step"] += 1
        return d_loss.item(), g_loss.item()

    return step


# ----------------------------------------------------------------------
# Children.


def data_pool(batch_size, seed):
    """`DATA_POOL_BATCHES` batches of images in [-1, 1], NHWC float32."""
    import numpy as np

    rng = np.random.default_rng(seed)
    shape = (DATA_POOL_BATCHES, batch_size, *IMAGE_SHAPE)
    return rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)


def build_keras(args, precision):
    import keras

    if precision == "bfloat16":
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    import keras_gans

    keras.utils.set_random_seed(args.seed)
    return keras_gans.presets.stylegan2(
        image_shape=IMAGE_SHAPE, size=SIZE, batch_size=args.batch_size, seed=args.seed
    )


def run_keras(args):
    import keras
    import numpy as np
    import tensorflow as tf

    import keras_gans  # noqa: F401  (in the RSS after import, as train_step.py)

    rss_after_import = _common.peak_rss_mb()
    gan = build_keras(args, args.precision)
    pool = data_pool(args.batch_size, args.seed)
    dataset = tf.data.Dataset.from_tensor_slices(pool).repeat()
    gan.make_train_function()
    iterator = iter(dataset)
    last = {}

    def run(n):
        for _ in range(n):
            logs = gan.train_function(iterator)
        float(logs["g_loss"])  # waits for the last step
        last["logs"] = logs

    timing = _common.time_windows(run, args.warmup, args.steps, args.repeats)
    last = {k: float(v) for k, v in last["logs"].items()}
    finite = all(np.isfinite(v) for v in last.values())
    return (
        timing,
        rss_after_import,
        {
            "policy": keras.mixed_precision.global_policy().name,
            "parameters": keras_parameter_counts(gan),
            "macs": keras_network_macs(gan),
            "last_logs": last,
            "finite": bool(finite),
            "steps_done": int(gan.g_optimizer.iterations),
        },
    )


def run_torch(args):
    import numpy as np
    import torch

    rss_after_import = _common.peak_rss_mb()
    torch.set_num_threads(args.torch_threads or _common.cpu_count())
    generator, discriminator = build_torch(args.batch_size, args.seed)
    generator.train()
    discriminator.train()
    macs = torch_network_macs(generator, discriminator)
    step = torch_step(generator, discriminator, args.batch_size, args.precision)
    pool = data_pool(args.batch_size, args.seed)
    pool = torch.from_numpy(np.ascontiguousarray(pool.transpose(0, 1, 4, 2, 3)))  # NCHW
    state = {"i": 0, "losses": None}

    def run(n):
        for _ in range(n):
            state["losses"] = step(pool[state["i"] % DATA_POOL_BATCHES])
            state["i"] += 1

    timing = _common.time_windows(run, args.warmup, args.steps, args.repeats)
    d_loss, g_loss = state["losses"]
    return (
        timing,
        rss_after_import,
        {
            "torch_threads": torch.get_num_threads(),
            "parameters": torch_parameter_counts(generator, discriminator),
            "macs": macs,
            "last_logs": {"d_loss": d_loss, "g_loss": g_loss},
            "finite": bool(np.isfinite(d_loss) and np.isfinite(g_loss)),
            "steps_done": state["i"],
        },
    )


def copy_keras_weights(gan, generator, discriminator):
    """Copies the Keras networks' weights into the PyTorch ones (by layer name)."""
    import numpy as np
    import torch

    from keras_gans import layers as kl

    def put(parameter, value):
        value = value.numpy() if hasattr(value, "numpy") else value
        value = torch.from_numpy(np.array(value, dtype=np.float32, order="C"))
        if tuple(parameter.shape) != tuple(value.shape):
            raise AssertionError(f"shape {tuple(value.shape)} into {tuple(parameter.shape)}")
        with torch.no_grad():
            parameter.copy_(value)

    def conv_kernel(kernel):  # (k, k, in, out) -> (out, in, k, k)
        return np.transpose(kernel.numpy(), (3, 2, 0, 1))

    def dense(module, layer, kernel=None):
        put(module.weight, (layer.kernel.numpy() if kernel is None else kernel).T)
        put(module.bias, layer.bias)

    mapping = [x for x in gan.generator.mapping.layers if isinstance(x, kl.MappingNetwork)][0]
    for layer in mapping.dense_layers:
        dense(generator.mapping.layers[layer.name], layer)
    torch_layers = generator.synthesis.layers
    for layer in gan.generator.synthesis.layers:
        if isinstance(layer, kl.LearnedConstant):
            put(generator.synthesis.constant, np.transpose(layer.constant.numpy(), (2, 0, 1)))
        elif isinstance(layer, kl.ModulatedConv2D):
            module = torch_layers[layer.name]
            put(module.weight, conv_kernel(layer.kernel))
            dense(module.affine, layer.affine)
            if layer.use_bias:
                put(module.bias, layer.bias)
        elif isinstance(layer, kl.NoiseInjection):
            put(torch_layers[layer.name].strength, layer.strength)
            put(torch_layers[layer.name].noise_const, layer.noise_const.numpy()[:, :, 0])
        elif isinstance(layer, kl.BiasActivation):
            put(torch_layers[layer.name].bias, layer.bias)
    put(generator.w_avg, gan.generator.w_avg)
    for layer in gan.discriminator.layers:
        if isinstance(layer, kl.EqualizedConv2D):
            module = discriminator.layers[layer.name]
            put(module.weight, conv_kernel(layer.kernel))
            if layer.use_bias:
                put(module.bias, layer.bias)
        elif isinstance(layer, kl.EqualizedDense):
            kernel = layer.kernel.numpy()
            if layer.name == "epilogue_dense":  # Keras flattens (h, w, c), PyTorch (c, h, w)
                channels = channels_at(4)
                kernel = kernel.reshape(4, 4, channels, -1).transpose(2, 0, 1, 3)
                kernel = kernel.reshape(16 * channels, -1)
            dense(discriminator.layers[layer.name], layer, kernel)


def _same(a, b):
    """Equal settings: numbers to a relative 1e-6, the rest exactly."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (bool, str)) or isinstance(b, (bool, str)) or a is None or b is None:
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-6)


def run_parity(args):
    """Same parameters, FLOPs, settings and functions in Keras and PyTorch (float32)."""
    import numpy as np
    import tensorflow as tf
    import torch

    from keras_gans.losses import path_length
    from keras_gans.losses import penalties

    torch.set_num_threads(args.torch_threads or _common.cpu_count())
    gan = build_keras(args, "float32")
    generator, discriminator = build_torch(args.batch_size, args.seed)

    # The constants of the PyTorch step are the preset's.
    g_config, d_config = gan.g_optimizer.get_config(), gan.d_optimizer.get_config()
    regularizers = {type(r).__name__: r for r in gan.regularizers}
    r1, pl = regularizers["R1Penalty"], regularizers["PathLengthPenalty"]
    keras_gen = gan.generator
    settings = {
        "latent_dim": (keras_gen.latent_dim, SPEC["latent_dim"]),
        "w_dim": (keras_gen.w_dim, SPEC["w_dim"]),
        "mapping_layers": (keras_gen.mapping_layers, SPEC["mapping_layers"]),
        "channel_base": (keras_gen.channel_base, SPEC["channel_base"]),
        "channel_max": (keras_gen.channel_max, SPEC["channel_max"]),
        "w_avg_beta": (keras_gen.w_avg_beta, SPEC["w_avg_beta"]),
        "num_ws": (keras_gen.num_ws, num_ws()),
        "style_mixing_prob": (gan.style_mixing_prob, SPEC["style_mixing_prob"]),
        "mbstd_group_size": (
            gan.discriminator.mbstd_group_size,
            min(SPEC["mbstd_group_size"], args.batch_size),
        ),
        "d_architecture": (gan.discriminator.architecture, "resnet"),
        "r1_gamma": (r1.gamma, r1_gamma(args.batch_size)),
        "r1_every": (r1.every, R1_EVERY),
        "pl_weight": (pl.weight, PL_WEIGHT),
        "pl_every": (pl.every, PL_EVERY),
        "pl_decay": (pl.decay, PL_DECAY),
        "pl_batch_shrink": (pl.batch_shrink, PL_BATCH_SHRINK),
        "g_adam": (
            (g_config["learning_rate"], g_config["beta_1"], g_config["beta_2"]),
            lazy_adam(PL_EVERY),
        ),
        "d_adam": (
            (d_config["learning_rate"], d_config["beta_1"], d_config["beta_2"]),
            lazy_adam(R1_EVERY),
        ),
        "epsilon": ((g_config["epsilon"], d_config["epsilon"]), (EPSILON, EPSILON)),
        "g_ema": (
            (g_config["use_ema"], g_config["ema_momentum"]),
            (True, ema_momentum(args.batch_size)),
        ),
        "d_ema": (d_config["use_ema"], False),
        "regularizers": (sorted(regularizers), ["PathLengthPenalty", "R1Penalty"]),
        "fused_modconv": (keras_gen.fused_modconv, "auto"),
        "gpu_visible": (bool(tf.config.list_logical_devices("GPU")), False),
    }
    mismatched = {name: [repr(a), repr(b)] for name, (a, b) in settings.items() if not _same(a, b)}

    # Perturb every Keras weight (biases, noise strengths and so on start at
    # zero), then copy them over.
    rng = np.random.default_rng(args.seed + 1)
    for variable in gan.generator.trainable_variables + gan.discriminator.trainable_variables:
        value = variable.numpy()
        variable.assign(value + 0.1 * rng.standard_normal(value.shape).astype(np.float32))
    copy_keras_weights(gan, generator, discriminator)
    for module in generator.synthesis.layers.values():
        if hasattr(module, "use_const"):
            module.use_const = True  # Keras' inference mode reads the stored noise

    n = 4
    z = rng.standard_normal((n, SPEC["latent_dim"])).astype(np.float32)
    images = rng.uniform(-1, 1, (n, *IMAGE_SHAPE)).astype(np.float32)
    noise = rng.standard_normal((n, *IMAGE_SHAPE)).astype(np.float32) / IMAGE_SHAPE[0]

    def nchw(x):
        return torch.from_numpy(np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2))))

    def rel(a, b):
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), 1e-30))

    mixing_z = rng.standard_normal((n, SPEC["latent_dim"])).astype(np.float32)
    cutoff = np.array([1, 4, num_ws() - 1, num_ws()], dtype=np.int32)[:n]
    keras_mixed = gan.generator.mapped(
        {"latent": z, "mixing_latent": mixing_z, "mixing_cutoff": cutoff},
        training=True,
        update_w_avg=False,
    )
    with torch.no_grad():
        torch_mixed = generator.mapped(
            torch.from_numpy(z),
            torch.from_numpy(mixing_z),
            torch.from_numpy(cutoff).long(),
            update_w_avg=False,
        )
    keras_ws = np.asarray(gan.generator.mapping(z, training=False))
    keras_images = np.asarray(gan.generator.synthesis(keras_ws, training=False))
    keras_logits = np.asarray(gan.discriminator(images, training=False))
    keras_r1 = penalties._squared_gradient_norms(
        lambda x: gan.discriminator(x, training=False), images
    )
    keras_lengths = path_length.path_lengths(
        lambda w: gan.generator.synthesis(w, training=False), keras_ws, noise
    )
    ws = torch.from_numpy(keras_ws.copy())
    torch_w = generator.mapping(torch.from_numpy(z))
    with torch.no_grad():
        torch_images = generator.synthesis(ws).permute(0, 2, 3, 1)
        torch_logits = discriminator(nchw(images))
    x = nchw(images).requires_grad_(True)
    (grad,) = torch.autograd.grad(discriminator(x).sum(), x)
    torch_r1 = grad.square().sum(dim=(1, 2, 3))
    ws_leaf = ws.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad((generator.synthesis(ws_leaf) * nchw(noise)).sum(), ws_leaf)
    torch_lengths = (grad.square().sum(dim=2).mean(dim=1) + 1e-8).sqrt()
    errors = {
        "mapping_w": rel(keras_ws[:, 0], torch_w.detach()),
        "style_mixing_ws": rel(keras_mixed, torch_mixed),
        "synthesis_images": rel(keras_images, torch_images),
        "discriminator_logits": rel(keras_logits, torch_logits),
        "r1_squared_gradient_norms": rel(keras_r1, torch_r1),
        "path_lengths": rel(keras_lengths, torch_lengths.detach()),
    }
    keras_params = keras_parameter_counts(gan)
    torch_params = torch_parameter_counts(generator, discriminator)
    keras_macs = keras_network_macs(gan)
    torch_macs = torch_network_macs(generator, discriminator)
    problems = []
    if keras_params != torch_params:
        problems.append(f"parameter counts differ: keras {keras_params}, pytorch {torch_params}")
    if keras_macs != torch_macs:
        problems.append(f"MACs differ: keras {keras_macs}, pytorch {torch_macs}")
    for name, error in errors.items():
        if not error < args.parity_tolerance:
            problems.append(f"{name}: relative difference {error:.2e}")
    if mismatched:
        problems.append(f"settings differ (keras, pytorch): {mismatched}")
    return {
        "parameters": {"keras_gans": keras_params, "pytorch": torch_params},
        "macs": {"keras_gans": keras_macs, "pytorch": torch_macs},
        "relative_errors": errors,
        "tolerance": args.parity_tolerance,
        "settings": {k: [repr(a), repr(b)] for k, (a, b) in settings.items()},
        "problems": problems,
        "ok": not problems,
    }


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
        result["dtype"] = args.precision
        result["peak_rss_mb"] = _common.peak_rss_mb()
        return result
    if what == "parity":
        return run_parity(args)
    run = run_torch if what == "pytorch" else run_keras
    timing, rss_after_import, extra = run(args)
    images = args.batch_size * args.steps
    rates = [images / s for s in timing["window_s"]]
    return {
        "impl": what,
        "precision": args.precision,
        "allocator": args.allocator,
        "allocators_loaded": _common.loaded_allocators(),
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
        **extra,
    }


# ----------------------------------------------------------------------
# Parent process.


def child_args(args, only, precision="float32", allocator="default"):
    return [
        f"--only={only}",
        f"--batch_size={args.batch_size}",
        f"--steps={args.steps}",
        f"--repeats={args.repeats}",
        f"--warmup={args.warmup}",
        f"--seed={args.seed}",
        f"--matmul_size={args.matmul_size}",
        f"--matmul_repeats={args.matmul_repeats}",
        f"--torch_threads={args.torch_threads}",
        f"--parity_tolerance={args.parity_tolerance}",
        f"--precision={precision}",
        f"--allocators={allocator}",
    ]


def spawn(args, only, precision="float32", allocator="default"):
    return _common.spawn_variant(
        os.path.abspath(__file__), child_args, args, only, precision, allocator
    )


def run_matmul_children(args, libraries, precisions, label):
    results = {}
    for precision in precisions:
        for library in libraries:
            result = spawn(args, f"matmul:{library}", precision)
            results[f"{library}:{precision}"] = result
            rate = result.get("gflops_median")
            print(
                f"[{label}] matmul {library} {precision}: {_common.fmt(rate)} GFLOP/s",
                file=sys.stderr,
            )
    return results


def check_counts(runs, parity):
    """Parameter counts and MACs of every child and of the parity check must agree."""
    problems = []
    reference = None
    sources = []
    if parity and "error" not in parity:
        sources += [
            ("parity keras_gans", parity["parameters"]["keras_gans"], parity["macs"]["keras_gans"])
        ]
        sources += [("parity pytorch", parity["parameters"]["pytorch"], parity["macs"]["pytorch"])]
    for run in runs:
        if "error" not in run:
            label = f"{run['impl']} {run['precision']} {run['allocator']}"
            sources.append((label, run["parameters"], run["macs"]))
    for label, parameters, macs in sources:
        if reference is None:
            reference = (label, parameters, macs)
        elif (parameters, macs) != reference[1:]:
            problems.append(f"{label} counts differ from {reference[0]}")
    return problems, (reference[1:] if reference else (None, None))


def summarize(runs, macs, matmul_rates):
    grouped = {}
    for run in runs:
        if "error" in run:
            continue
        grouped.setdefault((run["impl"], run["precision"], run["allocator"]), []).append(run)
    per_image = step_flops(macs) if macs else None
    summary = []
    for (impl, precision, allocator), group in grouped.items():
        rate = _common.median([r["images_per_s_median"] for r in group])
        all_rates = [x for r in group for x in r["images_per_s"]]
        matmul = matmul_rates.get(precision)
        gflops = rate * per_image / 1e9 if per_image else None
        summary.append(
            {
                "impl": impl,
                "precision": precision,
                "allocator": allocator,
                "images_per_s": rate,
                "images_per_s_min": min(all_rates),
                "images_per_s_max": max(all_rates),
                "seconds_per_step": group[0]["batch_size"] / rate,
                "gflop_per_image": per_image / 1e9 if per_image else None,
                "achieved_gflops": gflops,
                "share_of_matmul": gflops / matmul if matmul and gflops else None,
                "images_per_s_bound": matmul * 1e9 / per_image if matmul and per_image else None,
                "peak_rss_mb": max(r["peak_rss_mb"] for r in group),
                "rss_after_import_mb": max(r["rss_after_import_mb"] for r in group),
                "first_step_s": _common.median([r["first_step_s"] for r in group]),
                "finite_losses": all(r["finite"] for r in group),
                "allocators_loaded": group[0]["allocators_loaded"],
            }
        )
    by_key = {(s["impl"], s["precision"], s["allocator"]): s for s in summary}

    def ratio(s, key):
        other = by_key.get(key)
        return s["images_per_s"] / other["images_per_s"] if other else None

    for s in summary:
        s["vs_pytorch"] = ratio(s, ("pytorch", s["precision"], s["allocator"]))
        s["vs_float32"] = ratio(s, (s["impl"], "float32", s["allocator"]))
        s["vs_default_allocator"] = ratio(s, (s["impl"], s["precision"], "default"))
    return summary


def report(payload):
    lines = _common.report_start(payload)
    config = payload["config"]
    lines.append(
        f"StyleGAN2 `{SIZE}` at {IMAGE_SHAPE[0]}x{IMAGE_SHAPE[1]}, batch {config['batch_size']}; "
        f"median of {config['repeats']} windows of {config['steps']} steps x "
        f"{config['rounds']} round(s), after {config['warmup']} warm-up steps; "
        f"{payload['environment']['cpu_count']} cores, PyTorch threads "
        f"{config['torch_threads']}."
    )
    parity = payload.get("parity")
    if parity:
        lines += ["", "Parity (Keras weights copied into the PyTorch networks, float32):", ""]
        if "error" in parity:
            lines.append(f"FAILED: {parity['error']}")
        else:
            rows = []
            for impl in ("keras_gans", "pytorch"):
                p = parity["parameters"][impl]
                rows.append(
                    [
                        impl,
                        f"{p['generator']:,}",
                        f"{p['mapping']:,} + {p['synthesis']:,}",
                        f"{p['discriminator']:,}",
                        f"{p['generator_buffers']:,}",
                    ]
                )
            lines.append(
                _common.markdown_table(
                    ["", "G parameters", "mapping + synthesis", "D parameters", "G buffers"],
                    rows,
                )
            )
            lines.append("")
            errors = ", ".join(f"{k} {v:.1e}" for k, v in parity["relative_errors"].items())
            lines.append(f"Max relative differences: {errors} (tolerance {parity['tolerance']}).")
            for problem in parity["problems"]:
                lines.append(f"PARITY PROBLEM: {problem}")
    lines += ["", "Matrix multiply, GFLOP/s (start / end of the run):", ""]
    rows = []
    for key, start in payload["matmul"]["start"].items():
        end = payload["matmul"]["end"].get(key, {})
        library, precision = key.split(":")
        rows.append(
            [
                library,
                precision,
                _common.fmt(start.get("gflops_median")),
                _common.fmt(end.get("gflops_median")),
            ]
        )
    lines.append(
        _common.markdown_table(
            [f"library ({config['matmul_size']}²)", "dtype", "start", "end"],
            rows,
        )
    )
    rates = ", ".join(f"{k} {_common.fmt(v)}" for k, v in payload["matmul_rates"].items())
    lines += ["", f"Reference matmul rates (best TensorFlow): {rates} GFLOP/s"]
    macs = payload["macs"]
    if macs:
        forward = forward_flops(macs)
        lines += ["", "Analytical FLOPs per image, GFLOP (see PASSES):", ""]
        lines.append(
            _common.markdown_table(
                [
                    "G forward (mapping + synthesis)",
                    "D forward",
                    "main phase",
                    "R1 phase (1/16 steps)",
                    "path length phase (1/4 steps, B/2)",
                    "average step",
                ],
                [
                    [
                        f"{forward['generator'] / 1e9:.4f} "
                        f"({forward['mapping'] / 1e9:.5f} + {forward['synthesis'] / 1e9:.4f})",
                        f"{forward['discriminator'] / 1e9:.4f}",
                        f"{phase_flops(macs, 'main') / 1e9:.3f}",
                        f"{phase_flops(macs, 'r1') / 1e9:.3f}",
                        f"{phase_flops(macs, 'path_length') / 1e9:.3f}",
                        f"{step_flops(macs) / 1e9:.3f}",
                    ]
                ],
            )
        )
    rows = []
    for s in payload["summary"]:
        share = s["share_of_matmul"]
        rows.append(
            [
                s["impl"],
                s["precision"],
                s["allocator"],
                _common.fmt(s["images_per_s"]),
                f"{_common.fmt(s['images_per_s_min'])}–{_common.fmt(s['images_per_s_max'])}",
                _common.fmt(s["seconds_per_step"], 2),
                _common.fmt_ratio(s["vs_pytorch"]),
                _common.fmt_ratio(s["vs_float32"]),
                _common.fmt_ratio(s["vs_default_allocator"]),
                _common.fmt(s["achieved_gflops"]),
                "–" if share is None else f"{100 * share:.0f}%",
                _common.fmt(s["images_per_s_bound"]),
                _common.fmt(s["peak_rss_mb"], 0),
                _common.fmt(s["rss_after_import_mb"], 0),
                _common.fmt(s["first_step_s"]),
                "yes" if s["finite_losses"] else "**NO**",
            ]
        )
    lines += ["", "### StyleGAN2 training step", ""]
    lines.append(
        _common.markdown_table(
            [
                "implementation",
                "precision",
                "allocator",
                "images/s",
                "min–max",
                "s/step",
                "× PyTorch",
                "× float32",
                "× default allocator",
                "GFLOP/s",
                "% of matmul",
                "bound images/s",
                "peak RSS MB",
                "RSS after import MB",
                "first step s",
                "finite losses",
            ],
            rows,
        )
    )
    for run in payload["runs"]:
        if "error" in run:
            lines += [
                "",
                f"FAILED {run['only']} {run['precision']} {run['allocator']}: {run['error']}",
                "```",
                run["output_tail"],
                "```",
            ]
        elif not run["finite"]:
            lines += ["", f"NON-FINITE LOSSES {run['impl']} {run['precision']}: {run['last_logs']}"]
    for note in payload["notes"]:
        lines += ["", note]
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--impls", default=",".join(IMPLS), help="Comma-separated implementations.")
    parser.add_argument(
        "--precision",
        default=",".join(_common.PRECISIONS),
        help="Comma-separated: float32, bfloat16 (mixed precision).",
    )
    parser.add_argument(
        "--allocators",
        default="default",
        help=(
            "Comma-separated: default (the C library's malloc, no preload), jemalloc, "
            "tcmalloc (LD_PRELOAD). Each implementation runs once per allocator."
        ),
    )
    parser.add_argument("--batch_size", type=int, default=32, help="Images per step.")
    parser.add_argument(
        "--steps",
        type=int,
        default=DEFAULTS["steps"],
        help=f"Steps per timed window, a multiple of {R1_EVERY}.",
    )
    parser.add_argument("--repeats", type=int, default=DEFAULTS["repeats"], help="Timed windows.")
    parser.add_argument(
        "--warmup",
        type=int,
        default=DEFAULTS["warmup"],
        help="Untimed steps first (the first traces the Keras step and runs both regularisers).",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="Run every child this many times, interleaved; the median is reported.",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--matmul_size", type=int, default=2048)
    parser.add_argument("--matmul_repeats", type=int, default=10)
    parser.add_argument(
        "--torch_threads", type=int, default=0, help="torch.set_num_threads; 0 = the core count."
    )
    parser.add_argument(
        "--skip_parity", action="store_true", help="Skip the numerical parity check."
    )
    parser.add_argument("--parity_tolerance", type=float, default=1e-3)
    parser.add_argument("--child_timeout", type=float, default=3600.0, help="Seconds per child.")
    parser.add_argument("--output", default=None, help="Write the results as JSON here.")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=(
            "Smoke run: batch 8, one window of 16 steps, 1 warm-up step, 512² matmul; "
            "flags given explicitly keep their values."
        ),
    )
    parser.add_argument("--only", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--child_output", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick and args.only is None:
        _common.apply_quick(args, parser, QUICK)
    for name in ("batch_size", "steps", "repeats", "warmup", "rounds", "matmul_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be >= 1. Received: {getattr(args, name)}")
    if args.steps % R1_EVERY:
        parser.error(
            f"--steps must be a multiple of {R1_EVERY}, so that each window runs R1 and the "
            f"path length penalty at their real frequency. Received: {args.steps}"
        )
    mbstd = min(SPEC["mbstd_group_size"], args.batch_size)
    if args.batch_size % mbstd:
        parser.error(f"--batch_size must be a multiple of {mbstd} (minibatch std groups).")
    args.impls = _common.parse_choices(args.impls, IMPLS, "impls", parser)
    args.precisions = _common.parse_choices(args.precision, _common.PRECISIONS, "precision", parser)
    args.allocator_list = _common.parse_choices(
        args.allocators, _common.ALLOCATORS, "allocators", parser
    )
    _common.check_allocators(args.allocator_list, parser)
    if args.only is not None:
        args.precision = args.precisions[0]
        args.allocator = args.allocator_list[0]
    return args


def main(argv=None):
    args = parse_args(argv)
    _common.quiet_tensorflow_logs()
    if args.only is not None:
        _common.write_json(args.child_output, run_child(args))
        return 0

    env = _common.environment()
    notes = []
    parity = None
    if not args.skip_parity:
        parity = spawn(args, "parity")
        status = parity.get("error") or ("ok" if parity["ok"] else "; ".join(parity["problems"]))
        print(f"[parity] {status}", file=sys.stderr)
        if "error" in parity or not parity["ok"]:
            print(report_failure(parity), file=sys.stderr)
            _common.write_json(args.output, {"benchmark": "stylegan2_step", "parity": parity})
            return 1

    libraries = ["tensorflow", "torch"]
    matmul = {"start": run_matmul_children(args, libraries, args.precisions, "start")}
    runs = []
    for round_index in range(args.rounds):
        for impl in args.impls:
            for precision in args.precisions:
                for allocator in args.allocator_list:
                    result = spawn(args, impl, precision, allocator)
                    result["round"] = round_index
                    runs.append(result)
                    rate = result.get("images_per_s_median")
                    status = result.get("error") or f"{_common.fmt(rate)} images/s"
                    print(
                        f"[round {round_index}] {impl} {precision} {allocator}: {status}",
                        file=sys.stderr,
                    )
    matmul["end"] = run_matmul_children(args, libraries, args.precisions, "end")
    matmul_rates = {}
    for precision in args.precisions:
        found = [
            matmul[when].get(f"tensorflow:{precision}", {}).get("gflops_median")
            for when in ("start", "end")
        ]
        found = [r for r in found if r]
        matmul_rates[precision] = max(found) if found else None

    problems, (parameters, macs) = check_counts(runs, parity)
    notes += [f"COUNT MISMATCH: {p}" for p in problems]
    for run in runs:
        if "error" in run:
            continue
        expected = [] if run["allocator"] == "default" else [run["allocator"]]
        if run["allocators_loaded"] != expected:
            notes.append(
                f"ALLOCATOR: {run['impl']} {run['precision']} asked for {run['allocator']} "
                f"but had {run['allocators_loaded']} mapped."
            )
    payload = {
        "benchmark": "stylegan2_step",
        "environment": env,
        "load_average_at_end": _common.load_average(),
        "config": {
            "preset": (
                f"keras_gans.presets.stylegan2(image_shape={IMAGE_SHAPE}, size={SIZE!r}, "
                f"batch_size={args.batch_size}, seed={args.seed})"
            ),
            "spec": SPEC,
            "impls": args.impls,
            "precisions": args.precisions,
            "allocators": {a: _common.ALLOCATORS[a] for a in args.allocator_list},
            "batch_size": args.batch_size,
            "steps": args.steps,
            "repeats": args.repeats,
            "warmup": args.warmup,
            "rounds": args.rounds,
            "matmul_size": args.matmul_size,
            "matmul_repeats": args.matmul_repeats,
            "torch_threads": args.torch_threads or env["cpu_count"],
            "quick": args.quick,
            "passes_per_step": PASSES,
        },
        "parity": parity,
        "parameters": parameters,
        "macs": macs,
        "flops_per_image": (
            {
                "forward": forward_flops(macs),
                "phases": {phase: phase_flops(macs, phase) for phase in PASSES},
                "step": step_flops(macs),
            }
            if macs
            else None
        ),
        "matmul": matmul,
        "matmul_rates": matmul_rates,
        "runs": runs,
        "summary": summarize(runs, macs, matmul_rates),
        "notes": notes,
    }
    _common.write_json(args.output, payload)
    print(report(payload))
    failed = problems or any("error" in run or not run["finite"] for run in runs)
    return 1 if failed else 0


def report_failure(parity):
    if "error" in parity:
        return f"Parity child failed: {parity['error']}\n{parity['output_tail']}"
    return "Parity check failed:\n" + "\n".join(parity["problems"])


if __name__ == "__main__":
    sys.exit(main())
