"""ExerciseTracker: one person's poses in, reps, form warnings and status out. Pure: time is an argument.

Per frame: pick the exerciser (when several people are seen) → smooth the landmarks → notice camera cuts →
check that the needed landmarks are visible and the posture fits the exercise → measure → subtract the user's
own resting baseline → count (RepCounter) and watch faults (FaultMonitor). Counting starts only after the person
has held the starting position for `settle_s`, so getting into position is never counted.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from app.events import (
    Event,
    Exercise,
    Fault,
    FormWarning,
    RepCompleted,
    Status,
    StatusChanged,
    StepResult,
    TrackerSnapshot,
)
from app.exercise_params import ExerciseParams, default_params
from app.exercises import MODELS, Measurement
from app.filters import OneEuroFilter
from app.form_rules import FaultMonitor, FaultRule
from app.landmarks import LM
from app.pose import PoseSample
from app.rep_counter import RepCounter

VISIBILITY_MEAN_MIN = 0.5  # mean visibility of the landmarks an exercise needs
VISIBILITY_EACH_MIN = 0.3  # and of each one of them
RESUME_WITHIN_S = 1.0  # a dropout shorter than this resumes counting without settling again
FAULT_BASELINE_TAU_S = 2.0  # how quickly the resting posture of the fault measures is followed
BRIEF_DROPOUT_S = 0.34  # shorter dropouts are not even reported
SETTLE_STEADY_DEG = 10.0  # the rep signal must stay within this band while settling
BASELINE_TAU_S = 4.0  # how quickly the resting level follows slow upward drift
BASELINE_DOWN_TAU_S = 0.5  # and how quickly it comes down: rest is the lowest steady level, so a baseline
# learnt while the leg was not quite down (e.g. right after a camera cut) must not hide the next reps
CUT_JUMP_SCALES = 0.6  # hips moving this many leg lengths between consecutive frames = a camera cut
CUT_SCALE_RATIO = 1.6  # or the body's size in the picture changing by this factor
STATUS_MESSAGES = {
    Status.NO_PERSON: "Get into frame: the camera cannot see you",
    Status.PARTIAL: "Move so that your hips, knees and feet are in view",
    Status.SETTLING: "Hold the starting position",
    Status.TRACKING: "Go",
}


@dataclass
class _Baseline:
    """The user's own starting value of a measure (a number, or a small vector), learnt while settling.

    The rep signal's baseline also follows slow drift while the user rests."""

    value: float | np.ndarray = math.nan
    samples: list = field(default_factory=list)

    @property
    def known(self) -> bool:
        return bool(np.all(np.isfinite(self.value)))

    def learn(self, x: float | np.ndarray) -> None:
        if np.all(np.isfinite(x)):
            self.samples.append(x)

    def fix(self) -> None:
        if self.samples:
            self.value = np.median(np.asarray(self.samples, dtype=float), axis=0)
            if np.ndim(self.value) == 0:
                self.value = float(self.value)
        self.samples.clear()

    def follow(self, x: float | np.ndarray, dt_s: float, tau_s: float) -> None:
        if np.all(np.isfinite(x)) and self.known and dt_s > 0:
            self.value = self.value + (x - self.value) * min(1.0, dt_s / tau_s)


