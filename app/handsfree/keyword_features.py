"""Log-mel features for the keyword network (app.handsfree.keyword_model). No Qt.

The same function makes the features the network was trained on (tools/train_keyword_model.py) and the ones it
hears live, so the two cannot drift apart. 16 kHz mono; 25 ms Hann frames every 10 ms; 40 mel bands from 60 Hz
to 7.6 kHz; natural log of the band power.

`MelFrames` turns a stream into frames as it arrives (a microphone's 0.1 s chunks), keeping the 15 ms of samples
that the next frame shares with this chunk, so streamed frames equal those of the whole recording at once.
"""

from __future__ import annotations

import numpy as np

RATE_HZ = 16000
FRAME = 400  # 25 ms
HOP = 160  # 10 ms
FFT = 512
BANDS = 40
LOW_HZ, HIGH_HZ = 60.0, 7600.0
# Power floor: about -96 dBFS in a band for int16 full scale input, under any microphone's own hiss, so digital
# silence does not reach log(0) and a quiet room and a silent file look alike.
FLOOR = 1e-2


def _mel(hz: np.ndarray) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + hz / 700.0)


def _filterbank() -> np.ndarray:
    """Triangular filters (BANDS, FFT // 2 + 1), each summing to 1, spaced evenly on the mel scale."""
    edges_mel = np.linspace(_mel(np.array(LOW_HZ)), _mel(np.array(HIGH_HZ)), BANDS + 2)
    edges_hz = 700.0 * (10 ** (edges_mel / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(FFT, 1.0 / RATE_HZ)
    bank = np.zeros((BANDS, len(bins)))
    for b in range(BANDS):
        lo, mid, hi = edges_hz[b:b + 3]
        rising = (bins - lo) / (mid - lo)
        falling = (hi - bins) / (hi - mid)
        bank[b] = np.clip(np.minimum(rising, falling), 0.0, None)
        bank[b] /= max(bank[b].sum(), 1e-12)
    return bank


FILTERBANK = _filterbank()
WINDOW = np.hanning(FRAME)


def log_mel(x: np.ndarray) -> np.ndarray:
    """(frames, BANDS) for a whole signal (int16 scale floats); one frame per full 25 ms frame every 10 ms."""
    x = np.asarray(x, dtype=np.float64)
    count = 0 if len(x) < FRAME else 1 + (len(x) - FRAME) // HOP
    if count == 0:
        return np.zeros((0, BANDS), dtype=np.float32)
    index = np.arange(FRAME)[None, :] + HOP * np.arange(count)[:, None]
    spectrum = np.fft.rfft(x[index] * WINDOW, FFT)
    power = (spectrum.real ** 2 + spectrum.imag ** 2) / FRAME
    return np.log(power @ FILTERBANK.T + FLOOR).astype(np.float32)


class MelFrames:
    """Streaming log_mel: push samples in any chunk size, get the frames they complete."""

    def __init__(self) -> None:
        self._tail = np.zeros(0)

    def push(self, x: np.ndarray) -> np.ndarray:
        buf = np.concatenate([self._tail, np.asarray(x, dtype=np.float64)])
        frames = log_mel(buf)
        self._tail = buf[len(frames) * HOP:]
        return frames
