"""First screen: choose the exercises, sets, reps per set, sides and rest, and where the picture comes from.

Or open a therapist's programme (button, drag and drop, `medius --program`): the screen then shows whose it is
and what it asks (ui.programme_view) instead of the ticks, and Start runs it (app.session.programme.to_plan)."""

from __future__ import annotations

import pathlib

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFileDialog, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSpinBox,
    QVBoxLayout, QWidget,
)

from app.engine.events import Exercise
from app.session.plan import MAX_REPS_PER_SET, MAX_SETS, ExerciseBlock, SessionPlan, default_plan
from app.session.programme import Programme, to_plan
from ui.exercise_texts import exercise_text
from ui.programme_view import ProgrammePanel, is_programme_path, read_programme_or_explain
from ui.widgets import KeyHints, big_label

SIDE_CHOICES = (("Both sides (left, then right)", ("left", "right")), ("Left leg only", ("left",)),
                ("Right leg only", ("right",)), ("Detect the working leg", ("auto",)))


class _Row:
    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self.enabled = QCheckBox(exercise_text(exercise).title)
        self.enabled.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.sets = QSpinBox(minimum=1, maximum=MAX_SETS)
        self.reps = QSpinBox(minimum=1, maximum=MAX_REPS_PER_SET)
        self.hold = exercise.spec.kind == "hold"
        if self.hold:  # a timed hold: one hold per set, held for the exercise's target time
            self.reps.setRange(1, 1)
            self.reps.setSuffix(" hold")
            self.reps.setEnabled(False)
            self.reps.setToolTip(f"One hold of {exercise.spec.hold_target_s:g} s per set")
        self.sides = QComboBox()
        for label, sides in SIDE_CHOICES:
            self.sides.addItem(label, sides)

    def load(self, block: ExerciseBlock | None) -> None:
        self.enabled.setChecked(block is not None)
        if block is None:  # not in the plan: offer the exercise file's dosing
            dose = self.exercise.spec.dosing
            reps = 1 if self.hold else int(dose.get("reps", 10))
            block = ExerciseBlock(self.exercise, sets=int(dose["sets"]), reps_per_set=reps)
        self.sets.setValue(block.sets)
        self.reps.setValue(block.reps_per_set)
        idx = next((i for i, (_, s) in enumerate(SIDE_CHOICES) if s == block.sides), 0)
        self.sides.setCurrentIndex(idx)

    def block(self) -> ExerciseBlock | None:
        if not self.enabled.isChecked():
            return None
        reps = 1 if self.hold else self.reps.value()
        return ExerciseBlock(self.exercise, self.sets.value(), reps, tuple(self.sides.currentData()))


