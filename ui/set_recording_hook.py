"""Records each live set's video when the user turned recording on (Settings → Recording); nothing otherwise.

Attached by `ui.history_entry.attach_recorder` next to the exercise log, so the main window and the session
controller need no change: the controller's analyzer factory is wrapped so that every analyzer hands its
(frame, step) to the current `app.pipeline.set_recording.SetRecording` on the vision thread (a non-blocking queue put),
and the session's events open and close the recording:

    SetStarted  → if `window.settings.record_sets`: a new recording, the log's set row points to its file,
                  the live view shows its "REC" mark
    SetEnded    → the mark goes, the recording is finished on a helper thread (the encoder may still be
                  catching up; the GUI never waits for it); the summary screen offers "Replay last set"

Recordings older than `Settings.recording_keep_days` are deleted when it is attached (at app start).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from app.pipeline import set_recording
from app.session.plan import SessionEnded, SetEnded, SetStarted

log = logging.getLogger(__name__)


class SetRecordingHook:
    def __init__(self, window, recorder, folder=None) -> None:
        self.window = window
        self.recorder = recorder  # app.storage.SessionRecorder: the set row gets the file name
        self.folder = folder or set_recording.recordings_dir()
        self.current: set_recording.SetRecording | None = None
        self.finished: list[set_recording.SetRecording] = []
        self._exercises: dict[str, str] = {}  # video file name -> exercise
        self._closers: list[threading.Thread] = []
        window.controller.wrap_analyzers(lambda analyzer: set_recording.RecordingAnalyzer(analyzer, self._tap))
        self.replay_window = None
        summary = getattr(window, "summary", None)
        if summary is not None and hasattr(summary, "replay_requested"):
            summary.replay_requested.connect(self.replay_last)
        try:
            removed = set_recording.prune(self.folder, window.settings.recording_keep_days)
            if removed:
                log.info("recordings: removed %d older than %d days", len(removed), window.settings.recording_keep_days)
        except OSError as exc:
            log.warning("recordings: could not prune %s: %s", self.folder, exc)

    def _tap(self, frame, step) -> None:
        """Vision thread: hand the frame to the set's recording, if one is open (one attribute read)."""
        rec = self.current
        if rec is not None:
            rec.offer(frame, step)

    def on_event(self, event: object) -> None:
        """GUI thread, after the log's listener saw the same event."""
        if isinstance(event, SetStarted):
            self._end_recording()
            if getattr(self.window.settings, "record_sets", False):
                self._start_recording(event)
        elif isinstance(event, (SetEnded, SessionEnded)):
            self._end_recording()

    def _start_recording(self, event: SetStarted) -> None:
        step = event.step
        uid = (self.recorder.session_uid or "session")[:8]
        name = (f"{dt.datetime.now():%Y%m%d-%H%M%S}-{uid}-{step.exercise.value}-{step.side}-set{step.set_number}")
        try:
            self.current = set_recording.SetRecording(self.folder, name)
        except OSError as exc:
            self.window.show_banner(f"This set is not recorded: {exc}", 8000)
            return
        self.recorder.attach_recording(self.current.video_path.name)
        self._exercises[self.current.video_path.name] = step.exercise.value
        self.window.live.video.recording = True
        self.window.live.video.update()

    def _end_recording(self) -> None:
        rec, self.current = self.current, None
        self.window.live.video.recording = False
        if rec is None:
            return
        self.finished.append(rec)
        closer = threading.Thread(target=rec.close, name="medius-recording-close", daemon=True)
        closer.start()
        self._closers.append(closer)
        summary = getattr(self.window, "summary", None)
        if summary is not None and hasattr(summary, "replay_button"):
            summary.replay_button.show()

    def replay_last(self):
        """Open the replay of the last recorded set (waits for its encoder to finish, normally done by now)."""
        from ui.replay_open import open_replay

        if not self.finished:
            return None
        rec = self.finished[-1]
        path = rec.close()
        if path is None:
            self.window.show_banner(f"The recording cannot be replayed: {rec.error or 'nothing was recorded'}", 8000)
            return None
        try:
            self.replay_window = open_replay(set_recording.load(path, self._exercises[path.name]), self.window)
        except (OSError, ValueError, KeyError) as exc:
            self.window.show_banner(f"The recording cannot be replayed: {exc}", 8000)
            return None
        return self.replay_window


    def close(self, timeout_s: float = 30.0) -> None:
        """Finish every recording (app quit, tests)."""
        self._end_recording()
        for closer in self._closers:
            closer.join(timeout_s)
        self._closers.clear()
