"""The guided session as a pure model: what to do next, and what has been done.

No Qt, no clock: every method that depends on time takes `now_s` (any monotonic clock the caller chooses), so a
whole session can be replayed in a unit test. The GUI only renders `SessionRun.phase` / `current` and forwards
button presses here.

Order within one exercise is side-major (all sets on the left, then all on the right): for lying exercises that
means turning over once instead of after every set. Between two live sets there is always a rest; the rest
before a side change tells the user to turn over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from app.engine.events import Exercise

if TYPE_CHECKING:
    from app.session.programme import ProgrammeStamp

SIDES_BOTH: tuple[str, ...] = ("left", "right")
VALID_SIDES = ("left", "right", "auto")

MAX_SETS = 10
MAX_REPS_PER_SET = 50
MAX_REST_S = 600.0


@dataclass(frozen=True)
class ExerciseBlock:
    """One exercise in a session: `sets` sets of `reps_per_set` on each side in `sides`."""

    exercise: Exercise
    sets: int = 3
    reps_per_set: int = 10
    sides: tuple[str, ...] = SIDES_BOTH  # "auto" lets the tracker pick the working leg (one series of sets)
    # From a therapist's programme (app.session.programme): this exercise's own rest (None: the plan's), fault
    # code → limit pairs that replace the engine's defaults for its sets, the therapist's note, and for a timed
    # hold its target in seconds (then reps_per_set is 1: one hold per set).
    rest_s: float | None = None
    limits: tuple[tuple[str, float], ...] = ()
    note: str = ""
    hold_s: float | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.sets <= MAX_SETS:
            raise ValueError(f"sets must be 1..{MAX_SETS}, got {self.sets}")
        if not 1 <= self.reps_per_set <= MAX_REPS_PER_SET:
            raise ValueError(f"reps_per_set must be 1..{MAX_REPS_PER_SET}, got {self.reps_per_set}")
        if not self.sides or any(s not in VALID_SIDES for s in self.sides):
            raise ValueError(f"sides must be a non-empty subset of {VALID_SIDES}, got {self.sides}")


@dataclass(frozen=True)
class SessionPlan:
    blocks: tuple[ExerciseBlock, ...]
    rest_s: float = 60.0
    name: str = "Gluteus medius"
    programme: ProgrammeStamp | None = None  # the therapist's programme this session follows, for the log

    def __post_init__(self) -> None:
        if not self.blocks:
            raise ValueError("a session needs at least one exercise")
        if not 0.0 <= self.rest_s <= MAX_REST_S:
            raise ValueError(f"rest_s must be 0..{MAX_REST_S:g}, got {self.rest_s}")

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "rest_s": self.rest_s,
            "blocks": [
                {"exercise": b.exercise.value, "sets": b.sets, "reps_per_set": b.reps_per_set, "sides": list(b.sides)}
                for b in self.blocks
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> SessionPlan:
        """Raises ValueError/KeyError/TypeError on anything malformed; callers fall back to the default."""
        blocks = tuple(
            ExerciseBlock(
                exercise=Exercise(b["exercise"]),
                sets=int(b["sets"]),
                reps_per_set=int(b["reps_per_set"]),
                sides=tuple(str(s) for s in b["sides"]),
            )
            for b in data["blocks"]
        )
        return cls(blocks=blocks, rest_s=float(data.get("rest_s", 60.0)), name=str(data.get("name", "Custom")))


def default_plan(rest_s: float = 60.0) -> SessionPlan:
    """The default gluteus medius session: the doses the source articles suggest."""
    return SessionPlan(
        blocks=(
            ExerciseBlock(Exercise.SIDE_LYING_ABDUCTION, sets=3, reps_per_set=10),
            ExerciseBlock(Exercise.CLAMSHELL, sets=2, reps_per_set=15),
            ExerciseBlock(Exercise.STEP_DOWN, sets=3, reps_per_set=10),
        ),
        rest_s=rest_s,
    )


@dataclass(frozen=True)
class SetStep:
    """One live set in the flattened session."""

    block_index: int
    exercise: Exercise
    set_number: int  # 1-based within this side
    sets_per_side: int
    side: str
    target_reps: int


class Phase(str, Enum):
    INSTRUCTION = "instruction"  # read the card and place the camera; the user starts the set
    LIVE = "live"
    REST = "rest"
    SUMMARY = "summary"


@dataclass
class SetResult:
    step: SetStep
    reps: int = 0
    faults: list[tuple[float, str]] = field(default_factory=list)  # (t_s of the set clock, fault code)
    started_s: float | None = None
    ended_s: float | None = None
    outcome: str = "pending"  # "done" | "partial" | "skipped" | "pending"
    note: str = ""  # e.g. "camera lost", "video ended"
    # Fault code → reason, for faults some rep of this set could not be judged on (first reason met). Said once
    # per set, so the first rep that brings a code is the one that is told.
    unjudged: dict[str, str] = field(default_factory=dict)


def flatten(plan: SessionPlan) -> list[SetStep]:
    steps: list[SetStep] = []
    for bi, block in enumerate(plan.blocks):
        # A timed hold's set is one hold, however many "reps" a plan row was left at: the set ends when it does.
        target = 1 if block.exercise.spec.kind == "hold" else block.reps_per_set
        for side in block.sides:
            for n in range(1, block.sets + 1):
                steps.append(SetStep(bi, block.exercise, n, block.sets, side, target))
    return steps


class SessionRun:
    """State machine: INSTRUCTION → LIVE → REST → LIVE … → (next exercise) INSTRUCTION … → SUMMARY.

    Pausing freezes the rest timer and tells the caller to ignore reps; it does not change the phase.
    """

    def __init__(self, plan: SessionPlan) -> None:
        self.plan = plan
        self.steps = flatten(plan)
        self.results = [SetResult(step) for step in self.steps]
        self.index = 0
        self.phase = Phase.INSTRUCTION
        self.paused = False
        self.ended_early = False
        self._rest_until_s: float | None = None
        self._paused_at_s: float | None = None

    # -- what to show ------------------------------------------------------------------------------------------
    @property
    def current(self) -> SetStep | None:
        return self.steps[self.index] if self.index < len(self.steps) else None

    @property
    def current_result(self) -> SetResult | None:
        return self.results[self.index] if self.index < len(self.results) else None

    @property
    def next_step(self) -> SetStep | None:
        return self.steps[self.index + 1] if self.index + 1 < len(self.steps) else None

    def rest_left_s(self, now_s: float) -> float:
        if self.phase is not Phase.REST or self._rest_until_s is None:
            return 0.0
        at = self._paused_at_s if self.paused and self._paused_at_s is not None else now_s
        return max(0.0, self._rest_until_s - at)

    def side_changes_next(self) -> bool:
        cur, nxt = self.current, self.next_step
        return cur is not None and nxt is not None and nxt.block_index == cur.block_index and nxt.side != cur.side

    # -- transitions ---------------------------------------------------------------------------------------------
    def start_set(self, now_s: float) -> None:
        """From the instruction card (or early from a rest) into the live set."""
        if self.phase in (Phase.INSTRUCTION, Phase.REST) and self.current is not None:
            self.phase = Phase.LIVE
            self.paused = False
            self._paused_at_s = None
            self._rest_until_s = None
            result = self.current_result
            result.started_s = now_s if result.started_s is None else result.started_s

    def record_rep(self, before_pause: bool = False) -> bool:
        """Count one rep in the live set; returns True when the set's target is reached (the caller then calls
        `finish_set`). Reps while paused or outside a live set are not counted, except `before_pause`: the rep
        was completed in a frame captured before the pause was pressed (it was still in flight)."""
        if self.phase is not Phase.LIVE or (self.paused and not before_pause):
            return False
        result = self.current_result
        result.reps += 1
        return result.reps >= result.step.target_reps

    def record_unjudged(self, unjudged: tuple[tuple[str, str], ...],
                        before_pause: bool = False) -> list[tuple[str, str]]:
        """Note a counted rep's not-judged faults (code, reason); returns those new to this set, which the caller
        tells the user once. Same rules as `record_rep` for what counts."""
        if self.phase is not Phase.LIVE or (self.paused and not before_pause):
            return []
        seen, new = self.current_result.unjudged, []
        for code, reason in unjudged:
            if code not in seen:
                seen[code] = reason
                new.append((code, reason))
        return new

    def record_fault(self, t_s: float, code: str, before_pause: bool = False) -> None:
        if self.phase is Phase.LIVE and (not self.paused or before_pause):
            self.current_result.faults.append((t_s, code))

    def finish_set(self, now_s: float, note: str = "") -> None:
        """End the live set (target reached, user pressed Next, source ended) and move on."""
        if self.phase is not Phase.LIVE:
            return
        result = self.current_result
        result.ended_s = now_s
        result.outcome = "done" if result.reps >= result.step.target_reps else ("partial" if result.reps else "skipped")
        result.note = note or result.note
        self._advance(now_s)

    def skip(self, now_s: float) -> None:
        """N / →: leave the instruction card, the live set or the rest for what comes next."""
        self.paused = False
        self._paused_at_s = None
        if self.phase is Phase.INSTRUCTION:
            self.start_set(now_s)
        elif self.phase is Phase.LIVE:
            self.finish_set(now_s)
        elif self.phase is Phase.REST:
            self._enter_next(now_s)

    def redo(self, now_s: float) -> None:
        """R: start the current set again from zero (during a rest `current` is still the set just finished,
        so R there redoes that set)."""
        self.paused = False
        self._paused_at_s = None
        if self.phase in (Phase.LIVE, Phase.REST) and self.current is not None:
            self.results[self.index] = SetResult(self.current)
            self.phase = Phase.LIVE
            self._rest_until_s = None
            self.current_result.started_s = now_s

    def pause(self, now_s: float) -> None:
        if self.phase in (Phase.LIVE, Phase.REST) and not self.paused:
            self.paused = True
            self._paused_at_s = now_s

    def resume(self, now_s: float) -> None:
        if self.paused:
            if self._rest_until_s is not None and self._paused_at_s is not None:
                self._rest_until_s += now_s - self._paused_at_s  # the rest timer froze during the pause
            self.paused = False
            self._paused_at_s = None

    def toggle_pause(self, now_s: float) -> None:
        (self.resume if self.paused else self.pause)(now_s)

    def end_early(self, now_s: float) -> None:
        """Esc: keep what was done, mark the rest as skipped, show the summary."""
        if self.phase is Phase.SUMMARY:
            return
        if self.phase is Phase.LIVE:
            result = self.current_result
            result.ended_s = now_s
            result.outcome = "partial" if result.reps else "skipped"
        for r in self.results:
            if r.outcome == "pending":
                r.outcome = "skipped"
        self.ended_early = True
        self.paused = False
        self._paused_at_s = None
        self.phase = Phase.SUMMARY

    def tick(self, now_s: float) -> bool:
        """Advance a finished rest; returns True when the phase changed."""
        if self.phase is Phase.REST and not self.paused and self.rest_left_s(now_s) <= 0.0:
            self._enter_next(now_s)
            return True
        return False

    # -- internals -----------------------------------------------------------------------------------------------
    def _advance(self, now_s: float) -> None:
        # A new phase starts unpaused: a pause belongs to the set or rest it was pressed in.
        self.paused = False
        self._paused_at_s = None
        nxt = self.next_step
        if nxt is None:
            self.index += 1
            self.phase = Phase.SUMMARY
            return
        if nxt.block_index != self.current.block_index:
            # A new exercise starts with its instruction card; the user rests while reading it.
            self.index += 1
            self.phase = Phase.INSTRUCTION
            return
        self.phase = Phase.REST
        block_rest = self.plan.blocks[self.current.block_index].rest_s
        self._rest_until_s = now_s + (self.plan.rest_s if block_rest is None else block_rest)
        # The rest belongs to the set just done; `index` moves when the rest ends.

    def _enter_next(self, now_s: float) -> None:
        self.index += 1
        self._rest_until_s = None
        if self.current is None:
            self.phase = Phase.SUMMARY
        else:
            self.phase = Phase.INSTRUCTION
            self.start_set(now_s)


# Lifecycle events: the GUI routes these, and the tracker's events, through one method so that a session log
# (app.storage's recorder) can listen to a single stream.
@dataclass(frozen=True)
class SessionStarted:
    plan: SessionPlan
    source: str  # e.g. "camera:0", "file:clip.mp4"


@dataclass(frozen=True)
class SetStarted:
    step: SetStep
    source: str


@dataclass(frozen=True)
class SetEnded:
    result: SetResult  # reps, faults, outcome ("done" | "partial" | "skipped"), note ("video ended", "redone")


@dataclass(frozen=True)
class SessionEnded:
    ended_early: bool


def summary_rows(run: SessionRun) -> list[dict]:
    """One row per set for the summary screen and the session log."""
    rows = []
    for r in run.results:
        counts: dict[str, int] = {}
        for _, code in r.faults:
            counts[code] = counts.get(code, 0) + 1
        rows.append(
            {
                "exercise": r.step.exercise.value,
                "side": r.step.side,
                "set": r.step.set_number,
                "target": r.step.target_reps,
                "reps": r.reps,
                "outcome": r.outcome,
                "faults": counts,
                "unjudged": dict(r.unjudged),  # code → reason, what could not be judged in this set
                "note": r.note,
            }
        )
    return rows


__all__ = [
    "ExerciseBlock",
    "SessionPlan",
    "SetStep",
    "SetResult",
    "Phase",
    "SessionRun",
    "default_plan",
    "flatten",
    "summary_rows",
    "SessionStarted",
    "SetStarted",
    "SetEnded",
    "SessionEnded",
]
