"""Single-leg stance tests in the log: the schema step that adds them, writing and reading on a real SQLite
file, the left/right trend, and `medius history` listing them."""

from __future__ import annotations

import io
import pathlib
import sqlite3
from types import SimpleNamespace

from app.cli.history import run_history
from app.stance.bouts import StanceResult
from app.stance.verdict import NOT_JUDGED, BoutResult, StanceParams
from app.storage import Store, schema
from app.storage.stance_log import add_stance_test, log_stance_test, stance_tests, stance_trend

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
DAY_S = 86400.0


def bout(leg, drop, verdict="negative", start=2.0, duration=12.0, lean=3.0, reason="pelvis level within 5°"):
    return BoutResult(stance_leg=leg, t_start_s=start, t_end_s=start + duration, duration_s=duration,
                      max_pelvic_drop_deg=drop, mean_pelvic_drop_deg=None if drop is None else drop - 1.0,
                      trunk_lean_deg=lean, verdict=verdict, reason=reason, onset_s=None, free_side="level",
                      max_hike_deg=None if drop is None else -drop, sway_cm=1.2, ended_by="the free foot touched down")


def result(*bouts, tol=5.0):
    return StanceResult(baseline=None, baseline_span_s=(0.0, 2.0), bouts=list(bouts),
                        params=StanceParams(drop_tolerance_deg=tol))


def test_the_schema_step_keeps_an_older_log_intact(tmp_path):
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript((FIXTURES / "v1_history.sql").read_text())
    schema.migrate(conn, target=3)
    before = conn.execute("SELECT COUNT(*) FROM reps").fetchone()[0]
    conn.close()
    with Store(path) as store:
        assert schema.current_version(store.conn) == schema.LATEST_VERSION
        assert store.conn.execute("SELECT COUNT(*) FROM reps").fetchone()[0] == before > 0
        assert stance_tests(store) == []


def test_a_test_reads_back_as_written_with_not_judged_numbers_null(tmp_path):
    path = tmp_path / "log.db"
    hidden = bout("right", None, verdict=NOT_JUDGED, lean=None, reason="hips hidden for most of the hold")
    with Store(path) as store:
        test_id = add_stance_test(store, result(bout("left", 2.5), hidden, tol=4.0), started_utc_s=1_764_000_000.0,
                                  source="camera:0")
    with Store(path) as store:  # a fresh connection reads what was committed
        (t,) = stance_tests(store)
    assert t.id == test_id and t.source == "camera:0" and t.drop_tolerance_deg == 4.0
    assert [b.stance_leg for b in t.bouts] == ["left", "right"]
    assert t.bouts[0].max_pelvic_drop_deg == 2.5 and t.bouts[0].sway_cm == 1.2
    assert t.bouts[1].max_pelvic_drop_deg is None and t.bouts[1].trunk_lean_deg is None
    assert t.bouts[1].reason == "hips hidden for most of the hold"
    assert t.left_minus_right_deg() is None  # the right side was not judged


def test_trend_gives_each_judged_side_oldest_first_and_the_side_stands_for_its_longest_judged_bout(tmp_path):
    path = tmp_path / "log.db"
    t0 = 1_764_000_000.0
    with Store(path) as store:
        add_stance_test(store, result(bout("left", 9.0, "positive"), bout("right", 1.0)), started_utc_s=t0)
        add_stance_test(store, result(bout("left", 7.0, "positive", duration=3.0), bout("left", 4.0, duration=20.0),
                                      bout("right", 0.5)), started_utc_s=t0 + 7 * DAY_S)
        points = stance_trend(store)
        newest = stance_tests(store)[0]
    assert [(p.leg, p.max_pelvic_drop_deg) for p in points] == [("left", 9.0), ("right", 1.0), ("left", 4.0),
                                                                ("right", 0.5)]
    assert newest.left_minus_right_deg() == 3.5


def test_history_lists_stance_tests(tmp_path):
    path = tmp_path / "log.db"
    log_stance_test(result(bout("left", 6.2, "positive", reason="the free-leg side dropped 6°"),
                           bout("right", -1.0)), path, started_utc_s=1_764_000_000.0)
    out = io.StringIO()
    assert run_history(SimpleNamespace(db=str(path), since=None, limit=20, session=None), out=out) == 0
    text = out.getvalue()
    assert "Single-leg stance tests" in text
    assert "positive +6.2°" in text and "negative -1.0°" in text and "+7.2°" in text
