"""Creating the QApplication safely next to OpenCV.

Importing cv2 (opencv-contrib-python, the build mediapipe brings) points QT_QPA_PLATFORM_PLUGIN_PATH and
QT_QPA_FONTDIR at OpenCV's own bundled Qt plugins, which can make PySide6 load the wrong platform plugin or
fonts. Clear them before the first QApplication exists.
"""

from __future__ import annotations

import os

_CV2_QT_VARS = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")


def clear_cv2_qt_env() -> None:
    for name in _CV2_QT_VARS:
        os.environ.pop(name, None)


def ensure_app(argv: list[str] | None = None):
    """The existing QApplication, or a new one created after clearing OpenCV's variables."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        clear_cv2_qt_env()
        app = QApplication(argv or ["medius"])
        app.setApplicationName("Medius Coach")
        app.setOrganizationName("medius-coach")
    return app
