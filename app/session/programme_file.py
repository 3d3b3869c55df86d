"""The programme file: TOML a therapist's app writes and a patient's app reads (`*.medius.toml`).

    format = "medius-programme"
    version = 1
    title = "Week 3: hip strength"
    patient = "Anna Example"
    therapist = "J. Smith, physiotherapist"
    date = 2026-12-01
    note = "Stop if it hurts."

    [[exercises]]
    id = "side-lying-abduction"
    sets = 3
    reps = 10              # a timed hold takes hold_s = 30 instead
    sides = "both"         # both | left | right | auto
    rest_s = 60
    note = "Slowly on the way down."

    [exercises.limits]     # optional: fault code = the therapist's limit (only codes this exercise has)
    leg_above_hip = 35.0

Reading goes through `app.datafile`, so every error names the file, the line and what to change. Every key is
checked (a misspelt one is an error, not silently a default), and a file from a newer format version is refused
with "update the app" rather than half-read. Writing is by hand (tomllib only reads): the format is small, and
strings are written so that any text (quotes, backslashes, newlines, any script) reads back identically.
"""

from __future__ import annotations

import os
import pathlib
import re

from app import __version__
from app.datafile import DataFileError, Fields, load_toml, parse_toml
from app.engine.events import Exercise
from app.session.plan import MAX_REPS_PER_SET, MAX_REST_S, MAX_SETS
from app.session.programme import (
    FORMAT_VERSION, MAX_HOLD_S, MAX_NAME, MAX_TEXT, SIDES, Programme, ProgrammeEntry, default_limits, exercise_kind,
    limit_range,
)

FORMAT = "medius-programme"
SUFFIX = ".medius.toml"
TOP_KEYS = {"format", "version", "title", "patient", "therapist", "date", "note", "exercises"}
ENTRY_KEYS = {"id", "sets", "reps", "hold_s", "sides", "rest_s", "note", "limits"}


# ---- reading ----------------------------------------------------------------------------------------------------

def load_programme(path: str | os.PathLike) -> Programme:
    """Read and check a programme file; raises DataFileError (one line: file, line, what is wrong)."""
    return _programme(load_toml(path))


def parse_programme(text: str, path: str | os.PathLike = "programme.medius.toml") -> Programme:
    return _programme(parse_toml(text, path))


def _programme(top: Fields) -> Programme:
    # Format and version first: a newer file may use keys this app does not know, and "update the app" is the
    # helpful message then, not "unknown key".
    fmt = top.data.get("format")
    if fmt != FORMAT:
        raise top.error("format" if "format" in top.data else None,
                        f"this is not a Medius Coach programme (expected format = \"{FORMAT}\" at the top)")
    version = top.integer("version", low=1)
    if version > FORMAT_VERSION:
        raise top.error("version", f"made by a newer Medius Coach (programme format {version}; this app reads up "
                                   f"to {FORMAT_VERSION}): update the app to open it")
    top.reject_unknown(TOP_KEYS)
    title = _name(top, "title")
    patient = _name(top, "patient")
    therapist = _name(top, "therapist")
    date = top.date("date")
    note = _note(top)
    if "exercises" not in top.data:
        raise top.error(None, "the programme has no exercises: add at least one [[exercises]] table")
    entries, seen = [], {}
    for f in top.tables("exercises"):
        entry = _entry(f)
        if entry.exercise in seen:
            raise f.error("id", f"'{entry.exercise.value}' is already in this programme (exercise "
                                f"{seen[entry.exercise]}); give each exercise once")
        seen[entry.exercise] = len(entries) + 1
        entries.append(entry)
    if not entries:
        raise top.error("exercises", "the programme has no exercises: add at least one [[exercises]] table")
    try:
        return Programme(title=title, patient=patient, therapist=therapist, date=date, note=note,
                         entries=tuple(entries), version=version)
    except ValueError as exc:
        raise top.error(None, str(exc)) from None


def _name(f: Fields, key: str) -> str:
    value = f.text(key)
    if len(value) > MAX_NAME or "\n" in value:
        raise f.error(key, f"expected one line of at most {MAX_NAME} characters")
    return value


def _note(f: Fields) -> str:
    value = f.free_text("note")
    if len(value) > MAX_TEXT:
        raise f.error("note", f"a note may be at most {MAX_TEXT} characters (this one has {len(value)})")
    return value


