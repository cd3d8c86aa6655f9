"""What the commands share: trained models, seeds, images in and out, output files.

The checks that need no TensorFlow (paths, suffixes, existing outputs) run
before it is imported, so that a mistyped path is reported at once.
"""

import os
import tempfile

import numpy as np

from keras_gans.cli import arguments
from keras_gans.cli import runtime
from keras_gans.cli.errors import UsageError

KERAS_SUFFIX = ".keras"
SAVED_MODEL_FILES = ("saved_model.pb", "saved_model.pbtxt")
MODEL_HELP = (
    "a .keras file of a keras_gans AdversarialModel, or a SavedModel folder written by "
    "keras_gans.export_generator"
)
KERAS = "keras"
SAVED_MODEL = "savedmodel"
# Images per generator call.
GENERATION_BATCH = 256


# ----------------------------------------------------------------------
# Models.


def model_kind(path):
    """`"keras"` or `"savedmodel"`, from the path alone; a usage error for anything else."""
    if not os.path.exists(path):
        raise UsageError(f"MODEL {path!r} does not exist: give {MODEL_HELP}.")
    if os.path.isdir(path):
        if not any(os.path.isfile(os.path.join(path, name)) for name in SAVED_MODEL_FILES):
            raise UsageError(
                f"MODEL {path!r} is a folder without a SavedModel (no saved_model.pb): "
                f"give {MODEL_HELP}."
            )
        return SAVED_MODEL
    if not path.endswith(KERAS_SUFFIX):
        raise UsageError(
            f"MODEL {path!r} is neither a .keras file nor a folder: give {MODEL_HELP}."
        )
    return KERAS


class Model:
    """A trained generator read from a `.keras` file or a SavedModel folder.

    Attributes:
        path: str. Where it was read from.
        kind: str. `"keras"` or `"savedmodel"`.
        gan: the `AdversarialModel` of a `.keras` file, else None.
        saved_model: the loaded SavedModel, else None.
        source: `keras_gans.applications.GeneratorSource` wrapping either.
        style_based: bool. Whether it has mapping and synthesis networks.
    """

    def __init__(self, path, kind, gan, saved_model, source):
        self.path = path
        self.kind = kind
        self.gan = gan
        self.saved_model = saved_model
        self.source = source
        self.style_based = source.mapping is not None

    @property
    def num_classes(self):
        return self.source.num_classes


def load_model(path, verbose=False):
    """Reads MODEL into a `Model`; usage errors name what the file holds instead."""
    kind = model_kind(path)
    runtime.import_tensorflow(verbose)
    import keras
    import tensorflow as tf

    from keras_gans.applications import GeneratorSource
    from keras_gans.models import AdversarialModel

    gan = saved_model = None
    try:
        if kind == KERAS:
            gan = keras.models.load_model(path)
            loaded = gan
        else:
            saved_model = loaded = tf.saved_model.load(path)
    except Exception as e:  # a corrupt file, another format, missing classes
        raise UsageError(
            f"could not read MODEL {path!r} ({_first_line(e)}): give {MODEL_HELP}."
        ) from e
    if kind == KERAS and not isinstance(gan, AdversarialModel):
        raise UsageError(
            f"MODEL {path!r} holds a {type(gan).__name__}, not a keras_gans AdversarialModel: "
            f"give {MODEL_HELP}."
        )
    try:
        source = GeneratorSource(loaded)
    except ValueError as e:
        raise UsageError(f"MODEL {path!r} is not a generator keras_gans can run: {e}") from e
    return Model(path, kind, gan, saved_model, source)


def _first_line(error):
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def add_class_argument(parser, help="class to draw (conditional models)"):
    """`--class K` (stored as `args.label`), the class of a conditional model."""
    parser.add_argument("--class", dest="label", type=arguments.non_negative_int, help=help)


def check_style_based(model, what):
    if not model.style_based:
        raise UsageError(
            f"{what} needs a style-based generator (StyleGAN, StyleGAN2: mapping and synthesis "
            f"networks), and MODEL {model.path!r} is not one."
        )


def class_label(model, label):
    """`--class` checked against the model: required for conditional models, refused otherwise."""
    count = model.num_classes
    valid = f" (0 to {count - 1})" if count else ""
    if model.source.conditional:
        if label is None:
            raise UsageError(
                f"MODEL {model.path!r} is conditional: pass --class K with the class to "
                f"draw{valid}."
            )
        if count is not None and not 0 <= label < count:
            raise UsageError(f"--class {label} is not a class of MODEL {model.path!r}{valid}.")
        return label
    if label is not None:
        raise UsageError(
            f"--class is for conditional models; MODEL {model.path!r} is unconditional."
        )
    return None


def seed_latents(model, seeds):
    """One latent vector per seed: the first draws of `numpy.random.default_rng(seed)`.

    The same seed gives the same latent vector (hence image) in every run,
    whatever the other seeds are.
    """
    if not seeds:
        return np.zeros((0, model.source.latent_dim), "float32")
    return np.concatenate([model.source.sample_latents(1, seed=seed) for seed in seeds])


