"""Geometry shared by the side-lying exercises: is the person lying down, and which leg is on top."""

from __future__ import annotations

import math

import numpy as np

from app.exercises.base import LEG, ExerciseModel, PostureCheck, midpoint, visible_pair
from app.geometry import angle_between_deg
from app.landmarks import LM

_MAX_AXIS_TILT_DEG = 40.0  # the body's long axis must be within this of the image horizontal
# Lying on the side and facing the camera, one hip shows above the other (0.4-0.9 thigh lengths apart across the
# body on the labelled clips). Lying on the back seen from the side, the hips overlap (about 0.15): the same leg
# lift in the picture would then be hip flexion, not abduction.
_MIN_HIP_STACK_THIGHS = 0.25


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
    if not (math.isfinite(tilt) and tilt <= _MAX_AXIS_TILT_DEG):
        return PostureCheck(False, "Lie on your side with your whole body across the picture")
    stack = abs(float(hip_line_in_body_frame(xy, visibility, top_leg(xy, visibility))[1]))
    if math.isfinite(stack) and stack < _MIN_HIP_STACK_THIGHS:
        return PostureCheck(False, "Turn your side to the camera: lie on your side, facing it")
    return PostureCheck(True)


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


def hip_line_in_body_frame(xy: np.ndarray, visibility: np.ndarray, top: str) -> np.ndarray:
    """The bottom→top hip vector in body coordinates (along the axis, across it), in thigh lengths.

    With the hips stacked this vector is steady whatever the camera; when the pelvis rolls, the top hip swings
    and the vector changes. Depth from one camera (MediaPipe's z) was tried first and moved with the knee rather
    than with the pelvis on the labelled clips, so the picture-plane geometry is used, compared with the user's
    own starting posture.
    """
    axis = body_axis(xy, visibility)
    norm = float(np.hypot(*axis))
    top_hip, top_knee = LEG[top][0], LEG[top][1]
    other = "left" if top == "right" else "right"
    bottom_hip, bottom_knee = LEG[other][0], LEG[other][1]
    thigh = (float(np.hypot(*(xy[top_knee] - xy[top_hip]))) + float(np.hypot(*(xy[bottom_knee] - xy[bottom_hip])))) / 2
    if not (norm > 1e-9 and thigh > 1e-9):
        return np.array([math.nan, math.nan])
    along = axis / norm
    across = np.array([-along[1], along[0]])
    d = xy[top_hip] - xy[bottom_hip]
    return np.array([float(np.dot(d, along)), float(np.dot(d, across))]) / thigh


class LyingExerciseModel(ExerciseModel):
    """Base of the side-lying exercises: same posture check; the top leg is the working leg."""

    def posture(self, xy: np.ndarray, visibility: np.ndarray) -> PostureCheck:
        return lying_posture(xy, visibility)
