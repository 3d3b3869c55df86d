"""Property: whatever the log does (locked at random moments, freed again), the recorder ends with exactly the
events it was given, in order, each once."""

import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.events import FormWarning, RepCompleted
from app.storage import SessionRecorder, Store

OPS = st.lists(st.sampled_from(["rep", "rep", "rep", "warn", "set", "session", "lock", "unlock"]), max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_recorder_keeps_order_and_loses_nothing_under_random_locks(tmp_path_factory, ops):
    path = tmp_path_factory.mktemp("prop") / "h.db"
    Store(path).close()
    rec = SessionRecorder(path, timeout_s=0.005, retry_interval_s=0.0)
    blocker = sqlite3.connect(path, isolation_level=None)
    locked = False
    expected: list[list[list]] = []  # sessions -> sets -> [("rep", idx) | ("warn", t)]
    n = 0

    def ensure_set():
        if not expected:
            rec.start_session("P")
            expected.append([])
        if not expected[-1] or rec.in_set is False:
            rec.start_set("clamshell", "left", 10)
            expected[-1].append([])

    for op in ops:
        n += 1
        if op == "lock" and not locked:
            blocker.execute("BEGIN IMMEDIATE")
            locked = True
        elif op == "unlock" and locked:
            blocker.execute("ROLLBACK")
            locked = False
        elif op == "session":
            rec.start_session("P")
            expected.append([])
        elif op == "set":
            if not expected:
                rec.start_session("P")
                expected.append([])
            rec.start_set("clamshell", "left", 10)
            expected[-1].append([])
        elif op == "rep":
            ensure_set()
            rec.record_rep(RepCompleted(n, "left", float(n), n + 0.5, n + 1.0, 30.0 + n, ()))
            expected[-1][-1].append(("rep", n))
        elif op == "warn":
            ensure_set()
            rec.record_warning(FormWarning(n + 0.25, "too_fast", 1.0, "Slower"))
            expected[-1][-1].append(("warn", n + 0.25))
        if locked:
            assert rec.pending_writes > 0 or rec.last_error is None  # nothing claimed as saved while locked
    if locked:
        blocker.execute("ROLLBACK")
    blocker.close()
    assert rec.close() and rec.pending_writes == 0 and rec.last_error is None
    with Store(path) as store:
        got = []
        for s in store.iter_sessions():
            got.append([[("rep", r.index) for r in t.reps] + [("warn", w.t_s) for w in t.warnings]
                        for t in s.sets])
    want = [[[e for e in t if e[0] == "rep"] + [e for e in t if e[0] == "warn"] for t in s] for s in expected]
    assert got == want
