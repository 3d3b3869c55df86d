"""Clamshell: side-lying, hips and knees bent, feet together; the top knee opens and closes.

Counting uses the gap between the knees, as the chord angle of two thigh-length legs: the hips sit one above the
other, so a small opening barely turns the thighs in the picture while the knee gap grows plainly (about three
times the swing on the labelled clips; a patient with a small range needs it). That holds while the knees open
across the picture. When the line between the knees points at the camera (a camera raised above the body, or a
hand-held phone drifting there), the picture loses the opening and the 3-D angle between the thighs from
MediaPipe's world landmarks counts instead, as its own signal with its own resting value (key "world").

The angle reported to a physiotherapist is the angle between the thighs — the 3-D one blended with the picture's
by the same reliability. (The chord is a counting signal, not an angle: it gave "openings" of 96-110°.)
"""

from __future__ import annotations

import math

import numpy as np

from app.events import Fault
from app.exercises.base import LEG, OTHER, Measurement, PostureCheck, blend, picture_weight, world_angle_deg
from app.exercises.lying import (body_axis_direction, LyingExerciseModel, hip_line_in_body_frame, lying_posture,
                                 picture_top_leg, roll_unjudged_reason, top_leg)
from app.geometry import angle_between_deg
from app.landmarks import LM

# Below this share of the knee-to-knee line lying across the picture, the picture no longer shows the opening.
PICTURE_LOST_FACING = 0.5
# The feet stay together in a clamshell: on every labelled clip and camera transform the ankles were at most 0.8
# thigh lengths apart (the "feet apart" warning starts 0.35 beyond the user's own resting gap). A gap of several
# thigh lengths is another position, or a skeleton MediaPipe has stitched together from two people (the
# patient's legs with the kneeling therapist's trunk): counting it gave "openings" of 100-150 degrees.
MAX_FEET_GAP_THIGHS = 1.5


class ClamshellModel(LyingExerciseModel):
    required = (LM.L_HIP, LM.R_HIP, LM.L_KNEE, LM.R_KNEE)
    wrong_view_message = "Lie on your side facing the camera, knees bent, whole body in view"

    def posture(self, xy: np.ndarray, visibility: np.ndarray) -> PostureCheck:
        lying = lying_posture(xy, visibility)
        if not lying.ok:
            return lying
        if feet_gap_thighs(xy) > MAX_FEET_GAP_THIGHS:
            return PostureCheck(False, "Keep your feet together, knees bent, whole body in view")
        return lying

    def measure(self, xy: np.ndarray, visibility: np.ndarray, world: np.ndarray | None,
                side_hint: str | None = None) -> Measurement:
        top = top_leg(xy, visibility, side_hint)
        hip, knee, ankle = LEG[top]
        b_hip, b_knee, b_ankle = LEG[OTHER[top]]
        opening_2d = angle_between_deg(xy[knee] - xy[hip], xy[b_knee] - xy[b_hip])
        opening_3d = world_angle_deg(world, (hip, knee), (b_hip, b_knee))
        facing = _knee_line_facing(world, knee, b_knee)
        weight = picture_weight(facing, full_at=0.85, none_at=0.5)
        thigh_px = (float(np.hypot(*(xy[knee] - xy[hip]))) + float(np.hypot(*(xy[b_knee] - xy[b_hip])))) / 2.0
        knee_gap = float(np.hypot(*(xy[knee] - xy[b_knee])))
        chord = math.degrees(2.0 * math.asin(min(1.0, knee_gap / (2.0 * thigh_px)))) if thigh_px > 1e-6 else math.nan
        in_picture = not (facing < PICTURE_LOST_FACING) or not math.isfinite(opening_3d)
        signals = {"picture": chord} if in_picture else {"world": opening_3d}
        feet_gap = feet_gap_thighs(xy)
        unjudged = {}
        reason = roll_unjudged_reason(xy, visibility)
        if reason:
            unjudged[Fault.PELVIS_ROLL_BACK.value] = reason
        if min(visibility[ankle], visibility[b_ankle]) < 0.5:
            unjudged[Fault.FEET_APART.value] = "feet not clearly seen"
        roll = hip_line_in_body_frame(xy, visibility, top)
        anatomical = blend(opening_2d, opening_3d, weight)
        return Measurement(
            fault_side=top,
            view_anchor=body_axis_direction(xy, visibility),
            signal_deg=next(iter(signals.values())),
            signal_by_side=signals,
            side=picture_top_leg(xy, visibility),
            fault_measures={Fault.FEET_APART.value: feet_gap, Fault.PELVIS_ROLL_BACK.value: roll},
            metrics={"opening_deg": anatomical, "opening_picture_deg": opening_2d, "feet_gap_thighs": feet_gap,
                     "picture_weight": weight},
            unjudged=unjudged,
            picture_weight=1.0 if in_picture else 0.0,
            angle_deg=anatomical,
        )


def feet_gap_thighs(xy: np.ndarray) -> float:
    """Distance between the ankles in mean thigh lengths (NaN when the thighs cannot be measured)."""
    thigh_px = (float(np.hypot(*(xy[LM.L_KNEE] - xy[LM.L_HIP]))) + float(np.hypot(*(xy[LM.R_KNEE] - xy[LM.R_HIP])))) / 2.0
    if not thigh_px > 1e-6:
        return math.nan
    return float(np.hypot(*(xy[LM.L_ANKLE] - xy[LM.R_ANKLE]))) / thigh_px


def _knee_line_facing(world: np.ndarray | None, knee: int, b_knee: int) -> float:
    """How much of the knee-to-knee line lies across the picture (1) rather than along the camera axis (0)."""
    if world is None:
        return math.nan
    d = world[knee] - world[b_knee]
    norm = float(np.linalg.norm(d))
    return float(np.hypot(d[0], d[1])) / norm if norm > 1e-6 and math.isfinite(norm) else math.nan
