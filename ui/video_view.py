"""The live picture: the newest frame with the skeleton drawn over it, mirrored for display only.

Landmarks come in pixels of the un-mirrored frame (analysis never sees a mirrored image, so left/right stay
anatomical); mirroring happens here, to the image and to the points together.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.engine.landmarks import LM, SKELETON_EDGES

MIN_VISIBILITY = 0.5
_LEFT_LEG = {LM.L_HIP, LM.L_KNEE, LM.L_ANKLE, LM.L_HEEL, LM.L_FOOT}
_RIGHT_LEG = {LM.R_HIP, LM.R_KNEE, LM.R_ANKLE, LM.R_HEEL, LM.R_FOOT}
BONE_COLOR = QColor(255, 255, 255, 230)
WORKING_LEG_COLOR = QColor("#ffb000")
FAULT_COLOR = QColor("#ff4d4d")
JOINT_COLOR = QColor("#1f7a8c")
_JOINTS = sorted({i for edge in SKELETON_EDGES for i in edge})


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
        self.recording = False  # a red "REC" mark while the set's video is being recorded (app.pipeline.set_recording)

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
        if self.recording:
            self._draw_recording_mark(p, target)
        p.end()
        self.frames_painted += 1

    def _draw_recording_mark(self, p: QPainter, target: QRectF) -> None:
        size = max(14, int(target.height() * 0.035))
        font = QFont(self.font())
        font.setPixelSize(size)
        font.setBold(True)
        p.setFont(font)
        box = QRectF(target.right() - size * 4.6, target.bottom() - size * 2.0, size * 4.2, size * 1.6)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 150))
        p.drawRoundedRect(box, 6, 6)
        p.setBrush(QColor("#e53935"))
        p.drawEllipse(QPointF(box.left() + size * 0.8, box.center().y()), size * 0.38, size * 0.38)
        p.setPen(QColor("#ffffff"))
        p.drawText(box.adjusted(size * 1.4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, "REC")

    def _draw_skeleton(self, p: QPainter, target: QRectF) -> None:
        """Batched: a few draw calls in total, not one per bone. Every PySide call can give up the GIL, and
        with the vision thread busy each re-acquire may wait a switch interval (5 ms): a hundred small calls
        per frame stalled the event loop by tens of milliseconds."""
        xy, vis = self._xy_px, self._visibility
        if xy is None:
            return
        w, h = self._image_size
        pts = np.asarray(xy, dtype=float)[:, :2].copy()
        if self.mirror:
            pts[:, 0] = w - pts[:, 0]
        pts[:, 0] = target.left() + pts[:, 0] / w * target.width()
        pts[:, 1] = target.top() + pts[:, 1] / h * target.height()
        seen = np.ones(len(pts), bool) if vis is None else np.asarray(vis) >= MIN_VISIBILITY
        working = _LEFT_LEG if self._side == "left" else _RIGHT_LEG if self._side == "right" else set()
        body, leg = [], []
        for a, b in SKELETON_EDGES:
            if seen[a] and seen[b]:
                (leg if a in working and b in working else body).append(
                    QLineF(pts[a, 0], pts[a, 1], pts[b, 0], pts[b, 1]))
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = max(3.0, target.height() / 120)
        for lines, color, scale in ((body, BONE_COLOR, 1.0),
                                    (leg, FAULT_COLOR if self._faulty else WORKING_LEG_COLOR, 1.6)):
            if lines:
                pen = QPen(color, width * scale)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                p.setPen(pen)
                p.drawLines(lines)
        joints = [QPointF(pts[i, 0], pts[i, 1]) for i in _JOINTS if seen[i]]
        if joints:
            pen = QPen(JOINT_COLOR, width * 2.4)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)  # a round-capped point is a dot
            p.setPen(pen)
            p.drawPoints(joints)

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
