"""The History screen: totals and streaks, a calendar and a paged list of sessions, charts per exercise and
side, one session's sets and reps with their faults, and export buttons.

Takes an open `app.storage.Store`. Everything it shows at first paint comes from aggregate queries (per-set
totals, one page of sessions, one exercise's series over the chosen range), which is what keeps opening it
under 300 ms on five years of daily sessions (tools/benchmark_history.py measures it). A log that cannot be
read shows its message in the banner instead of raising.

It fits a 1280×800 laptop and still works at 1024×768: the export buttons are short, the chart's side totals sit
on their own line, and `ui.history_entry.open_history` sizes the window to the screen. It refreshes by itself
when anything commits to the log while it is open (a live set, `medius analyze --log` in another process, a
replayed recording): a cheap `PRAGMA data_version` poll, which changes only when another connection commits.
Extra per-exercise charts can be added under the three trend charts with `add_chart_widget`.
"""

from __future__ import annotations

import datetime as dt
import logging
import pathlib
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QTextCharFormat, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCalendarWidget,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.reports import export
from app.storage import StorageError, Store
from ui.history_charts import HistoryCharts
from ui.history_sessions import SessionDetail, SessionListModel

log = logging.getLogger(__name__)

RANGES = (("Last 4 weeks", 28), ("Last 3 months", 91), ("Last year", 365), ("Everything", None))
CHANGE_POLL_MS = 1500  # how soon a set logged elsewhere shows up; one tiny pragma per poll


class StatBox(QFrame):
    def __init__(self, caption: str, parent=None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("StatBox { background: #f6f8fa; border: 1px solid #d9dee3; border-radius: 6px; }")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 3, 8, 3)
        lay.setSpacing(0)
        self.value = QLabel("–")
        f = self.value.font()
        f.setPixelSize(22)
        f.setBold(True)
        self.value.setFont(f)
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        cap = QLabel(caption)
        cap.setAlignment(Qt.AlignmentFlag.AlignCenter)
        cap.setStyleSheet("color: #555;")
        lay.addWidget(self.value)
        lay.addWidget(cap)


