"""The one place where work from the vision thread reaches the GUI thread.

The worker calls `_notify` (from its own thread); that emits `_woken`, a queued signal, only when no wake-up is
already pending, so a busy GUI never accumulates a backlog of wake-ups. `_on_woken` runs on the GUI thread,
drains the lossless event queue into `on_output` and hands the newest snapshot to `snapshot_arrived`.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from app.pipeline.live import AnalyzerFactory, LivePipeline, LiveSnapshot, Output, SourceFactory

log = logging.getLogger(__name__)


class PipelineBridge(QObject):
    _woken = Signal()
    snapshot_arrived = Signal(object)  # LiveSnapshot

    def __init__(self, on_output: Callable[[Output, float], None], parent=None) -> None:
        super().__init__(parent)
        self._on_output = on_output
        self._pipeline: LivePipeline | None = None
        self._wake_pending = False
        self._woken.connect(self._on_woken, Qt.ConnectionType.QueuedConnection)
        self.wakeups = 0
        # Pipelines told to stop but not joined yet: joining on the GUI thread would wait for an inference to
        # finish (tens of ms). A timer joins them once their threads are done; `shutdown` joins them all.
        self._retiring: list[LivePipeline] = []
        self._reaper = QTimer(self)
        self._reaper.setInterval(50)
        self._reaper.timeout.connect(self._reap)
        self.last_frames = (0, 0)  # (processed, dropped) of the last pipeline run, for the benchmark and logs

    @property
    def pipeline(self) -> LivePipeline | None:
        return self._pipeline

    @property
    def running(self) -> bool:
        return self._pipeline is not None and self._pipeline.running

    def start(self, source_factory: SourceFactory, analyzer_factory: AnalyzerFactory, *, pace: float | None,
              loop: bool, worker_context=None, paused: bool = False) -> int:
        self.stop()
        self._pipeline = LivePipeline(source_factory, analyzer_factory, pace=pace, loop=loop, notify=self._notify,
                                      worker_context=worker_context, paused=paused)
        self._pipeline.start()
        return self._pipeline.generation

    def stop(self, wait: bool = False) -> None:
        """Stop the current pipeline. By default without blocking: its threads finish on their own and are
        joined by a timer (what they still queue belongs to a set that has ended). `wait=True` joins now and
        delivers whatever the threads left in the queue, so no event is lost.

        Called from inside a delivery (a handler reacting to "video ended"), the outer delivery loop keeps
        draining the stopped pipeline, so events stay in order."""
        pipe, self._pipeline = self._pipeline, None
        if pipe is None:
            return
        if wait:
            pipe.stop()
            self.last_frames = (pipe.frames_processed, pipe.frames_dropped)
            if not self._delivering:
                self._deliver(pipe)
        else:
            pipe.request_stop()
            self._retiring.append(pipe)
            self._reaper.start()

    def shutdown(self) -> None:
        """Window closing: stop and join every pipeline, current and retiring."""
        self.stop(wait=True)
        self._reaper.stop()
        for pipe in self._retiring:
            pipe.stop()
            self.last_frames = (pipe.frames_processed, pipe.frames_dropped)
        self._retiring.clear()

    def _reap(self) -> None:  # GUI thread, timer
        for pipe in list(self._retiring):
            if not pipe.running:
                pipe.stop()  # both threads are done: returns at once
                pipe.drain_events()
                self.last_frames = (pipe.frames_processed, pipe.frames_dropped)
                self._retiring.remove(pipe)
        if not self._retiring:
            self._reaper.stop()

    @property
    def threads_alive(self) -> bool:
        return self.running or any(p.running for p in self._retiring)

    _delivering = False

    def _notify(self) -> None:  # worker thread
        if not self._wake_pending:
            self._wake_pending = True
            self._woken.emit()

    def _on_woken(self) -> None:  # GUI thread
        self._wake_pending = False  # cleared before draining, so anything queued after this wakes us again
        self.wakeups += 1
        if self._pipeline is not None:
            self._deliver(self._pipeline)

    def _deliver(self, pipe: LivePipeline) -> None:
        self._delivering = True
        try:
            while outputs := pipe.drain_events():
                received_mono_s = time.monotonic()
                for output in outputs:
                    self._on_output(output, received_mono_s)
        finally:
            self._delivering = False
        snap: LiveSnapshot | None = pipe.take_snapshot()
        if snap is not None and pipe is self._pipeline:
            self.snapshot_arrived.emit(snap)
