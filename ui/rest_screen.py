"""Between sets: a big countdown, what comes next (and "turn over" before the other side)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from app.session.plan import SetResult, SetStep
from ui.exercise_texts import SIDE_NAMES, exercise_text
from ui.summary_screen import fault_name
from ui.widgets import KeyHints, action_button, big_label


class RestScreen(QWidget):
    skip_requested = Signal()
    redo_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setStyleSheet("RestScreen { background: #e8f3f5; }")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(40, 30, 40, 10)
        self.done_label = big_label("", 30, color="#2e9d5b")
        self.title = big_label("Rest", 48)
        self.countdown = big_label("1:00", 200)
        self.paused_label = big_label("", 28, color="#b3261e")
        self.next_label = big_label("", 32, color="#1f7a8c")
        self.tip_label = big_label("", 24, bold=False, color="#44515c")
        for w in (self.done_label, self.title, self.countdown, self.paused_label, self.next_label, self.tip_label):
            lay.addWidget(w)
        lay.addStretch(1)
        buttons = QHBoxLayout()
        redo = action_button("Redo that set (R)")
        skip = action_button("Start now (N)")
        for b in (redo, skip):
            buttons.addWidget(b)
        redo.clicked.connect(self.redo_requested)
        skip.clicked.connect(self.skip_requested)
        lay.addLayout(buttons)
        lay.addWidget(KeyHints((("Space", "pause the timer"), ("N or →", "start now"), ("R", "redo set"),
                                ("Esc", "end session"))))

    def show_rest(self, finished: SetResult, nxt: SetStep | None, side_change: bool) -> None:
        note = f" ({finished.note})" if finished.note else ""
        self.done_label.setText(f"Set done: {finished.reps} of {finished.step.target_reps} reps{note}")
        counts: dict[str, int] = {}
        for _, code in finished.faults:
            counts[code] = counts.get(code, 0) + 1
        if counts:
            top = max(counts, key=counts.get)
            self.tip_label.setText(f"Next set, watch for: {fault_name(top)}")
        else:
            self.tip_label.setText("Good form in that set." if finished.reps else "")
        if nxt is None:
            self.next_label.setText("")
            return
        side = SIDE_NAMES.get(nxt.side, nxt.side).lower()
        if side_change:
            self.next_label.setText(f"Turn over — next: {exercise_text(nxt.exercise).title}, {side}")
        else:
            self.next_label.setText(f"Next: set {nxt.set_number} of {nxt.sets_per_side}, {side}")

    def set_remaining(self, seconds: float, paused: bool) -> None:
        s = int(seconds + 0.999)
        self.countdown.setText(f"{s // 60}:{s % 60:02d}")
        self.paused_label.setText("Paused — press Space to continue" if paused else "")
