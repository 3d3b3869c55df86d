"""Screenshots of the real app on a labelled clip: instruction card, live set (skeleton + counter), rest, summary.

    xvfb-run -a -s "-screen 0 1280x800x24" /work/venv/bin/python tools/screenshots.py [--clip PATH] [--out DIR]
    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python tools/screenshots.py --history-only

`--history-only` (also done at the end of a full run): the History window opened as the app opens it (sized to
the screen) on a one-day log of three sessions and on five years of daily sessions, a whole-screen capture each.
`--replay-only` (also at the end of a full run): the replay screen of the cue clip, analysed by the real engine,
at its first fault mark.

Runs the real engine (pose + tracker) on the clip at real time, exactly as `medius --source CLIP` would, and
saves PNGs to out/screenshots/ (gitignored). Without a display it falls back to Qt's offscreen platform.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_CLIP = ROOT.parent / "shared" / "videos" / "lateral_stepdown_front_cornell_1.mp4"
CUE_CLIP = ROOT.parent / "shared" / "videos" / "sidelying_leg_raise_front_physiobody_1.mp4"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clip", type=pathlib.Path, default=DEFAULT_CLIP, help="a step-down clip")
    ap.add_argument("--cue-clip", type=pathlib.Path, default=CUE_CLIP, help="a side-lying clip with a form fault")
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "out" / "screenshots")
    ap.add_argument("--history-only", action="store_true", help="only the History window shots")
    ap.add_argument("--replay-only", action="store_true", help="only the replay screen shot")
    args = ap.parse_args()
    if not (args.history_only or args.replay_only) and not args.clip.exists():
        print(f"clip not found: {args.clip}", file=sys.stderr)
        return 2
    if not os.environ.get("DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("MEDIUS_CONFIG_DIR", tempfile.mkdtemp(prefix="medius-shots-"))
    args.out.mkdir(parents=True, exist_ok=True)

    from ui.qt_env import ensure_app

    qapp = ensure_app()
    if args.history_only:
        return history_shots(qapp, args.out)
    if args.replay_only:
        return replay_shots(qapp, args.out, args.cue_clip)
    from app.engine.events import Exercise
    from app.session.plan import ExerciseBlock, Phase, SessionPlan
    from app.settings import LoadResult, Settings, settings_path
    from ui.main_window import MainWindow

    def wait_until(cond, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            qapp.processEvents()
            if cond():
                return True
            time.sleep(0.01)
        return False

    def save(window, name: str) -> None:
        for _ in range(5):
            qapp.processEvents()
        path = args.out / f"{name}.png"
        shot = window.screen().grabWindow(window.winId()) if os.environ.get("DISPLAY") else window.grab()
        if shot.isNull() or shot.width() < 10:
            shot = window.grab()
        shot.save(str(path))
        print(f"saved {path} ({shot.width()}x{shot.height()})")

    loaded = LoadResult(Settings(mirror=False), (), settings_path())
    window = MainWindow(loaded, str(args.clip), pace=1.0, save_geometry=False)
    window.resize(1280, 800)
    window.show()
    wait_until(lambda: window.isVisible(), 5)
    save(window, "0_plan")
    c = window.controller
    plan = SessionPlan(blocks=(ExerciseBlock(Exercise.STEP_DOWN, sets=2, reps_per_set=5, sides=("auto",)),), rest_s=60)
    c.start_session(plan)
    save(window, "1_instruction")
    c.start_set()
    run = c.run
    # A moment in the middle of a rep, with the skeleton on the person and a few reps counted.
    wait_until(lambda: run.current_result.reps >= 3, 60)
    wait_until(lambda: window.live.rom.fraction > 0.6, 10)
    save(window, "2_live_set")
    wait_until(lambda: run.phase is Phase.REST, 60)
    qapp.processEvents()
    time.sleep(1.2)
    wait_until(lambda: False, 0.3)
    save(window, "3_rest")
    c.next()  # start set 2 now
    wait_until(lambda: run.phase is Phase.SUMMARY, 90)
    save(window, "4_summary")
    if args.cue_clip.exists():
        # The home recording with a leg raised far above hip height: the live screen with a form cue showing.
        c.source = str(args.cue_clip)
        c.start_session(SessionPlan(blocks=(ExerciseBlock(Exercise.SIDE_LYING_ABDUCTION, sets=1, reps_per_set=10,
                                                          sides=("auto",)),), rest_s=60))
        c.start_set()
        window.live.toggle_detail()  # the physiotherapist's view: angles and timed faults
        if wait_until(lambda: bool(window.live.video.cue), 20):
            wait_until(lambda: False, 0.4)
            save(window, "5_live_cue_therapist_detail")
        c.end_session()
    window.close()
    return history_shots(qapp, args.out) or replay_shots(qapp, args.out, args.cue_clip)


def replay_shots(qapp, out: pathlib.Path, clip: pathlib.Path) -> int:
    """The replay window (as the app opens it, sized to the screen) of a side-lying clip at its first fault."""
    from app.pipeline.replay_analysis import analyze_for_replay
    from ui.replay_open import open_replay

    if not clip.exists():
        print(f"clip not found: {clip}", file=sys.stderr)
        return 2
    screen = open_replay(analyze_for_replay(clip, "side-lying-abduction"))
    marks = [m for m in screen.model.marks if m.kind == "fault"]
    if marks:
        screen.seek(marks[-1].shown_frame + 3)  # the fault listed and its cue on the video
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.01)
    shot = screen.screen().grabWindow(0) if os.environ.get("DISPLAY") else screen.grab()
    path = out / "replay_fault_mark.png"
    shot.save(str(path))
    print(f"saved {path}: window {screen.frameGeometry().width()}x{screen.frameGeometry().height()}")
    screen.close()
    qapp.processEvents()
    return 0


def history_shots(qapp, out: pathlib.Path) -> int:
    """History on a one-day log (three sessions) and on five years, as `open_history` sizes it to this screen."""
    sys.path.insert(0, str(ROOT / "tools"))
    import make_history_db

    from app.storage import Store
    from ui.history_entry import open_history

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="medius-history-shots-"))
    for name, make in (("history_one_day", lambda p: make_history_db.make_day_db(p, sessions=3)),
                       ("history_five_years", lambda p: make_history_db.make_years_db(p, years=5))):
        db = tmp / f"{name}.sqlite3"
        make(db)
        view = open_history(None, Store(db))
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            qapp.processEvents()
            time.sleep(0.01)
        screen = view.screen().geometry()
        shot = view.screen().grabWindow(0) if os.environ.get("DISPLAY") else view.grab()
        path = out / f"{name}.png"
        shot.save(str(path))
        g = view.frameGeometry()
        print(f"saved {path}: window {g.width()}x{g.height()} at ({g.x()},{g.y()}) on a "
              f"{screen.width()}x{screen.height()} screen")
        view.close()
        qapp.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
