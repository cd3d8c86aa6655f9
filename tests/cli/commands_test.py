"""Every `keras-gans` command run in a fresh process, as a user runs it, on tiny models.

The module trains a tiny DCGAN (28x28 digits, 4 filters) with `keras-gans
train` and builds a tiny conditional StyleGAN2 (8x8) in-process; both are
saved as `.keras` files and exported SavedModels. The commands that only read
these models run concurrently (`outcomes`), and each test then checks one
command's outputs. The kill-and-resume test trains on its own.

Some commands run with the package's `__init__` bypassed (`_stub_command`),
which imports every subpackage and so TensorFlow: with it out of the way, the
tests see what the command line itself imports and prints.
"""

import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
from matplotlib import image as mpimg
from PIL import Image
from PIL import ImageSequence

import keras_gans

pytestmark = pytest.mark.large

PACKAGE = os.path.dirname(keras_gans.__file__)
# Runs the command line with `keras_gans/__init__.py` bypassed: the package is an
# empty module whose path is the real one, so submodules import as usual.
STUB = f"""
import sys, types
package = types.ModuleType("keras_gans")
package.__path__ = [{PACKAGE!r}]
sys.modules["keras_gans"] = package
from keras_gans.cli import main
try:
    status = main(sys.argv[1:])
except SystemExit as exit:
    status = exit.code
print("tensorflow imported:", "tensorflow" in sys.modules)
sys.exit(status)
"""
TIMEOUT = 600
LATENT_DIM = 8
TINY_DCGAN = (
    "--preset",
    "dcgan",
    "--batch-size",
    "16",
    "--set",
    f"latent_dim={LATENT_DIM}",
    "--set",
    'generator_args={"base_filters": 4}',
    "--set",
    'discriminator_args={"base_filters": 4}',
)
NUM_IMAGES = 64  # 4 steps of 16 per epoch
EPOCHS = 2
# TensorFlow's start-up messages, as its C++ libraries print them.
STARTUP_MARKERS = ("I0000", "W0000", "E0000", "absl::InitializeLog", "cpu_feature_guard")


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env.update(extra)
    return env


def _command(*args):
    return [sys.executable, "-m", "keras_gans", *map(str, args)]


def _stub_command(*args):
    return [sys.executable, "-c", STUB, *map(str, args)]


def _run(argv, env=None):
    return subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, env=env or _env())


def _details(process):
    return (
        f"exit {process.returncode}\nstdout:\n{process.stdout[-3000:]}\n"
        f"stderr:\n{process.stderr[-3000:]}"
    )


def _ok(process):
    assert process.returncode == 0, _details(process)
    return process


@pytest.fixture
def in_process(monkeypatch, capsys):
    """`keras-gans ARGS` run by `main` in this process: (status, stdout, stderr)."""
    from keras_gans.cli import main

    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")  # `main` sets it; restored after

    def call(*args):
        status = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return call


def _seed_latents(seeds):
    return np.concatenate(
        [np.random.default_rng(seed).standard_normal((1, LATENT_DIM)) for seed in seeds]
    ).astype("float32")


def _error_lines(process):
    """stderr without TensorFlow's start-up messages."""
    return [
        line
        for line in process.stderr.splitlines()
        if line.strip()
        and not any(marker in line for marker in STARTUP_MARKERS)
        and not line.startswith("To enable the following instructions")
    ]


def _digits(n, seed):
    """n 28x28 grey "digits": a bright square on a noisy background, uint8."""
    rng = np.random.default_rng(seed)
    images = (rng.random((n, 28, 28)) * 60).astype("uint8")
    images[:, 8:20, 8:20] = 255
    return images


