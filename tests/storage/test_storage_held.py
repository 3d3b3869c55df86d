"""How long a rep was held (RepCompleted.held_s, the result of a timed hold) in the log: schema v7, the live
recorder, rescue files of every version — on real SQLite files."""

import json
import pathlib
import sqlite3

from app.engine.events import RepCompleted
from app.storage import SessionRecord, SessionRecorder, SetRecord, Store, schema
from app.storage.rescue import from_json, import_rescue_files, rescue_dir_for, to_json

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def hold(i, held_s):
    return RepCompleted(i, "right", 10.0 * i, 10.0 * i + 2.0, 10.0 * i + 2.0 + held_s + 1.5, 52.0, ("hold_short",)
                        if held_s < 8 else (), (), held_s)


def test_migration_to_v7_gives_old_reps_no_held_time_and_keeps_everything(tmp_path):
    path = tmp_path / "v6.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript((FIXTURES / "v1_history.sql").read_text())
    schema.migrate(conn, target=6)
    before = conn.execute("SELECT * FROM reps ORDER BY id").fetchall()
    conn.close()
    with Store(path) as store:
        assert schema.current_version(store.conn) == schema.LATEST_VERSION >= 7
        after = store.conn.execute("SELECT * FROM reps ORDER BY id").fetchall()
        assert [row[:-1] for row in after] == before and {row[-1] for row in after} == {0.0}
        assert all(r.held_s == 0.0 for st in store.get_session(1).sets for r in st.reps)


def test_held_time_round_trips_through_the_recorder_and_the_store(tmp_path):
    path = tmp_path / "h.db"
    reps = [hold(1, 9.87), hold(2, 6.5)]
    recorder = SessionRecorder(path)
    recorder.start_session("Holds", "camera:0")
    recorder.start_set("side-lying-abduction-hold", "right", 1, "camera:0")
    for r in reps:
        recorder.record_rep(r)
    assert recorder.close()
    with Store(path) as store:
        assert store.get_session(recorder.last_session_id).sets[0].reps == reps  # held_s bit for bit


def test_rescue_files_keep_the_held_time_and_old_ones_still_read(tmp_path):
    record = SessionRecord(started_utc_s=1_796_000_000.0, uid="u1", sets=[
        SetRecord("side-lying-abduction-hold", "right", 1_796_000_010.0, 1, 1, 1_796_000_030.0, "camera:0",
                  [hold(1, 9.5)])])
    assert from_json(to_json(record)).sets[0].reps[0].held_s == 9.5
    old = to_json(record)
    for r in old["sets"][0]["reps"]:
        del r[8:]  # a version 2 file: eight fields per rep
    folder = rescue_dir_for(tmp_path / "h.db")
    folder.mkdir()
    (folder / "session-u1.json").write_text(json.dumps({"format": "medius-unsaved-session", "version": 2,
                                                        "session": old}))
    with Store(tmp_path / "h.db") as store:
        (sid,) = import_rescue_files(store)
        assert store.get_session(sid).sets[0].reps[0].held_s == 0.0


def test_the_json_export_carries_the_held_time(tmp_path):
    import io

    from app.reports.export import write_json

    record = SessionRecord(started_utc_s=1_796_000_000.0, sets=[
        SetRecord("side-lying-abduction-hold", "right", 1_796_000_010.0, 1, 1, 1_796_000_030.0, "camera:0",
                  [hold(1, 9.5)])])
    with Store(tmp_path / "h.db") as store:
        store.import_session(record)
        out = io.StringIO()
        write_json(store, out)
    (session,) = json.loads(out.getvalue())["sessions"]
    assert session["sets"][0]["reps"][0]["held_s"] == 9.5
