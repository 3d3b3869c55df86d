"""The session list (paged from the log as the user scrolls) and one session's sets, reps and faults, and per set
what could not be judged."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from app.reports.export import exercise_label, fault_label, judged_part
from app.storage import SessionRecord, SessionSummary, SetRecord, Store

PAGE = 60
SHORT_LABELS = {"side-lying-abduction": "Side-lying abd.", "clamshell": "Clamshell", "step-down": "Step-down"}


class SessionListModel(QAbstractTableModel):
    """Newest first; fetches PAGE rows at a time (Qt's canFetchMore/fetchMore), so five years open instantly."""

    HEADERS = ("Date", "Exercises", "Sets", "Reps", "Faulty")

    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self._store = store
        self._rows: list[SessionSummary] = []
        self._exercise: str | None = None
        self._day: str | None = None
        self._total = 0
        self.reload()

    def reload(self, exercise: str | None = None, day: str | None = None) -> None:
        self.beginResetModel()
        self._exercise, self._day = exercise, day
        self._rows = []
        self._total = self._store.count_sessions(exercise) if day is None else len(self._store.session_ids(day, day))
        self._rows = self._fetch(0)
        self.endResetModel()

    def _fetch(self, offset: int) -> list[SessionSummary]:
        return self._store.list_sessions(limit=PAGE, offset=offset, exercise=self._exercise, since_day=self._day,
                                         until_day=self._day)

    @property
    def total(self) -> int:
        """Sessions matching the current filter (the list may hold fewer until scrolled)."""
        return self._total

    def session_at(self, row: int) -> SessionSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and self._day is None and len(self._rows) < self._total

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802
        more = self._fetch(len(self._rows))
        if not more:
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                started = dt.datetime.fromtimestamp(r.started_utc_s)
                return f"{dt.date.fromisoformat(r.local_day).strftime('%a %d %b %y')}  {started:%H:%M}"
            if col == 1:
                return ", ".join(SHORT_LABELS.get(e, exercise_label(e)) for e in r.exercises) or "(no sets)"
            return (r.sets, r.reps, r.faulty_reps)[col - 2]
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            programme = f"Programme: {r.programme}" if r.programme else ""
            return "\n".join(x for x in (programme or r.plan_name, ", ".join(exercise_label(e) for e in r.exercises))
                             if x)
        return None


def _clock(t_utc_s: float | None) -> str:
    return dt.datetime.fromtimestamp(t_utc_s).strftime("%H:%M") if t_utc_s is not None else "…"


def _set_outcome(st: SetRecord) -> str:
    """'2 reps with faults', 'clean'; plus what could not be judged, since "clean" alone would claim good form
    for what was never checked."""
    faulty = sum(1 for r in st.reps if r.faults)
    outcome = f"{faulty} rep{'s' if faulty != 1 else ''} with faults" if faulty else "clean"
    parts = dict.fromkeys(judged_part(code) for code, _, _ in st.not_judged())  # two codes may share a part
    return f"{outcome} · {', '.join(parts)} not judged" if parts else outcome


def _not_judged_item(code: str, reason: str, reps: int, total: int, brush: QBrush) -> QTreeWidgetItem:
    """'Pelvis not judged' | 'hips overlap from this camera angle (3 of 10 reps)', grey: not a fault."""
    count = f"{reps} of {total} reps"
    line = QTreeWidgetItem([f"{judged_part(code).capitalize()} not judged", "", "", "",
                            f"{reason} ({count})" if reason else count])
    line.setToolTip(0, f"{fault_label(code)} could not be checked on these reps: neither a fault nor good form.")
    line.setForeground(0, brush)
    line.setForeground(4, brush)
    return line


class SessionDetail(QTreeWidget):
    """Sets of one session; under each set what could not be judged (one line per fault), its reps (time, peak,
    tempo, faults) and the fault cues shown."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setHeaderLabels(["Set / rep", "Time", "Peak", "Tempo up / down", "Faults"])
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setRootIsDecorated(True)
        for col, width in enumerate((310, 110, 60, 120)):
            self.setColumnWidth(col, width)
        self.session: SessionRecord | None = None
        self.recordings: dict[int, str] = {}  # set id -> recorded video (app.pipeline.set_recording), if any

    def selected_set(self) -> SetRecord | None:
        """The set of the selected line (a set, or one of its reps / notes)."""
        item = self.currentItem()
        while item is not None and item.data(0, Qt.ItemDataRole.UserRole) is None:
            item = item.parent()
        if item is None or self.session is None:
            return None
        set_id = item.data(0, Qt.ItemDataRole.UserRole)
        return next((st for st in self.session.sets if st.id == set_id), None)

    def show_session(self, s: SessionRecord | None, recordings: dict[int, str] | None = None) -> None:
        self.recordings = recordings or {}
        self.clear()
        self.session = s
        if s is None:
            return
        head = QTreeWidgetItem([f"{dt.date.fromisoformat(s.local_day):%A %d %B %Y}, "
                                f"{_clock(s.started_utc_s)}–{_clock(s.ended_utc_s)}"
                                + (f" · programme {s.programme.label()}" if s.programme is not None
                                   else f" · {s.plan_name}" if s.plan_name else "")
                                + (f" · {s.notes}" if s.notes else "")])
        font = head.font(0)
        font.setBold(True)
        head.setFont(0, font)
        self.addTopLevelItem(head)
        head.setFirstColumnSpanned(True)
        red = QBrush(QColor("#b03a2e"))
        grey = QBrush(QColor("#5f6b75"))
        for n, st in enumerate(s.sets, 1):
            achieved = st.achieved_reps if st.achieved_reps is not None else len(st.reps)
            target = f"/{st.target_reps}" if st.target_reps else ""
            recorded = " · ● recorded" if st.id in self.recordings else ""
            item = QTreeWidgetItem([f"Set {n}: {exercise_label(st.exercise)}, {st.side or '?'} — {achieved}{target} reps"
                                    + recorded,
                                    f"{_clock(st.started_utc_s)}–{_clock(st.ended_utc_s)}", "", "", _set_outcome(st)])
            item.setData(0, Qt.ItemDataRole.UserRole, st.id)
            self.addTopLevelItem(item)
            for code, reason, reps in st.not_judged():  # once per set, before the reps
                item.addChild(_not_judged_item(code, reason, reps, len(st.reps), grey))
            for r in st.reps:
                child = QTreeWidgetItem([f"Rep {r.index}", f"{r.t_start_s:.1f}–{r.t_end_s:.1f} s",
                                         f"{r.peak_deg:.0f}°",
                                         f"{r.t_peak_s - r.t_start_s:.1f} s / {r.t_end_s - r.t_peak_s:.1f} s",
                                         ", ".join(fault_label(f) for f in r.faults)])
                if r.faults:
                    child.setForeground(4, red)
                item.addChild(child)
            for w in st.warnings:
                cue = QTreeWidgetItem([f"Cue shown: {fault_label(w.code)}", f"at {w.t_s:.1f} s", f"{w.value:.0f}",
                                       "", f"“{w.message}”"])
                cue.setToolTip(4, w.message)
                cue.setForeground(0, red)
                cue.setForeground(4, red)
                item.addChild(cue)
            item.setExpanded(True)
