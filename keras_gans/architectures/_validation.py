"""Checks of the builders' arguments that only builders have.

General argument checks are `keras_gans.utils.validation`; these add the
builders' own shapes and the keyword arguments a functional `keras.Model`
would silently drop.
"""

from keras_gans.utils import validation

# `name` and `trainable` are the only keyword arguments a functional
# `keras.Model` honours; anything else would be silently dropped by
# `Functional.__init__`, so we refuse it instead.
_ALLOWED_BASE_KWARGS = ("name", "trainable")


def validate_image_shape(image_shape):
    """Return `image_shape` as a tuple of 3 positive ints `(H, W, C)`."""
    return validation.check_int_tuple(
        image_shape, "image_shape", length=3, example="(28, 28, 1) or (64, 64, 3)"
    )


def validate_hidden_units(hidden_units):
    """Return `hidden_units` as a non-empty tuple of positive ints."""
    return validation.check_int_tuple(hidden_units, "hidden_units", example="(256, 512, 1024)")


def validate_base_kwargs(cls_name, kwargs):
    """Refuse keyword arguments that `keras.Model` would silently ignore."""
    unknown = sorted(set(kwargs) - set(_ALLOWED_BASE_KWARGS))
    if unknown:
        raise ValueError(
            f"Unrecognized keyword arguments passed to {cls_name}: "
            f"{unknown}. Besides its own arguments it accepts only "
            f"{list(_ALLOWED_BASE_KWARGS)}. Received: kwargs={kwargs!r}"
        )
