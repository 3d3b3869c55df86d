"""The live set: video with skeleton, a counter readable from 3 m, set/side, range meter, tempo, cues.

The counter shows the session's own count for this set (reps the GUI received), so it survives a camera that
restarts mid-set. Painting is driven by snapshots; counting is not (it happens in the worker).

A timed hold (an exercise of kind "hold") has no count to show: the same big digits show the seconds held so far
in the hold in progress ("Hold / 4 / s of 10"), from the tracker's snapshots (`TrackerSnapshot.hold_s`); a set is
one hold, so after it the clock keeps the time of the hold just finished rather than dropping back to 0.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.engine.events import Exercise
from app.reports.export import judged_part
from app.session.plan import SetStep
from ui.exercise_texts import SIDE_NAMES, exercise_text
from ui.video_view import VideoView
from ui.widgets import KeyHints, RomMeter, TempoGuide, big_label, centred_row

COUNTER_PX = 210  # cap height ≈ 13 cm on a 24" 1080p screen at this size in a maximised window: fine at 3 m


def _metric_line(name: str, value: float) -> str:
    """'abduction_deg', 51.8 → 'abduction      51.8°' (names carry units; the therapist reads the unit sign)."""
    unit = "°" if name.endswith("_deg") else ""
    label = name.removesuffix("_deg").replace("_", " ")
    return f"{label:<16}{value:6.1f}{unit}"


class LiveScreen(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setStyleSheet("LiveScreen { background: #f4f6f8; }")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 4)
        row = QHBoxLayout()
        self.video = VideoView()
        row.addWidget(self.video, 3)
        panel = QVBoxLayout()
        self.exercise_label = big_label("", 26)
        self.set_label = big_label("", 34, color="#1f7a8c")
        self.side_label = big_label("", 30, color="#e07a1f")
        self.counter = big_label("0", COUNTER_PX)
        self.counter.setStyleSheet("color: #1b2733; margin: -20px 0;")
        self.target_label = big_label("of 10", 34, bold=False, color="#44515c")
        self.status_label = big_label("", 20, color="#b3261e")
        self.status_label.setMinimumHeight(0)
        self.hold_label = big_label("Hold", 44, color="#1b2733")  # above the clock, for timed holds only
        self.hold_label.setVisible(False)
        self.holding = False  # this set is a timed hold: the big digits are seconds, not reps
        self._hold_target_s = 0.0
        self._held_s = 0.0  # the hold in progress, or the last one of this set
        panel.addWidget(self.exercise_label)
        panel.addWidget(self.set_label)
        panel.addWidget(self.side_label)
        panel.addWidget(self.hold_label)
        panel.addWidget(self.counter, 0)
        panel.addWidget(self.target_label)
        self.rom = RomMeter()
        panel.addLayout(centred_row(self.rom), 1)
        self.tempo = TempoGuide()
        panel.addWidget(self.tempo)
        panel.addWidget(self.status_label)
        side = QFrame()
        side.setStyleSheet("QFrame { background: #ffffff; border-radius: 12px; }")
        side.setLayout(panel)
        side.setMinimumWidth(330)
        row.addWidget(side, 1)
        self.detail = QFrame()  # the physiotherapist's view: angles and a timed fault list
        detail_lay = QVBoxLayout(self.detail)
        detail_lay.setContentsMargins(8, 4, 8, 4)
        detail_lay.addWidget(big_label("Therapist detail", 16, align=Qt.AlignmentFlag.AlignLeft))
        self.metrics_label = QLabel("")
        self.metrics_label.setStyleSheet("font-family: monospace; font-size: 14px;")
        self.metrics_label.setWordWrap(True)
        self.faults = QListWidget()
        self.faults.setStyleSheet("font-size: 14px;")
        self.faults.setWordWrap(True)
        self.faults.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        detail_lay.addWidget(self.metrics_label)
        detail_lay.addWidget(self.faults, 1)
        self.detail.setFixedWidth(270)
        self.detail.setVisible(False)
        row.addWidget(self.detail, 1)
        outer.addLayout(row, 1)
        self.hints = KeyHints()
        outer.addWidget(self.hints)

    def show_step(self, step: SetStep, reps: int = 0) -> None:
        text = exercise_text(step.exercise)
        self.exercise_label.setText(text.title)
        self.set_label.setText(f"Set {step.set_number} of {step.sets_per_side}")
        self.side_label.setText(SIDE_NAMES.get(step.side, step.side))
        self.tempo.words = {**self.tempo.LABELS, **text.phase_words}
        spec = Exercise(step.exercise).spec
        self.holding = spec.kind == "hold"
        self.hold_label.setVisible(self.holding)
        self._held_s = 0.0
        self._hold_target_s = float(spec.hold_target_s or 0.0)
        if self.holding:
            self.set_hold(0.0, self._hold_target_s)
        else:
            self.set_count(reps, step.target_reps)
        self.rom.set_fraction(0.0, 0.0)
        self.faults.clear()
        self.status_label.setText("")

    def set_count(self, reps: int, target: int) -> None:
        if self.holding:
            return  # a hold shows its clock (set_hold); its one "rep" is the hold itself
        self.counter.setText(str(reps))
        self.target_label.setText(f"of {target} reps")

    def set_hold(self, held_s: float | None, target_s: float | None) -> None:
        """The hold clock: whole seconds held in the hold in progress, against the target (the programme's, when
        the snapshot carries one). Between holds (held 0) it keeps the time of the last one."""
        if not self.holding or held_s is None:
            return
        if target_s:
            self._hold_target_s = float(target_s)
        self._held_s = held_s if held_s > 0.0 else self._held_s
        self.counter.setText(str(int(self._held_s)))
        self.target_label.setText(f"s of {self._hold_target_s:g}")

    def add_fault(self, t_s: float, message: str, value: float, code: str = "") -> None:
        # FormWarning.value is degrees, except feet_apart: a ratio of thigh length.
        shown = f"{value:.2f}" if code == "feet_apart" else f"{value:.0f}°"
        self.faults.insertItem(0, f"{t_s:5.1f} s  {message} ({shown})")

    def add_unjudged(self, t_s: float, code: str, reason: str) -> None:
        """One line for a fault this set cannot be judged on (the controller sends each code once per set).
        Grey, without a value: it is not a warning."""
        text = f"{judged_part(code).capitalize()} not judged" + (f": {reason}" if reason else "")
        item = QListWidgetItem(f"{t_s:5.1f} s  {text}")
        item.setForeground(QBrush(QColor("#5f6b75")))
        item.setData(Qt.ItemDataRole.UserRole, ("unjudged", code))
        self.faults.insertItem(0, item)

    def set_metrics(self, metrics: dict[str, float], frames_processed: int = 0, frames_dropped: int = 0) -> None:
        if self.detail.isVisible():
            lines = [_metric_line(k, v) for k, v in sorted(metrics.items())]
            # Dropped frames mean the computer cannot analyse every camera frame: worth knowing when counts
            # look wrong on a slow machine.
            lines.append(f"{'frames analysed':<16}{frames_processed:6d}")
            lines.append(f"{'frames dropped':<16}{frames_dropped:6d}")
            self.metrics_label.setText("\n".join(lines))

    def toggle_detail(self) -> None:
        self.detail.setVisible(not self.detail.isVisible())
