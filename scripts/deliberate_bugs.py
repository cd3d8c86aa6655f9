"""Plants deliberate bugs in a scratch copy of keras_gans and checks that the tests catch them.

The repository is copied once to a scratch folder (without .git, virtual environments,
outputs and caches). Each bug is a literal search-and-replace in one file of
`keras_gans/` there; the script fails loudly when the search text is not found exactly
once, so a refactor cannot silently turn a bug into a no-op. For each bug the script
edits the file, runs the tests named for that bug with pytest, restores the file, and
reports whether the tests caught the bug, that is whether at least one of them failed
on an assertion (an `AssertionError`, pytest's `Failed`, or a strict xfail that
passed). Tests that only crash on the bug (a `TypeError` from deep inside Keras, say)
do not count: they would fail as well on any harmless refactor.

Before planting anything, each set of tests is run once on the unchanged copy: a set
that fails there cannot tell anything, and its bugs are reported as such.

Usage, from the repository root (about 10 to 20 minutes on two CPU cores):

    python scripts/deliberate_bugs.py                 # every bug
    python scripts/deliberate_bugs.py --only M1,M4    # some of them
    python scripts/deliberate_bugs.py --list          # the bugs and their tests
    python scripts/deliberate_bugs.py --json report.json --keep

Exit status: 0 when every bug was caught, 1 when one survived (or its tests could not
run), 2 when a bug no longer applies (search text not found).
"""

import argparse
import dataclasses
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Not copied: version control, environments, training outputs, caches.
EXCLUDED = (".git", ".venv", "venv", "outputs", "__pycache__", ".pytest_cache", ".hypothesis")


@dataclasses.dataclass(frozen=True)
class Bug:
    """A deliberate bug: `search` replaced by `replace` in `path`, and the tests for it.

    `tests` holds pytest argument lists, one pytest run each: paths (or node ids) and,
    optionally, `-k` expressions.
    """

    name: str
    title: str
    path: str
    search: str
    replace: str
    tests: tuple
    note: str = ""


MODEL = "keras_gans/models/adversarial_model.py"
MODEL_TESTS = "tests/models/adversarial_model_test.py"