class ExerciseTracker:
    def __init__(self, exercise: Exercise | str, side: str = "auto", params: ExerciseParams | None = None) -> None:
        self.exercise = Exercise(exercise)
        if side not in ("auto", "left", "right"):
            raise ValueError("side must be 'auto', 'left' or 'right'")
        self.side_override = None if side == "auto" else side
        self.params = params or default_params(self.exercise)
        self.model = MODELS[self.exercise]()
        self.counter = RepCounter(self.params.counter)
        self._filter = OneEuroFilter(self.params.smoothing_min_cutoff_hz, self.params.smoothing_beta)
        self._monitors = {
            code: FaultMonitor(FaultRule(code, limit, message=self.params.fault_messages.get(code, code)))
            for code, limit in self.params.fault_limits.items()
        }
        self._signal_base = _Baseline()
        self._fault_bases = {code: _Baseline() for code in self._monitors}
        self.status = Status.NO_PERSON
        self._status_announced = False  # the first frame always reports the status
        self._settle_values: list[tuple[float, float]] = []  # (t_s, signal) while settling
        self._t_last_ok_s: float | None = None  # last frame with the posture right
        self._t_last_tracked_s: float | None = None  # last frame that was counted
        self._t_prev_s: float | None = None
        self._prev_raw: np.ndarray | None = None
        self._prev_t_raw_s: float | None = None
        self._side_votes: Counter[str] = Counter()
        self._rep_faults: set[str] = set()
        self._relearn_faults_until_s: float | None = None  # after a camera cut, until this time
        self._last_hips: np.ndarray | None = None
        self.cuts = 0

    # -- public ----------------------------------------------------------------------------------------------
    @property
    def reps(self) -> int:
        return self.counter.count

    @property
    def side(self) -> str | None:
        if self.side_override:
            return self.side_override
        return self._side_votes.most_common(1)[0][0] if self._side_votes else None

    def choose_person(self, people: Sequence[PoseSample]) -> PoseSample | None:
        """The exerciser among several detected people: the one whose posture fits this exercise, who shows
        the needed landmarks, and who is nearest to where the exerciser was before."""
        if len(people) <= 1:
            return people[0] if people else None

        def score(p: PoseSample) -> float:
            s = 2.0 if self.model.posture(p.xy_px, p.visibility).ok else 0.0
            s += float(np.mean(p.visibility[list(self.model.required)]))
            if self._last_hips is not None:
                scale = _leg_length_px(p.xy_px) or 1.0
                s -= min(2.0, float(np.hypot(*(_hips(p.xy_px) - self._last_hips))) / scale)
            return s

        return max(people, key=score)

    def step(self, sample: PoseSample | None, t_s: float) -> StepResult:
        events: list[Event] = []
        dt_s = t_s - self._t_prev_s if self._t_prev_s is not None else 0.0
        self._t_prev_s = t_s
        if sample is None:
            return self._not_measurable(Status.NO_PERSON, t_s, events)

        raw, diag = _sanitised(sample)
        if self._is_cut(raw, t_s):
            # A new shot: smoothing across it would blend two views, and the posture baselines of the faults
            # belong to the old view. The rep counter carries on (its signal is an angle, the same in any shot).
            self.cuts += 1
            self._filter.reset()
            self._relearn_faults_until_s = t_s + self.params.settle_s
            for monitor in self._monitors.values():
                monitor.reset()
        xy = self._filter(raw / diag, t_s) * diag
        # A landmark that was not seen in this frame counts as invisible, even where the filter still holds
        # its last position.
        seen = np.clip(np.nan_to_num(np.asarray(sample.visibility, dtype=float), nan=0.0), 0.0, 1.0)
        vis = np.where(np.isfinite(raw).all(axis=1), seen, 0.0)
        self._last_hips = _hips(xy)

        if not self.model.visible(vis, VISIBILITY_MEAN_MIN, VISIBILITY_EACH_MIN):
            return self._not_measurable(Status.PARTIAL, t_s, events, xy, vis)
        posture = self.model.posture(xy, vis)
        if not posture.ok:
            return self._not_measurable(Status.WRONG_VIEW, t_s, events, xy, vis, posture.message)

        m = self.model.measure(xy, vis, sample.world_m, side_hint=self.side)
        self._t_last_ok_s = t_s
        resumed = self._t_last_tracked_s is not None and t_s - self._t_last_tracked_s <= RESUME_WITHIN_S
        if self.status != Status.TRACKING and resumed:
            self._set_status(Status.TRACKING, t_s, events)  # a brief dropout: carry on with the rep
        elif self.status != Status.TRACKING:
            self._settle(m, t_s, events)
        if self.status == Status.TRACKING:
            self._t_last_tracked_s = t_s
            self._track(m, t_s, dt_s, events)
        return self._result(t_s, events, xy, vis, m)

    # -- stages ----------------------------------------------------------------------------------------------
    def _is_cut(self, raw: np.ndarray, t_s: float) -> bool:
        prev, prev_t = self._prev_raw, self._prev_t_raw_s
        self._prev_raw, self._prev_t_raw_s = raw, t_s
        if prev is None or prev_t is None or t_s - prev_t > 0.25:
            return False
        scale_now, scale_prev = _leg_length_px(raw), _leg_length_px(prev)
        if not (scale_now and scale_prev):
            return False
        jump = float(np.hypot(*(_hips(raw) - _hips(prev)))) / scale_prev
        ratio = max(scale_now, scale_prev) / min(scale_now, scale_prev)
        return jump > CUT_JUMP_SCALES or ratio > CUT_SCALE_RATIO

    def _settle(self, m: Measurement, t_s: float, events: list[Event]) -> None:
        if self.status != Status.SETTLING:
            self._set_status(Status.SETTLING, t_s, events)
            self._settle_values.clear()
            for base in self._fault_bases.values():
                base.samples.clear()
        if not math.isfinite(m.signal_deg):
            return
        self._settle_values.append((t_s, m.signal_deg))
        for code, base in self._fault_bases.items():
            base.learn(m.fault_measures.get(code, math.nan))
        if m.side and not self.side_override:
            self._side_votes[m.side] += 1
        # Keep only the recent steady stretch: any movement restarts the settling clock.
        values = [v for _, v in self._settle_values]
        while values and max(values) - min(values) > SETTLE_STEADY_DEG:
            self._settle_values.pop(0)
            values.pop(0)
        if self._settle_values and t_s - self._settle_values[0][0] >= self.params.settle_s:
            self._signal_base.value = float(np.median(values))
            for base in self._fault_bases.values():
                base.fix()
            self._set_status(Status.TRACKING, t_s, events)

    def _track(self, m: Measurement, t_s: float, dt_s: float, events: list[Event]) -> None:
        if m.side and not self.side_override:
            self._side_votes[m.side] += 1
        value = m.signal_deg - self._signal_base.value
        at_rest = self.counter.phase == RepCounter.REST
        if at_rest and math.isfinite(value) and value < self.params.counter.exit_deg:
            self._signal_base.follow(m.signal_deg, dt_s, BASELINE_DOWN_TAU_S if value < 0 else BASELINE_TAU_S)
            # Faults are deviations from the user's resting posture, so their references follow it too. This
            # also repairs references learnt while settling happened to fall in the middle of a rep.
            if self._relearn_faults_until_s is None:
                for code, base in self._fault_bases.items():
                    base.follow(m.fault_measures.get(code, math.nan), dt_s, FAULT_BASELINE_TAU_S)
        cycle = self.counter.step(value, t_s)
        if self._relearn_faults_until_s is not None:
            self._relearn_fault_baselines(m, t_s)
        for code, monitor in self._monitors.items():
            measure = self._fault_value(code, m)
            onset = monitor.step(measure, t_s)
            if onset:
                events.append(FormWarning(t_s=onset.t_s, code=code, value=round(onset.value, 2), message=onset.message))
            if monitor.active:
                self._rep_faults.add(code)
        if cycle is None:
            return
        faults = set(self._rep_faults)
        self._rep_faults.clear()
        if cycle.t_end_s - cycle.t_start_s < self.params.min_rep_duration_s:
            code = Fault.TOO_FAST.value
            faults.add(code)
            events.append(FormWarning(t_s=cycle.t_end_s, code=code, value=round(cycle.t_end_s - cycle.t_start_s, 2),
                                      message=self.params.fault_messages.get(code, code)))
        events.append(RepCompleted(
            index=self.counter.count,
            side=self.side or "unknown",
            t_start_s=round(cycle.t_start_s, 3),
            t_peak_s=round(cycle.t_peak_s, 3),
            t_end_s=round(cycle.t_end_s, 3),
            peak_deg=round(cycle.peak_deg + self._signal_base.value, 1),
            faults=tuple(sorted(faults)),
        ))

    def _relearn_fault_baselines(self, m: Measurement, t_s: float) -> None:
        for code, base in self._fault_bases.items():
            base.learn(m.fault_measures.get(code, math.nan))
        if t_s >= self._relearn_faults_until_s:
            self._relearn_faults_until_s = None
            for base in self._fault_bases.values():
                base.fix()

    def _fault_value(self, code: str, m: Measurement) -> float:
        raw = m.fault_measures.get(code, math.nan)
        if code in self.params.absolute_faults:
            return float(raw)
        if self._relearn_faults_until_s is not None:
            return math.nan
        base = self._fault_bases[code]
        if not base.known:
            return math.nan
        # A vector measure (e.g. the hip line) is judged by how far it moved from the start, in any direction.
        return float(np.linalg.norm(raw - base.value)) if np.ndim(raw) else float(raw - base.value)

    # -- helpers ---------------------------------------------------------------------------------------------
    def _not_measurable(self, status: Status, t_s: float, events: list[Event], xy: np.ndarray | None = None,
                        vis: np.ndarray | None = None, message: str = "") -> StepResult:
        lost_for_s = t_s - self._t_last_ok_s if self._t_last_ok_s is not None else math.inf
        # A dropout of a few frames keeps the status, the settling progress and the rep in progress; a longer
        # one is reported (and the prompt it shows would only flicker for shorter ones).
        brief = lost_for_s <= BRIEF_DROPOUT_S and self.status in (Status.SETTLING, Status.TRACKING)
        if not brief:
            self._set_status(status, t_s, events, message)
        self.counter.step(None, t_s)
        return self._result(t_s, events, xy, vis, None)

    def _set_status(self, status: Status, t_s: float, events: list[Event], message: str = "") -> None:
        if status == self.status and self._status_announced:
            return
        self._status_announced = True
        self.status = status
        text = message or (self.model.wrong_view_message if status == Status.WRONG_VIEW else STATUS_MESSAGES[status])
        events.append(StatusChanged(t_s=t_s, status=status, message=text))

    def _result(self, t_s: float, events: list[Event], xy: np.ndarray | None, vis: np.ndarray | None,
                m: Measurement | None) -> StepResult:
        signal = None
        if m is not None and math.isfinite(m.signal_deg) and self._signal_base.known:
            signal = m.signal_deg - self._signal_base.value
        snapshot = TrackerSnapshot(
            t_s=t_s,
            status=self.status,
            side=self.side,
            reps=self.counter.count,
            signal_deg=signal,
            target_deg=self.params.target_deg,
            phase=self._phase(signal),
            active_faults=tuple(code for code, mon in self._monitors.items() if mon.active),
            xy_px=xy,
            visibility=vis,
            metrics={k: round(float(v), 2) for k, v in (m.metrics.items() if m else ()) if np.ndim(v) == 0 and math.isfinite(v)},
        )
        return StepResult(snapshot=snapshot, events=tuple(events))

    def _phase(self, signal: float | None) -> str:
        if self.counter.phase == RepCounter.REST or signal is None:
            return "rest"
        peak = self.counter.peak_deg
        if signal >= peak - 1.0:
            return "rising"
        return "top" if signal >= 0.8 * peak else "lowering"


