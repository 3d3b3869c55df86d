"""How the GUI builds the engine objects for a set: frame sources, analyzers, therapist parameters.

The analysis modules (app.pipeline.analysis, app.engine.exercise_params) are imported lazily, inside the factories: the
factories run on the vision thread, and the GUI can start (and show a clear message) even if the engine fails.
"""

from __future__ import annotations

import logging

from app.engine.events import Exercise, Fault
from app.adapters.frame_source import FrameSource, open_source
from app.settings import Settings

log = logging.getLogger(__name__)

# Settings field → (exercise it applies to, the Fault code whose limit it sets in ExerciseParams.fault_limits).
THERAPIST_FIELDS = {
    "ceiling_deg": (Exercise.SIDE_LYING_ABDUCTION, Fault.LEG_ABOVE_HIP.value),
    "pelvic_drop_tol_deg": (Exercise.STEP_DOWN, Fault.PELVIC_DROP.value),
}
FALLBACK_DEFAULTS = {"ceiling_deg": 45.0, "pelvic_drop_tol_deg": 8.0}


def engine_default(name: str) -> float:
    """The engine's default for a therapist threshold (shown in Settings when the user never set one)."""
    try:
        from app.engine.exercise_params import default_params

        exercise, code = THERAPIST_FIELDS[name]
        return float(default_params(exercise).fault_limits[code])
    except (ImportError, KeyError):
        return FALLBACK_DEFAULTS[name]


def therapist_params(exercise: Exercise, settings: Settings, limits: tuple[tuple[str, float], ...] = (),
                     hold_s: float | None = None):
    """default_params(exercise) with the limits the therapist changed; None lets the analyzer use its defaults.
    `limits` (fault code, limit) and `hold_s` (a hold's target) come from the programme the session follows;
    its limits win over Settings."""
    changes = {code: float(getattr(settings, name)) for name, (ex, code) in THERAPIST_FIELDS.items()
               if ex is exercise and getattr(settings, name) is not None}
    changes.update({code: float(value) for code, value in limits})
    if not changes and hold_s is None:
        return None
    from dataclasses import replace

    from app.engine.exercise_params import default_params

    params = default_params(exercise)
    params = params.with_limits(**changes) if changes else params
    return replace(params, hold_target_s=float(hold_s)) if hold_s is not None else params


def analyzer_factory(exercise: Exercise, side: str, settings: Settings, limits: tuple[tuple[str, float], ...] = (),
                     hold_s: float | None = None):
    params = therapist_params(exercise, settings, limits, hold_s)

    def make(estimator=None):
        from app.pipeline.analysis import FrameAnalyzer

        return FrameAnalyzer(exercise, side=side, params=params, estimator=estimator)

    return make


def worker_context():
    """One pose estimator per pipeline run, shared by the sets' analyzers (built on the vision thread while the
    instruction card shows). The several-people search builds its own model lazily on first use (~0.1 s):
    one search of a blank picture builds it now instead of at the first frame of the set. It is stateless
    (IMAGE mode), so this leaves no trace in the tracking."""
    import numpy as np

    from app.adapters.pose_estimator import PoseEstimator

    estimator = PoseEstimator()
    if hasattr(estimator, "detect_people"):
        estimator.detect_people(np.zeros((64, 64, 3), np.uint8), 0)
    return estimator


def source_factory(spec: str | int | None, settings: Settings):
    """A file path, a camera index, or None for the camera chosen in Settings."""
    def make() -> FrameSource:
        target = settings.camera_index if spec is None or spec == "" else spec
        return open_source(target, width=settings.camera_width, height=settings.camera_height)

    return make


def is_file_source(spec: str | int | None) -> bool:
    return isinstance(spec, str) and spec != "" and not spec.isdigit()
