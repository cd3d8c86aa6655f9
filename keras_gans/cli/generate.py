"""`keras-gans generate`: one image per seed, as a grid and/or an array."""

import numpy as np

from keras_gans.cli import arguments
from keras_gans.cli import common
from keras_gans.cli.errors import UsageError

NAME = "generate"
HELP = "draw one image per seed from a trained generator"
DESCRIPTION = (
    "Draws one image per seed: the latent vector of seed s is the first draws of "
    "numpy.random.default_rng(s), so a seed gives the same image in every run. Writes a "
    "grid (--out, PNG) and/or the images as an array in [-1, 1] (--npy, shape (n, height, "
    "width, channels))."
)
EXAMPLE = "keras-gans generate runs/digits/gan.keras --seeds 0-63 --out grid.png"


def add_arguments(parser):
    parser.add_argument("model", metavar="MODEL", help=common.MODEL_HELP)
    parser.add_argument(
        "--seeds",
        type=arguments.parse_seeds,
        required=True,
        help="seeds, one image each: integers and ranges, e.g. 0-7,12",
    )
    parser.add_argument("--out", help="PNG file of the grid of images")
    parser.add_argument("--npy", help="NumPy file of the images, float32 in [-1, 1]")
    common.add_class_argument(parser)
    parser.add_argument(
        "--trunc",
        type=arguments.finite_float,
        help="truncation psi of a style-based generator: 1 none, smaller values nearer "
        "the average image",
    )
    parser.add_argument(
        "--columns", type=arguments.positive_int, help="images per row (default: a square grid)"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")


def run(args):
    if args.out is None and args.npy is None:
        raise UsageError("nothing to write: pass --out grid.png, --npy images.npy or both.")
    common.model_kind(args.model)
    common.check_output(args.out, "--out", (".png",), args.overwrite)
    common.check_output(args.npy, "--npy", (".npy",), args.overwrite)
    model = common.load_model(args.model, args.verbose)
    label = common.class_label(model, args.label)
    latents = common.seed_latents(model, args.seeds)
    verbose = "auto" if len(args.seeds) > common.GENERATION_BATCH else 0
    images = common.generate(model, latents, label, args.trunc, verbose=verbose)
    if args.npy:
        common.save_npy(args.npy, images)
        print(f"Wrote {images.shape[0]} images, array {images.shape}, to {args.npy}")
    if args.out:
        from keras_gans.applications import save_grid

        save_grid(np.asarray(images), args.out, num_columns=args.columns)
        print(f"Wrote a grid of {images.shape[0]} images to {args.out}")
