"""`keras-gans evaluate`: FID, KID, precision/recall and the Inception Score of a generator."""

import json
import os

import numpy as np

from keras_gans.cli import arguments
from keras_gans.cli import common
from keras_gans.cli.errors import UsageError

NAME = "evaluate"
HELP = "score a generator against real data (FID, KID, precision/recall, IS, SWD)"
METRICS = ("fid", "kid", "pr", "is", "swd")
DESCRIPTION = (
    "Scores --num generated images against --num images of --data with the metrics of "
    "keras_gans.metrics: fid, kid (mean and standard deviation over subsets), pr (precision "
    "and recall), is (Inception Score, of the generated images alone), swd (sliced "
    "Wasserstein distance of image patches, times 1e3, per resolution and averaged). "
    "Features come from Keras' InceptionV3 with ImageNet weights, downloaded on first use; "
    "without a network give --extractor (and --classifier for is); swd needs no network. "
    "Values compare among keras_gans runs with the same --num and extractor, not digit for "
    "digit with published ones."
)
EXAMPLE = (
    "keras-gans evaluate gan.keras --data mnist_sample --metrics fid,kid,pr --num 5000 "
    "--extractor inception_notop.h5"
)


def add_arguments(parser):
    parser.add_argument("model", metavar="MODEL", help=common.MODEL_HELP)
    parser.add_argument(
        "--data", help="real images: mnist_sample, a .npz file, a folder or a TFDS name"
    )
    parser.add_argument(
        "--metrics",
        type=arguments.parse_names(METRICS),
        default=["fid"],
        help=f"comma-separated among {', '.join(METRICS)}",
    )
    parser.add_argument(
        "--num", type=arguments.positive_int, default=10000, help="images of each set"
    )
    parser.add_argument(
        "--extractor",
        help="features network: InceptionV3 weights without top (.h5) or a .keras model "
        "(default: InceptionV3 with ImageNet weights, downloaded)",
    )
    parser.add_argument(
        "--classifier",
        help="class probabilities for is: InceptionV3 weights with top (.h5) or a .keras model",
    )
    common.add_class_argument(
        parser, help="score one class of a conditional model (default: every class in turn)"
    )
    parser.add_argument(
        "--image-size", type=arguments.positive_int, help="resize the data to this side"
    )
    parser.add_argument(
        "--crop-size",
        type=arguments.positive_int,
        help="a folder's images: crop this central square before resizing",
    )
    parser.add_argument(
        "--start",
        type=arguments.non_negative_int,
        help="a folder's images: first file (in sorted order) to use",
    )
    parser.add_argument(
        "--stop",
        type=arguments.positive_int,
        help="a folder's images: use the files before this one (e.g. the held-out ones)",
    )
    parser.add_argument(
        "--batch-size", type=arguments.positive_int, default=64, help="images per network call"
    )
    parser.add_argument(
        "--seed", type=arguments.non_negative_int, default=0, help="seed of the latents"
    )
    parser.add_argument("--json", dest="json_out", help="also write the scores to this JSON file")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --json file")


def _folder_options(args):
    return {"crop_size": args.crop_size, "start": args.start, "stop": args.stop}


def _check_folder_options(args):
    given = [
        f"--{name.replace('_', '-')}" for name, value in _folder_options(args).items() if value
    ]
    if given and not (args.data and os.path.isdir(args.data)):
        raise UsageError(
            f"{', '.join(given)} select the images of a folder; --data {args.data!r} is not "
            "a folder."
        )


