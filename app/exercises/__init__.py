"""Per-exercise knowledge: what to measure in one pose, which posture is right, which faults to watch.

Each exercise module provides an `ExerciseModel`; the tracker does the rest (smoothing, baselines, counting,
fault persistence) the same way for all of them.
"""

from app.events import Exercise
from app.exercises.base import ExerciseModel, Measurement
from app.exercises.clamshell import ClamshellModel
from app.exercises.side_lying_abduction import SideLyingAbductionModel
from app.exercises.step_down import StepDownModel

MODELS: dict[Exercise, type[ExerciseModel]] = {
    Exercise.SIDE_LYING_ABDUCTION: SideLyingAbductionModel,
    Exercise.CLAMSHELL: ClamshellModel,
    Exercise.STEP_DOWN: StepDownModel,
}

__all__ = ["MODELS", "ExerciseModel", "Measurement"]
