"""Tests of the `keras-gans` command line."""
