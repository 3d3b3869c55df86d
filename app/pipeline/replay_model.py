"""What a replay shows at each frame of an analysed set: pure (no OpenCV, no Qt), time and frames passed in.

Built from the analysis itself — the tracker's snapshot of every analysed frame plus its events — so the counter,
range meter, skeleton, working leg, active faults and angles at frame i are what the live screen was given for
that frame, not a second computation that could disagree. The replay screen (ui.replay_screen), the annotated
export (app.pipeline.annotate) and the tests all read the same `FrameState`.

A few things the live screen derives on the GUI side are derived here the same way:
- the range meter's orange tick is the best fraction since the current rep began rising (reset at "rising");
- the fault caption is the newest form warning for CAPTION_HOLD_S after the frame that reported it (the live
  cue's reading time).
A warning carries the time its fault began, and the tracker reports it a little later, once the fault has
persisted; the live screen showed it when reported. So each mark has two frames: `frame`, where the fault began
(where a click on the timeline jumps: to watch it happen), and `shown_frame`, from which the live screen listed
it (the fault list and the caption follow that one).
Timeline marks: every form warning; every fault a rep was marked with but that had no warning inside it; and
per rep each fault it could not be judged on ("not judged" is neither a fault nor good form); the last two are
listed from the frame the rep was counted.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.engine.events import FormWarning, RepCompleted, TrackerSnapshot
from app.reports.export import fault_label, judged_part

CAPTION_HOLD_S = 2.5  # as long as the live screen keeps a cue up (ui.cue_policy.HOLD_S)


@dataclass(frozen=True)
class Mark:
    """A point on the timeline: a fault, or a fault that could not be judged on a rep."""

    t_s: float
    frame: int  # where it began
    kind: str  # "fault" | "not_judged"
    code: str
    text: str
    rep: int | None  # the rep it belongs to (1-based), or None between reps
    shown_frame: int  # from which frame the live screen listed it


@dataclass(frozen=True)
class RepSpan:
    rep: RepCompleted
    first_frame: int
    last_frame: int
    counted_frame: int  # the first frame whose counter shows this rep


@dataclass(frozen=True)
class FrameState:
    index: int  # video frame
    t_s: float
    reps: int  # the counter
    rom_fraction: float
    peak_fraction: float
    phase: str
    status: str
    side: str | None
    active_faults: tuple[str, ...]
    xy_px: np.ndarray | None
    visibility: np.ndarray | None
    metrics: dict[str, float]
    caption: str  # the fault cue on screen, "" if none
    caption_code: str
    rep: int | None  # the rep whose span holds this frame


def keep_snapshot(snapshot: TrackerSnapshot) -> TrackerSnapshot:
    """A snapshot safe to keep: own compact copies of the landmark arrays (the tracker may reuse its buffers)."""
    xy = None if snapshot.xy_px is None else np.array(snapshot.xy_px, dtype=np.float32)
    vis = None if snapshot.visibility is None else np.array(snapshot.visibility, dtype=np.float32)
    return TrackerSnapshot(t_s=snapshot.t_s, status=snapshot.status, side=snapshot.side, reps=snapshot.reps,
                           signal_deg=snapshot.signal_deg, target_deg=snapshot.target_deg, phase=snapshot.phase,
                           active_faults=snapshot.active_faults, xy_px=xy, visibility=vis,
                           metrics=dict(snapshot.metrics))


class ReplayModel:
    """Per-frame state of one analysed set. `frames[k]` is the video frame index of `snapshots[k]` (increasing);
    a video frame that was not analysed shows the state of the last analysed one before it."""

    def __init__(self, snapshots: Sequence[TrackerSnapshot], frames: Sequence[int], reps: Sequence[RepCompleted],
                 warnings: Sequence[FormWarning], *, exercise: str, video: str = "", fps: float = 30.0,
                 frame_count: int | None = None, warning_frames: Sequence[int] | None = None) -> None:
        """`warning_frames[j]`: the frame whose step reported `warnings[j]` (default: the frame of its t_s)."""
        if len(snapshots) != len(frames):
            raise ValueError("one frame index per snapshot")
        if not snapshots:
            raise ValueError("nothing was analysed: no frames")
        self.snapshots = list(snapshots)
        self.frames = list(frames)
        self.times = [s.t_s for s in self.snapshots]
        self.reps = list(reps)
        if warning_frames is not None and len(warning_frames) != len(warnings):
            raise ValueError("one reporting frame per warning")
        shown = list(warning_frames) if warning_frames is not None else [None] * len(warnings)
        # In reporting order (the order the live screen received them).
        pairs = sorted(zip(warnings, shown), key=lambda p: (p[1] if p[1] is not None else -1, p[0].t_s))
        self.warnings = [w for w, _ in pairs]
        self.exercise = exercise
        self.video = video
        self.fps = fps
        self.frame_count = max(frame_count or 0, self.frames[-1] + 1)
        self.warning_frames = [f if f is not None else self.frame_at(w.t_s) for w, f in pairs]
        self._peaks = self._peak_fractions()
        self._caption_of = self._captions()
        self.spans = [self._span(r) for r in self.reps]
        self.marks = self._marks()

    # ---- lookups --------------------------------------------------------------------------------------------
    def _k(self, frame: int) -> int:
        """The snapshot shown at video frame `frame`."""
        return max(0, bisect.bisect_right(self.frames, frame) - 1)

    def frame_at(self, t_s: float) -> int:
        """The video frame on screen at time `t_s` (the last analysed frame at or before it)."""
        k = max(0, bisect.bisect_right(self.times, t_s + 1e-9) - 1)
        return self.frames[k]

    def time_of(self, frame: int) -> float:
        return self.times[self._k(frame)]

    @property
    def duration_s(self) -> float:
        return self.times[-1] + 1.0 / self.fps

    def state(self, frame: int) -> FrameState:
        frame = min(max(0, frame), self.frame_count - 1)
        k = self._k(frame)
        s = self.snapshots[k]
        caption = self._caption_of[k]
        return FrameState(index=frame, t_s=s.t_s, reps=s.reps, rom_fraction=s.rom_fraction,
                          peak_fraction=self._peaks[k], phase=s.phase, status=s.status.value, side=s.side,
                          active_faults=s.active_faults, xy_px=s.xy_px, visibility=s.visibility, metrics=s.metrics,
                          caption=caption.message if caption else "", caption_code=caption.code if caption else "",
                          rep=self.rep_at(s.t_s))

    def rep_at(self, t_s: float) -> int | None:
        for r in self.reps:
            if r.t_start_s <= t_s <= r.t_end_s:
                return r.index
        return None

    def span_of(self, index: int) -> RepSpan:
        return next(sp for sp in self.spans if sp.rep.index == index)

    # ---- best and worst -------------------------------------------------------------------------------------
    def best_rep(self) -> RepCompleted | None:
        """Fewest faults, then the largest range."""
        return min(self.reps, key=lambda r: (len(r.faults), -r.peak_deg, r.index), default=None)

    def worst_rep(self) -> RepCompleted | None:
        """Most faults, then the smallest range."""
        return max(self.reps, key=lambda r: (len(r.faults), -r.peak_deg, -r.index), default=None)

    def next_mark(self, frame: int, step: int = 1) -> Mark | None:
        """The first mark after `frame` (step=1) or before it (step=-1)."""
        marks = self.marks if step > 0 else reversed(self.marks)
        return next((m for m in marks if (m.frame - frame) * step > 0), None)

    # ---- building -------------------------------------------------------------------------------------------
    def _peak_fractions(self) -> list[float]:
        peaks, peak, phase = [], 0.0, "rest"
        for s in self.snapshots:
            if s.phase != phase and s.phase == "rising":
                peak = 0.0
            phase = s.phase
            if s.phase != "rest":
                peak = max(peak, s.rom_fraction)
            peaks.append(peak)
        return peaks

    def _captions(self) -> list[FormWarning | None]:
        out: list[FormWarning | None] = []
        j, current, since = 0, None, 0.0
        for frame, t in zip(self.frames, self.times):
            while j < len(self.warnings) and self.warning_frames[j] <= frame:
                current, since = self.warnings[j], self.times[self._k(self.warning_frames[j])]
                j += 1
            out.append(current if current is not None and t < since + CAPTION_HOLD_S else None)
        return out

    def shown_marks(self, frame: int) -> list[Mark]:
        """The marks the live screen had listed by `frame`, in the order they came."""
        return sorted((m for m in self.marks if m.shown_frame <= frame), key=lambda m: (m.shown_frame, m.t_s))

    def _span(self, rep: RepCompleted) -> RepSpan:
        counted = next((self.frames[k] for k, s in enumerate(self.snapshots) if s.reps >= rep.index),
                       self.frames[-1])
        return RepSpan(rep, self.frame_at(rep.t_start_s), self.frame_at(rep.t_end_s), counted)

    def _marks(self) -> list[Mark]:
        marks = [Mark(w.t_s, self.frame_at(w.t_s), "fault", w.code, w.message, self.rep_at(w.t_s), shown)
                 for w, shown in zip(self.warnings, self.warning_frames)]
        for r, span in zip(self.reps, self.spans):
            warned = {w.code for w in self.warnings if r.t_start_s <= w.t_s <= r.t_end_s}
            t_mid = r.t_peak_s if math.isfinite(r.t_peak_s) else r.t_start_s
            for code in r.faults:
                if code not in warned:
                    marks.append(Mark(t_mid, self.frame_at(t_mid), "fault", code, fault_label(code), r.index,
                                      span.counted_frame))
            for code, reason in r.unjudged:
                text = f"{judged_part(code).capitalize()} not judged" + (f": {reason}" if reason else "")
                marks.append(Mark(r.t_start_s, self.frame_at(r.t_start_s), "not_judged", code, text, r.index,
                                  span.counted_frame))
        return sorted(marks, key=lambda m: (m.t_s, m.kind, m.code))
