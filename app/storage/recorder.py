"""SessionRecorder: what the live GUI calls as a session happens. Every completed rep is committed at once.

The recorder never raises to its caller. Each call queues a write and then tries to flush the queue, oldest
first, one short transaction per write. If the log cannot be written (locked, read-only, damaged, disk full)
the writes stay queued in memory, `last_error` holds the message for the GUI's banner, and later calls (or
`retry()`) flush them in order — so a session survives a log that is unavailable for a while, and nothing is
written out of order or twice.

Thread-agnostic but single-threaded: call it from one thread (the GUI thread; a write takes about a
millisecond plus one fsync). Ids of rows not yet written are resolved when their write succeeds.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.engine.events import FormWarning, RepCompleted
from app.storage import connection, rescue
from app.storage.errors import DatabaseLockedError, StorageError
from app.storage.models import SessionRecord, SetRecord
from app.storage.repository import Store, local_day_of

log = logging.getLogger(__name__)


@dataclass
class _Row:
    """A row that may not be in the database yet; `id` is filled in when its INSERT commits."""

    id: int | None = None


@dataclass
class _Write:
    describe: str
    run: Callable[[Store], Any]
    done: Callable[[Any], None] = field(default=lambda _result: None)


class SessionRecorder:
    def __init__(self, store: Store | str | os.PathLike | None = None, *, clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic, retry_interval_s: float = 3.0,
                 timeout_s: float = 0.5):
        """`store`: an open Store, a database path, or None for the default log. `clock` gives UTC epoch
        seconds (injectable so generators can write sessions in the past); `timeout_s` bounds how long one
        write waits for a lock, since the caller is usually the GUI thread."""
        self._store = store if isinstance(store, Store) else None
        self._path = None if isinstance(store, Store) else store
        self.db_path = store.path if isinstance(store, Store) else (store or connection.default_db_path())
        # The whole session is mirrored in memory, so that if the log stays unwritable until the app closes it
        # can still be saved as a rescue file (imported the next time the log opens).
        self._records: dict[str, SessionRecord] = {}
        self._record: SessionRecord | None = None
        self._set_record: SetRecord | None = None
        self.rescue_files: list = []
        self._owns_store = self._store is None
        self._clock = clock
        self._monotonic = monotonic
        self._retry_interval_s = retry_interval_s
        self._timeout_s = timeout_s
        self._queue: deque[_Write] = deque()
        self._last_error: str | None = None
        self._failed_at: float | None = None
        self._session: _Row | None = None
        self._session_uid: str | None = None
        self._set: _Row | None = None
        self._set_reps = 0
        self._last_session: _Row | None = None
        self.written_reps = 0  # reps committed by this recorder (for tests and the status line)

    # ---- what the GUI reads ----------------------------------------------------------------------------

    @property
    def last_error(self) -> str | None:
        """The message to show while writes are waiting; None when everything is saved."""
        return self._last_error

    @property
    def pending_writes(self) -> int:
        return len(self._queue)

    @property
    def session_uid(self) -> str | None:
        return self._session_uid

    @property
    def session_id(self) -> int | None:
        """The database id of the current (or last) session, once its row is written."""
        return self._session.id if self._session else None

    @property
    def in_set(self) -> bool:
        return self._set is not None

    # ---- the session ------------------------------------------------------------------------------------

    def start_session(self, plan_name: str = "", source: str = "", notes: str = "", programme=None) -> str:
        """Begin a session (finishing any open one). Returns its uid, which exists even before it is written.
        `programme`: the ProgrammeStamp of the therapist's programme it follows, written with the session row."""
        if self._session is not None:
            self.finish_session()
        row = _Row()
        uid = uuid.uuid4().hex
        now = self._clock()
        day = local_day_of(now)
        self._session, self._session_uid = row, uid
        self._record = SessionRecord(started_utc_s=now, plan_name=plan_name, notes=notes, source=source,
                                     local_day=day, uid=uid, programme=programme)
        self._records[uid] = self._record

        def run(store: Store):
            return store.insert_session(started_utc_s=now, plan_name=plan_name, notes=notes, source=source,
                                        uid=uid, local_day=day, programme=programme)

        self._submit(_Write("start session", run, lambda rid: setattr(row, "id", rid)))
        return uid

    def start_set(self, exercise: str, side: str = "", target_reps: int | None = None, source: str = "") -> None:
        """Begin a set (finishing any open one). `side` may be "" or "auto": the first rep's side fills it."""
        if self._session is None:
            self.start_session(source=source)
        if self._set is not None:
            self.finish_set()
        session, row, now = self._session, _Row(), self._clock()
        exercise = getattr(exercise, "value", exercise)
        self._set, self._set_reps = row, 0
        self._set_record = SetRecord(exercise=exercise, side=side or "", started_utc_s=now, target_reps=target_reps,
                                     source=source)
        self._record.sets.append(self._set_record)

        def run(store: Store):
            return store.insert_set(session.id, exercise=exercise, side=side or "", started_utc_s=now,
                                    target_reps=target_reps, source=source)

        self._submit(_Write(f"start {exercise} set", run, lambda rid: setattr(row, "id", rid)))

    def record_rep(self, rep: RepCompleted) -> None:
        """Commit one completed rep now (or queue it if the log is unavailable)."""
        if self._set is None:
            log.warning("rep %s recorded outside a set; starting an unnamed set", rep.index)
            self.start_set("unknown", rep.side)
        row, now = self._set, self._clock()
        self._set_reps += 1
        self._set_record.reps.append(rep)
        if self._set_record.side in ("", "auto"):
            self._set_record.side = rep.side

        def done(_):
            self.written_reps += 1

        self._submit(_Write(f"rep {rep.index}", lambda store: store.insert_rep(row.id, rep, recorded_utc_s=now),
                            done))

    def record_warning(self, warning: FormWarning) -> None:
        if self._set is None:
            return  # a cue outside a set (settling, between sets) is not part of the log
        row = self._set
        self._set_record.warnings.append(warning)
        self._submit(_Write(f"fault {warning.code}", lambda store: store.insert_warning(row.id, warning)))

    def attach_recording(self, file_name: str) -> None:
        """The open set's video was recorded (app.pipeline.set_recording): its session row points to the file."""
        if self._set is None:
            return
        row = self._set
        self._submit(_Write("recording", lambda store: store.set_recording(row.id, file_name)))

    def finish_set(self, achieved_reps: int | None = None) -> None:
        """End the open set; `achieved_reps` defaults to the reps recorded in it."""
        if self._set is None:
            return
        row, now = self._set, self._clock()
        achieved = self._set_reps if achieved_reps is None else achieved_reps
        self._set = None
        self._set_record.achieved_reps, self._set_record.ended_utc_s = achieved, now
        self._set_record = None
        self._submit(_Write("finish set",
                            lambda store: store.finish_set(row.id, achieved_reps=achieved, ended_utc_s=now)))

    def finish_session(self, notes: str | None = None) -> None:
        if self._session is None:
            return
        self.finish_set()
        row, now = self._session, self._clock()
        self._session, self._last_session = None, row  # keep the id readable after the session ends
        self._record.ended_utc_s = now
        if notes is not None:
            self._record.notes = notes
        self._record = None
        self._submit(_Write("finish session",
                            lambda store: store.end_session(row.id, ended_utc_s=now, notes=notes)))

    @property
    def last_session_id(self) -> int | None:
        if self._session is not None:
            return self._session.id
        return self._last_session.id if self._last_session else None

    # ---- flushing -------------------------------------------------------------------------------------------

    def retry(self) -> bool:
        """Try to write everything queued now (the GUI calls this from a timer while `pending_writes`)."""
        return self._flush(force=True)

    def close(self) -> bool:
        """Finish any open session, flush, and close the connection. Returns True if everything reached the log.

        If some writes still wait, each affected session is saved whole as a rescue file beside the log (imported
        automatically the next time the log opens) and `last_error` says where; returns False."""
        self.finish_session()
        ok = self._flush(force=True)
        if not ok:
            self._write_rescue_files()
        if self._owns_store and self._store is not None:
            self._store.close()
            self._store = None
        return ok

    def _write_rescue_files(self) -> None:
        folder = rescue.rescue_dir_for(self.db_path)
        try:
            self.rescue_files = [rescue.write_rescue_file(r, folder) for r in self._records.values()]
        except OSError as exc:
            log.error("could not save unsaved sessions to %s: %s", folder, exc)
            self._last_error = (f"{self._last_error or ''} The unsaved session could not be kept either "
                                f"({exc.strerror or exc}); it is lost when the app closes.").strip()
            return
        log.warning("exercise log unavailable at exit; %d session(s) saved to %s", len(self.rescue_files), folder)
        self._last_error = (f"The exercise log could not be written, so this session was saved to {folder}. It "
                            "is added to the log automatically the next time the log can be opened.")

    def _submit(self, write: _Write) -> None:
        self._queue.append(write)
        self._flush(force=False)

    def _flush(self, *, force: bool) -> bool:
        if not self._queue:
            return True
        if (not force and self._failed_at is not None
                and self._monotonic() - self._failed_at < self._retry_interval_s):
            return False  # do not stall every call on a log that just failed; the timer retries
        try:
            store = self._open()
            while self._queue:
                write = self._queue[0]
                result = write.run(store)
                self._queue.popleft()
                write.done(result)
        except StorageError as exc:
            self._fail(f"{exc} Your session is kept in memory ({len(self._queue)} changes waiting) and saved "
                       "automatically as soon as the log can be written.",
                       drop_connection=not isinstance(exc, DatabaseLockedError))
            return False
        except Exception as exc:  # a bug must not end the user's session; keep the data and say so
            log.exception("unexpected error writing the exercise log")
            self._fail(f"The exercise log could not be written ({exc!r}). Your session is kept in memory "
                       f"({len(self._queue)} changes waiting); please report this.", drop_connection=True)
            return False
        if self._last_error is not None:
            log.info("exercise log writable again; flushed all queued writes")
        self._last_error, self._failed_at = None, None
        # Everything is in the log: only the session still running needs its in-memory mirror.
        self._records = {uid: r for uid, r in self._records.items() if r is self._record}
        return True

    def _open(self) -> Store:
        if self._store is None:
            store = Store(self._path, timeout_s=self._timeout_s)
            try:
                rescue.import_rescue_files(store)
            except StorageError as exc:
                log.warning("unsaved sessions not imported yet: %s", exc)
            self._store = store
        return self._store

    def _fail(self, message: str, *, drop_connection: bool) -> None:
        if self._last_error is None or message.split(" Your session")[0] != self._last_error.split(" Your session")[0]:
            log.warning("exercise log: %s (%d writes queued)", message, len(self._queue))
        self._last_error = message
        self._failed_at = self._monotonic()
        if drop_connection and self._owns_store and self._store is not None:
            # Reconnect next time: the user may have fixed permissions or moved a damaged file aside.
            try:
                self._store.close()
            except Exception:
                pass
            self._store = None
