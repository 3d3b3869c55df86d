"""Shared builders for the GUI tests."""

from __future__ import annotations

import threading

from app.engine.events import RepCompleted, Status, StatusChanged, StepResult, TrackerSnapshot
from app.settings import LoadResult, Settings, settings_path
from ui.main_window import MainWindow


# The key-driven session (every hands-free step off): what the flow tests that press keys are about. Hands-free
# sessions pass their own Settings.
MANUAL = Settings(auto_start=False, wait_for_side=False, gesture_control=False, voice_control=False)


def make_window(qtbot, source, *, sound, analyzer_factory=None, settings: Settings | None = None, pace=None,
                loop=False, controller_kwargs: dict | None = None):
    kwargs = {"sound": sound, **(controller_kwargs or {})}
    if analyzer_factory is not None:
        kwargs["analyzer_factory"] = analyzer_factory
        kwargs["worker_context"] = None  # stand-in analyzers need no pose estimator
    loaded = LoadResult(settings or MANUAL, (), settings_path())
    window = MainWindow(loaded, None if source is None else str(source), pace=pace, loop=loop, controller_kwargs=kwargs,
                        save_geometry=False)
    qtbot.addWidget(window)
    window.show()
    # Shortcuts fire only in the active window; offscreen there is no window manager to activate it.
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=5_000)
    return window


class FakeAnalyzer:
    """A quick stand-in for FrameAnalyzer for flow tests: one rep every `every` frames, on the worker thread."""

    def __init__(self, every=5, fail_after=None):
        self.every = every
        self.n = 0
        self.reps = 0
        self.thread = None

    def process(self, frame):
        self.thread = threading.current_thread().name
        self.n += 1
        events = ()
        if self.n == 1:
            events = (StatusChanged(frame.t_s, Status.TRACKING, ""),)
        elif self.n % self.every == 0:
            self.reps += 1
            events = (RepCompleted(self.reps, "left", frame.t_s - 1, frame.t_s - 0.5, frame.t_s, 30.0, ()),)
        snap = TrackerSnapshot(frame.t_s, Status.TRACKING, "left", self.reps, 20.0, 35.0, "rising", ())
        return StepResult(snap, events)

    def close(self):
        pass


def fake_factory(every=5):
    def factory(exercise, side, settings):
        return lambda: FakeAnalyzer(every)

    return factory
