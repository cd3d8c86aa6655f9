"""`keras_gans.cli.program.main` in-process: argument checks, error messages and exit statuses.

Every case here is decided before a model or dataset is read, so these tests
run in milliseconds; `commands_test.py` runs the commands for real.
"""

import json
import os

import pytest

from keras_gans.cli import program
from keras_gans.cli import train
from keras_gans.cli.program import build_parser
from keras_gans.cli.program import main


@pytest.fixture(autouse=True)
def _keep_environment(monkeypatch):
    # `main` sets TensorFlow's log level in the environment: undone after each test.
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")


def _error(capsys):
    err = capsys.readouterr().err
    return err.strip().splitlines()


def _usage_exit(argv, capsys):
    """Runs an argv that argparse refuses; returns the stderr lines."""
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    return _error(capsys)


@pytest.fixture
def fake_models(tmp_path):
    """A `.keras` file and a SavedModel folder that pass the path checks (never loaded here)."""
    keras_file = tmp_path / "gan.keras"
    keras_file.write_bytes(b"")
    saved = tmp_path / "generator"
    saved.mkdir()
    (saved / "saved_model.pb").write_bytes(b"")
    return str(keras_file), str(saved)


def test_every_command_has_help_ending_in_an_example():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert sorted(commands) == sorted(module.NAME for module in program.COMMANDS)
    assert set(commands) == {
        "train",
        "generate",
        "interpolate",
        "style-mix",
        "arithmetic",
        "project",
        "inpaint",
        "evaluate",
        "mode-lab",
        "info",
        "presets",
    }
    for name, sub in commands.items():
        last = sub.format_help().rstrip().splitlines()[-1].strip()
        assert last.startswith(f"keras-gans {name}"), (name, last)
        # The example parses with this very parser (model paths are checked later).
        parser.parse_args(last.split()[1:])
    assert parser.format_help().rstrip().splitlines()[-1].strip().startswith("keras-gans train")


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["generate", "m.keras", "--seeds", "3-1"], "invalid seed range '3-1'"),
        (["generate", "m.keras", "--seeds", "a"], "invalid seed 'a' in 'a'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["generate", "m.keras"], "the following arguments are required: --seeds"),
        (
            ["interpolate", "m.keras", "--seeds", "1,2", "--out", "w.gif", "--frames", "1"],
            "--frames",
        ),
        (
            ["train", "--preset", "dcgan", "--data", "d", "--outdir", "o", "--epochs", "0"],
            "--epochs",
        ),
        (
            [
                "train",
                "--preset",
                "dcgan",
                "--data",
                "d",
                "--outdir",
                "o",
                "--epochs",
                "2",
                "--images",
                "9",
            ],
            "not allowed with argument --epochs",
        ),
        (["train", "--preset", "dcgan", "--data", "d", "--outdir", "o", "--set", "x"], "key=value"),
        (["evaluate", "m.keras", "--metrics", "fid,ssim"], "invalid metric 'ssim'"),
        (
            [
                "style-mix",
                "m.keras",
                "--rows",
                "0",
                "--cols",
                "1",
                "--out",
                "m.png",
                "--styles",
                "x",
            ],
            "invalid seed",
        ),
    ],
)
def test_argparse_errors_take_two_lines(argv, message, capsys):
    lines = _usage_exit(argv, capsys)
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"keras-gans {argv[0]}: error: ") or argv[0] == "frobnicate"
    assert message in lines[0], lines
    assert lines[1].startswith("See 'keras-gans")


def test_verbose_before_or_after_the_command():
    parser = build_parser()
    assert parser.parse_args(["--verbose", "presets"]).verbose is True
    assert parser.parse_args(["presets", "--verbose"]).verbose is True
    assert parser.parse_args(["presets"]).verbose is False


def _command_error(argv, capsys, status=2):
    assert main(argv) == status
    lines = _error(capsys)
    assert len(lines) == 1, lines
    return lines[0]


def test_missing_and_wrong_model_paths(tmp_path, capsys):
    line = _command_error(
        ["generate", str(tmp_path / "nope.keras"), "--seeds", "1", "--out", "g.png"], capsys
    )
    assert line.startswith("keras-gans generate: error: MODEL ")
    assert "does not exist: give a .keras file" in line and "SavedModel folder" in line
    (tmp_path / "folder").mkdir()
    line = _command_error(["info", str(tmp_path / "folder")], capsys)
    assert "is a folder without a SavedModel (no saved_model.pb)" in line
    (tmp_path / "weights.h5").write_bytes(b"")
    line = _command_error(["info", str(tmp_path / "weights.h5")], capsys)
    assert "is neither a .keras file nor a folder" in line


def test_outputs_are_not_overwritten(fake_models, tmp_path, capsys):
    keras_file, _ = fake_models
    existing = tmp_path / "grid.png"
    existing.write_bytes(b"mine")
    line = _command_error(["generate", keras_file, "--seeds", "1", "--out", str(existing)], capsys)
    assert line.endswith(f"--out {str(existing)!r} exists: pass --overwrite to replace it.")
    assert existing.read_bytes() == b"mine"
    line = _command_error(
        ["generate", keras_file, "--seeds", "1", "--out", str(tmp_path / "g.jpg")], capsys
    )
    assert "must end in .png" in line
    line = _command_error(["generate", keras_file, "--seeds", "1"], capsys)
    assert "nothing to write: pass --out grid.png, --npy images.npy or both" in line


