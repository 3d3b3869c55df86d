"""One hand held above the head for about 2 s: pause or resume a session from across a noisy room. Pure.

Fed the landmarks the engine already has (the tracker snapshot's smoothed pixels and visibility) with the time.
A hand counts as raised when, in the picture, the wrist is well above the nose and both wrist and elbow are well
above the higher shoulder (lying on the side, the upper shoulder is the body's highest point and a top arm resting
on the flank reaches above the nose), all in torso lengths (shoulders to hips), so the test is the same near and
far from the camera:

- none of the three exercises brings a hand near that height: lying, the hands rest on the floor, the hip or
  under the head (a head propped on a hand puts the wrist at the head but the elbow on the floor); on the step
  the arms hang or reach out sideways for balance, at shoulder height;
- the arm must stay up for HOLD_S (brief reaches are not commands), and after a trigger it must come down
  before it can trigger again, so one raised hand is one command.

"Above" is the picture's up: it assumes an upright camera, as the instruction cards ask for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

HOLD_S = 2.0
GAP_S = 0.35  # a few frames where the arm is not seen do not restart the hold
RELEASE_S = 0.5  # the hand must be down this long before the next command
WRIST_ABOVE_NOSE = 0.5  # torso lengths
WRIST_ABOVE_SHOULDERS = 0.8  # torso lengths above the higher shoulder: the arm is up, not resting on the flank
ELBOW_ABOVE_SHOULDER = 0.3  # torso lengths above the higher shoulder
VISIBLE = 0.5

NOSE = 0
ARMS = ((11, 13, 15), (12, 14, 16))  # (shoulder, elbow, wrist): left, right
HIPS = (23, 24)
SHOULDERS = (11, 12)


def hand_raised(xy: np.ndarray | None, visibility: np.ndarray | None) -> bool:
    """Is one hand held high above the head in this frame (image y grows downwards)?"""
    if xy is None or visibility is None:
        return False
    xy, vis = np.asarray(xy, dtype=float), np.asarray(visibility, dtype=float)
    if vis[NOSE] < VISIBLE or min(vis[i] for i in (*SHOULDERS, *HIPS)) < VISIBLE:
        return False
    torso = float(np.hypot(*(xy[list(SHOULDERS)].mean(axis=0) - xy[list(HIPS)].mean(axis=0))))
    if not math.isfinite(torso) or torso <= 1e-6:
        return False
    top_shoulder_y = float(min(xy[i, 1] for i in SHOULDERS))  # lying, the upper shoulder is far above the other
    for _, elbow, wrist in ARMS:
        if min(vis[elbow], vis[wrist]) < VISIBLE:
            continue
        above_nose = (xy[NOSE, 1] - xy[wrist, 1]) / torso
        above_shoulders = (top_shoulder_y - xy[wrist, 1]) / torso
        elbow_high = (top_shoulder_y - xy[elbow, 1]) / torso
        if above_nose >= WRIST_ABOVE_NOSE and above_shoulders >= WRIST_ABOVE_SHOULDERS \
                and elbow_high >= ELBOW_ABOVE_SHOULDER:
            return True
    return False


@dataclass
class HandRaiseDetector:
    hold_s: float = HOLD_S
    _since_s: float | None = None  # the hand has been up since
    _last_up_s: float = -math.inf
    _fired: bool = False  # this raise already gave its command
    _down_since_s: float | None = None

    def update(self, t_s: float, xy: np.ndarray | None, visibility: np.ndarray | None) -> bool:
        """True exactly once per raise, when the hand has been up for `hold_s`."""
        if hand_raised(xy, visibility):
            self._down_since_s = None
            if self._since_s is None or t_s - self._last_up_s > GAP_S:
                self._since_s = t_s
            self._last_up_s = t_s
            if not self._fired and t_s - self._since_s >= self.hold_s:
                self._fired = True
                return True
            return False
        if self._down_since_s is None:
            self._down_since_s = t_s
        if t_s - self._down_since_s >= RELEASE_S:
            self._fired = False
        if t_s - self._last_up_s > GAP_S:
            self._since_s = None
        return False

    @property
    def progress(self) -> float:
        """0..1 of the hold so far (for a visible "keep holding" hint)."""
        return 0.0 if self._since_s is None or self._fired else min(1.0, (self._last_up_s - self._since_s) / self.hold_s)
