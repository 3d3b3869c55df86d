"""Plain records the log stores and returns. Reps and warnings are the engine's own event types."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from app.engine.events import FormWarning, RepCompleted
from app.session.programme import ProgrammeStamp


@dataclass
class SetRecord:
    exercise: str  # an Exercise value
    side: str  # "left" | "right" (the working leg) or "" when unknown
    started_utc_s: float
    target_reps: int | None = None
    achieved_reps: int | None = None
    ended_utc_s: float | None = None
    source: str = ""  # "camera:0", "file:clip.mp4"
    reps: list[RepCompleted] = field(default_factory=list)
    warnings: list[FormWarning] = field(default_factory=list)
    id: int | None = None

    def not_judged(self) -> list[tuple[str, str, int]]:
        """Per fault code this set's reps could not be judged on: (code, reason, reps), in the order first met.

        One line per set is what the user reads; the reason given is the one most of those reps had."""
        reasons: dict[str, Counter[str]] = {}
        reps: Counter[str] = Counter()
        for rep in self.reps:
            for code, reason in rep.unjudged:
                reasons.setdefault(code, Counter())[reason] += 1
            reps.update({code for code, _ in rep.unjudged})
        return [(code, c.most_common(1)[0][0], reps[code]) for code, c in reasons.items()]


@dataclass
class SessionRecord:
    started_utc_s: float
    plan_name: str = ""
    notes: str = ""
    source: str = ""
    ended_utc_s: float | None = None
    local_day: str = ""  # YYYY-MM-DD in the user's time zone; derived from started_utc_s when empty
    sets: list[SetRecord] = field(default_factory=list)
    uid: str = ""
    id: int | None = None
    programme: ProgrammeStamp | None = None  # the therapist's programme the session followed, if any

    @property
    def exercises(self) -> list[str]:
        """Exercises in the order first done."""
        return list(dict.fromkeys(s.exercise for s in self.sets))


@dataclass(frozen=True)
class SessionSummary:
    """One line of the history list, from per-set aggregates (no rep rows read)."""

    id: int
    started_utc_s: float
    ended_utc_s: float | None
    local_day: str
    plan_name: str
    exercises: tuple[str, ...]
    sets: int
    reps: int
    faulty_reps: int
    programme: str = ""  # title of the therapist's programme the session followed, "" for none


@dataclass(frozen=True)
class SeriesPoint:
    """Per day, exercise and side: what the history charts draw."""

    day: str
    exercise: str
    side: str
    sets: int
    reps: int
    mean_peak_deg: float | None
    max_peak_deg: float | None
    faulty_reps: int
    fault_count: int

    @property
    def faults_per_rep(self) -> float:
        return self.fault_count / self.reps if self.reps else 0.0


@dataclass(frozen=True)
class Totals:
    sessions: int
    sets: int
    reps: int
    active_days: int
    first_day: str | None
    last_day: str | None
    current_streak_days: int
    longest_streak_days: int
