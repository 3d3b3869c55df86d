"""`medius session`: the guided GUI session, prepared on the command line (tests, demos, a physio's recording).

    medius session --source clip.mp4 --loop --exercise clamshell --sets 2 --reps 5 --rest 10 --hands-free \\
        --summary-json out.json
    medius session --source clip.mp4 --program anna-2026-12-01.medius.toml --hands-free   # a therapist's programme

It is the real GUI (main window, controller, engine on its threads, exercise log attached); with
QT_QPA_PLATFORM=offscreen it runs with no screen. `--hands-free` turns every automatic step on whatever the saved
settings say, so the session needs nobody at the keyboard; the summary counts the key presses the window
received, which is how a test proves that none was needed. The process ends when the summary screen shows.
Exit codes: 0 every set reached its target, 1 the session ended otherwise, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
from dataclasses import replace

SIDE_CHOICES = ("auto", "left", "right", "both")


def parser() -> argparse.ArgumentParser:
    from app.engine.events import Exercise
    from app.session.plan import MAX_REPS_PER_SET, MAX_REST_S, MAX_SETS

    p = argparse.ArgumentParser(prog="medius session", description="Run one exercise as a guided GUI session.")
    p.add_argument("--source", required=True, help="a video file, or a camera number")
    p.add_argument("--loop", action="store_true", help="restart the video at its end")
    p.add_argument("--exercise", choices=[e.value for e in Exercise])
    p.add_argument("--program", metavar="FILE", type=pathlib.Path,
                   help="run a physiotherapist's programme file (*.medius.toml) instead of one --exercise")
    p.add_argument("--sets", type=int, default=3, help=f"sets per side, 1..{MAX_SETS}")
    p.add_argument("--reps", type=int, default=10, help=f"reps per set, 1..{MAX_REPS_PER_SET}")
    p.add_argument("--sides", nargs="+", choices=SIDE_CHOICES, default=["auto"],
                   help="auto (default: one series on the side the tracker sees), left, right, or both")
    p.add_argument("--rest", type=float, default=60.0, help=f"rest between sets in seconds, 0..{MAX_REST_S:g}")
    p.add_argument("--hands-free", action="store_true",
                   help="start sets, notice the side change, gestures and voice: all on, whatever the settings say")
    p.add_argument("--summary-json", type=pathlib.Path, help="write the session's outcome here when it ends")
    p.add_argument("--fast", action="store_true", help=argparse.SUPPRESS)  # read files as fast as analysed
    return p


def build_plan(args):
    """ValueError (a DataFileError for a bad programme file) says what is wrong with the arguments."""
    from app.engine.events import Exercise
    from app.session.plan import ExerciseBlock, SessionPlan

    if args.program is not None:
        from app.session.programme import to_plan
        from app.session.programme_file import load_programme

        return to_plan(load_programme(args.program), args.program.name)
    if args.exercise is None:
        raise ValueError("give --exercise or --program")

    sides: list[str] = []
    for s in args.sides:
        for side in (("left", "right") if s == "both" else (s,)):
            if side not in sides:
                sides.append(side)
    block = ExerciseBlock(Exercise(args.exercise), sets=args.sets, reps_per_set=args.reps, sides=tuple(sides))
    return SessionPlan(blocks=(block,), rest_s=args.rest, name="Command line")


def summary(run, key_presses: int) -> dict:
    from app.session.plan import summary_rows

    rows = summary_rows(run)
    return {
        "completed": not run.ended_early and all(r["outcome"] == "done" for r in rows),
        "key_presses": key_presses,
        "sets": [{k: r[k] for k in ("exercise", "side", "set", "reps", "target", "faults")} for r in rows],
    }


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    try:
        plan = build_plan(args)
    except ValueError as exc:
        print(f"medius session: {exc}", file=sys.stderr)
        return 2
    source = args.source
    if not source.isdigit() and not pathlib.Path(source).is_file():
        print(f"medius session: no such video file: {source}", file=sys.stderr)
        return 2
    from ui.launcher import _setup_logging

    _setup_logging()
    from ui.qt_env import ensure_app

    qapp = ensure_app(sys.argv[:1])
    from PySide6.QtCore import QEvent, QObject, QTimer

    from app.settings import LoadResult, load_settings
    from ui.history_entry import attach_recorder
    from ui.main_window import MainWindow

    loaded = load_settings()
    settings = loaded.settings
    if args.hands_free:
        settings = replace(settings, auto_start=True, wait_for_side=True, gesture_control=True, voice_control=True)

    class KeyCounter(QObject):
        presses = 0

        def eventFilter(self, obj, event):  # noqa: N802 - Qt API
            # Counted once per key, at the window (a key press also travels through its child widgets).
            if event.type() == QEvent.Type.KeyPress and obj is window.windowHandle():
                KeyCounter.presses += 1
            return False

    window = MainWindow(LoadResult(settings, loaded.warnings, loaded.path), source, loop=args.loop,
                        pace=None if args.fast else 1.0)
    window.recorder_bridge = attach_recorder(window)
    counter = KeyCounter()
    qapp.installEventFilter(counter)
    outcome: dict = {}

    def on_phase(phase: str) -> None:
        if phase == "summary" and not outcome:
            outcome.update(summary(window.controller.run, KeyCounter.presses))
            if args.summary_json:
                args.summary_json.parent.mkdir(parents=True, exist_ok=True)
                args.summary_json.write_text(json.dumps(outcome, indent=1) + "\n", encoding="utf-8")
            QTimer.singleShot(0, window.close)

    window.controller.phase_changed.connect(on_phase)
    window.show()
    window.controller.start_session(plan)
    qapp.exec()
    return 0 if outcome.get("completed") else 1
