"""Drawings made by the app: stick figures of each exercise (start grey, end coloured) and a top-down
camera-placement plan. Drawn with QPainter so they scale to any screen and need no image licences."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.engine.events import Exercise

START_COLOR = QColor("#9aa5b1")
END_COLOR = QColor("#1f7a8c")
FLOOR_COLOR = QColor("#5c6770")
ARROW_COLOR = QColor("#e07a1f")

# Figures in a unit box (x right, y down). Each: joints, then limbs as joint chains.
_LIMBS = (("head", "neck"), ("neck", "hip"), ("neck", "elbow"), ("elbow", "hand"),
          ("hip", "knee_b"), ("knee_b", "ankle_b"), ("hip", "knee_t"), ("knee_t", "ankle_t"))

def _poses(exercise: Exercise) -> tuple[dict, dict, str]:
    """(start pose, end pose, the joint the arrow follows), from the exercise's file ([illustration])."""
    ill = Exercise(exercise).spec.illustration
    if not ill:  # an exercise file without a drawing: a neutral standing figure, no movement shown
        still = dict(head=(0.50, 0.10), neck=(0.50, 0.20), hip=(0.50, 0.44), elbow=(0.42, 0.32), hand=(0.40, 0.44),
                     knee_b=(0.46, 0.61), ankle_b=(0.46, 0.78), knee_t=(0.54, 0.61), ankle_t=(0.54, 0.78))
        return still, still, "hand"
    return ill["start"], ill["end"], ill["arrow"]


def _pen(color: QColor, width: float) -> QPen:
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _draw_figure(p: QPainter, pose: dict, box: QRectF, color: QColor) -> None:
    def pt(name):
        x, y = pose[name]
        return QPointF(box.left() + x * box.width(), box.top() + y * box.height())

    unit = min(box.width(), box.height())
    p.setPen(_pen(color, max(3.0, unit * 0.025)))
    for a, b in _LIMBS:
        if a == "head":
            continue
        p.drawLine(pt(a), pt(b))
    p.setBrush(color)
    r = unit * 0.045
    p.drawEllipse(pt("head"), r, r)
    # The mirror-image arm (the one on the hip in a step-down) is implied by the hand on the hip.
    if pose["hip"][1] < 0.6:
        neck, hip = pose["neck"], pose["hip"]
        mirrored = {k: (2 * neck[0] - v[0], v[1]) for k, v in pose.items() if k in ("elbow", "hand")}
        p.drawLine(pt("neck"), QPointF(box.left() + mirrored["elbow"][0] * box.width(),
                                      box.top() + mirrored["elbow"][1] * box.height()))
        p.drawLine(QPointF(box.left() + mirrored["elbow"][0] * box.width(), box.top() + mirrored["elbow"][1] * box.height()),
                   QPointF(box.left() + mirrored["hand"][0] * box.width(), box.top() + mirrored["hand"][1] * box.height()))
        del hip


def _draw_arrow(p: QPainter, a: QPointF, b: QPointF, width: float) -> None:
    p.setPen(_pen(ARROW_COLOR, width))
    p.drawLine(a, b)
    ang = math.atan2(b.y() - a.y(), b.x() - a.x())
    size = width * 4
    head = QPolygonF([
        b,
        QPointF(b.x() - size * math.cos(ang - 0.45), b.y() - size * math.sin(ang - 0.45)),
        QPointF(b.x() - size * math.cos(ang + 0.45), b.y() - size * math.sin(ang + 0.45)),
    ])
    p.setBrush(ARROW_COLOR)
    p.drawPolygon(head)


def paint_exercise(p: QPainter, rect: QRectF, exercise: Exercise) -> None:
    start, end, a_name = _poses(exercise)
    b_name = a_name
    ill = Exercise(exercise).spec.illustration
    prop, floor = ill.get("prop", "none"), ill.get("floor", 0.82)
    side = min(rect.width(), rect.height() * 1.4)
    box = QRectF(rect.center().x() - side / 2, rect.center().y() - side / 2.8, side, side / 1.4)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(_pen(FLOOR_COLOR, 3))
    floor_y = box.top() + floor * box.height()
    p.drawLine(QPointF(box.left(), floor_y), QPointF(box.right(), floor_y))
    if prop == "step":
        step = QRectF(box.left() + 0.33 * box.width(), box.top() + 0.79 * box.height(), 0.2 * box.width(),
                      floor_y - (box.top() + 0.79 * box.height()))
        p.setBrush(QColor("#d9c7a7"))
        p.drawRect(step)
    elif prop == "mat":
        p.fillRect(QRectF(box.left(), floor_y - 4, box.width(), 8), QColor("#6aa9b5"))
    _draw_figure(p, start, box, START_COLOR)
    _draw_figure(p, end, box, END_COLOR)
    sa, eb = start[a_name], end[b_name]
    a = QPointF(box.left() + sa[0] * box.width() + 12, box.top() + sa[1] * box.height() - 6)
    b = QPointF(box.left() + eb[0] * box.width() + 12, box.top() + eb[1] * box.height() + 6)
    _draw_arrow(p, a, b, max(2.5, side * 0.01))


