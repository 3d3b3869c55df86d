"""Screenshots of the guided single-leg stance test: the live hold and the result card, real engine on a clip.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python tools/stance_screenshots.py [--out DIR]

1. `stance_live.png`: the guided test on the single-leg squat clip (both feet, then the left leg), mid-hold;
2. `stance_result_clip.png`: its result card (the left leg only: the clip never stands on the right);
3. `stance_result_two_sides.png`: a card with both sides, the left from the clip and the right from the same
   clip mirrored (`--transform mirror`), both real analyses. Saved to out/screenshots/ (gitignored).
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
    from app.stance_analysis import analyze_stance_video
    from app.stance_test import StanceResult
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
