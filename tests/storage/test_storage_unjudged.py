"""Faults a rep could not be judged on, in the log: schema v3 (`rep_unjudged`), the repository, the live
recorder, rescue files and `medius analyze --log` — all on real SQLite files."""

import json
import pathlib
import sqlite3
from types import SimpleNamespace

import pytest

from app.engine.events import FormWarning, RepCompleted
from app.storage import SessionRecord, SessionRecorder, SetRecord, Store, StorageError, log_analysis, schema
from app.storage.rescue import import_rescue_files, rescue_dir_for

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
OVERLAP = ("pelvis_roll_back", "hips overlap from this camera angle")
FEET = ("feet_apart", "feet not clearly seen")


def rep(i, faults=(), unjudged=()):
    return RepCompleted(i, "left", 4.0 * i, 4.0 * i + 1.5, 4.0 * i + 3.5, 40.0 + i / 3, tuple(faults),
                        tuple(unjudged))


def _v2_db(path: pathlib.Path) -> None:
    """A log as schema v2 left it: the v1 fixture, upgraded by the frozen v1→v2 step only."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript((FIXTURES / "v1_history.sql").read_text())
    schema.migrate(conn, target=2)
    assert schema.current_version(conn) == 2
    conn.close()


V2_TABLES = ("sessions", "session_exercises", "sets", "reps", "rep_faults", "fault_events")


def _columns(conn: sqlite3.Connection) -> dict[str, list[str]]:
    return {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in V2_TABLES}


def _dump(conn: sqlite3.Connection, columns: dict[str, list[str]] | None = None) -> dict:
    """The rows of the v2 tables, in `columns` (default: all of them now): later steps may add columns (v7:
    reps.held_s) but must leave every existing value as it was."""
    columns = columns or _columns(conn)
    return {t: conn.execute(f"SELECT {', '.join(columns[t])} FROM {t} ORDER BY 1, 2").fetchall() for t in V2_TABLES}


def test_migration_from_v2_keeps_every_row_and_adds_the_table(tmp_path):
    path = tmp_path / "v2.db"
    _v2_db(path)
    conn = sqlite3.connect(path)
    before, v2_columns = _dump(conn), _columns(conn)
    conn.close()
    with Store(path) as store:
        assert schema.current_version(store.conn) == schema.LATEST_VERSION >= 3
        assert _dump(store.conn, v2_columns) == before  # nothing of v2 changed
        columns = [r[1] for r in store.conn.execute("PRAGMA table_info(rep_unjudged)")]
        assert columns == ["rep_id", "position", "code", "reason"]
        assert store.conn.execute("SELECT COUNT(*) FROM rep_unjudged").fetchone()[0] == 0
        old = store.get_session(1)
        assert all(r.unjudged == () for st in old.sets for r in st.reps)  # older reps: nothing was recorded
        # The migrated log takes new reps with what they could not judge.
        store.insert_rep(4, rep(1, unjudged=(OVERLAP,)))
        assert store.get_session(2).sets[0].reps[0].unjudged == (OVERLAP,)
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_failing_v3_step_leaves_v2_intact(tmp_path, monkeypatch):
    path = tmp_path / "v2.db"
    _v2_db(path)
    real_v3, later = schema.MIGRATIONS[2], schema.MIGRATIONS[3:]

    def crashing_v3(conn):
        real_v3(conn)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS[:2], crashing_v3, *later])
    with pytest.raises(Exception):
        Store(path)
    conn = sqlite3.connect(path)
    assert schema.current_version(conn) == 2
    assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'rep_unjudged'").fetchone()[0] == 0
    conn.close()
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS[:2], real_v3, *later])
    with Store(path) as store:
        assert schema.current_version(store.conn) == schema.LATEST_VERSION and len(store.get_session(1).sets[0].reps) == 3


def _session() -> SessionRecord:
    reps = [rep(1, unjudged=(OVERLAP,)), rep(2, ("feet_apart",), (OVERLAP,)), rep(3, unjudged=(OVERLAP, FEET)),
            rep(4)]
    return SessionRecord(started_utc_s=1_790_000_000.0, ended_utc_s=1_790_000_300.0, plan_name="P",
                         sets=[SetRecord("clamshell", "left", 1_790_000_010.0, 10, 4, 1_790_000_100.0, "camera:0",
                                         reps, [FormWarning(9.0, "feet_apart", 0.3, "Keep your feet together")])])


def test_unjudged_round_trips_in_order_and_is_not_a_fault(tmp_path):
    rec = _session()
    with Store(tmp_path / "h.db") as store:
        sid = store.import_session(rec)
    with Store(tmp_path / "h.db") as store:
        (st,) = store.get_session(sid).sets
        assert st.reps == rec.sets[0].reps  # dataclass equality: unjudged codes, reasons and their order
        assert st.not_judged() == [(*OVERLAP, 3), (*FEET, 1)]
        # Not judged is neither a fault nor good form: the fault totals do not count it.
        (point,) = store.series()
        assert (point.faulty_reps, point.fault_count) == (1, 1)
        assert store.fault_counts() == [("clamshell", "left", "feet_apart", 1)]
        assert store.unjudged_sets() == [("clamshell", "left", st.id, "feet_apart", FEET[1], 1),
                                         ("clamshell", "left", st.id, "pelvis_roll_back", OVERLAP[1], 3)]
        # Deleting a session (what a rescue import does) takes its not-judged rows with it.
        store.replace_session(SessionRecord(started_utc_s=1.0, uid=store.get_session(sid).uid))
        assert store.conn.execute("SELECT COUNT(*) FROM rep_unjudged").fetchone()[0] == 0


def test_a_rep_and_its_unjudged_rows_commit_together(tmp_path):
    """One transaction: if the not-judged rows cannot be written, the rep is not in the log either."""
    path = tmp_path / "h.db"
    with Store(path) as store:
        sid = store.insert_session(started_utc_s=1_790_000_000.0)
        set_id = store.insert_set(sid, exercise="clamshell", side="left", started_utc_s=1_790_000_000.0)
        store.conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON rep_unjudged WHEN NEW.reason = 'refuse' "
                           "BEGIN SELECT RAISE(ABORT, 'refused'); END")
        with pytest.raises(StorageError, match="refused"):
            store.insert_rep(set_id, rep(1, unjudged=(("pelvis_roll_back", "refuse"),)))
        assert store.conn.execute("SELECT COUNT(*) FROM reps").fetchone()[0] == 0
        assert store.conn.execute("SELECT rep_count FROM sets").fetchone()[0] == 0


def test_recorder_commits_each_rep_with_its_unjudged_faults_at_once(tmp_path):
    path = tmp_path / "h.db"
    recorder = SessionRecorder(path)
    recorder.start_session("Plan", "camera:0")
    recorder.start_set("side-lying-abduction", "auto", 10, "camera:0")
    reps = [rep(i, unjudged=(OVERLAP,)) for i in range(1, 4)]
    for i, r in enumerate(reps, 1):
        recorder.record_rep(r)
        conn = sqlite3.connect(path)  # another connection sees the rep and its rows straight away
        assert conn.execute("SELECT COUNT(*) FROM reps").fetchone()[0] == i
        assert conn.execute("SELECT COUNT(*) FROM rep_unjudged").fetchone()[0] == i
        conn.close()
    assert recorder.close() and recorder.last_error is None
    with Store(path) as store:
        assert store.get_session(recorder.last_session_id).sets[0].reps == reps


def test_rescue_file_keeps_unjudged_and_is_imported_next_time(tmp_path):
    path = tmp_path / "h.db"
    path.write_bytes(b"not a database" * 300)  # the log cannot be opened for the whole session
    recorder = SessionRecorder(path, retry_interval_s=0.0)
    recorder.start_session("Plan A", "camera:0")
    recorder.start_set("clamshell", "left", 10, "camera:0")
    reps = [rep(1, unjudged=(OVERLAP,)), rep(2, ("feet_apart",), (OVERLAP, FEET))]
    for r in reps:
        recorder.record_rep(r)
    assert recorder.close() is False
    (rescue_file,) = recorder.rescue_files
    saved = json.loads(rescue_file.read_text())
    assert saved["version"] >= 2  # 3 since reps also carry their held time (tests/storage/test_storage_held.py)
    assert saved["session"]["sets"][0]["reps"][1][7] == [list(OVERLAP), list(FEET)]

    path.rename(tmp_path / "h.db.damaged")
    with Store(path) as store:
        (sid,) = import_rescue_files(store)
        assert store.get_session(sid).sets[0].reps == reps
    assert not rescue_file.exists()


def test_rescue_files_written_before_unjudged_still_import(tmp_path):
    """A version 1 rescue file: each rep has seven fields, no not-judged faults."""
    path = tmp_path / "h.db"
    folder = rescue_dir_for(path)
    folder.mkdir()
    session = {"uid": "a" * 32, "started_utc_s": 1_790_000_000.0, "ended_utc_s": 1_790_000_100.0,
               "local_day": "2026-09-21", "plan_name": "Old", "notes": "", "source": "camera:0",
               "sets": [{"exercise": "step-down", "side": "right", "started_utc_s": 1_790_000_001.0,
                         "ended_utc_s": 1_790_000_050.0, "target_reps": 10, "achieved_reps": 1, "source": "camera:0",
                         "reps": [[1, "right", 1.0, 2.0, 3.5, 55.5, ["knee_valgus"]]],
                         "warnings": [[2.5, "knee_valgus", 8.0, "Knee over toes"]]}]}
    (folder / f"session-{'a' * 32}.json").write_text(
        json.dumps({"format": "medius-unsaved-session", "version": 1, "session": session}))
    with Store(path) as store:
        (sid,) = import_rescue_files(store)
        (st,) = store.get_session(sid).sets
    assert st.reps == [RepCompleted(1, "right", 1.0, 2.0, 3.5, 55.5, ("knee_valgus",))]
    assert st.reps[0].unjudged == () and not list(folder.iterdir())


def test_analyze_log_stores_what_each_rep_could_not_judge(tmp_path):
    """`medius analyze --log` goes through `log_analysis`; a result with the AnalysisResult fields it reads."""
    reps = [rep(1, unjudged=(OVERLAP,)), rep(2), rep(3, ("pelvis_roll_back",))]
    result = SimpleNamespace(video="clip.mp4", exercise="side-lying-abduction", side="left", frames=90,
                             frames_with_pose=88, duration_s=15.0, reps=reps, warnings=[])
    sid = log_analysis(result, tmp_path / "h.db", ended_utc_s=1_795_000_000.0)
    with Store(tmp_path / "h.db") as store:
        (st,) = store.get_session(sid).sets
    assert st.reps == reps and st.not_judged() == [(*OVERLAP, 1)]
