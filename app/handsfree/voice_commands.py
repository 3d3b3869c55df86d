"""Offline voice commands: "coach pause / resume / next / repeat / stop" from 16 kHz mono audio. No Qt.

Recogniser: our own keyword network (app.handsfree.keyword_model, weights in assets/models/voice_keywords.npz,
run with numpy; app.handsfree.keyword_spotter slides it over the stream). Nothing is downloaded and nothing leaves
the machine. It replaced pocketsphinx with its bundled US English model: on tools/voice_benchmark.py (17 voices
x 21 rooms and noises) pocketsphinx, with every check we could find to keep talk from passing as a command,
recognised 61 % of the commands; its acoustic model heard the voices wrongly even in a quiet room (8 %), and a
television or someone counting under the command spoiled its decode. Vosk, sherpa-onnx and other recognisers
ship their models as separate downloads. A network trained for exactly these five phrases, on speech mixed with
the rooms it will meet, does much better (see keyword_spotter and the benchmark); what it costs is that it was
trained on synthetic voices only (tools/render_keyword_speech.py, tools/train_keyword_model.py).

The wake word "coach" is part of each phrase the network learned: "pause" alone, "press pause" or "the coach
paused" were trained as not a command, so television talk and counting aloud do not steer a session.
"""

from __future__ import annotations

import numpy as np

from app.handsfree.keyword_features import RATE_HZ
from app.handsfree.keyword_model import LABELS, ModelError
from app.handsfree.keyword_spotter import KeywordSpotter, default_network
from app.handsfree.keyword_spotter import Spotted as Heard  # t_s, command, probability

COMMANDS = LABELS[1:]  # what the network was trained to hear, besides "other"
WAKE_WORD = "coach"


class VoiceUnavailable(RuntimeError):
    """The keyword model is missing or does not load."""


class CommandRecognizer:
    """Feed 16-bit mono PCM at 16 kHz in any chunk size; get the commands that ended in it."""

    def __init__(self, network=None) -> None:
        try:
            self._spotter = KeywordSpotter(network or default_network())
        except ModelError as exc:
            raise VoiceUnavailable(str(exc)) from exc

    def feed(self, pcm: bytes | np.ndarray) -> list[Heard]:
        x = np.frombuffer(pcm, dtype="<i2") if isinstance(pcm, (bytes, bytearray, memoryview)) else np.asarray(pcm)
        return self._spotter.feed(x)

    def finish(self) -> list[Heard]:
        """End of the stream: the last sound is judged as if the room went on."""
        return self._spotter.finish()


def read_wav_16k(path) -> np.ndarray:
    """A WAV file as 16 kHz mono int16 (converted if it is not); raises ValueError on anything unreadable."""
    import wave

    try:
        with wave.open(str(path), "rb") as w:
            rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
            raw = w.readframes(w.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise ValueError(f"{path}: not a readable WAV file ({exc})") from exc
    if width != 2:
        raise ValueError(f"{path}: only 16-bit WAV files are supported (this one has {8 * width}-bit samples)")
    x = np.frombuffer(raw, dtype="<i2").astype(np.float32)
    if channels > 1:
        x = x.reshape(-1, channels).mean(axis=1)
    if rate != RATE_HZ:
        t = np.arange(int(len(x) * RATE_HZ / rate)) / RATE_HZ
        x = np.interp(t, np.arange(len(x)) / rate, x)
    return np.clip(x, -32768, 32767).astype("<i2")


def commands_in(audio: np.ndarray, chunk_s: float = 0.1) -> list[Heard]:
    """Every command in a recording, fed in chunks as a microphone would deliver it."""
    rec = CommandRecognizer()
    step = int(chunk_s * RATE_HZ)
    heard = []
    for i in range(0, len(audio), step):
        heard.extend(rec.feed(audio[i:i + step]))
    return heard + rec.finish()
