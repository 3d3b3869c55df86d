"""Geometry shared by the side-lying exercises: is the person lying down, and which leg is on top."""

from __future__ import annotations

import math

import numpy as np

from app.exercises.base import LEG, PostureCheck, midpoint, visible_pair
from app.geometry import angle_between_deg
from app.landmarks import LM

_MAX_AXIS_TILT_DEG = 40.0  # the body's long axis must be within this of the image horizontal


def body_axis(xy: np.ndarray, visibility: np.ndarray) -> np.ndarray:
    """Direction from the hips towards the head; from the legs (reversed) when the shoulders are out of view."""
    hips = midpoint(xy, LM.L_HIP, LM.R_HIP)
    if visible_pair(visibility, LM.L_SHOULDER, LM.R_SHOULDER):
        return midpoint(xy, LM.L_SHOULDER, LM.R_SHOULDER) - hips
    return hips - midpoint(xy, LM.L_KNEE, LM.R_KNEE)


def lying_posture(xy: np.ndarray, visibility: np.ndarray) -> PostureCheck:
    axis = body_axis(xy, visibility)
    tilt = angle_between_deg(axis, np.array([1.0, 0.0]))
    tilt = min(tilt, 180.0 - tilt) if math.isfinite(tilt) else math.nan
    if math.isfinite(tilt) and tilt <= _MAX_AXIS_TILT_DEG:
        return PostureCheck(True)
    return PostureCheck(False, "Lie on your side with your whole body across the picture")


def top_leg(xy: np.ndarray, visibility: np.ndarray) -> str:
    """The leg whose hip is higher above the floor, measured across the body axis (not the image vertical),
    so a tilted camera does not flip it. MediaPipe's left/right labels can swap; geometry cannot."""
    axis = body_axis(xy, visibility)
    norm = float(np.hypot(*axis))
    if not norm > 1e-9:
        return "left" if xy[LM.L_HIP][1] <= xy[LM.R_HIP][1] else "right"
    # Of the two normals to the axis, "up" is the one pointing towards the top of the image.
    normal = np.array([-axis[1], axis[0]]) / norm
    if normal[1] > 0:
        normal = -normal
    left_up = float(np.dot(xy[LM.L_HIP] + xy[LM.L_KNEE], normal))
    right_up = float(np.dot(xy[LM.R_HIP] + xy[LM.R_KNEE], normal))
    return "left" if left_up >= right_up else "right"


def pelvis_roll_back_deg(world: np.ndarray | None, top: str) -> float:
    """How far the top hip has rotated away from the camera around the body axis (degrees, raw).

    With the hips stacked the bottom→top hip line is vertical in the picture and at one depth; rolling back
    tilts it away from the camera. Raw values include camera and model offsets: compare with the start.
    """
    if world is None:
        return math.nan
    top_hip, bottom_hip = LEG[top][0], LEG["left" if top == "right" else "right"][0]
    d = world[top_hip] - world[bottom_hip]
    if not np.all(np.isfinite(d)):
        return math.nan
    return math.degrees(math.atan2(float(d[2]), float(np.hypot(d[0], d[1]))))
