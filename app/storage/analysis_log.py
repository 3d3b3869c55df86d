"""`medius analyze --log`: store an analysed recording as a session, so videos and live sessions share a history."""

from __future__ import annotations

import os
import time

from app.storage.models import SessionRecord, SetRecord
from app.storage.repository import Store


def session_from_analysis(result, *, ended_utc_s: float | None = None, plan_name: str = "Video analysis",
                          target_reps: int | None = None) -> SessionRecord:
    """One session with one set from an `AnalysisResult` (fields used: exercise, side, reps, rep_events,
    warnings, duration_s, and the source description)."""
    end = time.time() if ended_utc_s is None else ended_utc_s
    duration = float(getattr(result, "duration_s", 0.0) or 0.0)
    start = end - duration
    exercise = getattr(result.exercise, "value", result.exercise)
    source = str(getattr(result, "source", None) or getattr(result, "source_description", None) or "")
    side = getattr(result, "side", None) or ""
    reps = list(result.rep_events)
    if side in ("", "auto") and reps:
        side = reps[0].side
    frames = getattr(result, "frames", None)
    with_pose = getattr(result, "frames_with_pose", None)
    notes = f"Analysed recording {source}" + (
        f"; pose found in {with_pose} of {frames} frames" if frames is not None and with_pose is not None else "")
    s = SetRecord(exercise=exercise, side=side, started_utc_s=start, ended_utc_s=end, target_reps=target_reps,
                  achieved_reps=int(getattr(result, "reps", len(reps))), source=source, reps=reps,
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
