"""A therapist's programme: who it is for, who wrote it, and per exercise what to do and which limits to judge by.

A programme is what a physiotherapist hands a patient (as a file, see `app.session.programme_file`); a
`SessionPlan` is what one session runs. `to_plan` turns the first into the second, carrying the per-exercise
thresholds and notes and a `ProgrammeStamp`: the programme's identity and prescription as plain data, which the
session log keeps so that done vs prescribed can be worked out later even when the file is gone.

What an exercise allows comes from the exercise library through two calls only, `Exercise` (which ids exist)
and `default_params` (its faults, their default limits and `limit_ranges`, its `kind` "reps" or "hold" and a
hold's `hold_target_s`), so new exercises become usable in programmes without a change here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field

from app.engine.events import Exercise
from app.engine.exercise_params import default_params
from app.session.plan import MAX_REPS_PER_SET, MAX_REST_S, MAX_SETS, ExerciseBlock, SessionPlan

FORMAT_VERSION = 1

# The side choices a programme can ask for, as ExerciseBlock.sides; "both" is side-major (all sets on the left,
# then all on the right), which is how SessionRun orders them.
SIDES: dict[str, tuple[str, ...]] = {
    "both": ("left", "right"),
    "left": ("left",),
    "right": ("right",),
    "auto": ("auto",),
}
SIDE_LABELS = {
    "both": "each side",
    "left": "left leg",
    "right": "right leg",
    "auto": "the leg the camera sees",
}
MAX_HOLD_S = 600.0
DEFAULT_REST_S = 60.0
MAX_TEXT = 2000  # a note longer than this is a pasting accident, not a prescription
MAX_NAME = 200  # title, patient, therapist: one line


# ---- what the exercise library says about an exercise ----------------------------------------------------------

def exercise_kind(exercise: Exercise | str) -> str:
    """"reps" (counted repetitions) or "hold" (a timed hold)."""
    return default_params(exercise).kind


def default_hold_s(exercise: Exercise | str) -> float:
    """The library's hold target, which a new programme entry starts from."""
    return float(default_params(exercise).hold_target_s or 30.0)


def default_limits(exercise: Exercise | str) -> dict[str, float]:
    """Fault code → the engine's default limit: the thresholds a programme may change for this exercise."""
    return {code: float(v) for code, v in default_params(exercise).fault_limits.items()}


def limit_range(exercise: Exercise | str, code: str) -> tuple[float, float]:
    """The values a therapist may give a fault's limit: the library's range (every fault in an exercise file
    declares one), else a generic band around the default (a tenth to five times it) that keeps typos out."""
    ranges = default_params(exercise).limit_ranges
    if code in ranges:
        low, high = ranges[code]
        return float(low), float(high)
    default = default_limits(exercise)[code]
    return default / 10.0, default * 5.0


def fault_message(exercise: Exercise | str, code: str) -> str:
    return str(default_params(exercise).fault_messages.get(code, ""))


# ---- the model ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProgrammeEntry:
    """One exercise of a programme. Exactly one of `reps` (a rep exercise) and `hold_s` (a hold) is set."""

    exercise: Exercise
    sets: int = 3
    reps: int | None = 10
    hold_s: float | None = None
    sides: str = "both"
    rest_s: float = DEFAULT_REST_S
    limits: tuple[tuple[str, float], ...] = ()  # fault code → the therapist's limit, in the order written
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "exercise", Exercise(self.exercise))  # an id given as text is checked here
        problems = entry_problems(self)
        if problems:
            raise ValueError(f"{self.exercise.value}: {problems[0]}")

    @property
    def limits_dict(self) -> dict[str, float]:
        return dict(self.limits)

    def dose(self) -> str:
        """'3 × 10 reps, each side' / '2 × 30 s hold, left leg'."""
        what = f"{self.reps} reps" if self.hold_s is None else f"{self.hold_s:g} s hold"
        return f"{self.sets} × {what}, {SIDE_LABELS[self.sides]}"


def entry_problems(e: ProgrammeEntry) -> list[str]:
    """What is wrong with an entry made in code (the file reader reports the same things with their line)."""
    out = []
    if not 1 <= e.sets <= MAX_SETS:
        out.append(f"sets must be 1 to {MAX_SETS}")
    if exercise_kind(e.exercise) == "hold":
        if e.reps is not None or e.hold_s is None:
            out.append("a hold exercise takes hold_s, not reps")
        elif not (math.isfinite(e.hold_s) and 1.0 <= e.hold_s <= MAX_HOLD_S):
            out.append(f"hold_s must be 1 to {MAX_HOLD_S:g}")
    else:
        if e.hold_s is not None or e.reps is None:
            out.append("a rep exercise takes reps, not hold_s")
        elif not 1 <= e.reps <= MAX_REPS_PER_SET:
            out.append(f"reps must be 1 to {MAX_REPS_PER_SET}")
    if e.sides not in SIDES:
        out.append(f"sides must be one of {', '.join(SIDES)}")
    if not (math.isfinite(e.rest_s) and 0.0 <= e.rest_s <= MAX_REST_S):
        out.append(f"rest_s must be 0 to {MAX_REST_S:g}")
    if len(e.note) > MAX_TEXT:
        out.append(f"a note may be at most {MAX_TEXT} characters")
    known = default_limits(e.exercise)
    codes = [code for code, _ in e.limits]
    if len(set(codes)) != len(codes):
        out.append("each fault's limit may be given once")
    for code, value in e.limits:
        if code not in known:
            out.append(f"{e.exercise.value} has no fault '{code}'")
            continue
        low, high = limit_range(e.exercise, code)
        if not (math.isfinite(value) and low <= value <= high):
            out.append(f"the {code} limit must be {low:g} to {high:g}")
    return out


