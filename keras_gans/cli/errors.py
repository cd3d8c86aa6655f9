"""The two ways a command fails, and the exit status of each."""

# Exit statuses, as argparse and most Unix tools use them.
EXIT_OK = 0
EXIT_FAILED = 1  # the run itself failed
EXIT_USAGE = 2  # bad arguments or bad input files


class UsageError(Exception):
    """Bad arguments or input: the message says what was wrong and what is valid (exit 2)."""


class RunError(Exception):
    """The command's work failed after its inputs were accepted (exit 1)."""
