"""End of the session: every set with reps against target and the faults seen."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal

from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from app.engine.events import Exercise
from app.engine.library import fault_label
from app.reports.export import judged_part
from app.session.plan import SessionRun, summary_rows
from ui.exercise_texts import SIDE_NAMES, title
from ui.widgets import action_button, big_label

def fault_name(code: str) -> str:
    """The short name of a fault in tables ("feet apart"), from the exercise library."""
    return fault_label(code)
def unjudged_note(unjudged: dict[str, str]) -> str:
    """{'pelvis_roll_back': 'hips overlap from this camera angle'} → 'not judged: pelvis (hips overlap from this
    camera angle)'; several faults are joined by commas."""
    if not unjudged:
        return ""
    parts = [judged_part(code) + (f" ({reason})" if reason else "") for code, reason in unjudged.items()]
    return "not judged: " + ", ".join(parts)


OUTCOME_NAMES = {"done": "✔ done", "partial": "partly", "skipped": "skipped", "pending": "—"}


class SummaryScreen(QWidget):
    new_session_requested = Signal()
    quit_requested = Signal()
    replay_requested = Signal()  # the session's last recorded set (ui.set_recording_hook shows the button)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(40, 24, 40, 16)
        self.title = big_label("Session complete", 44)
        self.totals = big_label("", 28, color="#1f7a8c")
        self.note = big_label("", 18, bold=False, color="#44515c")
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["Exercise", "Side", "Set", "Reps", "Result", "Form notes"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setStyleSheet("font-size: 18px;")
        for w in (self.title, self.totals, self.note):
            lay.addWidget(w)
        lay.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        again = action_button("New session")
        close = action_button("Quit")
        again.clicked.connect(self.new_session_requested)
        close.clicked.connect(self.quit_requested)
        self.replay_button = action_button("Replay last set")
        self.replay_button.clicked.connect(self.replay_requested)
        self.replay_button.hide()  # only when a set was recorded (Settings → Recording)
        buttons.addWidget(self.replay_button)
        buttons.addStretch(1)
        buttons.addWidget(again)
        buttons.addWidget(close)
        lay.addLayout(buttons)

    def show_run(self, run: SessionRun) -> None:
        rows = summary_rows(run)
        self.title.setText("Session ended early" if run.ended_early else "Session complete — well done!")
        total = sum(r["reps"] for r in rows)
        target = sum(r["target"] for r in rows)
        done_sets = sum(r["outcome"] == "done" for r in rows)
        faults = sum(sum(r["faults"].values()) for r in rows)
        self.totals.setText(f"{total} of {target} reps · {done_sets} of {len(rows)} sets complete · {faults} form notes")
        self.note.setText("Form notes are screening cues from one camera, not a diagnosis.")
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            faults_text = ", ".join(f"{fault_name(k)} ×{n}" for k, n in sorted(r["faults"].items()))
            if not faults_text and r["reps"]:
                faults_text = "none seen"
            not_judged = unjudged_note(r["unjudged"])
            if not_judged:
                faults_text = f"{faults_text}; {not_judged}" if faults_text else not_judged
            if r["note"]:
                faults_text = f"{faults_text}  ({r['note']})" if faults_text else r["note"]
            cells = (title(Exercise(r["exercise"])), SIDE_NAMES.get(r["side"], r["side"]), str(r["set"]),
                     f"{r['reps']} / {r['target']}", OUTCOME_NAMES.get(r["outcome"], r["outcome"]), faults_text)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (2, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(i, c, item)
        self.table.resizeRowsToContents()
