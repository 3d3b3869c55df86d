"""The only module that talks to MediaPipe.

`PoseEstimator` wraps the Tasks API PoseLandmarker in VIDEO mode: synchronous, tracking between frames, one
person. Create, use and close it on the same thread (MediaPipe graphs are not meant to hop threads).

The same VIDEO-mode landmarker follows either the whole frame (`detect`) or a window of it around one person
(`detect_in_crop`, while other people are in view; app.engine.person_crop places the window). A second landmarker would
cost about 80 MB and 0.2-0.3 s to build, for something only one of the two does at any time. Its tracking carries
the person's position from frame to frame in the coordinates of the picture it was given, so whoever switches
between the two (or moves the window elsewhere) calls `forget_person` first.

A dark frame (a dim room) in which nobody is found is looked at once more, brightened by app.adapters.exposure.
Only then: brightening every dark frame also changed the landmarks where the person was already found, and on a
clip rendered dark the top hip moved enough to warn "don't roll back" on two clean reps.
"""

from __future__ import annotations

import contextlib
import os
import pathlib

import numpy as np

from app.errors import ModelFileError
from app.engine.landmarks import N_LANDMARKS
from app.adapters import exposure
from app.adapters.model_file import DEFAULT_MODEL_PATH, check_model_file
from app.adapters.native_logs import native_logs_silenced
from app.engine.person_crop import Box
from app.engine.pose import PoseSample

# MediaPipe's C++ side logs through glog/absl to stderr; keep the terminal readable unless asked otherwise.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


# Searching a whole frame for several people (IMAGE mode) finds a second, partly hidden person only with a low
# detection threshold; VIDEO mode tracks one region and fuses two overlapping people into one skeleton.
PEOPLE_SEARCH_MAX = 3
PEOPLE_SEARCH_CONFIDENCE = 0.2
MAX_INFERENCE_SIDE_PX = 1920  # larger frames are shrunk before inference


