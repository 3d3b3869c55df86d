"""Settings: camera, mirror, sound, the hands-free steps and the thresholds a therapist may change. Saved via app.settings."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout,
)

from app.settings import RANGES, Settings
from ui.engine import engine_default

RESOLUTIONS = ((640, 480), (1280, 720), (1920, 1080))


def _unless_default(value: float, name: str) -> float | None:
    """None when the therapist left the engine's default, so later default improvements still apply."""
    return None if abs(value - engine_default(name)) < 1e-6 else value


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._base = settings
        form = QFormLayout()
        self.camera = QSpinBox(minimum=int(RANGES["camera_index"][0]), maximum=int(RANGES["camera_index"][1]))
        self.camera.setValue(settings.camera_index)
        self.resolution = QComboBox()
        self._resolutions = list(RESOLUTIONS)
        current = (settings.camera_width, settings.camera_height)
        if current not in self._resolutions:
            self._resolutions.append(current)
        for w, h in self._resolutions:
            self.resolution.addItem(f"{w} × {h}")
        self.resolution.setCurrentIndex(self._resolutions.index(current))
        self.mirror = QCheckBox("Show the picture like a mirror")
        self.mirror.setChecked(settings.mirror)
        self.sound = QCheckBox("Sound cues (count and warnings)")
        self.sound.setChecked(settings.sound)
        self.auto_start = QCheckBox("Start each set by itself when I am in position (3, 2, 1, go)")
        self.auto_start.setChecked(settings.auto_start)
        self.wait_for_side = QCheckBox("After \u201cturn over\u201d, wait until the camera sees the other side")
        self.wait_for_side.setChecked(settings.wait_for_side)
        self.gesture = QCheckBox("Hand held above the head for 2 s: pause / continue")
        self.gesture.setChecked(settings.gesture_control)
        self.voice = QCheckBox("Voice commands (\u201ccoach pause\u201d, \u201ccoach next\u201d, ...)")
        self.voice.setChecked(settings.voice_control)
        self.record = QCheckBox("Record each set's video for the replay (kept on this computer only)")
        self.record.setChecked(settings.record_sets)
        self.keep_days = QSpinBox(minimum=int(RANGES["recording_keep_days"][0]),
                                  maximum=int(RANGES["recording_keep_days"][1]), suffix=" days")
        self.keep_days.setValue(settings.recording_keep_days)
        self.ceiling = QDoubleSpinBox(minimum=RANGES["ceiling_deg"][0], maximum=RANGES["ceiling_deg"][1], suffix=" °")
        self.ceiling.setValue(settings.ceiling_deg if settings.ceiling_deg is not None else engine_default("ceiling_deg"))
        self.pelvic = QDoubleSpinBox(minimum=RANGES["pelvic_drop_tol_deg"][0], maximum=RANGES["pelvic_drop_tol_deg"][1],
                                     suffix=" °", singleStep=0.5)
        self.pelvic.setValue(settings.pelvic_drop_tol_deg if settings.pelvic_drop_tol_deg is not None
                             else engine_default("pelvic_drop_tol_deg"))
        form.addRow("Camera number", self.camera)
        form.addRow("Camera resolution", self.resolution)
        form.addRow("", self.mirror)
        form.addRow("", self.sound)
        form.addRow(QLabel("<b>Hands-free</b>"))
        for box in (self.auto_start, self.wait_for_side, self.gesture, self.voice):
            form.addRow("", box)
        form.addRow(QLabel("<b>Recording</b>"))
        form.addRow("", self.record)
        form.addRow("Delete recordings after", self.keep_days)
        form.addRow(QLabel("<b>For your physiotherapist</b>"))
        form.addRow("Leg raise ceiling (abduction)", self.ceiling)
        form.addRow("Pelvic drop tolerance (step-down)", self.pelvic)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(QLabel("Changes apply from the next set."))
        lay.addWidget(buttons)

    def result_settings(self) -> Settings:
        w, h = self._resolutions[self.resolution.currentIndex()]
        return replace(
            self._base,
            camera_index=self.camera.value(),
            camera_width=w,
            camera_height=h,
            mirror=self.mirror.isChecked(),
            sound=self.sound.isChecked(),
            auto_start=self.auto_start.isChecked(),
            wait_for_side=self.wait_for_side.isChecked(),
            gesture_control=self.gesture.isChecked(),
            voice_control=self.voice.isChecked(),
            record_sets=self.record.isChecked(),
            recording_keep_days=self.keep_days.value(),
            ceiling_deg=_unless_default(self.ceiling.value(), "ceiling_deg"),
            pelvic_drop_tol_deg=_unless_default(self.pelvic.value(), "pelvic_drop_tol_deg"),
        )
