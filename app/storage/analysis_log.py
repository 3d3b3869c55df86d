"""`medius analyze --log`: store an analysed recording as a session, so videos and live sessions share a history."""

from __future__ import annotations

import os
import pathlib
import time

from app.storage.models import SessionRecord, SetRecord
from app.storage.repository import Store


def rep_events_of(result) -> list:
    """The RepCompleted events of an AnalysisResult (`rep_events`, or `reps` when that is the event list)."""
    events = getattr(result, "rep_events", None)
    if events is None:
        reps = getattr(result, "reps", [])
        events = reps if isinstance(reps, list | tuple) else []
    return list(events)


def source_of(result) -> str:
    for name in ("source", "source_description"):
        value = getattr(result, name, None)
        if value:
            return str(value)
    video = getattr(result, "video", None)
    return f"file:{pathlib.Path(video).name}" if video else ""


def session_from_analysis(result, *, ended_utc_s: float | None = None, plan_name: str = "Video analysis",
                          target_reps: int | None = None) -> SessionRecord:
    """One session with one set from an `AnalysisResult` (fields used: exercise, side, the rep events (`rep_events`
    or `reps`), warnings, frames, frames_with_pose, duration_s, and the source (`source` or `video`)).
    The session ends at `ended_utc_s` (default: now) and starts the video's duration earlier. The rep events are
    stored as they are, so each rep's faults and what it could not judge (`RepCompleted.unjudged`) go with it."""
    end = time.time() if ended_utc_s is None else ended_utc_s
    duration = float(getattr(result, "duration_s", 0.0) or 0.0)
    start = end - duration
    exercise = getattr(result.exercise, "value", result.exercise)
    source = source_of(result)
    side = getattr(result, "side", None) or ""
    reps = rep_events_of(result)
    if side in ("", "auto") and reps:
        side = reps[0].side
    frames = getattr(result, "frames", None)
    with_pose = getattr(result, "frames_with_pose", None)
    notes = f"Analysed recording {source}" + (
        f"; pose found in {with_pose} of {frames} frames" if frames is not None and with_pose is not None else "")
    counted = getattr(result, "reps", None)
    achieved = counted if isinstance(counted, int) else len(reps)
    s = SetRecord(exercise=exercise, side=side, started_utc_s=start, ended_utc_s=end, target_reps=target_reps,
                  achieved_reps=achieved, source=source, reps=reps,
                  warnings=list(getattr(result, "warnings", []) or []))
    return SessionRecord(started_utc_s=start, ended_utc_s=end, plan_name=plan_name, notes=notes, source=source,
                         sets=[s])


def log_analysis(result, db: Store | str | os.PathLike | None = None, **kwargs) -> int:
    """Store `result` as a new session in one transaction; returns its id. Raises StorageError (with a user
    message) if the log cannot be written — the CLI prints it and exits with its code."""
    record = session_from_analysis(result, **kwargs)
    if isinstance(db, Store):
        return db.import_session(record)
    with Store(db) as store:
        return store.import_session(record)
