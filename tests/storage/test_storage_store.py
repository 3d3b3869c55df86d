"""The log on real SQLite files: round trips, migrations from v1, aggregates, durability settings."""

import datetime as dt
import sqlite3

from app.engine.events import FormWarning, RepCompleted
from app.storage import SessionRecord, SetRecord, Store, default_db_path, schema, streaks
import pathlib

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def _record() -> SessionRecord:
    reps = [RepCompleted(i, "right", 3.0 * i + 0.1, 3.0 * i + 1.3, 3.0 * i + 2.9, 38.0 + i * 0.37,
                         ("too_fast", "pelvis_roll_back") if i == 2 else ()) for i in range(1, 6)]
    warns = [FormWarning(7.25, "pelvis_roll_back", 12.5, "Keep your hips stacked")]
    return SessionRecord(started_utc_s=1_790_000_000.5, ended_utc_s=1_790_000_900.25, plan_name="Plan A",
                         notes="n", source="camera:0",
                         sets=[SetRecord("clamshell", "right", 1_790_000_010.0, 10, 5, 1_790_000_100.0, "camera:0",
                                         reps, warns),
                               SetRecord("step-down", "left", 1_790_000_200.0, 10, 0, 1_790_000_260.0, "camera:0")])


def test_default_path_honours_env(tmp_path):
    assert default_db_path() == tmp_path / "data" / "history.sqlite3"


def test_new_log_is_wal_latest_schema_and_durable(tmp_path):
    with Store(tmp_path / "h.db") as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION
        assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_import_session_round_trips_exactly(tmp_path):
    rec = _record()
    with Store(tmp_path / "h.db") as store:
        sid = store.import_session(rec)
    with Store(tmp_path / "h.db") as store:
        back = store.get_session(sid)
    assert back.started_utc_s == rec.started_utc_s and back.ended_utc_s == rec.ended_utc_s
    assert (back.plan_name, back.notes, back.source, back.local_day) == ("Plan A", "n", "camera:0", "2026-09-21")
    assert [(s.exercise, s.side, s.target_reps, s.achieved_reps, s.started_utc_s, s.ended_utc_s, s.source)
            for s in back.sets] == [(s.exercise, s.side, s.target_reps, s.achieved_reps, s.started_utc_s,
                                     s.ended_utc_s, s.source) for s in rec.sets]
    assert back.sets[0].reps == rec.sets[0].reps  # dataclass equality: every float bit and fault order
    assert back.sets[0].warnings == rec.sets[0].warnings
    assert back.exercises == ["clamshell", "step-down"]


def test_aggregates_match_rep_rows(tmp_path):
    with Store(tmp_path / "h.db") as store:
        store.import_session(_record())
        (point,) = store.series(exercise="clamshell")
        reps = _record().sets[0].reps
        assert point.reps == 5 and point.sets == 1 and point.faulty_reps == 1 and point.fault_count == 2
        assert abs(point.mean_peak_deg - sum(r.peak_deg for r in reps) / 5) < 1e-9
        assert point.max_peak_deg == max(r.peak_deg for r in reps)
        (summary,) = store.list_sessions()
        assert (summary.sets, summary.reps, summary.faulty_reps, summary.exercises) == (
            2, 5, 1, ("clamshell", "step-down"))
        assert sorted(store.fault_counts()) == [("clamshell", "right", "pelvis_roll_back", 1),
                                                ("clamshell", "right", "too_fast", 1)]


def _v1_db(path):
    conn = sqlite3.connect(path)
    conn.executescript((FIXTURES / "v1_history.sql").read_text())
    conn.close()


def test_v1_fixture_is_the_v1_schema():
    """The fixture must keep matching the code's frozen v1 DDL, or the migration test proves nothing."""
    a, b = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    a.executescript(schema.V1_SCHEMA)
    b.executescript((FIXTURES / "v1_history.sql").read_text())
    q = "SELECT name, sql FROM sqlite_master ORDER BY name"
    assert a.execute(q).fetchall() == b.execute(q).fetchall()


