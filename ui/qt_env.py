"""Creating the QApplication safely next to OpenCV.

The GUI builds of OpenCV (opencv-python, opencv-contrib-python) point QT_QPA_PLATFORM_PLUGIN_PATH and
QT_QPA_FONTDIR at their own bundled Qt plugins when cv2 is imported, which can make PySide6 load the wrong
platform plugin or fonts. We depend on the headless build, which does not, but a user's environment may hold
another; clearing them before the first QApplication exists costs nothing.
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
        # The desktop entry's name (Wayland docks match windows to tools/medius-coach.desktop by it) and the icon.
        app.setDesktopFileName("medius-coach")
        from PySide6.QtGui import QIcon

        from app.assets import asset_path

        icon = asset_path("icons", "medius-coach.svg")
        if icon.is_file():
            app.setWindowIcon(QIcon(str(icon)))
    return app
