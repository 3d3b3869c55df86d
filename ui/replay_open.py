"""Analyse a recording in the app: choose a video file, the exercise and the working leg, watch a progress bar
while the analysis runs on a worker thread, then the replay screen opens in its own window.

    install_replay_action(window, menu)   # "Analyse a recording…" (Ctrl+O) in the given menu
    open_replay(replay)                   # a ReplayScreen window for an analysis already made

The analysis is `app.pipeline.replay_analysis.analyze_for_replay` — `medius analyze`'s engine — so the app, the CLI and
the tests see the same reps and faults. A bad file or a missing model is reported in the dialog in one line.
"""

from __future__ import annotations

import pathlib

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.engine.events import Exercise
from app.reports.export import exercise_label
from ui.replay_jobs import Job

VIDEO_FILTER = "Videos (*.mp4 *.mov *.m4v *.avi *.mkv *.webm);;All files (*)"


def open_replay(replay, parent: QWidget | None = None, **kwargs):
    """Show a replay window (sized to the screen like History) and return it."""
    from ui.history_entry import fit_to_screen
    from ui.replay_screen import ReplayScreen

    screen = ReplayScreen(replay, **kwargs)
    screen.setWindowFlag(Qt.WindowType.Window, True)
    screen.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    fit_to_screen(screen, parent)
    screen.show()
    if parent is not None:
        parent._replay_windows = [w for w in getattr(parent, "_replay_windows", []) if w.isVisible()] + [screen]
    return screen


class AnalyseDialog(QDialog):
    """File, exercise, side → analysis with a progress bar → replay window (`self.replay_window`)."""

    def __init__(self, parent: QWidget | None = None, path: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Analyse a recording")
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        file_row = QHBoxLayout()
        self.path = QLineEdit(path)
        self.path.setPlaceholderText("a video of one set")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._on_browse_clicked)
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        form.addRow("Video", file_row)
        self.exercise = QComboBox()
        for ex in Exercise:
            self.exercise.addItem(exercise_label(ex.value), ex.value)
        form.addRow("Exercise", self.exercise)
        self.side = QComboBox()
        for text, value in (("Detect", "auto"), ("Left", "left"), ("Right", "right")):
            self.side.addItem(text, value)
        form.addRow("Working leg", self.side)
        lay.addLayout(form)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setFormat("%p % analysed")
        lay.addWidget(self.progress)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #8a1c12;")
        lay.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.start_button = QPushButton("Analyse")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        lay.addLayout(buttons)
        self.job: Job | None = None
        self.replay = None
        self.replay_window = None

    def _on_browse_clicked(self) -> None:
        start = self.path.text() or str(pathlib.Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Choose a recording", start, VIDEO_FILTER)
        if path:
            self.path.setText(path)

    def start(self) -> Job | None:
        from app.pipeline.replay_analysis import analyze_for_replay

        path = self.path.text().strip()
        if not path:
            self.message.setText("Choose a video file first.")
            return None
        exercise, side = self.exercise.currentData(), self.side.currentData()
        self.message.setText("")
        self.progress.setValue(0)
        self.start_button.setEnabled(False)

        def work(progress, cancelled):
            return analyze_for_replay(path, exercise, side, progress=progress, cancelled=cancelled)

        self.job = Job(work, "analyse", self)
        self.job.progressed.connect(self._on_progressed)
        self.job.succeeded.connect(self._on_succeeded)
        self.job.failed.connect(self._on_failed)
        self.job.start()
        return self.job

    def _on_progressed(self, done: int, total: int) -> None:
        if total:
            self.progress.setValue(min(100, int(100 * done / total)))
        else:
            self.progress.setRange(0, 0)  # length unknown: a busy bar

    def _on_succeeded(self, replay) -> None:
        self.progress.setRange(0, 100)
        self.progress.setValue(100)
        self.replay = replay
        try:
            self.replay_window = open_replay(replay, self.parentWidget())
        except Exception as exc:  # noqa: BLE001 - e.g. the file vanished between analysis and replay
            self._on_failed(str(exc))
            return
        self.accept()

    def _on_failed(self, message: str) -> None:
        self.progress.setRange(0, 100)
        self.start_button.setEnabled(True)
        if not message:  # cancelled
            self.reject()
            return
        self.message.setText(message)

    def _on_cancel_clicked(self) -> None:
        if self.job is not None and not self.job.done:
            self.job.cancel()  # _on_failed("") closes the dialog once the worker has stopped
        else:
            self.reject()

    def done(self, result: int) -> None:  # closing by any route stops the worker first
        if self.job is not None and not self.job.done:
            self.job.cancel()
            self.job.wait()
        super().done(result)


def install_replay_action(window, menu) -> QAction:
    """"Analyse a recording…" (Ctrl+O) in `menu`, opening the dialog over `window`."""
    action = QAction("&Analyse a recording…", window)
    action.setShortcut(QKeySequence("Ctrl+O"))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setStatusTip("Count the reps and find the faults in a video, then replay it")
    action.triggered.connect(lambda: AnalyseDialog(window).open())
    menu.addAction(action)
    window.addAction(action)
    return action