def _real_data(args, image_shape):
    """The real images at the generator's size, unshuffled, every image once."""
    from keras_gans.data import load_dataset

    options = {"batch_size": args.batch_size, "shuffle": False, "drop_remainder": False}
    if args.image_size:
        options["image_size"] = args.image_size
    options.update({name: value for name, value in _folder_options(args).items() if value})
    dataset = load_dataset(args.data, **options)
    spec = dataset.element_spec
    shape = tuple((spec[0] if isinstance(spec, tuple) else spec).shape[1:])
    height, width, channels = image_shape
    if args.image_size is None and shape[:2] != (height, width) and height == width:
        options["image_size"] = height  # as the generator draws them
        dataset = load_dataset(args.data, **options)
        spec = dataset.element_spec
        shape = tuple((spec[0] if isinstance(spec, tuple) else spec).shape[1:])
    if shape[-1] != channels:
        raise UsageError(
            f"--data {args.data!r} has images with {shape[-1]} channels and the generator "
            f"makes {channels}: give data of the generator's kind."
        )
    return dataset


def _fake_source(model, label, seed):
    """What the metrics draw from: the model, or a sampler of one class of it."""
    if label is None:
        return model.gan if model.gan is not None else model.source
    rng = np.random.default_rng(seed)

    def sample(count):
        latents = rng.standard_normal((count, model.source.latent_dim)).astype("float32")
        return common.generate(model, latents, label)

    return sample


def run(args):
    if not args.metrics:
        raise UsageError(
            f"--metrics none leaves nothing to compute: choose among {', '.join(METRICS)}."
        )
    needs_data = any(name != "is" for name in args.metrics)
    if needs_data and not args.data:
        raise UsageError(
            "--data is required for fid, kid, pr and swd: the real images to compare with."
        )
    _check_folder_options(args)
    common.model_kind(args.model)
    common.check_extractor_path(args.extractor)
    common.check_extractor_path(args.classifier, "--classifier")
    common.check_output(args.json_out, "--json", (".json",), args.overwrite)
    model = common.load_model(args.model, args.verbose)
    label = common.class_label(model, args.label) if args.label is not None else None
    if model.source.conditional and label is None and model.gan is None:
        raise UsageError(
            f"MODEL {args.model!r} is a conditional SavedModel, which does not record its "
            "classes: pass --class K to score one class."
        )
    from keras_gans import metrics

    real = _real_data(args, model.source.image_shape) if needs_data else None
    fake = _fake_source(model, label, args.seed)
    options = {"num_samples": args.num, "batch_size": args.batch_size, "seed": args.seed}
    scores = {}
    feature_metrics = [name for name in args.metrics if name not in ("is", "swd")]
    if feature_metrics:
        extractor = common.build_extractor(args.extractor)
        for name in feature_metrics:
            print(f"{name}:")
            if name == "fid":
                scores["fid"] = metrics.fid(real, fake, extractor, verbose="auto", **options)
            elif name == "kid":
                scores["kid"], scores["kid_std"] = metrics.kid(
                    real, fake, extractor, verbose="auto", **options
                )
            else:
                scores["precision"], scores["recall"] = metrics.precision_recall(
                    real, fake, extractor, verbose="auto", **options
                )
    if "swd" in args.metrics:
        print("swd:")
        swd_scores = metrics.sliced_wasserstein_distance(real, fake, verbose="auto", **options)
        scores.update(swd_scores)
    if "is" in args.metrics:
        classifier = common.build_extractor(
            args.classifier, include_top=True, option="--classifier"
        )
        print("is:")
        scores["is"], scores["is_std"] = metrics.inception_score(
            fake, classifier, verbose="auto", **options
        )
    scores = {key: float(value) for key, value in scores.items()}
    for key, value in scores.items():
        print(f"{key} = {value:.6g}")
    if args.json_out:
        record = {"model": args.model, "data": args.data, "num_samples": args.num}
        # Networks only for the metrics that ran one (the SWD runs none).
        if feature_metrics:
            record["extractor"] = args.extractor or "InceptionV3 (ImageNet)"
        if "is" in args.metrics:
            record["classifier"] = args.classifier or "InceptionV3 (ImageNet)"
        record["scores"] = scores
        common.save_text(args.json_out, json.dumps(record, indent=2) + "\n")
        print(f"Wrote the scores to {args.json_out}")
