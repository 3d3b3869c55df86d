"""Instruction cards for each exercise, read from assets/exercises/<id>.json (our own words)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from app.assets import asset_path
from app.events import Exercise


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
    data = json.loads(asset_path("exercises", f"{exercise.value}.json").read_text(encoding="utf-8"))
    return ExerciseText(
        id=data["id"],
        title=data["title"],
        purpose=data["purpose"],
        setup=tuple(data["setup"]),
        movement=tuple(data["movement"]),
        mistakes=tuple(data["mistakes"]),
        camera=tuple(data["camera"]),
        tempo=Tempo(**data["tempo"]),
        phase_words=dict(data.get("phase_words", {})),
    )


def title(exercise: Exercise) -> str:
    return exercise_text(exercise).title


SIDE_NAMES = {"left": "Left leg", "right": "Right leg", "auto": "Working leg"}
