"""The only module that reads frames: video files and cameras, behind one interface.

Every frame carries a timestamp in seconds that strictly increases, whatever the file's own timestamps say
(variable frame rate, broken or repeated presentation times). Pure analysis downstream relies on that.
"""

from __future__ import annotations

import math
import pathlib
import time
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from app.errors import InputError, SourceLostError
from app.adapters.native_logs import native_logs_silenced

_FALLBACK_FPS = 30.0
_MIN_STEP_S = 0.001
# FFmpeg opens a single picture as a one-frame "video" of unknown length; analysing it would report "0 reps in
# 0.0 s" as if all were well. These signatures are never at the start of a video container.
_STILL_IMAGE_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG", b"BM": "BMP",
                           b"II*\x00": "TIFF", b"MM\x00*": "TIFF"}


@dataclass(frozen=True)
class Frame:
    bgr: np.ndarray  # H×W×3 uint8, as captured (never mirrored)
    t_s: float  # strictly increasing within one source
    index: int


class FrameSource(Protocol):
    """What the vision pipeline needs from a camera or a file."""

    description: str  # for logs and the session record, e.g. "file:clip.mp4" or "camera:0"
    fps: float  # nominal frames per second
    frame_count: int | None  # known length for files, None for cameras
    is_live: bool  # True for cameras: frames arrive in real time and cannot be re-read

    def read(self) -> Frame | None:
        """The next frame, or None at the end of a file. Raises SourceLostError if a camera stops."""

    def close(self) -> None: ...


def _sane_fps(value: float) -> float:
    return value if math.isfinite(value) and 1.0 <= value <= 1000.0 else _FALLBACK_FPS


def _still_image_kind(path: pathlib.Path) -> str | None:
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise InputError(f"Cannot open {path}: {exc.strerror or exc}.") from None
    return next((kind for sig, kind in _STILL_IMAGE_SIGNATURES.items() if head.startswith(sig)), None)


