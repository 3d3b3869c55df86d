"""Landmark smoothing for real-time use: the One Euro filter (Casiez, Roussel & Vogel, CHI 2012).

Why One Euro: MediaPipe's Tasks API does no temporal smoothing, so landmarks jitter by a few pixels. A fixed
low-pass either lags on fast moves or leaves jitter at rest; One Euro raises its cut-off with speed, so a still
body is steady and a moving leg is followed with little lag. It needs the true time of each sample, which we
have, and works on whole arrays at once (all 33 landmarks × 2 coordinates per call).
"""

from __future__ import annotations

import math

import numpy as np


_MIN_DT_S = 1e-4  # no camera delivers frames closer than this; nearer times are treated as repeats


def _alpha(cutoff_hz: np.ndarray | float, dt_s: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


class OneEuroFilter:
    """Element-wise One Euro filter over an array of any fixed shape.

    NaN inputs (a landmark missing in this frame) leave that element's state untouched and return its last
    smoothed value (NaN if it was never seen), so an occlusion gap does not poison the filter.
    """

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.0, d_cutoff_hz: float = 1.0) -> None:
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self.reset()

    def reset(self) -> None:
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t_s: float | None = None

    def __call__(self, x: np.ndarray, t_s: float) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self._x is None or self._t_s is None or self._x.shape != x.shape:
            self._x = x.copy()
            self._dx = np.zeros_like(x)
            self._t_s = t_s
            return self._x.copy()
        dt_s = t_s - self._t_s
        if not dt_s > _MIN_DT_S:  # out-of-order or repeated time: nothing new to learn
            return self._x.copy()
        self._t_s = t_s
        seen = np.isfinite(x)
        fresh = seen & ~np.isfinite(self._x)  # first sighting of an element: take it as is
        dx = np.where(seen, (x - self._x) / dt_s, 0.0)
        dx = np.where(np.isfinite(dx), dx, 0.0)
        dx_hat = self._dx + _alpha(self.d_cutoff_hz, dt_s) * (dx - self._dx)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        x_hat = self._x + _alpha(cutoff, dt_s) * (x - self._x)
        self._x = np.where(fresh, x, np.where(seen, x_hat, self._x))
        self._dx = np.where(seen & ~fresh, dx_hat, self._dx)
        return self._x.copy()