def _entry(f: Fields) -> ProgrammeEntry:
    f.reject_unknown(ENTRY_KEYS)
    ex_id = f.text("id")
    known = [e.value for e in Exercise]
    if ex_id not in known:
        raise f.error("id", f"unknown exercise '{ex_id}' (this app knows: {', '.join(known)})")
    exercise = Exercise(ex_id)
    sets = f.integer("sets", low=1, high=MAX_SETS)
    if exercise_kind(exercise) == "hold":
        if f.has("reps"):
            raise f.error("reps", f"'{ex_id}' is a timed hold: give hold_s (seconds per hold), not reps")
        reps, hold_s = None, f.number("hold_s", low=1, high=MAX_HOLD_S)
    else:
        if f.has("hold_s"):
            raise f.error("hold_s", f"'{ex_id}' is counted in reps: give reps, not hold_s")
        reps, hold_s = f.integer("reps", low=1, high=MAX_REPS_PER_SET), None
    sides = f.text("sides", default="both", choices=tuple(SIDES))
    rest_s = f.number("rest_s", default=60.0, low=0, high=MAX_REST_S)
    note = _note(f)
    limits = []
    table = f.table("limits", required=False)
    if table is not None:
        defaults = default_limits(exercise)
        for code in table.keys():
            if code not in defaults:
                have = ", ".join(defaults) or "none"
                raise table.error(code, f"'{ex_id}' has no fault '{code}' (its faults: {have})")
            low, high = limit_range(exercise, code)
            limits.append((code, table.number(code, low=low, high=high)))
    try:  # the model's own rules; the checks above already report each with its key's line
        return ProgrammeEntry(exercise, sets=sets, reps=reps, hold_s=hold_s, sides=sides, rest_s=rest_s,
                              limits=tuple(limits), note=note)
    except ValueError as exc:
        raise f.error(None, str(exc)) from None


# ---- writing ----------------------------------------------------------------------------------------------------

def programme_toml(programme: Programme) -> str:
    """The file text: a comment header, then the programme; `parse_programme` of it gives `programme` back."""
    lines = [
        "# Medius Coach exercise programme.",
        f"# Written by Medius Coach {__version__}. Open it in Medius Coach (Plan screen > Open programme, drag it",
        "# onto the window, or `medius --program FILE`). It is plain text: you may edit it, and the app says",
        "# which line is wrong if an edit breaks it.",
        "",
        f"format = {_string(FORMAT)}",
        f"version = {programme.version}",
        f"title = {_string(programme.title)}",
        f"patient = {_string(programme.patient)}",
        f"therapist = {_string(programme.therapist)}",
        f"date = {programme.date.isoformat()}",
        f"note = {_string(programme.note)}",
    ]
    for e in programme.entries:
        lines += ["", "[[exercises]]", f"id = {_string(e.exercise.value)}", f"sets = {e.sets}"]
        lines.append(f"reps = {e.reps}" if e.hold_s is None else f"hold_s = {_number(e.hold_s)}")
        lines += [f"sides = {_string(e.sides)}", f"rest_s = {_number(e.rest_s)}", f"note = {_string(e.note)}"]
        if e.limits:
            lines.append("")
            lines.append("[exercises.limits]")
            lines += [f"{_key(code)} = {_number(v)}" for code, v in e.limits]
    return "\n".join(lines) + "\n"


def save_programme(programme: Programme, path: str | os.PathLike) -> pathlib.Path:
    """Write atomically (a half-written file would be a bad file for the patient): temp file, then rename."""
    path = pathlib.Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(programme_toml(programme))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
# A note line that reads like a table header or a key would mislead app.datafile's line search (it finds lines by
# their text): such notes are written escaped, on one line.
_LOOKS_LIKE_TOML = re.compile(r"^\s*(\[|[\w\"'.-]+\s*=)")
# DEL, and what Python's str.splitlines() takes for a line break besides "\n" (NEL, line and paragraph
# separators): written as \uXXXX so the file's lines are the same for every reader.
_ESCAPE_AS_CODE = {"\x7f", "\x85", "\u2028", "\u2029"}
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _string(text: str) -> str:
    """A TOML string that reads back as exactly `text`. A multi-line note is written as a multi-line literal
    string (readable, no escapes) when it safely can be; anything else as an escaped basic string."""
    if ("\n" in text and "'''" not in text and not text.endswith("'")
            and not any(ord(c) < 32 and c not in "\n\t" or c in _ESCAPE_AS_CODE for c in text)
            and not any(_LOOKS_LIKE_TOML.match(line) for line in text.split("\n"))):
        return "'''\n" + text + "'''"  # the newline right after ''' is not part of the string
    out = []
    for c in text:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif ord(c) < 32 or c in _ESCAPE_AS_CODE:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _number(value: float) -> str:
    """Shortest text that reads back as the same float (repr), written as an integer when it is one."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


__all__ = ["FORMAT", "SUFFIX", "DataFileError", "load_programme", "parse_programme", "programme_toml",
           "save_programme"]
