"""Room noise for the voice tests: pink noise, and a mix at a given SNR over the speech's loud part."""

from __future__ import annotations

import numpy as np


def speech_rms(x: np.ndarray) -> float:
    loud = np.abs(x) > 0.01 * np.abs(x).max()
    return float(np.sqrt(np.mean(x[loud] ** 2)))


def pink(n: int, rng) -> np.ndarray:
    spec = np.fft.rfft(rng.normal(size=n))
    spec[1:] /= np.sqrt(np.arange(1, len(spec)))
    x = np.fft.irfft(spec, n)
    return x / np.sqrt(np.mean(x ** 2))


def with_noise(audio: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    x = audio.astype(float)
    return np.clip(x + noise * speech_rms(x) / 10 ** (snr_db / 20), -32768, 32767).astype("<i2")