def generate(model, latents, label=None, truncation_psi=None, verbose=0):
    """Images of latent vectors, with the truncation trick for style-based generators."""
    if truncation_psi is not None:
        check_style_based(model, "--trunc")
    if model.gan is not None:
        options = {} if truncation_psi is None else {"truncation_psi": truncation_psi}
        return model.gan.generate(
            latents, label, batch_size=GENERATION_BATCH, verbose=verbose, **options
        )
    if truncation_psi is None:
        return model.source.generate(latents, label, batch_size=GENERATION_BATCH)
    # The SavedModel's Python form of `serve` takes the truncation as a scalar.
    import tensorflow as tf

    labels = model.source.prepare_labels(label, latents.shape[0])
    psi = tf.constant(truncation_psi, tf.float32)
    outputs = []
    for start in range(0, latents.shape[0], GENERATION_BATCH):
        batch = [tf.constant(latents[start : start + GENERATION_BATCH])]
        if labels is not None:
            batch.append(tf.constant(labels[start : start + GENERATION_BATCH]))
        outputs.append(model.saved_model.serve(*batch, truncation_psi=psi)["images"].numpy())
    return np.concatenate(outputs).astype("float32")


# ----------------------------------------------------------------------
# Files.


def check_input_file(path, option):
    if not os.path.isfile(path):
        what = "a folder" if os.path.isdir(path) else "no such file"
        raise UsageError(f"{option} {path!r}: {what}; give an existing file.")
    return path


def check_output(path, option, suffixes, overwrite):
    """Refuses an output path with the wrong suffix, or an existing one without `--overwrite`."""
    if path is None:
        return None
    if not path.lower().endswith(tuple(suffixes)):
        raise UsageError(f"{option} {path!r} must end in {' or '.join(suffixes)}.")
    if os.path.isdir(path):
        raise UsageError(f"{option} {path!r} is a folder; give a file name.")
    if os.path.exists(path) and not overwrite:
        raise UsageError(f"{option} {path!r} exists: pass --overwrite to replace it.")
    return path


def write_atomically(path, write):
    """Calls `write(file)` on a temporary file beside `path`, then renames it to `path`."""
    path = os.path.abspath(path)
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", dir=directory)
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
        os.replace(staging, path)
    finally:
        if os.path.exists(staging):
            os.remove(staging)
    return path


def save_npy(path, array):
    return write_atomically(path, lambda file: np.save(file, np.asarray(array)))


def save_text(path, text):
    return write_atomically(path, lambda file: file.write(text.encode()))


def _center_crop_box(width, height, aspect):
    """The largest centred box of the given width/height ratio."""
    if width / height > aspect:
        new_width = round(height * aspect)
        left = (width - new_width) // 2
        return left, 0, left + new_width, height
    new_height = round(width / aspect)
    top = (height - new_height) // 2
    return 0, top, width, top + new_height


def fit_to(image, height, width, resample):
    """A PIL image centre-cropped to the aspect of `height` x `width`, then resized to it."""
    box = _center_crop_box(image.width, image.height, width / height)
    return image.crop(box).resize((width, height), resample=resample)


def read_image(path, image_shape, option="--image"):
    """An image file as float32 `(height, width, channels)` in [-1, 1], at the generator's size.

    Read with Pillow (PNG, JPEG, ...), converted to grey or RGB as the
    generator's channels are, centre-cropped to its aspect and resized with a
    Lanczos filter.
    """
    from PIL import Image

    check_input_file(path, option)
    height, width, channels = image_shape
    if channels not in (1, 3):
        raise UsageError(
            f"the generator makes images with {channels} channels; reading {option} needs 1 "
            "(grey) or 3 (RGB)."
        )
    try:
        with Image.open(path) as image:
            image = image.convert("L" if channels == 1 else "RGB")
    except (OSError, ValueError) as e:
        raise UsageError(
            f"{option} {path!r} is not an image Pillow can read ({_first_line(e)})."
        ) from e
    pixels = np.asarray(fit_to(image, height, width, Image.LANCZOS), "float32")
    if channels == 1:
        pixels = pixels[..., None]
    return pixels / 127.5 - 1.0


# ----------------------------------------------------------------------
# Feature extractors of the metrics.

EXTRACTOR_SUFFIXES = (".h5", ".keras")


def check_extractor_path(path, option="--extractor"):
    if path is None:
        return None
    check_input_file(path, option)
    if not path.endswith(EXTRACTOR_SUFFIXES):
        raise UsageError(
            f"{option} {path!r} must be InceptionV3 weights (.h5) or a Keras model (.keras)."
        )
    return path


def build_extractor(path, include_top=False, option="--extractor"):
    """The network of the metrics: InceptionV3 (ImageNet, or weights from `path`), or a model.

    Args:
        path: str or None. A `.h5` file of InceptionV3 weights (without the
            top for features, with it for class probabilities), a `.keras`
            model mapping images in [-1, 1] to vectors, or None for Keras'
            ImageNet weights (downloaded on first use).
        include_top: bool. Class probabilities (Inception Score) instead of
            features.
    """
    import keras

    from keras_gans.metrics import inception_feature_extractor

    if path is None:
        try:
            return inception_feature_extractor("imagenet", include_top=include_top)
        except Exception as e:  # no network: Keras' download raises a bare Exception
            raise UsageError(
                f"could not get InceptionV3's ImageNet weights ({_first_line(e)}); without a "
                f"network pass {option} with InceptionV3 weights (.h5) or a Keras model (.keras)."
            ) from e
    if path.endswith(".h5"):
        try:
            return inception_feature_extractor(path, include_top=include_top)
        except ValueError:
            raise
        except Exception as e:
            raise UsageError(
                f"{option} {path!r} does not hold InceptionV3 weights "
                f"{'with' if include_top else 'without'} the top ({_first_line(e)})."
            ) from e
    try:
        return keras.models.load_model(path, compile=False)
    except Exception as e:
        raise UsageError(
            f"could not read {option} {path!r} as a Keras model ({_first_line(e)})."
        ) from e
