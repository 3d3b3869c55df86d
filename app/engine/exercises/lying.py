"""Geometry shared by the side-lying exercises: is the person lying on their side, and which leg is on top.

Nothing here depends on which way up the picture is: a phone propped sideways, or a body lying diagonally in
the picture, is measured in the body's own frame (along the hips→shoulders axis, and across it).
"""

from __future__ import annotations

import math

import numpy as np

from app.engine.exercises.base import LEG, ExerciseModel, PostureCheck, midpoint, visible_pair
from app.engine.landmarks import LM

# Lying on the side and facing the camera, one hip shows above the other (0.4-0.9 thigh lengths apart across the
# body on the labelled clips). Lying on the back seen from the side, the hips overlap (about 0.15): the same leg
# lift in the picture would then be hip flexion, not abduction.
_MIN_HIP_STACK_THIGHS = 0.25
# Below this the hips overlap too much to see the pelvis roll in the picture (a camera raised high, or swung
# towards the feet or the head): the roll-back fault is then not judged rather than guessed.
MIN_STACK_TO_JUDGE_ROLL = 0.3
# The picture's "up" tells which hip is on top only while the body lies within this of the picture's
# horizontal; nearer the vertical (a rotated camera) the top leg is told by which leg moves.
_MAX_TILT_FOR_UP_DEG = 60.0


def body_axis(xy: np.ndarray, visibility: np.ndarray) -> np.ndarray:
    """Direction from the hips towards the head; from the legs (reversed) when the shoulders are out of view."""
    hips = midpoint(xy, LM.L_HIP, LM.R_HIP)
    if visible_pair(visibility, LM.L_SHOULDER, LM.R_SHOULDER):
        return midpoint(xy, LM.L_SHOULDER, LM.R_SHOULDER) - hips
    return hips - midpoint(xy, LM.L_KNEE, LM.R_KNEE)


def world_body_axis(world: np.ndarray | None, visibility: np.ndarray) -> np.ndarray | None:
    if world is None:
        return None
    hips = midpoint(world, LM.L_HIP, LM.R_HIP)
    if visible_pair(visibility, LM.L_SHOULDER, LM.R_SHOULDER):
        axis = midpoint(world, LM.L_SHOULDER, LM.R_SHOULDER) - hips
    else:
        axis = hips - midpoint(world, LM.L_KNEE, LM.R_KNEE)
    return axis if np.all(np.isfinite(axis)) else None


def lying_posture(xy: np.ndarray, visibility: np.ndarray) -> PostureCheck:
    """On the side, facing the camera: the hips show one above the other across the body, whatever the
    body's angle in the picture (any in-plane rotation is accepted: we cannot tell the floor from the picture,
    and a sideways phone is a common set-up)."""
    axis = body_axis(xy, visibility)
    if not np.all(np.isfinite(axis)) or not float(np.hypot(*axis)) > 1e-9:
        return PostureCheck(False, "Lie on your side with your whole body in the picture")
    if not visible_pair(visibility, LM.L_SHOULDER, LM.R_SHOULDER):
        return PostureCheck(True)  # a close-up of the legs: no body axis to judge the hips against
    stack = hip_stack_thighs(xy, visibility)
    if math.isfinite(stack) and stack < _MIN_HIP_STACK_THIGHS:
        return PostureCheck(False, "Turn your side to the camera: lie on your side, facing it")
    return PostureCheck(True)


