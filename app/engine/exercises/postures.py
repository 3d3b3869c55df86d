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
from app.engine.geometry import angle_between_deg, joint_angle_deg
from app.engine.landmarks import LM

_UP = np.array([0.0, -1.0])
MAX_STANDING_BEND_DEG = 35.0  # standing: the trunk within this of the legs' line (any picture rotation)
# On all fours (measured on the labelled clips, out/newex/findings.md): thighs and arms square to the trunk
# within 35°, the arms within 30° of each other and one within 45° of a thigh, elbows bent at most 30°.
ALL_FOURS_SQUARE_TOL_DEG = 35.0
ALL_FOURS_ARMS_PARALLEL_DEG = 30.0
ALL_FOURS_ARM_THIGH_DEG = 45.0
ALL_FOURS_MAX_ELBOW_BEND_DEG = 30.0
# Standing with one leg moving: the trunk within this of the straighter leg. A cable clip leans about 20°; a wide
# band side-step filmed by a camera tipped further down put the straighter leg 48° off the trunk (45 here lost
# two steps into one). Sitting and deep squats stay out (the thighs near square to the trunk), and hands and
# knees is refused on its own below.
MAX_FREE_LEG_BEND_DEG = 55.0


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


def _all_fours(xy: np.ndarray, visibility: np.ndarray, level_back: bool = True) -> PostureCheck:
    """Hands and knees, weight on both hands. Rotation-invariant parts: a support thigh and both arms roughly
    square to the trunk, the arms straight and parallel to each other and to that thigh. Without the arm
    conditions a person propped on an elbow in side-lying (bottom knee bent) and a half squat with arms forward
    passed too; with them, every other labelled clip fails it and the fire-hydrant clip passes on 100 % of its
    frames (also rotated 45°).

    `level_back`: the back must also lie nearer the picture's horizontal than its vertical, the one cue against a
    squat with the arms held forward, which is the same figure turned a quarter. Standing exercises ask it when
    they refuse hands and knees (a pistol squat is done with the arms forward). The all-fours posture itself does
    not: with it a camera rolled 90° counted 0 of the fire-hydrant clip's 6 reps, and without it the squat, lunge
    and step-up clips still count no fire hydrant, upright or rolled."""
    needed = (LM.L_SHOULDER, LM.R_SHOULDER, LM.L_WRIST, LM.R_WRIST, LM.L_HIP, LM.R_HIP, LM.L_KNEE, LM.R_KNEE)
    if not np.all(visibility[list(needed)] >= 0.3):
        return PostureCheck(False)
    hips = midpoint(xy, LM.L_HIP, LM.R_HIP)
    trunk = midpoint(xy, LM.L_SHOULDER, LM.R_SHOULDER) - hips
    thighs = {s: xy[k] - xy[h] for s, (h, k) in (("left", (LM.L_HIP, LM.L_KNEE)), ("right", (LM.R_HIP, LM.R_KNEE)))}
    arms = {"left": xy[LM.L_WRIST] - xy[LM.L_SHOULDER], "right": xy[LM.R_WRIST] - xy[LM.R_SHOULDER]}
    elbows = {"left": (LM.L_SHOULDER, LM.L_ELBOW, LM.L_WRIST), "right": (LM.R_SHOULDER, LM.R_ELBOW, LM.R_WRIST)}

    def off_square(v: np.ndarray) -> float:
        return abs(angle_between_deg(trunk, v) - 90.0)

    thigh_square = min(off_square(-v) for v in thighs.values())  # the trunk runs down the back from the hips
    arms_square = max(off_square(v) for v in arms.values())
    arms_parallel = angle_between_deg(arms["left"], arms["right"])
    arm_thigh = min(angle_between_deg(a, th) for a in arms.values() for th in thighs.values())
    elbow_bend = max(180.0 - joint_angle_deg(xy[a], xy[b], xy[c]) for a, b, c in elbows.values())
    back = angle_between_deg(trunk, _UP)
    checks = (thigh_square <= ALL_FOURS_SQUARE_TOL_DEG, arms_square <= ALL_FOURS_SQUARE_TOL_DEG,
              arms_parallel <= ALL_FOURS_ARMS_PARALLEL_DEG, arm_thigh <= ALL_FOURS_ARM_THIGH_DEG,
              elbow_bend <= ALL_FOURS_MAX_ELBOW_BEND_DEG, 45.0 <= back <= 135.0 or not level_back)
    return PostureCheck(all(checks))


def _standing_free_leg(xy: np.ndarray, visibility: np.ndarray) -> PostureCheck:
    """Standing on one leg while the other moves away (a standing abduction): the trunk in line with the
    straighter leg, so the moving leg does not tip the check over, whatever the picture's rotation."""
    trunk = midpoint(xy, LM.L_SHOULDER, LM.R_SHOULDER) - midpoint(xy, LM.L_HIP, LM.R_HIP)
    if not visible_pair(visibility, LM.L_SHOULDER, LM.R_SHOULDER):
        trunk = _UP
    bend = min(angle_between_deg(trunk, xy[LM.L_HIP] - xy[LM.L_ANKLE]),
               angle_between_deg(trunk, xy[LM.R_HIP] - xy[LM.R_ANKLE]))
    if not (math.isfinite(bend) and bend <= MAX_FREE_LEG_BEND_DEG):
        return PostureCheck(False)
    # On all fours the trunk also lines up with a hip->ankle line (a band side-step counted 5 "steps" on the
    # fire-hydrant clip): hands and knees is not standing. (Lying straight on the side cannot be told from
    # standing without the picture's up, which a phone on its side turns: the user chose the exercise.)
    return PostureCheck(not _all_fours(xy, visibility).ok)


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
    "standing-free-leg": Posture("standing-free-leg", "Standing on one leg while the other moves: the trunk in "
                                 "line with the straighter leg.", _standing_free_leg, lambda xy, vis: None),
    "all-fours": Posture("all-fours", "On hands and knees, trunk across the thighs.",
                         lambda xy, vis: _all_fours(xy, vis, level_back=False), _trunk),
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
