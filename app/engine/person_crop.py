"""The part of the picture around the exerciser that pose tracking looks at while other people are in view.

With a therapist kneeling behind a side-lying patient, VIDEO-mode tracking on the whole frame fuses the two into
one skeleton, and searching the whole frame for every person (IMAGE mode) on every frame costs almost three
tracking inferences. Tracking inside a window around the chosen person costs one: the other person is mostly
outside it, and what is left of them (a torso, two hands on the pelvis) no longer looks like a whole body.

The window is the person's landmark bounding box, padded by a share of the body's longer side so that a leg
raised in a rep stays inside. It is kept still while the person stays well inside it (a window that moves
every frame shifts the network's input, and the landmarks would jitter with it); it is placed again only when
the body comes near an edge or has become much smaller than the window. Pure numpy: no OpenCV, no MediaPipe.

The several-people search (IMAGE mode, low detection threshold) sometimes reports one person two or three times
over; `distinct_people` merges such duplicates, so one person in view is never taken for a crowd.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.engine.landmarks import LM

PAD_OF_BODY = 0.25  # padding on each side, as a share of the body box's longer side
KEEP_MARGIN_OF_BODY = 0.08  # the body must stay this far (share of its longer side) inside the window's edges
MAX_AREA_RATIO = 2.5  # a window this many times the area a fresh one would have is placed again
MIN_SIDE_OF_FRAME = 0.2  # no window side shorter than this share of the frame's shorter side
SAME_PERSON_OF_BODY = 0.2  # two skeletons whose hip and shoulder midpoints are both this close are one person


@dataclass(frozen=True)
class Box:
    """Pixel bounds [x0, x1) × [y0, y1) inside a frame; integers, never empty."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def area(self) -> int:
        return self.width * self.height

    def crop(self, image: np.ndarray) -> np.ndarray:
        """The window's part of `image` (a view, not a copy)."""
        return image[self.y0:self.y1, self.x0:self.x1]

    def to_frame(self, xy_px: np.ndarray) -> np.ndarray:
        """Pixel coordinates inside the crop → pixel coordinates of the whole frame."""
        return np.asarray(xy_px, dtype=float) + (self.x0, self.y0)


def body_bounds(xy_px: np.ndarray, frame_size: tuple[int, int]) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) of the finite landmarks, clipped to the frame; None when fewer than two are finite or
    nothing of the body lies in the frame."""
    width, height = frame_size
    xy = np.asarray(xy_px, dtype=float)
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) < 2:
        return None
    x0, y0 = np.clip(xy.min(axis=0), 0.0, (width, height))
    x1, y1 = np.clip(xy.max(axis=0), 0.0, (width, height))
    if x1 - x0 < 1.0 and y1 - y0 < 1.0:
        return None
    return float(x0), float(y0), float(x1), float(y1)


def window_around(bounds: tuple[float, float, float, float], frame_size: tuple[int, int]) -> Box:
    """The padded window for a body with these bounds, inside the frame."""
    width, height = frame_size
    x0, y0, x1, y1 = bounds
    pad = PAD_OF_BODY * max(x1 - x0, y1 - y0)
    min_side = MIN_SIDE_OF_FRAME * min(width, height)
    left, right = _span(x0 - pad, x1 + pad, min_side, width)
    top, bottom = _span(y0 - pad, y1 + pad, min_side, height)
    return Box(left, top, right, bottom)


def _span(lo: float, hi: float, min_len: float, limit: int) -> tuple[int, int]:
    if hi - lo < min_len:
        mid = (lo + hi) / 2.0
        lo, hi = mid - min_len / 2.0, mid + min_len / 2.0
    lo_i = int(math.floor(max(0.0, lo)))
    hi_i = int(math.ceil(min(float(limit), hi)))
    if hi_i <= lo_i:  # a degenerate frame: keep at least one pixel
        lo_i, hi_i = max(0, min(lo_i, limit - 1)), max(1, min(lo_i, limit - 1) + 1)
    return lo_i, hi_i


def fits(box: Box, bounds: tuple[float, float, float, float], frame_size: tuple[int, int]) -> bool:
    """Whether the window may stay as it is for a body with these bounds: the body is well inside (an edge of
    the window that is the frame's own edge needs no margin) and the window is not much too big for it."""
    width, height = frame_size
    x0, y0, x1, y1 = bounds
    margin = KEEP_MARGIN_OF_BODY * max(x1 - x0, y1 - y0)
    inside = ((box.x0 == 0 or x0 >= box.x0 + margin) and (box.x1 == width or x1 <= box.x1 - margin)
              and (box.y0 == 0 or y0 >= box.y0 + margin) and (box.y1 == height or y1 <= box.y1 - margin))
    return inside and box.area <= MAX_AREA_RATIO * window_around(bounds, frame_size).area


class CropWindow:
    """The current window around one person. `follow` moves it only when the body no longer fits."""

    def __init__(self) -> None:
        self.box: Box | None = None
        self.moves = 0  # times the window was placed (the first placement included)

    def clear(self) -> None:
        self.box = None

    def follow(self, xy_px: np.ndarray, frame_size: tuple[int, int]) -> bool:
        """Keep or place the window for a body with these full-frame landmarks; True if it was (re)placed."""
        bounds = body_bounds(xy_px, frame_size)
        if bounds is None:
            return False
        if self.box is not None and fits(self.box, bounds, frame_size):
            return False
        self.box = window_around(bounds, frame_size)
        self.moves += 1
        return True


def same_person(a_xy: np.ndarray, b_xy: np.ndarray) -> bool:
    """Whether two skeletons (full-frame pixels) are the same person: the midpoints of their hips and of their
    shoulders both lie within SAME_PERSON_OF_BODY of the larger body's size. Midpoints do not care whether
    left and right were swapped. False when either skeleton lacks them."""
    a, b = np.asarray(a_xy, dtype=float), np.asarray(b_xy, dtype=float)
    scale = max(_extent(a), _extent(b))
    if not scale:
        return False
    gaps = [np.hypot(*(_midpoint(a, i, j) - _midpoint(b, i, j)))
            for i, j in ((LM.L_HIP, LM.R_HIP), (LM.L_SHOULDER, LM.R_SHOULDER))]
    return bool(np.all(np.isfinite(gaps)) and max(gaps) <= SAME_PERSON_OF_BODY * scale)


def distinct_people(skeletons: list[np.ndarray]) -> list[int]:
    """Indices of the skeletons that are not duplicates of an earlier one in the list."""
    kept: list[int] = []
    for i, xy in enumerate(skeletons):
        if not any(same_person(xy, skeletons[k]) for k in kept):
            kept.append(i)
    return kept


def _midpoint(xy: np.ndarray, i: int, j: int) -> np.ndarray:
    return (xy[i] + xy[j]) / 2.0


def _extent(xy: np.ndarray) -> float:
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) < 2:
        return 0.0
    return float(np.max(xy.max(axis=0) - xy.min(axis=0)))
