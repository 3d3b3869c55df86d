"""The one exercise model: measures a frame as an exercise file says (posture, working leg, rep signal, faults).

Everything exercise-specific is in the file (app.engine.library reads it); the geometry is in the measure and
posture vocabularies. What the tracker gets is the same `Measurement` for every exercise.
"""

from __future__ import annotations

import math

import numpy as np

from app.engine.exercises.base import ExerciseModel, Measurement, PostureCheck
from app.engine.exercises.measures import SIDES, VOCABULARY, Frame, Measure
from app.engine.exercises.postures import POSTURES, working_leg


# Knee flexion, picture or world (whichever shows more: a knee bending towards a frontal camera): what tells
# the stance leg of a standing exercise.
KNEE_FLEXION = Measure("joint_angle", {"joint": ("hip", "knee", "ankle"), "flexion": True, "source": "larger"})


class SpecModel(ExerciseModel):
    def __init__(self, spec) -> None:  # an app.engine.library.ExerciseSpec
        self.spec = spec
        self.required = spec.required
        self.wrong_view_message = spec.posture_message
        self._posture = POSTURES[spec.posture]
        # Faults whose measure reads the negative from the other leg: the tracker turns their reference round
        # when the working leg turns out to be the other one, instead of learning it again mid-rep.
        self.antisymmetric_faults = frozenset(f.code for f in spec.faults
                                              if VOCABULARY[f.measure.kind].antisymmetric and f.measure.legs == "working")

    def posture(self, xy: np.ndarray, visibility: np.ndarray) -> PostureCheck:
        check = self._posture.check(xy, visibility)
        if not check.ok:
            return PostureCheck(False, check.message or self.spec.posture_message)
        if self.spec.posture_limits:
            frame = Frame(xy, visibility, None)
            for limit in self.spec.posture_limits:
                leg = "left"  # posture limits are symmetric measures (a distance between the two sides)
                if limit.measure.read(frame, leg).value > limit.max:
                    return PostureCheck(False, limit.message)
        return check

    def measure(self, xy: np.ndarray, visibility: np.ndarray, world: np.ndarray | None,
                side_hint: str | None = None) -> Measurement:
        spec = self.spec
        frame = Frame(xy, visibility, world)
        flexion = None
        if spec.working_leg == "stance":
            # The stance knee is the one that bends.
            flexion = {s: float(KNEE_FLEXION.read_leg(frame, s).value) for s in SIDES}
        leg, side = working_leg(spec.working_leg, spec.posture, xy, visibility, side_hint, flexion)
        signals = spec.signal.read_signal(frame, leg)
        by_key = {k: float(r.value) for k, r in signals.items()}
        # The working leg's own reading is the headline signal (its key, or the only one).
        own = next((r for r in signals.values() if r.key in ("", leg) or r.key.startswith(f"{leg}@")
                    or r.key in ("picture", "world")), next(iter(signals.values())))
        fault_measures, unjudged = {}, {}
        named = {m.name: m.measure.read(frame, leg).value for m in spec.metrics}
        metrics = {}
        for fault in spec.faults:
            reading = fault.measure.read(frame, leg)
            fault_measures[fault.code] = reading.value
            gate = named[fault.judged_by_metric] if fault.judged_by_metric else own.value
            if reading.unjudged:
                unjudged[fault.code] = reading.unjudged
            elif fault.judged_below_signal is not None and float(gate) > fault.judged_below_signal:
                unjudged[fault.code] = fault.beyond_reason
            metrics[fault.metric] = reading.value
        angle = math.nan
        weight = own.picture_weight
        if spec.angle is not None:
            reading = spec.angle.measure.read(frame, leg)
            angle = float(reading.value)
            metrics[spec.angle.name] = angle
            metrics["picture_weight"] = reading.picture_weight
        metrics.update(named)
        return Measurement(
            signal_deg=float(own.value),
            side=side,
            fault_measures=fault_measures,
            metrics=metrics,
            signal_by_side=by_key if len(by_key) > 1 or next(iter(by_key)) != "" else None,
            unjudged=unjudged,
            picture_weight=weight,
            angle_deg=angle,
            fault_side=leg,
            view_anchor=self._posture.still_segment(xy, visibility),
        )
