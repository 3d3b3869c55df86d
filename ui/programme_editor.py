"""The programme editor: where a physiotherapist builds a patient's programme and saves it as a file.

Left, the programme's exercises in order (add, remove, move up and down); right, the selected exercise's dose
(sets, reps or hold seconds by the exercise's kind, sides, rest), its fault limits (each with the fault's name,
the engine's default and the range the library allows; only ticked ones go into the file) and a note. Above,
who the programme is for and a general note. Every value the widgets allow is valid, so the file written is one
the patient's app reads; what is missing (a name, an exercise) is said in the dialog, not by a crash.

The file dialogs go through `ask_save_path` / `ask_open_path` so tests can answer them.
"""

from __future__ import annotations

import datetime as dt
import pathlib

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDateEdit, QDialog, QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox,
    QHBoxLayout, QLabel, QLineEdit, QListWidget, QMessageBox, QPlainTextEdit, QPushButton, QSpinBox, QVBoxLayout,
    QWidget,
)

from app.datafile import DataFileError
from app.engine.events import Exercise
from app.reports.export import fault_label
from app.session.plan import MAX_REPS_PER_SET, MAX_REST_S, MAX_SETS
from app.session.programme import (
    MAX_HOLD_S, Programme, ProgrammeEntry, default_limits, exercise_kind, limit_range, new_entry,
)
from app.session.programme_file import SUFFIX, load_programme, save_programme
from ui.exercise_texts import exercise_text

FILE_FILTER = f"Medius Coach programmes (*{SUFFIX} *.toml)"
EDITOR_SIDES = {"both": "Both sides (all sets left, then right)", "left": "Left leg only", "right": "Right leg only",
                "auto": "Whichever leg the camera sees"}


def exercise_title(exercise: Exercise) -> str:
    try:
        return exercise_text(exercise).title
    except Exception:  # noqa: BLE001 - an exercise without a card still has an id to show
        return str(Exercise(exercise).value)


def _decimals(default: float) -> int:
    return 2 if abs(default) < 1 else 1


def _kept(old: float | None, box) -> float:
    """The box's value, or the entry's own when the box shows that same value rounded: a limit of 0.125 or a
    rest of 45.5 s from a hand-written file survives editing another field of the entry (lossless)."""
    decimals = box.decimals() if hasattr(box, "decimals") else 0
    new = float(box.value())
    return float(old) if old is not None and round(float(old), decimals) == round(new, decimals) else new


class _LimitRow:
    """One fault of the selected exercise: tick to set the therapist's own limit."""

    def __init__(self, exercise: Exercise, code: str, default: float) -> None:
        self.code = code
        low, high = limit_range(exercise, code)
        self.own = QCheckBox(fault_label(code))
        self.value = QDoubleSpinBox(minimum=low, maximum=high, decimals=_decimals(default))
        self.value.setSingleStep(0.5 if default >= 1 else 0.05)
        self.value.setValue(default)
        self.value.setEnabled(False)
        self.hint = QLabel(f"default {default:g} (allowed {low:g}–{high:g})")
        self.hint.setStyleSheet("color: #5c6770;")
        self.own.toggled.connect(self.value.setEnabled)


