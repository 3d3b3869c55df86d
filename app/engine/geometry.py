"""Plane geometry on image points (pixels, x right, y down). Pure numpy; angles in degrees."""

from __future__ import annotations

import math

import numpy as np


def angle_between_deg(u: np.ndarray, v: np.ndarray) -> float:
    """Unsigned angle between two 2-D vectors, 0..180; NaN if either is (near) zero or not finite."""
    nu, nv = float(np.hypot(*u)), float(np.hypot(*v))
    if not (nu > 1e-9 and nv > 1e-9) or not (math.isfinite(nu) and math.isfinite(nv)):
        return math.nan
    cos = float(np.dot(u, v)) / (nu * nv)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def signed_angle_deg(u: np.ndarray, v: np.ndarray) -> float:
    """Angle that turns u onto v, in -180..180 (positive is clockwise on screen, since y points down)."""
    cross = float(u[0] * v[1] - u[1] * v[0])
    dot = float(np.dot(u, v))
    if not (math.isfinite(cross) and math.isfinite(dot)) or (abs(cross) < 1e-12 and abs(dot) < 1e-12):
        return math.nan
    return math.degrees(math.atan2(cross, dot))


def joint_angle_deg(a: np.ndarray, joint: np.ndarray, b: np.ndarray) -> float:
    """Interior angle at `joint` of the chain a-joint-b (180 = straight)."""
    return angle_between_deg(a - joint, b - joint)


def tilt_from_vertical_deg(p_low: np.ndarray, p_high: np.ndarray) -> float:
    """Unsigned angle between the line p_low→p_high and the image vertical (0 = upright)."""
    return angle_between_deg(p_high - p_low, np.array([0.0, -1.0]))
