"""Sessions that followed a programme, in the log (schema v6) and in the report: migration from v5, the live
recorder, rescue files, `medius history`, and done vs prescribed — on real SQLite files."""

from __future__ import annotations

import datetime as dt
import io
import pathlib
import sqlite3
from types import SimpleNamespace

from app.cli.history import run_history
from app.engine.events import Exercise, RepCompleted
from app.reports.export import build_report_html
from app.reports.programme_report import compare
from app.session.programme import Programme, ProgrammeEntry, default_limits, exercise_kind, limit_range, to_plan
from app.storage import SessionRecorder, Store, schema
from app.storage.programme_log import programme_sessions
from app.storage.rescue import from_json, to_json

FIXTURES = pathlib.Path(__file__).parents[1] / "storage" / "fixtures"


def programme() -> Programme:
    ab = Exercise.SIDE_LYING_ABDUCTION
    code = next(iter(default_limits(ab)))
    low, high = limit_range(ab, code)
    return Programme(title="Week 3 «hips»", patient="Zoë O'Neil", therapist="Dr Ng", date=dt.date(2026, 11, 28),
                     note="Twice a day.",
                     entries=(ProgrammeEntry(ab, sets=2, reps=3, sides="both", rest_s=20,
                                             limits=((code, round((low + high) / 2, 1)),), note="Slow\n“down”"),
                              ProgrammeEntry(Exercise.CLAMSHELL, sets=2, reps=4, sides="left")))


def rep(i, side="left"):
    return RepCompleted(i, side, 4.0 * i, 4.0 * i + 1.5, 4.0 * i + 3.5, 40.0, ())


V5_REP_COLUMNS = ("id, set_id, idx, side, t_start_s, t_peak_s, t_end_s, peak_deg, faults, up_s, down_s, "
                  "recorded_utc_s")


def _dump(conn):
    """Every v5 row (the columns v5 had: later steps may add columns, never change these)."""
    out = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
           for t in ("sessions", "session_exercises", "sets", "rep_faults", "fault_events", "rep_unjudged",
                     "set_recordings")}
    out["reps"] = conn.execute(f"SELECT {V5_REP_COLUMNS} FROM reps ORDER BY 1").fetchall()
    return out


def test_migration_from_v5_keeps_every_row_and_adds_the_programme_table(tmp_path):
    path = tmp_path / "v5.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript((FIXTURES / "v1_history.sql").read_text())
    schema.migrate(conn, target=5)
    assert schema.current_version(conn) == 5
    before = _dump(conn)
    conn.close()
    with Store(path) as store:
        assert schema.current_version(store.conn) == schema.LATEST_VERSION >= 6
        assert _dump(store.conn) == before
        cols = [r[1] for r in store.conn.execute("PRAGMA table_info(session_programmes)")]
        assert cols == ["session_id", "title", "patient", "therapist", "prescribed_day", "content_sha256",
                        "file_name", "prescription_json"]
        assert all(s.programme == "" for s in store.list_sessions())  # old sessions followed no programme
        assert store.get_session(1).programme is None
        # The migrated log takes a programme session.
        stamp = programme().stamp("zoe.medius.toml")
        sid = store.insert_session(started_utc_s=1_796_000_000.0, plan_name="Week 3", programme=stamp)
        assert store.get_session(sid).programme == stamp
        # Deleting the session takes its programme row with it.
        store.conn.execute("DELETE FROM sessions WHERE id = ?", (sid,))
        assert store.conn.execute("SELECT COUNT(*) FROM session_programmes").fetchone()[0] == 0
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def _record_session(path, p: Programme, reps_per_set: list[tuple[str, str, int]]):
    """What the GUI's recorder does for a session: (exercise, side, reps) per set, in order."""
    plan = to_plan(p, "zoe.medius.toml")
    recorder = SessionRecorder(path)
    recorder.start_session(plan.name, "camera:0", programme=plan.programme)
    targets = {b.exercise.value: b.reps_per_set for b in plan.blocks}
    for exercise, side, n in reps_per_set:
        recorder.start_set(exercise, side, targets[exercise], "camera:0")
        for i in range(1, n + 1):
            recorder.record_rep(rep(i, side))
        recorder.finish_set()
    assert recorder.close()
    return recorder.last_session_id


def test_the_recorder_logs_the_programme_and_history_names_it(tmp_path):
    path = tmp_path / "h.db"
    p = programme()
    sid = _record_session(path, p, [("side-lying-abduction", "left", 3)])
    with Store(path) as store:
        back = store.get_session(sid).programme
        assert back.sha256 == p.content_hash() and back.patient == "Zoë O'Neil"
        assert back.entries[0]["note"] == "Slow\n“down”" and back.entries[0]["limits"] == dict(p.entries[0].limits)
        assert store.list_sessions()[0].programme == "Week 3 «hips»"
    out = io.StringIO()
    run_history(SimpleNamespace(db=str(path), session=None, since=None, limit=10), out)
    assert "(programme: Week 3 «hips»)" in out.getvalue()
    out = io.StringIO()
    run_history(SimpleNamespace(db=str(path), session=sid, since=None, limit=10), out)
    assert "programme: Week 3 «hips» (Zoë O'Neil, by Dr Ng, 2026-11-28)" in out.getvalue()


