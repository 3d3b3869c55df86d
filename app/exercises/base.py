"""What every exercise model provides to the tracker."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from app.landmarks import LM


@dataclass(frozen=True)
class Measurement:
    """One frame's measures for one exercise. Fault measures are raw (the tracker subtracts baselines)."""

    signal_deg: float  # the rep signal (NaN when it cannot be measured in this frame)
    side: str | None  # working leg seen in this frame ("left"/"right"), None if undecidable
    fault_measures: dict[str, float] = field(default_factory=dict)  # Fault code → raw measure
    metrics: dict[str, float] = field(default_factory=dict)  # named angles for display


@dataclass(frozen=True)
class PostureCheck:
    ok: bool
    message: str = ""


class ExerciseModel:
    """Base class: subclasses define the landmarks they need, the posture, and the per-frame measures."""

    required: tuple[int, ...] = ()
    wrong_view_message = ""

    def visible(self, visibility: np.ndarray, mean_min: float, each_min: float) -> bool:
        """Enough of the needed landmarks is seen. MediaPipe still places a landmark it can only half see (a
        foot behind a caption) quite well, so one weak landmark is tolerated while the set as a whole is clear."""
        needed = visibility[list(self.required)]
        return bool(np.mean(needed) >= mean_min and np.all(needed >= each_min))

    def posture(self, xy: np.ndarray, visibility: np.ndarray) -> PostureCheck:
        raise NotImplementedError

    def measure(self, xy: np.ndarray, visibility: np.ndarray, world: np.ndarray | None,
                side_hint: str | None = None) -> Measurement:
        """`side_hint` is the working leg known so far (the user's choice or the tracker's vote); a model
        uses it when this frame alone cannot tell."""
        raise NotImplementedError


def midpoint(xy: np.ndarray, a: int, b: int) -> np.ndarray:
    return (xy[a] + xy[b]) / 2.0


def visible_pair(visibility: np.ndarray, a: int, b: int, threshold: float = 0.5) -> bool:
    return bool(visibility[a] >= threshold and visibility[b] >= threshold)


# Landmark triples (hip, knee, ankle) by leg.
LEG = {"left": (LM.L_HIP, LM.L_KNEE, LM.L_ANKLE), "right": (LM.R_HIP, LM.R_KNEE, LM.R_ANKLE)}
OTHER = {"left": "right", "right": "left"}


def world_depth_angle_deg(world: np.ndarray | None, a: int, b: int) -> float:
    """Angle by which the segment a→b points away from the camera (+) or towards it (−), from world landmarks.

    MediaPipe's world z grows away from the camera. Depth from one camera is rough, so callers compare this
    against the user's own starting value rather than trusting it absolutely.
    """
    if world is None:
        return math.nan
    d = world[b] - world[a]
    length = float(np.linalg.norm(d))
    if not length > 1e-6:
        return math.nan
    return math.degrees(math.asin(max(-1.0, min(1.0, float(d[2]) / length))))
