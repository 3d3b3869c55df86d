"""Instruction cards for each exercise, from its file in the exercise library (assets/exercises/<id>.toml)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from app.engine.events import Exercise


@dataclass(frozen=True)
class Tempo:
    up_s: float
    hold_s: float
    down_s: float


@dataclass(frozen=True)
class ExerciseText:
    id: str
    title: str
    purpose: str
    setup: tuple[str, ...]
    movement: tuple[str, ...]
    mistakes: tuple[str, ...]
    camera: tuple[str, ...]
    tempo: Tempo
    phase_words: dict[str, str]  # what the tempo guide says in each tracker phase (rest/rising/top/lowering)


@functools.cache
def exercise_text(exercise: Exercise) -> ExerciseText:
    s = Exercise(exercise).spec
    return ExerciseText(id=s.id, title=s.title, purpose=s.purpose, setup=s.setup, movement=s.movement,
                        mistakes=s.mistakes, camera=s.camera, tempo=Tempo(**s.tempo), phase_words=dict(s.phase_words))


def title(exercise: Exercise) -> str:
    return exercise_text(exercise).title


SIDE_NAMES = {"left": "Left leg", "right": "Right leg", "auto": "Working leg"}
