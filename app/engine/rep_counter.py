"""Counting repetitions from one scalar signal with two thresholds and minimum phase times.

The signal is in degrees above the user's own resting level (the tracker subtracts the baseline). A rep is
rest → rising past `enter_deg` → back below `exit_deg` (< enter_deg). Two thresholds stop jitter near one line
from double counting; minimum times stop a single noisy spike from counting at all.

Both lines also move with the movement itself, because the resting level drifts during a set (the knees stop
closing fully as a clamshell set tires, by more than the gap between the lines) and a slow camera sees too few
frames of the lowest point: a rep also ends once the signal falls below `exit_fraction` of its own peak, and the
next one starts only after the signal has risen again by the lines' gap from the lowest point since. A hold at the top is one
rep however long it lasts, because nothing happens until the signal comes back down. The rep is reported when
it ends, so the count never runs ahead of the user and never has to be taken back.

Where the counting signal is not itself an angle (a clamshell counts the knee gap), the anatomical angle may be
given too, as a witness of the return: a rep also ends once that angle has fallen back near its resting value
while the counting signal is at least halfway down. From some cameras the knee gap stays wide between reps
(MediaPipe places the knees apart in depth) while the thighs close plainly: on a clamshell rotated 45° the gap
stayed 18-30° above rest, over the lines, while the angle between the thighs was back at 0-9°, and two reps merged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


PEAK_TOLERANCE_DEG = 2.0
# At rest: within this share of the exit line above the lowest value since the last rep (or below that share).
REST_BAND_FRACTION = 0.5
PEAK_TOLERANCE_FRACTION = 0.1
# The angle witness: it must have swung this far in the rep to speak (a small-range patient's thighs barely turn
# in the picture, and its noise must not end reps), and the counting signal must be below this share of its peak.
WITNESS_MIN_SWING_DEG = 15.0
WITNESS_SIGNAL_SHARE = 0.5


@dataclass(frozen=True)
class CounterParams:
    enter_deg: float  # signal above this starts a rep
    exit_deg: float  # signal back below this ends it
    min_up_s: float = 0.25  # time above enter_deg needed for the rep to count
    min_rep_s: float = 0.6  # shortest plausible rep, start to end
    max_gap_s: float = 1.0  # a rep survives missing samples this long, then it is abandoned
    exit_fraction: float = 0.25  # a rep also ends below this share of its peak


@dataclass(frozen=True)
class RepCycle:
    t_start_s: float  # last time the signal left the rest band before the rep
    t_peak_s: float
    t_end_s: float
    peak_deg: float
    held_s: float = 0.0  # time the signal spent above enter_deg: how long a hold was held


class RepCounter:
    REST, UP = "rest", "up"

    def __init__(self, params: CounterParams) -> None:
        if not params.exit_deg < params.enter_deg:
            raise ValueError("exit_deg must be below enter_deg")
        self.p = params
        self.count = 0
        self.phase = self.REST
        self._t_left_rest_s: float | None = None  # when the signal last left the rest band
        self._t_at_rest_s: float | None = None  # the last moment the signal was in the rest band
        self._t_entered_s = 0.0
        self._t_above_s = 0.0
        self._t_prev_s = 0.0
        self._peak = (-math.inf, 0.0)
        self._up_trace: list[tuple[float, float]] = []
        self._t_last_seen_s: float | None = None
        self._rest_low = math.inf  # lowest signal since the last rep ended
        self._angle_rest = math.inf  # lowest witness angle at rest before the rep in progress
        self._angle_peak = -math.inf  # highest witness angle in the rep in progress

    @property
    def peak_deg(self) -> float:
        """Highest signal of the rep in progress (meaningful only while phase is UP)."""
        return self._peak[0]

    def reset(self) -> None:
        """Drop any rep in progress (e.g. the person left); the count is kept."""
        self.phase = self.REST
        self._t_left_rest_s = None
        self._t_at_rest_s = None
        self._t_last_seen_s = None
        self._rest_low = math.inf
        self._angle_rest = math.inf

    def step(self, value_deg: float | None, t_s: float, angle_deg: float = math.nan) -> RepCycle | None:
        """One sample of the counting signal (degrees above rest) and, optionally, of the anatomical angle."""
        if value_deg is None or not math.isfinite(value_deg):
            if self._t_last_seen_s is not None and t_s - self._t_last_seen_s > self.p.max_gap_s:
                self.reset()
            return None
        self._t_last_seen_s = t_s
        if self.phase == self.REST:
            self._rest_low = min(self._rest_low, value_deg)
            if math.isfinite(angle_deg):
                self._angle_rest = min(self._angle_rest, angle_deg)
            # The rep starts when the movement leaves rest, not when it crosses the exit line: a smaller swing
            # (a camera that foreshortens the knee) crosses the lines later and leaves them sooner, and timed
            # from the lines a real 1 s step-down looked shorter than `min_rep_s`.
            band = REST_BAND_FRACTION * self.p.exit_deg
            if value_deg < band or value_deg <= self._rest_low + band:
                self._t_left_rest_s = None
                self._t_at_rest_s = t_s
            elif self._t_left_rest_s is None:
                self._t_left_rest_s = self._t_at_rest_s if self._t_at_rest_s is not None else t_s
            if value_deg >= max(self.p.enter_deg, self._rest_low + self.p.enter_deg - self.p.exit_deg):
                self.phase = self.UP
                self._t_entered_s = t_s
                self._t_above_s = 0.0
                self._peak = (value_deg, t_s)
                self._up_trace = [(t_s, value_deg)]
                self._angle_peak = angle_deg if math.isfinite(angle_deg) else -math.inf
                if self._t_left_rest_s is None:
                    self._t_left_rest_s = t_s
                self._t_prev_s = t_s
            return None
        # UP: track the peak and how long the signal really stayed above the entry line.
        if value_deg >= self.p.enter_deg:
            self._t_above_s += t_s - self._t_prev_s
        self._t_prev_s = t_s
        if value_deg > self._peak[0]:
            self._peak = (value_deg, t_s)
        self._up_trace.append((t_s, value_deg))
        if math.isfinite(angle_deg):
            self._angle_peak = max(self._angle_peak, angle_deg)
        if value_deg >= max(self.p.exit_deg, self.p.exit_fraction * self._peak[0]) \
                and not self._witness_says_down(value_deg, angle_deg):
            return None
        t_start = self._t_left_rest_s if self._t_left_rest_s is not None else self._t_entered_s
        self.phase = self.REST
        self._t_left_rest_s = None
        self._rest_low = value_deg
        self._angle_rest = angle_deg if math.isfinite(angle_deg) else math.inf
        if self._t_above_s < self.p.min_up_s or t_s - t_start < self.p.min_rep_s:
            return None  # a spike, not a rep
        self.count += 1
        return RepCycle(t_start_s=t_start, t_peak_s=self._time_top_reached(), t_end_s=t_s, peak_deg=self._peak[0],
                        held_s=self._t_above_s)

    def _witness_says_down(self, value_deg: float, angle_deg: float) -> bool:
        swing = self._angle_peak - self._angle_rest
        if not (math.isfinite(angle_deg) and math.isfinite(swing) and swing >= WITNESS_MIN_SWING_DEG):
            return False
        return (angle_deg - self._angle_rest <= self.p.exit_fraction * swing
                and value_deg < WITNESS_SIGNAL_SHARE * self._peak[0])

    @property
    def held_s(self) -> float:
        """Time above enter_deg in the rep in progress (0 at rest): the running clock of a hold."""
        return self._t_above_s if self.phase == self.UP else 0.0

    def cut(self, t_s: float) -> RepCycle | None:
        """A camera cut at `t_s`: a rep in progress ends there, judged on what was seen before the cut (what
        follows belongs to another view, and its first frames are often garbage). Returns it if it counts."""
        if self.phase != self.UP:
            self.reset()
            return None
        trace = [(t, v) for t, v in self._up_trace if t <= t_s]
        t_start = self._t_left_rest_s if self._t_left_rest_s is not None else self._t_entered_s
        self.reset()
        if not trace:
            return None
        self._up_trace = trace
        self._peak = max(trace, key=lambda tv: tv[1])[::-1]
        above = sum(b[0] - a[0] for a, b in zip(trace, trace[1:]) if a[1] >= self.p.enter_deg)
        if above < self.p.min_up_s or t_s - t_start < self.p.min_rep_s:
            return None
        self.count += 1
        return RepCycle(t_start_s=t_start, t_peak_s=self._time_top_reached(), t_end_s=t_s, peak_deg=self._peak[0],
                        held_s=above)

    def _time_top_reached(self) -> float:
        """When the top was first reached: during a hold the maximum may come seconds later by drift, but the
        rep's peak is the moment the lift arrived there."""
        near = self._peak[0] - max(PEAK_TOLERANCE_DEG, PEAK_TOLERANCE_FRACTION * self._peak[0])
        return next(t for t, v in self._up_trace if v >= near)
