"""`keras-gans interpolate`: a walk through the latent vectors of seeds, as a GIF or a grid."""

import numpy as np

from keras_gans.cli import arguments
from keras_gans.cli import common
from keras_gans.cli.errors import UsageError

NAME = "interpolate"
HELP = "walk from seed to seed in latent space (GIF or PNG)"
DESCRIPTION = (
    "Walks through the latent vectors of the seeds in order, --frames images from one seed "
    "to the next (both included; a walk through k seeds has (k - 1) * (frames - 1) + 1 "
    "frames). Slerp in z space, lerp in w space (style-based generators) unless --method "
    "says otherwise. --out ending in .gif writes an animation, .png a grid with one row "
    "per pair of seeds."
)
EXAMPLE = "keras-gans interpolate gan.keras --seeds 1,2,3 --frames 60 --out walk.gif"


def add_arguments(parser):
    parser.add_argument("model", metavar="MODEL", help=common.MODEL_HELP)
    parser.add_argument(
        "--seeds",
        type=arguments.parse_seeds,
        required=True,
        help="the seeds visited, at least two, e.g. 1,2,3",
    )
    parser.add_argument("--out", required=True, help="GIF animation or PNG grid")
    parser.add_argument(
        "--frames", type=arguments.at_least_two, default=30, help="images from one seed to the next"
    )
    parser.add_argument(
        "--method", choices=("slerp", "lerp"), help="path between two latent vectors"
    )
    parser.add_argument(
        "--space", choices=("z", "w"), default="z", help="latent space: z, or w (style-based)"
    )
    common.add_class_argument(parser)
    parser.add_argument(
        "--duration", type=arguments.positive_int, default=50, help="milliseconds per GIF frame"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output")


def run(args):
    if len(args.seeds) < 2:
        raise UsageError(
            f"--seeds needs at least two seeds to walk between; received {args.seeds}."
        )
    common.model_kind(args.model)
    common.check_output(args.out, "--out", (".gif", ".png"), args.overwrite)
    model = common.load_model(args.model, args.verbose)
    label = common.class_label(model, args.label)
    if args.space == "w":
        common.check_style_based(model, "--space w")
    from keras_gans.applications import interpolate
    from keras_gans.applications import save_gif
    from keras_gans.applications import save_grid

    latents = common.seed_latents(model, args.seeds)
    walks = interpolate(
        model.source,
        latents[:-1],
        latents[1:],
        args.frames,
        method=args.method,
        space=args.space,
        labels=label,
    )  # (pairs, frames, height, width, channels)
    if args.out.lower().endswith(".gif"):
        # Consecutive walks share their end and start: keep it once.
        frames = np.concatenate([walks[0]] + [walk[1:] for walk in walks[1:]])
        save_gif(frames, args.out, duration=args.duration)
        print(f"Wrote {frames.shape[0]} frames to {args.out}")
    else:
        save_grid(walks, args.out)
        print(f"Wrote {walks.shape[0]} walks of {walks.shape[1]} images to {args.out}")