def test_a_rescue_file_keeps_the_programme(tmp_path):
    p = programme()
    with Store(tmp_path / "h.db") as store:
        sid = store.insert_session(started_utc_s=1_796_000_000.0, programme=p.stamp("f.toml"))
        record = store.get_session(sid)
    assert from_json(to_json(record)).programme == p.stamp("f.toml")


def test_done_vs_prescribed_in_the_report(tmp_path):
    path = tmp_path / "h.db"
    p = programme()
    # Abduction: left 3 + 3 (complete), right 3 then 1 (cut short); clamshell: one set of 4 of two.
    _record_session(path, p, [("side-lying-abduction", "left", 3), ("side-lying-abduction", "left", 3),
                              ("side-lying-abduction", "right", 3), ("side-lying-abduction", "right", 1),
                              ("clamshell", "left", 4)])
    with Store(path) as store:
        ((_sid, _day, stamp, sets),) = programme_sessions(store)
        abduction, clamshell = compare(stamp.entries, sets)
        left, right = abduction.sides
        assert (left.side, left.sets_done, left.sets_prescribed, left.reps_done) == ("left", 2, 2, (3, 3))
        assert (right.sets_done, right.sets_complete, right.reps_done) == (2, 1, (3, 1))
        (clam,) = clamshell.sides
        assert (clam.side, clam.sets_done, clam.sets_prescribed, clam.reps_done) == ("left", 1, 2, (4,))
        html = build_report_html(store, today=dt.date.fromtimestamp(1_800_000_000))
    assert "Programme: done vs prescribed" in html
    assert "Week 3 «hips»</b> for Zoë O&#x27;Neil, by Dr Ng (2026-11-28)" in html
    assert "<td>2 × 3</td><td>2/2</td><td>3, 3 reps (of 3)</td>" in html
    assert "<td>2 × 3</td><td>2/2</td><td>3, 1 reps (of 3)</td>" in html
    assert "<td>2 × 4</td><td>1/2</td><td>4 reps (of 4)</td>" in html


def test_a_report_without_programme_sessions_has_no_programme_section(tmp_path):
    with Store(tmp_path / "h.db") as store:
        store.insert_session(started_utc_s=1_796_000_000.0, plan_name="Plain")
        assert "done vs prescribed" not in build_report_html(store)


def test_a_hold_in_the_report_is_prescribed_in_seconds_and_done_in_holds(tmp_path):
    holds = [e for e in Exercise if exercise_kind(e) == "hold"]
    if not holds:
        import pytest

        pytest.skip("the exercise library has no timed hold")
    p = Programme(title="Holds", patient="P", therapist="T", date=dt.date(2026, 11, 28),
                  entries=(ProgrammeEntry(holds[0], sets=3, reps=None, hold_s=12, sides="right"),))
    path = tmp_path / "h.db"
    plan = to_plan(p)
    recorder = SessionRecorder(path)
    recorder.start_session(plan.name, "camera:0", programme=plan.programme)
    for held in (12.4, 8.25):  # two holds of the three, the second one short
        recorder.start_set(holds[0].value, "right", 1, "camera:0")
        recorder.record_rep(RepCompleted(1, "right", 1.0, 3.0, 4.0 + held, 50.0, (), (), held))
        recorder.finish_set()
    assert recorder.close()
    with Store(path) as store:
        ((_sid, _day, stamp, sets),) = programme_sessions(store)
        ((right,),) = [c.sides for c in compare(stamp.entries, sets)]
        assert (right.side, right.sets_done, right.sets_prescribed, right.hold_s) == ("right", 2, 3, 12.0)
        assert right.held_s == (12.4, 8.25)
        html = build_report_html(store)
    assert "<td>3 × 12 s hold</td><td>2/3</td><td>12.4 s, 8.2 s (of 12 s)</td>" in html


def test_history_of_one_session_says_done_vs_prescribed(tmp_path):
    path = tmp_path / "h.db"
    sid = _record_session(path, programme(), [("side-lying-abduction", "left", 3), ("side-lying-abduction", "right", 2)])
    out = io.StringIO()
    run_history(SimpleNamespace(db=str(path), session=sid, since=None, limit=10), out)
    text = out.getvalue()
    assert "done vs prescribed: Side-lying hip abduction left: 1/2 sets, reps 3 of 3" in text
    assert "done vs prescribed: Side-lying hip abduction right: 1/2 sets, reps 2 of 3" in text
    assert "done vs prescribed: Clamshell left: 0/2 sets, reps none of 4" in text
