"""Runs the real `medius` GUI (ui.launcher.main, with the exercise log attached) through one whole set on a
clip, then opens History, and quits. tests/privacy/test_no_network.py runs this under strace.

    python tests/privacy/gui_set_driver.py CLIP EXERCISE

The session is started from a timer, as a user's click would start it; everything else is the launcher's own
path: the native-log routing, the settings, the recorder writing the SQLite log, the engine on its threads.
"""

from __future__ import annotations

import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))


def main() -> int:
    clip, exercise = sys.argv[1], sys.argv[2]
    from ui.qt_env import ensure_app

    qapp = ensure_app(sys.argv[:1])
    from PySide6.QtCore import QTimer

    from app.engine.events import Exercise
    from app.session.plan import ExerciseBlock, Phase, SessionPlan
    from ui import launcher
    from ui.main_window import MainWindow

    outcome = {"summary": False, "history": False}
    started = time.monotonic()

    def drive() -> None:
        window = next((w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)
        if time.monotonic() - started > 120:
            qapp.exit(3)
            return
        if window is None:
            QTimer.singleShot(50, drive)
            return
        c = window.controller
        if c.run is None:
            plan = SessionPlan(blocks=(ExerciseBlock(Exercise(exercise), sets=1, reps_per_set=30, sides=("auto",)),),
                               rest_s=0)
            c.start_session(plan)
            c.start_set()
        elif c.run.phase is Phase.SUMMARY and not outcome["summary"]:
            outcome["summary"] = True
            from ui.history_entry import open_history

            history = open_history(window)
            outcome["history_rows"] = history is not None
        elif outcome["summary"]:
            outcome["history"] = True
            for w in qapp.topLevelWidgets():
                w.close()
            qapp.quit()
            return
        QTimer.singleShot(50, drive)

    QTimer.singleShot(0, drive)
    code = launcher.main(["--source", clip, "--fast"])
    print(f"summary={outcome['summary']} history={outcome['history']}")
    return code if outcome["history"] else 4


if __name__ == "__main__":
    sys.exit(main())
