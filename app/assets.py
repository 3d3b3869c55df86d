"""Where the shipped data files are, in a checkout, an installed wheel or the standalone bundle.

`assets/` is installed as the package `medius_assets`; importlib.resources finds it wherever the Python packages
are (site-packages, an editable install's finder, a PyInstaller bundle). MediaPipe and OpenCV need real file
names, so only a package that lives on the file system is accepted.
"""

from __future__ import annotations

import functools
import pathlib
from importlib import resources

ASSETS_PACKAGE = "medius_assets"


@functools.cache
def assets_dir() -> pathlib.Path:
    root = resources.files(ASSETS_PACKAGE)
    if not isinstance(root, pathlib.Path):  # e.g. a zipped install: MediaPipe cannot open files inside a zip
        raise RuntimeError(f"Medius Coach's data package {ASSETS_PACKAGE} must be installed as plain files, "
                           f"not inside an archive ({root}). Reinstall with pip.")
    return root


def asset_path(*parts: str) -> pathlib.Path:
    """The path of a shipped file, e.g. asset_path("models", "pose_landmarker_full.task")."""
    return assets_dir().joinpath(*parts)