class PlanScreen(QWidget):
    start_requested = Signal(object)  # SessionPlan
    settings_requested = Signal()
    stance_test_requested = Signal()  # the single-leg stance (Trendelenburg) test, ui/stance_screen.py
    source_changed = Signal(str)  # "" = camera from settings, else a video file path

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.source = ""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(60, 40, 60, 30)
        outer.addWidget(big_label("Medius Coach", 44))
        outer.addWidget(big_label("Your gluteus medius session", 22, bold=False, color="#44515c"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        for col, head in enumerate(("Exercise", "Sets", "Reps per set", "Sides")):
            grid.addWidget(big_label(head, 18, align=Qt.AlignmentFlag.AlignLeft), 0, col)
        self.rows = [_Row(e) for e in Exercise]
        for r, row in enumerate(self.rows, start=1):
            for c, w in enumerate((row.enabled, row.sets, row.reps, row.sides)):
                w.setMinimumHeight(38)
                if isinstance(w, QSpinBox):
                    w.setMaximumWidth(110)
                    w.setStyleSheet("font-size: 18px;")
                grid.addWidget(w, r, c)
        outer.addSpacing(20)
        self.programme: Programme | None = None
        self.programme_path: pathlib.Path | None = None
        self.programme_panel = ProgrammePanel()
        self.programme_panel.hide()
        self.programme_panel.close_requested.connect(self.clear_programme)
        outer.addWidget(self.programme_panel)
        # The ticks, hidden while a programme is loaded. The library grows (nine exercises already): the rows
        # scroll rather than push the Start button off a 1280×800 screen.
        rows_widget = QWidget()
        rows_widget.setLayout(grid)
        self.free_plan = QScrollArea()
        self.free_plan.setWidgetResizable(True)
        self.free_plan.setFrameShape(QFrame.Shape.NoFrame)
        self.free_plan.setWidget(rows_widget)
        self.free_plan.setMinimumHeight(4 * 46)
        outer.addWidget(self.free_plan, 1)
        self.setAcceptDrops(True)
        rest_label = big_label("Rest between sets", 18, align=Qt.AlignmentFlag.AlignLeft)
        rest_label.setWordWrap(False)
        self.rest = QSpinBox(minimum=0, maximum=600, singleStep=15, suffix=" s")
        self.rest.setMinimumHeight(38)
        self.rest.setMaximumWidth(110)
        self.rest.setStyleSheet("font-size: 18px;")
        row_index = len(self.rows) + 1
        grid.addWidget(rest_label, row_index, 0)
        grid.addWidget(self.rest, row_index, 1)
        src_row = QHBoxLayout()
        self.source_label = QLabel()
        self.source_label.setStyleSheet("font-size: 17px;")
        choose = QPushButton("Use a video file…")
        choose.clicked.connect(self._choose_video)
        camera = QPushButton("Use the camera")
        camera.clicked.connect(lambda: self.set_source(""))
        # A physiotherapist demonstrating with a recording wants it to run on through every set.
        self.loop = QCheckBox("Loop the video")
        self.loop.setStyleSheet("font-size: 16px;")
        src_row.addWidget(self.source_label, 1)
        src_row.addWidget(self.loop)
        src_row.addWidget(choose)
        src_row.addWidget(camera)
        outer.addSpacing(10)
        outer.addLayout(src_row)
        self.overview = big_label("", 22, bold=False, color="#1f7a8c")
        outer.addSpacing(24)
        outer.addWidget(self.overview)
        for row in self.rows:
            for signal in (row.enabled.toggled, row.sets.valueChanged, row.reps.valueChanged,
                           row.sides.currentIndexChanged):
                signal.connect(self._update_overview)
        self.rest.valueChanged.connect(self._update_overview)
        outer.addStretch(0)  # spare height goes to the exercise rows
        during = big_label("During the session, use the keyboard — no need to reach the mouse from the floor:", 17,
                           bold=False, color="#44515c")
        outer.addWidget(during)
        outer.addWidget(KeyHints())
        outer.addSpacing(12)
        buttons = QHBoxLayout()
        settings = QPushButton("Settings…")
        settings.clicked.connect(self.settings_requested)
        reset = QPushButton("Default session")
        reset.clicked.connect(lambda: self.load_plan(default_plan(self.rest.value())))
        self.open_programme_button = QPushButton("Open programme…")
        self.open_programme_button.setToolTip("A programme file from your physiotherapist (*.medius.toml); "
                                              "you can also drop it onto this window")
        self.open_programme_button.clicked.connect(self._choose_programme)
        self.editor_button = QPushButton("Programme editor…")
        self.editor_button.setToolTip("For physiotherapists: write a programme for a patient and save it as a file")
        self.editor_button.clicked.connect(self._open_editor)
        self.start = QPushButton("Start session  (Enter)")
        self.start.setDefault(True)
        self.start.setStyleSheet("font-size: 22px; font-weight: bold; padding: 12px 30px; background: #1f7a8c; color: white;")
        self.start.clicked.connect(self._on_start_clicked)
        self.error = big_label("", 16, bold=False, color="#b3261e")
        stance = QPushButton("Single-leg stance test…")
        stance.setToolTip("Stand on one leg, then the other: does the hip on the free side drop? (Trendelenburg)")
        stance.clicked.connect(self.stance_test_requested)
        self.stance_button = stance
        for b in (settings, reset, stance, self.open_programme_button, self.editor_button):
            b.setMinimumHeight(44)
        buttons.addWidget(settings)
        buttons.addWidget(reset)
        buttons.addWidget(self.open_programme_button)
        buttons.addWidget(self.editor_button)
        buttons.addWidget(stance)
        buttons.addStretch(1)
        buttons.addWidget(self.start)
        outer.addWidget(self.error)
        outer.addLayout(buttons)
        self.load_plan(default_plan())
        self.set_source("")
        self._update_overview()

    def load_plan(self, plan: SessionPlan) -> None:
        self.clear_programme()
        by_ex = {b.exercise: b for b in plan.blocks}
        for row in self.rows:
            row.load(by_ex.get(row.exercise))
        self.rest.setValue(int(plan.rest_s))

    def plan(self) -> SessionPlan | None:
        if self.programme is not None:
            return to_plan(self.programme, self.programme_path.name if self.programme_path else "")
        blocks = tuple(b for b in (row.block() for row in self.rows) if b is not None)
        if not blocks:
            return None
        return SessionPlan(blocks=blocks, rest_s=float(self.rest.value()),
                           name="Gluteus medius" if len(blocks) == 3 else "Custom")

    def _update_overview(self, *_) -> None:
        plan = self.plan()
        if plan is None:
            self.overview.setText("Tick at least one exercise.")
            return
        sets = sum(b.sets * len(b.sides) for b in plan.blocks)
        reps = sum(b.sets * len(b.sides) * b.reps_per_set for b in plan.blocks if b.hold_s is None)
        # About 6 s per rep at the 2 s up / 2 s down tempo, a minute to set up each exercise, and the rests.
        work_s = reps * 6 + sum(b.sets * len(b.sides) * b.hold_s for b in plan.blocks if b.hold_s is not None)
        rests_s = sum((b.sets * len(b.sides) - 1) * (plan.rest_s if b.rest_s is None else b.rest_s)
                      for b in plan.blocks)
        minutes = (work_s + rests_s + len(plan.blocks) * 60) / 60
        self.overview.setText(f"This session: {len(plan.blocks)} exercises, {sets} sets, {reps} reps — "
                              f"about {round(minutes)} minutes")

    def set_source(self, path: str) -> None:
        self.source = path
        if not path:
            shown = "the camera (see Settings)"
        elif path.isdigit():
            shown = f"camera {path}"
        else:
            shown = f"video {pathlib.Path(path).name}"
        self.source_label.setText(f"Picture from: <b>{shown}</b>")
        self.source_label.setToolTip(path)
        self.loop.setVisible(bool(path) and not path.isdigit())
        self.source_changed.emit(path)

    def _choose_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a recording", "", "Videos (*.mp4 *.avi *.mov *.mkv *.webm)")
        if path:
            self.set_source(path)

    # -- a therapist's programme ---------------------------------------------------------------------------------
    def set_programme(self, programme: Programme, path: str | pathlib.Path | None = None) -> None:
        self.programme = programme
        self.programme_path = pathlib.Path(path) if path else None
        self.programme_panel.show_programme(programme, self.programme_path)
        self.free_plan.hide()  # first: both shown at once would make the window grow for a moment (and stay)
        self.programme_panel.show()
        self._update_overview()

    def clear_programme(self) -> None:
        """Back to choosing exercises by hand ("Default session", or a plan loaded from the settings)."""
        if self.programme is None:
            return
        self.programme, self.programme_path = None, None
        self.programme_panel.hide()
        self.free_plan.show()
        self._update_overview()

    def open_programme_file(self, path: str | pathlib.Path) -> bool:
        """Load the programme in `path`; a bad file leaves the screen as it was and says what is wrong."""
        programme = read_programme_or_explain(self, path)
        if programme is None:
            return False
        self.set_programme(programme, path)
        self.error.setText("")
        return True

    def _choose_programme(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a programme from your physiotherapist", "",
                                              "Medius Coach programmes (*.medius.toml *.toml)")
        if path:
            self.open_programme_file(path)

    def _open_editor(self) -> None:
        from ui.programme_editor import open_editor

        self.editor = open_editor(self.window())

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        if programme_drop_path(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        path = programme_drop_path(event.mimeData())
        if path:
            event.acceptProposedAction()
            self.open_programme_file(path)

    def _on_start_clicked(self) -> None:
        plan = self.plan()
        if plan is None:
            self.error.setText("Tick at least one exercise.")
            return
        self.error.setText("")
        self.start_requested.emit(plan)


def programme_drop_path(mime) -> str | None:
    """The programme file a drag carries (the first local *.toml file), or None."""
    if mime is None or not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile() and is_programme_path(url.toLocalFile()):
            return url.toLocalFile()
    return None
