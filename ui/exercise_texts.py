"""Instruction cards for each exercise, from its file in the exercise library (assets/exercises/<id>.toml)."""

from __future__ import annotations

from app.engine.events import Exercise
from app.engine.library import ExerciseSpec


def exercise_text(exercise: Exercise) -> ExerciseSpec:
    """The exercise's card: title, purpose, setup, movement, mistakes, camera, tempo, phase words."""
    return Exercise(exercise).spec


def title(exercise: Exercise) -> str:
    return exercise_text(exercise).title


SIDE_NAMES = {"left": "Left leg", "right": "Right leg", "auto": "Working leg"}
