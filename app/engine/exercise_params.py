"""The engine's parameters of an exercise, built from its file in the exercise library (app.engine.library).

One parameter set per exercise, for every user and camera; nothing here is tuned to a particular clip.
Counting thresholds are degrees above the user's own resting value. Fault limits are changes beyond the user's
own starting posture (degrees, or thigh lengths for the hip line and the feet), except those a file marks
absolute (the abduction ceiling, an angle a therapist sets: trials commonly use 30-45°).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.engine.library import TOO_FAST, TOO_FAST_MESSAGE, Exercise, spec, specs
from app.engine.rep_counter import CounterParams


@dataclass(frozen=True)
class ExerciseParams:
    counter: CounterParams
    target_deg: float  # rep signal of a full-range rep, for the range-of-motion meter
    fault_limits: dict[str, float]  # Fault code → limit beyond baseline (absolute ones: the value itself)
    absolute_faults: frozenset[str] = frozenset()  # codes whose limit is absolute, not relative to baseline
    fault_messages: dict[str, str] = field(default_factory=dict)
    min_rep_duration_s: float = 1.0  # faster than this is "too fast"
    settle_s: float = 0.3  # steady, in-position time before counting starts
    smoothing_min_cutoff_hz: float = 1.2
    smoothing_beta: float = 6.0
    kind: str = "reps"  # "reps", or "hold": timed while the position is held
    hold_target_s: float | None = None  # holds: seconds per hold
    limit_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)  # what a therapist may set

    @property
    def ceiling_deg(self) -> float | None:
        return self.fault_limits.get("leg_above_hip")

    @property
    def pelvic_drop_tol_deg(self) -> float | None:
        return self.fault_limits.get("pelvic_drop")

    def with_limits(self, **limits: float) -> ExerciseParams:
        """A copy with some fault limits changed (therapist settings), keyed by fault code."""
        unknown = set(limits) - set(self.fault_limits)
        if unknown:
            raise ValueError(f"no such fault limit for this exercise: {', '.join(sorted(unknown))}")
        return ExerciseParams(**{**self.__dict__, "fault_limits": {**self.fault_limits, **limits}})


def default_params(exercise: Exercise | str) -> ExerciseParams:
    s = spec(Exercise(exercise).value)
    return ExerciseParams(
        counter=CounterParams(enter_deg=s.enter_deg, exit_deg=s.exit_deg, min_up_s=s.min_up_s, min_rep_s=s.min_rep_s),
        target_deg=s.target_deg,
        fault_limits={f.code: f.limit for f in s.faults},
        absolute_faults=frozenset(f.code for f in s.faults if f.absolute),
        fault_messages={**messages(), **{f.code: f.message for f in s.faults}},
        min_rep_duration_s=s.min_rep_duration_s,
        settle_s=s.settle_s,
        smoothing_min_cutoff_hz=s.smoothing_min_cutoff_hz,
        smoothing_beta=s.smoothing_beta,
        kind=s.kind,
        hold_target_s=s.hold_target_s,
        limit_ranges={f.code: f.limit_range for f in s.faults},
    )


def messages() -> dict[str, str]:
    """Fault code → the cue, over the whole library (one code, one cue: the library checks it)."""
    out = {}
    for s in specs().values():
        for f in s.faults:
            out.setdefault(f.code, f.message)
    out[TOO_FAST] = TOO_FAST_MESSAGE
    return out


# The two therapist settings of the Settings dialog (app.settings): the abduction ceiling and the step-down's
# pelvic drop tolerance, with the ranges their exercise files allow.
DEFAULT_CEILING_DEG = 40.0
CEILING_RANGE_DEG = (20.0, 70.0)
DEFAULT_PELVIC_DROP_TOL_DEG = 8.0
PELVIC_DROP_RANGE_DEG = (3.0, 20.0)
