"""The microphone for voice commands: QtMultimedia captures 16 kHz mono audio, a plain thread recognises it.

Capture (QAudioSource) delivers bytes on the GUI thread; they go into a queue and a worker thread runs
app.handsfree.voice_commands.CommandRecognizer, so the keyword network (a few ms every 0.1 s) never stalls the live picture.
A heard command comes back to the GUI thread as the `command_heard` signal. No microphone, no QtMultimedia or a
keyword model that does not load: `start()` returns a one-line notice and nothing runs (voice is optional).
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class VoiceListener(QObject):
    command_heard = Signal(str, float)  # command, time.monotonic() when it was recognised

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._source = None
        self._io = None
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._recognizer = None
        self.listening = False

    def start(self, with_microphone: bool = True) -> str | None:
        """Begin listening; returns a one-line notice when voice commands cannot work here, else None.
        `with_microphone=False` starts only the recogniser (audio then comes through `feed_pcm`)."""
        if self.listening:
            return None
        try:
            from app.handsfree.voice_commands import CommandRecognizer, VoiceUnavailable
        except ImportError as exc:
            return f"Voice commands are off: {exc}."
        if with_microphone:
            notice = self._open_microphone()
            if notice:
                return notice
        try:
            self._recognizer = CommandRecognizer()
        except VoiceUnavailable as exc:
            self._close_microphone()
            return f"Voice commands are off: {exc}."
        self._queue = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="voice-commands", daemon=True)
        self._thread.start()
        self.listening = True
        return None

    def stop(self) -> None:
        self._close_microphone()
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None
        self.listening = False

    def feed_pcm(self, data: bytes) -> None:
        """16-bit mono 16 kHz audio, as the microphone delivers it (tests feed recorded speech here)."""
        if self.listening:
            self._queue.put(bytes(data))

    # -- microphone ------------------------------------------------------------------------------------------
    def _open_microphone(self) -> str | None:
        try:
            from PySide6.QtMultimedia import QAudioFormat, QAudioSource, QMediaDevices
        except ImportError as exc:
            return f"Voice commands are off: no audio support ({exc})."
        device = QMediaDevices.defaultAudioInput()
        if device.isNull():
            return "No microphone found: voice commands are off (keys and the raised hand still work)."
        fmt = QAudioFormat()
        fmt.setSampleRate(16000)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        if not device.isFormatSupported(fmt):
            return f"The microphone '{device.description()}' cannot record 16 kHz mono: voice commands are off."
        self._source = QAudioSource(device, fmt, self)
        self._io = self._source.start()
        self._io.readyRead.connect(self._on_ready_read)
        log.info("voice commands: listening on %s", device.description())
        return None

    def _close_microphone(self) -> None:
        if self._source is not None:
            self._source.stop()
            self._source = None
            self._io = None

    def _on_ready_read(self) -> None:
        if self._io is not None:
            self.feed_pcm(bytes(self._io.readAll().data()))

    # -- recognising (worker thread) -------------------------------------------------------------------------
    def _work(self) -> None:
        rec = self._recognizer
        while (data := self._queue.get()) is not None:
            try:
                for heard in rec.feed(data):
                    log.info("voice command: coach %s (probability %.2f)", heard.command, heard.probability)
                    self.command_heard.emit(heard.command, time.monotonic())
            except Exception:  # noqa: BLE001 - a recogniser failure ends voice commands, not the session
                log.exception("voice recognition failed; voice commands are off")
                return
