"""Step-down: stand on one leg on a low step, bend the standing knee until the free heel taps the floor.

Every measure is one the picture's rotation does not change (a phone on its side, a camera rolled a little):
joint angles, and line angles that the tracker compares with the user's own standing posture. The pelvic drop
and the trunk lean are signed so that positive always means "free-leg hip lower" and "trunk towards the stance
leg", for a person facing the camera.
"""

from __future__ import annotations

import math

import numpy as np

from app.events import Fault
from app.exercises.base import LEG, OTHER, ExerciseModel, Measurement, PostureCheck, midpoint, visible_pair
from app.geometry import angle_between_deg, joint_angle_deg, signed_angle_deg
from app.landmarks import LM

_MAX_BODY_BEND_DEG = 35.0  # standing: the trunk within this of the legs' line (any picture rotation)
_UP = np.array([0.0, -1.0])
_STANCE_MARGIN_DEG = 8.0  # one knee must be this much more bent than the other to call it the stance knee


def _knee_flexion_deg(xy: np.ndarray, world: np.ndarray | None, side: str) -> float:
    """Knee flexion of one leg. Seen straight from the front a knee bends towards the camera and its picture
    angle hardly changes, so MediaPipe's 3-D world landmarks are used as well; with the camera a little to the
    side the picture angle is the steadier of the two. Taking the larger works from either view."""
    hip, knee, ankle = LEG[side]
    flex_2d = 180.0 - joint_angle_deg(xy[hip], xy[knee], xy[ankle])
    if world is None or not np.all(np.isfinite(world[[hip, knee, ankle]])):
        return flex_2d
    u, v = world[hip] - world[knee], world[ankle] - world[knee]
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if not (nu > 1e-6 and nv > 1e-6):
        return flex_2d
    flex_3d = 180.0 - math.degrees(math.acos(max(-1.0, min(1.0, float(np.dot(u, v)) / (nu * nv)))))
    return max(flex_2d, flex_3d) if math.isfinite(flex_2d) else flex_3d


class StepDownModel(ExerciseModel):
    required = (LM.L_HIP, LM.R_HIP, LM.L_KNEE, LM.R_KNEE, LM.L_ANKLE, LM.R_ANKLE)
    wrong_view_message = "Stand facing the camera on the step, whole body in view"

    def posture(self, xy: np.ndarray, visibility: np.ndarray) -> PostureCheck:
        hips = midpoint(xy, LM.L_HIP, LM.R_HIP)
        ankles = midpoint(xy, LM.L_ANKLE, LM.R_ANKLE)
        reference = midpoint(xy, LM.L_SHOULDER, LM.R_SHOULDER) - hips
        if not visible_pair(visibility, LM.L_SHOULDER, LM.R_SHOULDER):
            reference = _UP  # no trunk in view: the picture's up stands in
        bend = angle_between_deg(hips - ankles, reference)
        if math.isfinite(bend) and bend <= _MAX_BODY_BEND_DEG:
            return PostureCheck(True)
        return PostureCheck(False, "Stand up on the step, facing the camera")

    def measure(self, xy: np.ndarray, visibility: np.ndarray, world: np.ndarray | None,
                side_hint: str | None = None) -> Measurement:
        flex = {s: _knee_flexion_deg(xy, world, s) for s in ("left", "right")}
        # The stance knee is the one that bends; both straight means we cannot tell from this frame alone.
        side = None
        if abs(flex["left"] - flex["right"]) >= _STANCE_MARGIN_DEG:
            side = "left" if flex["left"] > flex["right"] else "right"
        # At rest both knees are straight: keep the stance leg already known rather than flip between frames
        # (which would flip the sign of the pelvic drop).
        stance = side or side_hint or ("left" if flex["left"] >= flex["right"] else "right")
        free = OTHER[stance]
        s_hip, s_knee, s_ankle = LEG[stance]
        f_hip = LEG[free][0]
        # Counting uses the more bent knee, so it works before the stance side is known.
        signal = max(flex.values())
        # Pelvic drop: the free-leg hip sinking below the stance hip, as the hip line's angle (raw; the tracker
        # subtracts the standing value). Facing the camera, the person's left is the picture's right: flipping
        # the line for a left stance leg keeps it pointing rightwards (no ±180° wrap) and "down" positive.
        s = 1.0 if free == "left" else -1.0
        line = (xy[f_hip] - xy[s_hip]) * s
        drop = s * math.degrees(math.atan2(float(line[1]), float(line[0]))) if np.all(np.isfinite(line)) else math.nan
        # Knee valgus: the stance knee angling inwards (towards the free leg) in the picture, as the signed
        # frontal-plane angle between thigh and shank.
        bend = signed_angle_deg(xy[s_knee] - xy[s_hip], xy[s_ankle] - xy[s_knee])
        medial_sign = 1.0 if xy[f_hip][0] > xy[s_hip][0] else -1.0
        # With y down, a knee pushed towards +x turns the shank clockwise from the thigh (positive bend); the
        # sign flip makes positive always mean "knee towards the free leg".
        valgus = bend * medial_sign if math.isfinite(bend) else math.nan
        lean = math.nan
        if visible_pair(visibility, LM.L_SHOULDER, LM.R_SHOULDER):
            # The trunk's angle in the picture, positive towards the stance leg (raw; compared with standing).
            trunk = midpoint(xy, LM.L_SHOULDER, LM.R_SHOULDER) - midpoint(xy, LM.L_HIP, LM.R_HIP)
            lean = -s * signed_angle_deg(_UP, trunk)
        return Measurement(
            fault_side=stance,
            signal_deg=signal,
            side=side,
            fault_measures={Fault.PELVIC_DROP.value: drop, Fault.KNEE_VALGUS.value: valgus,
                            Fault.TRUNK_LEAN.value: lean},
            metrics={"knee_flexion_deg": flex[stance], "pelvic_drop_deg": drop, "knee_valgus_deg": valgus,
                     "trunk_lean_deg": lean},
        )
