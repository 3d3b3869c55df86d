"""Medius Coach core: everything that is not Qt.

`app` never imports PySide6 or `ui` (import-linter checks it). Inside it, the pure analysis modules
(geometry, filtering, counting, form rules, session plan) import neither OpenCV nor MediaPipe, take time as an
argument and never draw, so recorded landmark traces replay deterministically in tests.
"""

__version__ = "0.1.0"
