"""Offline voice commands: "coach pause / resume / next / repeat / stop" from 16 kHz mono audio. No Qt.

Recogniser: pocketsphinx (PyPI wheel with its US English acoustic model, dictionary and phone model inside, so
nothing is downloaded and nothing leaves the machine). Chosen over keyword spotting, which on synthetic and
real voices found only a minority of the phrases, and over Vosk/sherpa-onnx, whose models are separate
downloads.

How a command is heard, and why talk is not:
1. pocketsphinx's Endpointer (a voice-activity detector) cuts the stream into utterances; commands are said on
   their own, so each is one short utterance.
2. Each utterance of command length is decoded twice: with a grammar that can only say "coach <command>", and
   with a free phone loop (the "garbage" model: any sound at all). A grammar always answers, even for "the
   coach said stop by later"; but when the words were not a command, the free phone loop explains the sound far
   better than the grammar does. A command is accepted only when the grammar's score comes close to the phone
   loop's (`MAX_SCORE_RATIO`).
3. A command is short (`MAX_UTTERANCE_S`) and follows a pause (`MIN_GAP_S`): on synthetic talk, counting and
   television-like speech with noise (tools/voice_benchmark.py) these two rules removed every false command
   that the grammar and the score ratio let through, while keeping the commands said on their own.
4. The wake word "coach" is part of the grammar, so counting out loud ("one, two, three") or a television never
   matches a command by a single word.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

RATE_HZ = 16000
COMMANDS = ("pause", "resume", "next", "repeat", "stop")
WAKE_WORD = "coach"
MIN_UTTERANCE_S = 0.45  # "coach next" said quickly
MAX_UTTERANCE_S = 1.5  # "coach repeat" said slowly took 1.3 s; talk that the grammar bends is mostly longer
MIN_GAP_S = 0.6  # quiet before a command: said on its own, not at the end of a sentence
# Grammar score over phone-loop score (pocketsphinx reports both as per-utterance likelihood figures in 0..1).
# Commands measured 0.9-1.3; on short stretches of talk it overlaps (so it only removes the worst fits).
MAX_SCORE_RATIO = 1.6
GRAMMAR = ("#JSGF V1.0;\ngrammar medius;\n"
           f"public <command> = {WAKE_WORD} ( {' | '.join(COMMANDS)} );\n")


class VoiceUnavailable(RuntimeError):
    """pocketsphinx is not installed or its model does not load."""


@dataclass(frozen=True)
class Heard:
    t_s: float  # end of the command in the audio (seconds from the start of the stream)
    command: str  # one of COMMANDS
    ratio: float  # grammar/phone-loop score ratio: lower is surer


class CommandRecognizer:
    """Feed 16-bit mono PCM at 16 kHz in any chunk size; get the commands that ended in it."""

    def __init__(self, max_ratio: float = MAX_SCORE_RATIO) -> None:
        try:
            from pocketsphinx import Decoder, Endpointer, get_model_path
        except ImportError as exc:
            raise VoiceUnavailable(f"pocketsphinx is not installed ({exc})") from exc
        model = get_model_path()
        common = {"hmm": os.path.join(model, "en-us", "en-us"),
                  "dict": os.path.join(model, "en-us", "cmudict-en-us.dict"), "lm": None, "loglevel": "FATAL",
                  "samprate": RATE_HZ}
        try:
            self._grammar = Decoder(**common)
            self._grammar.add_jsgf_string("commands", GRAMMAR)
            self._grammar.activate_search("commands")
            self._phones = Decoder(**common, allphone=os.path.join(model, "en-us", "en-us-phone.lm.bin"))
        except RuntimeError as exc:
            raise VoiceUnavailable(f"the speech model did not load ({exc})") from exc
        self.max_ratio = max_ratio
        self._endpointer = Endpointer(sample_rate=RATE_HZ)
        self._frame_bytes = self._endpointer.frame_bytes
        self._pending = b""
        self._utterance: list[bytes] = []
        self._t_s = 0.0  # stream time of the next frame
        self._start_s = 0.0
        self._last_end_s = -1e9  # end of the utterance before (any length)
        self.utterances = 0  # how many were decoded (for the benchmark)

    def feed(self, pcm: bytes | np.ndarray) -> list[Heard]:
        data = self._pending + (pcm.astype("<i2").tobytes() if isinstance(pcm, np.ndarray) else bytes(pcm))
        heard: list[Heard] = []
        n = len(data) // self._frame_bytes * self._frame_bytes
        for i in range(0, n, self._frame_bytes):
            heard.extend(self._frame(data[i:i + self._frame_bytes]))
        self._pending = data[n:]
        return heard

    def finish(self) -> list[Heard]:
        """End of the stream: an utterance still open is judged as it is."""
        heard = []
        if self._utterance:
            heard.extend(self._judge(b"".join(self._utterance), self._start_s, self._t_s))
        self._utterance = []
        return heard

    def _frame(self, frame: bytes) -> list[Heard]:
        was_in_speech = self._endpointer.in_speech
        speech = self._endpointer.process(frame)
        self._t_s += self._endpointer.frame_length
        if speech is not None:
            if not self._utterance:
                self._start_s = self._endpointer.speech_start
            self._utterance.append(bytes(speech))
        if was_in_speech and not self._endpointer.in_speech and self._utterance:
            audio, self._utterance = b"".join(self._utterance), []
            return self._judge(audio, self._start_s, self._endpointer.speech_end)
        return []

    def _judge(self, audio: bytes, start_s: float, end_s: float) -> list[Heard]:
        duration = len(audio) / 2 / RATE_HZ
        gap_s, self._last_end_s = start_s - self._last_end_s, end_s
        if not MIN_UTTERANCE_S <= duration <= MAX_UTTERANCE_S or gap_s < MIN_GAP_S:
            return []
        self.utterances += 1
        grammar = _decode(self._grammar, audio)
        if grammar is None:
            return []
        words = grammar.hypstr.split()
        if len(words) != 2 or words[0] != WAKE_WORD or words[1] not in COMMANDS:
            return []
        phones = _decode(self._phones, audio)
        if phones is None or phones.score <= 0:
            return []
        ratio = grammar.score / phones.score
        if ratio > self.max_ratio:
            return []
        return [Heard(round(end_s, 2), words[1], round(ratio, 3))]


def _decode(decoder, audio: bytes):
    decoder.start_utt()
    decoder.process_raw(audio, full_utt=True)
    decoder.end_utt()
    return decoder.hyp()


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
