"""A real process recording a set is killed with SIGKILL: no completed rep may be lost."""

import os
import pathlib
import signal
import sqlite3
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

_CHILD = r"""
import sys
from app.engine.events import FormWarning, RepCompleted
from app.storage import SessionRecorder
rec = SessionRecorder(sys.argv[1])
rec.start_session("Plan A", "camera:0")
rec.start_set("side-lying-abduction", "auto", 10_000, "camera:0")
i = 0
while True:
    i += 1
    faults = ("too_fast",) if i % 3 == 0 else ()
    rec.record_rep(RepCompleted(i, "left", 2.0 * i, 2.0 * i + 0.75, 2.0 * i + 1.5, 30.0 + i % 7, faults))
    if faults:
        rec.record_warning(FormWarning(2.0 * i + 1.0, "too_fast", 1.5, "Slow down"))
    assert rec.pending_writes == 0, rec.last_error
    # record_rep has returned: this rep is committed. Only now may we claim it.
    print(i, flush=True)
"""


@pytest.mark.parametrize("kill_after", [1, 17, 60])
def test_sigkill_mid_set_loses_no_completed_rep(tmp_path, kill_after):
    path = tmp_path / "h.db"
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    claimed = 0
    try:
        for line in child.stdout:
            claimed = int(line)
            if claimed >= kill_after:
                break
        # The child keeps writing while we kill it, so the kill lands inside some later transaction.
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL, child.stderr.read()
    assert claimed >= kill_after

    # Plain sqlite3 as a second program would read it, recovering the WAL the dead process left behind.
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    idx = [r[0] for r in conn.execute("SELECT idx FROM reps ORDER BY id")]
    assert idx == list(range(1, len(idx) + 1))  # in order, no gaps, nothing twice
    assert len(idx) >= claimed  # every rep the child saw committed survived
    rep_count, fault_count = conn.execute("SELECT rep_count, fault_count FROM sets").fetchone()
    assert rep_count == len(idx)  # the per-set totals committed atomically with each rep
    assert fault_count == conn.execute("SELECT COUNT(*) FROM rep_faults").fetchone()[0] == len(idx) // 3
    conn.close()
