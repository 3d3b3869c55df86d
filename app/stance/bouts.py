"""The single-leg stance (Trendelenburg) test: poses in, standing baseline and judged stance bouts out. Pure.

What it does, in the order a person does the test:
1. **Baseline**: two-leg standing, both ankles still and level for `baseline_min_s`. The baseline fixes the
   picture axes (app.stance.geometry) and where each foot stands; it keeps refining while the person stands,
   until the first foot is lifted.
2. **Bouts**: a foot that leaves where it stood (by `lift_leg` leg lengths, while the other stays put) starts
   a stance bout on the other leg. The picture height of a lifted foot says little (a foot held forward looks
   *lower* to a camera at hip height), its distance from where it stood says it plainly. The bout ends when the
   free foot comes back (or comes to rest level with the stance foot somewhere else): the touch-down is
   reported as how the bout ended, not as a failure. It also ends when the pose is lost, at `max_hold_s` (the
   clinical 30 s hold) or at the end of the recording.
3. **Per bout** (app.stance.verdict): pelvic obliquity against the baseline (mean, worst 1 s, onset past the
   tolerance), dropped or hiked, trunk lean towards the stance leg, duration, sway, and a verdict.

Where the feet move between bouts (a touch-down a little wider) their resting places follow, so the next lift
is measured from where the foot really stood.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from app.engine.pose import PoseSample
from app.stance.geometry import OTHER_LEG, StanceAxes, StanceFrame, axes_from, stance_frame
from app.stance.verdict import BoutResult, StanceParams, judge_bout

STANCE_TEST = "single-leg-stance"  # the name the CLI, the log and the GUI use (not a rep exercise)
STEADY_WINDOW_S = 0.4  # standing still: each ankle within `steady_leg` of its mean over this long
STEADY_LEG = 0.025  # leg lengths
LEVEL_LEG = 0.05  # ankles level with each other (standing on both feet), leg lengths
BASELINE_KEEP_S = 3.0  # the most recent standing this long makes the baseline
LIFT_LEG = 0.08  # a foot this far from where it stood is lifted...
PLANTED_RATIO = 2.0  # ...while the other moved less than half as much
LIFT_CONFIRM_S = 0.2  # lifted this long starts a bout (dated from the first lifted frame)
TOUCH_LEG = 0.045  # the free foot back within this of where it stood: touched down
TOUCH_CONFIRM_S = 0.15
REST_STILL_LEG_PER_S = 0.25  # a free foot slower than this, level with the stance foot, is resting on the floor
REST_CONFIRM_S = 0.4
LOST_S = 1.0  # no usable pose this long ends a bout
ANCHOR_FOLLOW = 0.1  # per frame, how quickly a standing foot's resting place follows it


@dataclass(frozen=True)
class StanceState:
    """What a live screen shows after one frame."""

    t_s: float
    phase: str  # "no_person" | "baseline" | "ready" | "holding"
    stance_leg: str | None = None
    hold_s: float = 0.0
    baseline_s: float = 0.0  # standing time gathered so far for the baseline
    obliquity_deg: float = math.nan  # this frame's free-hip drop (holding only)
    finished: BoutResult | None = None  # a bout that ended on this frame


@dataclass
class StanceResult:
    baseline: StanceAxes | None
    baseline_span_s: tuple[float, float] | None
    bouts: list[BoutResult] = field(default_factory=list)
    params: StanceParams = field(default_factory=StanceParams)

    @property
    def not_judged_reason(self) -> str | None:
        if self.baseline_span_s is None:
            return "no two-leg standing baseline: stand still on both feet, facing the camera, before lifting a foot"
        if not self.bouts:
            return "no foot was lifted"
        return None

    def side_summary(self) -> dict[str, BoutResult | None]:
        """Per stance leg, the bout that stands for it: the longest judged one, else the longest."""
        out: dict[str, BoutResult | None] = {}
        for leg in ("left", "right"):
            mine = [b for b in self.bouts if b.stance_leg == leg]
            judged = [b for b in mine if b.verdict != "not judged"]
            pool = judged or mine
            out[leg] = max(pool, key=lambda b: b.duration_s) if pool else None
        return out

    def left_right_difference_deg(self) -> float | None:
        """Worst-1-s drop standing on the left minus standing on the right (both judged), else None."""
        s = self.side_summary()
        left, right = s["left"], s["right"]
        if (left is None or right is None or left.verdict == "not judged" or right.verdict == "not judged"
                or left.max_pelvic_drop_deg is None or right.max_pelvic_drop_deg is None):
            return None
        return left.max_pelvic_drop_deg - right.max_pelvic_drop_deg


class StanceAnalyzer:
    """Feed `step(sample, t_s)` frame by frame (sample None: nobody seen); `finish(t_s)` closes the test."""

    def __init__(self, params: StanceParams | None = None) -> None:
        self.params = params or StanceParams()
        self._standing: deque[StanceFrame] = deque()  # recent still two-leg frames (baseline candidates)
        self._recent: deque[StanceFrame] = deque()  # the last STEADY_WINDOW_S of frames with ankles seen
        self.axes: StanceAxes | None = None
        self._baseline_level = 0.0  # left minus right ankle height while standing (leg lengths)
        self._baseline_frozen = False
        self._baseline_span: tuple[float, float] | None = None
        self._anchor: dict[str, np.ndarray] | None = None
        self._lift_since: tuple[str, float] | None = None  # (lifted foot, first lifted time)
        self._bout: list[StanceFrame] = []
        self._bout_stance: str | None = None
        self._bout_start_s = 0.0
        self._touch_since: float | None = None
        self._rest_since: float | None = None
        self._last_seen_s: float | None = None
        self._held_full: str | None = None  # the free foot of a hold that reached max_hold_s, until it is put down
        self.bouts: list[BoutResult] = []

    # -- public ----------------------------------------------------------------------------------------------
    def step(self, sample: PoseSample | None, t_s: float) -> StanceState:
        f = stance_frame(sample) if sample is not None else None
        usable = f is not None and f.hips_seen and f.ankles_seen
        if self._bout_stance is not None:  # the feet say whether the hold goes on, even with the hips hidden
            return self._step_holding(f if f is not None and f.ankles_seen else None, t_s, raw=f)
        if not usable:
            return StanceState(t_s, "no_person" if f is None else "baseline", baseline_s=self._standing_s())
        self._last_seen_s = t_s
        self._remember(f)
        if self._still_and_level(f):
            if not self._baseline_frozen:
                self._add_standing(f)
            if self._anchor is not None and self._lift_since is None:
                self._follow_anchor(f)
        if self.axes is None:
            return StanceState(t_s, "baseline", baseline_s=self._standing_s())
        lifted = self._lifted_foot(f)
        if lifted is not None and lifted == self._held_full:
            lifted = None  # still up after the full hold: the next bout starts after it has been put down
        elif lifted is None:
            self._held_full = None
        if lifted is None:
            self._lift_since = None
            return StanceState(t_s, "ready", baseline_s=self._standing_s())
        if self._lift_since is None or self._lift_since[0] != lifted:
            self._lift_since = (lifted, t_s)
        if t_s - self._lift_since[1] >= LIFT_CONFIRM_S:
            self._start_bout(OTHER_LEG[lifted], self._lift_since[1])
            return self._step_holding(f, t_s, raw=f)
        return StanceState(t_s, "ready", baseline_s=self._standing_s())

    def finish(self, t_s: float, ended_by: str = "the recording ended") -> StanceResult:
        """Close the test; a hold still going on ends here, `ended_by` says why."""
        if self._bout_stance is not None:
            self._end_bout(t_s, ended_by)
        return StanceResult(self.axes, self._baseline_span, list(self.bouts), self.params)

    @property
    def holding(self) -> str | None:
        return self._bout_stance

    @property
    def baseline_span_s(self) -> tuple[float, float] | None:
        return self._baseline_span

    # -- baseline --------------------------------------------------------------------------------------------
    def _remember(self, f: StanceFrame) -> None:
        self._recent.append(f)
        while self._recent and f.t_s - self._recent[0].t_s > STEADY_WINDOW_S:
            self._recent.popleft()

    def _leg_px(self, f: StanceFrame) -> float:
        if self.axes is not None:
            return self.axes.leg_px
        hips = (f.l_hip + f.r_hip) / 2.0
        return float(np.linalg.norm((f.ankles["left"] + f.ankles["right"]) / 2.0 - hips))

    def _still_and_level(self, f: StanceFrame) -> bool:
        leg = self._leg_px(f)
        if not leg > 1.0 or len(self._recent) < 3 or f.t_s - self._recent[0].t_s < 0.5 * STEADY_WINDOW_S:
            return False
        for side in ("left", "right"):
            points = np.array([r.ankles[side] for r in self._recent])
            if float(np.max(np.linalg.norm(points - points.mean(axis=0), axis=1))) > STEADY_LEG * leg:
                return False
        if self.axes is not None:  # level as they were at the baseline (the camera may look down a little)
            height = self.axes.ankle_height(f, "left") - self.axes.ankle_height(f, "right")
            return abs(height - self._baseline_level) <= LEVEL_LEG
        down = ((f.ankles["left"] + f.ankles["right"]) / 2.0 - (f.l_hip + f.r_hip) / 2.0) / leg
        return abs(float((f.ankles["left"] - f.ankles["right"]) @ down)) / leg <= LEVEL_LEG

    def _add_standing(self, f: StanceFrame) -> None:
        self._standing.append(f)
        while self._standing and f.t_s - self._standing[0].t_s > BASELINE_KEEP_S:
            self._standing.popleft()
        if self._standing_s() >= self.params.baseline_min_s:
            frames = list(self._standing)
            self.axes = axes_from(frames)
            self._baseline_level = float(np.median(
                [self.axes.ankle_height(s, "left") - self.axes.ankle_height(s, "right") for s in frames]))
            self._baseline_span = (frames[0].t_s, frames[-1].t_s)
            if self._anchor is None:
                self._anchor = {side: np.median([s.ankles[side] for s in frames], axis=0)
                                for side in ("left", "right")}

    def _standing_s(self) -> float:
        """Time the standing frames cover: their span plus one frame step (at any frame rate, N frames of
        1/fps each cover N/fps)."""
        n = len(self._standing)
        if n < 2:
            return 0.0
        span = self._standing[-1].t_s - self._standing[0].t_s
        return span + span / (n - 1)

    def _follow_anchor(self, f: StanceFrame) -> None:
        for side in ("left", "right"):
            self._anchor[side] = (1 - ANCHOR_FOLLOW) * self._anchor[side] + ANCHOR_FOLLOW * f.ankles[side]

    def _lifted_foot(self, f: StanceFrame) -> str | None:
        off = {side: self.axes.foot_offset(f, self._anchor, side) for side in ("left", "right")}
        for side in ("left", "right"):
            if off[side] >= LIFT_LEG and off[side] >= PLANTED_RATIO * off[OTHER_LEG[side]]:
                return side
        return None

    # -- bouts -----------------------------------------------------------------------------------------------
    def _start_bout(self, stance: str, t_start_s: float) -> None:
        self._baseline_frozen = True
        self._bout_stance = stance
        self._bout_start_s = t_start_s
        self._bout = [r for r in self._recent if r.t_s >= t_start_s]
        self._touch_since = self._rest_since = None
        self._lift_since = None

    def _step_holding(self, f: StanceFrame | None, t_s: float, raw: StanceFrame | None) -> StanceState:
        stance = self._bout_stance
        if f is None:
            if raw is not None:  # feet hidden: kept, so the verdict can say how much was hidden
                self._bout.append(raw)
            if self._last_seen_s is not None and t_s - self._last_seen_s >= LOST_S:
                return self._ended(t_s, self._end_bout(self._last_seen_s, "the pose was lost"))
            return StanceState(t_s, "holding", stance, t_s - self._bout_start_s)
        self._last_seen_s = t_s
        if not self._recent or self._recent[-1] is not f:
            self._remember(f)
        if not self._bout or self._bout[-1] is not f:
            self._bout.append(f)
        if t_s - self._bout_start_s >= self.params.max_hold_s:
            self._held_full = OTHER_LEG[stance]
            return self._ended(t_s, self._end_bout(t_s, f"held the full {self.params.max_hold_s:.0f} s"))
        touched = self._touched_down(f, stance)
        if touched is not None:
            return self._ended(t_s, self._end_bout(touched, "the free foot touched down"))
        return StanceState(t_s, "holding", stance, t_s - self._bout_start_s,
                           obliquity_deg=self.axes.obliquity_deg(f, stance) if f.hips_seen else math.nan)

    def _touched_down(self, f: StanceFrame, stance: str) -> float | None:
        free = OTHER_LEG[stance]
        if self.axes.foot_offset(f, self._anchor, free) <= TOUCH_LEG:
            self._touch_since = self._touch_since if self._touch_since is not None else f.t_s
            if f.t_s - self._touch_since >= TOUCH_CONFIRM_S:
                return self._touch_since
        else:
            self._touch_since = None
        # Put down somewhere else: still, and level with the stance foot as at the baseline.
        level = self.axes.ankle_height(f, free) - self.axes.ankle_height(f, stance)
        if free == "right":
            level = -level
        baseline_level = self._baseline_level if free == "left" else -self._baseline_level
        still = self._foot_speed(free) <= REST_STILL_LEG_PER_S
        if still and abs(level - baseline_level) <= LEVEL_LEG:
            self._rest_since = self._rest_since if self._rest_since is not None else f.t_s
            if f.t_s - self._rest_since >= REST_CONFIRM_S:
                return self._rest_since
        else:
            self._rest_since = None
        return None

    def _foot_speed(self, side: str) -> float:
        if len(self._recent) < 2:
            return math.inf
        a, b = self._recent[0], self._recent[-1]
        dt = b.t_s - a.t_s
        return float(np.linalg.norm(b.ankles[side] - a.ankles[side])) / self.axes.leg_px / dt if dt > 0 else math.inf

    def _end_bout(self, t_end_s: float, ended_by: str) -> BoutResult:
        frames = [f for f in self._bout if f.t_s <= t_end_s]
        result = judge_bout(frames, self._bout_stance, self._bout_start_s, t_end_s, ended_by, self.axes,
                            self.params)
        self.bouts.append(result)
        # The free foot now stands where it came down.
        if frames and ended_by == "the free foot touched down":
            free = OTHER_LEG[self._bout_stance]
            self._anchor[free] = frames[-1].ankles[free].copy()
        self._bout_stance = None
        self._bout = []
        self._recent.clear()
        return result

    def _ended(self, t_s: float, result: BoutResult) -> StanceState:
        return StanceState(t_s, "ready", baseline_s=self._standing_s(), finished=result)


def analyze_samples(samples: list[tuple[float, PoseSample | None]], params: StanceParams | None = None
                    ) -> StanceResult:
    """The whole test over a recorded landmark trace of (time, pose or None)."""
    analyzer = StanceAnalyzer(params)
    last_t = 0.0
    for t_s, sample in samples:
        analyzer.step(sample, t_s)
        last_t = t_s
    return analyzer.finish(last_t)
