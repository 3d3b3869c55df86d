"""Creating the QApplication safely next to OpenCV.

Importing cv2 (opencv-contrib-python, the build mediapipe brings) points QT_QPA_PLATFORM_PLUGIN_PATH and
QT_QPA_FONTDIR at OpenCV's own bundled Qt plugins, which can make PySide6 load the wrong platform plugin or
fonts. Clear them before the first QApplication exists.
"""

from __future__ import annotations

import os
import sys

# The GUI thread and the vision thread share the GIL. With CPython's default 5 ms switch interval, a thread that
# wants the GIL back (the GUI after every Qt call, the worker between MediaPipe calls) may wait 5 ms each time;
# measured on the 2-core machine with tools/benchmark_latency.py, 1 ms lowered the event loop's p99 lateness
# (about 8-11 ms → 4-9 ms), its worst block and the frames dropped per clip (10-26 → 0-8).
GIL_SWITCH_INTERVAL_S = 0.001

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
        sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
        app = QApplication(argv or ["medius"])
        app.setApplicationName("Medius Coach")
        app.setOrganizationName("medius-coach")
    return app
