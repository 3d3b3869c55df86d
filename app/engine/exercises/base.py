"""What every exercise model provides to the tracker."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from app.engine.landmarks import LM


@dataclass(frozen=True)
class Measurement:
    """One frame's measures for one exercise. Fault measures are raw (the tracker subtracts baselines)."""

    signal_deg: float  # the rep signal (NaN when it cannot be measured in this frame)
    side: str | None  # working leg seen in this frame ("left"/"right"), None if undecidable
    fault_measures: dict[str, float] = field(default_factory=dict)  # Fault code → raw measure
    metrics: dict[str, float] = field(default_factory=dict)  # named angles for display
    # Rep signals by key, each with its own resting value in the tracker, which counts the largest rise:
    # one per leg where the working leg cannot be told from one frame ("left@trunk": a lying body upright in a
    # rotated picture), or one per source where the picture can lose the movement ("picture", "world").
    signal_by_side: dict[str, float] | None = None
    # Faults that cannot be judged in this frame, with a short reason ("hips overlap from this camera angle").
    unjudged: dict[str, str] = field(default_factory=dict)
    picture_weight: float = 1.0  # share of the rep signal taken from the picture (the rest from world landmarks)
    angle_deg: float = math.nan  # the anatomical angle a therapist reads (reported as a rep's peak)
    fault_side: str | None = None  # the leg the fault measures were taken from (top leg, stance leg)
    # Direction in the picture of a segment that stays still in this exercise (the trunk of a lying body):
    # if it turns during a rep, the camera moved, and faults judged against the resting posture are not judged.
    view_anchor: np.ndarray | None = None


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


def angle3_deg(u: np.ndarray, v: np.ndarray) -> float:
    """Unsigned angle between two 3-D vectors, 0..180; NaN if either is (near) zero or not finite."""
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if not (nu > 1e-6 and nv > 1e-6) or not (math.isfinite(nu) and math.isfinite(nv)):
        return math.nan
    return math.degrees(math.acos(max(-1.0, min(1.0, float(np.dot(u, v)) / (nu * nv)))))


def world_angle_deg(world: np.ndarray | None, u: tuple[int, int], v: tuple[int, int]) -> float:
    """3-D angle between the segments u[0]→u[1] and v[0]→v[1] of MediaPipe's world landmarks (metres)."""
    if world is None:
        return math.nan
    return angle3_deg(world[u[1]] - world[u[0]], world[v[1]] - world[v[0]])


def picture_weight(facing: float, full_at: float = 0.9, none_at: float = 0.6) -> float:
    """How much to trust a picture-plane angle, from how squarely its plane faces the camera (|cos| of the
    plane normal against the optical axis, from world landmarks): a plane seen face-on keeps its angles in the
    picture; one seen edge-on squashes them, and then the world landmarks' 3-D angle is the better estimate.
    Linear in between, so the blend never jumps."""
    if not math.isfinite(facing):
        return 1.0
    return float(min(1.0, max(0.0, (facing - none_at) / (full_at - none_at))))


def blend(picture: float, world: float, weight: float) -> float:
    if not math.isfinite(world):
        return picture
    if not math.isfinite(picture):
        return world
    return weight * picture + (1.0 - weight) * world


def plane_facing(u: np.ndarray | None, v: np.ndarray | None) -> float:
    """|cos| between the normal of the plane spanned by u and v (world vectors) and the camera axis."""
    if u is None or v is None:
        return math.nan
    n = np.cross(u, v)
    norm = float(np.linalg.norm(n))
    return abs(float(n[2])) / norm if norm > 1e-9 and math.isfinite(norm) else math.nan


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
