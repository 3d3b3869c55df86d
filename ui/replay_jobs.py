"""Long work for the replay (analysing a recording, writing an annotated video) on a worker thread.

One plain thread per job; its results reach the GUI thread as queued Qt signals (the job object lives on the
GUI thread), so the GUI never waits. `cancel()` sets a flag the work polls each frame; `wait()` joins, so no
thread outlives its window. Errors meant for the user (app.errors.MediusError) arrive as their one-line text;
anything else is logged with its traceback and shown as a short message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.errors import MediusError

log = logging.getLogger(__name__)

PROGRESS_EVERY = 10  # frames between progress signals: the bar moves smoothly without flooding the event loop


class Job(QObject):
    progressed = Signal(int, int)  # done, total (0 when unknown)
    succeeded = Signal(object)
    failed = Signal(str)  # "" when cancelled

    def __init__(self, work: Callable[[Callable[[int, int | None], None], Callable[[], bool]], object],
                 name: str, parent=None) -> None:
        """`work(progress, cancelled)` runs on the worker thread and returns the result."""
        super().__init__(parent)
        self._work = work
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"medius-{name}", daemon=True)
        self.done = False

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait(self, timeout_s: float = 10.0) -> bool:
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _progress(self, done: int, total: int | None) -> None:
        if done % PROGRESS_EVERY == 0 or (total and done >= total):
            self.progressed.emit(done, total or 0)

    def _run(self) -> None:
        try:
            result = self._work(self._progress, self._cancel.is_set)
        except MediusError as exc:
            self.done = True
            self.failed.emit("" if self._cancel.is_set() else str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug: logged with its traceback, shown in one line
            log.exception("replay job failed")
            self.done = True
            self.failed.emit(f"Unexpected error ({type(exc).__name__}: {exc}); details are in the log file.")
        else:
            self.done = True
            self.succeeded.emit(result)
