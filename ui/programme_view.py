"""The plan screen's view of a loaded programme: whose it is and what it asks, and the one place that opens a
programme file for the patient (file dialog, drag and drop, `medius --program`), with a message box that quotes
the file's error (file, line, what is wrong) instead of a crash."""

from __future__ import annotations

import pathlib
from html import escape

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget,
)

from app.datafile import DataFileError
from app.reports.export import fault_label
from app.session.programme import Programme, changed_limits
from app.session.programme_file import SUFFIX, load_programme
from ui.programme_editor import exercise_title

PROGRAMME_SUFFIXES = (SUFFIX, ".toml")


def is_programme_path(path: str) -> bool:
    return path.lower().endswith(PROGRAMME_SUFFIXES)


def _note_html(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def programme_html(p: Programme) -> str:
    """Who it is for, who wrote it and when, then per exercise: the dose, the rest, the changed limits, the note."""
    head = (f"<div style='font-size:22px; font-weight:bold; color:#1b2733'>{escape(p.title)}</div>"
            f"<div style='font-size:17px; color:#44515c'>For <b>{escape(p.patient)}</b> · from "
            f"<b>{escape(p.therapist)}</b> · {p.date.strftime('%d %b %Y')}</div>")
    if p.note.strip():
        head += f"<div style='font-size:16px; color:#5b4500; margin-top:4px'>{_note_html(p.note)}</div>"
    rows = []
    for i, e in enumerate(p.entries, 1):
        limits = "; ".join(f"{fault_label(code)}: {value:g} (usually {default:g})"
                           for code, value, default in changed_limits(e))
        extra = f"<br><span style='color:#6b4e00'>Your limits — {escape(limits)}</span>" if limits else ""
        if e.note.strip():
            extra += f"<br><span style='color:#1f5f6e'>“{_note_html(e.note)}”</span>"
        rows.append(f"<tr><td style='padding:4px 10px 4px 0; font-weight:bold'>{i}. "
                    f"{escape(exercise_title(e.exercise))}</td>"
                    f"<td style='padding:4px 10px'>{escape(e.dose())}, rest {e.rest_s:g} s{extra}</td></tr>")
    return head + "<table style='font-size:17px; margin-top:8px'>" + "".join(rows) + "</table>"


class ProgrammePanel(QFrame):
    """Shown on the plan screen instead of the exercise ticks while a programme is loaded."""

    close_requested = Signal()  # back to choosing the exercises by hand

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("programmePanel")
        self.setStyleSheet("#programmePanel { background: #f1f7f8; border: 1px solid #b9d6dc; border-radius: 8px; }")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # A long programme scrolls inside the panel instead of pushing the Start button off a laptop screen.
        self.scroll = _Scroll(self.text)
        lay.addWidget(self.scroll, 1)
        self.file_label = QLabel()
        self.file_label.setStyleSheet("color: #6b7780; font-size: 13px;")
        self.close_button = QPushButton("Choose the exercises myself instead")
        self.close_button.clicked.connect(self.close_requested)
        foot = QHBoxLayout()
        foot.addWidget(self.file_label, 1)
        foot.addWidget(self.close_button)
        lay.addLayout(foot)

    def show_programme(self, p: Programme, path: pathlib.Path | None) -> None:
        self.text.setText(programme_html(p))
        self.file_label.setText(f"Programme file: {path.name}" if path else "")
        self.file_label.setToolTip(str(path or ""))


class _Scroll(QScrollArea):
    """Frameless, as tall as its text up to MAX_H, scrolling beyond."""

    MAX_H = 300

    def __init__(self, content: QLabel) -> None:
        super().__init__()
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        width = max(600, self.viewport().width())
        return QSize(width, min(self.MAX_H, self.widget().heightForWidth(width) + 4))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(300, 120)


def read_programme_or_explain(parent: QWidget, path: str | pathlib.Path) -> Programme | None:
    """The programme in `path`, or None after a (non-blocking) message box quoting what is wrong with it."""
    try:
        return load_programme(path)
    except DataFileError as exc:
        box = QMessageBox(QMessageBox.Icon.Warning, "This programme cannot be opened",
                          f"{exc}\n\nAsk your physiotherapist for a corrected file, or fix that line in a text "
                          "editor and open it again.", QMessageBox.StandardButton.Ok, parent)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # not exec(): nothing waits on it (and tests can read it)
        parent.programme_error_box = box
        return None
