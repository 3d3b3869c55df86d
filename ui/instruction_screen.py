"""Before each exercise: what to do, what to avoid, and where to put the camera."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal

# Buttons never take keyboard focus on session screens: Space, N and R must always reach the shortcuts.
_NO_FOCUS = Qt.FocusPolicy.NoFocus
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.engine.events import Exercise
from app.session.plan import SetStep
from ui.exercise_texts import SIDE_NAMES, exercise_text
from ui.illustrations import Illustration
from ui.video_view import VideoView
from ui.widgets import KeyHints, big_label


def _bullets(title: str, items, color: str) -> QLabel:
    html = f"<div style='font-size:20px; font-weight:bold; color:{color}; margin-bottom:4px'>{title}</div>"
    html += "".join(f"<p style='margin:6px 0; font-size:17px'>•&nbsp;{t}</p>" for t in items)
    label = QLabel(html)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignTop)
    return label


def _card(*widgets) -> QFrame:
    frame = QFrame()
    frame.setStyleSheet("QFrame { background: #ffffff; border-radius: 12px; }")
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(16, 12, 16, 12)
    for w in widgets:
        lay.addWidget(w, 0 if isinstance(w, QLabel) else 1)
    return frame


class InstructionScreen(QWidget):
    start_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setStyleSheet("InstructionScreen { background: #eef2f5; }")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 8)
        self.title = big_label("", 38, align=Qt.AlignmentFlag.AlignLeft)
        self.purpose = big_label("", 18, bold=False, color="#44515c", align=Qt.AlignmentFlag.AlignLeft)
        self.next_label = big_label("", 24, color="#1f7a8c", align=Qt.AlignmentFlag.AlignRight)
        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.purpose)
        # The physiotherapist's note for this exercise, when the session follows their programme.
        self.therapist_note = big_label("", 18, bold=False, color="#6b4e00", align=Qt.AlignmentFlag.AlignLeft)
        self.therapist_note.hide()
        titles.addWidget(self.therapist_note)
        head.addLayout(titles, 3)
        head.addWidget(self.next_label, 2)
        outer.addLayout(head)
        body = QHBoxLayout()
        body.setSpacing(16)
        self.figure = Illustration(Exercise.CLAMSHELL, "exercise")
        self.legend = big_label("grey: start position  ·  teal: moved position", 14, bold=False, color="#5c6770")
        self.setup_text = QLabel()
        self.movement_text = QLabel()
        self.mistakes_text = QLabel()
        left = _card(self.figure, self.legend, self.setup_text, self.movement_text)
        self.camera_figure = Illustration(Exercise.CLAMSHELL, "camera")
        self.camera_text = QLabel()
        # Live camera picture next to the plan, so the user can check the framing before starting.
        self.preview = VideoView()
        self.preview.setMinimumSize(240, 150)
        self.preview.placeholder = "Camera starting…"
        camera_row = QWidget()
        camera_lay = QHBoxLayout(camera_row)
        camera_lay.setContentsMargins(0, 0, 0, 0)
        camera_lay.addWidget(self.camera_figure, 1)
        camera_lay.addWidget(self.preview, 1)
        right = _card(self.mistakes_text, camera_row, self.camera_text)
        body.addWidget(left, 1)
        body.addWidget(right, 1)
        outer.addLayout(body, 1)
        self.hands_free_label = big_label("", 20, color="#1f7a8c", align=Qt.AlignmentFlag.AlignLeft)
        outer.addWidget(self.hands_free_label)
        foot = QHBoxLayout()
        foot.addWidget(KeyHints((("Space / Enter", "start the set"), ("N", "start"), ("Esc", "end session"))), 1)
        self.start_button = QPushButton("I'm in position: start")
        self.start_button.setStyleSheet("font-size: 22px; font-weight: bold; padding: 12px 30px; background: #1f7a8c; color: white;")
        self.start_button.clicked.connect(self.start_requested)
        self.start_button.setFocusPolicy(_NO_FOCUS)
        foot.addWidget(self.start_button)
        outer.addLayout(foot)

    def set_hands_free(self, on: bool, side_hint: str = "") -> None:
        """`side_hint`: how to be seen on the set's side (e.g. which way to lie), when the set has one."""
        text = ("Get into the starting position and hold still: the set starts by itself with "
                "\u201c3, 2, 1, go\u201d.")
        self.hands_free_label.setText(((side_hint + ". ") if side_hint else "") + text if on else "")
        self.hands_free_label.setVisible(on)

    def show_preview(self, visible: bool, mirror: bool = True) -> None:
        self.preview.mirror = mirror
        self.preview.clear("Camera starting…")
        self.preview.setVisible(visible)

    def show_therapist_note(self, note: str) -> None:
        self.therapist_note.setText(f"From your physiotherapist: \u201c{note.strip()}\u201d" if note.strip() else "")
        self.therapist_note.setVisible(bool(note.strip()))

    def show_step(self, step: SetStep) -> None:
        text = exercise_text(step.exercise)
        self.title.setText(text.title)
        self.purpose.setText(text.purpose)
        side = SIDE_NAMES.get(step.side, step.side)
        self.next_label.setText(f"{side} · {step.sets_per_side} × {step.target_reps} reps")
        self.figure.set_exercise(step.exercise)
        self.camera_figure.set_exercise(step.exercise)
        for label, (title, items, color) in (
            (self.setup_text, ("Setup", text.setup, "#1b2733")),
            (self.movement_text, ("Movement", text.movement, "#1b2733")),
            (self.mistakes_text, ("Common mistakes", text.mistakes, "#b3261e")),
            (self.camera_text, ("Camera placement", text.camera, "#1f7a8c")),
        ):
            new = _bullets(title, items, color)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            label.setText(new.text())
            new.deleteLater()
