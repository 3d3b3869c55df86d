"""The rep signal above the user's own resting value. Pure: time is an argument.

An exercise gives one signal per frame, or several keyed ones: side-lying abduction gives each leg's angle
("left@trunk", "right@trunk"), because in a rotated picture only motion tells which leg works. Each key has its
own resting value (baseline), learnt while the user settles in the starting position and then following slow
drift at rest. The counted value is the largest rise above its own baseline; the key that rises names the
working leg. A key first seen mid-set (the shoulders leave the picture in a close-up, and the other leg stands
in for the body axis) starts from its first value and comes down to its true rest within BASELINE_DOWN_TAU_S.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

BASELINE_TAU_S = 4.0  # how quickly the resting level follows slow upward drift
BASELINE_DOWN_TAU_S = 0.5  # and how quickly it comes down: rest is the lowest steady level, so a baseline
# learnt while the leg was not quite down (e.g. right after a camera cut) must not hide the next reps


@dataclass
class Baseline:
    """The user's own starting value of a measure (a number, or a small vector), learnt while settling."""

    value: float | np.ndarray = math.nan
    samples: list = field(default_factory=list)

    @property
    def known(self) -> bool:
        return bool(np.all(np.isfinite(self.value)))

    def learn(self, x: float | np.ndarray) -> None:
        if np.all(np.isfinite(x)):
            self.samples.append(x)

    def fix(self) -> None:
        if self.samples:
            self.value = np.median(np.asarray(self.samples, dtype=float), axis=0)
            if np.ndim(self.value) == 0:
                self.value = float(self.value)
        self.samples.clear()

    def follow(self, x: float | np.ndarray, dt_s: float, tau_s: float) -> None:
        if np.all(np.isfinite(x)) and self.known and dt_s > 0:
            self.value = self.value + (x - self.value) * min(1.0, dt_s / tau_s)


def finite(values: dict[str, float]) -> dict[str, float]:
    return {k: v for k, v in values.items() if math.isfinite(v)}


class RepSignal:
    def __init__(self) -> None:
        self.bases: dict[str, Baseline] = {}
        self._settle: list[tuple[float, dict[str, float]]] = []  # the recent steady stretch while settling

    @property
    def known(self) -> bool:
        return any(b.known for b in self.bases.values())

    def start_settling(self) -> None:
        self._settle.clear()

    def settle(self, values: dict[str, float], t_s: float, settle_s: float, steady_deg: float) -> bool:
        """Learn the resting values; True once they have held within `steady_deg` for `settle_s`."""
        values = finite(values)
        if not values:
            return False
        self._settle.append((t_s, values))
        while self._settle and _spread(self._settle) > steady_deg:  # any movement restarts the clock
            self._settle.pop(0)
        if not self._settle or t_s - self._settle[0][0] < settle_s:
            return False
        for key in {k for _, vs in self._settle for k in vs}:
            self.bases[key] = Baseline(float(np.median([vs[key] for _, vs in self._settle if key in vs])))
        self._settle.clear()
        return True

    def value(self, values: dict[str, float], adopt_new: bool = True) -> tuple[float, str | None]:
        """The largest rise above its own baseline among the keys seen now, and its key. A key without a
        baseline adopts its current value (`adopt_new`) or is left out."""
        best, best_key = math.nan, None
        for key, v in finite(values).items():
            base = self.bases.get(key)
            if base is None or not base.known:
                if not adopt_new:
                    continue
                base = self.bases[key] = Baseline(v)
            rise = v - base.value
            if not rise <= best:  # also replaces NaN
                best, best_key = rise, key
        return best, best_key

    def rise(self, values: dict[str, float], key: str) -> float:
        """One key's rise above its own baseline (NaN when it is not seen now or has no baseline)."""
        base = self.bases.get(key)
        v = values.get(key, math.nan)
        return v - base.value if base is not None and base.known and math.isfinite(v) else math.nan

    def raw(self, key: str | None, rise: float) -> float:
        """The signal itself (not the rise) for a key: what a therapist reads as the angle."""
        base = self.bases.get(key) if key is not None else None
        return rise + base.value if base is not None and base.known else math.nan

    def follow_rest(self, values: dict[str, float], dt_s: float, exit_deg: float) -> None:
        """At rest, each key's baseline follows its signal (down quickly, up slowly)."""
        for key, v in finite(values).items():
            base = self.bases.get(key)
            if base is None or not base.known:
                continue
            rise = v - base.value
            if rise < exit_deg:
                base.follow(v, dt_s, BASELINE_DOWN_TAU_S if rise < 0 else BASELINE_TAU_S)


def _spread(stretch: list[tuple[float, dict[str, float]]]) -> float:
    keys = {k for _, vs in stretch for k in vs}
    spreads = [max(vals) - min(vals) for k in keys if (vals := [vs[k] for _, vs in stretch if k in vs])]
    return max(spreads) if spreads else 0.0
