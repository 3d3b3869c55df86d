"""Which therapist's programme a logged session followed (schema table session_programmes, v6).

The row is written in the same transaction as its session (`Store.insert_session(programme=...)`), and read back
as the same `ProgrammeStamp` the session started with: identity (title, patient, therapist, date, content hash,
file name) and the full prescription, so done vs prescribed never needs the file again.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from app.session.programme import ProgrammeStamp


def write_programme(conn: sqlite3.Connection, session_id: int, stamp: ProgrammeStamp) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO session_programmes (session_id, title, patient, therapist, prescribed_day, "
        "content_sha256, file_name, prescription_json) VALUES (?,?,?,?,?,?,?,?)",
        (session_id, stamp.title, stamp.patient, stamp.therapist, stamp.date, stamp.sha256, stamp.file_name,
         json.dumps([dict(e) for e in stamp.entries], ensure_ascii=False)))


def read_programme(store, session_id: int) -> ProgrammeStamp | None:
    """`store` is an app.storage Store (its `_read` maps sqlite errors to StorageError)."""
    rows = store._read("SELECT title, patient, therapist, prescribed_day, content_sha256, file_name, "
                       "prescription_json FROM session_programmes WHERE session_id = ?", (session_id,))
    if not rows:
        return None
    row = rows[0]
    return ProgrammeStamp(title=row[0], patient=row[1], therapist=row[2], date=row[3], sha256=row[4],
                          file_name=row[5], entries=tuple(json.loads(row[6])))


@dataclass(frozen=True)
class LoggedSet:
    """What the report compares with a prescription: one logged set, in the order done."""

    exercise: str
    side: str
    target_reps: int | None
    achieved_reps: int | None
    reps_logged: int
    best_held_s: float | None = None  # the longest hold of the set (timed holds), None without reps


def programme_sessions(store, *, since_day: str | None = None, until_day: str | None = None,
                       limit: int = 10) -> list[tuple[int, str, ProgrammeStamp, list[LoggedSet]]]:
    """(session id, local day, stamp, its sets) for the newest `limit` sessions of the period that followed a
    programme, newest first. Reads set totals, and of the rep rows only each set's longest hold."""
    rows = store._read(
        "SELECT s.id, s.local_day FROM sessions s JOIN session_programmes p ON p.session_id = s.id "
        "WHERE s.local_day >= ? AND s.local_day <= ? ORDER BY s.started_utc_s DESC, s.id DESC LIMIT ?",
        (since_day or "0000-00-00", until_day or "9999-99-99", limit))
    out = []
    for sid, day in rows:
        stamp = read_programme(store, sid)
        sets = [LoggedSet(*r) for r in store._read(
            "SELECT exercise, side, target_reps, achieved_reps, rep_count, "
            "(SELECT MAX(held_s) FROM reps r WHERE r.set_id = sets.id) FROM sets WHERE session_id = ? "
            "ORDER BY position, id", (sid,))]
        out.append((sid, day, stamp, sets))
    return out
