"""Clamshell: side-lying, hips and knees bent, feet together; the top knee opens and closes."""

from __future__ import annotations

import math

import numpy as np

from app.events import Fault
from app.exercises.base import LEG, OTHER, Measurement
from app.exercises.lying import LyingExerciseModel, hip_line_in_body_frame, top_leg
from app.landmarks import LM


class ClamshellModel(LyingExerciseModel):
    required = (LM.L_HIP, LM.R_HIP, LM.L_KNEE, LM.R_KNEE)
    wrong_view_message = "Lie on your side facing the camera, knees bent, whole body in view"

    def measure(self, xy: np.ndarray, visibility: np.ndarray, world: np.ndarray | None,
                side_hint: str | None = None) -> Measurement:
        top = top_leg(xy, visibility)
        hip, knee, ankle = LEG[top]
        b_hip, b_knee, b_ankle = LEG[OTHER[top]]
        # The shell's opening, from the gap between the knees as a chord of two thigh-length legs. The angle
        # between the thigh lines would do in theory, but the hips sit one above the other, so a small opening
        # barely turns the thighs in the picture while the knee gap grows plainly (measured on the clips: about
        # three times the swing for the same reps).
        thigh_px = (float(np.hypot(*(xy[knee] - xy[hip]))) + float(np.hypot(*(xy[b_knee] - xy[b_hip])))) / 2.0
        knee_gap = float(np.hypot(*(xy[knee] - xy[b_knee])))
        opening = math.degrees(2.0 * math.asin(min(1.0, knee_gap / (2.0 * thigh_px)))) if thigh_px > 1e-6 else math.nan
        feet_gap = float(np.hypot(*(xy[ankle] - xy[b_ankle]))) / thigh_px if thigh_px > 1e-6 else math.nan
        roll = hip_line_in_body_frame(xy, visibility, top)
        return Measurement(
            signal_deg=opening,
            side=top,
            fault_measures={Fault.FEET_APART.value: feet_gap, Fault.PELVIS_ROLL_BACK.value: roll},
            metrics={"opening_deg": opening, "feet_gap_thighs": feet_gap},
        )
