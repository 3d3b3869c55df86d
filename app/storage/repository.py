"""The exercise log's API: writes (one short transaction each) and the queries the history, CLI and export use.

Queries that feed the history screen read only per-set aggregates (kept up to date in the same transaction as
each rep), never the rep rows, so they stay fast on years of data. Rep rows are read for one session at a time
(the detail view) or for an export.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pathlib
import sqlite3
import time
import uuid
from collections.abc import Iterator

from app.engine.events import FormWarning, RepCompleted
from app.storage import connection
from app.storage.errors import StorageError, translate
from app.storage.models import SeriesPoint, SessionRecord, SessionSummary, SetRecord, Totals
from app.storage.programme_log import read_programme, write_programme


def _day_range(column: str, since_day: str | None, until_day: str | None) -> tuple[list[str], list[str]]:
    """WHERE clauses and parameters for an optional inclusive day range on `column` (ISO days sort as text)."""
    where, params = [], []
    if since_day:
        where.append(f"{column} >= ?")
        params.append(since_day)
    if until_day:
        where.append(f"{column} <= ?")
        params.append(until_day)
    return where, params


def local_day_of(t_utc_s: float) -> str:
    return dt.datetime.fromtimestamp(t_utc_s).date().isoformat()


class Store:
    """One connection to the log. Use from one thread at a time (the GUI thread, a CLI command, a generator)."""

    def __init__(self, path: str | os.PathLike | None = None, *, timeout_s: float = 2.0, durable: bool = True):
        self.path = pathlib.Path(path) if path is not None else connection.default_db_path()
        self.conn = connection.connect(self.path, timeout_s=timeout_s, durable=durable)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- transactions -------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; any sqlite failure becomes a StorageError and nothing is half-written."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        except StorageError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise translate(exc, str(self.path)) from exc

    def _read(self, sql: str, params: tuple | dict = ()) -> list[tuple]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except (sqlite3.Error, OSError) as exc:
            raise translate(exc, str(self.path)) from exc

    # ---- writes (each call is one transaction unless `conn` is given) -------------------------------------

    def insert_session(self, *, started_utc_s: float, plan_name: str = "", notes: str = "", source: str = "",
                       uid: str | None = None, local_day: str | None = None, programme=None, conn=None) -> int:
        """`programme`: the ProgrammeStamp of the therapist's programme the session follows, written with it."""
        with self._maybe_tx(conn) as c:
            cur = c.execute(
                "INSERT INTO sessions (uid, started_utc_s, local_day, plan_name, notes, source) VALUES (?,?,?,?,?,?)",
                (uid or uuid.uuid4().hex, started_utc_s, local_day or local_day_of(started_utc_s), plan_name,
                 notes, source),
            )
            if programme is not None:
                write_programme(c, cur.lastrowid, programme)
            return cur.lastrowid

    def end_session(self, session_id: int, *, ended_utc_s: float, notes: str | None = None, conn=None) -> None:
        with self._maybe_tx(conn) as c:
            c.execute("UPDATE sessions SET ended_utc_s = ? WHERE id = ?", (ended_utc_s, session_id))
            if notes is not None:
                c.execute("UPDATE sessions SET notes = ? WHERE id = ?", (notes, session_id))

    def insert_set(self, session_id: int, *, exercise: str, side: str, started_utc_s: float,
                   target_reps: int | None = None, source: str = "", conn=None) -> int:
        with self._maybe_tx(conn) as c:
            row = c.execute("SELECT id FROM session_exercises WHERE session_id = ? AND exercise = ?",
                            (session_id, exercise)).fetchone()
            if row is None:
                n = c.execute("SELECT COUNT(*) FROM session_exercises WHERE session_id = ?",
                              (session_id,)).fetchone()[0]
                ex_id = c.execute("INSERT INTO session_exercises (session_id, position, exercise) VALUES (?,?,?)",
                                  (session_id, n, exercise)).lastrowid
            else:
                ex_id = row[0]
            position, day = c.execute(
                "SELECT (SELECT COUNT(*) FROM sets WHERE session_id = ?), local_day FROM sessions WHERE id = ?",
                (session_id, session_id)).fetchone()
            cur = c.execute(
                "INSERT INTO sets (session_id, session_exercise_id, position, exercise, side, target_reps, "
                "started_utc_s, source, local_day) VALUES (?,?,?,?,?,?,?,?,?)",
                (session_id, ex_id, position, exercise, side, target_reps, started_utc_s, source, day),
            )
            return cur.lastrowid

    def insert_rep(self, set_id: int, rep: RepCompleted, *, recorded_utc_s: float | None = None, conn=None) -> int:
        """Store one completed rep and update its set's running totals, atomically."""
        with self._maybe_tx(conn) as c:
            rep_id = c.execute(
                "INSERT INTO reps (set_id, idx, side, t_start_s, t_peak_s, t_end_s, peak_deg, faults, up_s, down_s, "
                "recorded_utc_s, held_s) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (set_id, rep.index, rep.side, rep.t_start_s, rep.t_peak_s, rep.t_end_s, rep.peak_deg,
                 ",".join(rep.faults), rep.t_peak_s - rep.t_start_s, rep.t_end_s - rep.t_peak_s,
                 recorded_utc_s if recorded_utc_s is not None else time.time(), rep.held_s),
            ).lastrowid
            c.executemany("INSERT INTO rep_faults (rep_id, position, code) VALUES (?,?,?)",
                          [(rep_id, i, code) for i, code in enumerate(rep.faults)])
            # In the rep's own transaction: a rep is never in the log without what it could not judge.
            c.executemany("INSERT INTO rep_unjudged (rep_id, position, code, reason) VALUES (?,?,?,?)",
                          [(rep_id, i, code, reason) for i, (code, reason) in enumerate(rep.unjudged)])
            c.execute(
                "UPDATE sets SET rep_count = rep_count + 1, peak_deg_sum = peak_deg_sum + ?, "
                "peak_deg_max = MAX(COALESCE(peak_deg_max, ?), ?), faulty_reps = faulty_reps + ?, "
                "fault_count = fault_count + ?, "
                "side = CASE WHEN side IN ('', 'auto') THEN ? ELSE side END WHERE id = ?",
                (rep.peak_deg, rep.peak_deg, rep.peak_deg, 1 if rep.faults else 0, len(rep.faults), rep.side,
                 set_id),
            )
            return rep_id

    def insert_warning(self, set_id: int, warning: FormWarning, conn=None) -> int:
        with self._maybe_tx(conn) as c:
            return c.execute("INSERT INTO fault_events (set_id, t_s, code, value, message) VALUES (?,?,?,?,?)",
                             (set_id, warning.t_s, warning.code, warning.value, warning.message)).lastrowid

    def finish_set(self, set_id: int, *, achieved_reps: int | None, ended_utc_s: float, conn=None) -> None:
        with self._maybe_tx(conn) as c:
            c.execute("UPDATE sets SET achieved_reps = ?, ended_utc_s = ? WHERE id = ?",
                      (achieved_reps, ended_utc_s, set_id))

    def import_session(self, record: SessionRecord) -> int:
        """Write a whole session in one transaction (offline analysis, generators): all of it or nothing."""
        with self.transaction() as c:
            return self._import(record, c)

    def _import(self, record: SessionRecord, c) -> int:
        sid = self.insert_session(started_utc_s=record.started_utc_s, plan_name=record.plan_name,
                                  notes=record.notes, source=record.source, uid=record.uid or None,
                                  local_day=record.local_day or None, programme=record.programme, conn=c)
        for s in record.sets:
            set_id = self.insert_set(sid, exercise=s.exercise, side=s.side, started_utc_s=s.started_utc_s,
                                     target_reps=s.target_reps, source=s.source, conn=c)
            for rep in s.reps:
                self.insert_rep(set_id, rep, recorded_utc_s=s.ended_utc_s or s.started_utc_s, conn=c)
            for w in s.warnings:
                self.insert_warning(set_id, w, conn=c)
            self.finish_set(set_id, achieved_reps=s.achieved_reps,
                            ended_utc_s=s.ended_utc_s if s.ended_utc_s is not None else s.started_utc_s, conn=c)
        if record.ended_utc_s is not None:
            self.end_session(sid, ended_utc_s=record.ended_utc_s, conn=c)
        return sid

    def replace_session(self, record: SessionRecord) -> int:
        """Write `record` whole, replacing any part of the same session (same uid) already in the log."""
        with self.transaction() as c:
            c.execute("DELETE FROM sessions WHERE uid = ?", (record.uid,))  # cascades to sets, reps, faults
            return self._import(record, c)

    @contextlib.contextmanager
    def _maybe_tx(self, conn):
        if conn is not None:
            yield conn
        else:
            with self.transaction() as c:
                yield c

    # ---- reads ------------------------------------------------------------------------------------------------

    def count_sessions(self, exercise: str | None = None) -> int:
        if exercise:
            return self._read("SELECT COUNT(DISTINCT session_id) FROM sets WHERE exercise = ?", (exercise,))[0][0]
        return self._read("SELECT COUNT(*) FROM sessions")[0][0]

    def list_sessions(self, *, limit: int = 50, offset: int = 0, exercise: str | None = None,
                      since_day: str | None = None, until_day: str | None = None) -> list[SessionSummary]:
        """Newest first, one page. Uses the per-set totals, so a page costs the same on day 1 and year 5."""
        where, params = _day_range("s.local_day", since_day, until_day)
        if exercise:
            where.append("s.id IN (SELECT session_id FROM sets WHERE exercise = ?)")
            params.append(exercise)
        sql = (
            "SELECT s.id, s.started_utc_s, s.ended_utc_s, s.local_day, s.plan_name, "
            "(SELECT group_concat(exercise, ',') FROM (SELECT exercise FROM session_exercises e "
            "  WHERE e.session_id = s.id ORDER BY position)), "
            "(SELECT COUNT(*) FROM sets t WHERE t.session_id = s.id), "
            "(SELECT COALESCE(SUM(rep_count), 0) FROM sets t WHERE t.session_id = s.id), "
            "(SELECT COALESCE(SUM(faulty_reps), 0) FROM sets t WHERE t.session_id = s.id), "
            "COALESCE((SELECT title FROM session_programmes p WHERE p.session_id = s.id), '') "
            "FROM sessions s " + ("WHERE " + " AND ".join(where) + " " if where else "")
            + "ORDER BY s.started_utc_s DESC, s.id DESC LIMIT ? OFFSET ?"
        )
        rows = self._read(sql, (*params, limit, offset))
        return [SessionSummary(r[0], r[1], r[2], r[3], r[4], tuple((r[5] or "").split(",")) if r[5] else (),
                               r[6], r[7], r[8], r[9]) for r in rows]

    def session_ids(self, since_day: str | None = None, until_day: str | None = None) -> list[int]:
        return [r[0] for r in self._read(
            "SELECT id FROM sessions WHERE local_day >= ? AND local_day <= ? ORDER BY started_utc_s, id",
            (since_day or "0000-00-00", until_day or "9999-99-99"))]

    def get_session(self, session_id: int) -> SessionRecord | None:
        row = self._read("SELECT id, uid, started_utc_s, ended_utc_s, local_day, plan_name, notes, source "
                         "FROM sessions WHERE id = ?", (session_id,))
        if not row:
            return None
        r = row[0]
        record = SessionRecord(id=r[0], uid=r[1], started_utc_s=r[2], ended_utc_s=r[3], local_day=r[4],
                               plan_name=r[5], notes=r[6], source=r[7], programme=read_programme(self, r[0]))
        sets = self._read("SELECT id, exercise, side, target_reps, achieved_reps, started_utc_s, ended_utc_s, source "
                          "FROM sets WHERE session_id = ? ORDER BY position, id", (session_id,))
        by_id: dict[int, SetRecord] = {}
        for s in sets:
            rec = SetRecord(id=s[0], exercise=s[1], side=s[2], target_reps=s[3], achieved_reps=s[4],
                            started_utc_s=s[5], ended_utc_s=s[6], source=s[7])
            by_id[s[0]] = rec
            record.sets.append(rec)
        if not by_id:
            return record
        faults: dict[int, list[str]] = {}
        for rep_id, code in self._read(
                "SELECT f.rep_id, f.code FROM rep_faults f JOIN reps r ON r.id = f.rep_id JOIN sets t ON "
                "t.id = r.set_id WHERE t.session_id = ? ORDER BY f.rep_id, f.position", (session_id,)):
            faults.setdefault(rep_id, []).append(code)
        unjudged: dict[int, list[tuple[str, str]]] = {}
        for rep_id, code, reason in self._read(
                "SELECT u.rep_id, u.code, u.reason FROM rep_unjudged u JOIN reps r ON r.id = u.rep_id JOIN sets t "
                "ON t.id = r.set_id WHERE t.session_id = ? ORDER BY u.rep_id, u.position", (session_id,)):
            unjudged.setdefault(rep_id, []).append((code, reason))
        for rep in self._read(
                "SELECT r.id, r.set_id, r.idx, r.side, r.t_start_s, r.t_peak_s, r.t_end_s, r.peak_deg, r.held_s "
                "FROM reps r "
                "JOIN sets t ON t.id = r.set_id WHERE t.session_id = ? ORDER BY r.set_id, r.id", (session_id,)):
            by_id[rep[1]].reps.append(RepCompleted(index=rep[2], side=rep[3], t_start_s=rep[4], t_peak_s=rep[5],
                                                   t_end_s=rep[6], peak_deg=rep[7],
                                                   faults=tuple(faults.get(rep[0], ())),
                                                   unjudged=tuple(unjudged.get(rep[0], ())), held_s=rep[8]))
        for w in self._read(
                "SELECT e.set_id, e.t_s, e.code, e.value, e.message FROM fault_events e JOIN sets t ON "
                "t.id = e.set_id WHERE t.session_id = ? ORDER BY e.set_id, e.id", (session_id,)):
            by_id[w[0]].warnings.append(FormWarning(t_s=w[1], code=w[2], value=w[3], message=w[4]))
        return record

    def iter_sessions(self, since_day: str | None = None, until_day: str | None = None) -> Iterator[SessionRecord]:
        """Full sessions, oldest first, for export."""
        for sid in self.session_ids(since_day, until_day):
            rec = self.get_session(sid)
            if rec is not None:
                yield rec

    def series(self, *, exercise: str | None = None, since_day: str | None = None,
               until_day: str | None = None) -> list[SeriesPoint]:
        """Per day, exercise and side: sets, reps, range of motion and faults — from set totals only."""
        where, params = _day_range("local_day", since_day, until_day)
        where.append("rep_count > 0 OR achieved_reps IS NOT NULL")
        if exercise:
            where.append("exercise = ?")
            params.append(exercise)
        rows = self._read(
            "SELECT local_day, exercise, side, COUNT(*), SUM(rep_count), SUM(peak_deg_sum), MAX(peak_deg_max), "
            "SUM(faulty_reps), SUM(fault_count) FROM sets WHERE " + " AND ".join(f"({w})" for w in where)
            + " GROUP BY exercise, local_day, side ORDER BY exercise, local_day, side", tuple(params))
        return [SeriesPoint(day=r[0], exercise=r[1], side=r[2], sets=r[3], reps=r[4] or 0,
                            mean_peak_deg=(r[5] / r[4]) if r[4] else None, max_peak_deg=r[6], faulty_reps=r[7] or 0,
                            fault_count=r[8] or 0) for r in rows]

    def fault_counts(self, *, since_day: str | None = None, until_day: str | None = None,
                     exercise: str | None = None) -> list[tuple[str, str, str, int]]:
        """(exercise, side, fault code, reps showing it), most frequent first. Reads rep rows of the period."""
        return [tuple(r) for r in self._read(
            "SELECT t.exercise, t.side, f.code, COUNT(DISTINCT f.rep_id) FROM sets t "
            "JOIN reps r ON r.set_id = t.id JOIN rep_faults f ON f.rep_id = r.id "
            "WHERE t.local_day >= ? AND t.local_day <= ? AND (? IS NULL OR t.exercise = ?) "
            "GROUP BY t.exercise, t.side, f.code ORDER BY 4 DESC",
            (since_day or "0000-00-00", until_day or "9999-99-99", exercise, exercise))]

    def unjudged_sets(self, *, since_day: str | None = None, until_day: str | None = None,
                      exercise: str | None = None) -> list[tuple[str, str, int, str, str, int]]:
        """(exercise, side, set id, fault code, reason, reps) for every set in the period with reps that could not
        be judged on that fault, oldest set first. Reads rep rows of the period (only those with such rows)."""
        return [tuple(r) for r in self._read(
            "SELECT t.exercise, t.side, t.id, u.code, u.reason, COUNT(DISTINCT u.rep_id) FROM sets t "
            "JOIN reps r ON r.set_id = t.id JOIN rep_unjudged u ON u.rep_id = r.id "
            "WHERE t.local_day >= ? AND t.local_day <= ? AND (? IS NULL OR t.exercise = ?) "
            "GROUP BY t.id, u.code, u.reason ORDER BY t.started_utc_s, t.id, u.code, 6 DESC",
            (since_day or "0000-00-00", until_day or "9999-99-99", exercise, exercise))]

    def set_recording(self, set_id: int, file_name: str | None, conn=None) -> None:
        """Point a set at its recorded video (a file name in the recordings folder), or None once deleted."""
        with self._maybe_tx(conn) as c:
            if file_name is None:
                c.execute("DELETE FROM set_recordings WHERE set_id = ?", (set_id,))
            else:
                c.execute("INSERT OR REPLACE INTO set_recordings (set_id, file) VALUES (?, ?)", (set_id, file_name))

    def recordings(self, session_id: int | None = None) -> dict[int, str]:
        """set id -> recorded video file name, for one session or all."""
        return {r[0]: r[1] for r in self._read(
            "SELECT r.set_id, r.file FROM set_recordings r JOIN sets t ON t.id = r.set_id "
            "WHERE ? IS NULL OR t.session_id = ? ORDER BY r.set_id", (session_id, session_id))}

    def data_version(self) -> int:
        """SQLite's change counter for this connection: it moves when another connection commits (a live
        recorder, another process), so a screen can tell cheaply whether to re-read."""
        return self._read("PRAGMA data_version")[0][0]

    def active_days(self, since_day: str | None = None) -> list[str]:
        return [r[0] for r in self._read("SELECT DISTINCT local_day FROM sessions WHERE local_day >= ? "
                                         "ORDER BY local_day", (since_day or "0000-00-00",))]

    def exercises(self) -> list[str]:
        return [r[0] for r in self._read("SELECT DISTINCT exercise FROM session_exercises ORDER BY exercise")]

    def totals(self, today: dt.date | None = None) -> Totals:
        sessions = self._read("SELECT COUNT(*) FROM sessions")[0][0]
        sets, reps = self._read("SELECT COUNT(*), COALESCE(SUM(rep_count), 0) FROM sets")[0]
        days = self.active_days()
        current, longest = streaks(days, today or dt.date.today())
        return Totals(sessions=sessions, sets=sets, reps=reps, active_days=len(days),
                      first_day=days[0] if days else None, last_day=days[-1] if days else None,
                      current_streak_days=current, longest_streak_days=longest)


def streaks(days: list[str], today: dt.date) -> tuple[int, int]:
    """(current, longest) runs of consecutive active days. The current streak survives until today ends."""
    dates = sorted({dt.date.fromisoformat(d) for d in days})
    longest = run = 0
    prev = None
    for d in dates:
        run = run + 1 if prev is not None and (d - prev).days == 1 else 1
        longest = max(longest, run)
        prev = d
    current = 0
    if dates and (today - dates[-1]).days <= 1:
        current = run
    return current, longest
