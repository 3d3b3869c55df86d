"""When a hands-free set starts: the user is seen settled in the starting position (on the right side), then a
spoken and visible "3, 2, 1, go". Pure: the GUI feeds it the tracker's status and detected side with the time.

The tracker already knows both things: it reports `Status.TRACKING` once the person has held the starting
posture still for its settle time, and its auto-side tracker votes for the working leg (the top leg when lying,
the stance leg on the step). A set with a named side waits until that leg is the one seen, which is how "turn
over" is noticed without a key press. Losing the position during the countdown starts the wait again, so a person
who gets up to fetch something is not counted in.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.engine.events import Status

BEAT_S = 1.0  # one number a second: the pace of a spoken countdown
COUNTDOWN = (3, 2, 1)
IN_POSITION = (Status.SETTLING, Status.TRACKING)  # the posture fits the exercise
LOST_S = 1.0  # out of position this long during the countdown calls it off (a dropped frame or two does not)


@dataclass
class StartGate:
    want_side: str | None = None  # "left" | "right": the working leg this set needs; None: any
    beat_s: float = BEAT_S
    state: str = "waiting"  # "waiting" → "countdown" → "go"
    _countdown_from_s: float = 0.0
    _said: int = 0  # how many countdown beats were announced
    _lost_since_s: float | None = None
    seen_side: str | None = None

    def update(self, now_s: float, status: Status | None, side: str | None) -> list[str]:
        """The announcements due at `now_s`: "3", "2", "1", "go" (each once), or "wait" when the countdown was
        called off because the user left the position."""
        self.seen_side = side or self.seen_side
        if self.state == "go":
            return []
        if self.state == "waiting":
            if status is Status.TRACKING and self.side_ok(side):
                self.state = "countdown"
                self._countdown_from_s = now_s
                self._said = 0
            else:
                return []
        if status not in IN_POSITION:
            self._lost_since_s = now_s if self._lost_since_s is None else self._lost_since_s
            if now_s - self._lost_since_s >= LOST_S:
                self.state, self._lost_since_s = "waiting", None
                return ["wait"]
            return []  # no next beat while the person is not seen in position
        else:
            self._lost_since_s = None
        out = []
        due = min(len(COUNTDOWN) + 1, int((now_s - self._countdown_from_s) / self.beat_s) + 1)
        while self._said < due:
            out.append(str(COUNTDOWN[self._said]) if self._said < len(COUNTDOWN) else "go")
            self._said += 1
        if out and out[-1] == "go":
            self.state = "go"
        return out

    def side_ok(self, side: str | None) -> bool:
        return self.want_side is None or side == self.want_side

    @property
    def started(self) -> bool:
        """True once the countdown began (the set's own tracker is then learning the starting posture)."""
        return self.state != "waiting"
