"""Form faults as persistent threshold crossings.

Monocular frontal-plane angles are screening-grade (errors of several degrees), so a fault is only reported when
its measure stays past the limit for `persist_s` and is re-armed only after the measure falls back below
`limit - hysteresis`. One warning per episode, never one per frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class FaultRule:
    code: str  # a Fault value
    limit: float  # measure above this is faulty (same unit as the measure)
    persist_s: float = 0.3
    hysteresis: float = 2.0
    message: str = ""


@dataclass(frozen=True)
class FaultOnset:
    code: str
    t_s: float  # when the episode started (first frame past the limit)
    value: float  # worst value seen while it persisted
    message: str


class FaultMonitor:
    """Tracks one rule over time; `step` returns a FaultOnset once per confirmed episode."""

    def __init__(self, rule: FaultRule) -> None:
        self.rule = rule
        self.active = False  # confirmed and not yet cleared
        self._t_over_s: float | None = None
        self._worst = -math.inf

    def step(self, value: float | None, t_s: float) -> FaultOnset | None:
        if value is None or not math.isfinite(value):
            return None  # unknown is not evidence either way
        r = self.rule
        if value <= r.limit - r.hysteresis or (not self.active and value <= r.limit):
            self.active = False
            self._t_over_s = None
            self._worst = -math.inf
            return None
        if self.active:
            return None
        if value > r.limit:
            if self._t_over_s is None:
                self._t_over_s = t_s
            self._worst = max(self._worst, value)
            if t_s - self._t_over_s >= r.persist_s:
                self.active = True
                return FaultOnset(code=r.code, t_s=self._t_over_s, value=self._worst, message=r.message)
        return None

    def reset(self) -> None:
        self.active = False
        self._t_over_s = None
        self._worst = -math.inf
