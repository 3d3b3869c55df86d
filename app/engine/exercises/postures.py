"""The posture vocabulary (what position an exercise is done in) and the working-leg rules.

A posture answers "is this person in the position the exercise needs, seen from a camera that can measure it?"
for any in-plane rotation of the picture, and gives the direction of a body segment that stays still during
the exercise (so that its turning means the camera moved). A working-leg rule says which leg an exercise's
measures are taken from in this frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.engine.exercises.base import PostureCheck, midpoint, visible_pair
from app.engine.exercises.lying import body_axis, body_axis_direction, lying_posture, picture_top_leg, top_leg
from app.engine.geometry import angle_between_deg
from app.engine.landmarks import LM

_UP = np.array([0.0, -1.0])
MAX_STANDING_BEND_DEG = 35.0  # standing: the trunk within this of the legs' line (any picture rotation)
# On all fours the trunk lies across the thighs (hip flexion near 90°); standing or lying straight puts it in
# line with them. Between the two: kneeling up, sitting back on the heels.
ALL_FOURS_MIN_HIP_ANGLE_DEG = 50.0
ALL_FOURS_MAX_HIP_ANGLE_DEG = 130.0


@dataclass(frozen=True)
class Posture:
    name: str
    doc: str
    # ok, with a message only where it says more than the exercise file's "get into position" text
    check: Callable[[np.ndarray, np.ndarray], PostureCheck]
    # Unit direction of a segment that stays still in exercises done in this posture, or None.
    still_segment: Callable[[np.ndarray, np.ndarray], np.ndarray | None]


def _standing(xy: np.ndarray, visibility: np.ndarray) -> PostureCheck:
    hips = midpoint(xy, LM.L_HIP, LM.R_HIP)
    ankles = midpoint(xy, LM.L_ANKLE, LM.R_ANKLE)
    reference = midpoint(xy, LM.L_SHOULDER, LM.R_SHOULDER) - hips
    if not visible_pair(visibility, LM.L_SHOULDER, LM.R_SHOULDER):
        reference = _UP  # no trunk in view: the picture's up stands in
    bend = angle_between_deg(hips - ankles, reference)
    if math.isfinite(bend) and bend <= MAX_STANDING_BEND_DEG:
        return PostureCheck(True)
    return PostureCheck(False)  # the exercise file says how to stand for it


def _all_fours(xy: np.ndarray, visibility: np.ndarray) -> PostureCheck:
    """Hands and knees: the trunk roughly at a right angle to the thighs, whatever the picture's rotation."""
    if not visible_pair(visibility, LM.L_SHOULDER, LM.R_SHOULDER, 0.3):
        return PostureCheck(False)
    hips = midpoint(xy, LM.L_HIP, LM.R_HIP)
    trunk = midpoint(xy, LM.L_SHOULDER, LM.R_SHOULDER) - hips
    thighs = midpoint(xy, LM.L_KNEE, LM.R_KNEE) - hips
    angle = angle_between_deg(trunk, thighs)
    if math.isfinite(angle) and ALL_FOURS_MIN_HIP_ANGLE_DEG <= angle <= ALL_FOURS_MAX_HIP_ANGLE_DEG:
        return PostureCheck(True)
    return PostureCheck(False)


def _prone(xy: np.ndarray, visibility: np.ndarray) -> PostureCheck:
    """Lying on the front, seen from the side: the body straight (trunk in line with the legs), which the
    picture shows for any rotation; telling front from back needs the face, which a floor camera rarely sees."""
    axis = body_axis(xy, visibility)
    legs = midpoint(xy, LM.L_ANKLE, LM.R_ANKLE) - midpoint(xy, LM.L_HIP, LM.R_HIP)
    bend = angle_between_deg(-axis, legs)
    if math.isfinite(bend) and bend <= MAX_STANDING_BEND_DEG:
        return PostureCheck(True)
    return PostureCheck(False)


def _trunk(xy: np.ndarray, visibility: np.ndarray) -> np.ndarray | None:
    return body_axis_direction(xy, visibility)


POSTURES: dict[str, Posture] = {
    "side-lying": Posture("side-lying", "Lying on the side facing the camera, hips one above the other.",
                          lying_posture, _trunk),
    "standing": Posture("standing", "Standing: trunk and legs in one line.", _standing, lambda xy, vis: None),
    "all-fours": Posture("all-fours", "On hands and knees, trunk across the thighs.", _all_fours, _trunk),
    "prone": Posture("prone", "Lying on the front, body straight.", _prone, _trunk),
}

# Which leg's measures an exercise takes in a frame, and which leg the frame alone says is working.
WORKING_LEG_RULES = {
    "top": "lying: the upper leg (the picture's up while the body lies across it; the known leg otherwise)",
    "rising": "the leg whose rep signal rises from its own resting value (the tracker decides); measures from "
              "the known working leg, or the upper leg when lying",
    "stance": "the standing leg: the knee that bends clearly more than the other",
    "either": "no working leg: both legs work (a lateral step); measures from the known leg or the left",
}
STANCE_MARGIN_DEG = 8.0  # one knee must be this much more bent than the other to call it the stance knee


def working_leg(rule: str, posture: str, xy: np.ndarray, vis: np.ndarray, side_hint: str | None,
                flexion: dict[str, float] | None = None) -> tuple[str, str | None]:
    """(leg to measure, leg this frame says is working or None)."""
    lying = posture in ("side-lying",)
    if rule == "top":
        return top_leg(xy, vis, side_hint), picture_top_leg(xy, vis)
    if rule == "stance":
        assert flexion is not None
        side = None
        if abs(flexion["left"] - flexion["right"]) >= STANCE_MARGIN_DEG:
            side = "left" if flexion["left"] > flexion["right"] else "right"
        # At rest both knees are straight: keep the stance leg already known rather than flip between frames
        # (which would flip the sign of the pelvic drop).
        return side or side_hint or ("left" if flexion["left"] >= flexion["right"] else "right"), side
    if rule == "rising" and lying:
        return top_leg(xy, vis, side_hint), None
    return side_hint or "left", None
