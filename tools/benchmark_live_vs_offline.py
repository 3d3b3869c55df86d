"""Live = offline on a slow computer: every scored clip through the real live pipeline at real time, with each
analysed frame made to take at least --frame-ms (default 50 ms: bare inference on the slower of our machines),
against the offline count of the same clip.

    .venv/bin/python tools/benchmark_live_vs_offline.py [--frame-ms 50] [--clips NAME ...]

The delay is a sleep after the real pose + tracker work of a frame, in a wrapper this script alone uses: the live
pipeline then drops frames exactly as it does on a machine that slow (the newest frame wins), which a fast
machine could not otherwise reproduce. Prints per clip: offline count, live count, frames analysed/dropped,
and whether the live count equals the offline one and the label's accepted range.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VIDEOS = ROOT.parent / "shared" / "videos"


class SlowAnalyzer:
    """The real FrameAnalyzer, padded so each frame takes at least `frame_s` (benchmark only)."""

    def __init__(self, inner, frame_s: float) -> None:
        self.inner, self.frame_s = inner, frame_s

    def process(self, frame):
        t0 = time.perf_counter()
        result = self.inner.process(frame)
        left = self.frame_s - (time.perf_counter() - t0)
        if left > 0:
            time.sleep(left)
        return result

    def close(self) -> None:
        self.inner.close()


def live_count(clip: pathlib.Path, exercise: str, frame_s: float) -> tuple[int, int, int]:
    from app.pipeline.analysis import FrameAnalyzer
    from app.engine.events import RepCompleted
    from app.adapters.frame_source import VideoFileSource
    from app.pipeline.live import LivePipeline, PipelineEvent, SourceEnded

    pipe = LivePipeline(lambda: VideoFileSource(clip), lambda: SlowAnalyzer(FrameAnalyzer(exercise), frame_s),
                        pace=1.0)
    pipe.start()
    reps, ended = 0, False
    deadline = time.monotonic() + 600
    while not ended and time.monotonic() < deadline:
        for out in pipe.drain_events():
            if isinstance(out, PipelineEvent) and isinstance(out.event, RepCompleted):
                reps += 1
            elif isinstance(out, SourceEnded) or not isinstance(out, PipelineEvent):
                ended = True
        time.sleep(0.02)
    processed, dropped = pipe.frames_processed, pipe.frames_dropped
    pipe.stop()
    return reps, processed, dropped


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frame-ms", type=float, default=50.0)
    ap.add_argument("--clips", nargs="*")
    args = ap.parse_args()
    from app.evaluation.counts import scored
    from app.pipeline.analysis import analyze_video

    # Every scored clip, those of the exercises added as data files too (their `planned_exercise_id`).
    labels = scored(json.loads((VIDEOS / "labels.json").read_text()))
    if args.clips:
        labels = [c for c in labels if c["file"] in args.clips]
    equal = 0
    for c in labels:
        clip = VIDEOS / c["file"]
        offline = len(analyze_video(clip, c["exercise_id"]).reps)
        live, processed, dropped = live_count(clip, c["exercise_id"], args.frame_ms / 1000)
        lo, hi = c.get("reps_min", c["reps"]), c.get("reps_max", c["reps"])
        equal += live == offline
        print(f"{c['file']:55s} offline {offline:2d}  live {live:2d}  ({processed} analysed, {dropped} dropped)  "
              f"{'live = offline' if live == offline else 'LIVE DIFFERS'}  label {lo}-{hi} "
              f"{'ok' if lo <= live <= hi else 'OUT OF RANGE'}", flush=True)
    print(f"{equal}/{len(labels)} clips: live count = offline count at {args.frame_ms:.0f} ms per analysed frame")
    return 0 if equal == len(labels) else 1


if __name__ == "__main__":
    sys.exit(main())