@dataclass(frozen=True)
class Programme:
    title: str
    patient: str
    therapist: str
    date: dt.date
    entries: tuple[ProgrammeEntry, ...]
    note: str = ""
    version: int = FORMAT_VERSION

    def __post_init__(self) -> None:
        # The same rules as the file reader's, so that every Programme made in code can be saved and read back.
        for name in ("title", "patient", "therapist"):
            value = getattr(self, name)
            if not value.strip() or "\n" in value or len(value) > MAX_NAME:
                raise ValueError(f"{name} must be one non-empty line of at most {MAX_NAME} characters")
        if len(self.note) > MAX_TEXT:
            raise ValueError(f"a note may be at most {MAX_TEXT} characters")
        if not 1 <= self.version <= FORMAT_VERSION:
            raise ValueError(f"version must be 1 to {FORMAT_VERSION}")
        if not self.entries:
            raise ValueError("a programme needs at least one exercise")
        seen = [e.exercise for e in self.entries]
        if len(set(seen)) != len(seen):
            raise ValueError("each exercise may appear once in a programme")

    def content_hash(self) -> str:
        """SHA-256 of the programme's content (not of the file's bytes): the same prescription has the same hash
        whatever the comments or spacing of the file it came from."""
        blob = json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def to_json(self) -> dict:
        return {"version": self.version, "title": self.title, "patient": self.patient, "therapist": self.therapist,
                "date": self.date.isoformat(), "note": self.note,
                "entries": [entry_to_json(e) for e in self.entries]}

    def stamp(self, file_name: str = "") -> ProgrammeStamp:
        return ProgrammeStamp(title=self.title, patient=self.patient, therapist=self.therapist,
                              date=self.date.isoformat(), sha256=self.content_hash(), file_name=file_name,
                              entries=tuple(entry_to_json(e) for e in self.entries))

    def suggested_file_name(self) -> str:
        """'<patient>-<date>.medius.toml', with the patient's name made safe for any file system."""
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in self.patient.strip()).strip("-") or "programme"
        while "--" in safe:
            safe = safe.replace("--", "-")
        return f"{safe}-{self.date.isoformat()}.medius.toml"


def entry_to_json(e: ProgrammeEntry) -> dict:
    # Numbers as float where the file allows either (rest_s = 60 and 60.0 are the same prescription and hash).
    return {"exercise": e.exercise.value, "sets": e.sets, "reps": e.reps,
            "hold_s": None if e.hold_s is None else float(e.hold_s), "sides": e.sides, "rest_s": float(e.rest_s),
            "limits": {code: float(v) for code, v in e.limits}, "note": e.note}


@dataclass(frozen=True)
class ProgrammeStamp:
    """What the session log keeps of the programme a session followed: plain data (exercise ids as text), so it
    reads back even if the exercise library changes or the file is gone."""

    title: str
    patient: str
    therapist: str
    date: str  # ISO day the therapist dated the programme
    sha256: str
    file_name: str = ""
    entries: tuple[dict, ...] = field(default=())  # entry_to_json() of each entry, in order

    def to_json(self) -> dict:
        return {"title": self.title, "patient": self.patient, "therapist": self.therapist, "date": self.date,
                "sha256": self.sha256, "file_name": self.file_name, "entries": [dict(e) for e in self.entries]}

    @classmethod
    def from_json(cls, data: dict) -> ProgrammeStamp:
        return cls(title=str(data["title"]), patient=str(data["patient"]), therapist=str(data["therapist"]),
                   date=str(data["date"]), sha256=str(data["sha256"]), file_name=str(data.get("file_name", "")),
                   entries=tuple(dict(e) for e in data.get("entries", ())))

    def label(self) -> str:
        """One line for lists: 'Week 3 (A. Patient, by J. Smith, 2026-12-01)'."""
        return f"{self.title} ({self.patient}, by {self.therapist}, {self.date})"


# ---- programme → session ---------------------------------------------------------------------------------------

def to_plan(programme: Programme, file_name: str = "") -> SessionPlan:
    """The session that follows `programme`: its doses, per-exercise rests, thresholds and notes, and its stamp."""
    blocks = tuple(
        ExerciseBlock(e.exercise, sets=e.sets, reps_per_set=e.reps if e.reps is not None else 1,
                      sides=SIDES[e.sides], rest_s=e.rest_s, limits=e.limits, note=e.note, hold_s=e.hold_s)
        for e in programme.entries)
    return SessionPlan(blocks=blocks, rest_s=programme.entries[0].rest_s, name=programme.title,
                       programme=programme.stamp(file_name))


def changed_limits(entry: ProgrammeEntry) -> list[tuple[str, float, float]]:
    """(code, the therapist's limit, the default) for the limits that differ from the engine's default."""
    defaults = default_limits(entry.exercise)
    return [(code, v, defaults[code]) for code, v in entry.limits if abs(v - defaults.get(code, v)) > 1e-9]


def new_entry(exercise: Exercise | str) -> ProgrammeEntry:
    """An entry with the exercise's usual dose: 3 × 10 per side, or 3 holds of the library's target."""
    ex = Exercise(exercise)
    if exercise_kind(ex) == "hold":
        return ProgrammeEntry(ex, sets=3, reps=None, hold_s=default_hold_s(ex))
    return ProgrammeEntry(ex)