# ----------------------------------------------------------------------
# Fixtures.


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """Data, images and models for the commands, in one folder."""
    root = tmp_path_factory.mktemp("cli")
    paths = {"root": root}
    paths["data"] = root / "digits.npz"
    np.savez(paths["data"], images=_digits(NUM_IMAGES, 0))
    paths["labels_only"] = root / "labels.npz"
    np.savez(paths["labels_only"], labels=np.arange(10))
    # A 56x56 colour target: read as grey and resized to the generator's 28x28.
    target = np.zeros((56, 56, 3), "uint8")
    target[16:40, 16:40] = (255, 200, 100)
    paths["target"] = root / "target.png"
    Image.fromarray(target).save(paths["target"])
    # A mask whose left half is dark (missing), at the target's size.
    mask = np.full((56, 56), 255, "uint8")
    mask[:, :28] = 0
    paths["mask"] = root / "mask.png"
    Image.fromarray(mask).save(paths["mask"])
    paths["existing"] = root / "existing.png"
    paths["existing"].write_bytes(b"keep me")

    keras.utils.set_random_seed(0)
    style = keras_gans.presets.stylegan2(
        image_shape=(8, 8, 1),
        size="small",
        num_classes=3,
        batch_size=4,
        seed=0,
        generator_args={
            "latent_dim": LATENT_DIM,
            "w_dim": 8,
            "mapping_layers": 1,
            "channel_base": 32,
            "channel_max": 4,
        },
        discriminator_args={"channel_base": 32, "channel_max": 4},
    )
    paths["style_model"] = style
    paths["style"] = root / "style.keras"
    style.save(str(paths["style"]))
    paths["style_saved"] = root / "style_generator"
    keras_gans.export_generator(style, paths["style_saved"])

    images = keras.Input((28, 28, 1))
    features = keras.layers.Dense(8, activation="tanh")(keras.layers.Flatten()(images))
    paths["features"] = root / "features.keras"
    keras.Model(images, features).save(str(paths["features"]))
    probabilities = keras.layers.Dense(5, activation="softmax")(features)
    paths["classifier"] = root / "classifier.keras"
    keras.Model(images, probabilities).save(str(paths["classifier"]))
    return paths


def _train_argv(data, outdir, *extra):
    return ("train", *TINY_DCGAN, "--data", data, "--outdir", outdir, *extra)


def _run_argv(work, outdir, *extra):
    """The tiny DCGAN's run, with FID after each epoch on 32 images of a small extractor."""
    metrics = ("--metrics", "fid", "--extractor", work["features"], "--metrics-num", "32")
    return _train_argv(work["data"], outdir, *metrics, *extra)


@pytest.fixture(scope="module")
def trained(work):
    """`keras-gans train` of the tiny DCGAN: (process, run folder)."""
    outdir = work["root"] / "run"
    process = _run(_command(*_run_argv(work, outdir, "--epochs", EPOCHS)))
    return process, outdir


