"""What one frame tells the single-leg stance test: hip line, trunk and feet, measured against the standing
baseline's own axes so that neither a camera roll nor which way the person faces changes the numbers.

The baseline fixes two picture directions while the person stands on both feet: `lateral` (the hip line, from
the right hip to the left) and `down` (from the hips towards the feet, made square to the hip line). A frame's
pelvic obliquity is the angle by which the line from the stance hip to the free hip has turned from the
baseline's, positive when the free hip went down; the trunk lean is the turn of the hips-to-shoulders line,
positive towards the stance leg. Both are exactly zero for the baseline posture, whatever the camera's roll,
and they keep their sign whether the camera films the front or the back (the hip line's direction comes from
the person, not from the picture).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.engine.exercises.base import midpoint, world_depth_angle_deg
from app.engine.landmarks import LM
from app.engine.pose import PoseSample

VISIBLE = 0.5  # MediaPipe visibility from which a landmark is used
OTHER_LEG = {"left": "right", "right": "left"}
HIP = {"left": LM.L_HIP, "right": LM.R_HIP}
ANKLE = {"left": LM.L_ANKLE, "right": LM.R_ANKLE}
# Adults standing: hips-to-shoulders is about 0.6-0.75 of hips-to-ankles in the picture (0.56-0.98 on the dev
# clips, a deep single-leg squat included); far less means the shoulders are not really in view.
MIN_TRUNK_LEG = 0.4
MIN_TRUNK_SHARE = 0.6  # of the standing trunk length, in a frame


@dataclass(frozen=True)
class StanceFrame:
    """The raw measures of one frame (pixels of the analysed picture; NaN where not seen)."""

    t_s: float
    hips_seen: bool
    shoulders_seen: bool
    ankles_seen: bool
    l_hip: np.ndarray
    r_hip: np.ndarray
    mid_shoulder: np.ndarray
    ankles: dict[str, np.ndarray]
    hip_depth_deg: float  # the hip line turned away from the camera (world landmarks), 0 = square-on
    world_hip_width_m: float


def stance_frame(sample: PoseSample) -> StanceFrame:
    xy, vis = sample.xy_px, sample.visibility
    inside = _inside_picture(xy, sample.image_size)

    def seen(*points: int) -> bool:
        return all(vis[p] >= VISIBLE and inside[p] for p in points)

    world = sample.world_m
    width = math.nan
    if world is not None and np.all(np.isfinite(world[[LM.L_HIP, LM.R_HIP]])):
        width = float(np.linalg.norm(world[LM.L_HIP] - world[LM.R_HIP]))
    return StanceFrame(
        t_s=sample.t_s,
        hips_seen=seen(LM.L_HIP, LM.R_HIP),
        shoulders_seen=seen(LM.L_SHOULDER, LM.R_SHOULDER),
        ankles_seen=seen(LM.L_ANKLE, LM.R_ANKLE),
        l_hip=xy[LM.L_HIP].astype(float), r_hip=xy[LM.R_HIP].astype(float),
        mid_shoulder=midpoint(xy, LM.L_SHOULDER, LM.R_SHOULDER).astype(float),
        ankles={"left": xy[LM.L_ANKLE].astype(float), "right": xy[LM.R_ANKLE].astype(float)},
        hip_depth_deg=world_depth_angle_deg(world, LM.R_HIP, LM.L_HIP),
        world_hip_width_m=width,
    )


def _inside_picture(xy: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """MediaPipe places landmarks it guesses beyond the frame's edge (shoulders of a person framed from the
    waist down) with a visibility that can still be high: outside the picture is not seen."""
    w, h = size
    margin = 0.01 * max(w, h)
    return (xy[:, 0] >= -margin) & (xy[:, 0] <= w + margin) & (xy[:, 1] >= -margin) & (xy[:, 1] <= h + margin)


@dataclass(frozen=True)
class StanceAxes:
    """The standing baseline's picture directions and sizes."""

    lateral: np.ndarray  # unit vector, right hip → left hip
    down: np.ndarray  # unit vector square to `lateral`, towards the feet
    leg_px: float  # hips to ankles while standing, the unit of foot movement
    hip_width_px: float
    trunk_deg: float  # hips → shoulders angle from "up" towards the left hip (NaN: shoulders not seen)
    trunk_px: float = math.nan  # hips to shoulders while standing

    def stance_to_free(self, stance: str) -> np.ndarray:
        return self.lateral if stance == "right" else -self.lateral

    def obliquity_deg(self, f: StanceFrame, stance: str) -> float:
        """Free hip below (+) or above (−) where the baseline's hip line would put it."""
        hips = {"left": f.l_hip, "right": f.r_hip}
        d = hips[OTHER_LEG[stance]] - hips[stance]
        b = self.stance_to_free(stance)
        return math.degrees(math.atan2(float(d @ self.down), float(d @ b)))

    def trunk_angle_deg(self, f: StanceFrame) -> float:
        """Hips → shoulders from the baseline's "up", positive towards the person's left hip."""
        t = f.mid_shoulder - (f.l_hip + f.r_hip) / 2.0
        return math.degrees(math.atan2(float(t @ self.lateral), float(t @ -self.down)))

    def lean_towards_stance_deg(self, f: StanceFrame, stance: str) -> float:
        if not (f.shoulders_seen and math.isfinite(self.trunk_deg)):
            return math.nan
        # Shoulders MediaPipe guesses from a picture that ends at the waist land just above the hips, inside
        # the frame and "visible": a trunk much shorter than it stood is not a trunk.
        trunk = float(np.linalg.norm(f.mid_shoulder - (f.l_hip + f.r_hip) / 2.0))
        if not trunk >= MIN_TRUNK_SHARE * self.trunk_px:
            return math.nan
        lean = self.trunk_angle_deg(f) - self.trunk_deg
        return lean if stance == "left" else -lean

    def lateral_px(self, point: np.ndarray) -> float:
        return float(point @ self.lateral)

    def foot_offset(self, f: StanceFrame, anchor: dict[str, np.ndarray], side: str) -> float:
        """How far a foot is from where it stood, in leg lengths."""
        return float(np.linalg.norm(f.ankles[side] - anchor[side])) / self.leg_px

    def ankle_height(self, f: StanceFrame, side: str) -> float:
        """Ankle height above the picture's floor line, in leg lengths (up is positive)."""
        return -float(f.ankles[side] @ self.down) / self.leg_px


