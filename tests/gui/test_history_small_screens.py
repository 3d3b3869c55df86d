"""History on a laptop screen with a sparse log: it fits 1280×800 and 1024×768, one day of sessions shows as bars
and markers (not empty axes), and a set logged while it is open appears without reopening it."""

import datetime as dt
import pathlib
import sys

import pytest
from PySide6.QtGui import QColor

pytestmark = [pytest.mark.gui]

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "screenshots"
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def make_db():
    sys.path.insert(0, str(ROOT / "tools"))
    import make_history_db

    return make_history_db


@pytest.fixture
def day_db(make_db, tmp_path):
    path = tmp_path / "day.sqlite3"
    make_db.make_day_db(path, sessions=3, day=TODAY)
    return path


def _view(db, qtbot, size):
    from app.storage import Store
    from ui.history_view import HistoryView

    store = Store(db)
    view = HistoryView(store, today=TODAY)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    view.destroyed.connect(lambda *_: store.close())
    return view


def _inside(widget, view) -> bool:
    top_left = widget.mapTo(view, widget.rect().topLeft())
    bottom_right = widget.mapTo(view, widget.rect().bottomRight())
    return view.rect().contains(top_left) and view.rect().contains(bottom_right)


@pytest.mark.parametrize("size", [(1264, 752), (1008, 720)])  # 1280×800 and 1024×768 less a window frame
def test_every_control_and_chart_is_on_screen(day_db, make_db, tmp_path, qtbot, size):
    years = tmp_path / "5y.sqlite3"
    make_db.make_years_db(years, years=5, end_day=TODAY)
    for db in (day_db, years):
        view = _view(db, qtbot, size)
        hint = view.minimumSizeHint()
        assert hint.width() <= size[0] and hint.height() <= size[1], (db.name, hint)
        assert view.width() == size[0]  # the layout did not force the window wider than the screen
        for widget in (*view.export_buttons.values(), view.charts, view.range_box, view.exercise_box, view.table,
                       view.detail, view.calendar):
            assert _inside(widget, view), (db.name, widget)
            assert widget.width() > 40, (db.name, widget)
        view.close()


def test_one_day_of_sessions_shows_bars_and_markers(day_db, qtbot):
    from ui.history_charts import DAY_S, SIDE_PENS, day_to_epoch

    view = _view(day_db, qtbot, (1264, 752))
    for key, plot in view.charts.plots.items():
        (x0, x1), (y0, y1) = plot.viewRange()
        # The axis starts at the first (only) logged day, not at the start of an empty three months.
        assert x0 == pytest.approx(day_to_epoch(TODAY.isoformat()) - DAY_S), key
        assert x1 - x0 >= 7 * DAY_S - 1 and y0 == 0 and y1 > 0, key
    SHOTS.mkdir(parents=True, exist_ok=True)
    for key, plot in view.charts.plots.items():
        image = view.charts.view.grab(view.charts.view.mapFromScene(plot.sceneBoundingRect()).boundingRect()
                                      ).toImage()
        colours = {image.pixelColor(x, y).getRgb()[:3] for x in range(image.width()) for y in range(image.height())}
        for side, pen in SIDE_PENS.items():
            want = QColor(pen).getRgb()[:3]
            # Markers are antialiased: a pixel within a few levels of the side's colour is that side's mark.
            assert any(max(abs(a - b) for a, b in zip(c, want)) <= 6 for c in colours), f"{key}: no {side} mark"
    assert view.grab().save(str(SHOTS / "history_one_day_1280x800.png"))


def test_a_set_logged_while_open_appears_by_itself(day_db, qtbot):
    from app.engine.events import RepCompleted
    from app.storage import SessionRecorder

    view = _view(day_db, qtbot, (1264, 752))
    view._fixed_today = None  # follow the clock, as the app does
    before = int(view.stats["sessions"].value.text())
    rec = SessionRecorder(day_db)
    rec.start_session("Live", "camera:0")
    rec.start_set("step-down", "left", 3, "camera:0")
    for i in range(1, 4):
        rec.record_rep(RepCompleted(i, "left", 3.0 * i, 3.0 * i + 1, 3.0 * i + 2, 50.0, ()))
    rec.finish_set()
    rec.finish_session()
    assert rec.close()
    qtbot.waitUntil(lambda: view.stats["sessions"].value.text() == str(before + 1), timeout=5000)
    assert tuple(view.sessions.session_at(0).exercises) == ("step-down",)  # the new session is listed and shown
    assert view.detail.session is not None and view.detail.session.sets[0].exercise == "step-down"
