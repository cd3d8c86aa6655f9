"""Inpaints held-out CelebA faces with a trained DCGAN and reports PSNR against a baseline.

Semantic inpainting (Yeh et al. 2017, `keras_gans.applications.inpaint`): for each face
and mask, the latent whose image best matches the known pixels (contextual loss) and looks
real to the discriminator (prior loss) fills the hole, pasted or Poisson-blended. The report
compares the peak signal-to-noise ratio on the hole and on the whole image with the
fill-with-mean baseline (each hole filled with its face's mean known colour), for each mask:

    python examples/inpaint_celeba.py --model=outputs/celeba64/dcgan_celeba.keras \
        --data=path/to/img_align_celeba --start=9500 --stop=9564

Use faces the generator was not trained on (`examples/dcgan_celeba.py --stop=9500` leaves
the files from 9,500 on out). Writes `report.json`, `report.md` and, per mask, a figure
whose rows are the faces, masked faces, pasted fills and Poisson blends.
"""

import json
import os
import time

import keras
import numpy as np
from absl import app
from absl import flags

import keras_gans
from keras_gans import applications

FLAGS = flags.FLAGS

flags.DEFINE_string("model", "outputs/dcgan_celeba/dcgan_celeba.keras", "The .keras GAN.")
flags.DEFINE_string("data", None, "Folder of faces (img_align_celeba layout).")
flags.DEFINE_integer("start", 9500, "First file of the faces to inpaint.")
flags.DEFINE_integer("stop", 9564, "Inpaint the files before this one.")
flags.DEFINE_integer("crop_size", 108, "Side of the central square cropped from each face.")
flags.DEFINE_list("masks", ["center", "random", "left"], "Masks: center, random, left, ...")
flags.DEFINE_integer("steps", 1500, "Adam steps on the latents.")
flags.DEFINE_integer("candidates", 8, "Latents optimised per face.")
flags.DEFINE_float("prior_weight", 0.003, "Weight of the prior loss log(1 - D(G(z))).")
flags.DEFINE_integer("figure_faces", 8, "Faces shown in each figure.")
flags.DEFINE_string("output_dir", "outputs/inpaint_celeba", "Where the report and figures go.")
flags.DEFINE_integer("seed", 0, "Seed of the starting latents and the random mask.")
flags.mark_flag_as_required("data")

HALVES = ("left", "right", "top", "bottom")
MASKS = ("center", "random", *HALVES)


def make_mask(name, size):
    if name == "center":
        return applications.center_mask(size)
    if name == "random":
        return applications.random_mask(size, fraction=0.8, seed=FLAGS.seed)
    if name in HALVES:
        return applications.half_mask(size, side=name)
    raise app.UsageError(f"--masks takes center, random, {', '.join(HALVES)}. Received: {name!r}")


def load_faces(size):
    dataset = keras_gans.data.load_dataset(
        FLAGS.data,
        image_size=size,
        crop_size=FLAGS.crop_size,
        batch_size=256,
        shuffle=False,
        drop_remainder=False,
        start=FLAGS.start,
        stop=FLAGS.stop,
    )
    return np.concatenate([np.asarray(batch) for batch in dataset])


def scores(filled, faces, mask):
    return {
        "hole_psnr": float(np.mean(applications.hole_psnr(filled, faces, mask))),
        "image_psnr": float(np.mean(applications.psnr(filled, faces))),
    }


def main(argv):
    del argv
    unknown = [name for name in FLAGS.masks if name not in MASKS]
    if unknown:
        raise app.UsageError(f"--masks takes {', '.join(MASKS)}. Received: {unknown}")
    gan = keras.models.load_model(FLAGS.model)
    size = gan.image_shape[0]
    faces = load_faces(size)
    os.makedirs(FLAGS.output_dir, exist_ok=True)
    report = {
        "model": FLAGS.model,
        "faces": f"files {FLAGS.start} to {FLAGS.stop - 1} of {FLAGS.data}",
        "num_faces": len(faces),
        "steps": FLAGS.steps,
        "candidates": FLAGS.candidates,
        "prior_weight": FLAGS.prior_weight,
        "masks": {},
    }
    for name in FLAGS.masks:
        mask = make_mask(name, size)
        start = time.perf_counter()
        result = applications.inpaint(
            gan,
            faces,
            mask,
            prior_weight=FLAGS.prior_weight,
            num_steps=FLAGS.steps,
            num_candidates=FLAGS.candidates,
            seed=FLAGS.seed,
        )
        seconds = time.perf_counter() - start
        blended = applications.poisson_blend(faces, result.generated, mask)
        blended = np.clip(blended, -1.0, 1.0)
        baseline = applications.mean_fill(faces, mask)
        report["masks"][name] = {
            "missing_share": float(1.0 - np.mean(mask)),
            "mean_fill": scores(baseline, faces, mask),
            "inpaint_paste": scores(result.images, faces, mask),
            "inpaint_poisson": scores(blended, faces, mask),
            "seconds": seconds,
        }
        shown = slice(0, FLAGS.figure_faces)
        known = np.reshape(mask, (1, size, size, -1)) > 0
        masked = np.where(known, faces, -1.0)
        rows = np.stack([faces[shown], masked[shown], result.images[shown], blended[shown]])
        path = os.path.join(FLAGS.output_dir, f"inpaint_{name}.png")
        applications.save_grid(rows, path)
        print(f"{name}: {json.dumps(report['masks'][name])}")
    with open(os.path.join(FLAGS.output_dir, "report.json"), "w") as f:
        json.dump(report, f, indent=2)
    lines = [
        "| mask | missing | mean fill: hole / image PSNR (dB) | inpainted, pasted | "
        "inpainted, Poisson blended | time (s) |",
        "|---|---|---|---|---|---|",
    ]
    for name, values in report["masks"].items():
        cells = [
            f"{values[key]['hole_psnr']:.2f} / {values[key]['image_psnr']:.2f}"
            for key in ("mean_fill", "inpaint_paste", "inpaint_poisson")
        ]
        lines.append(
            f"| {name} | {100 * values['missing_share']:.0f}% | {' | '.join(cells)} | "
            f"{values['seconds']:.0f} |"
        )
    with open(os.path.join(FLAGS.output_dir, "report.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    app.run(main)
