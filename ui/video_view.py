"""The live picture: the newest frame with the skeleton drawn over it, mirrored for display only.

Landmarks come in pixels of the un-mirrored frame (analysis never sees a mirrored image, so left/right stay
anatomical); mirroring happens here, to the image and to the points together.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.landmarks import LM, SKELETON_EDGES

MIN_VISIBILITY = 0.5
_LEFT_LEG = {LM.L_HIP, LM.L_KNEE, LM.L_ANKLE, LM.L_HEEL, LM.L_FOOT}
_RIGHT_LEG = {LM.R_HIP, LM.R_KNEE, LM.R_ANKLE, LM.R_HEEL, LM.R_FOOT}
BONE_COLOR = QColor(255, 255, 255, 230)
WORKING_LEG_COLOR = QColor("#ffb000")
FAULT_COLOR = QColor("#ff4d4d")


class VideoView(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.mirror = True
        self._image: QImage | None = None
        self._image_size = (0, 0)
        self._xy_px: np.ndarray | None = None
        self._visibility: np.ndarray | None = None
        self._side: str | None = None
        self._faulty = False
        self.prompt = ""  # big centred text: "Get into frame", "Video ended", ...
        self.cue = ""  # the one form cue shown at a time, as a banner
        self.placeholder = "Starting the camera…"
        self.frames_painted = 0

    def set_frame(self, bgr: np.ndarray, xy_px=None, visibility=None, side=None, faulty=False) -> None:
        h, w = bgr.shape[:2]
        # No per-frame numpy copy on the GUI thread: Qt reads BGR directly, and mirroring is a paint transform.
        buffer = bgr if bgr.flags["C_CONTIGUOUS"] else np.ascontiguousarray(bgr)
        self._buffer = buffer  # QImage borrows the memory: keep the array alive with the image
        self._image = QImage(buffer.data, w, h, buffer.strides[0], QImage.Format.Format_BGR888)
        self._image_size = (w, h)
        self._xy_px, self._visibility, self._side, self._faulty = xy_px, visibility, side, faulty
        if self.isVisible():  # skip work nobody can see
            self.update()

    def clear(self, placeholder: str = "Starting the camera…") -> None:
        self._image = None
        self._xy_px = None
        self.placeholder = placeholder
        self.update()

    def set_overlay(self, prompt: str | None = None, cue: str | None = None) -> None:
        if prompt is not None:
            self.prompt = prompt
        if cue is not None:
            self.cue = cue
        self.update()

    def _target_rect(self) -> QRectF:
        w, h = self._image_size
        if not w or not h:
            return QRectF(self.rect())
        scale = min(self.width() / w, self.height() / h)
        tw, th = w * scale, h * scale
        return QRectF((self.width() - tw) / 2, (self.height() - th) / 2, tw, th)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#101418"))
        if self._image is None:
            self._draw_text_box(p, self.placeholder, QRectF(self.rect()), 0.06)
            p.end()
            return
        target = self._target_rect()
        if self.mirror:
            p.save()
            p.translate(target.left() + target.right(), 0)
            p.scale(-1, 1)
            p.drawImage(target, self._image)
            p.restore()
        else:
            p.drawImage(target, self._image)
        self._draw_skeleton(p, target)
        if self.prompt:
            self._draw_text_box(p, self.prompt, target, 0.075)
        if self.cue:
            self._draw_cue(p, target)
        p.end()
        self.frames_painted += 1

    def _map(self, x: float, y: float, target: QRectF) -> QPointF:
        w, h = self._image_size
        if self.mirror:
            x = w - x
        return QPointF(target.left() + x / w * target.width(), target.top() + y / h * target.height())

    def _draw_skeleton(self, p: QPainter, target: QRectF) -> None:
        xy, vis = self._xy_px, self._visibility
        if xy is None:
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = max(3.0, target.height() / 120)
        working = _LEFT_LEG if self._side == "left" else _RIGHT_LEG if self._side == "right" else set()
        for a, b in SKELETON_EDGES:
            if vis is not None and (vis[a] < MIN_VISIBILITY or vis[b] < MIN_VISIBILITY):
                continue
            leg = a in working and b in working
            color = (FAULT_COLOR if self._faulty else WORKING_LEG_COLOR) if leg else BONE_COLOR
            pen = QPen(color, width * (1.6 if leg else 1.0))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            p.drawLine(self._map(*xy[a], target), self._map(*xy[b], target))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#1f7a8c"))
        joints = {i for edge in SKELETON_EDGES for i in edge}
        for i in joints:
            if vis is None or vis[i] >= MIN_VISIBILITY:
                p.drawEllipse(self._map(*xy[i], target), width * 1.2, width * 1.2)

    def _draw_text_box(self, p: QPainter, text: str, area: QRectF, size_frac: float) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(18, int(area.height() * size_frac)))
        font.setBold(True)
        p.setFont(font)
        box = QRectF(area.left() + area.width() * 0.08, area.center().y() - area.height() * 0.16,
                     area.width() * 0.84, area.height() * 0.32)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 170))
        p.drawRoundedRect(box, 18, 18)
        p.setPen(QColor("#ffffff"))
        p.drawText(box.adjusted(16, 8, -16, -8), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)

    def _draw_cue(self, p: QPainter, target: QRectF) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(18, int(target.height() * 0.06)))
        font.setBold(True)
        p.setFont(font)
        box = QRectF(target.left() + 12, target.top() + 12, target.width() - 24, target.height() * 0.14)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(224, 122, 31, 235))
        p.drawRoundedRect(box, 14, 14)
        p.setPen(QColor("#ffffff"))
        p.drawText(box.adjusted(12, 4, -12, -4), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.cue)
