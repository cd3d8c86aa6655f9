"""`keras-gans arithmetic`: latent vector arithmetic on groups of seeds, a - b + c."""

import numpy as np

from keras_gans.cli import arguments
from keras_gans.cli import common

NAME = "arithmetic"
HELP = "latent arithmetic mean(a) - mean(b) + mean(c) on seed groups"
DESCRIPTION = (
    "Each group of seeds stands for a concept (the DCGAN paper's 'smiling woman', 'neutral "
    "woman', 'neutral man'); the result is the image of mean(a) - mean(b) + mean(c). --out "
    "is a row of four images: the images of the three means, then the result."
)
EXAMPLE = "keras-gans arithmetic gan.keras --a 1,2,3 --b 4,5,6 --c 7,8,9 --out arith.png"


def add_arguments(parser):
    parser.add_argument("model", metavar="MODEL", help=common.MODEL_HELP)
    for group, role in (("a", "added"), ("b", "subtracted"), ("c", "added to")):
        parser.add_argument(
            f"--{group}",
            type=arguments.parse_seeds,
            required=True,
            help=f"seeds of the group {role}",
        )
    parser.add_argument("--out", required=True, help="PNG file: mean(a), mean(b), mean(c), result")
    parser.add_argument("--npy", help="NumPy file of the result's latent vector")
    common.add_class_argument(parser)
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")


def run(args):
    common.model_kind(args.model)
    common.check_output(args.out, "--out", (".png",), args.overwrite)
    common.check_output(args.npy, "--npy", (".npy",), args.overwrite)
    model = common.load_model(args.model, args.verbose)
    label = common.class_label(model, args.label)
    from keras_gans.applications import latent_arithmetic
    from keras_gans.applications import save_strip

    groups = [common.seed_latents(model, seeds) for seeds in (args.a, args.b, args.c)]
    latent, result = latent_arithmetic(model.source, *groups, labels=label)
    means = np.stack([group.mean(axis=0) for group in groups])
    images = np.concatenate([model.source.generate(means, label), result[:1]])
    save_strip(images, args.out)
    print(f"Wrote mean(a), mean(b), mean(c) and mean(a) - mean(b) + mean(c) to {args.out}")
    if args.npy:
        common.save_npy(args.npy, latent[None])
        print(f"Wrote the result's latent vector, shape {(1, *latent.shape)}, to {args.npy}")