@pytest.fixture(scope="module")
def outcomes(work, trained):
    """Every command below run concurrently: {name: CompletedProcess}."""
    _ok(trained[0])
    run = trained[1]
    gan, generator = run / "gan.keras", run / "generator"
    root = work["root"]
    further = root / "further"
    shutil.copytree(run, further)
    offline = _env(
        https_proxy="http://127.0.0.1:9",  # a refused connection: no network
        HTTPS_PROXY="http://127.0.0.1:9",
        KERAS_HOME=str(root / "empty_keras_home"),
    )
    commands = {
        "generate_keras": _command(
            "generate", gan, "--seeds", "0-5", "--out", root / "g.png", "--npy", root / "g.npy"
        ),
        "generate_saved": _command(
            "generate", generator, "--seeds", "5,4,5", "--npy", root / "s.npy"
        ),
        "interpolate_gif": _command(
            "interpolate", gan, "--seeds", "1,2,3", "--frames", "5", "--out", root / "walk.gif"
        ),
        "interpolate_w": _command(
            "interpolate",
            work["style_saved"],
            "--seeds",
            "0,1",
            "--space",
            "w",
            "--frames",
            "4",
            "--class",
            "0",
            "--out",
            root / "walk_w.png",
        ),
        "arithmetic": _command(
            "arithmetic",
            generator,
            "--a",
            "1,2",
            "--b",
            "3",
            "--c",
            "4-6",
            "--out",
            root / "arithmetic.png",
            "--npy",
            root / "arithmetic.npy",
        ),
        "project": _command(
            "project",
            gan,
            "--image",
            work["target"],
            "--out",
            root / "latent.npy",
            "--steps",
            "30",
            "--restarts",
            "2",
        ),
        "inpaint_prior": _command(
            "inpaint",
            gan,
            "--image",
            work["target"],
            "--mask",
            "center",
            "--out",
            root / "filled.png",
            "--steps",
            "10",
            "--candidates",
            "2",
        ),
        "inpaint_file": _command(
            "inpaint",
            generator,
            "--image",
            work["target"],
            "--mask",
            work["mask"],
            "--lambda",
            "0",
            "--blend",
            "paste",
            "--out",
            root / "filled_left.png",
            "--steps",
            "5",
            "--candidates",
            "1",
        ),
        "evaluate": _command(
            "evaluate",
            gan,
            "--data",
            work["data"],
            "--metrics",
            "fid,kid,pr,is,swd",
            "--num",
            "32",
            "--extractor",
            work["features"],
            "--classifier",
            work["classifier"],
            "--json",
            root / "scores.json",
        ),
        "evaluate_offline": (
            _command("evaluate", generator, "--data", work["data"], "--num", "32"),
            offline,
        ),
        "trunc_keras": _command(
            "generate",
            work["style"],
            "--seeds",
            "0-3",
            "--class",
            "1",
            "--trunc",
            "0.5",
            "--npy",
            root / "trunc_keras.npy",
        ),
        "trunc_saved": _command(
            "generate",
            work["style_saved"],
            "--seeds",
            "0-3",
            "--class",
            "1",
            "--trunc",
            "0.5",
            "--npy",
            root / "trunc_saved.npy",
        ),
        "mix_saved": _command(
            "style-mix",
            work["style_saved"],
            "--rows",
            "0-1",
            "--cols",
            "2-4",
            "--styles",
            "0,2",
            "--class",
            "2",
            "--out",
            root / "mix_saved.png",
        ),
        "more_epochs": _command(*_run_argv(work, further, "--more-epochs", "1")),
        "mode_lab": _command(
            "mode-lab",
            "--target",
            "ring_2d",
            "--recipe",
            "gan",
            "--epochs",
            "1",
            "--num",
            "100",
            "--set",
            "epoch_examples=200",
            "--out",
            root / "lab.png",
        ),  # fmt: skip
        "stub_help": _stub_command("--help"),
        "stub_errors": _stub_command("generate", gan, "--seeds", "3-1", "--out", root / "e5.png"),
        "stub_missing": _stub_command("info", root / "missing.keras"),
        "stub_exists": _stub_command("generate", gan, "--seeds", "1", "--out", work["existing"]),
        "stub_info": _stub_command("info", work["style_saved"]),
    }
    commands["module_presets"] = _command("presets")
    script = os.path.join(os.path.dirname(sys.executable), "keras-gans")
    if os.path.isfile(script):
        commands["script_presets"] = [script, "presets"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {}
        for name, command in commands.items():
            argv, env = command if isinstance(command, tuple) else (command, None)
            futures[name] = pool.submit(_run, argv, env)
        return {name: future.result() for name, future in futures.items()}


# ----------------------------------------------------------------------
# train


def test_train_writes_the_run(work, trained):
    process, run = trained
    _ok(process)
    assert sorted(os.listdir(run)) == [
        "config.json",
        "gan.keras",
        "generator",
        "history.jsonl",
        "history.png",
        "samples",
        "state.json",
    ]  # the backup is gone once the run is saved
    assert sorted(os.listdir(run / "samples")) == ["epoch_0001.png", "epoch_0002.png"]
    grid = mpimg.imread(run / "samples" / "epoch_0002.png")
    assert grid.shape[:2] == (8 * 28, 8 * 28)  # 64 samples, 8 per row
    assert mpimg.imread(run / "history.png").ndim == 3
    config = json.loads((run / "config.json").read_text())
    assert config["epochs"] == EPOCHS
    assert config["settings"]["set"] == {
        "latent_dim": LATENT_DIM,
        "generator_args": {"base_filters": 4},
        "discriminator_args": {"base_filters": 4},
    }
    assert config["resolved"]["steps_per_epoch"] == NUM_IMAGES // 16
    state = json.loads((run / "state.json").read_text())
    assert state == {"epochs_done": EPOCHS, "trained_steps": EPOCHS * NUM_IMAGES // 16}
    history = [json.loads(line) for line in (run / "history.jsonl").read_text().splitlines()]
    assert [record["epoch"] for record in history] == [0, 1]
    assert {"d_loss", "g_loss", "d_real", "d_fake", "fid"} <= set(history[0])
    assert history[1]["fid"] >= 0
    assert config["settings"]["metrics"] == ["fid"]
    assert os.path.isfile(run / "generator" / "saved_model.pb")
    assert f"Trained {EPOCHS} epochs (8 steps)" in process.stdout
    assert f"Epoch {EPOCHS}/{EPOCHS}" in process.stdout  # Keras' progress display


def test_finished_run_says_so(trained, work, in_process):
    _ok(trained[0])
    status, out, _ = in_process(*_run_argv(work, trained[1]))
    assert status == 0
    assert f"{trained[1]} is a finished run: {EPOCHS} epochs, 8 steps" in out
    assert "Epoch" not in out


def test_more_epochs_goes_on_from_the_checkpoint(outcomes, work):
    process = _ok(outcomes["more_epochs"])
    further = work["root"] / "further"
    assert f"epochs {EPOCHS + 1} to {EPOCHS + 1}" in process.stdout
    state = json.loads((further / "state.json").read_text())
    assert state == {"epochs_done": EPOCHS + 1, "trained_steps": (EPOCHS + 1) * 4}
    assert json.loads((further / "config.json").read_text())["epochs"] == EPOCHS + 1
    assert "epoch_0003.png" in os.listdir(further / "samples")
    epochs = [
        json.loads(line)["epoch"] for line in (further / "history.jsonl").read_text().splitlines()
    ]
    assert epochs == [0, 1, 2]


def test_dry_run_prints_the_configuration_and_writes_nothing(work, in_process):
    outdir = work["root"] / "dry"
    argv = _train_argv(work["data"], outdir, "--epochs", "3", "--set", "d_steps=2", "--dry-run")
    status, out, _ = in_process(*argv)
    assert status == 0
    config = json.loads(out)
    assert config["settings"]["preset"] == "dcgan"
    assert config["settings"]["data"] == str(work["data"])
    assert config["epochs"] == 3
    resolved = config["resolved"]
    assert resolved["image_shape"] == [28, 28, 1]
    assert resolved["num_images"] == NUM_IMAGES
    # d_steps=2: each of the 2 discriminator updates gets 16 images of a batch of 32.
    assert resolved["batch_size"] == 16 and resolved["data_batch_size"] == 32
    assert resolved["steps_per_epoch"] == NUM_IMAGES // 32
    assert config["total_images"] == 3 * NUM_IMAGES
    assert resolved["preset_arguments"]["d_steps"] == 2
    assert resolved["parameters"]["generator"] > 0
    assert not outdir.exists()


def test_killed_run_resumes_to_the_uninterrupted_result(tmp_path):
    epochs, num_images = 5, 128  # 8 steps of 16 per epoch
    data = tmp_path / "digits.npz"
    np.savez(data, images=_digits(num_images, 1))

    def argv(name):
        return _command(*_train_argv(data, tmp_path / name, "--epochs", epochs))

    whole = subprocess.Popen(
        argv("whole"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env()
    )
    killed = subprocess.Popen(
        argv("killed"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env()
    )
    metadata = tmp_path / "killed" / "backup" / "training_metadata.json"
    backed_up = None
    deadline = time.monotonic() + TIMEOUT
    while killed.poll() is None and time.monotonic() < deadline:
        try:
            backed_up = json.loads(metadata.read_text())
        except (OSError, ValueError):  # not there yet, or half written
            time.sleep(0.02)
            continue
        killed.send_signal(signal.SIGKILL)
        break
    assert killed.wait(timeout=60) == -signal.SIGKILL, "killed while training"
    assert backed_up is not None and backed_up["epoch"] < epochs
    assert not (tmp_path / "killed" / "gan.keras").exists()

    resumed = _ok(_run(argv("killed")))  # the same command
    assert f"Resuming from the backup in {tmp_path / 'killed' / 'backup'}" in resumed.stdout
    assert "Epoch 1/" not in resumed.stdout
    assert f"Epoch {epochs}/{epochs}" in resumed.stdout
    assert whole.wait(timeout=TIMEOUT) == 0
    for name in ("killed", "whole"):
        state = json.loads((tmp_path / name / "state.json").read_text())
        assert state == {"epochs_done": epochs, "trained_steps": epochs * num_images // 16}
        samples = sorted(os.listdir(tmp_path / name / "samples"))
        assert samples == [f"epoch_{e:04d}.png" for e in range(1, epochs + 1)]
    assert not (tmp_path / "killed" / "backup").exists()
    gans = [
        keras.models.load_model(str(tmp_path / name / "gan.keras")) for name in ("killed", "whole")
    ]
    for got, want in zip(gans[0].weights, gans[1].weights, strict=True):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want), err_msg=got.path)
    history = (tmp_path / "killed" / "history.jsonl").read_text().splitlines()
    assert sorted({json.loads(line)["epoch"] for line in history}) == list(range(epochs))


# ----------------------------------------------------------------------
# Sampling and editing.


def test_generate_writes_a_grid_and_an_array(outcomes, work):
    process = _ok(outcomes["generate_keras"])
    images = np.load(work["root"] / "g.npy")
    assert images.shape == (6, 28, 28, 1) and images.dtype == np.float32
    assert images.min() >= -1 and images.max() <= 1
    grid = mpimg.imread(work["root"] / "g.png")
    assert grid.shape[:2] == (2 * 28, 3 * 28)  # 6 images, 3 per row
    assert "Wrote a grid of 6 images" in process.stdout


def test_a_seed_gives_the_same_image_from_either_file(outcomes, work):
    _ok(outcomes["generate_saved"])
    from_keras = np.load(work["root"] / "g.npy")  # seeds 0-5, from gan.keras
    from_saved = np.load(work["root"] / "s.npy")  # seeds 5,4,5, from the SavedModel
    np.testing.assert_allclose(from_saved, from_keras[[5, 4, 5]], atol=1e-5)
    assert not np.allclose(from_keras[4], from_keras[5])


def test_interpolate_gif_has_every_frame(outcomes, work):
    process = _ok(outcomes["interpolate_gif"])
    # 3 seeds, 5 frames per pair, the shared middle frame once: 2 * 4 + 1 frames of
    # 50 ms. (Pillow merges identical consecutive frames, keeping their duration.)
    assert "Wrote 9 frames" in process.stdout
    with Image.open(work["root"] / "walk.gif") as gif:
        assert gif.size == (28, 28)
        durations = [frame.info["duration"] for frame in ImageSequence.Iterator(gif)]
    assert 2 <= len(durations) <= 9 and sum(durations) == 9 * 50, durations


def test_interpolate_in_w_space_writes_one_row_per_pair(outcomes, work):
    _ok(outcomes["interpolate_w"])
    assert mpimg.imread(work["root"] / "walk_w.png").shape[:2] == (8, 4 * 8)


def test_arithmetic(outcomes, work):
    _ok(outcomes["arithmetic"])
    assert mpimg.imread(work["root"] / "arithmetic.png").shape[:2] == (28, 4 * 28)
    latent = np.load(work["root"] / "arithmetic.npy")
    rng = np.random.default_rng
    z = {s: rng(s).standard_normal(LATENT_DIM) for s in range(1, 7)}
    expected = (z[1] + z[2]) / 2 - z[3] + (z[4] + z[5] + z[6]) / 3
    np.testing.assert_allclose(latent, expected[None], rtol=1e-5)


def test_project_writes_the_latent_and_its_image(outcomes, work):
    process = _ok(outcomes["project"])
    assert np.load(work["root"] / "latent.npy").shape == (1, LATENT_DIM)
    assert mpimg.imread(work["root"] / "latent.png").shape[:2] == (28, 28)
    assert "Mean squared error" in process.stdout


def test_inpaint_with_the_prior(outcomes, work):
    process = _ok(outcomes["inpaint_prior"])
    assert mpimg.imread(work["root"] / "filled.png").shape[:2] == (28, 28)
    assert "Filled 196 of 784 pixels" in process.stdout  # the centre 14 x 14


def test_inpaint_keeps_the_known_pixels_of_a_mask_file(outcomes, work):
    process = _ok(outcomes["inpaint_file"])
    assert "Filled 392 of 784 pixels" in process.stdout  # the mask's dark left half
    filled = mpimg.imread(work["root"] / "filled_left.png")[..., 0]
    with Image.open(work["target"]) as target:
        expected = np.asarray(target.convert("L").resize((28, 28), Image.LANCZOS)) / 255.0
    # matplotlib writes grey images through its 256-colour map: within 3 levels of 255.
    np.testing.assert_allclose(filled[:, 14:], expected[:, 14:], atol=3 / 255)


def test_truncation_from_either_file(outcomes, work):
    for name in ("trunc_keras", "trunc_saved"):
        _ok(outcomes[name])
    style = work["style_model"]
    latents = _seed_latents(range(4))
    expected = style.generate(latents, 1, truncation_psi=0.5)
    assert not np.allclose(expected, style.generate(latents, 1), atol=1e-4)
    for name in ("trunc_keras", "trunc_saved"):
        images = np.load(work["root"] / f"{name}.npy")
        np.testing.assert_allclose(images, expected, atol=1e-5, err_msg=name)


def test_style_mix_grid(outcomes, work):
    _ok(outcomes["mix_saved"])
    source = keras_gans.applications.GeneratorSource(work["style_model"])
    rows = source.map_latents(_seed_latents([0, 1]), 2)
    cols = source.map_latents(_seed_latents([2, 3, 4]), 2)
    grid = [np.ones((8, 8, 1), "float32")]  # the blank corner
    grid += list(source.generate(cols, space="w"))  # the columns' sources along the top
    for row in rows:
        grid.append(source.generate(row[None], space="w")[0])  # a row's source on the left
        for col in cols:
            mixed = row.copy()
            mixed[[0, 2]] = col[[0, 2]]  # --styles 0,2 from the column
            grid.append(source.generate(mixed[None], space="w")[0])
    expected = keras_gans.callbacks.image_grid(np.stack(grid), num_columns=4)
    written = mpimg.imread(work["root"] / "mix_saved.png")[..., 0]
    assert written.shape == (3 * 8, 4 * 8)
    # matplotlib writes grey images through its 256-colour map: within 3 levels of 255.
    np.testing.assert_allclose(written, expected, atol=3 / 255)


# ----------------------------------------------------------------------
# Evaluation and information.


def test_evaluate_scores(outcomes, work):
    process = _ok(outcomes["evaluate"])
    record = json.loads((work["root"] / "scores.json").read_text())
    scores = record["scores"]
    assert set(scores) == {
        "fid",
        "kid",
        "kid_std",
        "precision",
        "recall",
        "is",
        "is_std",
        "swd_28",
        "swd_mean",
    }
    assert scores["swd_mean"] == scores["swd_28"] > 0  # 28x28: one pyramid level
    assert scores["fid"] >= 0
    assert 0 <= scores["precision"] <= 1 and 0 <= scores["recall"] <= 1
    assert 1 <= scores["is"] <= 5  # between 1 and the classifier's 5 classes
    assert record["num_samples"] == 32
    assert record["extractor"] == str(work["features"])
    assert record["classifier"] == str(work["classifier"])
    assert f"fid = {scores['fid']:.6g}" in process.stdout


def test_evaluate_without_network_asks_for_an_extractor(outcomes):
    process = outcomes["evaluate_offline"]
    assert process.returncode == 2, _details(process)
    lines = _error_lines(process)
    assert len(lines) == 1, lines
    assert lines[0].startswith("keras-gans evaluate: error: could not get InceptionV3's")
    assert "without a network pass --extractor" in lines[0]


def test_info_of_a_keras_file(trained, in_process):
    _ok(trained[0])
    status, out, _ = in_process("info", trained[1] / "gan.keras", "--json")
    assert status == 0
    facts = json.loads(out)
    assert facts["kind"] == "AdversarialModel (AdversarialModel)"
    assert facts["latent_dim"] == LATENT_DIM
    assert facts["image_shape"] == [28, 28, 1]
    assert facts["conditional"] is False and facts["style_based"] is False
    assert facts["trained_steps"] == 8
    assert facts["generator"] == "DCGANGenerator"


def test_info_of_a_style_based_saved_model(outcomes):
    out = _ok(outcomes["stub_info"]).stdout
    assert "kind:         SavedModel" in out
    assert "latent size:  8" in out
    assert "classes:      conditional (the number of classes is not recorded)" in out
    assert "resolution:   8x8, 1 channel" in out
    assert "style-based:  yes (4 style layers, w of 8)" in out
    assert "signature serve(label: int32[None], latent: float32[None, 8]) -> images" in out
    assert "signature synthesis(w: float32[None, 4, 8])" in out


def test_presets_lists_each_with_its_paper(outcomes):
    if "script_presets" not in outcomes:
        pytest.skip("no keras-gans script beside this Python")
    out = _ok(outcomes["script_presets"]).stdout
    for name in keras_gans.presets.PRESETS:
        assert any(line.startswith(f"{name} ") for line in out.splitlines()), name
    assert 'Radford et al., "Unsupervised Representation Learning' in out
    assert (
        'Karras et al., "Analyzing and Improving the Image Quality of StyleGAN", CVPR 2020' in out
    )
    stylegan2 = next(line for line in out.splitlines() if line.startswith("stylegan2 "))
    assert "(--size paper|small)" in stylegan2


# ----------------------------------------------------------------------
# Errors: one line naming what was wrong and what is valid, exit status 2.


@pytest.mark.parametrize(
    "name, message",
    [
        ("stub_errors", "keras-gans generate: error: argument --seeds: invalid seed range '3-1'"),
        ("stub_missing", "keras-gans info: error: MODEL "),
        ("stub_exists", "exists: pass --overwrite to replace it."),
    ],
)
def test_errors_in_a_process(outcomes, name, message):
    process = outcomes[name]
    assert process.returncode == 2, _details(process)
    lines = process.stderr.splitlines()
    assert 1 <= len(lines) <= 2, lines
    assert message in lines[0], lines


def test_existing_output_is_kept(outcomes, work):
    _ = outcomes
    assert work["existing"].read_bytes() == b"keep me"


def test_errors_that_need_the_model_or_data(work, trained, in_process):
    _ok(trained[0])
    gan = trained[1] / "gan.keras"
    root = work["root"]
    cases = [
        (
            ("train", "--preset", "dcgam", "--data", work["data"], "--outdir", root / "e1"),
            "keras-gans train: error: unknown preset 'dcgam'. Did you mean 'dcgan'? Valid "
            "presets: gan, cgan, dcgan, lsgan, wgan, wgan_gp, sngan, progan, stylegan, stylegan2.",
        ),
        (
            ("train", "--preset", "dcgan", "--data", work["labels_only"], "--outdir", root / "e2"),
            "keras-gans train: error: ",
        ),
        (
            (
                "train",
                *TINY_DCGAN,
                "--set",
                "d_stepz=2",
                "--data",
                work["data"],
                "--outdir",
                root / "e3",
            ),
            "keras-gans train: error: --set d_stepz=...: dcgan has no argument 'd_stepz'. "
            "Valid keys:",
        ),
        (
            (
                "train",
                *TINY_DCGAN,
                "--size",
                "small",
                "--data",
                work["data"],
                "--outdir",
                root / "e4",
            ),
            "--size is for the presets progan, stylegan and stylegan2; dcgan takes no size.",
        ),
        (
            ("generate", gan, "--seeds", "1", "--trunc", "0.7", "--out", root / "e.png"),
            "keras-gans generate: error: --trunc needs a style-based generator",
        ),
        (
            ("generate", work["style_saved"], "--seeds", "1", "--npy", root / "e.npy"),
            "is conditional: pass --class K with the class to draw.",
        ),
        (
            ("generate", work["style"], "--seeds", "1", "--class", "3", "--npy", root / "e.npy"),
            "--class 3 is not a class of MODEL",
        ),
        (
            ("generate", gan, "--seeds", "1", "--class", "0", "--npy", root / "e.npy"),
            "--class is for conditional models",
        ),
        (
            (
                "style-mix",
                work["style"],
                "--rows",
                "0",
                "--cols",
                "1",
                "--class",
                "0",
                "--styles",
                "1-9",
                "--out",
                root / "e.png",
            ),
            "--styles [4, 5, 6, 7, 8, 9] are not layers of this generator: it has 4 style layers",
        ),
        (
            ("interpolate", gan, "--seeds", "1,2", "--space", "w", "--out", root / "e.gif"),
            "--space w needs a style-based generator",
        ),
    ]
    for argv, message in cases:
        status, _, err = in_process(*argv)
        lines = err.strip().splitlines()
        assert status == 2, (argv, err)
        assert len(lines) == 1 and message in lines[0], (argv, lines)
    assert not any(
        (root / name).exists() for name in ("e1", "e2", "e3", "e4", "e.png", "e.npy", "e.gif")
    )
    # The .npz holds labels only: the error names the file and the image keys looked for.
    _, _, err = in_process(
        "train", "--preset", "dcgan", "--data", work["labels_only"], "--outdir", root / "e2"
    )
    assert "labels.npz" in err and "images" in err, err


# ----------------------------------------------------------------------
# The command line's own imports and messages.


def test_parsing_and_usage_errors_import_no_tensorflow(outcomes):
    for name in ("stub_help", "stub_errors", "stub_missing", "stub_exists"):
        assert "tensorflow imported: False" in outcomes[name].stdout, _details(outcomes[name])
    assert "example:" in outcomes["stub_help"].stdout


def test_tensorflow_startup_messages_stay_off_stderr(outcomes):
    process = _ok(outcomes["stub_info"])
    assert "tensorflow imported: True" in process.stdout
    assert process.stderr == ""


def test_installed_command_prints_no_startup_messages(outcomes):
    # `python -m keras_gans` and the console script load the package lazily,
    # so TensorFlow is imported only under the command line's quiet start-up.
    module = _ok(outcomes["module_presets"])
    assert "dcgan" in module.stdout
    assert module.stderr == ""
    if "script_presets" not in outcomes:
        pytest.skip("no keras-gans script beside this Python")
    assert _ok(outcomes["script_presets"]).stderr == ""


# ----------------------------------------------------------------------
# mode-lab


def test_mode_lab_scores_trials_and_writes_figure_and_json(tmp_path, in_process):
    figure, scores = tmp_path / "lab.png", tmp_path / "lab.json"
    status, out, err = in_process(
        "mode-lab", "--target", "ring_2d", "--recipe", "pacgan", "--pack", "2",
        "--epochs", "1", "--trials", "2", "--seed", "3", "--num", "200",
        "--set", "epoch_examples=400", "--set", "rejection_quantile=0.5",
        "--out", figure, "--json", scores,
    )  # fmt: skip
    assert status == 0, err
    assert [line.split(":")[0] for line in out.splitlines()[:2]] == [
        "ring_2d pacgan seed 3",
        "ring_2d pacgan seed 4",
    ]
    assert out.count("rejection sampling kept") == 2, out
    assert "2 trials: modes" in out
    record = json.loads(scores.read_text())
    assert (record["target"], record["recipe"], record["epochs"]) == ("ring_2d", "pacgan", 1)
    assert record["settings"]["packing"] == 2
    assert record["settings"]["epoch_examples"] == 400
    assert [trial["seed"] for trial in record["trials"]] == [3, 4]
    for trial in record["trials"]:
        assert trial["num_modes"] == 8 and 0 <= trial["modes"] <= 8
        assert 0.0 <= trial["hq_share"] <= 1.0
        assert 0.0 < trial["acceptance_rate"] < 1.0
        assert 0.0 <= trial["generator_scores"]["hq_share"] <= 1.0
    image = mpimg.imread(figure)
    assert image.shape[:2] == (320, 640)  # one panel per trial


def test_mode_lab_in_a_subprocess(outcomes, work):
    process = _ok(outcomes["mode_lab"])
    assert process.stdout.startswith("ring_2d gan seed 0: "), process.stdout
    assert "1 trials: modes" in process.stdout
    assert mpimg.imread(work["root"] / "lab.png").shape[:2] == (320, 320)


def test_mode_lab_errors(tmp_path, in_process):
    status, _, err = in_process("mode-lab", "--recipe", "vae", "--pack", "2")
    assert status == 2 and "--pack applies to the GAN recipes" in err, err
    status, _, err = in_process("mode-lab", "--set", "nonsense=1", "--epochs", "1")
    assert status == 2 and "Unknown settings of recipe 'pacgan': ['nonsense']" in err, err
    existing = tmp_path / "taken.png"
    existing.write_bytes(b"keep me")
    status, _, err = in_process("mode-lab", "--out", existing)
    assert status == 2 and "--overwrite" in err, err
    assert existing.read_bytes() == b"keep me"
