"""Single-leg stance tests in History: the left/right trend of the free-hip drop, with the camera's ±7° band.

A trend, not single numbers: each test is a marker with its uncertainty, per stance leg, against the tolerance
line, and the latest test's verdicts are written beside a fold button (folded by default, so the exercise
charts above keep their room). Mounted by `attach_stance_history(view)` under
HistoryView's own charts (one line in ui/history_view.py); it follows the view's period box and re-reads
when the log changes (the stance test is saved from the main window, on another connection). Hidden while the
log holds no stance test.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from app.stance.verdict import CAMERA_UNCERTAINTY_DEG, StanceParams
from app.storage import StorageError, Store
from app.storage.stance_log import StanceTrendPoint, stance_tests, stance_trend
from ui.history_charts import SIDE_PENS

POLL_MS = 2000
DAY_S = 86400.0


def trend_xy(points: list[StanceTrendPoint], leg: str) -> tuple[list[float], list[float]]:
    mine = [p for p in points if p.leg == leg]
    return [p.started_utc_s for p in mine], [p.max_pelvic_drop_deg for p in mine]


class StanceHistoryPanel(QWidget):
    def __init__(self, store: Store, since_day=lambda: None, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self._since_day = since_day
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.setSpacing(2)
        # Folded to one line by default: the exercise charts above keep their room; the trend opens on a click.
        head = QHBoxLayout()
        self.toggle = QToolButton()
        self.toggle.setText("Single-leg stance tests")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.toggled.connect(self._on_toggled)
        head.addWidget(self.toggle)
        self.latest = QLabel()
        self.latest.setWordWrap(True)
        self.latest.setStyleSheet("color: #333;")
        head.addWidget(self.latest, 1)
        lay.addLayout(head)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.plot.setMinimumHeight(150)
        self.plot.setMaximumHeight(220)
        self.plot.hide()
        self.plot.setTitle(f"Single-leg stance test: free-hip drop, worst 1 s (± {CAMERA_UNCERTAINTY_DEG:.0f}° "
                           f"camera uncertainty)", size="10pt")
        self.plot.setLabel("left", "degrees")
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.hideButtons()
        lay.addWidget(self.plot)
        self.points: list[StanceTrendPoint] = []
        self._version = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._timer.start()
        self.reload()

    def reload(self) -> None:
        try:
            self._version = self.store.data_version()
            since = self._since_day()
            self.points = stance_trend(self.store, since_day=since)
            latest = stance_tests(self.store, limit=1)
        except StorageError as exc:
            self.latest.setText(f"Stance tests could not be read: {exc}")
            return
        self.setVisible(bool(latest))
        self.plot.clear()
        tol = latest[0].drop_tolerance_deg if latest else StanceParams().drop_tolerance_deg
        self.plot.addItem(pg.InfiniteLine(pos=tol, angle=0, pen=pg.mkPen("#b3261e", style=Qt.PenStyle.DashLine),
                                          label=f"tolerance {tol:.0f}°", labelOpts={"position": 0.05}))
        self.plot.addItem(pg.InfiniteLine(pos=0.0, angle=0, pen=pg.mkPen("#888")))
        for leg in ("left", "right"):
            x, y = trend_xy(self.points, leg)
            if not x:
                continue
            pen = SIDE_PENS[leg]
            self.plot.addItem(pg.ErrorBarItem(x=np.array(x), y=np.array(y), height=2 * CAMERA_UNCERTAINTY_DEG,
                                              beam=0.0, pen=pg.mkPen(pen, width=1)))
            self.plot.plot(x, y, pen=pg.mkPen(pen, width=2), symbol="o", symbolSize=8, symbolBrush=pen,
                           name=f"standing on {leg}")
        if self.points:
            xs = [p.started_utc_s for p in self.points]
            self.plot.setXRange(min(xs) - DAY_S, max(max(xs) + DAY_S, min(xs) + 7 * DAY_S), padding=0)
        ys = [p.max_pelvic_drop_deg for p in self.points] + [tol]
        self.plot.setYRange(min(-5.0, min(ys) - CAMERA_UNCERTAINTY_DEG), max(ys) + CAMERA_UNCERTAINTY_DEG + 2)
        self.latest.setText(_latest_text(latest[0]) if latest else "")

    def _on_toggled(self, shown: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.plot.setVisible(shown)

    def _poll(self) -> None:
        try:
            changed = self.store.data_version() != self._version
        except StorageError:
            return
        if changed:
            self.reload()


def _latest_text(test) -> str:
    parts = []
    for leg in ("left", "right"):
        b = test.side(leg)
        if b is None:
            parts.append(f"on the {leg}: not tested")
        elif b.max_pelvic_drop_deg is None or b.verdict == "not judged":
            parts.append(f"on the {leg}: not judged ({b.reason})")
        else:
            why = " (trunk lean)" if b.verdict == "positive" and "leaned" in b.reason else ""
            parts.append(f"on the {leg}: {b.verdict}{why}, {b.max_pelvic_drop_deg:+.0f}° ± "
                         f"{CAMERA_UNCERTAINTY_DEG:.0f}°")
    diff = test.left_minus_right_deg()
    day = dt.date.fromisoformat(test.local_day).strftime("%d %b %Y")
    return (f"Latest test ({day}): " + "; ".join(parts)
            + ("" if diff is None else f"; left − right {diff:+.0f}°"))


def attach_stance_history(view) -> StanceHistoryPanel:
    """Mount the panel under a HistoryView's charts, following its period box."""
    from ui.history_view import RANGES

    def since_day():
        days = RANGES[view.range_box.currentIndex()][1]
        return None if days is None else (view.today - dt.timedelta(days=days - 1)).isoformat()

    panel = StanceHistoryPanel(view.store, since_day)
    view.add_chart_widget(panel)
    view.range_box.currentIndexChanged.connect(lambda _i: panel.reload())
    view.stance_history = panel
    return panel
