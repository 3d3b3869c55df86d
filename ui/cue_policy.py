"""Which form cue to show, and when (pure Python, no Qt; the GUI asks it on a timer with the time).

Users of rep counters say constant correction demoralises: show one message at a time, keep it up long enough
to read, and do not repeat the same cue straight away.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HOLD_S = 2.5  # a short sentence takes about this long to read from across a room
COOLDOWN_S = 6.0  # the same cue is not shown again within this time after it disappeared


@dataclass
class CuePolicy:
    hold_s: float = HOLD_S
    cooldown_s: float = COOLDOWN_S
    _shown: tuple[str, str] | None = None  # (code, text)
    _shown_until_s: float = 0.0
    _queue: list[tuple[str, str]] = field(default_factory=list)
    _last_end_s: dict[str, float] = field(default_factory=dict)

    def offer(self, code: str, text: str, now_s: float) -> bool:
        """A new cue; returns True if it will be shown (now or after the current one), False if suppressed."""
        if self._shown and self._shown[0] == code:
            return False
        if now_s - self._last_end_s.get(code, -1e9) < self.cooldown_s:
            return False
        if any(c == code for c, _ in self._queue):
            return False
        self._queue.append((code, text))
        self.update(now_s)
        return True

    def update(self, now_s: float) -> tuple[str, str] | None:
        """The cue to show at `now_s` (code, text), or None."""
        if self._shown and now_s >= self._shown_until_s:
            self._last_end_s[self._shown[0]] = now_s
            self._shown = None
        if self._shown is None and self._queue:
            # Only the newest cue matters; older queued ones are stale by now.
            self._shown = self._queue.pop()
            self._queue.clear()
            self._shown_until_s = now_s + self.hold_s
        return self._shown

    def clear(self) -> None:
        self._shown = None
        self._queue.clear()


STALE_S = 2.0  # a phrase that could not start within this time is dropped: a late count misleads more than none


MAX_WAITING = 3  # "10", "set done", "rest": a short sequence is said in order


@dataclass
class SpeechQueue:
    """Which phrase to play next (pure; the sound player asks it with the time and whether it is busy).

    One phrase at a time, in the order offered, at most MAX_WAITING waiting. A count replaces a count still
    waiting ("4" is pointless once "5" is due), the same phrase is not queued twice, and a phrase that waited
    longer than `stale_s` is not said at all."""

    stale_s: float = STALE_S
    _waiting: list[tuple[str, float]] = field(default_factory=list)  # (key, offered at), oldest first

    @property
    def waiting(self) -> str | None:
        return self._waiting[-1][0] if self._waiting else None

    def offer(self, key: str, now_s: float) -> None:
        counts = key.startswith("count_")
        self._waiting = [(k, t) for k, t in self._waiting if k != key and not (counts and k.startswith("count_"))]
        self._waiting.append((key, now_s))
        del self._waiting[:-MAX_WAITING]

    def next(self, now_s: float, busy: bool) -> str | None:
        """The phrase to start now, or None (still busy, nothing waiting, or all that waited went stale)."""
        if busy:
            return None
        while self._waiting:
            key, offered_s = self._waiting.pop(0)
            if now_s - offered_s <= self.stale_s:
                return key
        return None

    def clear(self) -> None:
        self._waiting.clear()
