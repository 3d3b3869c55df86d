"""Charts of one exercise over time, left vs right: reps per day, range of motion, faults per rep (pyqtgraph).

Drawn from `Store.series` (per-day aggregates of per-set totals), never from rep rows. Over long ranges the
points are binned by week or month, so a five-year history is about sixty points per side, not 1,800.

Sparse logs must still be visible: the time axis starts at the first logged day of the period (not at the start of
an empty "last 3 months"), spans at least a week so one day's bars have width, every point of a short series
gets a marker (a single day has no line to draw), and the value axes start at zero with headroom above the
largest value instead of zooming into a single point's noise.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.storage import SeriesPoint

SIDE_PENS = {"left": "#1f6fb4", "right": "#e0701a"}
DAY_S = 86400.0


def day_to_epoch(day: str) -> float:
    """Local noon of the day, so the date axis (local time) labels each point with its own date."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12)).timestamp()


BIN_DAYS = {"day": 1, "week": 7, "month": 30.4}


MIN_SPAN_DAYS = 7
MARKERS_UP_TO = 120  # points per side; beyond that markers would only blur the line


def x_range(points: list[SeriesPoint], since_day: str, until_day: str) -> tuple[float, float]:
    """From half a day before the first logged day in the period to half a day after its end, at least a week."""
    first = min((p.day for p in points if since_day <= p.day <= until_day), default=since_day)
    x0 = day_to_epoch(first) - DAY_S
    x1 = max(day_to_epoch(until_day) + DAY_S, x0 + MIN_SPAN_DAYS * DAY_S)
    return x0, x1


def y_top(values: list[float], floor: float) -> float:
    """Zero-based axis top: 15 % above the largest value, never below `floor` (so an all-zero series is flat)."""
    return max([floor, *values]) * 1.15


def bin_of(span_days: int) -> str:
    """Per day up to ~6 months, per week up to 2 years, then per month: a few hundred points at most."""
    return "day" if span_days <= 200 else "week" if span_days <= 730 else "month"


def _bin_start(d: dt.date, unit: str) -> dt.date:
    if unit == "week":
        return d - dt.timedelta(days=d.weekday())
    if unit == "month":
        return d.replace(day=1)
    return d


def bin_points(points: list[SeriesPoint], unit: str) -> dict[str, list[tuple[float, int, float | None, float]]]:
    """side -> [(x_epoch_s, reps, mean_peak_deg, faults_per_rep)], per day, ISO week or month."""
    acc: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0, 0, 0])
    for p in points:
        d = dt.date.fromisoformat(p.day)
        key_day = _bin_start(d, unit).isoformat()
        a = acc[(p.side, key_day)]
        a[0] += p.reps
        a[1] += (p.mean_peak_deg or 0.0) * p.reps
        a[2] += p.fault_count
        a[3] += p.sets
    out: dict[str, list] = defaultdict(list)
    for (side, day), (reps, peak_sum, faults, _sets) in sorted(acc.items(), key=lambda kv: kv[0][1]):
        x = day_to_epoch(day) + (BIN_DAYS[unit] - 1) / 2 * DAY_S
        out[side].append((x, reps, peak_sum / reps if reps else None, faults / reps if reps else 0.0))
    return out


class HistoryCharts(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        # Antialias the curves only (per item): axes and bars do not need it, and it costs paint time.
        pg.setConfigOptions(antialias=False, background="w", foreground="#333")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # One GraphicsLayoutWidget (one view, one paint) instead of three PlotWidgets: a faster first paint.
        self.view = pg.GraphicsLayoutWidget()
        self.view.ci.setSpacing(4)
        layout.addWidget(self.view)
        self.plots: dict[str, pg.PlotItem] = {}
        for row, (key, title, unit) in enumerate((("reps", "Reps per day", "reps"),
                                                  ("rom", "Range of motion (mean peak)", "degrees"),
                                                  ("faults", "Faults per rep", "faults / rep"))):
            w = self.view.addPlot(row=row, col=0, axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
            w.setTitle(title, size="10pt")
            w.setLabel("left", unit)
            w.getAxis("left").enableAutoSIPrefix(False)
            w.getAxis("left").setWidth(52)
            w.showGrid(x=False, y=True, alpha=0.25)
            w.setMenuEnabled(False)
            w.setMouseEnabled(x=True, y=False)
            w.hideButtons()
            self.plots[key] = w
        # The three charts share one time axis (x-linked): draw its dates once, under the last chart.
        for key in ("reps", "rom"):
            self.plots[key].getAxis("bottom").setStyle(showValues=False)
            self.plots[key].getAxis("bottom").setHeight(6)
        rom = self.plots["rom"]
        self.plots["faults"].setXLink(rom)
        self.plots["reps"].setXLink(rom)
        self.unit = "day"
        self.point_count = 0

    def set_points(self, points: list[SeriesPoint], *, since_day: str, until_day: str, label: str = "") -> None:
        x0, x1 = x_range(points, since_day, until_day)
        span_days = round((x1 - x0) / DAY_S) - 1
        self.unit = per = bin_of(span_days)
        self.plots["reps"].setTitle(f"{label} — reps per {per}" if label else f"Reps per {per}", size="10pt")
        for w in self.plots.values():
            w.clear()
        series = bin_points(points, per)
        width = BIN_DAYS[per] * DAY_S * 0.38
        self.point_count = 0
        tops: dict[str, list[float]] = {"reps": [], "rom": [], "faults": []}
        for i, side in enumerate(sorted(series, key=lambda s: (s != "left", s))):
            rows = series[side]
            colour = SIDE_PENS.get(side, "#666")
            name = side or "?"
            xs = [r[0] for r in rows]
            self.point_count += len(rows)
            offset = (i - 0.5) * width
            bars = pg.BarGraphItem(x=[x + offset for x in xs], height=[r[1] for r in rows], width=width,
                                   brush=colour, pen=pg.mkPen(None), name=name)
            self.plots["reps"].addItem(bars)
            # Few points: each side's marker sits over its own bar, so equal left and right values do not hide
            # one another (with many points the lines show both anyway).
            mx = [x + offset for x in xs] if len(rows) <= 30 else xs
            rom = [(x, r[2]) for x, r in zip(mx, rows) if r[2] is not None]
            symbol = "o" if len(rows) <= MARKERS_UP_TO else None
            size = 9 if len(rows) <= 30 else 6  # few points: big enough to see at a glance
            self.plots["rom"].plot([p[0] for p in rom], [p[1] for p in rom], pen=pg.mkPen(colour, width=2),
                                   symbol=symbol, symbolSize=size, symbolBrush=colour, symbolPen=None, name=name,
                                   antialias=True)
            self.plots["faults"].plot(mx, [r[3] for r in rows], pen=pg.mkPen(colour, width=2), symbol=symbol,
                                      symbolSize=size, symbolBrush=colour, symbolPen=None, name=name, antialias=True)
            tops["reps"] += [r[1] for r in rows]
            tops["rom"] += [p[1] for p in rom]
            tops["faults"] += [r[3] for r in rows]
        floors = {"reps": 10.0, "rom": 10.0, "faults": 0.2}
        self.plots["rom"].setXRange(x0, x1, padding=0)  # the other two follow it (x-linked)
        for key, w in self.plots.items():
            w.setLimits(yMin=0)
            w.setYRange(0, y_top(tops[key], floors[key]), padding=0)