def test_migration_from_v1_keeps_and_derives_everything(tmp_path):
    path = tmp_path / "old.db"
    _v1_db(path)
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        s1 = store.get_session(1)
        assert s1.plan_name == "Glute med plan A" and s1.notes == "felt good" and s1.ended_utc_s == 1793000900.0
        assert s1.exercises == ["clamshell", "step-down"]
        assert [len(s.reps) for s in s1.sets] == [3, 2, 1]
        assert s1.sets[0].reps[2] == RepCompleted(3, "left", 7.0, 9.0, 11.5, 39.25,
                                                  ("pelvis_roll_back", "feet_apart"))
        assert s1.sets[2].reps[0].faults == ("knee_valgus", "pelvic_drop", "trunk_lean")
        assert s1.sets[0].warnings[1] == FormWarning(8.4, "pelvis_roll_back", 14.0, "Keep your hips stacked")
        tempo = store.conn.execute("SELECT up_s, down_s FROM reps WHERE id = 3").fetchone()
        assert tempo == (2.0, 2.5)
        positions = store.conn.execute("SELECT position FROM sets WHERE session_id = 1 ORDER BY id").fetchall()
        assert positions == [(0,), (1,), (2,)]
        (cl,) = [p for p in store.series(exercise="clamshell") if p.side == "left"]
        assert (cl.reps, cl.faulty_reps, cl.fault_count, cl.max_peak_deg) == (3, 2, 3, 44.0)
        assert store.count_sessions() == 2 and store.list_sessions()[0].id == 2
        # New writes work on the migrated log.
        store.insert_rep(4, RepCompleted(1, "right", 0.0, 1.0, 2.0, 30.0, ("leg_above_hip",)))
        assert store.get_session(2).sets[0].reps[0].faults == ("leg_above_hip",)
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_migration_is_idempotent_and_reopen_is_cheap(tmp_path):
    path = tmp_path / "old.db"
    _v1_db(path)
    Store(path).close()
    with Store(path) as store:  # second open finds the latest version and does nothing
        assert store.count_sessions() == 2


def test_streaks():
    days = ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-05", "2026-01-06"]
    assert streaks(days, dt.date(2026, 1, 7)) == (2, 3)
    assert streaks(days, dt.date(2026, 1, 6)) == (2, 3)
    assert streaks(days, dt.date(2026, 1, 8)) == (0, 3)
    assert streaks([], dt.date(2026, 1, 8)) == (0, 0)


def test_session_list_pages_and_day_filter(tmp_path):
    with Store(tmp_path / "h.db") as store:
        base = 1_780_000_000.0
        for k in range(130):
            rec = _record()
            rec.started_utc_s = rec.sets[0].started_utc_s = base + k * 86400.0
            rec.ended_utc_s, rec.uid = None, ""
            store.import_session(rec)
        pages = [store.list_sessions(limit=50, offset=o) for o in (0, 50, 100)]
        ids = [s.id for p in pages for s in p]
        assert len(ids) == 130 == len(set(ids)) and ids == sorted(ids, reverse=True)
        old_day = store.active_days()[2]  # far more than a page of newer sessions
        (one,) = store.list_sessions(limit=50, since_day=old_day, until_day=old_day)
        assert one.local_day == old_day and one.reps == 5
        assert store.count_sessions("step-down") == 130 and store.count_sessions("nothing") == 0


def test_migration_blocked_by_a_lock_leaves_v1_intact_then_succeeds(tmp_path):
    from app.storage import DatabaseLockedError

    path = tmp_path / "old.db"
    _v1_db(path)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        Store(path, timeout_s=0.05)
        raise AssertionError("expected the lock to stop the migration")
    except DatabaseLockedError as exc:
        assert "is locked by another program" in str(exc)
    blocker.execute("ROLLBACK")
    assert blocker.execute("PRAGMA user_version").fetchone()[0] == 1
    assert blocker.execute("SELECT COUNT(*) FROM reps").fetchone()[0] == 6
    blocker.close()
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST_VERSION
        assert len(store.get_session(1).sets) == 3


def test_a_failing_migration_step_rolls_back_completely(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    _v1_db(path)
    real_v2 = schema.MIGRATIONS[1]

    def crashing_v2(conn):
        real_v2(conn)  # all of v2's DDL and data moves ...
        raise sqlite3.OperationalError("disk I/O error")  # ... then the step dies before COMMIT

    later = schema.MIGRATIONS[2:]  # the steps after v2 stay as they are
    monkeypatch.setattr(schema, "MIGRATIONS", [schema.MIGRATIONS[0], crashing_v2, *later])
    try:
        Store(path)
        raise AssertionError("expected the migration to fail")
    except Exception as exc:
        assert "cannot be written" in str(exc) or "disk I/O" in str(exc)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"sessions", "sets", "reps", "fault_events"}
    conn.close()
    monkeypatch.setattr(schema, "MIGRATIONS", [schema.MIGRATIONS[0], real_v2, *later])
    with Store(path) as store:
        assert len(store.get_session(1).sets[0].reps) == 3
