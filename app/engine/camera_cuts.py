"""Telling a cut to a new shot from landmark jitter. Pure numpy; time is an argument.

An edit cut moves or rescales the whole body in the picture from one frame to the next, and the new place
stays. Jitter — a foreshortened leg seen from behind the head, a landmark guessed behind a caption — moves a few
landmarks, or moves them and brings them back. So a cut needs all three:
- the body's centre (median of the trunk and leg landmarks) jumps by more than CUT_JUMP_SIZES body sizes, or the
  body's size (its landmarks' spread, which does not depend on one foreshortened segment) changes by more than
  CUT_SIZE_RATIO;
- most of those landmarks move with it, not one or two;
- the new place holds for CONFIRM_S: the body stays near where it jumped to and away from where it was.
The cut is reported when confirmed, a few frames late, with the time of the jump.

Only skeletons that fit the exercise are compared (the caller says which): MediaPipe stitching the exerciser's
legs to a helper's trunk for a moment, and letting go again, moves the whole skeleton like a cut, but the same
person is back in the same place afterwards. Frames that do not fit bridge the comparison (a cross-fade to a
new shot passes through them); a frame without any skeleton ends it (a dropout is not a cut).
"""

from __future__ import annotations

import math

import numpy as np

from app.engine.landmarks import LM

_BODY = [LM.L_SHOULDER, LM.R_SHOULDER, LM.L_HIP, LM.R_HIP, LM.L_KNEE, LM.R_KNEE, LM.L_ANKLE, LM.R_ANKLE]
CUT_JUMP_SIZES = 0.5
CUT_SIZE_RATIO = 1.5
MOVED_SHARE = 0.75  # share of the visible body landmarks that must have moved by half the jump or more
CONFIRM_S = 0.15
MAX_FRAME_GAP_S = 0.25  # frames further apart than this are not compared (a dropout is not a cut)


def body_centre_and_size(xy: np.ndarray) -> tuple[np.ndarray, float]:
    pts = xy[_BODY]
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) < 4:
        return np.array([math.nan, math.nan]), math.nan
    centre = np.median(pts, axis=0)
    size = float(np.sqrt(np.mean(np.sum((pts - centre) ** 2, axis=1))))
    return centre, size if size > 1e-6 else math.nan


class CutDetector:
    """`step(xy, t_s)` → the time of a confirmed cut, or None."""

    def __init__(self) -> None:
        self._prev: tuple[float, np.ndarray] | None = None  # last frame that fitted (t, landmarks)
        self._t_seen: float | None = None  # last frame with a skeleton, fitting or not
        # (t of the jump, centre and size before it, centre and size after it)
        self._candidate: tuple[float, np.ndarray, float, np.ndarray, float] | None = None
        self.cuts = 0

    def step(self, xy: np.ndarray, t_s: float, fits: bool = True) -> float | None:
        """`fits`: this skeleton fits the exercise's posture (only those are compared)."""
        t_seen, self._t_seen = self._t_seen, t_s
        if not fits:
            return None
        centre, size = body_centre_and_size(xy)
        if not math.isfinite(size):
            return None
        prev, self._prev = self._prev, (t_s, xy)
        if self._candidate is not None:
            return self._confirm(centre, size, t_s)
        if prev is None or t_seen is None or t_s - t_seen > MAX_FRAME_GAP_S:
            return None
        prev_centre, prev_size = body_centre_and_size(prev[1])
        if not math.isfinite(prev_size):
            return None
        jump = float(np.hypot(*(centre - prev_centre))) / prev_size
        ratio = max(size, prev_size) / min(size, prev_size)
        if (jump > CUT_JUMP_SIZES and _moved_together(xy, prev[1], 0.5 * jump * prev_size)) or ratio > CUT_SIZE_RATIO:
            self._candidate = (t_s, prev_centre, prev_size, centre, size)
        return None

    def _confirm(self, centre: np.ndarray, size: float, t_s: float) -> float | None:
        t_jump, old_centre, old_size, new_centre, new_size = self._candidate
        like_before = (np.hypot(*(centre - old_centre)) <= np.hypot(*(centre - new_centre))
                       and abs(math.log(size / old_size)) <= abs(math.log(size / new_size)))
        if like_before:
            self._candidate = None  # it came back: jitter
            return None
        if t_s - t_jump < CONFIRM_S:
            return None
        self._candidate = None
        self.cuts += 1
        return t_jump


def _moved_together(xy: np.ndarray, prev: np.ndarray, min_move_px: float) -> bool:
    d = np.hypot(*(xy[_BODY] - prev[_BODY]).T)
    d = d[np.isfinite(d)]
    return bool(d.size >= 4 and np.mean(d >= min_move_px) >= MOVED_SHARE)
