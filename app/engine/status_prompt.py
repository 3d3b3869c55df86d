"""The status the user is shown, steadied: a prompt that changes several times a second is noise. Pure.

The tracker's own status follows every frame (it decides what is counted); what is announced — the prompt on
the screen, the spoken cue, the `status_changes` of `medius analyze` — changes only when a new status has held
for HOLD_S and at most once per MIN_INTERVAL_S. A status that comes and goes within that time is never shown.
"""

from __future__ import annotations

from app.engine.events import Status

HOLD_S = 0.4
MIN_INTERVAL_S = 1.0


class StatusPrompt:
    def __init__(self) -> None:
        self.shown: Status | None = None
        self.message = ""
        self._t_shown_s = -1e9
        self._pending: tuple[Status, str, float] | None = None  # status, message, since when

    def update(self, status: Status, message: str, t_s: float) -> tuple[Status, str] | None:
        """The status to announce now, or None to keep the one shown."""
        if self.shown is None:  # the first frame always says where things stand
            return self._show(status, message, t_s)
        if status == self.shown:
            self._pending = None
            self.message = message or self.message
            return None
        if self._pending is None or self._pending[0] != status:
            self._pending = (status, message, t_s)
        since = self._pending[2]
        if t_s - since >= HOLD_S and t_s - self._t_shown_s >= MIN_INTERVAL_S:
            return self._show(status, message, t_s)
        return None

    def _show(self, status: Status, message: str, t_s: float) -> tuple[Status, str]:
        self.shown, self.message, self._t_shown_s, self._pending = status, message, t_s, None
        return status, message