def test_command_specific_checks(fake_models, tmp_path, capsys):
    keras_file, saved = fake_models
    line = _command_error(["interpolate", keras_file, "--seeds", "4", "--out", "w.gif"], capsys)
    assert "--seeds needs at least two seeds" in line
    image = tmp_path / "face.png"
    image.write_bytes(b"")
    inpaint = ["inpaint", saved, "--image", str(image), "--out", str(tmp_path / "f.png")]
    line = _command_error(inpaint + ["--mask", "center"], capsys)
    assert "a SavedModel has no discriminator: pass --lambda 0" in line
    line = _command_error(inpaint + ["--mask", "middle", "--lambda", "0"], capsys)
    assert "--mask 'middle' is neither a region (center, random, left, right, top, bottom)" in line
    line = _command_error(
        ["inpaint", keras_file, "--image", "no.png", "--mask", "center", "--out", "f.png"], capsys
    )
    assert "--image 'no.png': no such file" in line
    line = _command_error(["evaluate", keras_file, "--data", "d.npz", "--metrics", "none"], capsys)
    assert "--metrics none leaves nothing to compute" in line
    line = _command_error(["evaluate", keras_file, "--metrics", "fid"], capsys)
    assert "--data is required for fid, kid, pr and swd" in line
    line = _command_error(
        ["evaluate", keras_file, "--data", "d.npz", "--metrics", "swd", "--crop-size", "54"],
        capsys,
    )
    assert "--crop-size select the images of a folder; --data 'd.npz' is not a folder" in line
    weights = tmp_path / "inception.bin"
    weights.write_bytes(b"")
    line = _command_error(
        ["evaluate", keras_file, "--data", "d", "--extractor", str(weights)], capsys
    )
    assert "must be InceptionV3 weights (.h5) or a Keras model (.keras)" in line


# ----------------------------------------------------------------------
# train: the run folder's rules, decided from its files alone.

TINY = ["--preset", "dcgan", "--batch-size", "16", "--set", "latent_dim=8"]


def _train_args(data, outdir, *extra):
    return ["train", "--data", str(data), "--outdir", str(outdir), *TINY, *extra]


def _write_run(outdir, argv, epochs_done=None, steps=None, images_per_epoch=64):
    """The files of a run of `argv`, as `keras-gans train` writes them."""
    args = build_parser().parse_args(argv)
    os.makedirs(outdir, exist_ok=True)
    config = {
        "settings": train.settings_of(args),
        "epochs": args.epochs or 2,
        "resolved": {"images_per_epoch": images_per_epoch},
    }
    (outdir / "config.json").write_text(json.dumps(config))
    if epochs_done is not None:
        state = {"epochs_done": epochs_done, "trained_steps": steps}
        (outdir / "state.json").write_text(json.dumps(state))


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "digits.npz"
    path.write_bytes(b"")  # never read: the run is decided before
    return path


def test_finished_run_says_so(data_file, tmp_path, capsys):
    outdir = tmp_path / "run"
    _write_run(outdir, _train_args(data_file, outdir, "--epochs", "2"), epochs_done=2, steps=8)
    for extra in ([], ["--epochs", "2"], ["--epochs", "1"], ["--images", "100"]):
        # --images 100 at 64 images per epoch is 2 epochs, rounded up.
        assert main(_train_args(data_file, outdir, *extra)) == 0, extra
        out = capsys.readouterr().out
        assert f"{outdir} is a finished run: 2 epochs, 8 steps" in out
        assert "pass --more-epochs N or a larger --epochs" in out


def test_changed_configuration_is_refused(data_file, tmp_path, capsys):
    outdir = tmp_path / "run"
    _write_run(outdir, _train_args(data_file, outdir, "--set", "d_steps=2"), epochs_done=2, steps=8)
    line = _command_error(_train_args(data_file, outdir, "--seed", "3"), capsys)
    assert line.startswith("keras-gans train: error: --outdir ")
    assert "holds a run with another configuration: seed (0 there, 3 now), " in line
    assert "set.d_steps (2 there, unset now)" in line
    assert "pass --overwrite" in line


def test_folder_of_other_files_is_refused(data_file, tmp_path, capsys):
    outdir = tmp_path / "photos"
    outdir.mkdir()
    (outdir / "holiday.jpg").write_bytes(b"")
    line = _command_error(_train_args(data_file, outdir), capsys)
    assert "holds files but no keras-gans run (no config.json)" in line
    assert (outdir / "holiday.jpg").exists()


def test_train_argument_checks(data_file, tmp_path, capsys):
    outdir = tmp_path / "run"
    line = _command_error(_train_args(data_file, outdir, "--more-epochs", "2"), capsys)
    assert "--more-epochs trains a finished run further" in line
    line = _command_error(_train_args(tmp_path / "missing.npz", outdir), capsys)
    assert "--data " in line and "missing.npz': no such file or folder. Give mnist_sample" in line
    text = tmp_path / "digits.txt"
    text.write_text("1 2 3")
    line = _command_error(_train_args(text, outdir), capsys)
    assert "is a file but not a .npz file" in line
    line = _command_error(
        _train_args(data_file, outdir, "--set", "seed=1", "--set", "seed=2"), capsys
    )
    assert "--set seed is given twice" in line
    extractor = tmp_path / "features.keras"
    extractor.write_bytes(b"")
    line = _command_error(_train_args(data_file, outdir, "--extractor", str(extractor)), capsys)
    assert "--extractor is for --metrics" in line
    assert not outdir.exists()  # nothing written by a refused command
