"""Locating and checking the bundled pose model before MediaPipe sees it.

MediaPipe reports a bad model with a long C++ traceback or an abort; checking the file first lets the user see
one line that says what to do.
"""

from __future__ import annotations

import hashlib
import pathlib
import zipfile

from app.assets import asset_path
from app.errors import ModelFileError

DEFAULT_MODEL_PATH = asset_path("models", "pose_landmarker_full.task")
EXPECTED_MEMBERS = {"pose_detector.tflite", "pose_landmarks_detector.tflite"}
_FIX = "Reinstall Medius Coach, or rebuild the model with tools/build_pose_model.sh."


def expected_sha256(model_path: pathlib.Path) -> str | None:
    """The checksum recorded next to the model by the build script, if present."""
    sidecar = model_path.with_name(model_path.name + ".sha256")
    if not sidecar.is_file():
        return None
    return sidecar.read_text().split()[0].strip().lower()


def check_model_file(model_path: pathlib.Path = DEFAULT_MODEL_PATH) -> pathlib.Path:
    """Return the path if it holds a usable pose bundle, else raise ModelFileError with a one-line message."""
    path = pathlib.Path(model_path)
    if not path.is_file():
        raise ModelFileError(f"Pose model not found at {path}. {_FIX}")
    data = path.read_bytes()
    want = expected_sha256(path)
    if want is not None and hashlib.sha256(data).hexdigest() != want:
        raise ModelFileError(f"Pose model {path} is damaged (checksum mismatch, {len(data)} bytes). {_FIX}")
    try:
        with zipfile.ZipFile(path) as bundle:
            members = set(bundle.namelist())
    except zipfile.BadZipFile:
        raise ModelFileError(f"Pose model {path} is not a MediaPipe .task bundle (not a zip archive). {_FIX}") from None
    missing = EXPECTED_MEMBERS - members
    if missing:
        raise ModelFileError(f"Pose model {path} lacks {', '.join(sorted(missing))}; it is not a pose model. {_FIX}")
    return path
