"""SessionRecorder against real failing logs: locked, full, damaged, read-only. The session always goes on."""

import os
import pathlib
import shutil
import sqlite3
import subprocess
import sys
import tempfile

import pytest

from app.engine.events import FormWarning, RepCompleted
from app.storage import DatabaseCorruptError, SessionRecorder, Store

ROOT = pathlib.Path(__file__).resolve().parents[2]


def rep(i, side="left", faults=()):
    return RepCompleted(i, side, 4.0 * i, 4.0 * i + 1.5, 4.0 * i + 3.5, 40.0 + i, tuple(faults))


class FakeMonotonic:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def reps_in_db(path):
    with Store(path) as store:
        return [r for s in store.iter_sessions() for st in s.sets for r in st.reps]


def test_every_rep_is_committed_as_it_happens(tmp_path):
    path = tmp_path / "h.db"
    rec = SessionRecorder(path)
    rec.start_session("Plan", "camera:0")
    rec.start_set("clamshell", "auto", 10, "camera:0")
    for i in range(1, 4):
        rec.record_rep(rep(i))
        # A second connection sees the rep at once: it is committed, not waiting for the set to end.
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT COUNT(*) FROM reps").fetchone()[0] == i
        conn.close()
    assert rec.pending_writes == 0 and rec.last_error is None
    rec.close()


def test_locked_log_buffers_then_flushes_in_order(tmp_path):
    path = tmp_path / "h.db"
    Store(path).close()
    clock = FakeMonotonic()
    rec = SessionRecorder(path, timeout_s=0.05, monotonic=clock, retry_interval_s=2.0)
    rec.start_session("Plan")
    rec.start_set("step-down", "left", 10)
    rec.record_rep(rep(1))

    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    rec.record_rep(rep(2, faults=("knee_valgus",)))
    assert rec.pending_writes == 1
    assert "is locked by another program" in rec.last_error and "kept in memory (1 changes waiting)" in rec.last_error
    rec.record_warning(FormWarning(9.0, "knee_valgus", 8.0, "Knee over toes"))
    rec.record_rep(rep(3))  # within the retry interval: queued without waiting on the lock again
    assert rec.pending_writes == 3
    assert not rec.retry()
    blocker.execute("ROLLBACK")
    blocker.close()
    assert rec.retry()
    assert rec.pending_writes == 0 and rec.last_error is None
    rec.close()
    assert [r.index for r in reps_in_db(path)] == [1, 2, 3]
    assert reps_in_db(path)[1].faults == ("knee_valgus",)


def test_full_disk_buffers_and_recovers(tmp_path):
    path = tmp_path / "h.db"
    store = Store(path)
    rec = SessionRecorder(store, retry_interval_s=0.0)
    rec.start_session("Plan")
    rec.start_set("clamshell", "right", 10)
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow: SQLITE_FULL
    big = RepCompleted(1, "right", 0.0, 1.0, 2.0, 30.0, tuple(["too_fast"] * 2000))
    rec.record_rep(big)
    assert rec.pending_writes == 1
    assert rec.last_error.startswith("The disk holding the exercise log") and "Free some space" in rec.last_error
    store.conn.execute("PRAGMA max_page_count = 1073741823")
    assert rec.retry() and rec.last_error is None
    rec.close()
    store.close()
    assert len(reps_in_db(path)[0].faults) == 2000


def test_damaged_log_message_and_recovery_after_moving_it_aside(tmp_path):
    path = tmp_path / "h.db"
    path.write_bytes(b"this is not an sqlite file" * 200)
    with pytest.raises(DatabaseCorruptError) as info:
        Store(path)
    msg = str(info.value)
    assert "is damaged" in msg and "Move the file aside" in msg and str(path) in msg

    rec = SessionRecorder(path, retry_interval_s=0.0)
    rec.start_session("Plan")
    rec.start_set("clamshell", "left", 10)
    rec.record_rep(rep(1))
    assert rec.pending_writes == 3 and "is damaged" in rec.last_error
    path.rename(tmp_path / "h.db.damaged")  # what the message tells the user to do
    rec.record_rep(rep(2))
    assert rec.pending_writes == 0 and rec.last_error is None
    rec.close()
    assert [r.index for r in reps_in_db(path)] == [1, 2]