def picture_top_leg(xy: np.ndarray, visibility: np.ndarray) -> str | None:
    """The leg whose hip is higher above the floor, taking the picture's top as "up" — only while the body lies
    roughly across the picture; None when it is nearer upright (then only motion can tell)."""
    axis = body_axis(xy, visibility)
    norm = float(np.hypot(*axis))
    if not norm > 1e-9:
        return None
    tilt = math.degrees(math.acos(min(1.0, abs(float(axis[0])) / norm)))
    if tilt > _MAX_TILT_FOR_UP_DEG:
        return None
    # Of the two normals to the axis, "up" is the one pointing towards the top of the image.
    normal = np.array([-axis[1], axis[0]]) / norm
    if normal[1] > 0:
        normal = -normal
    left_up = float(np.dot(xy[LM.L_HIP] + xy[LM.L_KNEE], normal))
    right_up = float(np.dot(xy[LM.R_HIP] + xy[LM.R_KNEE], normal))
    return "left" if left_up >= right_up else "right"


def top_leg(xy: np.ndarray, visibility: np.ndarray, side_hint: str | None = None) -> str:
    """The working (top) leg: the known one if the tracker knows it, else the picture's guess, else left."""
    return side_hint or picture_top_leg(xy, visibility) or "left"


def _thigh_px(xy: np.ndarray) -> float:
    return (float(np.hypot(*(xy[LM.L_KNEE] - xy[LM.L_HIP]))) + float(np.hypot(*(xy[LM.R_KNEE] - xy[LM.R_HIP])))) / 2


def hip_stack_thighs(xy: np.ndarray, visibility: np.ndarray) -> float:
    """How far apart the hips show across the body axis, in thigh lengths (which hip is on top aside)."""
    return abs(float(hip_line_in_body_frame(xy, visibility, "left")[1]))


def hip_line_in_body_frame(xy: np.ndarray, visibility: np.ndarray, top: str) -> np.ndarray:
    """The bottom→top hip vector in body coordinates (along the axis, across it), in thigh lengths.

    With the hips stacked this vector is steady whatever the camera; when the pelvis rolls, the top hip swings
    and the vector changes. Depth from one camera (MediaPipe's z) was tried first and moved with the knee rather
    than with the pelvis on the labelled clips, so the picture-plane geometry is used, compared with the user's
    own starting posture.
    """
    axis = body_axis(xy, visibility)
    norm = float(np.hypot(*axis))
    thigh = _thigh_px(xy)
    if not (norm > 1e-9 and thigh > 1e-9):
        return np.array([math.nan, math.nan])
    top_hip, bottom_hip = LEG[top][0], LEG["left" if top == "right" else "right"][0]
    along = axis / norm
    across = np.array([-along[1], along[0]])
    d = xy[top_hip] - xy[bottom_hip]
    return np.array([float(np.dot(d, along)), float(np.dot(d, across))]) / thigh


def body_axis_direction(xy: np.ndarray, visibility: np.ndarray) -> np.ndarray | None:
    """Unit direction of the trunk (hips→shoulders) in the picture, while the shoulders are seen. The trunk
    lies still in these exercises (a pelvis roll turns it about its own length, which leaves this direction
    alone), so when it turns, the camera did. (The bottom leg would do in theory, but the top knee hides the
    bottom knee in a clamshell and MediaPipe's guess of it moves with the top one.)"""
    if not visible_pair(visibility, LM.L_SHOULDER, LM.R_SHOULDER):
        return None
    d = body_axis(xy, visibility)
    norm = float(np.hypot(*d))
    return d / norm if norm > 1e-6 and math.isfinite(norm) else None


def roll_unjudged_reason(xy: np.ndarray, visibility: np.ndarray) -> str | None:
    """Why the pelvis roll cannot be judged in this frame, or None when it can."""
    if not visible_pair(visibility, LM.L_HIP, LM.R_HIP, 0.6):
        return "hips not clearly seen"
    stack = hip_stack_thighs(xy, visibility)
    if not math.isfinite(stack) or stack < MIN_STACK_TO_JUDGE_ROLL:
        return "hips overlap from this camera angle"
    return None


class LyingExerciseModel(ExerciseModel):
    """Base of the side-lying exercises: same posture check; the top leg is the working leg."""

    def posture(self, xy: np.ndarray, visibility: np.ndarray) -> PostureCheck:
        return lying_posture(xy, visibility)