# Landmarks may fall a little outside the picture (a foot below the frame edge) but never this far.
_MAX_OFF_FRAME_DIAGONALS = 3.0


def _sanitised(sample: PoseSample) -> tuple[np.ndarray, float]:
    """The sample's pixel landmarks with impossible values (not finite, far outside the frame) set to NaN, and
    the frame diagonal. Everything downstream treats NaN as 'not seen'."""
    width, height = (float(v) for v in sample.image_size)
    diag = math.hypot(width, height) if math.isfinite(width) and math.isfinite(height) else 0.0
    diag = diag if diag >= 1.0 else 1.0
    raw = np.array(sample.xy_px, dtype=float, copy=True)
    with np.errstate(invalid="ignore"):
        raw[~(np.abs(raw) <= _MAX_OFF_FRAME_DIAGONALS * diag)] = np.nan
    return raw, diag


def _hips(xy: np.ndarray) -> np.ndarray:
    return (xy[LM.L_HIP] + xy[LM.R_HIP]) / 2.0


def _leg_length_px(xy: np.ndarray) -> float:
    knees = (xy[LM.L_KNEE] + xy[LM.R_KNEE]) / 2.0
    ankles = (xy[LM.L_ANKLE] + xy[LM.R_ANKLE]) / 2.0
    length = float(np.hypot(*(knees - _hips(xy))) + np.hypot(*(ankles - knees)))
    return length if math.isfinite(length) and length > 1e-6 else 0.0
