"""What the analysis tells its listeners: immutable events and per-frame snapshots.

Events (`RepCompleted`, `FormWarning`, `StatusChanged`) are lossless: the GUI, the log and the CLI must see every
one. A `TrackerSnapshot` is the newest state for drawing and may be dropped when the GUI is busy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from app.engine.library import Exercise  # noqa: F401 - an exercise id, re-exported where the events are


class Fault(str, Enum):
    """Form fault codes, stable strings used in JSON, the database and the GUI."""

    LEG_ABOVE_HIP = "leg_above_hip"  # side-lying abduction: raised beyond the ceiling angle
    PELVIS_ROLL_BACK = "pelvis_roll_back"  # side-lying exercises: the top hip rolls backwards
    LEG_FORWARD = "leg_forward"  # side-lying abduction: leg drifts in front of the body line (hip flexion)
    KNEE_BENT = "knee_bent"  # side-lying abduction: the raised leg is not straight
    FEET_APART = "feet_apart"  # clamshell: the feet separate
    PELVIC_DROP = "pelvic_drop"  # step-down: the free-leg side of the pelvis drops (Trendelenburg)
    KNEE_VALGUS = "knee_valgus"  # step-down: the stance knee moves inside the hip-ankle line
    TRUNK_LEAN = "trunk_lean"  # step-down: the trunk leans sideways
    TOO_FAST = "too_fast"  # any: the rep took less time than the tempo floor


class Status(str, Enum):
    NO_PERSON = "no_person"  # nobody detected: "get into frame"
    PARTIAL = "partial"  # a person, but the landmarks this exercise needs are not visible
    WRONG_VIEW = "wrong_view"  # posture does not match the exercise (e.g. standing for a lying exercise)
    SETTLING = "settling"  # in position; learning the starting posture before counting
    TRACKING = "tracking"  # counting


@dataclass(frozen=True)
class RepCompleted:
    index: int  # 1-based within the tracker's life (one set)
    side: str  # "left" | "right": the working leg
    t_start_s: float
    t_peak_s: float
    t_end_s: float
    peak_deg: float  # the rep signal at its peak (abduction angle, clamshell opening, knee flexion)
    faults: tuple[str, ...]  # Fault codes seen during this rep
    # Faults this rep could not be judged on, as (Fault code, short reason): e.g. the hips overlap from this
    # camera angle. Not judged is neither a warning nor "good form".
    unjudged: tuple[tuple[str, str], ...] = ()
    held_s: float = 0.0  # time held at the top (above the counting threshold): the result of a hold

    @property
    def duration_s(self) -> float:
        return self.t_end_s - self.t_start_s


@dataclass(frozen=True)
class FormWarning:
    t_s: float
    code: str  # a Fault value
    value: float  # the measured quantity (degrees, or a ratio for feet_apart), for the therapist
    message: str  # short cue for the user


@dataclass(frozen=True)
class StatusChanged:
    t_s: float
    status: Status
    message: str


Event = RepCompleted | FormWarning | StatusChanged


@dataclass(frozen=True)
class TrackerSnapshot:
    """The tracker's state after one frame: what a live view draws."""

    t_s: float
    status: Status
    side: str | None
    reps: int
    signal_deg: float | None  # current rep signal
    target_deg: float  # the signal at which a rep is full range
    phase: str  # "rest" | "rising" | "top" | "lowering"
    active_faults: tuple[str, ...]
    xy_px: np.ndarray | None = field(default=None, repr=False)  # smoothed landmarks for the skeleton overlay
    visibility: np.ndarray | None = field(default=None, repr=False)
    metrics: dict[str, float] = field(default_factory=dict)  # named angles for the therapist view
    # Holds: seconds held so far in the hold in progress (None for rep exercises), and the target.
    hold_s: float | None = None
    hold_target_s: float | None = None

    @property
    def rom_fraction(self) -> float:
        if self.signal_deg is None or self.target_deg <= 0:
            return 0.0
        return max(0.0, min(1.5, self.signal_deg / self.target_deg))


@dataclass(frozen=True)
class StepResult:
    snapshot: TrackerSnapshot
    events: tuple[Event, ...]