def paint_camera_plan(p: QPainter, rect: QRectF, exercise: Exercise) -> None:
    """Top-down plan: where the person is, where the camera goes, and the field of view between them."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    w, h = rect.width(), rect.height()
    spec = Exercise(exercise).spec
    lying = not spec.posture.startswith("standing")
    cam = QPointF(rect.center().x(), rect.top() + h * 0.86)
    if lying:
        mat = QRectF(rect.left() + w * 0.15, rect.top() + h * 0.10, w * 0.70, h * 0.20)
        target_top, target_w = mat.center().y(), mat.width()
    else:
        step = QRectF(rect.center().x() - w * 0.12, rect.top() + h * 0.08, w * 0.24, h * 0.16)
        target_top, target_w = step.center().y(), w * 0.40
    distance, height = spec.camera_distance, spec.camera_height
    # Field of view first, under the person: the whole body must fit inside it.
    cone = QPainterPath(cam)
    cone.lineTo(QPointF(rect.center().x() - target_w * 0.62, target_top - h * 0.06))
    cone.lineTo(QPointF(rect.center().x() + target_w * 0.62, target_top - h * 0.06))
    cone.closeSubpath()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(224, 122, 31, 45))
    p.drawPath(cone)
    if lying:
        p.fillRect(mat, QColor("#cfe6ea"))
        person_pts = [QPointF(mat.left() + mat.width() * f, mat.center().y()) for f in (0.08, 0.55, 0.95)]
        p.setPen(_pen(END_COLOR, max(4.0, h * 0.03)))
        p.drawLine(person_pts[0], person_pts[2])
        p.setBrush(END_COLOR)
        p.drawEllipse(person_pts[0], h * 0.045, h * 0.045)
    else:
        p.fillRect(step, QColor("#e8dcc6"))
        p.setPen(_pen(END_COLOR, 3))
        p.setBrush(END_COLOR)
        p.drawEllipse(step.center(), h * 0.06, h * 0.06)
    # The camera.
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#333a40"))
    body = QRectF(cam.x() - w * 0.05, cam.y() - h * 0.02, w * 0.10, h * 0.08)
    p.drawRoundedRect(body, 4, 4)
    p.setBrush(QColor("#8fd3ff"))
    p.drawEllipse(QPointF(cam.x(), cam.y() - h * 0.005), h * 0.02, h * 0.02)
    # Distance label along the axis.
    p.setPen(_pen(FLOOR_COLOR, 2))
    axis_x = rect.left() + w * 0.88
    p.drawLine(QPointF(axis_x, target_top), QPointF(axis_x, cam.y()))
    font = QFont(p.font())
    font.setPixelSize(int(max(12.0, min(h * 0.06, w * 0.052))))
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("#222"))
    mid_y = (target_top + cam.y()) / 2
    p.drawText(QRectF(rect.left() + w * 0.5, mid_y - h * 0.06, axis_x - 8 - (rect.left() + w * 0.5), h * 0.12),
               Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, distance)
    p.drawText(QRectF(rect.left(), cam.y() + h * 0.06, w, h * 0.08), Qt.AlignmentFlag.AlignCenter,
               f"camera at {height}, level")
    font.setBold(False)
    font.setPixelSize(int(max(10.0, min(h * 0.045, w * 0.035))))
    p.setFont(font)
    p.setPen(QColor("#5c6770"))
    p.drawText(QRectF(rect.left(), rect.top(), w, h * 0.08), Qt.AlignmentFlag.AlignLeft, "seen from above")


class Illustration(QWidget):
    """A widget that paints either the exercise (`kind="exercise"`) or the camera plan (`kind="camera"`)."""

    def __init__(self, exercise: Exercise, kind: str = "exercise", parent=None) -> None:
        super().__init__(parent)
        self.exercise = exercise
        self.kind = kind
        self.setMinimumSize(260, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_exercise(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#ffffff"))
        rect = QRectF(self.rect()).adjusted(10, 10, -10, -10)
        if self.kind == "camera":
            paint_camera_plan(p, rect, self.exercise)
        else:
            paint_exercise(p, rect, self.exercise)
        p.end()
