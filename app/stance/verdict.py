"""One stance bout's numbers and verdict: pelvic obliquity against the standing baseline (mean, worst 1 s,
onset past the tolerance), dropped or hiked, trunk lean towards the stance leg, sway, and negative / positive /
not judged with the reason. Pure.

Clinical reading (Trendelenburg): standing on one leg, a pelvis that stays level or rises on the free side is a
negative sign; a free side that drops is positive; a trunk thrown over the stance leg is the compensation that
keeps the pelvis level without the muscle, so it is reported as positive too, named as a lean.

A camera measures pelvic tilt to about ±7° against motion capture (published comparisons), so every angle is
reported with that uncertainty and judged against a tolerance a therapist can set, never as an exact number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.stance.geometry import StanceAxes, StanceFrame

CAMERA_UNCERTAINTY_DEG = 7.0  # camera pelvic tilt against motion capture, for the result card
NEGATIVE, POSITIVE, NOT_JUDGED = "negative", "positive", "not judged"
WORST_WINDOW_S = 1.0
ONSET_WINDOW_S = 0.5  # a centred median this long: a sudden drop is dated where it happens, a spike ignored
HIDDEN_SHARE = 0.5  # hips (or shoulders) missing on more than this share of a bout: not judged


@dataclass(frozen=True)
class StanceParams:
    drop_tolerance_deg: float = 5.0  # free-side drop beyond the baseline that makes a bout positive
    lean_tolerance_deg: float = 10.0  # trunk lean over the stance leg that is a compensation (the step-down's)
    min_hold_s: float = 1.0  # a shorter hold is not judged (the worst-1-s window needs it)
    max_hold_s: float = 30.0  # the clinical hold: the bout is closed here
    baseline_min_s: float = 0.5  # two-leg standing needed before the first lift
    square_max_deg: float = 30.0  # hip line turned away from the camera by more than this: not square-on

    DROP_TOLERANCE_RANGE = (2.0, 15.0)  # what a therapist may set


@dataclass(frozen=True)
class BoutResult:
    stance_leg: str
    t_start_s: float
    t_end_s: float
    duration_s: float
    max_pelvic_drop_deg: float | None  # worst 1 s, + = free side below the baseline, − = hiked
    mean_pelvic_drop_deg: float | None
    trunk_lean_deg: float | None  # worst 1 s towards the stance leg
    verdict: str
    reason: str
    onset_s: float | None = None  # seconds into the bout when the drop first passed the tolerance
    free_side: str | None = None  # "dropped" | "hiked" | "level"
    max_hike_deg: float | None = None  # worst 1 s of the free side above the baseline (positive number)
    sway_cm: float | None = None  # RMS side-to-side movement of the pelvis (from MediaPipe's metric hip width)
    ended_by: str = ""
    tolerance_deg: float = 5.0
    uncertainty_deg: float = CAMERA_UNCERTAINTY_DEG

    def to_json(self) -> dict:
        """The fields `medius analyze --json` promises for every bout (`stance_bouts`)."""
        return {"stance_leg": self.stance_leg, "t_start_s": _r(self.t_start_s), "t_end_s": _r(self.t_end_s),
                "duration_s": _r(self.duration_s), "max_pelvic_drop_deg": _r(self.max_pelvic_drop_deg),
                "mean_pelvic_drop_deg": _r(self.mean_pelvic_drop_deg), "trunk_lean_deg": _r(self.trunk_lean_deg),
                "verdict": self.verdict, "reason": self.reason}

    def details_json(self) -> dict:
        return {"stance_leg": self.stance_leg, "onset_s": _r(self.onset_s), "free_side": self.free_side,
                "max_hike_deg": _r(self.max_hike_deg), "sway_cm": _r(self.sway_cm), "ended_by": self.ended_by,
                "tolerance_deg": self.tolerance_deg, "uncertainty_deg": self.uncertainty_deg}


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def judge_bout(frames: list[StanceFrame], stance: str, t_start_s: float, t_end_s: float, ended_by: str,
               axes: StanceAxes, params: StanceParams) -> BoutResult:
    duration = max(0.0, t_end_s - t_start_s)
    base = dict(stance_leg=stance, t_start_s=t_start_s, t_end_s=t_end_s, duration_s=duration, ended_by=ended_by,
                tolerance_deg=params.drop_tolerance_deg)
    seen = [f for f in frames if f.hips_seen]
    if not frames or len(seen) <= (1 - HIDDEN_SHARE) * len(frames):
        return BoutResult(**base, max_pelvic_drop_deg=None, mean_pelvic_drop_deg=None, trunk_lean_deg=None,
                          verdict=NOT_JUDGED, reason="hips hidden for most of the hold")
    t = np.array([f.t_s for f in seen])
    drop = np.array([axes.obliquity_deg(f, stance) for f in seen])
    worst_drop = float(np.max(_window_means(t, drop, WORST_WINDOW_S, t_start_s, t_end_s)))
    worst_hike = float(-np.min(_window_means(t, drop, WORST_WINDOW_S, t_start_s, t_end_s)))
    mean_drop = float(np.mean(drop))
    onset = _onset_s(t, drop, params.drop_tolerance_deg, t_start_s)
    leans = [(f.t_s, axes.lean_towards_stance_deg(f, stance)) for f in seen]
    leans = [(t_s, v) for t_s, v in leans if math.isfinite(v)]
    shoulders_ok = len(leans) > (1 - HIDDEN_SHARE) * len(frames)
    lean = None
    if shoulders_ok:
        tl, lv = np.array([t_s for t_s, _ in leans]), np.array([v for _, v in leans])
        lean = float(np.max(_window_means(tl, lv, WORST_WINDOW_S, t_start_s, t_end_s)))
    tol = params.drop_tolerance_deg
    free_side = "dropped" if worst_drop >= tol else "hiked" if worst_hike >= tol else "level"
    numbers = dict(max_pelvic_drop_deg=worst_drop, mean_pelvic_drop_deg=mean_drop, trunk_lean_deg=lean,
                   onset_s=onset, free_side=free_side, max_hike_deg=worst_hike, sway_cm=_sway_cm(seen, axes))
    depth = np.array([abs(f.hip_depth_deg) for f in seen if math.isfinite(f.hip_depth_deg)])
    turned = float(np.median(depth)) if depth.size else math.nan

    def verdict(v: str, reason: str) -> BoutResult:
        return BoutResult(**base, **numbers, verdict=v, reason=reason)

    if not shoulders_ok:
        return verdict(NOT_JUDGED, "shoulders not in view (framed from the waist down): a trunk lean that "
                                   "hides a drop cannot be seen")
    if math.isfinite(turned) and turned > params.square_max_deg:
        return verdict(NOT_JUDGED, f"camera not square-on: the hips are turned about {turned:.0f}° from it")
    if duration < params.min_hold_s:
        return verdict(NOT_JUDGED, f"hold too short ({duration:.1f} s; at least {params.min_hold_s:.0f} s)")
    if worst_drop >= tol:
        return verdict(POSITIVE, f"the free-leg side dropped {worst_drop:.0f}° (tolerance {tol:.0f}°)")
    if lean >= params.lean_tolerance_deg:
        return verdict(POSITIVE, f"the trunk leaned {lean:.0f}° towards the stance leg: a compensation that "
                                 f"can hide a drop")
    if free_side == "hiked":
        return verdict(NEGATIVE, f"the free-leg side rose {worst_hike:.0f}°, pelvis held")
    return verdict(NEGATIVE, f"pelvis level within {tol:.0f}°")


def _window_means(t: np.ndarray, v: np.ndarray, width_s: float, t0: float, t1: float) -> np.ndarray:
    """Means over centred windows lying inside the bout; the whole bout's mean if it is shorter than one."""
    half = width_s / 2.0
    centres = np.flatnonzero((t - half >= t0 - 1e-9) & (t + half <= t1 + 1e-9))
    if centres.size == 0:
        return np.array([float(np.mean(v))])
    lo = np.searchsorted(t, t[centres] - half, side="left")
    hi = np.searchsorted(t, t[centres] + half, side="right")
    csum = np.concatenate([[0.0], np.cumsum(v)])
    return (csum[hi] - csum[lo]) / (hi - lo)


def _onset_s(t: np.ndarray, drop: np.ndarray, tol: float, t_start_s: float) -> float | None:
    half = ONSET_WINDOW_S / 2.0
    for i in range(len(t)):
        window = drop[(t >= t[i] - half) & (t <= t[i] + half)]
        if np.median(window) >= tol:
            return float(t[i] - t_start_s)
    return None


def _sway_cm(frames: list[StanceFrame], axes: StanceAxes) -> float | None:
    """Side-to-side RMS of the pelvis centre, scaled to centimetres by MediaPipe's metric hip width (its hips
    are joint centres about 20-25 cm apart); None without world landmarks."""
    widths = [f.world_hip_width_m for f in frames if math.isfinite(f.world_hip_width_m)]
    if not widths or not axes.hip_width_px > 0:
        return None
    x = np.array([axes.lateral_px((f.l_hip + f.r_hip) / 2.0) for f in frames])
    metres_per_px = float(np.median(widths)) / axes.hip_width_px
    return float(np.sqrt(np.mean((x - x.mean()) ** 2))) * metres_per_px * 100.0
