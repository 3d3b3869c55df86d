"""Cleaning microphone audio before speech recognition, and finding where someone speaks above the room. No Qt.

`NoiseSuppressor` is a streaming Wiener filter: a short-time spectrum every 8 ms, a per-frequency noise estimate
(the median power over the last 2.5 s: it follows a fan, a hum or the average of a television, not a voice that
speaks less than half of the time), and a gain per frequency from the "decision-directed" a priori SNR (Ephraim &
Malah), floored so the leftover noise stays smooth rather than "musical" (isolated tones the recogniser would take
for phones). A high-pass at 100 Hz drops rumble and mains hum. It also gives a lightly cleaned version (the
recogniser checks a command on both) and the speech band's spectra.

`Utterances` cuts the stream where speech stands out of the room: see its docstring. pocketsphinx's Endpointer
(a voice detector), used before, took 10 dB pink noise for speech and never ended an utterance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RATE_HZ = 16000
FFT = 512  # 32 ms analysis window
HOP = 128  # 8 ms between frames (75 % overlap: sqrt-Hann analysis and synthesis add up to a constant)
HIGH_PASS_HZ = 100.0
GAIN_FLOOR = 0.15  # at most -16.5 dB of suppression: deeper leaves "musical" noise that looks like phones
LIGHT_GAIN_FLOOR = 0.4  # the second, lightly cleaned output: at most -8 dB (1.0 would be the high-pass only)
DD_ALPHA = 0.97  # decision-directed smoothing of the a priori SNR
HISTORY_EVERY = 4  # one spectrum in four (32 ms apart) goes into the noise history ...
HISTORY_FRAMES = 78  # ... of 2.5 s
NOISE_EVERY = 8  # the median is taken again every 64 ms
SPEECH_BAND_HZ = (250.0, 4000.0)


class NoiseSuppressor:
    """Feed float samples (int16 scale, any chunk size); get back the cleaned samples (24 ms behind the input)
    and, per 8 ms frame, the power spectrum of the speech band (250-4000 Hz) for `Utterances`."""

    def __init__(self) -> None:
        self._window = np.sqrt(np.hanning(FFT + 1)[:FFT])
        freqs = np.fft.rfftfreq(FFT, 1 / RATE_HZ)
        self._keep = (freqs >= HIGH_PASS_HZ).astype(np.float64)
        self._band = (freqs >= SPEECH_BAND_HZ[0]) & (freqs <= SPEECH_BAND_HZ[1])
        self._history = np.zeros((HISTORY_FRAMES, len(freqs)))
        self._filled = 0
        self._count = 0
        self._noise: np.ndarray | None = None
        self._prior = np.ones(len(freqs))
        self._in = np.zeros(FFT - HOP)
        self._out = np.zeros((2, FFT))  # overlap-add: cleaned, lightly cleaned
        self._pending = np.zeros(0)

    def process(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Returns the cleaned samples, the same samples lightly cleaned (`LIGHT_GAIN_FLOOR`: the recogniser
        checks a command on both), and the speech band's power spectra."""
        data = np.concatenate([self._pending, np.asarray(x, dtype=np.float64)])
        n = len(data) // HOP
        self._pending = data[n * HOP:]
        out = np.empty((2, n * HOP))
        band = np.empty((n, int(self._band.sum())))
        for i in range(n):
            frame = np.concatenate([self._in, data[i * HOP:(i + 1) * HOP]])
            self._in = frame[HOP:]
            out[:, i * HOP:(i + 1) * HOP], band[i] = self._frame(frame)
        return out[0], out[1], band

    def _track_noise(self, power: np.ndarray) -> None:
        """Noise = the median power per frequency over the last 2.5 s (x 1/ln 2, the median of a noise
        periodogram being ln 2 of its mean): a voice that speaks less than half of that time does not lift it,
        a steady noise or the average of background talk does."""
        if self._count % HISTORY_EVERY == 0:
            self._history[(self._count // HISTORY_EVERY) % HISTORY_FRAMES] = power
            self._filled = min(self._filled + 1, HISTORY_FRAMES)
        if self._noise is None or self._count % NOISE_EVERY == 0:
            self._noise = np.maximum(np.median(self._history[:self._filled], axis=0) / np.log(2), 1e-2)
        self._count += 1

    def _frame(self, frame: np.ndarray) -> tuple[np.ndarray, float]:
        spec = np.fft.rfft(frame * self._window) * self._keep
        power = spec.real ** 2 + spec.imag ** 2
        self._track_noise(power)
        noise = self._noise
        post = np.minimum(power / noise, 1e6)
        prior = DD_ALPHA * self._prior + (1 - DD_ALPHA) * np.maximum(post - 1.0, 0.0)
        prior = np.maximum(prior, 1e-3)
        gain = np.maximum(prior / (1.0 + prior), GAIN_FLOOR)
        self._prior = gain ** 2 * post
        # sqrt-Hann twice at 75 % overlap sums to 2
        light = np.maximum(gain, LIGHT_GAIN_FLOOR)
        self._out += np.fft.irfft(np.stack([spec * gain, spec * light]), FFT) * self._window / 2.0
        ready = self._out[:, :HOP].copy()
        self._out = np.concatenate([self._out[:, HOP:], np.zeros((2, HOP))], axis=1)
        return ready, power[self._band]


@dataclass(frozen=True)
class Span:
    start_s: float  # stream time of the first speech frame
    end_s: float  # stream time of the end of the last speech frame


REF_PERCENTILE = 80.0  # of each bin's power over ...
REF_S = 5.0  # ... this long (a command, ~1 s, is well under the 20 % above the percentile)
REF_EVERY = 4  # one frame in four (32 ms) goes into the reference history
REF_FRAMES = int(REF_S * RATE_HZ / HOP / REF_EVERY)
REF_UPDATE_EVERY = 8  # the percentile is taken again every 64 ms
FREEZE_MAX_S = 3.0  # an utterance longer than this is the room changing: the reference learns it
WARM_UP_S = 1.0  # no utterance starts before the reference has heard this much of the room
BIN_RATIO = 2.5  # a bin this far over its reference counts as speech (x 1.6 for steady noise: 6 dB over its mean)
ON_SCORE = 0.12  # this share of the speech band's bins counting as speech starts an utterance ...
OFF_SCORE = 0.07  # ... and it goes on while this share does
BG_PERCENTILE = 90.0
ON_MARGIN = 0.1
OFF_MARGIN = 0.0
MIN_ON_FRAMES = 4  # 32 ms above ON_SCORE: a click or a knock is not speech
HANGOVER_S = 0.3  # quiet this long ends the utterance (a pause inside "coach ... repeat" is shorter)


class Utterances:
    """Speech-band power spectra in (one per 8 ms frame), finished speech spans out (stream times in seconds).

    A frequency bin counts as speech when it is `BIN_RATIO` times its reference: the `REF_PERCENTILE` of that
    bin's power over the last `REF_S` seconds when nobody spoke (the history stands still during an utterance,
    unless one goes on for longer than `FREEZE_MAX_S`: then the room itself changed). For a steady noise that
    reference is 1.6 times its mean, so a bin must be 6 dB over the noise. Behind a television, someone
    counting or music the background's own loud moments still reach it, so the user's command and the
    background run together into one long utterance, which is never a command (tools/voice_benchmark.py)."""

    def __init__(self, frame_s: float = HOP / RATE_HZ) -> None:
        self.frame_s = frame_s
        self._frame = 0
        self._above = 0
        self._start: int | None = None
        self._last_loud = 0
        self.in_speech = False
        self._history: np.ndarray | None = None
        self._filled = 0
        self._ref: np.ndarray | None = None
        self._scores = np.zeros(REF_FRAMES)
        self._bg = 0.0  # what share of bins the room's own sound makes "speech" (its BG_PERCENTILE)

    def push(self, band_power: np.ndarray) -> list[Span]:
        spans = []
        for power in band_power:
            i = self._frame
            self._frame += 1
            s = self._score(power, i)
            if not self.in_speech:
                warm = self._filled * REF_EVERY * self.frame_s >= WARM_UP_S
                self._above = self._above + 1 if s >= max(ON_SCORE, self._bg + ON_MARGIN) and warm else 0
                if self._above >= MIN_ON_FRAMES:
                    self.in_speech, self._start, self._last_loud = True, i - MIN_ON_FRAMES + 1, i
                continue
            if s >= max(OFF_SCORE, self._bg + OFF_MARGIN):
                self._last_loud = i
            elif (i - self._last_loud) * self.frame_s >= HANGOVER_S:
                spans.append(Span(self._start * self.frame_s, (self._last_loud + 1) * self.frame_s))
                self.in_speech, self._above = False, 0
        return spans

    def _score(self, power: np.ndarray, i: int) -> float:
        if self._history is None:
            self._history = np.zeros((REF_FRAMES, len(power)))
        frozen = self.in_speech and (i - self._start) * self.frame_s < FREEZE_MAX_S
        if i % REF_EVERY == 0 and not frozen:
            self._history[self._filled % REF_FRAMES] = power
            self._filled += 1
        if self._ref is None or (i % REF_UPDATE_EVERY == 0 and not frozen):
            n = min(self._filled, REF_FRAMES)
            k = int(REF_PERCENTILE / 100 * (n - 1))
            self._ref = np.maximum(np.partition(self._history[:n], k, axis=0)[k], 1e-2) if n else power + 1e-2
        score = float((power > BIN_RATIO * self._ref).mean())
        if i % REF_EVERY == 0 and not frozen:
            self._scores[(self._filled - 1) % REF_FRAMES] = score
            if i % REF_UPDATE_EVERY == 0:
                n = min(self._filled, REF_FRAMES)
                self._bg = float(np.percentile(self._scores[:n], BG_PERCENTILE))
        return score

    @property
    def current_start_s(self) -> float:
        """Start of the utterance in progress (meaningful while `in_speech`)."""
        return (self._start or 0) * self.frame_s

    def flush(self) -> list[Span]:
        if not self.in_speech:
            return []
        self.in_speech = False
        return [Span(self._start * self.frame_s, (self._last_loud + 1) * self.frame_s)]
