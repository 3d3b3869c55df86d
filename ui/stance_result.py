"""The single-leg stance test's result card: per side the verdict, the drop with its uncertainty, what the camera
can and cannot tell. Reads a StanceResult (app.stance.bouts); draws nothing itself but labels."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.stance.bouts import StanceResult
from app.stance.verdict import CAMERA_UNCERTAINTY_DEG, NEGATIVE, NOT_JUDGED, POSITIVE, BoutResult
from ui.widgets import big_label

VERDICT_COLORS = {NEGATIVE: "#2e7d32", POSITIVE: "#b3261e", NOT_JUDGED: "#6b7680"}
VERDICT_WORDS = {NEGATIVE: "Negative: pelvis held", POSITIVE: "Positive", NOT_JUDGED: "Not judged"}

CAN_TELL = ("Whether the hip line tips by more than the tolerance compared with your own standing posture, on "
            "each side, and how that changes over weeks; a trunk thrown over the standing leg; how long you held.")
CANNOT_TELL = (f"An exact angle: a single camera measures pelvic tilt to about ±{CAMERA_UNCERTAINTY_DEG:.0f}° "
               "against motion capture, and frontal angles from one camera agree only weakly with it. It cannot "
               "see which muscle is weak or why. Clothing over the hips, a camera not square-on or a short hold "
               "make the result unreliable. This is a check to repeat and watch over time, not a diagnosis.")


def _deg(value: float | None, signed: bool = True) -> str:
    if value is None:
        return "—"
    return f"{value:+.0f}°" if signed else f"{value:.0f}°"


def side_lines(bout: BoutResult | None) -> tuple[str, str, list[str]]:
    """(headline, colour, detail lines) for one stance leg."""
    if bout is None:
        return "Not tested", VERDICT_COLORS[NOT_JUDGED], ["No hold on this leg."]
    head = VERDICT_WORDS[bout.verdict]
    if bout.verdict == POSITIVE:
        head = "Positive: trunk lean" if "leaned" in bout.reason else "Positive: free side dropped"
    lines = []
    if bout.max_pelvic_drop_deg is not None:
        lines.append(f"Free-side hip drop: {_deg(bout.max_pelvic_drop_deg)} ± {bout.uncertainty_deg:.0f}° at "
                     f"worst (1 s), {_deg(bout.mean_pelvic_drop_deg)} on average")
        lines.append("(+ = below where it was standing, − = above)")
    if bout.trunk_lean_deg is not None:
        lines.append(f"Trunk towards the standing leg: {_deg(bout.trunk_lean_deg)}")
    lines.append(f"Held {bout.duration_s:.1f} s (the test asks for up to 30 s) — {bout.ended_by}")
    if bout.onset_s is not None:
        lines.append(f"Passed the {bout.tolerance_deg:.0f}° tolerance after {bout.onset_s:.1f} s")
    if bout.sway_cm is not None:
        lines.append(f"Sway {bout.sway_cm:.1f} cm")
    lines.append(bout.reason[:1].upper() + bout.reason[1:])
    return head, VERDICT_COLORS[bout.verdict], lines


class _SidePanel(QFrame):
    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("side")
        self.setStyleSheet("#side { background: white; border: 1px solid #d5dbe0; border-radius: 8px; }")
        lay = QVBoxLayout(self)
        lay.addWidget(big_label(title, 20, align=Qt.AlignmentFlag.AlignLeft))
        self.headline = big_label("", 26, align=Qt.AlignmentFlag.AlignLeft)
        self.details = big_label("", 16, bold=False, color="#1b2733", align=Qt.AlignmentFlag.AlignLeft)
        self.details.setWordWrap(True)
        lay.addWidget(self.headline)
        lay.addWidget(self.details)
        lay.addStretch(1)

    def show_bout(self, bout: BoutResult | None) -> None:
        head, color, lines = side_lines(bout)
        self.headline.setText(head)
        self.headline.setStyleSheet(f"color: {color}; font-size: 26px; font-weight: bold;")
        self.details.setText("\n".join(lines))


class StanceResultCard(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(30, 20, 30, 20)
        lay.addWidget(big_label("Single-leg stance test", 32, align=Qt.AlignmentFlag.AlignLeft))
        self.subtitle = big_label("", 17, bold=False, color="#44515c", align=Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.subtitle)
        sides = QHBoxLayout()
        self.left = _SidePanel("Standing on the left leg")
        self.right = _SidePanel("Standing on the right leg")
        sides.addWidget(self.left)
        sides.addWidget(self.right)
        lay.addLayout(sides, 1)
        self.difference = big_label("", 19, color="#1f7a8c", align=Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.difference)
        honest = QGridLayout()
        for row, (title, text) in enumerate((("What the camera can tell", CAN_TELL),
                                             ("What it cannot tell", CANNOT_TELL))):
            head = big_label(title, 16, align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            body = QLabel(text)
            body.setWordWrap(True)
            body.setStyleSheet("font-size: 15px; color: #34424d;")
            honest.addWidget(head, row, 0)
            honest.addWidget(body, row, 1)
        honest.setColumnStretch(1, 1)
        lay.addLayout(honest)
        self.saved = big_label("", 15, bold=False, color="#44515c", align=Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.saved)
        self.buttons = QHBoxLayout()
        lay.addLayout(self.buttons)

    def show_result(self, result: StanceResult) -> None:
        summary = result.side_summary()
        self.left.show_bout(summary["left"])
        self.right.show_bout(summary["right"])
        tol = result.params.drop_tolerance_deg
        self.subtitle.setText(f"The hip line on one leg compared with your own standing posture. Positive when "
                              f"the free side drops more than {tol:.0f}° (your therapist can change this), or "
                              f"when the trunk leans over to hide a drop."
                              + (f"  Not judged: {result.not_judged_reason}." if result.not_judged_reason else ""))
        diff = result.left_right_difference_deg()
        self.difference.setText("" if diff is None else
                                f"Left minus right: {diff:+.0f}° of drop (each side ± {CAMERA_UNCERTAINTY_DEG:.0f}°:"
                                f" watch the trend over weeks rather than one number)")
