"""Screenshots of the programme editor and of the plan screen with a programme loaded.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python tools/programme_screenshots.py [--out DIR]

Builds a sample programme (the library's first five exercises, one with the therapist's own limit and a note), shows
it in the editor, saves it, and opens the file in a fresh main window as a patient would. PNGs go to
out/screenshots/ (gitignored); without a display Qt's offscreen platform is used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def sample_programme():
    from app.engine.events import Exercise
    from app.session.programme import Programme, ProgrammeEntry, default_limits, limit_range, new_entry

    entries = []
    for i, e in enumerate(list(Exercise)[:5]):  # a programme of five, as a therapist would hand out
        entry = new_entry(e)
        if i == 0 and entry.hold_s is None:
            code = next(iter(default_limits(e)))
            low, high = limit_range(e, code)
            entry = ProgrammeEntry(e, sets=3, reps=12, sides="both", rest_s=45,
                                   limits=((code, round(low + (high - low) / 4, 1)),),
                                   note="Slowly on the way down — count to two.")
        elif entry.hold_s is not None:
            entry = ProgrammeEntry(e, sets=2, reps=None, hold_s=15, sides="left", rest_s=30,
                                   note="Left side only this week.")
        entries.append(entry)
    return Programme(title="Hip strength, weeks 3–4", patient="Zoë Müller", therapist="Dr Sam Ng, physiotherapist",
                     date=dt.date(2026, 12, 1), note="Every other day. Stop and call me if the hip hurts.",
                     entries=tuple(entries))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "out" / "screenshots")
    args = ap.parse_args()
    if not os.environ.get("DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("MEDIUS_CONFIG_DIR", tempfile.mkdtemp(prefix="medius-shots-"))
    args.out.mkdir(parents=True, exist_ok=True)

    from ui.qt_env import ensure_app

    qapp = ensure_app()
    from app.settings import LoadResult, Settings, settings_path
    from ui.main_window import MainWindow
    from ui.programme_editor import ProgrammeEditor

    def settle(widget) -> None:
        for _ in range(20):
            qapp.processEvents()
        widget.repaint()
        qapp.processEvents()

    programme = sample_programme()
    editor = ProgrammeEditor(programme=programme)
    editor.show()
    editor.list.setCurrentRow(0)
    settle(editor)
    editor.grab().save(str(args.out / "programme_editor.png"))
    hold_row = next((i for i, e in enumerate(programme.entries) if e.hold_s is not None), None)
    if hold_row is not None:
        editor.list.setCurrentRow(hold_row)
        settle(editor)
        editor.grab().save(str(args.out / "programme_editor_hold.png"))
    path = pathlib.Path(tempfile.mkdtemp(prefix="medius-programme-")) / programme.suggested_file_name()
    editor.save_to(path)
    editor.close()

    window = MainWindow(LoadResult(Settings(), (), settings_path()), save_geometry=False)
    window.resize(1280, 800)
    window.show()
    window.plan_screen.open_programme_file(path)
    settle(window)
    window.grab().save(str(args.out / "programme_plan_screen.png"))
    window.close()
    print(f"saved {args.out / 'programme_editor.png'} and {args.out / 'programme_plan_screen.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