class PoseEstimator:
    """`detect` follows one person from frame to frame (VIDEO mode, cheap). `detect_people` searches the whole
    frame for up to three people (IMAGE mode, about twice the cost), for scenes with a helper in view.
    `detect_in_crop` follows one person inside a window of the frame (the same tracker, the cost of `detect`);
    `forget_person` makes the tracker look for a person afresh."""

    def __init__(self, model_path: pathlib.Path = DEFAULT_MODEL_PATH, min_confidence: float = 0.5) -> None:
        self._landmarker = None
        self._people_finder = None
        self._path = check_model_file(model_path)
        self._mp_image_cls, self._mp_format = _image_types()
        self._landmarker = self._create("VIDEO", 1, min_confidence)
        self._last_t_ms = -1

    def _create(self, mode: str, num_poses: int, confidence: float):
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self._path)),
            running_mode=getattr(vision.RunningMode, mode),
            num_poses=num_poses,
            min_pose_detection_confidence=confidence,
            min_pose_presence_confidence=confidence,
            min_tracking_confidence=confidence,
        )
        try:
            with native_logs_silenced():
                return vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelFileError(f"MediaPipe could not load the pose model {self._path}: {first_line}") from None

    def detect(self, rgb: np.ndarray, t_ms: int) -> PoseSample | None:
        """Landmarks of the person in `rgb` (H×W×3 uint8, not mirrored), or None when nobody is found.

        VIDEO mode needs strictly increasing timestamps; a repeated or backwards `t_ms` is nudged forward by 1 ms
        instead of letting MediaPipe raise.
        """
        people = _samples(self._track(rgb, t_ms), self._last_t_ms / 1000.0, rgb.shape)
        if not people and (table := exposure.stretch_table(rgb)) is not None:
            people = _samples(self._track(exposure.apply(rgb, table), t_ms), self._last_t_ms / 1000.0, rgb.shape)
        return people[0] if people else None

    def detect_in_crop(self, rgb: np.ndarray, box: Box, t_ms: int) -> PoseSample | None:
        """The person tracked inside `box` (pixel bounds within `rgb`), or None. Landmarks are in pixels of the
        whole frame and `image_size` is the whole frame's, as from `detect`; world landmarks (metres around the
        hips) do not depend on the crop.

        The tracking carries over from the previous call: keep the box still between frames where possible, and
        call `forget_person` before the first window, after moving it elsewhere and before going back to
        `detect`."""
        crop = box.crop(rgb)
        if crop.shape[0] < 1 or crop.shape[1] < 1:
            return None
        people = _samples(self._track(crop, t_ms), self._last_t_ms / 1000.0, crop.shape)
        if not people and (table := exposure.stretch_table(rgb)) is not None:  # decided on the whole frame
            people = _samples(self._track(exposure.apply(crop, table), t_ms), self._last_t_ms / 1000.0, crop.shape)
        if not people:
            return None
        height, width = rgb.shape[:2]
        p = people[0]
        return PoseSample(t_s=p.t_s, xy_px=box.to_frame(p.xy_px), visibility=p.visibility, world_m=p.world_m,
                          image_size=(width, height))

    def forget_person(self, t_ms: int) -> None:
        """End the tracking, so the next `detect` or `detect_in_crop` looks for a person afresh instead of
        following the last one's position (which belongs to another picture's coordinates). Shows the tracker a
        small blank picture, where it finds nobody: a few milliseconds, far cheaper than a new landmarker.
        Uses up one timestamp (`t_ms`, nudged like `detect`'s)."""
        if self._last_t_ms >= 0:
            self._track(np.zeros((32, 32, 3), np.uint8), t_ms)

    def _track(self, rgb: np.ndarray, t_ms: int):
        first_frame = self._last_t_ms < 0
        t_ms = max(int(t_ms), self._last_t_ms + 1)
        self._last_t_ms = t_ms
        if first_frame:
            with native_logs_silenced():  # the first frame prints the rest of the start-up notices
                return self._landmarker.detect_for_video(self._image(rgb), t_ms)
        return self._landmarker.detect_for_video(self._image(rgb), t_ms)

    def detect_people(self, rgb: np.ndarray, t_ms: int) -> list[PoseSample]:
        """Every person found in this frame on its own (no tracking), up to PEOPLE_SEARCH_MAX."""
        first_search = self._people_finder is None
        if first_search:
            self._people_finder = self._create("IMAGE", PEOPLE_SEARCH_MAX, PEOPLE_SEARCH_CONFIDENCE)
        with native_logs_silenced() if first_search else contextlib.nullcontext():
            people = _samples(self._people_finder.detect(self._image(rgb)), t_ms / 1000.0, rgb.shape)
            if not people and (table := exposure.stretch_table(rgb)) is not None:
                people = _samples(self._people_finder.detect(self._image(exposure.apply(rgb, table))),
                                  t_ms / 1000.0, rgb.shape)
        return people

    def _image(self, rgb: np.ndarray):
        # The networks look at 224-256 px crops; an 8K frame only costs memory and conversion time. Landmarks
        # are normalised, so they still map onto the full-size frame (see _samples).
        height, width = rgb.shape[:2]
        if max(width, height) > MAX_INFERENCE_SIDE_PX:
            import cv2

            scale = MAX_INFERENCE_SIDE_PX / max(width, height)
            rgb = cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))),
                             interpolation=cv2.INTER_AREA)
        return self._mp_image_cls(image_format=self._mp_format, data=contiguous_rgb(rgb))

    def close(self) -> None:
        for name in ("_landmarker", "_people_finder"):
            landmarker = getattr(self, name, None)
            if landmarker is not None:
                landmarker.close()
                setattr(self, name, None)

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


def contiguous_rgb(rgb: np.ndarray) -> np.ndarray:
    """The pixels as one C-contiguous array, as MediaPipe needs them. Callers pass a decoded BGR frame's
    channel-reversed view; copying that view element by element takes 30× as long as OpenCV's own conversion of
    the BGR frame it views (3.4 against 0.1 ms a 720p frame; 20 against 5 ms on a loaded 2-core machine)."""
    if rgb.ndim == 3 and rgb.shape[2] == 3 and rgb.strides[2] < 0:
        import cv2

        return cv2.cvtColor(rgb[:, :, ::-1], cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(rgb)


def _samples(result, t_s: float, shape: tuple[int, ...]) -> list[PoseSample]:
    height, width = shape[:2]
    worlds = result.pose_world_landmarks or []
    people = []
    for i, marks in enumerate(result.pose_landmarks or []):
        raw = np.array([(m.x, m.y, m.visibility if m.visibility is not None else 0.0) for m in marks], dtype=float)
        if raw.shape[0] != N_LANDMARKS:
            continue
        world = np.array([(m.x, m.y, m.z) for m in worlds[i]], dtype=float) if i < len(worlds) else None
        people.append(PoseSample(t_s=t_s, xy_px=raw[:, :2] * (width, height), visibility=raw[:, 2],
                                 world_m=world, image_size=(width, height)))
    return people


def _image_types():
    # The first import loads MediaPipe's native library (tasks/c/libmediapipe.so). A damaged or incomplete
    # install (a bundle missing it, a wheel for another CPU) fails here: one line, like a broken model.
    try:
        import mediapipe as mp
    except (ImportError, OSError) as exc:
        raise ModelFileError(f"MediaPipe could not be loaded ({type(exc).__name__}: {exc}). "
                             "Reinstall Medius Coach.") from None
    return mp.Image, mp.ImageFormat.SRGB