def axes_from(frames: list[StanceFrame]) -> StanceAxes:
    """The baseline axes from frames of two-leg standing (medians, so a stray frame does not tilt them)."""
    hip_vec = np.median([f.l_hip - f.r_hip for f in frames], axis=0)
    lateral = hip_vec / np.linalg.norm(hip_vec)
    feet = np.median([(f.ankles["left"] + f.ankles["right"]) / 2.0 - (f.l_hip + f.r_hip) / 2.0 for f in frames],
                     axis=0)
    down = feet - (feet @ lateral) * lateral
    down = down / np.linalg.norm(down)
    leg = float(np.linalg.norm(feet))
    provisional = StanceAxes(lateral, down, leg, float(np.linalg.norm(hip_vec)), math.nan)
    with_trunk = [f for f in frames if f.shoulders_seen]
    trunk, trunk_px = math.nan, math.nan
    if len(with_trunk) * 2 >= len(frames):
        trunk_px = float(np.median([np.linalg.norm(f.mid_shoulder - (f.l_hip + f.r_hip) / 2.0) for f in with_trunk]))
        if trunk_px >= MIN_TRUNK_LEG * leg:  # else the shoulders are guesses (see lean_towards_stance_deg)
            trunk = float(np.median([provisional.trunk_angle_deg(f) for f in with_trunk]))
    return StanceAxes(lateral, down, leg, provisional.hip_width_px, trunk, trunk_px)
