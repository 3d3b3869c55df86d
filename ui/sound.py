"""Audible cues: spoken words from pre-rendered audio files, one at a time; tones if the files are missing.

The phrases (counts, form warnings, "3, 2, 1, go", "turn over", ...) are WAV files in assets/sounds, rendered
once by tools/render_phrases.py (app.handsfree.spoken_phrases lists them), so every machine speaks in words with no speech
engine installed. Which phrase plays when is decided by `ui.cue_policy.SpeechQueue` (pure): one phrase at a
time, the newest waiting one next, stale ones dropped.

Everything here degrades to silence: QtMultimedia may fail to import (no libpulse), the machine may have no
audio output. Each of those is logged once and the app carries on visual-only.
"""

from __future__ import annotations

import logging
import math
import pathlib
import struct
import tempfile
import time
import wave

from app.handsfree.spoken_phrases import SOUNDS_DIR, all_phrases, count_key, fault_key, sound_file_name
from ui.cue_policy import SpeechQueue

log = logging.getLogger(__name__)

SAMPLE_RATE_HZ = 22050
CHECK_MS = 50  # how often a finished phrase is noticed (QSoundEffect's playingChanged is not always sent)


def write_tone_wav(path: pathlib.Path, notes: list[tuple[float, float]], volume: float = 0.5) -> pathlib.Path:
    """A mono 16-bit WAV of (frequency_hz, duration_s) notes; 0 Hz is silence. Short fades avoid clicks."""
    frames = bytearray()
    for freq_hz, dur_s in notes:
        n = int(SAMPLE_RATE_HZ * dur_s)
        fade = max(1, int(SAMPLE_RATE_HZ * 0.01))
        for i in range(n):
            env = min(1.0, i / fade, (n - i) / fade)
            x = math.sin(2 * math.pi * freq_hz * i / SAMPLE_RATE_HZ) if freq_hz else 0.0
            frames += struct.pack("<h", int(32767 * volume * env * x))
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE_HZ)
        w.writeframes(bytes(frames))
    return path


# Used only when the phrase files are missing (a broken install): a bright rising pair for a counted rep, a low
# double buzz for a warning.
REP_NOTES = [(880.0, 0.08), (1320.0, 0.12)]
WARNING_NOTES = [(220.0, 0.15), (0.0, 0.07), (220.0, 0.15)]


def phrase_path(key: str) -> pathlib.Path | None:
    """The shipped audio file of a phrase key, or None if it is not there."""
    from app.assets import asset_path

    try:
        path = asset_path(SOUNDS_DIR, sound_file_name(key))
    except (ModuleNotFoundError, RuntimeError):
        return None
    return path if path.is_file() else None


class SoundCues:
    def __init__(self, enabled: bool = True, parent=None, clock=time.monotonic) -> None:
        self.muted = not enabled
        self.mode = "silent"  # "speech" | "tones" | "silent": what actually works on this machine
        self.queue = SpeechQueue()
        self._clock = clock
        self._parent = parent
        self._effects: dict[str, object] = {}  # phrase key → QSoundEffect, made on first use
        self._playing = None
        self._timer = None
        self._tones: dict[str, pathlib.Path] = {}
        self._setup(parent)

    def _setup(self, parent) -> None:
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect  # noqa: F401
        except ImportError as exc:
            log.info("sound off: QtMultimedia unavailable (%s)", exc)
            return
        try:
            if not QMediaDevices.audioOutputs():
                log.info("sound off: no audio output device")
                return
            from PySide6.QtCore import QTimer

            if phrase_path(count_key(1)) is not None:
                self.mode = "speech"
                # Loaded up front: a sound effect still loading when asked to play would start late.
                for key in all_phrases():
                    self._effect(key)
            else:
                log.warning("spoken cues missing from assets/%s: playing tones instead", SOUNDS_DIR)
                cache = pathlib.Path(tempfile.gettempdir()) / "medius-coach-sounds"
                self._tones = {"rep": write_tone_wav(cache / "rep.wav", REP_NOTES),
                               "warning": write_tone_wav(cache / "warning.wav", WARNING_NOTES)}
                self.mode = "tones"
            self._timer = QTimer(parent)
            self._timer.setInterval(CHECK_MS)
            self._timer.timeout.connect(self._pump)
        except Exception:  # noqa: BLE001 - sound is optional; a broken audio stack must not stop a session
            log.exception("sound off: audio setup failed")
            self.mode = "silent"

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        if muted:
            self.queue.clear()
            if self._playing is not None:
                self._playing.stop()

    # -- what the session says -----------------------------------------------------------------------------------
    def rep(self, count: int) -> None:
        self.say(count_key(count))

    def warning(self, code: str = "") -> None:
        self.say(fault_key(code) if code else "warning")

    def say(self, key: str) -> None:
        """Queue one phrase (app.handsfree.spoken_phrases key); it plays when the one before it has finished."""
        if self.muted or self.mode == "silent":
            return
        self.queue.offer(key, self._clock())
        self._pump()

    # -- playing -----------------------------------------------------------------------------------------------
    def _pump(self) -> None:
        try:
            busy = self._playing is not None and self._playing.isPlaying()
            key = self.queue.next(self._clock(), busy)
            if key is not None:
                effect = self._effect(key)
                if effect is not None:
                    effect.play()
                    self._playing = effect
            if self._timer is not None:
                if self.queue.waiting or busy or key is not None:
                    self._timer.start()
                else:
                    self._timer.stop()
        except Exception:  # noqa: BLE001
            log.exception("sound failed")

    def _effect(self, key: str):
        if self.mode == "tones":
            key = "rep" if key.startswith("count_") else "warning"
        effect = self._effects.get(key)
        if effect is None:
            path = self._tones.get(key) if self.mode == "tones" else phrase_path(key)
            if path is None:
                log.warning("no sound file for phrase %r", key)
                return None
            from PySide6.QtCore import QUrl
            from PySide6.QtMultimedia import QSoundEffect

            effect = QSoundEffect(self._parent)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            self._effects[key] = effect
        return effect
