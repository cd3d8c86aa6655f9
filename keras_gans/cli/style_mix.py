"""`keras-gans style-mix`: rows' styles with some layers taken from the columns' (StyleGAN)."""

import numpy as np

from keras_gans.cli import arguments
from keras_gans.cli import common
from keras_gans.cli.errors import UsageError

NAME = "style-mix"
HELP = "mix the styles of two sets of seeds (style-based generators)"
DESCRIPTION = (
    "For each row seed and column seed, the image of the row's w with the style layers "
    "--styles taken from the column's w. The grid shows the column seeds' images along the "
    "top, the row seeds' along the left, and the mixes inside. Layers 0, 1, ... are the "
    "coarse (low-resolution) ones first; the model has 2 per resolution from 4x4 up."
)
EXAMPLE = "keras-gans style-mix stylegan.keras --rows 0-3 --cols 4-7 --styles 0-3 --out mix.png"


def add_arguments(parser):
    parser.add_argument("model", metavar="MODEL", help=common.MODEL_HELP)
    parser.add_argument(
        "--rows", type=arguments.parse_seeds, required=True, help="seeds of the rows"
    )
    parser.add_argument(
        "--cols", type=arguments.parse_seeds, required=True, help="seeds of the columns"
    )
    parser.add_argument(
        "--styles",
        type=arguments.parse_seeds,
        help="style layers taken from the columns, e.g. 0-3 (default: the coarse half)",
    )
    parser.add_argument("--out", required=True, help="PNG file of the grid")
    common.add_class_argument(parser)
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output")


def run(args):
    common.model_kind(args.model)
    common.check_output(args.out, "--out", (".png",), args.overwrite)
    model = common.load_model(args.model, args.verbose)
    common.check_style_based(model, "style-mix")
    label = common.class_label(model, args.label)
    source = model.source
    num_ws = source.w_shape[0]
    styles = args.styles if args.styles is not None else list(range(max(1, num_ws // 2)))
    outside = sorted({s for s in styles if s >= num_ws})
    if outside:
        raise UsageError(
            f"--styles {outside} are not layers of this generator: it has {num_ws} style "
            f"layers, 0 to {num_ws - 1}."
        )
    rows = source.map_latents(common.seed_latents(model, args.rows), label)
    cols = source.map_latents(common.seed_latents(model, args.cols), label)
    mixed = np.repeat(rows[:, None], len(args.cols), axis=1)  # (rows, cols, num_ws, w_dim)
    mixed[:, :, styles] = cols[None, :, styles]
    ws = np.concatenate([rows, cols, mixed.reshape((-1, *source.w_shape))])
    images = source.generate(ws, space="w")
    row_images = images[: len(args.rows)]
    col_images = images[len(args.rows) : len(args.rows) + len(args.cols)]
    mixes = images[len(args.rows) + len(args.cols) :].reshape(
        (len(args.rows), len(args.cols), *source.image_shape)
    )
    # The corner is blank (white); the sources line the top and the left.
    corner = np.ones((1, *source.image_shape), "float32")
    grid = [np.concatenate([corner, col_images])]
    grid += [np.concatenate([row_images[i : i + 1], mixes[i]]) for i in range(len(args.rows))]
    from keras_gans.applications import save_grid

    save_grid(np.stack(grid), args.out)
    print(f"Wrote {len(args.rows)} x {len(args.cols)} mixes (style layers {styles}) to {args.out}")
