"""Rescue files: a session the recorder could not write before the app closed is saved as JSON beside the log
and imported the next time the log opens, so nothing the user did is lost even if the log stays unwritable
for the whole session (damaged file, locked by a backup tool, disk briefly full).

One file per session, named by its uid. On import the file's full record replaces whatever part of that
session reached the log, in one transaction, and the file is deleted only after the commit.
"""

from __future__ import annotations

import json
import logging
import os
import pathlib

from app.engine.events import FormWarning, RepCompleted
from app.session.programme import ProgrammeStamp
from app.storage.models import SessionRecord, SetRecord

log = logging.getLogger(__name__)

RESCUE_DIRNAME = "unsaved-sessions"


def rescue_dir_for(db_path: str | os.PathLike) -> pathlib.Path:
    return pathlib.Path(db_path).parent / RESCUE_DIRNAME


def to_json(record: SessionRecord) -> dict:
    return {
        "uid": record.uid, "started_utc_s": record.started_utc_s, "ended_utc_s": record.ended_utc_s,
        "local_day": record.local_day, "plan_name": record.plan_name, "notes": record.notes, "source": record.source,
        "programme": record.programme.to_json() if record.programme is not None else None,
        "sets": [{
            "exercise": s.exercise, "side": s.side, "started_utc_s": s.started_utc_s, "ended_utc_s": s.ended_utc_s,
            "target_reps": s.target_reps, "achieved_reps": s.achieved_reps, "source": s.source,
            "reps": [[r.index, r.side, r.t_start_s, r.t_peak_s, r.t_end_s, r.peak_deg, list(r.faults),
                      [[code, reason] for code, reason in r.unjudged], r.held_s] for r in s.reps],
            "warnings": [[w.t_s, w.code, w.value, w.message] for w in s.warnings],
        } for s in record.sets],
    }


def from_json(data: dict) -> SessionRecord:
    rec = SessionRecord(uid=data["uid"], started_utc_s=data["started_utc_s"], ended_utc_s=data["ended_utc_s"],
                        local_day=data["local_day"], plan_name=data["plan_name"], notes=data["notes"],
                        source=data["source"],
                        programme=ProgrammeStamp.from_json(data["programme"]) if data.get("programme") else None)
    for s in data["sets"]:
        rec.sets.append(SetRecord(
            exercise=s["exercise"], side=s["side"], started_utc_s=s["started_utc_s"], ended_utc_s=s["ended_utc_s"],
            target_reps=s["target_reps"], achieved_reps=s["achieved_reps"], source=s["source"],
            reps=[_rep_from_json(r) for r in s["reps"]],
            warnings=[FormWarning(w[0], w[1], w[2], w[3]) for w in s["warnings"]]))
    return rec


def _rep_from_json(r: list) -> RepCompleted:
    # Version 1 files (written before reps carried what they could not judge) have seven fields, version 2 eight
    # (before reps carried how long they were held).
    unjudged = tuple((str(code), str(reason)) for code, reason in r[7]) if len(r) > 7 else ()
    held_s = float(r[8]) if len(r) > 8 else 0.0
    return RepCompleted(r[0], r[1], r[2], r[3], r[4], r[5], tuple(r[6]), unjudged, held_s)


def write_rescue_file(record: SessionRecord, folder: pathlib.Path) -> pathlib.Path:
    """Write atomically (temp file + fsync + rename). Raises OSError if even that is impossible."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"session-{record.uid}.json"
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        # Version 2: each rep has an eighth field, its not-judged faults; version 3 a ninth, its held time.
        # Readers take every version.
        json.dump({"format": "medius-unsaved-session", "version": 3, "session": to_json(record)}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path


def import_rescue_files(store, folder: pathlib.Path | None = None) -> list[int]:
    """Import every rescue file into `store`; returns the new session ids. Unreadable files are left in place."""
    folder = folder or rescue_dir_for(store.path)
    if not folder.is_dir():
        return []
    ids = []
    for path in sorted(folder.glob("session-*.json")):
        try:
            record = from_json(json.loads(path.read_text(encoding="utf-8"))["session"])
        except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("rescue file %s cannot be read (%s); left in place", path, exc)
            continue
        ids.append(store.replace_session(record))  # raises StorageError: the file stays for the next try
        path.unlink()
        log.info("imported the unsaved session %s from %s", record.uid, path)
    return ids
