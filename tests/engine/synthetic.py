"""Synthetic landmark traces: a stick figure doing each exercise, with controllable jitter, gaps and NaNs.

The figure is built from joint angles, so a test can say "lift the leg 40° at t = 2 s" and know the truth.
"""

from __future__ import annotations

import math

import numpy as np

from app.engine.landmarks import LM
from app.engine.pose import PoseSample

IMAGE = (1280, 720)
THIGH, SHANK, TRUNK = 110.0, 110.0, 200.0


def _pose(points: dict[int, tuple[float, float]], t_s: float, visibility: float = 0.95,
          world: dict[int, tuple[float, float, float]] | None = None) -> PoseSample:
    xy = np.full((33, 2), 0.0)
    for i, p in points.items():
        xy[i] = p
    world_m = None
    if world is not None:
        world_m = np.zeros((33, 3))
        for i, p in world.items():
            world_m[i] = p
    return PoseSample(t_s=t_s, xy_px=xy, visibility=np.full(33, visibility), world_m=world_m, image_size=IMAGE)


def lying(abduction_deg: float, t_s: float, knee_open_deg: float = 0.0, clam: bool = False) -> PoseSample:
    """Lying on the right side, head to the image left, facing the camera; the left leg is on top."""
    hip_b = np.array([700.0, 520.0])  # bottom (right) hip
    hip_t = hip_b + (0, -40.0)  # top (left) hip, stacked above
    shoulder_b, shoulder_t = hip_b - (TRUNK, 0), hip_t - (TRUNK, 0)
    if clam:
        # Hips and knees bent: thighs forward-down at 45° to the body axis, shanks back.
        thigh_dir = np.array([math.cos(math.radians(45)), math.sin(math.radians(45))])
        knee_b = hip_b + THIGH * thigh_dir
        rot = math.radians(-knee_open_deg)
        d = np.array([thigh_dir[0] * math.cos(rot) - thigh_dir[1] * math.sin(rot),
                      thigh_dir[0] * math.sin(rot) + thigh_dir[1] * math.cos(rot)])
        knee_t = hip_t + THIGH * d
        ankle_b = knee_b + (SHANK, 0)
        ankle_t = ankle_b + (0, -10.0)
    else:
        a = math.radians(abduction_deg)
        leg_t = np.array([math.cos(a), -math.sin(a)])
        knee_b, ankle_b = hip_b + (THIGH, 0), hip_b + (THIGH + SHANK, 0)
        knee_t, ankle_t = hip_t + THIGH * leg_t, hip_t + (THIGH + SHANK) * leg_t
    return _pose({LM.R_HIP: hip_b, LM.L_HIP: hip_t, LM.R_SHOULDER: shoulder_b, LM.L_SHOULDER: shoulder_t,
                  LM.R_KNEE: knee_b, LM.L_KNEE: knee_t, LM.R_ANKLE: ankle_b, LM.L_ANKLE: ankle_t}, t_s)


def standing(stance_flex_deg: float, t_s: float, pelvic_drop_deg: float = 0.0, valgus_deg: float = 0.0) -> PoseSample:
    """Facing the camera squarely, standing on the left leg (image right); the right leg hangs free.

    Seen straight from the front the bending knee comes towards the camera, so the picture shows almost no knee
    angle; the world landmarks carry the true 3-D flexion, as MediaPipe's do."""
    hip_l, hip_r = np.array([680.0, 360.0]), np.array([600.0, 360.0])
    drop = 80.0 * math.tan(math.radians(pelvic_drop_deg))
    hip_r = hip_r + (0, drop)
    f = math.radians(stance_flex_deg / 2)
    v = math.radians(valgus_deg)
    # A bent knee seen from the front moves little sideways; valgus pushes it towards the free leg (−x).
    knee_l = hip_l + (-THIGH * math.sin(v), THIGH * math.cos(f))
    ankle_l = knee_l + (THIGH * math.sin(v), SHANK * math.cos(f))
    knee_r, ankle_r = hip_r + (0, THIGH), hip_r + (0, THIGH + SHANK + 30 * math.sin(f))
    leg_m = 0.45
    w_hip_l, w_hip_r = (0.1, 0.0, 0.0), (-0.1, 0.0, 0.0)
    w_knee_l = (0.1, leg_m * math.cos(f), -leg_m * math.sin(f))
    w_ankle_l = (0.1, 2 * leg_m * math.cos(f), 0.0)
    world = {LM.L_HIP: w_hip_l, LM.R_HIP: w_hip_r, LM.L_KNEE: w_knee_l, LM.L_ANKLE: w_ankle_l,
             LM.R_KNEE: (-0.1, leg_m, 0.0), LM.R_ANKLE: (-0.1, 2 * leg_m, 0.0)}
    return _pose({LM.L_HIP: hip_l, LM.R_HIP: hip_r, LM.L_KNEE: knee_l, LM.R_KNEE: knee_r, LM.L_ANKLE: ankle_l,
                  LM.R_ANKLE: ankle_r, LM.L_SHOULDER: hip_l - (0, TRUNK), LM.R_SHOULDER: hip_r - (0, TRUNK)},
                 t_s, world=world)


def rep_wave(t_s: float, reps: int, start_s: float = 1.0, period_s: float = 3.0, amplitude: float = 40.0,
             hold_s: float = 0.0) -> float:
    """0 at rest; each rep rises and falls smoothly (half-cosine), with an optional hold at the top."""
    local = t_s - start_s
    if local < 0 or local >= reps * (period_s + hold_s):
        return 0.0
    phase = local % (period_s + hold_s)
    half = period_s / 2
    if phase < half:
        return amplitude * (1 - math.cos(math.pi * phase / half)) / 2
    if phase < half + hold_s:
        return amplitude
    return amplitude * (1 + math.cos(math.pi * (phase - half - hold_s) / half)) / 2


def jitter(sample: PoseSample, rng: np.random.Generator, px: float) -> PoseSample:
    return PoseSample(sample.t_s, sample.xy_px + rng.normal(0, px, sample.xy_px.shape), sample.visibility,
                      sample.world_m, sample.image_size)


def rotated(sample: PoseSample, degrees: float) -> PoseSample:
    """The same pose seen by a camera rolled by `degrees` (a phone propped sideways): pixels turned about the
    image centre, world landmarks about the camera axis."""
    a = math.radians(degrees)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    centre = np.array(IMAGE, dtype=float) / 2
    xy = (sample.xy_px - centre) @ rot.T + centre
    world = None
    if sample.world_m is not None:
        world = sample.world_m.copy()
        world[:, :2] = sample.world_m[:, :2] @ rot.T
    return PoseSample(t_s=sample.t_s, xy_px=xy, visibility=sample.visibility, world_m=world,
                      image_size=sample.image_size)
