"""The only module that talks to MediaPipe.

`PoseEstimator` wraps the Tasks API PoseLandmarker in VIDEO mode: synchronous, tracking between frames, one
person. Create, use and close it on the same thread (MediaPipe graphs are not meant to hop threads).
"""

from __future__ import annotations

import os
import pathlib

import numpy as np

from app.errors import ModelFileError
from app.landmarks import N_LANDMARKS
from app.model_file import DEFAULT_MODEL_PATH, check_model_file
from app.pose import PoseSample

# MediaPipe's C++ side logs through glog/absl to stderr; keep the terminal readable unless asked otherwise.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


class PoseEstimator:
    def __init__(self, model_path: pathlib.Path = DEFAULT_MODEL_PATH, min_confidence: float = 0.5) -> None:
        self._landmarker = None
        path = check_model_file(model_path)
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp_image_cls, self._mp_format = _image_types()
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=1,
            min_pose_detection_confidence=min_confidence,
            min_pose_presence_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )
        try:
            self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelFileError(f"MediaPipe could not load the pose model {path}: {first_line}") from None
        self._last_t_ms = -1

    def detect(self, rgb: np.ndarray, t_ms: int) -> PoseSample | None:
        """Landmarks of the person in `rgb` (H×W×3 uint8, not mirrored), or None when nobody is found.

        VIDEO mode needs strictly increasing timestamps; a repeated or backwards `t_ms` is nudged forward by 1 ms
        instead of letting MediaPipe raise.
        """
        t_ms = max(int(t_ms), self._last_t_ms + 1)
        self._last_t_ms = t_ms
        image = self._mp_image_cls(image_format=self._mp_format, data=np.ascontiguousarray(rgb))
        result = self._landmarker.detect_for_video(image, t_ms)
        if not result.pose_landmarks:
            return None
        height, width = rgb.shape[:2]
        marks = result.pose_landmarks[0]
        raw = np.array([(m.x, m.y, m.visibility if m.visibility is not None else 0.0) for m in marks], dtype=float)
        world = None
        if result.pose_world_landmarks:
            world = np.array([(m.x, m.y, m.z) for m in result.pose_world_landmarks[0]], dtype=float)
        if raw.shape[0] != N_LANDMARKS:
            return None
        return PoseSample(
            t_s=t_ms / 1000.0,
            xy_px=raw[:, :2] * (width, height),
            visibility=raw[:, 2],
            world_m=world,
            image_size=(width, height),
        )

    def close(self) -> None:
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        # MediaPipe's own finaliser fails noisily at interpreter exit; close while the module is still alive.
        try:
            self.close()
        except Exception:
            pass


def _image_types():
    import mediapipe as mp

    return mp.Image, mp.ImageFormat.SRGB
