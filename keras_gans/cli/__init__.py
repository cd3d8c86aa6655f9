"""The `keras-gans` command line.

`keras-gans train` trains a preset on a dataset into an output folder it can
resume; `generate`, `interpolate`, `style-mix`, `arithmetic`, `project` and
`inpaint` use a trained generator (a `.keras` file or an exported SavedModel);
`evaluate` scores one with FID, KID, precision/recall or the Inception Score;
`info` describes one; `mode-lab` trains a mode-collapse lab recipe on a
Gaussian mixture and counts its modes; `presets` lists the recipes.
`keras-gans COMMAND --help` shows each command's options and an example.

`main(argv)` runs the program in-process and returns its exit status: 0 on
success, 2 for bad arguments or input, 1 for a run that failed.
"""

from keras_gans.cli.program import main

__all__ = ["main"]
