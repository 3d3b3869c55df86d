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
from dataclasses import replace

import numpy as np

from app.engine.events import (
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
from app.engine.camera_cuts import CutDetector
from app.engine.exercise_params import ExerciseParams, default_params
from app.engine.exercises.base import Measurement
from app.engine.exercises.spec_model import SpecModel
from app.engine.filters import OneEuroFilter
from app.engine.form_rules import FaultMonitor, FaultRule
from app.engine.landmarks import LM
from app.engine.leg_labels import LegLabelKeeper
from app.engine.pose import PoseSample
from app.engine.rep_counter import RepCounter
from app.engine.rep_signal import Baseline, RepSignal
from app.engine.status_prompt import StatusPrompt

VISIBILITY_MEAN_MIN = 0.5  # mean visibility of the landmarks an exercise needs
VISIBILITY_EACH_MIN = 0.3  # and of each one of them
RESUME_WITHIN_S = 1.0  # a dropout shorter than this resumes counting without settling again
FAULT_BASELINE_TAU_S = 2.0  # how quickly the resting posture of the fault measures is followed
BRIEF_DROPOUT_S = 0.34  # shorter dropouts are not even reported
SETTLE_STEADY_DEG = 10.0  # the rep signal must stay within this band while settling
OUTSIDE_PICTURE_MARGIN = 0.02  # of the frame's longer side
OUTSIDE_PICTURE_VISIBILITY = 0.45  # below the 0.5 that makes a landmark a usable reference
VIEW_MOVED_DEG = 15.0  # the still segment turning by more than this during a rep = the camera moved
CAMERA_MOVED = "the camera moved during the rep"
UNJUDGED_SHARE = 0.5
HOLD_SHORT = "hold_short"  # a hold let go well before its target time
HOLD_SHORT_SHARE = 0.8  # held less than this share of the target  # a fault not measurable on this share of a rep's frames is "not judged" on that rep
STATUS_MESSAGES = {
    Status.NO_PERSON: "Get into frame: the camera cannot see you",
    Status.PARTIAL: "Move so that your hips, knees and feet are in view",
    Status.SETTLING: "Hold the starting position",
    Status.TRACKING: "Go",
}


class ExerciseTracker:
    def __init__(self, exercise: Exercise | str, side: str = "auto", params: ExerciseParams | None = None) -> None:
        self.exercise = Exercise(exercise)
        if side not in ("auto", "left", "right"):
            raise ValueError("side must be 'auto', 'left' or 'right'")
        self.side_override = None if side == "auto" else side
        self.params = params or default_params(self.exercise)
        self.model = SpecModel(self.exercise.spec)
        self.counter = RepCounter(self.params.counter)
        self._filter = OneEuroFilter(self.params.smoothing_min_cutoff_hz, self.params.smoothing_beta)
        self._monitors = {
            code: FaultMonitor(FaultRule(code, limit, message=self.params.fault_messages.get(code, code)))
            for code, limit in self.params.fault_limits.items()
        }
        self._signal = RepSignal()
        self._fault_bases = {code: Baseline() for code in self._monitors}
        self._anchor_base = Baseline()  # resting direction of the exercise's still segment (camera motion)
        self.status = Status.NO_PERSON  # what the tracker is doing this frame (decides what is counted)
        self._status_message = ""
        self._prompt = StatusPrompt()  # what the user is told: the same, steadied
        self._labels = LegLabelKeeper()
        self._cuts = CutDetector()
        self._t_last_ok_s: float | None = None  # last frame with the posture right
        self._t_last_tracked_s: float | None = None  # last frame that was counted
        self._t_prev_s: float | None = None
        self._side_votes: Counter[str] = Counter()
        self._rep_leg_votes: Counter[str] = Counter()  # per counted rep, the leg whose key carried its peak
        self._peak_key: str | None = None  # the rep signal's key that carried the peak of the rep in progress
        self._rep_faults: set[str] = set()
        self._rep_frames = 0  # frames of the rep in progress, and per fault those it could not be judged on
        self._rep_unjudged: dict[str, Counter[str]] = {}
        self._rep_peak_angle = math.nan
        self._rise = math.nan  # this frame's rep signal above rest, from _track
        self._fault_side: str | None = None  # the working leg the fault references were learnt with
        # Measured frames, and those whose rep signal came mostly from the picture (the rest mostly from the
        # world landmarks): how the per-frame choice of source went, for `medius analyze`.
        self.source_frames: Counter[str] = Counter()
        self._relearn_faults_until_s: float | None = None  # after a camera cut, until this time
        self._relearning: set[str] = set()  # the fault codes whose references are being learnt again
        self._last_hips: np.ndarray | None = None

    # -- public ----------------------------------------------------------------------------------------------
    @property
    def reps(self) -> int:
        return self.counter.count

    @property
    def cuts(self) -> int:
        return self._cuts.cuts

    @property
    def side(self) -> str | None:
        if self.side_override:
            return self.side_override
        # The leg that made the counted reps, once there are some: a leg whose resting value was learnt before
        # the user shifted their weight reads "up" on many frames without making a rep.
        votes = self._rep_leg_votes or self._side_votes
        return votes.most_common(1)[0][0] if votes else None

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
        seen = np.clip(np.nan_to_num(np.asarray(sample.visibility, dtype=float), nan=0.0), 0.0, 1.0)
        raw, seen, world = self._labels.fix(raw, seen, sample.world_m, t_s)
        # Only skeletons that fit the exercise are compared for cuts (app.engine.camera_cuts says why).
        t_cut = self._cuts.step(raw, t_s, fits=self.model.posture(raw, seen).ok)
        if t_cut is not None:
            # A new shot: smoothing across it would blend two views, and the posture baselines of the faults
            # belong to the old view. A rep in progress ends at the cut, judged on what came before it; the
            # resting level of the rep signal carries on (it is an angle, much the same in any shot).
            self._filter.reset()
            self._labels.reset()
            self._begin_fault_relearning(t_s)
            cycle = self.counter.cut(t_cut)
            if cycle is not None:
                self._emit_rep(cycle, events)
        xy = self._filter(raw / diag, t_s) * diag
        # A landmark that was not seen in this frame counts as invisible, even where the filter still holds
        # its last position.
        vis = np.where(np.isfinite(raw).all(axis=1), seen, 0.0)
        # A landmark outside the picture is MediaPipe's guess (shoulders in a close-up of the legs, a raised foot
        # past the edge): good enough to carry a rep through, not to serve as a reference.
        vis = np.where(_outside_picture(raw, sample.image_size), np.minimum(vis, OUTSIDE_PICTURE_VISIBILITY), vis)
        self._last_hips = _hips(xy)

        if not self.model.visible(vis, VISIBILITY_MEAN_MIN, VISIBILITY_EACH_MIN):
            return self._not_measurable(Status.PARTIAL, t_s, events, xy, vis)
        posture = self.model.posture(xy, vis)
        if not posture.ok:
            return self._not_measurable(Status.WRONG_VIEW, t_s, events, xy, vis, posture.message)

        m = self.model.measure(xy, vis, world, side_hint=self.side)
        self._t_last_ok_s = t_s
        resumed = self._t_last_tracked_s is not None and t_s - self._t_last_tracked_s <= RESUME_WITHIN_S
        if self.status != Status.TRACKING and resumed:
            self._set_status(Status.TRACKING)  # a brief dropout: carry on with the rep
        elif self.status != Status.TRACKING:
            self._settle(m, t_s)
        if self.status == Status.TRACKING:
            self._t_last_tracked_s = t_s
            self._track(m, t_s, dt_s, events)
        return self._result(t_s, events, xy, vis, m)

    # -- stages ----------------------------------------------------------------------------------------------
    def _settle(self, m: Measurement, t_s: float) -> None:
        if self.status != Status.SETTLING:
            self._set_status(Status.SETTLING)
            self._signal.start_settling()
            for base in self._fault_bases.values():
                base.samples.clear()
        values = _signals(m)
        if not any(math.isfinite(v) for v in values.values()):
            return
        for code, base in self._fault_bases.items():
            base.learn(m.fault_measures.get(code, math.nan))
        if m.view_anchor is not None:
            self._anchor_base.learn(m.view_anchor)
        if m.side and not self.side_override:
            self._side_votes[m.side] += 1
        if self._signal.settle(values, t_s, self.params.settle_s, SETTLE_STEADY_DEG):
            for base in (*self._fault_bases.values(), self._anchor_base):
                base.fix()
            self._set_status(Status.TRACKING)

    def _track(self, m: Measurement, t_s: float, dt_s: float, events: list[Event]) -> None:
        if m.side and not self.side_override:
            self._side_votes[m.side] += 1
        if m.fault_side != self._fault_side:
            # The fault measures are now taken from the other leg (its side became known, or changed). A tilt
            # signed by the leg (pelvic drop, trunk lean) reads exactly the negative from the other leg, so its
            # resting value is turned round; the others (the top hip of the roll) learn theirs again.
            if self._fault_side is not None and m.fault_side is not None:
                mirrored = set(getattr(self.model, "antisymmetric_faults", ())) & set(self._fault_bases)
                for code in mirrored:
                    base = self._fault_bases[code]
                    if base.known:
                        base.value = -base.value
                self._begin_fault_relearning(t_s, keep={c for c in mirrored if self._fault_bases[c].known})
            self._fault_side = m.fault_side
        values = _signals(m)
        value, key = self._signal.value(values)
        value, key = self._rep_key_rise(values, value, key)
        self._rise = value
        at_rest = self.counter.phase == RepCounter.REST
        if at_rest and math.isfinite(value) and value < self.params.counter.enter_deg:
            self._signal.follow_rest(values, dt_s, self.params.counter.enter_deg)
            # Faults are deviations from the user's resting posture, so their references follow it too. This
            # also repairs references learnt while settling happened to fall in the middle of a rep.
            for code, base in self._fault_bases.items():
                if self._relearn_faults_until_s is None or code not in self._relearning:
                    base.follow(m.fault_measures.get(code, math.nan), dt_s, FAULT_BASELINE_TAU_S)
            if m.view_anchor is not None:
                if self._anchor_base.known:
                    self._anchor_base.follow(m.view_anchor, dt_s, FAULT_BASELINE_TAU_S)
                else:
                    self._anchor_base.value = m.view_anchor
            self._start_rep_record()
        if math.isfinite(value) and value >= self.params.counter.enter_deg and key and "@" in key \
                and not self.side_override:
            self._side_votes[key.split("@")[0]] += 1  # the leg that rises is the working leg
        m = self._with_camera_motion(m)
        self._record_rep_frame(m, value, key)
        cycle = self.counter.step(value, t_s, m.angle_deg)  # the anatomical angle witnesses the return
        if cycle is not None and self._peak_key and "@" in self._peak_key:
            self._rep_leg_votes[self._peak_key.split("@")[0]] += 1
        if self.counter.phase != RepCounter.UP:
            self._peak_key = None
        elif math.isfinite(value) and value >= self.counter.peak_deg:
            self._peak_key = key
        if self._relearn_faults_until_s is not None:
            self._relearn_fault_baselines(m, t_s)
        # Form is judged while the user moves through a rep: getting into position, shifting at rest or
        # reaching for the remote are not exercise form.
        in_rep = self.counter.phase == RepCounter.UP
        for code, monitor in self._monitors.items():
            measure = self._fault_value(code, m) if in_rep else math.nan
            if not in_rep and monitor.active:
                monitor.reset()
            onset = monitor.step(measure, t_s)
            if onset:
                events.append(FormWarning(t_s=onset.t_s, code=code, value=round(onset.value, 2), message=onset.message))
            if monitor.active:
                self._rep_faults.add(code)
        if cycle is not None:
            self._emit_rep(cycle, events)

    def _rep_key_rise(self, values: dict[str, float], value: float, key: str | None) -> tuple[float, str | None]:
        """During a rep, the rise of the key that carried its peak, while no key beats that peak: the rep ends
        when the leg that made it is back down. With one resting value per leg, the standing leg of a standing
        abduction seen from behind read 15-35° above the value learnt before the user leant into the cable,
        and as the largest rise it held five reps open as two."""
        if self.counter.phase != RepCounter.UP or self._peak_key is None or key == self._peak_key:
            return value, key
        own = self._signal.rise(values, self._peak_key)
        if math.isfinite(own) and not value > self.counter.peak_deg:
            return own, self._peak_key
        return value, key

    def _emit_rep(self, cycle, events: list[Event]) -> None:
        faults = set(self._rep_faults)
        self._rep_faults.clear()
        if cycle.t_end_s - cycle.t_start_s < self.params.min_rep_duration_s:
            code = Fault.TOO_FAST.value
            faults.add(code)
            events.append(FormWarning(t_s=cycle.t_end_s, code=code, value=round(cycle.t_end_s - cycle.t_start_s, 2),
                                      message=self.params.fault_messages.get(code, code)))
        target = self.params.hold_target_s
        if self.params.kind == "hold" and target and cycle.held_s < HOLD_SHORT_SHARE * target:
            faults.add(HOLD_SHORT)
            events.append(FormWarning(t_s=cycle.t_end_s, code=HOLD_SHORT, value=round(cycle.held_s, 1),
                                      message=f"Hold it longer: aim for {target:g} seconds"))
        unjudged = self._rep_unjudged_faults(faults)
        peak = self._rep_peak_angle if math.isfinite(self._rep_peak_angle) else cycle.peak_deg
        self._start_rep_record()
        events.append(RepCompleted(
            index=self.counter.count,
            side=self.side or "unknown",
            t_start_s=round(cycle.t_start_s, 3),
            t_peak_s=round(cycle.t_peak_s, 3),
            t_end_s=round(cycle.t_end_s, 3),
            peak_deg=round(peak, 1),
            faults=tuple(sorted(faults)),
            unjudged=unjudged,
            held_s=round(cycle.held_s, 2),
        ))

    def _with_camera_motion(self, m: Measurement) -> Measurement:
        """Faults judged against the resting posture cannot be judged while the camera moves."""
        if m.view_anchor is None or not self._anchor_base.known:
            return m
        turned = math.degrees(math.acos(max(-1.0, min(1.0, float(np.dot(m.view_anchor, self._anchor_base.value))
                                                    / max(1e-9, float(np.linalg.norm(self._anchor_base.value)))))))
        if turned <= VIEW_MOVED_DEG:
            return m
        relative = {code: CAMERA_MOVED for code in self._monitors if code not in self.params.absolute_faults}
        return replace(m, unjudged={**relative, **m.unjudged})

    def _start_rep_record(self) -> None:
        self._rep_frames = 0
        self._rep_unjudged = {}
        self._rep_peak_angle = math.nan

    def _record_rep_frame(self, m: Measurement, value: float, key: str | None) -> None:
        """What the rep in progress could not judge, and its anatomical peak angle."""
        self._rep_frames += 1
        for code, reason in m.unjudged.items():
            self._rep_unjudged.setdefault(code, Counter())[reason] += 1
        angle = m.angle_deg if math.isfinite(m.angle_deg) else self._signal.raw(key, value)
        if math.isfinite(angle) and not angle <= self._rep_peak_angle:
            self._rep_peak_angle = angle

    def _rep_unjudged_faults(self, faults: set[str]) -> tuple[tuple[str, str], ...]:
        out = []
        for code in sorted(self._monitors):
            reasons = self._rep_unjudged.get(code)
            if code in faults or not reasons or self._rep_frames == 0:
                continue
            if sum(reasons.values()) >= UNJUDGED_SHARE * self._rep_frames:
                out.append((code, reasons.most_common(1)[0][0]))
        return tuple(out)

    def _begin_fault_relearning(self, t_s: float, keep: set[str] = frozenset()) -> None:
        """The fault references learn again for settle_s (all but those in `keep`, still valid)."""
        self._relearning = set(self._fault_bases) - set(keep)
        if not self._relearning:
            return
        self._relearn_faults_until_s = t_s + self.params.settle_s
        for code in self._relearning:
            self._fault_bases[code].samples.clear()
            self._monitors[code].reset()

    def _relearn_fault_baselines(self, m: Measurement, t_s: float) -> None:
        for code in self._relearning:
            self._fault_bases[code].learn(m.fault_measures.get(code, math.nan))
        if t_s >= self._relearn_faults_until_s:
            self._relearn_faults_until_s = None
            for code in self._relearning:
                self._fault_bases[code].fix()

    def _fault_value(self, code: str, m: Measurement) -> float:
        if code in m.unjudged:
            return math.nan  # no evidence either way: never a warning from a measure we cannot trust here
        raw = m.fault_measures.get(code, math.nan)
        if code in self.params.absolute_faults:
            return float(raw)
        if self._relearn_faults_until_s is not None and code in self._relearning:
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
            self._set_status(status, message)
        self.counter.step(None, t_s)
        return self._result(t_s, events, xy, vis, None)

    def _set_status(self, status: Status, message: str = "") -> None:
        """What the tracker is doing now; `_announce` decides when the user is told."""
        self.status = status
        self._status_message = message or (
            self.model.wrong_view_message if status == Status.WRONG_VIEW else STATUS_MESSAGES[status])

    def _announce(self, t_s: float, events: list[Event]) -> None:
        shown = self._prompt.update(self.status, self._status_message, t_s)
        if shown is not None:
            events.append(StatusChanged(t_s=t_s, status=shown[0], message=shown[1]))

    def _result(self, t_s: float, events: list[Event], xy: np.ndarray | None, vis: np.ndarray | None,
                m: Measurement | None) -> StepResult:
        self._announce(t_s, events)
        signal = None
        if m is not None and self._signal.known:
            # The rise _track computed for this frame; while settling again, peek without adopting new keys.
            rise = (self._rise if self.status == Status.TRACKING
                    else self._signal.value(_signals(m), adopt_new=False)[0])
            signal = rise if math.isfinite(rise) else None
        if m is not None:
            self.source_frames["measured"] += 1
            self.source_frames["picture"] += m.picture_weight >= 0.5
        snapshot = TrackerSnapshot(
            t_s=t_s,
            status=self._prompt.shown,
            side=self.side,
            reps=self.counter.count,
            signal_deg=signal,
            target_deg=self.params.target_deg,
            phase=self._phase(signal),
            active_faults=tuple(code for code, mon in self._monitors.items() if mon.active),
            xy_px=xy,
            visibility=vis,
            metrics={k: round(float(v), 2) for k, v in (m.metrics.items() if m else ()) if np.ndim(v) == 0 and math.isfinite(v)},
            hold_s=round(self.counter.held_s, 2) if self.params.kind == "hold" else None,
            hold_target_s=self.params.hold_target_s,
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


def _outside_picture(xy: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    width, height = (float(v) for v in image_size)
    margin = OUTSIDE_PICTURE_MARGIN * max(width, height)
    with np.errstate(invalid="ignore"):
        return ((xy[:, 0] < -margin) | (xy[:, 0] > width + margin) | (xy[:, 1] < -margin)
                | (xy[:, 1] > height + margin))


def _signals(m: Measurement) -> dict[str, float]:
    return m.signal_by_side if m.signal_by_side is not None else {"": m.signal_deg}


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
