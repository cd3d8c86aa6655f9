"""`keras-gans project`: the latent vector whose image best matches a target image."""

import os

from keras_gans.cli import arguments
from keras_gans.cli import common

NAME = "project"
HELP = "find the latent vector of an image (projection)"
DESCRIPTION = (
    "Finds the latent vector (z, or w for a style-based generator with --space w) whose "
    "image is nearest to --image in mean squared error, by Adam from --restarts random "
    "starts. The image is read with Pillow, centre-cropped and resized to the generator's "
    "size. Writes the latent vector (shape (1, latent_dim), or (1, num_ws, w_dim) in w "
    "space) to --out and its image to --recon."
)
EXAMPLE = "keras-gans project gan.keras --image target.png --out latent.npy"


def add_arguments(parser):
    parser.add_argument("model", metavar="MODEL", help=common.MODEL_HELP)
    parser.add_argument("--image", required=True, help="the target image (PNG, JPEG, ...)")
    parser.add_argument("--out", required=True, help="NumPy file of the latent vector")
    parser.add_argument(
        "--recon", help="PNG file of the reconstructed image (default: --out with .png)"
    )
    parser.add_argument("--steps", type=arguments.positive_int, default=1000, help="Adam steps")
    parser.add_argument(
        "--restarts", type=arguments.positive_int, default=4, help="random starts, best kept"
    )
    parser.add_argument("--lr", type=arguments.positive_float, default=0.05, help="learning rate")
    parser.add_argument("--space", choices=("z", "w"), default="z", help="latent space")
    common.add_class_argument(parser)
    parser.add_argument(
        "--seed", type=arguments.non_negative_int, default=0, help="seed of the starts"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")


def run(args):
    recon = args.recon or os.path.splitext(args.out)[0] + ".png"
    common.model_kind(args.model)
    common.check_input_file(args.image, "--image")
    common.check_output(args.out, "--out", (".npy",), args.overwrite)
    common.check_output(recon, "--recon", (".png",), args.overwrite)
    model = common.load_model(args.model, args.verbose)
    label = common.class_label(model, args.label)
    if args.space == "w":
        common.check_style_based(model, "--space w")
    target = common.read_image(args.image, model.source.image_shape)
    from keras_gans.applications import project
    from keras_gans.applications import save_grid

    result = project(
        model.source,
        target[None],
        labels=label,
        space=args.space,
        num_steps=args.steps,
        num_restarts=args.restarts,
        learning_rate=args.lr,
        seed=args.seed,
    )
    common.save_npy(args.out, result.latents)
    save_grid(result.images, recon)
    print(f"Mean squared error {float(result.losses[0]):.6f} (images in [-1, 1])")
    print(f"Wrote the latent vector, shape {result.latents.shape}, to {args.out}")
    print(f"Wrote its image to {recon}")
