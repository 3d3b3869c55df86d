"""Audible cues: a spoken count when a real speech engine exists, else generated tones; always optional.

Everything here degrades to silence: QtMultimedia/QtTextToSpeech may fail to import (no libpulse), the machine
may have no audio output, the only speech engine may be Qt's "mock". Each of those is logged once and the app
carries on visual-only.
"""

from __future__ import annotations

import logging
import math
import pathlib
import struct
import tempfile
import wave

log = logging.getLogger(__name__)

SAMPLE_RATE_HZ = 22050


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


# A bright rising pair for a counted rep; a low double buzz for a warning: distinguishable without looking.
REP_NOTES = [(880.0, 0.08), (1320.0, 0.12)]
WARNING_NOTES = [(220.0, 0.15), (0.0, 0.07), (220.0, 0.15)]


class SoundCues:
    def __init__(self, enabled: bool = True, parent=None) -> None:
        self.muted = not enabled
        self.mode = "silent"  # "speech" | "tones" | "silent": what actually works on this machine
        self._speech = None
        self._rep_effect = None
        self._warn_effect = None
        self._setup(parent)

    def _setup(self, parent) -> None:
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError as exc:
            log.info("sound off: QtMultimedia unavailable (%s)", exc)
            return
        try:
            if not QMediaDevices.audioOutputs():
                log.info("sound off: no audio output device")
                return
            try:
                from PySide6.QtTextToSpeech import QTextToSpeech

                engines = [e for e in QTextToSpeech.availableEngines() if e != "mock"]
                if engines:
                    speech = QTextToSpeech(engines[0], parent)
                    # speechd is listed even when no speech-dispatcher runs; it then reports Error at once.
                    if speech.state() != QTextToSpeech.State.Error:
                        self._speech = speech
            except ImportError as exc:
                log.info("no speech: QtTextToSpeech unavailable (%s)", exc)
            from PySide6.QtCore import QUrl

            cache = pathlib.Path(tempfile.gettempdir()) / "medius-coach-sounds"
            self._rep_effect = QSoundEffect(parent)
            self._rep_effect.setSource(QUrl.fromLocalFile(str(write_tone_wav(cache / "rep.wav", REP_NOTES))))
            self._warn_effect = QSoundEffect(parent)
            self._warn_effect.setSource(QUrl.fromLocalFile(str(write_tone_wav(cache / "warning.wav", WARNING_NOTES))))
            self.mode = "speech" if self._speech is not None else "tones"
        except Exception:  # noqa: BLE001 - sound is optional; a broken audio stack must not stop a session
            log.exception("sound off: audio setup failed")
            self.mode = "silent"

    def set_muted(self, muted: bool) -> None:
        self.muted = muted

    def rep(self, count: int) -> None:
        if self.muted or self.mode == "silent":
            return
        try:
            if self._speech is not None:
                self._speech.say(str(count))
            else:
                self._rep_effect.play()
        except Exception:  # noqa: BLE001
            log.exception("rep sound failed")

    def warning(self) -> None:
        if self.muted or self.mode == "silent":
            return
        try:
            self._warn_effect.play()
        except Exception:  # noqa: BLE001
            log.exception("warning sound failed")
