"""The `keras-gans` program: argument parsing, error reporting and exit statuses.

Every command is a module of this package with `NAME`, `HELP`, `EXAMPLE`,
`add_arguments(parser)` and `run(args)`. Parsing imports no TensorFlow; a
command imports it when it runs (`keras_gans.cli.runtime`).
"""

import argparse
import sys
import traceback

from keras_gans.cli import arithmetic
from keras_gans.cli import evaluate
from keras_gans.cli import generate
from keras_gans.cli import info
from keras_gans.cli import inpaint
from keras_gans.cli import interpolate
from keras_gans.cli import mode_lab
from keras_gans.cli import presets
from keras_gans.cli import project
from keras_gans.cli import runtime
from keras_gans.cli import style_mix
from keras_gans.cli import train
from keras_gans.cli.errors import EXIT_FAILED
from keras_gans.cli.errors import EXIT_OK
from keras_gans.cli.errors import EXIT_USAGE
from keras_gans.cli.errors import RunError
from keras_gans.cli.errors import UsageError

PROG = "keras-gans"
COMMANDS = (
    train,
    generate,
    interpolate,
    style_mix,
    arithmetic,
    project,
    inpaint,
    evaluate,
    mode_lab,
    info,
    presets,
)
# The exit status of a run stopped with Ctrl-C, as shells report it.
EXIT_INTERRUPTED = 130


class _Formatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Keeps the examples' line breaks and shows each option's default."""


class _Parser(argparse.ArgumentParser):
    """Reports a usage error in two lines (what was wrong, where to look) and exits with 2."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\nSee '{self.prog} --help'.\n")


def build_parser():
    """The parser of every command, built without importing TensorFlow."""
    parser = _Parser(
        prog=PROG,
        description=(
            "Train GANs from the keras_gans presets, sample and edit trained generators, "
            "and score them. MODEL is a .keras file of an AdversarialModel or a SavedModel "
            "folder written by keras_gans.export_generator."
        ),
        epilog=f"example:\n  {PROG} train --preset dcgan --data mnist_sample --outdir runs/digits",
        formatter_class=_Formatter,
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show TensorFlow's messages and the traceback of an error",
    )
    # The same flag after the command name, without overriding one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show TensorFlow's messages and the traceback of an error",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in COMMANDS:
        sub = commands.add_parser(
            module.NAME,
            help=module.HELP,
            description=module.DESCRIPTION,
            epilog=f"example:\n  {module.EXAMPLE}",
            formatter_class=_Formatter,
            parents=[common],
        )
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def _report(prog, kind, error, verbose):
    if verbose:
        traceback.print_exc()
    message = str(error).strip() or type(error).__name__
    if kind == "failed" and not isinstance(error, RunError):
        message = f"{type(error).__name__}: {message}"
    hint = "" if verbose else " (--verbose shows the traceback)" if kind == "failed" else ""
    sys.stderr.write(f"{prog}: {kind}: {message}{hint}\n")


def main(argv=None):
    """Runs `keras-gans` with `argv` (default: the process's arguments); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    verbose = bool(getattr(args, "verbose", False))
    args.verbose = verbose
    prog = f"{PROG} {args.command}"
    runtime.quiet_startup(verbose)
    try:
        status = args.run(args)
    except UsageError as e:
        _report(prog, "error", e, verbose)
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write(f"{prog}: interrupted\n")
        return EXIT_INTERRUPTED
    except ValueError as e:
        # The library's checks of its inputs (shapes, ranges, files, names).
        _report(prog, "error", e, verbose)
        return EXIT_USAGE
    except Exception as e:
        _report(prog, "failed", e, verbose)
        return EXIT_FAILED
    return EXIT_OK if status is None else status
