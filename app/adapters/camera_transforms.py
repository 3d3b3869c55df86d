"""Footage as other cameras would film it: named, deterministic transforms of a frame, applied on the fly.

The labelled clips come from a handful of cameras. To see how the engine copes with a mirrored, rotated,
tipped, smaller, slower or darker camera, `TransformedSource` wraps any FrameSource and changes each frame
before the engine sees it, so `analyze_video` and `FrameAnalyzer` run unchanged and no video is written.

Geometric choices, and why:
- Rotations enlarge the canvas so nothing is cut off (no scaling). The person keeps their pixel size, so a
  rotation tests rotation alone (`half_size` tests scale), and `rot90` is exactly a camera turned to portrait.
- Tilts are the picture seen as a plane from a camera rotated about the picture's horizontal (`tilt_down`) or
  vertical (`tilt_side`) centre line: a keystone, as from a camera tipped further down or swung to one side.
  They keep the frame size (a tilted camera does not change resolution) and shrink slightly to fit, since the
  near edge of the keystone grows beyond the frame.
- Uncovered canvas is a neutral grey, never replicated edges: edge pixels smeared outwards can look like limbs
  (several clips have the body along the bottom edge).

Every transform is deterministic: `dim`'s sensor noise comes from a fixed seed and the frame index.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import cv2
import numpy as np

from app.errors import InputError
from app.adapters.frame_source import Frame, FrameSource

NEUTRAL_BGR = (128, 128, 128)
TILT_DEG = 25.0
# A webcam's horizontal field of view sets how strong a tilt's keystone is (typical webcams: 60-78°).
ASSUMED_HFOV_DEG = 60.0
# A dim room: darker mid-tones (gamma), flatter contrast, lifted blacks, and visible sensor noise.
DIM_GAMMA, DIM_GAIN, DIM_BLACK, DIM_NOISE_SIGMA = 1.5, 0.55, 10.0, 6.0
NOISE_SEED = 20261213
_NOISE_MARGIN = 64  # the noise field is larger than the frame; each frame reads it at its own offset


@dataclass(frozen=True)
class CameraTransform:
    name: str
    summary: str
    image: Callable[[np.ndarray, int], np.ndarray]  # (BGR frame, frame index) -> BGR frame
    frame_stride: int = 1  # 2 = keep every second frame (timestamps unchanged)


def _identity(bgr: np.ndarray, index: int) -> np.ndarray:
    return bgr


def _mirror(bgr: np.ndarray, index: int) -> np.ndarray:
    return cv2.flip(bgr, 1)


@functools.lru_cache(maxsize=32)
def _rotation(width: int, height: int, degrees: float) -> tuple[np.ndarray, tuple[int, int]]:
    """Counter-clockwise rotation about the centre onto a canvas just large enough for the whole frame."""
    rad = math.radians(degrees)
    cos, sin = abs(math.cos(rad)), abs(math.sin(rad))
    new_w, new_h = round(width * cos + height * sin), round(width * sin + height * cos)
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), degrees, 1.0)
    matrix[0, 2] += (new_w - width) / 2
    matrix[1, 2] += (new_h - height) / 2
    return matrix, (new_w, new_h)


def _rotate(degrees: float) -> Callable[[np.ndarray, int], np.ndarray]:
    def rotate(bgr: np.ndarray, index: int) -> np.ndarray:
        if degrees == 90:  # exact: a portrait camera, no resampling
            return cv2.rotate(bgr, cv2.ROTATE_90_COUNTERCLOCKWISE)
        matrix, size = _rotation(bgr.shape[1], bgr.shape[0], degrees)
        return cv2.warpAffine(bgr, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=NEUTRAL_BGR)
    return rotate


def _half_size(bgr: np.ndarray, index: int) -> np.ndarray:
    height, width = bgr.shape[:2]
    small = cv2.resize(bgr, (max(1, width // 2), max(1, height // 2)), interpolation=cv2.INTER_AREA)
    canvas = np.empty_like(bgr)
    canvas[:] = NEUTRAL_BGR
    top, left = (height - small.shape[0]) // 2, (width - small.shape[1]) // 2
    canvas[top:top + small.shape[0], left:left + small.shape[1]] = small
    return canvas


@functools.lru_cache(maxsize=32)
def _tilt_homography(width: int, height: int, axis: str, degrees: float) -> np.ndarray:
    """The frame as a plane at the focal distance, turned about its centre line, projected back, then scaled
    to fit the same-size frame, centred."""
    focal = (width / 2) / math.tan(math.radians(ASSUMED_HFOV_DEG) / 2)
    cx, cy = width / 2, height / 2
    rad = math.radians(degrees)
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float64)
    projected = []
    for x, y in corners - (cx, cy):
        if axis == "x":  # the top edge comes towards the camera: a camera looking down at the scene
            px, py, pz = x, y * math.cos(rad), -y * math.sin(rad)
        else:  # the right edge comes towards the camera: a camera moved round to the right of the scene
            px, py, pz = x * math.cos(rad), y, x * math.sin(rad)
        projected.append((focal * px / (focal - pz), focal * py / (focal - pz)))
    quad = np.array(projected)
    span = quad.max(axis=0) - quad.min(axis=0)
    scale = min(width / span[0], height / span[1], 1.0)
    centre = (quad.max(axis=0) + quad.min(axis=0)) / 2
    target = (quad - centre) * scale + (cx, cy)
    return cv2.getPerspectiveTransform(corners.astype(np.float32), target.astype(np.float32))


def _tilt(axis: str) -> Callable[[np.ndarray, int], np.ndarray]:
    def tilt(bgr: np.ndarray, index: int) -> np.ndarray:
        height, width = bgr.shape[:2]
        return cv2.warpPerspective(bgr, _tilt_homography(width, height, axis, TILT_DEG), (width, height),
                                   flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=NEUTRAL_BGR)
    return tilt


_DIM_LUT = np.clip(DIM_BLACK + DIM_GAIN * 255.0 * (np.arange(256) / 255.0) ** DIM_GAMMA, 0, 255
                   ).round().astype(np.uint8)


@functools.lru_cache(maxsize=4)
def _noise_field(height: int, width: int) -> np.ndarray:
    # One Gaussian field per frame size, drawn once: a fresh draw per 1080p frame costs more than inference.
    rng = np.random.default_rng(NOISE_SEED)
    shape = (height + _NOISE_MARGIN, width + _NOISE_MARGIN, 3)
    return np.clip(np.round(rng.standard_normal(shape, dtype=np.float32) * DIM_NOISE_SIGMA), -127, 127).astype(np.int16)


def _dim(bgr: np.ndarray, index: int) -> np.ndarray:
    height, width = bgr.shape[:2]
    # A different, reproducible window of the field for every frame: the noise moves like a sensor's does.
    dy, dx = np.random.default_rng((NOISE_SEED, index)).integers(0, _NOISE_MARGIN, size=2)
    noise = _noise_field(height, width)[dy:dy + height, dx:dx + width]
    dark = cv2.LUT(bgr, _DIM_LUT)
    return np.clip(dark.astype(np.int16) + noise, 0, 255).astype(np.uint8)


TRANSFORMS: dict[str, CameraTransform] = {t.name: t for t in (
    CameraTransform("none", "the clip as recorded", _identity),
    CameraTransform("mirror", "flipped left-right (a mirrored webcam preview)", _mirror),
    CameraTransform("rot20", "camera rolled 20° (counter-clockwise), canvas enlarged", _rotate(20)),
    CameraTransform("rot45", "camera rolled 45°, canvas enlarged", _rotate(45)),
    CameraTransform("rot90", "camera turned to portrait (90° counter-clockwise)", _rotate(90)),
    CameraTransform("half_fps", "every second frame dropped: a 15 fps webcam or a slow laptop", _identity, 2),
    CameraTransform("half_size", "person at half size: frame shrunk by 2 into a grey canvas", _half_size),
    CameraTransform("tilt_down", f"camera tipped {TILT_DEG:.0f}° further down (keystone)", _tilt("x")),
    CameraTransform("tilt_side", f"camera swung {TILT_DEG:.0f}° to one side (keystone)", _tilt("y")),
    CameraTransform("dim", "dim room: gamma, low contrast, seeded sensor noise", _dim),
)}
ROBUSTNESS_TRANSFORMS = tuple(name for name in TRANSFORMS if name != "none")


def get_transform(name: str) -> CameraTransform:
    """The transform called `name`; InputError (a bad argument) for an unknown name."""
    try:
        return TRANSFORMS[name]
    except KeyError:
        raise InputError(f"Unknown camera transform {name!r}; choose one of {', '.join(TRANSFORMS)}.") from None


class TransformedSource:
    """A FrameSource that applies one camera transform to another source's frames.

    Frames that a stride drops are skipped; the rest keep their timestamps and are renumbered 0, 1, 2, ... so
    that `index` stays "the n-th frame delivered", as for any source (frame_step and progress rely on it)."""

    def __init__(self, source: FrameSource, transform: CameraTransform | str) -> None:
        self.source = source
        self.transform = get_transform(transform) if isinstance(transform, str) else transform
        stride = self.transform.frame_stride
        self.description = f"{source.description}+{self.transform.name}"
        self.fps = source.fps / stride
        self.frame_count = None if source.frame_count is None else math.ceil(source.frame_count / stride)
        self.is_live = source.is_live
        self._delivered = 0

    def read(self) -> Frame | None:
        while (frame := self.source.read()) is not None:
            if frame.index % self.transform.frame_stride == 0:
                out = replace(frame, bgr=self.transform.image(frame.bgr, frame.index), index=self._delivered)
                self._delivered += 1
                return out
        return None

    def close(self) -> None:
        self.source.close()
