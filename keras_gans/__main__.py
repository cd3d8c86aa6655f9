"""`python -m keras_gans`: the `keras-gans` command line."""

import sys

from keras_gans.cli import main

if __name__ == "__main__":
    sys.exit(main())
