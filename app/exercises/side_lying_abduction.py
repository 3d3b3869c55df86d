"""Side-lying hip abduction: lift the straight top leg in line with the body, to about hip height.

Abduction is the angle between a leg (hip→ankle) and the body's long axis (shoulders→hips, continued), for
each leg: the tracker counts the leg that rises from its own resting angle, so neither the picture's "up" nor
MediaPipe's left/right labels decide which leg works, and the bottom leg may be bent for support (its hip→ankle
line points anywhere; the old between-the-legs angle fell as the top leg rose in that set-up).

Each angle blends the picture with MediaPipe's 3-D world landmarks by how squarely the body's frontal plane
(trunk axis × hip line) faces the camera: seen from the front the picture is steadier; from a raised camera
the picture flattens the lift and the world angle sees it. When the shoulders are out of the picture (a
close-up of the legs), the other leg stands in for the body axis, as a separate signal with its own resting
value (signal keys "<side>@legs").
"""

from __future__ import annotations

import math

import numpy as np

from app.events import Fault
from app.exercises.base import (LEG, OTHER, Measurement, angle3_deg, blend, midpoint, picture_weight,
                                plane_facing, visible_pair, world_depth_angle_deg)
from app.exercises.lying import (body_axis_direction, LyingExerciseModel, hip_line_in_body_frame, roll_unjudged_reason, top_leg,
                                 world_body_axis)
from app.geometry import angle_between_deg, joint_angle_deg
from app.landmarks import LM

SIDES = ("left", "right")


class SideLyingAbductionModel(LyingExerciseModel):
    required = (LM.L_HIP, LM.R_HIP, LM.L_KNEE, LM.R_KNEE, LM.L_ANKLE, LM.R_ANKLE)
    wrong_view_message = "Lie on your side, camera in front of you, whole body in view"

    def measure(self, xy: np.ndarray, visibility: np.ndarray, world: np.ndarray | None,
                side_hint: str | None = None) -> Measurement:
        trunk_seen = visible_pair(visibility, LM.L_SHOULDER, LM.R_SHOULDER)
        axis_w = world_body_axis(world, visibility) if trunk_seen else None
        hips_w = world[LM.L_HIP] - world[LM.R_HIP] if world is not None else None
        weight = picture_weight(plane_facing(axis_w, hips_w))
        by_side = {}
        for side in SIDES:
            if trunk_seen:
                by_side[f"{side}@trunk"] = self._against_trunk(xy, world, side, weight)
            else:
                by_side[f"{side}@legs"] = self._against_other_leg(xy, side)
        top = top_leg(xy, visibility, side_hint)
        hip, knee, ankle = LEG[top]
        lift = by_side.get(f"{top}@trunk", math.nan)
        knee_bend = 180.0 - joint_angle_deg(xy[hip], xy[knee], xy[ankle])
        forward = -world_depth_angle_deg(world, hip, ankle)  # towards the camera = in front of the body
        roll = hip_line_in_body_frame(xy, visibility, top)
        unjudged = {}
        if not trunk_seen:
            unjudged[Fault.LEG_ABOVE_HIP.value] = "shoulders out of the picture"
        reason = roll_unjudged_reason(xy, visibility)
        if reason:
            unjudged[Fault.PELVIS_ROLL_BACK.value] = reason
        key = f"{top}@trunk" if trunk_seen else f"{top}@legs"
        return Measurement(
            fault_side=top,
            view_anchor=body_axis_direction(xy, visibility),
            signal_deg=by_side[key],
            side=None,  # the tracker decides it from which leg rises
            fault_measures={
                Fault.LEG_ABOVE_HIP.value: lift,
                Fault.KNEE_BENT.value: knee_bend,
                Fault.LEG_FORWARD.value: forward,
                Fault.PELVIS_ROLL_BACK.value: roll,
            },
            metrics={"abduction_deg": lift, "knee_bend_deg": knee_bend, "leg_forward_deg": forward,
                     "picture_weight": weight},
            signal_by_side=by_side,
            unjudged=unjudged,
            picture_weight=weight,
            angle_deg=lift,
        )

    @staticmethod
    def _against_trunk(xy: np.ndarray, world: np.ndarray | None, side: str, weight: float) -> float:
        hip, _, ankle = LEG[side]
        down_px = midpoint(xy, LM.L_HIP, LM.R_HIP) - midpoint(xy, LM.L_SHOULDER, LM.R_SHOULDER)
        picture = angle_between_deg(xy[ankle] - xy[hip], down_px)
        world_angle = math.nan
        if world is not None:  # the same two lines in 3-D
            shoulders, hips = midpoint(world, LM.L_SHOULDER, LM.R_SHOULDER), midpoint(world, LM.L_HIP, LM.R_HIP)
            world_angle = angle3_deg(world[ankle] - world[hip], hips - shoulders)
        return blend(picture, world_angle, weight)

    @staticmethod
    def _against_other_leg(xy: np.ndarray, side: str) -> float:
        hip, _, ankle = LEG[side]
        o_hip, _, o_ankle = LEG[OTHER[side]]
        return angle_between_deg(xy[ankle] - xy[hip], xy[o_ankle] - xy[o_hip])

