"""One parameter set per exercise, for every user and camera.

Nothing here is tuned to a particular clip. Counting thresholds are degrees above the user's own resting value.
Fault limits are degrees (or, for the hip line and the feet, thigh lengths) beyond the user's own starting posture, except the abduction ceiling,
which is an absolute angle a therapist sets (trials commonly use 30-45°).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.events import Exercise, Fault
from app.rep_counter import CounterParams


@dataclass(frozen=True)
class ExerciseParams:
    counter: CounterParams
    target_deg: float  # rep signal of a full-range rep, for the range-of-motion meter
    fault_limits: dict[str, float]  # Fault code → limit beyond baseline (ceiling: absolute)
    absolute_faults: frozenset[str] = frozenset()  # codes whose limit is absolute, not relative to baseline
    fault_messages: dict[str, str] = field(default_factory=dict)
    min_rep_duration_s: float = 1.0  # faster than this is "too fast"
    settle_s: float = 0.3  # steady, in-position time before counting starts
    smoothing_min_cutoff_hz: float = 1.2
    smoothing_beta: float = 6.0

    @property
    def ceiling_deg(self) -> float | None:
        return self.fault_limits.get(Fault.LEG_ABOVE_HIP.value)

    @property
    def pelvic_drop_tol_deg(self) -> float | None:
        return self.fault_limits.get(Fault.PELVIC_DROP.value)

    def with_limits(self, **limits: float) -> ExerciseParams:
        """A copy with some fault limits changed (therapist settings), keyed by Fault value."""
        unknown = set(limits) - set(self.fault_limits)
        if unknown:
            raise ValueError(f"no such fault limit for this exercise: {', '.join(sorted(unknown))}")
        return ExerciseParams(**{**self.__dict__, "fault_limits": {**self.fault_limits, **limits}})


MESSAGES = {
    Fault.LEG_ABOVE_HIP.value: "Too high: lift only to hip height",
    Fault.PELVIS_ROLL_BACK.value: "Keep your hips stacked: don't roll back",
    Fault.LEG_FORWARD.value: "Keep the leg in line with your body, not in front",
    Fault.KNEE_BENT.value: "Keep the top leg straight",
    Fault.FEET_APART.value: "Keep your feet together",
    Fault.PELVIC_DROP.value: "Keep your hips level",
    Fault.KNEE_VALGUS.value: "Knee over your toes: don't let it cave in",
    Fault.TRUNK_LEAN.value: "Stay upright: don't lean sideways",
    Fault.TOO_FAST.value: "Slower: about 2 s up and 2 s down",
}

# Ceiling for side-lying abduction, absolute degrees between the top leg and the body axis.
DEFAULT_CEILING_DEG = 40.0
CEILING_RANGE_DEG = (20.0, 70.0)
DEFAULT_PELVIC_DROP_TOL_DEG = 8.0
PELVIC_DROP_RANGE_DEG = (3.0, 20.0)

_DEFAULTS: dict[Exercise, ExerciseParams] = {
    Exercise.SIDE_LYING_ABDUCTION: ExerciseParams(
        counter=CounterParams(enter_deg=15.0, exit_deg=8.0, min_up_s=0.3, min_rep_s=0.8),
        target_deg=35.0,
        fault_limits={
            Fault.LEG_ABOVE_HIP.value: DEFAULT_CEILING_DEG,
            Fault.KNEE_BENT.value: 25.0,
            Fault.LEG_FORWARD.value: 25.0,
            Fault.PELVIS_ROLL_BACK.value: 0.15,
        },
        absolute_faults=frozenset({Fault.LEG_ABOVE_HIP.value}),
        fault_messages=MESSAGES,
        min_rep_duration_s=1.0,
    ),
    Exercise.CLAMSHELL: ExerciseParams(
        counter=CounterParams(enter_deg=20.0, exit_deg=12.0, min_up_s=0.25, min_rep_s=0.8),
        target_deg=50.0,
        fault_limits={Fault.FEET_APART.value: 0.35, Fault.PELVIS_ROLL_BACK.value: 0.15},
        fault_messages=MESSAGES,
        min_rep_duration_s=1.0,
    ),
    Exercise.STEP_DOWN: ExerciseParams(
        counter=CounterParams(enter_deg=20.0, exit_deg=10.0, min_up_s=0.2, min_rep_s=0.7),
        target_deg=45.0,
        fault_limits={
            Fault.PELVIC_DROP.value: DEFAULT_PELVIC_DROP_TOL_DEG,
            Fault.KNEE_VALGUS.value: 12.0,
            Fault.TRUNK_LEAN.value: 10.0,
        },
        fault_messages=MESSAGES,
        min_rep_duration_s=0.8,
    ),
}


def default_params(exercise: Exercise | str) -> ExerciseParams:
    return _DEFAULTS[Exercise(exercise)]
