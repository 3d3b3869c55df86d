"""Small reusable widgets: range-of-motion meter, tempo guide, shortcut hints, styled labels."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

ACCENT = "#1f7a8c"
GOOD = QColor("#2e9d5b")
TRACK = QColor("#dde3e8")


def big_label(text: str = "", px: int = 28, bold: bool = True, color: str = "#1b2733",
              align=Qt.AlignmentFlag.AlignCenter) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPixelSize(px)
    font.setBold(bold)
    label.setFont(font)
    label.setStyleSheet(f"color: {color};")
    label.setAlignment(align)
    label.setWordWrap(True)
    return label


class RomMeter(QWidget):
    """Vertical bar: how far the current rep has gone towards the full range (target line at 100 %).

    A continuous meter is positive feedback users ask for; it fills during every rep, even a partial one.
    """

    MAX_FRACTION = 1.5  # TrackerSnapshot.rom_fraction is clamped to this

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.fraction = 0.0
        self.peak_fraction = 0.0  # best of the current rep, left as a tick so the user sees what they reached
        self.setMinimumSize(130, 120)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)

    def set_fraction(self, fraction: float, peak_fraction: float | None = None) -> None:
        self.fraction = max(0.0, min(self.MAX_FRACTION, fraction))
        if peak_fraction is not None:
            self.peak_fraction = peak_fraction
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        bar = QRectF(self.rect()).adjusted(30, 28, -60, -6)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(TRACK)
        p.drawRoundedRect(bar, 10, 10)
        fill_h = bar.height() * self.fraction / self.MAX_FRACTION
        color = GOOD if self.fraction >= 0.9 else QColor(ACCENT)
        p.setBrush(color)
        p.drawRoundedRect(QRectF(bar.left(), bar.bottom() - fill_h, bar.width(), fill_h), 10, 10)
        target_y = bar.bottom() - bar.height() / self.MAX_FRACTION
        p.setPen(QPen(QColor("#1b2733"), 4, Qt.PenStyle.DashLine))
        p.drawLine(int(bar.left() - 8), int(target_y), int(bar.right() + 8), int(target_y))
        if self.peak_fraction > 0:
            y = bar.bottom() - bar.height() * min(self.peak_fraction, self.MAX_FRACTION) / self.MAX_FRACTION
            p.setPen(QPen(QColor("#e07a1f"), 3))
            p.drawLine(int(bar.left()), int(y), int(bar.right()), int(y))
        font = QFont(self.font())
        font.setPixelSize(16)
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor("#1b2733"))
        p.drawText(QRectF(0, 0, self.width(), 24), Qt.AlignmentFlag.AlignCenter, "Range")
        font.setPixelSize(13)
        p.setFont(font)
        p.drawText(QRectF(bar.right() + 10, target_y - 10, 60, 20), Qt.AlignmentFlag.AlignLeft, "target")
        p.end()


class TempoGuide(QWidget):
    """Says what to do now ("Lift", "Hold", "Lower") with a bar that fills over the target time of that phase,
    and counts the hold up where the exercise has one."""

    LABELS = {"rest": "Ready", "rising": "Up", "top": "Hold", "lowering": "Down"}

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.phase = "rest"
        self.elapsed_s = 0.0
        self.target_s = 0.0
        self.words = dict(self.LABELS)
        self.setMinimumHeight(86)

    def set_state(self, phase: str, elapsed_s: float, target_s: float) -> None:
        if (phase, round(elapsed_s, 1), target_s) != (self.phase, round(self.elapsed_s, 1), self.target_s):
            self.phase, self.elapsed_s, self.target_s = phase, elapsed_s, target_s
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        label = self.words.get(self.phase, self.phase)
        if self.phase in ("rising", "lowering", "top") and self.target_s > 0:
            label += f"   {self.elapsed_s:0.1f} / {self.target_s:0.0f} s"
        elif self.phase == "top":
            label += f"   {self.elapsed_s:0.1f} s"
        font = QFont(self.font())
        font.setPixelSize(26)
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor("#1b2733"))
        p.drawText(QRectF(0, 0, self.width(), 40), Qt.AlignmentFlag.AlignCenter, label)
        bar = QRectF(10, 50, self.width() - 20, 22)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(TRACK)
        p.drawRoundedRect(bar, 8, 8)
        if self.target_s > 0 and self.phase in ("rising", "lowering", "top"):
            frac = min(1.0, self.elapsed_s / self.target_s)
            # Too quick is the common mistake: the bar turns green only once the phase took long enough.
            p.setBrush(GOOD if frac >= 1.0 else QColor(ACCENT))
            p.drawRoundedRect(QRectF(bar.left(), bar.top(), bar.width() * frac, bar.height()), 8, 8)
        p.end()


SHORTCUTS = (
    ("Space", "pause / resume"),
    ("N or →", "next"),
    ("R", "redo set"),
    ("M", "mute"),
    ("T", "therapist detail"),
    ("Esc", "end session"),
)


class KeyHints(QLabel):
    def __init__(self, items=SHORTCUTS, parent=None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("color: #44515c; font-size: 17px; padding: 6px;")
        self.set_items(items)

    def set_items(self, items) -> None:
        parts = [
            f"<span style='background:#e9eef2; border-radius:4px; padding:2px 6px;'><b>{k}</b></span>&nbsp;{v}"
            for k, v in items
        ]
        self.setText("&nbsp;&nbsp;&nbsp;&nbsp;".join(parts))


def centred_row(widget: QWidget) -> QHBoxLayout:
    """A layout row with `widget` in its middle (the range meter on the live and replay screens)."""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(widget)
    row.addStretch(1)
    return row


def action_button(text: str) -> QPushButton:
    """A large button for the session screens. It never takes keyboard focus, so Space and the other session
    keys always reach the window's shortcuts."""
    button = QPushButton(text)
    button.setMinimumHeight(48)
    button.setStyleSheet("font-size: 20px; padding: 8px 24px;")
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button
