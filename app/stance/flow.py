"""The guided single-leg stance test, step by step: what to tell the person, and when the test is done. Pure.

Steps: stand on both feet for the baseline → stand on the left leg (lift the right foot) and hold up to 30 s →
the same on the right → done. The engine (app.stance.bouts) finds the bouts by itself; this only follows them:
a bout on the leg asked for (or on the other one, if the person lifted the other foot) that was held long
enough fills that side; one that came down too soon is said so and the person tries again, up to
`MAX_TRIES` times per side, after which the side keeps its best try (reported, not judged as too short).
A free foot touching down is the end of the hold, reported with the result, never an error.

`cue` is the key of a spoken phrase for the GUI to say on entering a step (only on the update where the step
changes). The test's own phrases are `STANCE_PHRASES` (rendered with the others from app.handsfree.spoken_phrases into
assets/sounds); `cue_fallback` names a shipped phrase that fits ("Go", "Set done"), or None to stay silent, for
an installation whose sound files are missing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from app.stance.bouts import StanceState
from app.stance.verdict import BoutResult, StanceParams

BASELINE_TARGET_S = 2.5  # two-leg standing gathered before asking for the first lift
MAX_TRIES = 3
SIDES = ("left", "right")
OTHER = {"left": "right", "right": "left"}
SPOKEN_AT_S = (10, 20)  # hold seconds announced (the clinical hold is 30 s)
STANCE_PHRASES = {
    "stance_stand_still": "Stand facing the camera, feet together, and keep still",
    "stance_on_left": "Stand on your left leg. Lift your right foot and hold",
    "stance_on_right": "Stand on your right leg. Lift your left foot and hold",
    "stance_try_again": "Foot down. Lift it again and hold still",
    "stance_done": "Test complete",
}


@dataclass(frozen=True)
class FlowView:
    step: str  # "baseline" | "lift" | "holding" | "done"
    prompt: str
    detail: str = ""
    progress: float = 0.0  # 0..1 of the current step (baseline gathered, or hold time of max_hold_s)
    stance_leg: str | None = None
    cue: str | None = None
    cue_fallback: str | None = None


@dataclass
class StanceFlow:
    params: StanceParams = field(default_factory=StanceParams)
    chosen: dict[str, BoutResult] = field(default_factory=dict)  # the bout that stands for each side
    tries: dict[str, int] = field(default_factory=lambda: {s: 0 for s in SIDES})
    step: str = "baseline"
    note: str = ""  # what happened to the last hold, shown with the next prompt
    _spoken_s: int = 0
    _longest: dict[str, BoutResult] = field(default_factory=dict)  # each side's longest try so far

    @property
    def asked(self) -> str | None:
        """The stance leg asked for next."""
        return next((s for s in SIDES if s not in self.chosen), None)

    @property
    def done(self) -> bool:
        return self.step == "done"

    def update(self, state: StanceState) -> FlowView:
        """Follow one frame of the engine."""
        if self.done:
            return self._view()
        before = self.step
        if self.step == "baseline" and state.phase in ("ready", "holding") and state.baseline_s >= BASELINE_TARGET_S:
            self.step = "lift"
        if self.step in ("lift", "baseline") and state.phase == "holding" and state.stance_leg is not None:
            self.step = "holding"
            self._spoken_s = 0
        if self.step == "holding" and state.phase != "holding":
            self.step = "lift"  # the bout's result arrives as its own event (bout_finished)
        view = self._view(state)
        cue = fallback = None
        if before == "baseline" and self.step == "lift":
            # (the end of a hold is announced by bout_finished, with its own cue)
            cue, fallback = f"stance_on_{self.asked}", "go"
        elif self.step == "holding":
            due = [s for s in SPOKEN_AT_S if state.hold_s >= s > self._spoken_s]
            if due:
                self._spoken_s = due[-1]
                cue = fallback = f"count_{due[-1]}"
        return FlowView(view.step, view.prompt, view.detail, view.progress, view.stance_leg, cue, fallback)

    def bout_finished(self, bout: BoutResult) -> FlowView:
        """A hold ended (the engine's lossless event). Returns the view to show next."""
        if self.done:
            return self._view()
        leg = bout.stance_leg
        if leg in self.chosen and self.asked is not None and self.asked != leg:
            return self._view()  # that side is done already: keep asking for the other
        long_enough = bout.duration_s >= self.params.min_hold_s
        self.tries[leg] += 1
        best = self._longest.get(leg)
        if best is None or bout.duration_s > best.duration_s:
            self._longest[leg] = best = bout
        if long_enough or self.tries[leg] >= MAX_TRIES:
            self.chosen[leg] = bout if long_enough else best
            self.note = (f"{_cap(leg)} leg: held {bout.duration_s:.0f} s ({bout.ended_by})."
                         if long_enough else f"{_cap(leg)} leg: {MAX_TRIES} short holds; the longest is kept.")
        else:
            self.note = (f"Your {OTHER[leg]} foot came down after {bout.duration_s:.1f} s: lift it again and hold "
                         f"still (at least {self.params.min_hold_s:.0f} s).")
        self.step = "done" if self.asked is None else "lift"
        view = self._view()
        if self.done:
            cue, fallback = "stance_done", "session_done"
        elif leg in self.chosen:
            cue, fallback = f"stance_on_{self.asked}", "set_done"
        else:
            cue, fallback = "stance_try_again", None
        return FlowView(view.step, view.prompt, view.detail, view.progress, view.stance_leg, cue, fallback)

    def finish(self) -> None:
        """The person stopped the test early: what was held so far is the result."""
        self.step = "done"

    def _view(self, state: StanceState | None = None) -> FlowView:
        if self.step == "done":
            return FlowView("done", "Test complete", self.note, 1.0)
        if self.step == "baseline":
            gathered = state.baseline_s if state is not None else 0.0
            prompt = ("Step into view: face the camera, whole body in the picture" if state is not None
                      and state.phase == "no_person" else "Stand facing the camera, feet together, and keep still")
            return FlowView("baseline", prompt, "Measuring how your hips and shoulders sit on both feet",
                            min(1.0, gathered / BASELINE_TARGET_S))
        leg = self.asked
        if self.step == "holding" and state is not None:
            held = state.hold_s
            drop = state.obliquity_deg
            now = "" if not math.isfinite(drop) else f"Hip line now {drop:+.0f}° from standing"
            return FlowView("holding", f"Hold on your {state.stance_leg} leg… {held:.0f} s",
                            now, min(1.0, held / self.params.max_hold_s), state.stance_leg)
        return FlowView("lift", f"Stand on your {leg.upper()} leg: lift your {OTHER[leg]} foot and hold, up to "
                                f"{self.params.max_hold_s:.0f} s", self.note, 0.0, leg)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
