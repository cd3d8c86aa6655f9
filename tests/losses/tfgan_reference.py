"""Inputs of the TF-GAN comparison in `adversarial_test.py`, and the script that pinned it.

The tests import only `INPUTS` from this module (CI has no TF-GAN). Running it as
a script prints the reference values of TF-GAN 2.1.0's `losses_impl` on those
inputs, which `adversarial_test.TFGANReferenceTest` pins:

    pip install --target /tmp/tfgan tensorflow-gan==2.1.0 tensorflow-probability tf-keras
    PYTHONPATH=/tmp/tfgan python tests/losses/tfgan_reference.py /tmp/tfgan

TF-GAN 2.1.0's package `__init__` needs `tf.estimator`, which TensorFlow 2.16+
dropped, so the script imports its `losses_impl` module with stub parent packages.
All inputs are exact binary fractions, so every library sees the same float32 values.
"""

import numpy as np

_PATCH = np.arange(18, dtype="float64")

INPUTS = {
    "rank1": (
        np.array([1.5, -0.5, 2.0, 0.25], "float32"),
        np.array([-1.0, 0.75, -2.5, 0.5], "float32"),
    ),
    "rank2": (
        np.array([[0.25, 1.25], [-0.75, 2.5], [1.125, -1.75]], "float32"),
        np.array([[-0.5, 0.875], [-1.5, 0.125], [1.0, -3.25]], "float32"),
    ),
    # A PatchGAN map of logits: batch 2, 3x3 patches, one channel.
    "patch": (
        (_PATCH * 0.25 - 1.5).reshape(2, 3, 3, 1).astype("float32"),
        (((_PATCH * 7) % 11 - 5) * 0.5).reshape(2, 3, 3, 1).astype("float32"),
    ),
}


def _import_losses_impl(root):
    import sys
    import types

    for name in ["tensorflow_gan", "tensorflow_gan.python"]:
        module = types.ModuleType(name)
        module.__path__ = [f"{root}/{name.replace('.', '/')}"]
        sys.modules[name] = module
    from tensorflow_gan.python.losses import losses_impl

    return losses_impl


def reference_values(root):
    """Returns `{input_name: {loss_name: value}}` computed by TF-GAN in `root`."""
    tfgan = _import_losses_impl(root)
    values = {}
    for key, (real, fake) in INPUTS.items():
        values[key] = {
            "minimax_d_ls0": tfgan.minimax_discriminator_loss(real, fake, label_smoothing=0.0),
            "minimax_d_ls0.2": tfgan.minimax_discriminator_loss(real, fake, label_smoothing=0.2),
            # TF-GAN's default label smoothing.
            "minimax_d_ls0.25": tfgan.minimax_discriminator_loss(real, fake),
            "modified_d_ls0": tfgan.modified_discriminator_loss(real, fake, label_smoothing=0.0),
            "minimax_g": tfgan.minimax_generator_loss(fake),
            "modified_g": tfgan.modified_generator_loss(fake),
            "least_squares_g": tfgan.least_squares_generator_loss(fake),
            "least_squares_d": tfgan.least_squares_discriminator_loss(real, fake),
            # LSGAN's other labelling, a=-1, b=1, c=0 (Mao et al., eq. 9).
            "least_squares_g_c0": tfgan.least_squares_generator_loss(fake, real_label=0),
            "least_squares_d_a-1": tfgan.least_squares_discriminator_loss(
                real, fake, real_label=1, fake_label=-1
            ),
            "wasserstein_g": tfgan.wasserstein_generator_loss(fake),
            "wasserstein_d": tfgan.wasserstein_discriminator_loss(real, fake),
            "wasserstein_hinge_g": tfgan.wasserstein_hinge_generator_loss(fake),
            "wasserstein_hinge_d": tfgan.wasserstein_hinge_discriminator_loss(real, fake),
            "relativistic_g": tfgan.relativistic_generator_loss(real, fake),
            "relativistic_d": tfgan.relativistic_discriminator_loss(real, fake),
        }
    return {
        key: {name: float(np.asarray(value)) for name, value in losses.items()}
        for key, losses in values.items()
    }


if __name__ == "__main__":
    import sys

    for key, losses in reference_values(sys.argv[1]).items():
        print(f'"{key}": {{')
        for name, value in losses.items():
            print(f'    "{name}": {value!r},')
        print("},")
