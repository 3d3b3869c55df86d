import zipfile

import pytest

from app.errors import ModelFileError
from app.adapters.model_file import DEFAULT_MODEL_PATH, check_model_file
from app.adapters.pose_estimator import PoseEstimator


def test_bundled_model_passes_its_checksum():
    assert check_model_file() == DEFAULT_MODEL_PATH


def test_missing_model(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        check_model_file(tmp_path / "nope.task")


def test_not_a_zip(tmp_path):
    path = tmp_path / "m.task"
    path.write_bytes(b"\x00" * 1000)
    with pytest.raises(ModelFileError, match="not a MediaPipe"):
        check_model_file(path)


def test_wrong_bundle(tmp_path):
    path = tmp_path / "m.task"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hand_detector.tflite", b"x")
    with pytest.raises(ModelFileError, match="not a pose model"):
        check_model_file(path)


def test_corrupt_members_that_pass_the_zip_check_still_give_a_clear_error(tmp_path):
    path = tmp_path / "m.task"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("pose_detector.tflite", b"garbage")
        z.writestr("pose_landmarks_detector.tflite", b"garbage")
    with pytest.raises(ModelFileError, match="could not load"):
        PoseEstimator(path)