BUGS = (
    # --- The audit's probes (tests_audit.md, section 3), on the refactored code. ---
    Bug(
        "M1",
        "AdversarialModel.save skips the atomic write (calls keras.Model.save directly)",
        MODEL,
        "        return file_utils.save_atomically(super().save, filepath, overwrite, **kwargs)",
        "        return super().save(filepath, overwrite=overwrite, **kwargs)",
        (
            ("tests/utils/file_utils_test.py", "-k", "ModelSavesAtomically"),
            (MODEL_TESTS, "-k", "atomic or checkpoint"),
        ),
    ),
    Bug(
        "M2",
        "feature matching: gradient sign flipped, value unchanged (2 * stop_gradient(f) - f)",
        MODEL,
        '                ops.cast(real_features, "float32"), ops.cast(fake_features, "float32")',
        '                ops.cast(real_features, "float32"),\n'
        '                2.0 * ops.stop_gradient(ops.cast(fake_features, "float32"))\n'
        '                - ops.cast(fake_features, "float32"),',
        ((MODEL_TESTS, "-k", "feature_matching"),),
    ),
    Bug(
        "M3",
        "test_step (validation, evaluate) reports 1.2 * d_loss",
        MODEL,
        "                self.discriminator_loss(real_outputs, fake_outputs),\n"
        "                g_loss,",
        "                1.2 * self.discriminator_loss(real_outputs, fake_outputs),\n"
        "                g_loss,",
        ((MODEL_TESTS, "-k", "validation or evaluate"),),
    ),
    Bug(
        "M4",
        "fit positions a keras_gans dataset even with steps_per_epoch",
        "keras_gans/models/fit_adapter.py",
        '    if position is not None and arguments.get("steps_per_epoch") is None:',
        "    if position is not None:",
        (("tests/data/position_test.py", "-k", "steps_per_epoch"),),
    ),
    Bug(
        "M5",
        "regularisers' discriminator sees the labels reversed (RegularizerInputs.discriminator_fn)",
        "keras_gans/losses/regularizer.py",
        "        return self.model.discriminate(samples, self.labels, training=self.training)",
        "        labels = None if self.labels is None else self.labels[::-1]\n"
        "        return self.model.discriminate(samples, labels, training=self.training)",
        (
            ("tests/losses/penalties_test.py", "-k", "Conditional"),
            (MODEL_TESTS, "-k", "conditional and penalty"),
        ),
    ),
    Bug(
        "M6",
        "discriminate leaves float16 outputs in float16 (no float32 cast)",
        MODEL,
        '        return ops.cast(outputs, "float32")',
        "        return outputs",
        (
            ("tests/losses/penalties_test.py", "-k", "float32"),
            ("tests/models/mixed_precision_test.py",),
        ),
    ),
    Bug(
        "M8",
        "a failed export no longer puts the old model back (atomic_directory rollback removed)",
        "keras_gans/utils/file_utils.py",
        "            os.replace(backup, path)\n            backup = None",
        "            backup = None",
        (
            ("tests/export_test.py", "-k", "failed or replaced"),
            ("tests/utils/file_utils_test.py", "-k", "AtomicDirectory"),
        ),
    ),
    Bug(
        "M9",
        "logged d_loss is the last discriminator slice's, not the mean over d_steps slices",
        "keras_gans/models/schedules.py",
        "            mean(list(d_losses)),",
        "            d_losses[-1],",
        ((MODEL_TESTS, "-k", "TrainStep or d_steps or Penalty"),),
    ),
    # --- Bugs likely in the refactored code. ---
    Bug(
        "X1",
        "a lazy regulariser is not multiplied by `every` on the updates it is computed",
        "keras_gans/losses/regularizer.py",
        "        weight = self.weight * self.every",
        "        weight = self.weight",
        (("tests/losses/penalties_test.py", "-k", "lazy"), (MODEL_TESTS, "-k", "lazy")),
    ),
    Bug(
        "X2",
        "regularisers count their player's updates with the other player's optimizer",
        MODEL,
        "        optimizer = self.d_optimizer if player == DISCRIMINATOR else self.g_optimizer\n"
        "        inputs = regularizer_module.RegularizerInputs(",
        "        optimizer = self.g_optimizer if player == DISCRIMINATOR else self.d_optimizer\n"
        "        inputs = regularizer_module.RegularizerInputs(",
        (("tests/losses/path_length_test.py", "-k", "lazy"), (MODEL_TESTS, "-k", "lazy")),
    ),
    Bug(
        "X3",
        "DiffAugment also applied outside training (validation, evaluate)",
        MODEL,
        "        if training and self.augmentation is not None:",
        "        if self.augmentation is not None:",
        (("tests/augmentation",),),
    ),
    Bug(
        "X4",
        "weight clip applied before the discriminator's update, so each update leaves it unclipped",
        MODEL,
        "        self.d_optimizer.apply(tape.gradient(loss, variables), variables)\n"
        "        if self.weight_clip is not None:\n"
        "            for variable in variables:\n"
        "                variable.assign(ops.clip(variable, -self.weight_clip, self.weight_clip))",
        "        if self.weight_clip is not None:\n"
        "            for variable in variables:\n"
        "                variable.assign(ops.clip(variable, -self.weight_clip, self.weight_clip))\n"
        "        self.d_optimizer.apply(tape.gradient(loss, variables), variables)",
        (
            ("tests/presets_test.py", "-k", "finite_changing_losses_wgan"),
            (MODEL_TESTS, "-k", "clip"),
        ),
    ),
    Bug(
        "X5",
        "path length regularisation never updates its moving mean",
        "keras_gans/losses/path_length.py",
        "        self.mean_length.assign(mean)\n",
        "",
        (("tests/losses/path_length_test.py",),),
    ),
    Bug(
        "X6",
        "Alternating.data_batch_size forgets the d_steps slices",
        "keras_gans/models/schedules.py",
        "        return self.d_steps * super().data_batch_size(images_per_update)",
        "        return super().data_batch_size(images_per_update)",
        (("tests/presets_test.py", "-k", "readme or overrides"),),
    ),
    Bug(
        "X7",
        "label smoothing lost in a config (.keras) round trip of Minimax / NonSaturating",
        "keras_gans/losses/gan_loss.py",
        '        return {"label_smoothing": self.label_smoothing}',
        "        return {}",
        (("tests/losses/adversarial_test.py", "-k", "config or keras_file"),),
    ),
    Bug(
        "X8",
        "losses.get drops the keywords of a functools.partial discriminator loss",
        "keras_gans/losses/gan_loss.py",
        "        keywords, inner = dict(inner.keywords), inner.func",
        "        keywords, inner = {}, inner.func",
        (("tests/losses/adversarial_test.py", "-k", "get or keras_file"),),
    ),
    Bug(
        "X9",
        "gradient penalty draws one interpolation weight for the whole batch",
        "keras_gans/losses/penalties.py",
        '                (n,), 0.0, 1.0, dtype="float32", seed=inputs.seed_generator',
        '                (1,), 0.0, 1.0, dtype="float32", seed=inputs.seed_generator',
        (("tests/losses/penalties_test.py", "-k", "uniform"),),
    ),
    Bug(
        "X10",
        "fit adds a TerminateOnDivergence even when the callbacks hold one",
        "keras_gans/models/fit_adapter.py",
        "    if not any(isinstance(c, TerminateOnDivergence) for c in callbacks):",
        "    if True:",
        (("tests/callbacks/terminate_on_divergence_test.py", "-k", "added_once"),),
    ),
    Bug(
        "X11",
        "the Inception extractor resizes with nearest neighbours instead of bilinear",
        "keras_gans/metrics/features.py",
        'interpolation="bilinear"',
        'interpolation="nearest"',
        (("tests/metrics/features_test.py", "-k", "bilinear"),),
    ),
    Bug(
        "X12",
        "probability losses log the mean logit instead of the mean probability (d_real, d_fake)",
        "keras_gans/losses/gan_loss.py",
        "            return ops.mean(ops.sigmoid(outputs))",
        "            return ops.mean(outputs)",
        (("tests/losses/adversarial_test.py", "-k", "output_summary"),),
    ),
    Bug(
        "X13",
        "the gradient penalty of a packed critic takes each sample's gradient norm",
        "keras_gans/losses/penalties.py",
        "            packing=packing,\n",
        "",
        (("tests/architectures/packing_test.py", "-k", "penalty"),),
    ),
    Bug(
        "X14",
        "AdversarialModel(packing=m) packs before augmenting",
        "keras_gans/models/adversarial_model.py",
        "        if training and self.augmentation is not None:\n"
        "            samples = self.augmentation(samples, self.seed_generator)\n"
        "        if self._pack is not None:\n"
        "            samples = self._pack(samples)\n",
        "        if self._pack is not None:\n"
        "            samples = self._pack(samples)\n"
        "        if training and self.augmentation is not None:\n"
        "            samples = self.augmentation(samples, self.seed_generator)\n",
        (("tests/architectures/packing_test.py", "-k", "ModelPacking"),),
    ),
)