class ProgrammeEditor(QDialog):
    saved = Signal(str)  # path of the file just written

    def __init__(self, parent=None, programme: Programme | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Programme editor — Medius Coach")
        self.resize(1100, 720)
        self.path: pathlib.Path | None = None
        self._entries: list[ProgrammeEntry] = []
        self._loading = False
        self.ask_save_path = self._ask_save_path
        self.ask_open_path = self._ask_open_path

        who = QFormLayout()
        self.title_edit = QLineEdit(placeholderText="e.g. Hip strength, weeks 3–4")
        self.patient = QLineEdit(placeholderText="the patient's name")
        self.therapist = QLineEdit(placeholderText="your name")
        self.date = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.date.setDate(QDate.currentDate())
        self.general_note = QPlainTextEdit(placeholderText="A note for the patient about the whole programme")
        self.general_note.setFixedHeight(60)
        for edit in (self.title_edit, self.patient, self.therapist, self.date):
            edit.setMaximumWidth(520)
        who.addRow("Title", self.title_edit)
        who.addRow("Patient", self.patient)
        who.addRow("Physiotherapist", self.therapist)
        who.addRow("Date", self.date)
        who.addRow("Note", self.general_note)

        # Left: the exercises, in order.
        self.list = QListWidget()
        self.list.setMinimumWidth(330)
        self.add_choice = QComboBox()
        for e in Exercise:
            self.add_choice.addItem(exercise_title(e), e.value)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(lambda: self.add_exercise(self.add_choice.currentData()))
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_current)
        self.up_button = QPushButton("Move up")
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button = QPushButton("Move down")
        self.down_button.clicked.connect(lambda: self.move_current(1))
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>Exercises, in order</b>"))
        left.addWidget(self.list, 1)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_choice, 1)
        add_row.addWidget(self.add_button)
        left.addLayout(add_row)
        moves = QHBoxLayout()
        for b in (self.up_button, self.down_button, self.remove_button):
            moves.addWidget(b)
        left.addLayout(moves)

        # Right: the selected exercise.
        self.detail = QGroupBox("Exercise")
        detail_lay = QVBoxLayout(self.detail)
        form = QFormLayout()
        detail_lay.addLayout(form)
        self.sets = QSpinBox(minimum=1, maximum=MAX_SETS)
        self.reps = QSpinBox(minimum=1, maximum=MAX_REPS_PER_SET, suffix=" reps")
        self.hold = QDoubleSpinBox(minimum=1, maximum=MAX_HOLD_S, decimals=0, suffix=" s")
        self.reps_label, self.hold_label = QLabel("Reps per set"), QLabel("Hold per set")
        self.sides = QComboBox()
        for key, label in EDITOR_SIDES.items():
            self.sides.addItem(label, key)
        self.rest = QSpinBox(minimum=0, maximum=int(MAX_REST_S), singleStep=15, suffix=" s")
        self.note = QPlainTextEdit(placeholderText="e.g. Slowly on the way down")
        self.note.setFixedHeight(80)
        self.limits_box = QWidget()
        self.limits_grid = QGridLayout(self.limits_box)
        self.limits_grid.setContentsMargins(0, 0, 0, 0)
        self._limit_rows: list[_LimitRow] = []
        form.addRow("Sets", self.sets)
        form.addRow(self.reps_label, self.reps)
        form.addRow(self.hold_label, self.hold)
        form.addRow("Sides", self.sides)
        form.addRow("Rest between sets", self.rest)
        detail_lay.addSpacing(10)
        detail_lay.addWidget(QLabel("<b>Your limits</b> (tick to change the app's default for this patient)"))
        detail_lay.addWidget(self.limits_box)
        detail_lay.addSpacing(10)
        detail_lay.addWidget(QLabel("<b>Note</b> for the patient about this exercise"))
        detail_lay.addWidget(self.note)
        detail_lay.addStretch(1)
        for w in (self.sets.valueChanged, self.reps.valueChanged, self.hold.valueChanged,
                  self.sides.currentIndexChanged, self.rest.valueChanged, self.note.textChanged):
            w.connect(self._store_current)
        self.list.currentRowChanged.connect(self._show_entry)

        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addWidget(self.detail, 3)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b3261e; font-size: 14px;")
        buttons = QHBoxLayout()
        new = QPushButton("New")
        new.clicked.connect(self.new_programme)
        open_ = QPushButton("Open…")
        open_.clicked.connect(self.open_dialog)
        self.save_button = QPushButton("Save…")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save_dialog)
        close = QPushButton("Close")
        close.clicked.connect(self.close_if_saved)
        for b in (new, open_):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        outer = QVBoxLayout(self)
        outer.addLayout(who)
        outer.addLayout(body, 1)
        outer.addWidget(self.message)
        outer.addLayout(buttons)
        self.setAcceptDrops(True)  # a programme file dropped on the editor opens in it
        if programme is not None:
            self.load(programme)
        else:
            self._refresh_list()
        self._saved_state = self._state()

    # -- unsaved changes -----------------------------------------------------------------------------------------
    def _state(self) -> tuple:
        return (self.title_edit.text(), self.patient.text(), self.therapist.text(), self.date.date(),
                self.general_note.toPlainText(), tuple(self._entries))

    @property
    def unsaved(self) -> bool:
        return self._state() != self._saved_state

    def close_if_saved(self) -> None:
        """Close (the button, Esc); with unsaved changes, ask first (non-blocking: the answer closes or not)."""
        if not self.unsaved:
            self.accept()
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved programme",
                          "This programme has changes that are not saved. Save them before closing?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self._on_close_answer)
        self.close_box = box
        box.open()

    def _on_close_answer(self, _result: int) -> None:
        answer = self.close_box.standardButton(self.close_box.clickedButton())
        if answer == QMessageBox.StandardButton.Discard:
            self.accept()
        elif answer == QMessageBox.StandardButton.Save and self.save_dialog() is not None:
            self.accept()

    def reject(self) -> None:  # Esc
        self.close_if_saved()

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        from ui.plan_screen import programme_drop_path

        if programme_drop_path(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        from ui.plan_screen import programme_drop_path

        path = programme_drop_path(event.mimeData())
        if path:
            event.acceptProposedAction()
            self.open_file(path)

    # -- the model ---------------------------------------------------------------------------------------------
    def load(self, programme: Programme, path: pathlib.Path | None = None) -> None:
        self._loading = True
        self.title_edit.setText(programme.title)
        self.patient.setText(programme.patient)
        self.therapist.setText(programme.therapist)
        self.date.setDate(QDate(programme.date.year, programme.date.month, programme.date.day))
        self.general_note.setPlainText(programme.note)
        self._loading = False
        self._entries = list(programme.entries)
        self.path = path
        self._refresh_list(0)
        self.message.setText("")
        self._saved_state = self._state()

    def programme(self) -> Programme:
        """The programme as edited; ValueError says what is missing."""
        missing = [name for name, edit in (("a title", self.title_edit), ("the patient's name", self.patient),
                                           ("your name", self.therapist)) if not edit.text().strip()]
        if missing:
            raise ValueError(f"Please give {' and '.join(missing)}.")
        if not self._entries:
            raise ValueError("Add at least one exercise.")
        d = self.date.date()
        return Programme(title=self.title_edit.text().strip(), patient=self.patient.text().strip(),
                         therapist=self.therapist.text().strip(), date=dt.date(d.year(), d.month(), d.day()),
                         note=self.general_note.toPlainText(), entries=tuple(self._entries))

    @property
    def entries(self) -> list[ProgrammeEntry]:
        return list(self._entries)

    def add_exercise(self, exercise: Exercise | str) -> bool:
        exercise = Exercise(exercise)
        if any(e.exercise == exercise for e in self._entries):
            self.message.setText(f"{exercise_title(exercise)} is already in the programme.")
            return False
        self._entries.append(new_entry(exercise))
        self._refresh_list(len(self._entries) - 1)
        self.message.setText("")
        return True

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._entries):
            del self._entries[row]
            self._refresh_list(min(row, len(self._entries) - 1))

    def move_current(self, step: int) -> None:
        row = self.list.currentRow()
        to = row + step
        if 0 <= row < len(self._entries) and 0 <= to < len(self._entries):
            self._entries[row], self._entries[to] = self._entries[to], self._entries[row]
            self._refresh_list(to)

    def set_limit(self, code: str, value: float | None) -> None:
        """Tick (value) or untick (None) one of the selected exercise's limits, as a click would."""
        row = next(r for r in self._limit_rows if r.code == code)
        if value is not None:
            row.value.setValue(value)
        row.own.setChecked(value is not None)

    # -- files -------------------------------------------------------------------------------------------------
    def new_programme(self) -> None:
        self._loading = True
        for edit in (self.title_edit, self.patient, self.therapist):
            edit.clear()
        self.general_note.clear()
        self.date.setDate(QDate.currentDate())
        self._loading = False
        self._entries, self.path = [], None
        self._refresh_list()
        self.message.setText("")
        self._saved_state = self._state()

    def save_to(self, path: str | pathlib.Path) -> pathlib.Path | None:
        try:
            programme = self.programme()
        except ValueError as exc:
            self.message.setText(str(exc))
            return None
        path = pathlib.Path(path)
        if not path.name.endswith(".toml"):
            path = path.with_name(path.name + SUFFIX)
        try:
            save_programme(programme, path)
        except OSError as exc:
            self.message.setText(f"The programme could not be saved to {path}: {exc.strerror or exc}.")
            return None
        self.path = path
        self._saved_state = self._state()
        self.message.setStyleSheet("color: #2e6b3a; font-size: 14px;")
        self.message.setText(f"Saved to {path}. Give this file to {programme.patient}.")
        self.saved.emit(str(path))
        return path

    def save_dialog(self) -> pathlib.Path | None:
        self.message.setStyleSheet("color: #b3261e; font-size: 14px;")
        try:
            suggested = self.programme().suggested_file_name()
        except ValueError as exc:
            self.message.setText(str(exc))
            return None
        folder = self.path.parent if self.path else pathlib.Path.home()
        path = self.ask_save_path(str(folder / suggested))
        return self.save_to(path) if path else None

    def open_file(self, path: str | pathlib.Path) -> bool:
        self.message.setStyleSheet("color: #b3261e; font-size: 14px;")
        try:
            programme = load_programme(path)
        except DataFileError as exc:
            self.message.setText(f"This programme cannot be opened: {exc}")
            return False
        self.load(programme, pathlib.Path(path))
        return True

    def open_dialog(self) -> bool:
        path = self.ask_open_path()
        return self.open_file(path) if path else False

    def _ask_save_path(self, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, "Save the programme", suggested, FILE_FILTER)
        return path

    def _ask_open_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(self, "Open a programme", str(self.path or pathlib.Path.home()),
                                              FILE_FILTER)
        return path

    # -- widgets <-> entries --------------------------------------------------------------------------------
    def _refresh_list(self, select: int | None = None) -> None:
        self._loading = True
        self.list.clear()
        for i, e in enumerate(self._entries, 1):
            self.list.addItem(f"{i}. {exercise_title(e.exercise)} — {e.dose()}")
        self._loading = False
        has = bool(self._entries)
        for w in (self.detail, self.remove_button, self.up_button, self.down_button):
            w.setEnabled(has)
        if has:
            self.list.setCurrentRow(select if select is not None and 0 <= select < len(self._entries) else 0)
            self._show_entry(self.list.currentRow())
        else:
            self.detail.setTitle("Exercise (add one on the left)")

    def _show_entry(self, row: int) -> None:
        if self._loading or not 0 <= row < len(self._entries):
            return
        e = self._entries[row]
        self._loading = True
        hold = exercise_kind(e.exercise) == "hold"
        self.detail.setTitle(exercise_title(e.exercise))
        self.sets.setValue(e.sets)
        for w in (self.reps, self.reps_label):
            w.setVisible(not hold)
        for w in (self.hold, self.hold_label):
            w.setVisible(hold)
        if hold:
            self.hold.setValue(e.hold_s or 30)
        else:
            self.reps.setValue(e.reps or 10)
        self.sides.setCurrentIndex(max(0, self.sides.findData(e.sides)))
        self.rest.setValue(int(round(e.rest_s)))
        self.note.setPlainText(e.note)
        self._build_limit_rows(e)
        self._loading = False

    def _build_limit_rows(self, e: ProgrammeEntry) -> None:
        while self.limits_grid.count():
            item = self.limits_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        own = e.limits_dict
        self._limit_rows = []
        for r, (code, default) in enumerate(default_limits(e.exercise).items()):
            row = _LimitRow(e.exercise, code, default)
            if code in own:
                row.value.setValue(own[code])
                row.own.setChecked(True)
            row.own.toggled.connect(self._store_current)
            row.value.valueChanged.connect(self._store_current)
            self.limits_grid.addWidget(row.own, r, 0)
            self.limits_grid.addWidget(row.value, r, 1)
            self.limits_grid.addWidget(row.hint, r, 2)
            self._limit_rows.append(row)

    def _store_current(self, *_) -> None:
        row = self.list.currentRow()
        if self._loading or not 0 <= row < len(self._entries):
            return
        e = self._entries[row]
        hold = exercise_kind(e.exercise) == "hold"
        own = e.limits_dict
        limits = tuple((r.code, _kept(own.get(r.code), r.value)) for r in self._limit_rows if r.own.isChecked())
        self._entries[row] = ProgrammeEntry(
            e.exercise, sets=self.sets.value(), reps=None if hold else self.reps.value(),
            hold_s=_kept(e.hold_s, self.hold) if hold else None, sides=self.sides.currentData(),
            rest_s=_kept(e.rest_s, self.rest), limits=limits, note=self.note.toPlainText())
        item = self.list.item(row)
        if item is not None:
            item.setText(f"{row + 1}. {exercise_title(e.exercise)} — {self._entries[row].dose()}")


def open_editor(parent=None, path: str | None = None) -> ProgrammeEditor:
    """The editor as a window of its own (not modal: the therapist may look at the plan screen meanwhile)."""
    editor = ProgrammeEditor(parent)
    if path:
        editor.open_file(path)
    editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    editor.show()
    return editor
