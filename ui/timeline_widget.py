"""The set's timeline for the replay: each rep's span as a bar (red when it had a fault), each fault as a red
triangle, each "not judged" as a grey diamond, and the playhead. A click jumps: to a mark when one is within
a few pixels of the click, otherwise to the clicked moment. Drawn from `app.pipeline.replay_model.ReplayModel`."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from app.pipeline.replay_model import Mark, ReplayModel

CLEAN = QColor("#2e9d5b")
FAULTY = QColor("#c0392b")
NOT_JUDGED = QColor("#7b8794")
PLAYHEAD = QColor("#1b2733")
HIT_PX = 7  # how close a click must be to a mark to jump to it


class TimelineWidget(QWidget):
    seek_requested = Signal(int)  # a video frame index

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.model: ReplayModel | None = None
        self.frame = 0
        self.setMinimumHeight(74)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_model(self, model: ReplayModel) -> None:
        self.model = model
        self.frame = 0
        self.update()

    def set_frame(self, frame: int) -> None:
        if frame != self.frame:
            self.frame = frame
            self.update()

    # ---- geometry -------------------------------------------------------------------------------------------
    def _track(self) -> QRectF:
        return QRectF(10, 22, max(1, self.width() - 20), 22)

    def x_of(self, t_s: float) -> float:
        track = self._track()
        duration = self.model.duration_s if self.model else 1.0
        return track.left() + track.width() * min(max(t_s / duration, 0.0), 1.0)

    def t_of(self, x: float) -> float:
        track = self._track()
        return (x - track.left()) / track.width() * (self.model.duration_s if self.model else 1.0)

    def mark_near(self, x: float) -> Mark | None:
        if self.model is None:
            return None
        best = min(self.model.marks, key=lambda m: abs(self.x_of(m.t_s) - x), default=None)
        return best if best is not None and abs(self.x_of(best.t_s) - x) <= HIT_PX else None

    # ---- input ----------------------------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.model is None or event.button() != Qt.MouseButton.LeftButton:
            return
        x = event.position().x()
        mark = self.mark_near(x)
        self.seek_requested.emit(mark.frame if mark else self.model.frame_at(max(0.0, self.t_of(x))))

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt API
        mark = self.mark_near(event.position().x())
        if mark is not None:
            QToolTip.showText(event.globalPosition().toPoint(), f"{mark.t_s:.1f} s  {mark.text}", self)
        else:
            QToolTip.hideText()

    # ---- painting -------------------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        track = self._track()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#e6eaee"))
        p.drawRoundedRect(track, 5, 5)
        if self.model is None:
            p.end()
            return
        font = QFont(self.font())
        font.setPixelSize(11)
        p.setFont(font)
        for span in self.model.spans:
            r = span.rep
            x0, x1 = self.x_of(r.t_start_s), self.x_of(r.t_end_s)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(FAULTY if r.faults else CLEAN)
            p.drawRoundedRect(QRectF(x0, track.top() + 3, max(3.0, x1 - x0), track.height() - 6), 3, 3)
            p.setPen(QColor("#1b2733"))
            p.drawText(QRectF(x0 - 20, track.bottom() + 2, max(40.0, x1 - x0 + 40), 14),
                       Qt.AlignmentFlag.AlignHCenter, str(r.index))
        for m in self.model.marks:
            x = self.x_of(m.t_s)
            y = track.top() - 2
            if m.kind == "fault":
                shape = QPolygonF([QPointF(x - 6, y - 11), QPointF(x + 6, y - 11), QPointF(x, y)])
                p.setBrush(FAULTY)
            else:
                shape = QPolygonF([QPointF(x, y - 13), QPointF(x + 5, y - 6.5), QPointF(x, y), QPointF(x - 5, y - 6.5)])
                p.setBrush(NOT_JUDGED)
            p.setPen(QPen(QColor("#ffffff"), 1))
            p.drawPolygon(shape)
        x = self.x_of(self.model.time_of(self.frame))
        p.setPen(QPen(PLAYHEAD, 2))
        p.drawLine(QPointF(x, 6), QPointF(x, track.bottom() + 2))
        p.setPen(QColor("#44515c"))
        p.drawText(QRectF(0, self.height() - 16, self.width() - 10, 14), Qt.AlignmentFlag.AlignRight,
                   f"{self.model.time_of(self.frame):.1f} / {self.model.duration_s:.1f} s")
        p.end()
