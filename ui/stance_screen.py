"""The guided single-leg stance (Trendelenburg) test: live picture with prompts, then the result card.

Engine: app.pipeline.stance_analysis.StanceFrameAnalyzer on the same LivePipeline as a set (its own PipelineBridge, so
the session's pipeline is never touched; the caller stops that one first, a camera opens once). What to say and
when comes from app.stance.flow (pure); this screen only shows it, speaks its cue keys through the
SoundCues it is given (public `say` only), saves the finished test in the log and shows the result card.
A log that cannot be written is said on the card; the result stays on screen.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDoubleSpinBox, QHBoxLayout, QLabel, QProgressBar, QStackedWidget, QVBoxLayout,
                               QWidget)

from app.pipeline.live import PipelineError, PipelineEvent, SourceEnded
from app.pipeline.stance_analysis import StanceBoutEnded
from app.stance.flow import FlowView, StanceFlow
from app.stance.bouts import StanceResult, StanceState
from app.stance.verdict import StanceParams
from ui.pipeline_bridge import PipelineBridge
from ui.stance_result import StanceResultCard
from ui.video_view import VideoView
from ui.widgets import action_button, big_label

log = logging.getLogger(__name__)


class StanceScreen(QWidget):
    back_requested = Signal()
    test_finished = Signal(object)  # StanceResult

    def __init__(self, sound=None, parent=None) -> None:
        super().__init__(parent)
        self.sound = sound
        from app.stance.settings import load_drop_tolerance_deg

        self.params = StanceParams(drop_tolerance_deg=load_drop_tolerance_deg())
        self.flow = StanceFlow(self.params)
        self.result: StanceResult | None = None
        self.saved_test_id: int | None = None
        self._baseline_span = None
        self._bouts = []
        self.bridge = PipelineBridge(self._on_output, self)
        self.bridge.snapshot_arrived.connect(self._on_snapshot)
        self.pages = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)
        # -- live page
        live = QWidget()
        row = QHBoxLayout(live)
        row.setContentsMargins(8, 8, 8, 8)
        self.video = VideoView()
        row.addWidget(self.video, 3)
        panel = QVBoxLayout()
        panel.addWidget(big_label("Single-leg stance test", 26))
        self.prompt = big_label("", 30)
        self.detail = big_label("", 18, bold=False, color="#44515c")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMinimumHeight(22)
        self.sides = big_label("", 18, bold=False, color="#1f7a8c")
        self.error = big_label("", 17, bold=False, color="#b3261e")
        for w in (self.prompt, self.progress, self.detail, self.sides, self.error):
            panel.addWidget(w)
        panel.addStretch(1)
        # The therapist's tolerance: how far the free side may drop beyond standing before a hold is positive.
        tol_row = QHBoxLayout()
        tol_row.addWidget(QLabel("Drop tolerance (therapist), from the next test"))
        self.tolerance = QDoubleSpinBox(decimals=0, suffix="°")
        self.tolerance.setRange(*StanceParams.DROP_TOLERANCE_RANGE)
        self.tolerance.setValue(self.params.drop_tolerance_deg)
        self.tolerance.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.tolerance.valueChanged.connect(self._on_tolerance_changed)
        tol_row.addWidget(self.tolerance)
        panel.addLayout(tol_row)
        self.stop_button = action_button("Finish test")
        self.stop_button.clicked.connect(lambda: self.finish())
        self.cancel_button = action_button("Back")
        self.cancel_button.clicked.connect(self._on_back)
        panel.addWidget(self.stop_button)
        panel.addWidget(self.cancel_button)
        row.addLayout(panel, 2)
        self.pages.addWidget(live)
        # -- result page
        self.card = StanceResultCard()
        again = action_button("Test again")
        again.clicked.connect(self._on_again)
        done = action_button("Done")
        done.clicked.connect(self._on_back)
        self.card.buttons.addStretch(1)
        self.card.buttons.addWidget(again)
        self.card.buttons.addWidget(done)
        self.pages.addWidget(self.card)
        self._start_args = None
        self._analyzer = None
        self._run_params = self.params

    # -- running ---------------------------------------------------------------------------------------------
    def start(self, source_factory, analyzer_factory, *, worker_context=None, pace: float | None = 1.0,
              loop: bool = False, params: StanceParams | None = None) -> None:
        """Begin a test. `analyzer_factory(context)` makes a StanceFrameAnalyzer on the vision thread."""
        self.params = params or self.params
        self._run_params = self.params  # what this run's analyzer judges with (the box may change meanwhile)
        self.flow = StanceFlow(self.params)
        self.result = None
        self.saved_test_id = None
        self._bouts, self._baseline_span = [], None
        self.error.setText("")
        self.video.clear()
        self.pages.setCurrentIndex(0)
        self._start_args = (source_factory, analyzer_factory, worker_context, pace, loop)
        self._analyzer = None

        def make(*context):
            # Built and used on the vision thread; read here only after that thread is joined (finish).
            self._analyzer = analyzer_factory(*context)
            return self._analyzer

        self._show(self.flow.update(StanceState(0.0, "no_person")))
        self._say("stance_stand_still", "get_ready")  # the fallback: "Get into your starting position"
        self.bridge.start(source_factory, make, pace=pace, loop=loop, worker_context=worker_context)

    def stop(self) -> None:
        self.bridge.stop(wait=True)

    def shutdown(self) -> None:
        self.bridge.shutdown()

    def finish(self, ended_by: str = "the test was stopped") -> None:
        """End the test now (or when the flow says both sides are done): stop, save, show the card. A hold
        still going on is closed here and judged with the rest (the engine's own result, once its thread is
        joined)."""
        if self.result is not None:
            return
        self.bridge.stop(wait=True)  # joins the worker and delivers what it still queued: no hold is lost
        self.flow.finish()
        analyzer = self._analyzer
        if analyzer is not None and hasattr(analyzer, "engine"):
            done = analyzer.engine.finish(analyzer.last_t_s, ended_by)
            self.result = StanceResult(done.baseline, done.baseline_span_s, done.bouts, self._run_params)
        else:  # the engine never started (a source that failed): what arrived
            self.result = StanceResult(None, self._baseline_span, list(self._bouts), self._run_params)
        self.card.show_result(self.result)
        self._save()
        self.pages.setCurrentWidget(self.card)
        self.test_finished.emit(self.result)

    # -- pipeline output -------------------------------------------------------------------------------------
    def _on_output(self, output, _received_mono_s: float) -> None:
        if isinstance(output, PipelineEvent) and isinstance(output.event, StanceBoutEnded):
            self._bouts.append(output.event.bout)
            self._baseline_span = output.event.baseline_span_s
            if self.result is None:
                self._show(self.flow.bout_finished(output.event.bout))
                if self.flow.done:
                    self.finish()
        elif isinstance(output, SourceEnded):
            if self.result is None:
                self.finish("the recording ended")
        elif isinstance(output, PipelineError):
            log.error("stance test stopped: %s", output.message)
            self.error.setText(f"The test stopped: {output.message}")

    def _on_snapshot(self, snap) -> None:
        s = snap.snapshot
        if s is None:
            return
        self.video.set_frame(snap.frame.bgr, s.xy_px, s.visibility, side=s.side)
        if self.result is not None:
            return
        m = s.metrics
        state = StanceState(s.t_s, s.phase, s.side, m.get("hold_s", 0.0), m.get("baseline_s", 0.0),
                            m.get("obliquity_deg", float("nan")))
        self._show(self.flow.update(state))

    def _show(self, view: FlowView) -> None:
        self.prompt.setText(view.prompt)
        self.detail.setText(view.detail)
        self.progress.setValue(int(round(view.progress * 1000)))
        self.video.set_overlay(prompt="", cue=view.prompt if view.step in ("lift", "baseline") else "")
        done = ", ".join(f"{leg} leg held {b.duration_s:.0f} s" for leg, b in self.flow.chosen.items())
        self.sides.setText(f"Done: {done}" if done else "")
        self._say(view.cue, view.cue_fallback)

    def _say(self, key: str | None, fallback: str | None) -> None:
        """The test's own phrase where its audio file is shipped, else a shipped phrase that fits."""
        if self.sound is None or key is None:
            return
        from ui.sound import phrase_path

        chosen = key if phrase_path(key) is not None else fallback
        if chosen is not None:
            self.sound.say(chosen)

    # -- saving and buttons ----------------------------------------------------------------------------------
    def _save(self) -> None:
        if not self.result.bouts:
            self.card.saved.setText("Nothing was held, so nothing was saved.")
            return
        from app.storage import StorageError, Store
        from app.storage.stance_log import add_stance_test

        try:
            with Store() as store:
                self.saved_test_id = add_stance_test(store, self.result, source=self._source_text())
            self.card.saved.setText("Saved in your exercise log (History shows the trend).")
        except StorageError as exc:
            log.warning("stance test not saved: %s", exc)
            self.card.saved.setText(f"Not saved: {exc}")

    def _source_text(self) -> str:
        return "stance test"

    def _on_tolerance_changed(self, value: float) -> None:
        from dataclasses import replace

        from app.stance.settings import save_drop_tolerance_deg

        self.params = replace(self.params, drop_tolerance_deg=float(value))
        try:
            save_drop_tolerance_deg(value)
        except OSError as exc:
            self.error.setText(f"The tolerance applies now but could not be saved: {exc}")

    def _on_again(self) -> None:
        if self._start_args is not None:
            source_factory, analyzer_factory, worker_context, pace, loop = self._start_args
            self.start(source_factory, analyzer_factory, worker_context=worker_context, pace=pace, loop=loop,
                       params=self.params)

    def _on_back(self) -> None:
        self.bridge.stop(wait=True)
        self.back_requested.emit()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.key() == Qt.Key.Key_Escape:
            self._on_back()
        else:
            super().keyPressEvent(event)


def open_stance_test(window) -> StanceScreen:
    """Show the test in the main window's stack (duck-typed: `stack`, `controller`, `settings`,
    `show_screen`, `plan_screen`), stopping the session's pipeline first so the camera opens once."""
    from app.pipeline.stance_analysis import StanceFrameAnalyzer
    from ui.engine import is_file_source, source_factory, worker_context

    screen = getattr(window, "stance_screen", None)
    if screen is None:
        screen = StanceScreen(sound=getattr(window.controller, "sound", None))
        window.stack.addWidget(screen)
        screen.back_requested.connect(lambda: window.show_screen(window.plan_screen))
        window.stance_screen = screen
    window.controller.stop_pipeline()
    window.show_screen(screen)
    screen.video.mirror = window.settings.mirror
    spec = window.controller.source
    params = screen.params
    screen.start(source_factory(spec, window.settings), lambda ctx: StanceFrameAnalyzer(params, estimator=ctx),
                 worker_context=worker_context, params=params,
                 pace=window.controller.pace if is_file_source(spec) else 1.0, loop=window.controller.loop)
    return screen