def test_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "h.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(Exception) as info:
        Store(path)
    assert "newer Medius Coach" in str(info.value) and "was not changed" in str(info.value)


_READONLY_PROBE = r"""
import os, sys
from app.storage import SessionRecorder, Store, DatabaseReadOnlyError
from app.engine.events import RepCompleted
if os.geteuid() == 0:
    # Root ignores file modes: drop to an ordinary user once everything is imported (the interpreter's own
    # files may not be readable by that user).
    os.setgid(65534); os.setuid(65534)
path = sys.argv[1]
try:
    Store(path).insert_session(started_utc_s=0.0)
except DatabaseReadOnlyError as exc:
    print("STORE:", exc)
rec = SessionRecorder(path)
rec.start_session("Plan")
rec.start_set("clamshell", "left", 10)
rec.record_rep(RepCompleted(1, "left", 0.0, 1.0, 2.0, 30.0, ()))
print("PENDING:", rec.pending_writes)
print("RECORDER:", rec.last_error)
"""


def test_read_only_log_gives_the_documented_message():
    folder = pathlib.Path(tempfile.mkdtemp(prefix="medius-ro-"))
    try:
        path = folder / "h.db"
        Store(path).close()
        for p in folder.iterdir():
            p.chmod(0o444)
        folder.chmod(0o555)
        out = subprocess.run([sys.executable, "-c", _READONLY_PROBE, str(path)], cwd=ROOT, capture_output=True,
                             text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert out.returncode == 0, out.stderr
        print(out.stdout)
        assert "STORE: The exercise log" in out.stdout and "is read-only" in out.stdout
        assert "PENDING: 3" in out.stdout
        assert "RECORDER: The exercise log" in out.stdout and "write permission" in out.stdout
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_unwritable_log_at_exit_saves_a_rescue_file_imported_next_time(tmp_path):
    path = tmp_path / "h.db"
    path.write_bytes(b"not a database" * 300)
    rec = SessionRecorder(path, retry_interval_s=0.0)
    rec.start_session("Plan A", "camera:0")
    rec.start_set("step-down", "auto", 10, "camera:0")
    reps = [rep(i, "right", ("knee_valgus",) if i == 2 else ()) for i in range(1, 4)]
    for r in reps:
        rec.record_rep(r)
    rec.record_warning(FormWarning(9.5, "knee_valgus", 7.5, "Knee over toes"))
    assert rec.close() is False
    (rescue_file,) = rec.rescue_files
    assert rescue_file.parent == tmp_path / "unsaved-sessions"
    assert str(rescue_file.parent) in rec.last_error and "added to the log automatically" in rec.last_error

    path.rename(tmp_path / "h.db.damaged")
    rec2 = SessionRecorder(path)
    rec2.start_session("Next day")  # the first write opens the log and imports the rescued session
    rec2.close()
    assert not rescue_file.exists()
    with Store(path) as store:
        first = store.get_session(1)
        assert first.plan_name == "Plan A" and first.ended_utc_s is not None
        (st,) = first.sets
        assert st.reps == reps and st.side == "right" and st.achieved_reps == 3
        assert st.warnings == [FormWarning(9.5, "knee_valgus", 7.5, "Knee over toes")]
        assert store.count_sessions() == 2


def test_rescue_replaces_the_part_of_a_session_that_reached_the_log(tmp_path):
    path = tmp_path / "h.db"
    Store(path).close()
    rec = SessionRecorder(path, timeout_s=0.05, retry_interval_s=0.0)
    rec.start_session("Plan")
    rec.start_set("clamshell", "left", 10)
    rec.record_rep(rep(1))
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    rec.record_rep(rep(2))
    rec.record_rep(rep(3))
    assert rec.close() is False and rec.rescue_files
    blocker.execute("ROLLBACK")
    blocker.close()
    from app.storage.rescue import import_rescue_files

    with Store(path) as store:
        assert len(store.get_session(1).sets[0].reps) == 1  # only the first rep made it before the lock
        (sid,) = import_rescue_files(store)
        s = store.get_session(sid)
        assert [r.index for r in s.sets[0].reps] == [1, 2, 3] and store.count_sessions() == 1
        assert store.conn.execute("SELECT COUNT(*) FROM reps").fetchone()[0] == 3
