"""`keras-gans presets`: the training recipes `train --preset` takes, with their papers."""

import inspect

NAME = "presets"
HELP = "list the presets of keras-gans train, with their papers"
DESCRIPTION = (
    "Lists the presets of `keras-gans train --preset`: each one's summary and the paper it "
    "follows. Presets marked --size take --size paper|small."
)
EXAMPLE = "keras-gans presets"


def add_arguments(parser):
    del parser


def _reference(doc):
    """The text of a docstring's `Reference:` section, on one line."""
    lines = inspect.cleandoc(doc or "").splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "Reference:":
            text = []
            for following in lines[i + 1 :]:
                if not following.strip():
                    break
                text.append(following.strip())
            return " ".join(text)
    return ""


def describe():
    """`[(name, summary, reference, takes_size), ...]` of every preset."""
    from keras_gans.presets import PRESETS

    rows = []
    for name, function in PRESETS.items():
        doc = inspect.getdoc(function) or ""
        summary = doc.splitlines()[0] if doc else ""
        takes_size = "size" in inspect.signature(function).parameters
        rows.append((name, summary, _reference(doc), takes_size))
    return rows


def run(args):
    from keras_gans.cli import runtime

    runtime.import_tensorflow(args.verbose)
    rows = describe()
    width = max(len(name) for name, *_ in rows)
    for name, summary, reference, takes_size in rows:
        size = "  (--size paper|small)" if takes_size else ""
        print(f"{name:<{width}}  {summary}{size}")
        if reference:
            print(f"{'':<{width}}  {reference}")
