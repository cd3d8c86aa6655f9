"""`keras-gans inpaint`: fill the missing pixels of an image with the generator (Yeh et al.)."""

import os

import numpy as np

from keras_gans.cli import arguments
from keras_gans.cli import common
from keras_gans.cli.errors import UsageError

NAME = "inpaint"
HELP = "fill a masked region of an image (semantic inpainting)"
DESCRIPTION = (
    "Semantic inpainting (Yeh et al. 2017): finds the latent vector whose image matches the "
    "known pixels (weighted towards the hole), plus --lambda times the discriminator's prior, "
    "and fills the hole with its image, blended in (--blend). The image is read with Pillow, "
    "centre-cropped and resized to the generator's size. --mask is a region (center, random, "
    "left, right, top, bottom: the half that is missing) or an image file whose dark pixels "
    "are missing, cropped and resized as the image."
)
EXAMPLE = "keras-gans inpaint gan.keras --image face.png --mask center --out filled.png"
REGIONS = ("center", "random", "left", "right", "top", "bottom")


def add_arguments(parser):
    parser.add_argument("model", metavar="MODEL", help=common.MODEL_HELP)
    parser.add_argument("--image", required=True, help="the image (PNG, JPEG, ...)")
    parser.add_argument(
        "--mask",
        required=True,
        help=f"missing region: {', '.join(REGIONS)}, or a mask image (dark = missing)",
    )
    parser.add_argument("--out", required=True, help="PNG file of the filled image")
    parser.add_argument("--steps", type=arguments.positive_int, default=1500, help="Adam steps")
    parser.add_argument(
        "--candidates", type=arguments.positive_int, default=8, help="latent vectors optimised"
    )
    parser.add_argument(
        "--lambda",
        dest="prior_weight",
        type=arguments.non_negative_float,
        default=0.003,
        help="weight of the prior loss; it needs the discriminator of a .keras model, "
        "0 uses the known pixels only",
    )
    parser.add_argument(
        "--blend",
        choices=("poisson", "paste"),
        default="poisson",
        help="how the fill joins the image",
    )
    parser.add_argument("--lr", type=arguments.positive_float, default=0.01, help="learning rate")
    parser.add_argument(
        "--fraction",
        type=arguments.fraction,
        default=0.2,
        help="share of missing pixels of --mask random",
    )
    common.add_class_argument(parser)
    parser.add_argument(
        "--seed",
        type=arguments.non_negative_int,
        default=0,
        help="seed of the starts and of a random mask",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output")


def _mask(args, image_shape):
    from PIL import Image

    from keras_gans.applications import center_mask
    from keras_gans.applications import half_mask
    from keras_gans.applications import load_mask
    from keras_gans.applications import random_mask

    size = image_shape[:2]
    if args.mask == "center":
        return center_mask(size)
    if args.mask == "random":
        return random_mask(size, fraction=args.fraction, seed=args.seed)
    if args.mask in REGIONS:
        return half_mask(size, side=args.mask)
    mask = load_mask(args.mask)  # at the file's size: cropped and resized as the image
    picture = Image.fromarray((mask * 255).astype("uint8"))
    resized = common.fit_to(picture, *size, resample=Image.NEAREST)
    return (np.asarray(resized) > 127).astype("float32")


def run(args):
    kind = common.model_kind(args.model)
    common.check_input_file(args.image, "--image")
    if args.mask not in REGIONS and not os.path.isfile(args.mask):
        raise UsageError(
            f"--mask {args.mask!r} is neither a region ({', '.join(REGIONS)}) nor an existing "
            "image file."
        )
    if kind == common.SAVED_MODEL and args.prior_weight > 0:
        raise UsageError(
            f"--lambda {args.prior_weight:g} weighs the discriminator's prior, and a SavedModel "
            "has no discriminator: pass --lambda 0, or the .keras file of the AdversarialModel."
        )
    common.check_output(args.out, "--out", (".png",), args.overwrite)
    model = common.load_model(args.model, args.verbose)
    label = common.class_label(model, args.label)
    image = common.read_image(args.image, model.source.image_shape)
    mask = _mask(args, model.source.image_shape)
    from keras_gans.applications import inpaint
    from keras_gans.applications import save_grid

    result = inpaint(
        model.source,
        image[None],
        mask,
        labels=label,
        prior_weight=args.prior_weight,
        num_steps=args.steps,
        num_candidates=args.candidates,
        learning_rate=args.lr,
        blending=args.blend,
        seed=args.seed,
    )
    save_grid(result.images, args.out)
    missing = int(mask.size - mask.sum())
    print(f"Filled {missing} of {mask.size} pixels; wrote {args.out}")
