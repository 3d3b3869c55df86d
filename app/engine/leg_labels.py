"""Keeping MediaPipe's left/right leg labels continuous from frame to frame. Pure numpy.

Seen at an angle, a lying person's two knees (and with them the shanks and feet) sometimes trade labels for a
few frames: the "left knee" jumps onto the right leg and back. A measure built on "the top knee" by label then
jumps by ~170°. Physically a knee cannot move a leg's width between two frames, so each frame is compared with
the previous (already corrected) one under four labellings — as given, the knees swapped, the knees-and-below
swapped, the whole legs swapped (hips too) — and the one that moves the body least is kept, provided it is
clearly better.
"""

from __future__ import annotations

import numpy as np

from app.engine.landmarks import LM

_KNEES = ((LM.L_KNEE, LM.R_KNEE),)
_DISTAL = _KNEES + ((LM.L_ANKLE, LM.R_ANKLE), (LM.L_HEEL, LM.R_HEEL), (LM.L_FOOT, LM.R_FOOT))
_HIPS = ((LM.L_HIP, LM.R_HIP),)
MAX_GAP_S = 0.3  # after a longer gap the previous frame says nothing about this one
CLEARLY_BETTER = 0.5  # a relabelling must halve the movement to be taken
MIN_SAVING_LEGS = 0.2  # and save at least this much movement, in leg lengths summed over the leg landmarks


def _swap(a: np.ndarray | None, pairs) -> np.ndarray | None:
    if a is None:
        return None
    out = np.array(a, copy=True)
    for left, right in pairs:
        out[[left, right]] = out[[right, left]]
    return out


class LegLabelKeeper:
    """`fix(xy, visibility, world, t_s)` returns the three arrays relabelled to follow the previous frame."""

    def __init__(self) -> None:
        self._prev: np.ndarray | None = None
        self._t_prev_s: float | None = None
        self.swaps = 0  # frames relabelled, for diagnostics

    def reset(self) -> None:
        self._prev = None
        self._t_prev_s = None

    def fix(self, xy: np.ndarray, visibility: np.ndarray, world: np.ndarray | None, t_s: float):
        prev, t_prev = self._prev, self._t_prev_s
        choice = ()
        if prev is not None and t_prev is not None and t_s - t_prev <= MAX_GAP_S:
            choice = self._best_labelling(xy, prev)
        if choice:
            self.swaps += 1
            xy, visibility, world = (_swap(xy, choice), _swap(visibility, choice), _swap(world, choice))
        if np.isfinite(xy[[LM.L_HIP, LM.R_HIP, LM.L_KNEE, LM.R_KNEE]]).all():
            self._prev, self._t_prev_s = xy, t_s
        return xy, visibility, world

    @staticmethod
    def _best_labelling(xy: np.ndarray, prev: np.ndarray) -> tuple:
        legs = _leg_length(prev)
        if not legs > 0:
            return ()
        options = {(): xy, _KNEES: _swap(xy, _KNEES), _DISTAL: _swap(xy, _DISTAL),
                   _DISTAL + _HIPS: _swap(xy, _DISTAL + _HIPS)}
        cost = {k: _movement(v, prev) for k, v in options.items()}
        given = cost[()]
        best = min(cost, key=cost.get)
        if best and given - cost[best] > MIN_SAVING_LEGS * legs and cost[best] < CLEARLY_BETTER * given:
            return best
        return ()


def _movement(xy: np.ndarray, prev: np.ndarray) -> float:
    idx = [i for pair in _DISTAL + _HIPS for i in pair]
    d = np.hypot(*(xy[idx] - prev[idx]).T)
    return float(np.sum(d[np.isfinite(d)]))


def _leg_length(xy: np.ndarray) -> float:
    lengths = [np.hypot(*(xy[knee] - xy[hip])) + np.hypot(*(xy[ankle] - xy[knee]))
               for hip, knee, ankle in ((LM.L_HIP, LM.L_KNEE, LM.L_ANKLE), (LM.R_HIP, LM.R_KNEE, LM.R_ANKLE))]
    lengths = [v for v in lengths if np.isfinite(v)]
    return float(np.mean(lengths)) if lengths else 0.0