class HistoryView(QWidget):
    """The history screen. `write_pdf(html, path)` enables the PDF button (ui.history_pdf.write_pdf)."""

    error_shown = Signal(str)
    exported = Signal(str)

    def __init__(self, store: Store, parent=None, *, today: dt.date | None = None,
                 write_pdf: Callable[[str, pathlib.Path], object] | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._fixed_today = today
        self.today = today or dt.date.today()
        self._write_pdf = write_pdf
        self.setWindowTitle("Medius Coach — History")

        root = QVBoxLayout(self)
        root.setContentsMargins(10, 8, 10, 8)
        root.setSpacing(6)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fdecea; color: #8a1c12; padding: 6px; border-radius: 4px;")
        self.banner.hide()
        root.addWidget(self.banner)

        top = QHBoxLayout()
        title = QLabel("History")
        tf = title.font()
        tf.setPixelSize(24)
        tf.setBold(True)
        title.setFont(tf)
        top.addWidget(title)
        top.addSpacing(12)
        self.stats = {key: StatBox(caption) for key, caption in (
            ("sessions", "sessions"), ("days", "active days"), ("reps", "reps"), ("streak", "day streak"),
            ("longest", "longest streak"))}
        for box in self.stats.values():
            top.addWidget(box)
        top.addStretch(1)
        self.export_buttons: dict[str, QPushButton] = {}
        top.addWidget(QLabel("Export"))
        # Short labels: the four buttons and the five totals must share one row on a 1024-pixel screen.
        for fmt, text, tip in (("csv", "CSV", "Every rep of the period as a spreadsheet table"),
                               ("json", "JSON", "The period's sessions, sets and reps as JSON"),
                               ("html", "Report", "A one-page report for a physiotherapist (web page)"),
                               ("pdf", "PDF", "The same one-page report as a PDF")):
            b = QPushButton(text)
            b.setToolTip(tip)
            b.setMinimumWidth(56)  # below the style's 80-pixel default, so the row can shrink on small screens
            b.clicked.connect(lambda _=False, f=fmt: self._on_export_clicked(f))
            top.addWidget(b)
            self.export_buttons[fmt] = b
        self.export_buttons["pdf"].setEnabled(write_pdf is not None)
        root.addLayout(top)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(False)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setMaximumDate(QDate(self.today.year, self.today.month, self.today.day))
        self.calendar.setSelectedDate(QDate(self.today.year, self.today.month, self.today.day))
        self.calendar.currentPageChanged.connect(self._on_calendar_page_changed)
        self.calendar.clicked.connect(self._on_calendar_clicked)
        self.calendar.setMaximumHeight(230)
        ll.addWidget(self.calendar)
        list_head = QHBoxLayout()
        self.list_label = QLabel("All sessions")
        self.list_label.setStyleSheet("font-weight: bold;")
        list_head.addWidget(self.list_label)
        list_head.addStretch(1)
        self.show_all = QPushButton("Show all")
        self.show_all.clicked.connect(self._on_show_all_clicked)
        self.show_all.hide()
        list_head.addWidget(self.show_all)
        ll.addLayout(list_head)
        self.sessions = SessionListModel(store)
        self.table = QTableView()
        self.table.setModel(self.sessions)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setAlternatingRowColors(True)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col, w in ((0, 142), (2, 34), (3, 42), (4, 44)):
            self.table.setColumnWidth(col, w)
        self.table.selectionModel().currentRowChanged.connect(self._on_session_selected)
        ll.addWidget(self.table, 1)
        split.addWidget(left)

        right = QSplitter(Qt.Orientation.Vertical)
        chart_box = QWidget()
        cl = QVBoxLayout(chart_box)
        cl.setContentsMargins(0, 0, 0, 0)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("Exercise"))
        self.exercise_box = QComboBox()
        self.exercise_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.exercise_box.setMinimumContentsLength(16)
        pick.addWidget(self.exercise_box)
        pick.addSpacing(12)
        pick.addWidget(QLabel("Period"))
        self.range_box = QComboBox()
        for text, _days in RANGES:
            self.range_box.addItem(text)
        self.range_box.setCurrentIndex(1)
        pick.addWidget(self.range_box)
        pick.addStretch(1)
        key = QLabel("<span style='color:#1f6fb4'>■</span> left &nbsp; <span style='color:#e0701a'>■</span> right")
        pick.addWidget(key)
        cl.addLayout(pick)
        self.range_summary = QLabel()
        self.range_summary.setStyleSheet("color: #444;")
        cl.addWidget(self.range_summary)
        self.charts = HistoryCharts()
        cl.addWidget(self.charts, 1)
        self.chart_layout = cl
        right.addWidget(chart_box)
        self.detail = SessionDetail()
        detail_box = QWidget()
        dl = QVBoxLayout(detail_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.setSpacing(2)
        dl.addWidget(self.detail, 1)
        rec_row = QHBoxLayout()
        self.recording_note = QLabel("")
        self.recording_note.setStyleSheet("color: #44515c;")
        rec_row.addWidget(self.recording_note, 1)
        self.replay_button = QPushButton("Replay set")
        self.replay_button.setToolTip("Watch the selected set's recording with its reps and faults")
        self.replay_button.clicked.connect(self._on_replay_clicked)
        self.delete_recording_button = QPushButton("Delete recording")
        self.delete_recording_button.clicked.connect(self._on_delete_recording_clicked)
        for b in (self.replay_button, self.delete_recording_button):
            b.setEnabled(False)
            rec_row.addWidget(b)
        dl.addLayout(rec_row)
        self.detail.currentItemChanged.connect(lambda *_: self._update_recording_buttons())
        right.addWidget(detail_box)
        right.setSizes([480, 300])
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setSizes([400, 880])
        split.setChildrenCollapsible(False)
        root.addWidget(split, 1)

        self._data_version: int | None = None
        self.refresh()
        self.exercise_box.currentIndexChanged.connect(self._on_filter_changed)
        self.range_box.currentIndexChanged.connect(self._on_filter_changed)
        self.change_timer = QTimer(self)
        self.change_timer.setInterval(CHANGE_POLL_MS)
        self.change_timer.timeout.connect(self._on_change_timer)
        self.change_timer.start()
        from ui.history_stance import attach_stance_history  # single-leg stance tests' trend (own module)

        attach_stance_history(self)

    def add_chart_widget(self, widget: QWidget, stretch: int = 0) -> None:
        """Put another chart (e.g. an exercise's own trend) under the three shared ones."""
        self.chart_layout.addWidget(widget, stretch)

    # ---- loading ---------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read totals, the list and the charts (after a set is logged, or an import). A session the user
        picked further down stays selected; on the newest one the view follows to whatever is newest now (the set
        just logged). The calendar's day filter is kept."""
        if self._fixed_today is None:
            self.today = dt.date.today()  # the app may stay open past midnight
        picked = self.table.currentIndex().row() > 0 and self.detail.session is not None
        selected = self.detail.session.id if picked else None
        try:
            self._data_version = self.store.data_version()
            t = self.store.totals(today=self.today)
            self.stats["sessions"].value.setText(f"{t.sessions}")
            self.stats["days"].value.setText(f"{t.active_days}")
            self.stats["reps"].value.setText(f"{t.reps:,}")
            self.stats["streak"].value.setText(f"{t.current_streak_days}")
            self.stats["longest"].value.setText(f"{t.longest_streak_days}")
            current = self.exercise_box.currentData()
            self.exercise_box.blockSignals(True)
            self.exercise_box.clear()
            for ex in self._exercises_in_order():
                self.exercise_box.addItem(export.exercise_label(ex), ex)
            i = self.exercise_box.findData(current) if current else -1
            self.exercise_box.setCurrentIndex(max(0, i))
            self.exercise_box.blockSignals(False)
            self._mark_calendar()
            self._load_charts()
            self._reload_list(self._day_filter(), keep_id=selected)
            self._clear_error()
        except StorageError as exc:
            self._show_error(str(exc))

    def _day_filter(self) -> str | None:
        return self.show_all.property("day") if self.show_all.isVisibleTo(self) else None

    def _reload_list(self, day: str | None, keep_id: int | None = None) -> None:
        self.sessions.reload(day=day)
        if day is None:
            self.list_label.setText(f"All sessions ({self.sessions.total})")
            self.show_all.hide()
        else:
            n = self.sessions.rowCount()
            self.list_label.setText(f"{dt.date.fromisoformat(day):%a %d %b %Y}: {n} session{'s' if n != 1 else ''}")
            self.show_all.setProperty("day", day)
            self.show_all.show()
        rows = [r for r in range(self.sessions.rowCount()) if self.sessions.session_at(r).id == keep_id]
        row = rows[0] if rows else 0
        if self.sessions.rowCount():
            self.table.selectRow(row)
            # Re-read the shown session even when the row did not change: its sets may just have grown.
            self._on_session_selected(self.sessions.index(row, 0), None)
        else:
            self.detail.show_session(None)

    def _on_change_timer(self) -> None:
        """Refresh when another connection has committed to the log since the last read."""
        if not self.isVisible():
            return
        try:
            changed = self.store.data_version() != self._data_version
        except StorageError as exc:
            self._show_error(str(exc))
            return
        if changed:
            self.refresh()

    def _exercises_in_order(self) -> list[str]:
        found = self.store.exercises()
        known = [e for e in export.EXERCISE_LABELS if e in found]
        return known + [e for e in found if e not in known]

    def period(self) -> tuple[str, str]:
        days = RANGES[self.range_box.currentIndex()][1]
        until = self.today.isoformat()
        if days is None:
            first = self.store.active_days()[:1]
            return (first[0] if first else until), until
        return (self.today - dt.timedelta(days=days - 1)).isoformat(), until

    def _load_charts(self) -> None:
        ex = self.exercise_box.currentData()
        since, until = self.period()
        points = self.store.series(exercise=ex, since_day=since, until_day=until) if ex else []
        self.charts.set_points(points, since_day=since, until_day=until,
                               label=export.exercise_label(ex) if ex else "")
        by_side: dict[str, int] = {}
        for p in points:
            by_side[p.side] = by_side.get(p.side, 0) + p.reps
        self.range_summary.setText("   ".join(f"{side or '?'}: {n:,} reps" for side, n in sorted(by_side.items()))
                                   or "no sets in this period")

    def _mark_calendar(self) -> None:
        """Bold, tinted dates for active days of the shown month (only that month: cheap on any history)."""
        self.calendar.setDateTextFormat(QDate(), QTextCharFormat())
        y, m = self.calendar.yearShown(), self.calendar.monthShown()
        first = dt.date(y, m, 1) - dt.timedelta(days=7)
        last = dt.date(y + (m == 12), m % 12 + 1, 1) + dt.timedelta(days=7)
        fmt = QTextCharFormat()
        fmt.setFontWeight(QFont.Weight.Bold)
        fmt.setBackground(QColor("#cfe8d7"))
        for day in self.store.active_days(first.isoformat()):
            if day > last.isoformat():
                break
            d = dt.date.fromisoformat(day)
            self.calendar.setDateTextFormat(QDate(d.year, d.month, d.day), fmt)

    # ---- slots --------------------------------------------------------------------------------------------

    def _on_filter_changed(self, _index: int) -> None:
        try:
            self._load_charts()
        except StorageError as exc:
            self._show_error(str(exc))

    def _on_calendar_page_changed(self, _year: int, _month: int) -> None:
        try:
            self._mark_calendar()
        except StorageError as exc:
            self._show_error(str(exc))

    def _on_calendar_clicked(self, qdate: QDate) -> None:
        day = dt.date(qdate.year(), qdate.month(), qdate.day()).isoformat()
        try:
            self._reload_list(day)
        except StorageError as exc:
            self._show_error(str(exc))

    def _on_show_all_clicked(self) -> None:
        try:
            self._reload_list(None)
        except StorageError as exc:
            self._show_error(str(exc))

    def _on_session_selected(self, current, _previous) -> None:
        summary = self.sessions.session_at(current.row()) if current.isValid() else None
        if summary is None:
            return
        try:
            self.detail.show_session(self.store.get_session(summary.id), self.store.recordings(summary.id))
        except StorageError as exc:
            self._show_error(str(exc))
        self._update_recording_buttons()

    # ---- recorded sets (app.pipeline.set_recording; only when the user turned recording on) ----------------------------

    def _selected_recording(self):
        from app.pipeline.set_recording import recordings_dir

        st = self.detail.selected_set()
        name = self.detail.recordings.get(st.id) if st is not None else None
        return (st, recordings_dir() / name) if name else (st, None)

    def _update_recording_buttons(self) -> None:
        st, path = self._selected_recording()
        present = path is not None and path.is_file()
        self.replay_button.setEnabled(present)
        self.delete_recording_button.setEnabled(path is not None)
        if path is None:
            self.recording_note.setText("" if not self.detail.recordings else "Select a recorded set to replay it.")
        else:
            self.recording_note.setText(f"Recording: {path.name}" if present else "The recording file is missing.")

    def _on_replay_clicked(self) -> None:
        self.replay_selected()

    def replay_selected(self):
        """Open the selected set's recording in the replay screen; returns the window (or None)."""
        from app.pipeline import set_recording
        from ui.replay_open import open_replay

        st, path = self._selected_recording()
        if path is None:
            return None
        try:
            replay = set_recording.load(path, st.exercise)
            return open_replay(replay, self)
        except (OSError, ValueError, KeyError) as exc:
            self._show_error(f"The recording cannot be replayed: {exc}")
            return None

    def _on_delete_recording_clicked(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        st, path = self._selected_recording()
        if path is None:
            return
        answer = QMessageBox.question(self, "Delete recording",
                                      f"Delete the video of this set ({path.name})? Its reps stay in the log.")
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_selected_recording()

    def delete_selected_recording(self) -> bool:
        """Delete the selected set's video and replay data; the log keeps the reps and forgets the file."""
        from app.pipeline import set_recording
        st, path = self._selected_recording()
        if path is None:
            return False
        try:
            set_recording.delete(path.parent, path.name)
            self.store.set_recording(st.id, None)
        except (OSError, StorageError) as exc:
            self._show_error(f"The recording could not be deleted: {exc}")
            return False
        self.detail.recordings.pop(st.id, None)
        self._update_recording_buttons()
        return True

    def _on_export_clicked(self, fmt: str) -> None:
        suffix = {"csv": "CSV (*.csv)", "json": "JSON (*.json)", "html": "Web page (*.html)", "pdf": "PDF (*.pdf)"}
        default = str(pathlib.Path.home() / f"medius-{self.today.isoformat()}.{fmt}")
        path, _ = QFileDialog.getSaveFileName(self, "Export the exercise log", default, suffix[fmt])
        if path:
            self.export_to(fmt, path)

    def export_to(self, fmt: str, path: str | pathlib.Path) -> pathlib.Path | None:
        """Export the chosen period (csv/json/html/pdf) to `path`; errors go to the banner."""
        since, until = self.period()
        try:
            out = export.export(self.store, fmt, path, since_day=since, until_day=until, write_pdf=self._write_pdf,
                                today=self.today)
        except (StorageError, OSError, ValueError) as exc:
            self._show_error(f"Export failed: {exc}")
            return None
        self.exported.emit(str(out))
        return out

    def _show_error(self, message: str) -> None:
        log.warning("history: %s", message)
        self.banner.setText(message)
        self.banner.show()
        self.error_shown.emit(message)

    def _clear_error(self) -> None:
        self.banner.hide()