# --- Running ------------------------------------------------------------------


def copy_repository(destination):
    def ignore(folder, names):
        return [name for name in names if name in EXCLUDED or name.endswith(".pyc")]

    shutil.copytree(REPO_ROOT, destination, ignore=ignore)
    return destination


def environment(scratch):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONDONTWRITEBYTECODE="1")
    # The scratch copy first, also for the subprocesses tests start (an editable
    # install of the real repository would otherwise win there).
    env["PYTHONPATH"] = os.pathsep.join([scratch, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def check_import_location(scratch):
    found = subprocess.run(
        [
            sys.executable,
            "-c",
            "import keras_gans, os; print(os.path.realpath(keras_gans.__file__))",
        ],
        cwd=scratch,
        env=environment(scratch),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not found.startswith(os.path.realpath(scratch) + os.sep):
        raise SystemExit(f"The scratch copy imports keras_gans from {found}, not from {scratch}.")


@dataclasses.dataclass
class Outcome:
    """What one pytest run said."""

    exit_code: int
    passed: int = 0
    assertion_failures: list = dataclasses.field(default_factory=list)
    other_failures: list = dataclasses.field(default_factory=list)
    seconds: float = 0.0

    @property
    def ran(self):
        return self.exit_code in (0, 1)

    @property
    def clean(self):
        return self.exit_code == 0


def _is_assertion(message):
    message = (message or "").lstrip()
    return message.startswith(("AssertionError", "Failed", "[XPASS(strict)]", "assert "))


def run_pytest(scratch, arguments, timeout):
    report = os.path.join(scratch, ".deliberate_bugs_junit.xml")
    if os.path.exists(report):
        os.remove(report)
    command = [
        sys.executable, "-m", "pytest", *arguments, "-q", "-p", "no:cacheprovider", "-n", "0",
        "-o", "junit_family=xunit1", f"--junitxml={report}",
    ]  # fmt: skip
    start = time.monotonic()
    try:
        result = subprocess.run(
            command,
            cwd=scratch,
            env=environment(scratch),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        exit_code = result.returncode
    except subprocess.TimeoutExpired:
        exit_code = -1
    outcome = Outcome(exit_code, seconds=time.monotonic() - start)
    if not os.path.exists(report):
        return outcome
    for case in ElementTree.parse(report).iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        problems = [child for child in case if child.tag in ("failure", "error")]
        if not problems and case.find("skipped") is None:
            outcome.passed += 1
        for problem in problems:
            message = problem.get("message") or (problem.text or "").strip().splitlines()[-1:]
            message = message if isinstance(message, str) else " ".join(message)
            entry = f"{name}: {message.splitlines()[0][:160] if message else problem.tag}"
            if problem.tag == "failure" and _is_assertion(message):
                outcome.assertion_failures.append(entry)
            else:
                outcome.other_failures.append(entry)
    return outcome


def apply(scratch, bug):
    """Plants `bug` in the scratch copy; returns the file's original text."""
    path = os.path.join(scratch, bug.path)
    with open(path) as f:
        original = f.read()
    count = original.count(bug.search)
    if count != 1:
        raise LookupError(
            f"{bug.name}: the search text occurs {count} times in {bug.path} (expected once):\n"
            f"{bug.search}"
        )
    with open(path, "w") as f:
        f.write(original.replace(bug.search, bug.replace))
    return original


def restore(scratch, bug, original):
    with open(os.path.join(scratch, bug.path), "w") as f:
        f.write(original)


def verdict(outcomes, baselines):
    """`caught`, `survived`, `crashed only` or `not run`, for one bug's test runs."""
    if any(o.assertion_failures for o in outcomes):
        return "caught"
    if any(not b.clean for b in baselines):
        return "baseline failing"
    if not any(o.ran for o in outcomes):
        return "not run"
    if any(o.other_failures or not o.clean for o in outcomes):
        return "crashed only"
    return "survived"


def main():
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it happens
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="Comma-separated bug names, e.g. M1,M4.")
    parser.add_argument("--list", action="store_true", help="List the bugs and their tests.")
    parser.add_argument("--scratch", help="Folder for the scratch copy (default: a temporary one).")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch copy.")
    parser.add_argument("--no-baseline", action="store_true", help="Skip the unchanged runs.")
    parser.add_argument("--timeout", type=float, default=1800, help="Seconds per pytest run.")
    parser.add_argument("--json", help="Also write the results to this JSON file.")
    args = parser.parse_args()

    bugs = BUGS
    if args.only:
        wanted = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = sorted(set(wanted) - {bug.name for bug in BUGS})
        if unknown:
            raise SystemExit(f"Unknown bugs {unknown}. Known: {[bug.name for bug in BUGS]}")
        bugs = tuple(bug for bug in BUGS if bug.name in wanted)
    if args.list:
        for bug in bugs:
            print(f"{bug.name}: {bug.title}\n    in {bug.path}")
            for arguments in bug.tests:
                print(f"    pytest {shlex.join(arguments)}")
        return 0

    # Every bug must still apply to the code as it is, before any test runs.
    for bug in bugs:
        with open(os.path.join(REPO_ROOT, bug.path)) as f:
            count = f.read().count(bug.search)
        if count != 1:
            print(
                f"{bug.name}: its search text occurs {count} times in {bug.path}, not once: "
                "the code changed; update the bug.",
                file=sys.stderr,
            )
            return 2

    parent = args.scratch or tempfile.mkdtemp(prefix="keras_gans_bugs_")
    scratch = copy_repository(os.path.join(parent, "repository"))
    print(f"Scratch copy: {scratch}")
    check_import_location(scratch)
    results = []
    baseline = {}
    try:
        if not args.no_baseline:
            for arguments in dict.fromkeys(a for bug in bugs for a in bug.tests):
                outcome = run_pytest(scratch, arguments, args.timeout)
                baseline[arguments] = outcome
                state = "clean" if outcome.clean else f"NOT CLEAN (exit {outcome.exit_code})"
                print(
                    f"baseline {state:>20} {outcome.passed:4d} passed "
                    f"{outcome.seconds:6.0f} s  pytest {shlex.join(arguments)}"
                )
                for entry in outcome.assertion_failures + outcome.other_failures:
                    print(f"    {entry}")
        for bug in bugs:
            original = apply(scratch, bug)
            try:
                outcomes = [run_pytest(scratch, a, args.timeout) for a in bug.tests]
            finally:
                restore(scratch, bug, original)
            baselines = [baseline[a] for a in bug.tests if a in baseline]
            result = verdict(outcomes, baselines)
            seconds = sum(o.seconds for o in outcomes)
            print(f"{bug.name:4} {result.upper():16} {seconds:6.0f} s  {bug.title}")
            runs = []
            for arguments, outcome in zip(bug.tests, outcomes, strict=True):
                caught = len(outcome.assertion_failures)
                print(
                    f"     exit {outcome.exit_code:2d}: {caught} assertion failures, "
                    f"{len(outcome.other_failures)} other, {outcome.passed} passed  "
                    f"pytest {shlex.join(arguments)}"
                )
                for entry in (outcome.assertion_failures + outcome.other_failures)[:3]:
                    print(f"        {entry}")
                runs.append({"pytest": list(arguments), **dataclasses.asdict(outcome)})
            results.append(
                {
                    "name": bug.name,
                    "title": bug.title,
                    "path": bug.path,
                    "verdict": result,
                    "seconds": round(seconds, 1),
                    "runs": runs,
                }
            )
    finally:
        if not args.keep and not args.scratch:
            shutil.rmtree(parent, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"bugs": results}, f, indent=2)
    missed = [r["name"] for r in results if r["verdict"] != "caught"]
    print(
        f"\n{len(results) - len(missed)} of {len(results)} bugs caught"
        + (f"; not caught: {', '.join(missed)}" if missed else "")
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