class VideoFileSource:
    """Frames of a video file that OpenCV can decode. Raises InputError if it cannot be opened or is empty."""

    is_live = False

    def __init__(self, path: str | pathlib.Path) -> None:
        self.path = pathlib.Path(path)
        self.description = f"file:{self.path.name}"
        if not self.path.exists():
            raise InputError(f"Video not found: {self.path}. Check the path and try again.")
        if not self.path.is_file():
            raise InputError(f"{self.path} is not a file. Give the path of a video file.")
        if self.path.stat().st_size == 0:
            raise InputError(f"Video {self.path} is empty (0 bytes). Choose another recording.")
        still = _still_image_kind(self.path)
        if still:
            raise InputError(f"{self.path} is a still picture ({still}), not a video. Choose a video recording.")
        with native_logs_silenced():
            self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            raise InputError(f"Cannot read {self.path} as a video: unknown format or damaged file.")
        self.fps = _sane_fps(self._cap.get(cv2.CAP_PROP_FPS))
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self.frame_count = count if count > 0 else None
        self._index = 0
        self._last_t_s = -math.inf
        first = self.read()
        if first is None:
            self.close()
            raise InputError(f"Video {self.path} has no frames that can be decoded. Choose another recording.")
        self._pending: Frame | None = first

    def read(self) -> Frame | None:
        if getattr(self, "_pending", None) is not None:
            frame, self._pending = self._pending, None
            return frame
        if self._cap is None:
            return None
        ok, bgr = self._cap.read()
        if not ok or bgr is None or bgr.size == 0:
            return None
        t_s = self._timestamp_s()
        frame = Frame(bgr=bgr, t_s=t_s, index=self._index)
        self._index += 1
        return frame

    def _timestamp_s(self) -> float:
        """The container's time if it moves forward, else the nominal frame time; never backwards."""
        nominal = self._index / self.fps
        reported = self._cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
        # Trust the container's time for variable-frame-rate files, but only while it is plausible.
        t_s = reported if math.isfinite(reported) and reported > self._last_t_s and abs(reported - nominal) < 5.0 else nominal
        t_s = max(t_s, self._last_t_s + _MIN_STEP_S)
        self._last_t_s = t_s
        return t_s

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class VideoFrames:
    """Random access to a video file's frames by index, for replay: the next frame is a plain read (playback),
    any other one a seek. FFmpeg seeks to the keyframe before the target and decodes forward, so a seek costs
    up to one keyframe interval of decoding; the decoder's own position is checked after each seek and the
    gap read through, so the picture shown is the frame asked for. Times are not computed here: the replay
    takes them from the analysis of the same file."""

    def __init__(self, path: str | pathlib.Path) -> None:
        source = VideoFileSource(path)  # the same checks and one-line errors as analysis
        self.path, self.fps, self.frame_count = source.path, source.fps, source.frame_count
        self._cap, source._cap = source._cap, None
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
        self._next = 0  # index of the frame the decoder returns on its next read
        first = self._read()
        if first is None:
            self.close()
            raise InputError(f"Video {self.path} has no frames that can be decoded. Choose another recording.")
        self.size = (first.shape[1], first.shape[0])
        self._last: tuple[int, np.ndarray] = (0, first)

    def _read(self) -> np.ndarray | None:
        ok, bgr = self._cap.read() if self._cap is not None else (False, None)
        if not ok or bgr is None or bgr.size == 0:
            return None
        self._next += 1
        return bgr

    def is_near(self, index: int) -> bool:
        """True when `index` is reached by reading on (up to two seconds ahead), without a seek."""
        return index == self._last[0] or 0 <= index - self._next <= 2 * max(1, round(self.fps))

    def frame(self, index: int) -> np.ndarray | None:
        """The picture of frame `index` (BGR), or None past the end of the file."""
        if index == self._last[0]:
            return self._last[1]
        if index < 0 or self._cap is None:
            return None
        if not self.is_near(index):  # far or backwards: seek
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
            self._next = int(self._cap.get(cv2.CAP_PROP_POS_FRAMES))
            if self._next > index:  # the decoder landed after the frame: start again from a safe point
                self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                self._next = 0
        bgr = None
        while self._next <= index:
            bgr = self._read()
            if bgr is None:
                return None
        self._last = (index, bgr)
        return bgr

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class CameraSource:
    """A live camera (OpenCV device index). Thin on purpose: everything above it is tested with video files."""

    is_live = True
    frame_count = None

    def __init__(self, index: int = 0, width: int = 1280, height: int = 720, stall_timeout_s: float = 2.0) -> None:
        self.description = f"camera:{index}"
        with native_logs_silenced():
            self._cap = cv2.VideoCapture(index)
        if not self._cap.isOpened():
            self._cap.release()
            self._cap = None
            raise InputError(
                f"No camera at index {index}. Plug a camera in, close other apps that use it, "
                "or choose another camera in Settings."
            )
        self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self.fps = _sane_fps(self._cap.get(cv2.CAP_PROP_FPS))
        self._stall_timeout_s = stall_timeout_s
        self._t0 = time.monotonic()
        self._last_t_s = -math.inf
        self._index = 0

    def read(self) -> Frame | None:
        deadline = time.monotonic() + self._stall_timeout_s
        while self._cap is not None:
            ok, bgr = self._cap.read()
            if ok and bgr is not None and bgr.size:
                # The capture clock lives here, in the adapter: everything downstream gets time as data.
                t_s = max(time.monotonic() - self._t0, self._last_t_s + _MIN_STEP_S)
                self._last_t_s = t_s
                frame = Frame(bgr=bgr, t_s=t_s, index=self._index)
                self._index += 1
                return frame
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        raise SourceLostError(
            f"The camera ({self.description}) stopped sending pictures. Check its cable, then press Resume."
        )

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def open_source(spec: str | int, *, width: int = 1280, height: int = 720) -> FrameSource:
    """A camera for an integer (or digit string), else a video file path."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        return CameraSource(int(spec), width=width, height=height)
    return VideoFileSource(spec)
