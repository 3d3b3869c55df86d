"""The main window: one stacked screen at a time, the keyboard shortcuts, settings, window geometry."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from app.session.plan import SessionPlan
from app.settings import LoadResult, Settings, load_settings, save_settings
from ui.instruction_screen import InstructionScreen
from ui.live_screen import LiveScreen
from ui.plan_screen import PlanScreen
from ui.rest_screen import RestScreen
from ui.session_controller import SessionController
from ui.summary_screen import SummaryScreen

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, settings: LoadResult | None = None, source: str | int | None = None, *, loop: bool = False,
                 pace: float | None = 1.0, controller_kwargs: dict | None = None, save_geometry: bool = True) -> None:
        super().__init__()
        self.setWindowTitle("Medius Coach")
        self.setAcceptDrops(True)  # a programme file can be dropped anywhere on the window
        loaded = settings or load_settings()
        self.settings: Settings = loaded.settings
        self._save_geometry = save_geometry
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff4d6; color: #5b4500; font-size: 17px; padding: 8px 14px;")
        self.banner.hide()
        self._banner_timer = QTimer(self, singleShot=True)
        self._banner_timer.timeout.connect(self.banner.hide)
        self.stack = QStackedWidget()
        lay.addWidget(self.banner)
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.plan_screen = PlanScreen()
        self.instruction = InstructionScreen()
        self.live = LiveScreen()
        self.rest = RestScreen()
        self.summary = SummaryScreen()
        for screen in (self.plan_screen, self.instruction, self.live, self.rest, self.summary):
            self.stack.addWidget(screen)
        self.live.video.mirror = self.settings.mirror
        self.controller = SessionController(self, self.settings, source, loop=loop, pace=pace,
                                            **(controller_kwargs or {}))
        if source not in (None, ""):
            self.plan_screen.set_source(str(source))
        if self.settings.plan:
            try:
                self.plan_screen.load_plan(SessionPlan.from_dict(self.settings.plan))
            except (KeyError, TypeError, ValueError) as exc:
                loaded = LoadResult(loaded.settings, loaded.warnings + (f"Saved session ignored: {exc}",), loaded.path)
        self.plan_screen.start_requested.connect(self._on_start_requested)
        self.plan_screen.settings_requested.connect(self.open_settings)
        self.stance_screen = None  # made on first use (ui/stance_screen.py)
        self.plan_screen.stance_test_requested.connect(self.open_stance_test)
        self.plan_screen.source_changed.connect(self._on_source_changed)
        self.plan_screen.loop.setChecked(loop)
        self.plan_screen.loop.toggled.connect(self._on_loop_toggled)
        self.instruction.start_requested.connect(self.controller.start_set)
        self.rest.skip_requested.connect(self.controller.next)
        self.rest.redo_requested.connect(self.controller.redo)
        self.summary.new_session_requested.connect(lambda: self.show_screen(self.plan_screen))
        self.summary.quit_requested.connect(self.close)
        self._install_shortcuts()
        from ui.history_entry import install_history  # History… menu entry and Ctrl+H (exercise log)

        install_history(self)
        if loaded.warnings:
            self.show_banner(" ".join(loaded.warnings), 10000)
        self.resize(1280, 800)
        if save_geometry:
            geometry = QSettings().value("main_window/geometry")
            if geometry is not None:
                self.restoreGeometry(geometry)

    # -- screens -----------------------------------------------------------------------------------------------
    def show_screen(self, screen: QWidget) -> None:
        self.stack.setCurrentWidget(screen)

    def show_banner(self, text: str, duration_ms: int = 4000) -> None:
        self.banner.setText(text)
        self.banner.show()
        self._banner_timer.start(duration_ms)

    def _on_start_requested(self, plan: SessionPlan) -> None:
        from dataclasses import replace

        if plan.programme is None:  # a therapist's programme stays in its file, not in the settings
            self.settings = replace(self.settings, plan=plan.to_dict(), rest_s=plan.rest_s)
            self._save_settings()
        self.controller.start_session(plan)

    # -- a programme file dropped anywhere on the window goes to the plan screen -------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        from ui.plan_screen import programme_drop_path

        if programme_drop_path(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        from ui.plan_screen import programme_drop_path

        path = programme_drop_path(event.mimeData())
        if not path:
            return
        event.acceptProposedAction()
        if self.stack.currentWidget() is not self.plan_screen:
            self.show_banner("Finish this session first (Esc), then drop the programme again.", 6000)
            return
        self.plan_screen.open_programme_file(path)

    def _on_loop_toggled(self, loop: bool) -> None:
        self.controller.stop_pipeline()  # the next set opens the video with the new setting
        self.controller.loop = loop

    def _on_source_changed(self, path: str) -> None:
        self.controller.stop_pipeline()
        self.controller.source = path or None

    def open_stance_test(self) -> None:
        from ui.stance_screen import open_stance_test

        open_stance_test(self)

    def open_settings(self) -> None:
        from ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            self.settings = dialog.result_settings()
            self.controller.apply_settings(self.settings)
            self._save_settings()

    def _save_settings(self) -> None:
        try:
            save_settings(self.settings)
        except OSError as exc:
            self.show_banner(f"Settings could not be saved: {exc}", 8000)

    # -- keyboard: a person lying on the floor cannot reach the mouse ------------------------------------------
    def _install_shortcuts(self) -> None:
        c = self.controller
        bindings = (
            (("Space",), self._on_space),
            (("N", "Right"), self._on_next),
            (("R",), c.redo),
            (("Escape",), self._on_escape),
            (("M",), c.toggle_mute),
            (("T",), self.live.toggle_detail),
            (("Return", "Enter"), self._on_enter),
            (("F11",), self._toggle_fullscreen),
        )
        self._shortcuts = []
        for keys, slot in bindings:
            for key in keys:
                sc = QShortcut(QKeySequence(key), self)
                sc.setContext(Qt.ShortcutContext.WindowShortcut)
                sc.activated.connect(slot)
                self._shortcuts.append(sc)

    def _on_space(self) -> None:
        if self.stack.currentWidget() is not self.plan_screen:
            self.controller.toggle_pause()

    def _on_next(self) -> None:
        if self.stack.currentWidget() is not self.plan_screen:
            self.controller.next()

    def _on_enter(self) -> None:
        current = self.stack.currentWidget()
        if current is self.plan_screen:
            self.plan_screen.start.click()
        elif current is self.instruction:
            self.controller.start_set()

    def _on_escape(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        elif self.stack.currentWidget() in (self.instruction, self.live, self.rest):
            self.controller.end_session()

    def _toggle_fullscreen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.controller.shutdown()  # stop flag + join: no thread outlives the window
        if self.stance_screen is not None:
            self.stance_screen.shutdown()
        if self._save_geometry:
            QSettings().setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)
