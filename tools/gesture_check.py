"""False raised-hand commands on the labelled clips: the gesture detector fed exactly what the live path feeds it.

    .venv/bin/python tools/gesture_check.py [--json out/gesture_check.json]

Every clip in ../shared/videos (every exercise, standing and lying, also the ones that are not ours) runs through
the real engine (FrameAnalyzer, poses from the pose cache where recorded, else MediaPipe) for each of the three
exercises; each tracker snapshot's landmarks go to app.handsfree.gestures.HandRaiseDetector, as in the GUI. Prints, per
clip, the frames with a hand counted as raised, the longest raise, and the commands it would have given (the
target: zero everywhere).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from app.pipeline.analysis import FrameAnalyzer  # noqa: E402
from app.engine.events import Exercise  # noqa: E402
from app.handsfree.gestures import HandRaiseDetector, hand_raised  # noqa: E402
from pose_cache import PoseCache, ReplayMismatch  # noqa: E402
from tests.medius_testdata import VIDEOS_DIR  # noqa: E402


def check_clip(cache: PoseCache, video: pathlib.Path, exercise: Exercise) -> dict:
    for decode in (False, True):
        try:
            with cache.session(video, "none", decode=decode) as (source, estimator):
                analyzer = FrameAnalyzer(exercise, estimator=estimator)
                detector = HandRaiseDetector()
                raised, commands, longest, run_start = 0, [], 0.0, None
                while (frame := source.read()) is not None:
                    snap = analyzer.process(frame).snapshot
                    up = hand_raised(snap.xy_px, snap.visibility)
                    raised += up
                    run_start = (run_start if run_start is not None else frame.t_s) if up else None
                    if run_start is not None:
                        longest = max(longest, frame.t_s - run_start)
                    if detector.update(frame.t_s, snap.xy_px, snap.visibility):
                        commands.append(round(frame.t_s, 2))
            return {"raised_frames": raised, "longest_raise_s": round(longest, 2), "commands": commands}
        except ReplayMismatch:
            continue
    raise RuntimeError(f"{video.name}: could not replay or infer")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", type=pathlib.Path)
    p.add_argument("--exercise", choices=[e.value for e in Exercise], action="append")
    args = p.parse_args()
    cache = PoseCache()
    exercises = [Exercise(e) for e in args.exercise] if args.exercise else list(Exercise)
    results, false_commands = {}, 0
    for video in sorted(VIDEOS_DIR.glob("*.mp4")):
        for exercise in exercises:
            r = check_clip(cache, video, exercise)
            results[f"{video.name} as {exercise.value}"] = r
            false_commands += len(r["commands"])
            print(f"{video.name:62s} {exercise.value:22s} raised frames {r['raised_frames']:4d}  "
                  f"longest {r['longest_raise_s']:4.1f} s  commands {r['commands']}", flush=True)
    print(f"false commands on {len(results)} clip runs: {false_commands}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1))
    return 0 if false_commands == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
