"""Live frame flow on plain Python threads (no Qt): capture → newest-frame mailbox → vision worker.

    capture thread ──put──▶ FrameMailbox (1 slot, newest wins, drops counted) ──take──▶ vision worker
    vision worker ──▶ snapshot slot (lossy, newest wins: what the GUI draws)
                  ──▶ event queue   (lossless: reps, warnings, status, source errors, end of video)

The worker runs `analyzer.process(frame)` on every frame it takes, so counting never depends on whether the GUI
painted anything. The analyzer (pose + tracker) is created, used and closed on the worker thread, because
MediaPipe graphs must stay on one thread. A new set swaps in a fresh analyzer (`reconfigure`); every output is
tagged with a `generation` so the consumer can ignore stragglers from the previous set.

`notify` (optional) is called from the worker when the event queue or the snapshot slot goes from empty to
non-empty. The GUI uses it to hop to its own thread in exactly one place; nothing here knows about Qt.

Errors are never swallowed: a source that fails (SourceLostError, InputError, anything else) or an analyzer that
raises ends the run with a `PipelineError` event carrying the exception.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable, Protocol

from app.errors import SourceLostError
from app.engine.events import Event, StepResult, TrackerSnapshot
from app.adapters.frame_source import Frame, FrameSource

log = logging.getLogger(__name__)

# A camera adapter reports a driver that returns no pictures itself (CameraSource: 2 s). A driver that hangs
# inside read() cannot report anything: the worker notices the silence and ends the run the same way.
LIVE_STALL_S = 4.0


class Analyzer(Protocol):
    def process(self, frame: Frame) -> StepResult: ...

    def close(self) -> None: ...


AnalyzerFactory = Callable[..., Analyzer]  # factory() or, with a worker context, factory(context)
SourceFactory = Callable[[], FrameSource]


@dataclass(frozen=True)
class CapturedFrame:
    frame: Frame
    captured_mono_s: float  # time.monotonic() when the frame left the source: the start of the latency clock
    loop: int  # how many times a looped video restarted before this frame


@dataclass(frozen=True)
class LiveSnapshot:
    """The newest processed frame, for drawing."""

    frame: Frame
    snapshot: TrackerSnapshot | None  # None while paused (frames are shown but not analysed)
    generation: int
    captured_mono_s: float
    frames_processed: int
    frames_dropped: int


@dataclass(frozen=True)
class PipelineEvent:
    """A tracker event, tagged with where it came from."""

    event: Event
    generation: int
    frame_t_s: float
    captured_mono_s: float


@dataclass(frozen=True)
class SourceEnded:
    """A (non-looped) video reached its end; everything before it has been processed."""

    frames_read: int


@dataclass(frozen=True)
class PipelineError:
    """The source or the analyzer failed; the run is over. `error` is the exception itself."""

    error: BaseException
    where: str  # "source" | "analyzer"

    @property
    def message(self) -> str:
        return str(self.error) or type(self.error).__name__


Output = PipelineEvent | SourceEnded | PipelineError


class FrameMailbox:
    """A one-slot handoff. `put` replaces an unread frame (counted as dropped) so the worker always gets the
    newest; `put_wait` blocks instead, for offline/fast runs where every frame must be analysed."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: CapturedFrame | None = None
        self._closed = False
        self.dropped = 0

    def put(self, item: CapturedFrame) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cond.notify_all()

    def put_wait(self, item: CapturedFrame, stop: threading.Event, poll_s: float = 0.05) -> bool:
        with self._cond:
            while self._item is not None and not self._closed and not stop.is_set():
                self._cond.wait(poll_s)
            if self._closed or stop.is_set():
                return False
            self._item = item
            self._cond.notify_all()
            return True

    def take(self, timeout_s: float) -> CapturedFrame | None:
        with self._cond:
            if self._item is None and not self._closed:
                self._cond.wait(timeout_s)
            item, self._item = self._item, None
            self._cond.notify_all()
            return item

    def poke(self) -> None:
        """Wake a waiting `take` without a frame (the worker has other work: a new analyzer)."""
        with self._cond:
            self._cond.notify_all()

    def close(self) -> None:
        """No more frames: wakes the worker, which finishes what is in the slot and then sees `closed`."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed and self._item is None


class LivePipeline:
    """Owns the two threads. Start once, stop once (`stop()` joins; it is safe to call twice).

    pace: 1.0 plays a video file at real time (frames dropped if the worker is slower, as with a camera);
          None reads as fast as the worker takes frames, dropping nothing (tests, offline demos).
          Cameras are paced by the camera itself.
    loop: restart a video file at its end (a physio demonstrating with a recording).
    worker_context: optional, called once on the worker thread; its result is passed to analyzer factories and
          closed (if it has `close`) when the worker ends.
    paused: start paused (see `set_paused`).
    """

    def __init__(
        self,
        source_factory: SourceFactory,
        analyzer_factory: AnalyzerFactory,
        *,
        pace: float | None = 1.0,
        loop: bool = False,
        notify: Callable[[], None] | None = None,
        worker_context: Callable[[], object] | None = None,
        paused: bool = False,
    ) -> None:
        self._source_factory = source_factory
        self._pending_factory: AnalyzerFactory | None = analyzer_factory
        self._pace = pace
        self._loop = loop
        self._notify = notify or (lambda: None)
        # Built on the worker thread once per run and handed to every analyzer factory: the pose estimator, so
        # that a new set does not reload the model (a model load holds the GIL for ~0.1 s and stalls the GUI).
        self._worker_context = worker_context
        # Set while an analyzer is ready. A file waits for it before reading, so no frame of a recording is
        # dropped while a model loads (a camera cannot wait: its frames go to the mailbox as usual).
        self._ready = threading.Event()
        self._mailbox = FrameMailbox()
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._lock = threading.Lock()
        self.set_paused(paused)  # starting paused lets the model load while the user still reads instructions
        self._events: queue.SimpleQueue[Output] = queue.SimpleQueue()
        self._snapshot: LiveSnapshot | None = None
        self._snapshot_taken = True
        self._generation = 1
        self._frames_processed = 0
        self._threads: list[threading.Thread] = []
        self.source_description = ""

    # -- control (any thread) ----------------------------------------------------------------------------------
    def start(self) -> None:
        if self._threads:
            raise RuntimeError("a LivePipeline runs once; create a new one")
        self._threads = [
            threading.Thread(target=self._capture_loop, name="medius-capture", daemon=True),
            threading.Thread(target=self._vision_loop, name="medius-vision", daemon=True),
        ]
        for t in self._threads:
            t.start()

    def request_stop(self) -> None:
        """Raise the stop flag without waiting (a GUI thread must not block on a worker mid-inference);
        `running` turns False when both threads have finished, then `stop()` joins at once."""
        self._stop.set()
        self._resume.set()
        self._ready.set()
        self._mailbox.close()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop flag + join. Threads are daemons only as a last resort if a driver hangs in read()."""
        self.request_stop()
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(timeout_s)
                if t.is_alive():
                    log.error("thread %s did not stop within %.1f s", t.name, timeout_s)

    def reconfigure(self, analyzer_factory: AnalyzerFactory) -> int:
        """Use a fresh analyzer from the next frame on (a new set); returns the generation its outputs carry."""
        with self._lock:
            self._pending_factory = analyzer_factory
            self._generation += 1
            self._ready.clear()
            generation = self._generation
        self._mailbox.poke()
        return generation

    def set_paused(self, paused: bool) -> None:
        """Paused: a video file stops reading (it resumes where it was); camera frames are still shown but not
        analysed, so nothing is counted while the user is not exercising."""
        with self._lock:
            self._paused = paused
        if paused:
            self._resume.clear()
        else:
            self._resume.set()

    _paused = False

    @property
    def generation(self) -> int:
        with self._lock:
            return self._generation

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    @property
    def frames_dropped(self) -> int:
        return self._mailbox.dropped

    @property
    def frames_processed(self) -> int:
        return self._frames_processed

    # -- consumer side -----------------------------------------------------------------------------------------
    def drain_events(self) -> list[Output]:
        out = []
        while True:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                return out

    def take_snapshot(self) -> LiveSnapshot | None:
        """The newest snapshot, once: returns None if nothing new arrived since the last call."""
        with self._lock:
            snap, self._snapshot = self._snapshot, None
            self._snapshot_taken = True
            return snap

    # -- threads -----------------------------------------------------------------------------------------------
    def _publish(self, item: Output) -> None:
        self._events.put(item)
        self._notify()

    def _capture_loop(self) -> None:
        source = None
        frames_read = 0
        try:
            source = self._source_factory()
            self.source_description = getattr(source, "description", "")
            live = bool(getattr(source, "is_live", False))
            loop_no = 0
            t_offset_s = 0.0  # keeps time increasing across loops of a video file
            last_t_s = 0.0
            wall0 = None  # (monotonic, media time) at which real-time pacing started
            while not self._stop.is_set():
                if not live and not (self._resume.is_set() and self._ready.is_set()):
                    self._resume.wait(0.1)
                    self._ready.wait(0.1)
                    wall0 = None  # pacing restarts from where the video paused
                    continue
                frame = source.read()
                if frame is None:
                    if self._loop and not live and frames_read > 0:
                        source.close()
                        source = self._source_factory()
                        loop_no += 1
                        t_offset_s = last_t_s + 1.0 / max(source.fps, 1.0)
                        wall0 = None
                        continue
                    self._mailbox.close()  # the worker finishes the last frame, then reports the end
                    return
                if t_offset_s:
                    frame = Frame(bgr=frame.bgr, t_s=frame.t_s + t_offset_s, index=frame.index)
                last_t_s = frame.t_s
                frames_read += 1
                self._frames_read = frames_read
                if not live and self._pace:
                    if wall0 is None:
                        wall0 = (time.monotonic(), frame.t_s)
                    due = wall0[0] + (frame.t_s - wall0[1]) / self._pace
                    delay = due - time.monotonic()
                    if delay > 0 and self._stop.wait(delay):
                        break
                item = CapturedFrame(frame, time.monotonic(), loop_no)
                self._live_frame_mono_s = item.captured_mono_s if live else None
                if live or self._pace:
                    self._mailbox.put(item)
                else:
                    self._mailbox.put_wait(item, self._stop)
        except BaseException as exc:  # noqa: BLE001 - delivered to the consumer, never swallowed
            if not self._stop.is_set():
                log.warning("frame source failed: %s", exc)
                # Published by the worker after the frames already captured, so the error is the last output:
                # a consumer that pauses the set on it must not then see (and drop) a rep from before the loss.
                self._source_error = PipelineError(exc, "source")
            self._mailbox.close()
        finally:
            if source is not None:
                source.close()

    _frames_read = 0
    _source_error: PipelineError | None = None
    _live_frame_mono_s: float | None = None  # when a camera last gave a frame (None: not a camera)

    def _vision_loop(self) -> None:
        analyzer: Analyzer | None = None
        context = None
        generation = 0
        try:
            if self._worker_context is not None:
                context = self._worker_context()
            while not self._stop.is_set():
                with self._lock:
                    factory, self._pending_factory = self._pending_factory, None
                    if factory is not None:
                        generation = self._generation
                if factory is not None:
                    if analyzer is not None:
                        analyzer.close()
                        analyzer = None
                    analyzer = factory(context) if self._worker_context is not None else factory()
                    with self._lock:
                        if self._pending_factory is None:
                            self._ready.set()
                item = self._mailbox.take(0.1)
                if item is None:
                    last = self._live_frame_mono_s
                    if last is not None and time.monotonic() - last > LIVE_STALL_S and not self._stop.is_set():
                        self._publish(PipelineError(SourceLostError(
                            f"The camera ({self.source_description}) stopped sending pictures. Check its cable, "
                            "then press Resume."), "source"))
                        self._stop.set()
                        self._mailbox.close()
                        return
                    if self._mailbox.closed:
                        if not self._stop.is_set():
                            self._publish(self._source_error or SourceEnded(self._frames_read))
                        self._stop.set()
                        return
                    continue
                with self._lock:
                    paused = self._paused
                snapshot = None
                if not paused and analyzer is not None:
                    result = analyzer.process(item.frame)
                    snapshot = result.snapshot
                    for event in result.events:
                        self._events.put(PipelineEvent(event, generation, item.frame.t_s, item.captured_mono_s))
                    self._frames_processed += 1
                    if result.events:
                        self._notify()
                with self._lock:
                    wake = self._snapshot_taken
                    self._snapshot = LiveSnapshot(
                        item.frame, snapshot, generation, item.captured_mono_s,
                        self._frames_processed, self._mailbox.dropped,
                    )
                    self._snapshot_taken = False
                if wake:  # signal only when the slot was empty: a stalled GUI never builds a backlog
                    self._notify()
        except BaseException as exc:  # noqa: BLE001 - delivered to the consumer, never swallowed
            if not self._stop.is_set():
                log.exception("analysis failed")
                self._publish(PipelineError(exc, "analyzer"))
            self._stop.set()
            self._ready.set()
            self._mailbox.close()
        finally:
            if analyzer is not None:
                analyzer.close()
            if context is not None and hasattr(context, "close"):
                context.close()
            _return_freed_memory()


def _return_freed_memory() -> None:
    """Give the memory of a finished run's model and frames back to the system.

    glibc keeps freed blocks in per-thread arenas, so RSS grew from about 260 MB to about 570 MB over 200
    start/stop cycles before levelling off (tools/soak.py --cycles 200), without any leak. Trimming after each
    run keeps a long-open app near its one-run size. Done on the worker thread, never the GUI thread."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl): nothing to do
        pass
