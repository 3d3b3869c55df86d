"""Screenshots of the guided single-leg stance test: the live hold and the result card, real engine on a clip.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python tools/stance_screenshots.py [--out DIR]

1. `stance_live.png`: the guided test on the single-leg squat clip (both feet, then the left leg), mid-hold;
2. `stance_result_clip.png`: its result card (the left leg only: the clip never stands on the right);
3. `stance_result_two_sides.png`: a card with both sides, the left from the clip and the right from the same
   clip mirrored (`--transform mirror`), both real analyses;
4. `history_stance.png`: History with five weekly tests (the left side's drop shifted to show a trend).
Saved to out/screenshots/ (gitignored).
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
CLIP = ROOT.parent / "shared" / "videos" / "singleleg_squat_front_musclewiki_barba_1.mp4"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clip", type=pathlib.Path, default=CLIP)
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "out" / "screenshots")
    args = ap.parse_args()
    if not args.clip.exists():
        print(f"clip not found: {args.clip}", file=sys.stderr)
        return 2
    if not os.environ.get("DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="medius-stance-shots-"))
    os.environ.setdefault("MEDIUS_CONFIG_DIR", str(scratch / "config"))
    os.environ.setdefault("MEDIUS_DATA_DIR", str(scratch / "data"))  # never the user's own log
    args.out.mkdir(parents=True, exist_ok=True)

    from ui.qt_env import ensure_app

    qapp = ensure_app()
    from app.settings import LoadResult, Settings, settings_path
    from app.pipeline.stance_analysis import analyze_stance_video
    from app.stance.bouts import StanceResult
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
        qapp.processEvents()
        shot = window.screen().grabWindow(window.winId()) if os.environ.get("DISPLAY") else window.grab()
        path = args.out / f"{name}.png"
        shot.save(str(path))
        print(f"saved {path}")

    window = MainWindow(LoadResult(Settings(), (), settings_path()), str(args.clip), pace=1.0,
                        save_geometry=False)
    window.resize(1280, 800)
    window.show()
    window.open_stance_test()
    screen = window.stance_screen
    if wait_until(lambda: screen.flow.step == "holding" and screen.video.frames_painted > 0, 30):
        wait_until(lambda: False, 1.5)
        save(window, "stance_live")
    wait_until(lambda: screen.result is not None, 60)
    wait_until(lambda: False, 0.3)
    save(window, "stance_result_clip")
    left = analyze_stance_video(args.clip).result
    right = analyze_stance_video(args.clip, transform="mirror").result
    both = StanceResult(None, left.baseline_span_s, left.bouts + right.bouts, left.params)
    screen.card.show_result(both)
    screen.card.saved.setText("Left: the clip; right: the same clip mirrored (both real analyses).")
    wait_until(lambda: False, 0.3)
    save(window, "stance_result_two_sides")
    window.close()
    history_shot(qapp, args.out, scratch, [left, right], wait_until)
    return 0


def history_shot(qapp, out: pathlib.Path, scratch: pathlib.Path, results, wait_until) -> None:
    """History over five weeks of sessions with a stance test each week (the clip's real results, with the
    left side's drop shrinking by a degree a week added to show a trend)."""
    import dataclasses
    import datetime as dt

    sys.path.insert(0, str(ROOT / "tools"))
    import make_history_db

    from app.stance.bouts import StanceResult
    from app.storage import Store
    from app.storage.stance_log import add_stance_test
    from ui.history_entry import open_history

    db = scratch / "history.sqlite3"
    make_history_db.make_day_db(db, sessions=3)
    left, right = results
    today = dt.datetime.combine(dt.date.today(), dt.time(18)).timestamp()
    with Store(db) as store:
        for week in range(5):
            shift = 4.0 - week  # degrees added to the left side's real drop
            bouts = [dataclasses.replace(b, max_pelvic_drop_deg=b.max_pelvic_drop_deg + shift + 4.0,
                                         mean_pelvic_drop_deg=b.mean_pelvic_drop_deg + shift + 4.0)
                     for b in left.bouts] + list(right.bouts)
            add_stance_test(store, StanceResult(None, left.baseline_span_s, bouts, left.params),
                            started_utc_s=today - (4 - week) * 7 * 86400.0, source="screenshot")
    view = open_history(None, Store(db))
    view.stance_history.toggle.setChecked(True)  # unfolded to show the trend
    wait_until(lambda: False, 1.5)
    shot = view.screen().grabWindow(0) if os.environ.get("DISPLAY") else view.grab()
    path = out / "history_stance.png"
    shot.save(str(path))
    print(f"saved {path}")
    view.close()
    qapp.processEvents()


if __name__ == "__main__":
    sys.exit(main())
