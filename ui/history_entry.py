"""Mounting the exercise log in the main window: a History window (menu entry + Ctrl+H) and the live recorder.

    install_history(main_window)   # "History…" (Ctrl+H) and "Analyse a recording…" (Ctrl+O, ui.replay_open)
    attach_recorder(main_window)   # log every rep of guided sessions; banner + retry while the log is unavailable

Both take the window duck-typed (it needs `menuBar()`, `show_banner(text, ms)` and `controller.event_listeners`),
so ui/main_window.py only calls them. The History screen opens in its own window, so a session on the main
window is never interrupted.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from app.storage import SessionRecorder, StorageError, Store, import_rescue_files

log = logging.getLogger(__name__)

RETRY_INTERVAL_MS = 3000


def open_history(parent: QWidget | None = None, store: Store | None = None) -> QWidget | None:
    """Open (or raise) the History window. A log that cannot be opened gives a message box, not a crash."""
    existing = getattr(parent, "_history_window", None) if parent is not None else None
    if existing is not None and existing.isVisible():
        existing.refresh()
        existing.raise_()
        existing.activateWindow()
        return existing
    from ui.history_pdf import write_pdf
    from ui.history_view import HistoryView

    try:
        store = store or Store()
        import_rescue_files(store)  # sessions saved aside while the log was unwritable
    except StorageError as exc:
        QMessageBox.warning(parent, "Exercise log", str(exc))
        return None
    view = HistoryView(store, write_pdf=write_pdf)
    view.setWindowFlag(Qt.WindowType.Window, True)
    view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    view.destroyed.connect(lambda *_: store.close())
    fit_to_screen(view, parent)
    view.show()
    if parent is not None:
        parent._history_window = view
        view.destroyed.connect(lambda *_: setattr(parent, "_history_window", None))
    return view


PREFERRED_SIZE = (1400, 900)
FRAME_ALLOWANCE = (16, 48)  # a window manager's borders and title bar, outside the widget's own size


def fit_to_screen(view: QWidget, parent: QWidget | None = None) -> None:
    """The preferred size, shrunk to the screen's free area (a 1280×800 laptop, a 1024×768 projector) and placed
    inside it, so no button or chart edge ends up off screen."""
    from PySide6.QtGui import QGuiApplication

    screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
    if screen is None:
        view.resize(*PREFERRED_SIZE)
        return
    area = screen.availableGeometry()
    w = min(PREFERRED_SIZE[0], area.width() - FRAME_ALLOWANCE[0])
    h = min(PREFERRED_SIZE[1], area.height() - FRAME_ALLOWANCE[1])
    view.resize(max(w, view.minimumSizeHint().width()), max(h, view.minimumSizeHint().height()))
    view.move(area.left() + max(0, (area.width() - view.width() - FRAME_ALLOWANCE[0]) // 2),
              area.top() + max(0, (area.height() - view.height() - FRAME_ALLOWANCE[1]) // 2))


def install_history(window) -> QAction:
    """Add History… (Ctrl+H) to the window's menu bar."""
    action = QAction("&History…", window)
    action.setShortcut(QKeySequence("Ctrl+H"))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setStatusTip("Past sessions, charts and export")
    action.triggered.connect(lambda: open_history(window))
    menu = window.menuBar().addMenu("&Log")
    menu.addAction(action)
    window.addAction(action)
    from ui.replay_open import install_replay_action

    install_replay_action(window, menu)  # a recording's reps and faults, replayed (and logged if wanted)
    QTimer.singleShot(PRELOAD_AFTER_MS, window, lambda: _preload_history_modules(window))
    return action


PRELOAD_AFTER_MS = 1500


def _preload_history_modules(window, tries: int = 20) -> None:
    """Import the History screen (pyqtgraph: ~0.35 s, the rest ~0.1 s) while the user is on the plan screen,
    so the first click on History paints in ~0.15 s instead of ~0.6 s. Never during a set."""
    import sys

    if "ui.history_view" in sys.modules:
        return
    stack, plan = getattr(window, "stack", None), getattr(window, "plan_screen", None)
    if stack is not None and plan is not None and stack.currentWidget() is not plan:
        if tries > 0:
            QTimer.singleShot(5000, window, lambda: _preload_history_modules(window, tries - 1))
        return
    import ui.history_view  # noqa: F401


class RecorderBridge(QObject):
    """Feeds the controller's events to a SessionRecorder; while writes wait, shows the recorder's message and
    retries on a timer (the recorder never raises, so the session goes on whatever the log does)."""

    def __init__(self, window, recorder: SessionRecorder | None = None) -> None:
        super().__init__(window)
        from ui.recorder_hook import recorder_listener

        self.window = window
        self.recorder = recorder or SessionRecorder()
        self._listener = recorder_listener(self.recorder)
        self.set_recording = None  # ui.set_recording_hook: each set's video, only when Settings say so
        if hasattr(window, "live") and hasattr(getattr(window, "controller", None), "wrap_analyzers"):
            from ui.set_recording_hook import SetRecordingHook

            self.set_recording = SetRecordingHook(window, self.recorder)
        window.controller.event_listeners.append(self._on_event)
        self.timer = QTimer(self)
        self.timer.setInterval(RETRY_INTERVAL_MS)
        self.timer.timeout.connect(self._on_retry_timer)
        self._shown_error: str | None = None
        self._closed = False
        app = QCoreApplication.instance()
        if app is not None:
            # Flush (or save a rescue file) when the app quits, after the window has ended the session.
            app.aboutToQuit.connect(self.close)

    def _on_event(self, event: object) -> None:
        self._listener(event)
        if self.set_recording is not None:
            self.set_recording.on_event(event)  # after the log saw it: the set row exists to point at the file
        self._report()

    def _on_retry_timer(self) -> None:
        self.recorder.retry()
        self._report()

    def _report(self) -> None:
        error = self.recorder.last_error
        if error and error != self._shown_error:
            self.window.show_banner(error, 15000)
        elif not error and self._shown_error:
            self.window.show_banner("The exercise log is saved again: nothing was lost.", 5000)
        self._shown_error = error
        if self.recorder.pending_writes and not self.timer.isActive():
            self.timer.start()
        elif not self.recorder.pending_writes:
            self.timer.stop()

    def close(self) -> bool:
        """Flush on quit (called automatically on QCoreApplication.aboutToQuit; safe to call twice). Returns
        False if the log could not take everything; the sessions are then in rescue files (see app.storage)."""
        if self._closed:
            return self.recorder.pending_writes == 0
        self._closed = True
        self.timer.stop()
        if self.set_recording is not None:
            self.set_recording.close()
        ok = self.recorder.close()
        if not ok:
            log.error("exercise log: %d writes could not be saved at exit: %s", self.recorder.pending_writes,
                      self.recorder.last_error)
        return ok


def attach_recorder(window, recorder: SessionRecorder | None = None) -> RecorderBridge:
    return RecorderBridge(window, recorder)
