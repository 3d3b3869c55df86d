"""Synthetic pelvic drops and trunk leans put into real landmark traces, for the stance test's tests.

A drop turns the line from the stance hip to the free hip about the stance hip, towards the feet, by `deg`
from `t_on_s` on (reached over `ramp_s`, as a real drop takes a moment), until `t_off_s`. A lean turns the
upper body (shoulders, arms, head) about the mid-hip towards the stance leg. Directions come from the
standing baseline's axes, so the same function works on any camera roll and either facing.
"""

from __future__ import annotations

import functools
import math
from dataclasses import replace

import numpy as np

from app.adapters.camera_transforms import TransformedSource
from app.adapters.frame_source import VideoFileSource
from app.engine.landmarks import LM
from app.engine.pose import PoseSample
from app.adapters.pose_estimator import PoseEstimator
from app.pipeline.stance_analysis import trace
from app.stance.geometry import StanceAxes
from medius_testdata import VIDEOS_DIR

UPPER_BODY = list(range(0, 23))  # face, shoulders, arms, hands
HIPS = {"left": LM.L_HIP, "right": LM.R_HIP}


def _ramp(t: float, t_on: float, ramp_s: float) -> float:
    return min(1.0, max(0.0, (t - t_on) / ramp_s)) if ramp_s > 0 else float(t >= t_on)


def _rotate(points: np.ndarray, centre: np.ndarray, angle_rad: float) -> np.ndarray:
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    rot = np.array([[c, -s], [s, c]])  # +angle turns +x towards +y (clockwise on screen, y down)
    return (points - centre) @ rot.T + centre


def _towards(direction_from: np.ndarray, direction_to: np.ndarray) -> float:
    """+1 if a positive (clockwise) turn moves direction_from towards direction_to, else −1."""
    return 1.0 if direction_from[0] * direction_to[1] - direction_from[1] * direction_to[0] > 0 else -1.0


def _moved_between(samples, t_on_s: float, t_off_s: float, move):
    """The samples with `move(xy, t)` applied to the landmarks of those between t_on_s and t_off_s."""
    out = []
    for t, s in samples:
        if s is None or not t_on_s <= t <= t_off_s:
            out.append((t, s))
            continue
        xy = s.xy_px.copy()
        move(xy, t)
        out.append((t, replace(s, xy_px=xy)))
    return out


def with_pelvic_drop(samples, axes: StanceAxes, stance: str, deg: float, t_on_s: float, t_off_s: float,
                     ramp_s: float = 0.2):
    free = "left" if stance == "right" else "right"
    sign = _towards(axes.stance_to_free(stance), axes.down)

    def drop(xy, t):
        angle = sign * math.radians(deg) * _ramp(t, t_on_s, ramp_s)
        xy[HIPS[free]] = _rotate(xy[[HIPS[free]]], xy[HIPS[stance]], angle)[0]

    return _moved_between(samples, t_on_s, t_off_s, drop)


def with_trunk_lean(samples, axes: StanceAxes, stance: str, deg: float, t_on_s: float, t_off_s: float,
                    ramp_s: float = 0.2):
    sign = _towards(-axes.down, -axes.stance_to_free(stance))  # from "up" towards the stance side

    def lean(xy, t):
        centre = (xy[LM.L_HIP] + xy[LM.R_HIP]) / 2.0
        xy[UPPER_BODY] = _rotate(xy[UPPER_BODY], centre, sign * math.radians(deg) * _ramp(t, t_on_s, ramp_s))

    return _moved_between(samples, t_on_s, t_off_s, lean)


def rolled(samples, deg: float, centre: tuple[float, float]):
    """The whole trace as a camera rolled by `deg` would see it."""
    c = np.array(centre, dtype=float)
    return [(t, None if s is None else replace(s, xy_px=_rotate(s.xy_px, c, math.radians(deg))))
            for t, s in samples]


def as_samples(npz) -> list[tuple[float, PoseSample | None]]:
    size = tuple(int(x) for x in npz["image_size"])
    out = []
    for i, t in enumerate(npz["t_s"]):
        xy = npz["xy_px"][i]
        if np.isnan(xy).all():
            out.append((float(t), None))
        else:
            out.append((float(t), PoseSample(float(t), xy, npz["visibility"][i], npz["world_m"][i], size)))
    return out


@functools.lru_cache(maxsize=None)
def landmarks(file: str, crop_top: float = 0.0, transform: str | None = None):
    """A clip's real landmark trace (real MediaPipe, VIDEO mode), optionally with the top `crop_top` of every
    frame cut away or as a camera transform films it; (samples, last frame time, fps). Cached per session."""
    source = VideoFileSource(VIDEOS_DIR / file)
    if transform is not None:
        source = TransformedSource(source, transform)

    def frames():
        while (frame := source.read()) is not None:
            if crop_top:
                frame = replace(frame, bgr=frame.bgr[int(crop_top * frame.bgr.shape[0]):].copy())
            yield frame

    try:
        with PoseEstimator() as estimator:
            samples, last_t = trace(frames(), estimator)
    finally:
        source.close()
    return samples, last_t, source.fps
