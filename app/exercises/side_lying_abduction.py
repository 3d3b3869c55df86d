"""Side-lying hip abduction: lift the straight top leg in line with the body, to about hip height."""

from __future__ import annotations

import numpy as np

from app.events import Fault
from app.exercises.base import LEG, OTHER, Measurement, world_depth_angle_deg
from app.exercises.lying import LyingExerciseModel, hip_line_in_body_frame, top_leg
from app.geometry import angle_between_deg, joint_angle_deg
from app.landmarks import LM


class SideLyingAbductionModel(LyingExerciseModel):
    required = (LM.L_HIP, LM.R_HIP, LM.L_KNEE, LM.R_KNEE, LM.L_ANKLE, LM.R_ANKLE)
    wrong_view_message = "Lie on your side, camera in front of you, whole body in view"

    def measure(self, xy: np.ndarray, visibility: np.ndarray, world: np.ndarray | None,
                side_hint: str | None = None) -> Measurement:
        top = top_leg(xy, visibility)
        hip, knee, ankle = LEG[top]
        b_hip = LEG[OTHER[top]][0]
        b_ankle = LEG[OTHER[top]][2]
        # Abduction is measured between the two legs, not against the trunk: the bottom leg lies in line with
        # the body in this exercise, and unlike the trunk it stays in the picture in close-ups and does not
        # move when the person props up on an elbow (which would otherwise look like a lift).
        signal = angle_between_deg(xy[ankle] - xy[hip], xy[b_ankle] - xy[b_hip])
        knee_bend = 180.0 - joint_angle_deg(xy[hip], xy[knee], xy[ankle])
        forward = -world_depth_angle_deg(world, hip, ankle)  # towards the camera = in front of the body
        roll = hip_line_in_body_frame(xy, visibility, top)
        return Measurement(
            signal_deg=signal,
            side=top,
            fault_measures={
                Fault.LEG_ABOVE_HIP.value: signal,
                Fault.KNEE_BENT.value: knee_bend,
                Fault.LEG_FORWARD.value: forward,
                Fault.PELVIS_ROLL_BACK.value: roll,
            },
            metrics={"abduction_deg": signal, "knee_bend_deg": knee_bend, "leg_forward_deg": forward},
        )
