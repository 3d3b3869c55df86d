"""Stance tests in History: the left/right trend panel on a real log file, real widgets offscreen."""

from __future__ import annotations

import datetime as dt

import pytest

from app.stance.bouts import StanceResult
from app.stance.verdict import NOT_JUDGED, BoutResult, StanceParams
from app.storage import Store
from app.storage.stance_log import add_stance_test
from ui.history_view import HistoryView

pytestmark = pytest.mark.gui
TODAY = dt.date(2026, 11, 30)
DAY_S = 86400.0


def bout(leg, drop, verdict="negative"):
    return BoutResult(leg, 2.0, 22.0, 20.0, drop, drop - 1.0, 2.0, verdict, "pelvis level within 5°",
                      ended_by="held the full 30 s")


def noon(days_ago: int) -> float:
    return dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(12)).timestamp()


def test_trend_shows_each_side_and_follows_a_test_saved_on_another_connection(tmp_path, qtbot):
    path = tmp_path / "log.db"
    with Store(path) as writer:
        for days_ago, left in ((21, 9.0), (14, 7.0), (7, 4.0)):
            add_stance_test(writer, StanceResult(None, (0, 2), [bout("left", left, "positive" if left > 5 else
                                                                    "negative"), bout("right", 1.0)],
                                                 StanceParams()), started_utc_s=noon(days_ago))
    store = Store(path)
    view = HistoryView(store, today=TODAY)
    qtbot.addWidget(view)
    view.show()
    panel = view.stance_history
    assert panel.isVisible() and not panel.plot.isVisible()  # folded: one line under the exercise charts
    panel.toggle.click()
    assert panel.plot.isVisible()
    assert [(p.leg, p.max_pelvic_drop_deg) for p in panel.points if p.leg == "left"] == [
        ("left", 9.0), ("left", 7.0), ("left", 4.0)]
    assert "Latest test (23 Nov 2026)" in panel.latest.text() and "left − right +3°" in panel.latest.text()
    hidden = BoutResult("right", 1.0, 5.0, 4.0, None, None, None, NOT_JUDGED, "hips hidden for most of the hold")
    with Store(path) as other:  # as the main window saves a finished test
        add_stance_test(other, StanceResult(None, (0, 2), [bout("left", 2.0), hidden], StanceParams()),
                        started_utc_s=noon(0))
    qtbot.waitUntil(lambda: len(panel.points) == 7, timeout=5_000)  # right side of the newest: not judged
    assert "not judged (hips hidden" in panel.latest.text()
    store.close()


def test_no_stance_test_no_panel(tmp_path, qtbot):
    store = Store(tmp_path / "empty.db")
    view = HistoryView(store, today=TODAY)
    qtbot.addWidget(view)
    view.show()
    assert not view.stance_history.isVisible()
    store.close()
