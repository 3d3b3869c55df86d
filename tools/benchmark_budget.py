"""Speed budget, side by side on one clip: bare MediaPipe vs offline analysis vs the live pipeline; frame_step=2.

    python tools/benchmark_budget.py [--clip CLIP] [--exercise EX] [--no-compare]

Each measurement runs in its own child process, so its peak RSS (VmHWM) is its own:
  bare     MediaPipe PoseLandmarker.detect_for_video per frame (tools/benchmark_speed.bare_pass; decoding excluded)
  offline  app.pipeline.analysis.analyze_video (decoding, pose, people search, tracker), per-frame wall time
  live     app.pipeline.live.LivePipeline as fast as possible (pace=None: every frame analysed, none dropped),
           as the GUI builds it (one PoseEstimator as worker context); ms/frame = analyzer.process per frame,
           frames/s = frames / wall time including decoding on the capture thread
Then (unless --no-compare) app.evaluation.counts.evaluate(frame_step=1) vs frame_step=2 on every labelled clip: does
analysing every second frame keep every count identical?
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tools"))

DEFAULT_CLIP = REPO.parent / "shared" / "videos" / "sidelying_leg_raise_front_curvelog_1.mp4"


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM:"))


def _stats(times_s: list[float], wall_s: float) -> dict:
    import numpy as np

    return {"frames": len(times_s), "fps": len(times_s) / wall_s, "ms_median": statistics.median(times_s) * 1000,
            "ms_p95": float(np.percentile(times_s, 95)) * 1000, "wall_s": wall_s, "peak_rss_mb": _peak_rss_mb()}


def measure_bare(clip: pathlib.Path, exercise: str) -> dict:
    from benchmark_speed import bare_pass

    t0 = time.perf_counter()
    times = bare_pass(clip)
    return _stats(times, sum(times)) | {"wall_incl_decode_s": time.perf_counter() - t0}


def measure_offline(clip: pathlib.Path, exercise: str) -> dict:
    from app.pipeline.analysis import analyze_video

    stamps = []
    t0 = time.perf_counter()
    result = analyze_video(clip, exercise, progress=lambda done, total: stamps.append(time.perf_counter()))
    wall = time.perf_counter() - t0
    times = [b - a for a, b in zip(stamps, stamps[1:])]
    return _stats(times, wall) | {"frames": result.frames, "fps": result.frames / wall, "clip_fps": result.fps,
                                  "reps": len(result.reps)}


def measure_live(clip: pathlib.Path, exercise: str) -> dict:
    from app.pipeline.analysis import FrameAnalyzer
    from app.adapters.frame_source import VideoFileSource
    from app.pipeline.live import LivePipeline, PipelineError, SourceEnded
    from app.adapters.pose_estimator import PoseEstimator

    times: list[float] = []

    class Timed(FrameAnalyzer):
        def process(self, frame):
            t = time.perf_counter()
            try:
                return super().process(frame)
            finally:
                times.append(time.perf_counter() - t)

    pipe = LivePipeline(lambda: VideoFileSource(clip), lambda est: Timed(exercise, estimator=est), pace=None,
                        worker_context=PoseEstimator)
    t0 = time.perf_counter()
    pipe.start()
    reps = 0
    done = False
    while not done:
        for out in pipe.drain_events():
            if isinstance(out, PipelineError):
                raise RuntimeError(out.message)
            done = done or isinstance(out, SourceEnded)
            reps += type(getattr(out, "event", None)).__name__ == "RepCompleted"
        pipe.take_snapshot()
        time.sleep(1 / 60)
    wall = time.perf_counter() - t0
    pipe.stop()
    return _stats(times, wall) | {"fps": len(times) / wall, "dropped": pipe.frames_dropped, "reps": reps}


MODES = {"bare": measure_bare, "offline": measure_offline, "live": measure_live}


def run_child(mode: str, clip: pathlib.Path, exercise: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--clip", str(clip), "--exercise", exercise],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare_frame_step(videos: pathlib.Path) -> list[tuple]:
    from app.evaluation import counts as evaluation
    rows = []
    one = {s.file: s for s in evaluation.evaluate(videos, frame_step=1)}
    two = {s.file: s for s in evaluation.evaluate(videos, frame_step=2)}
    for name, a in one.items():
        b = two[name]
        rows.append((name, a.expected_min, a.expected_max, a.counted, b.counted, a.exact, b.exact, a.seconds,
                     b.seconds, a.peaks_matched, b.peaks_matched))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=pathlib.Path, default=DEFAULT_CLIP)
    parser.add_argument("--exercise", default="side-lying-abduction")
    parser.add_argument("--no-compare", action="store_true", help="skip the frame_step=1 vs 2 accuracy comparison")
    parser.add_argument("--child", choices=list(MODES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(MODES[args.child](args.clip, args.exercise)))
        return 0
    if not args.clip.is_file():
        print(f"benchmark_budget: clip not found: {args.clip}", file=sys.stderr)
        return 2
    results = {mode: run_child(mode, args.clip, args.exercise) for mode in MODES}
    bare = results["bare"]
    clip_fps = results["offline"]["clip_fps"]
    print(f"{args.clip.name} ({args.exercise}), {results['offline']['frames']} frames at {clip_fps:.2f} fps")
    print(f"{'':<9}{'frames/s':>9}{'ms med':>8}{'ms p95':>8}{'peak RSS MB':>12}{'ms vs bare':>11}{'× real time':>12}")
    for mode, r in results.items():
        print(f"{mode:<9}{r['fps']:9.1f}{r['ms_median']:8.1f}{r['ms_p95']:8.1f}{r['peak_rss_mb']:12.0f}"
              f"{r['ms_median'] / bare['ms_median']:11.2f}{r['fps'] / clip_fps:12.2f}")
    print("bare excludes decoding; offline and live frames/s include it; live = pace=None (as fast as possible, "
          f"{results['live'].get('dropped', 0)} dropped).")
    off = results["offline"]
    verdict = "faster" if off["fps"] >= clip_fps else "SLOWER"
    print(f"offline analysis is {verdict} than real time: {off['fps']:.1f} vs {clip_fps:.2f} fps "
          f"({off['fps'] / clip_fps:.2f}×)")
    if args.no_compare:
        return 0
    videos = args.clip.parent
    print(f"\nframe_step=1 vs 2 on the labelled clips in {videos}:")
    rows = compare_frame_step(videos)
    print(f"{'clip':<52}{'expected':>9}{'step1':>6}{'step2':>6}{'same':>5}{'s1 s':>7}{'s2 s':>7}{'peaks±1s 1/2':>14}")
    for name, lo, hi, c1, c2, e1, e2, s1, s2, p1, p2 in rows:
        exp = f"{lo}" if lo == hi else f"{lo}-{hi}"
        print(f"{name:<52}{exp:>9}{c1:>6}{c2:>6}{'yes' if c1 == c2 else 'NO':>5}{s1:7.1f}{s2:7.1f}"
              f"{f'{p1}/{c1} {p2}/{c2}':>14}")
    same = sum(r[3] == r[4] for r in rows)
    exact1, exact2 = sum(r[5] for r in rows), sum(r[6] for r in rows)
    t1, t2 = sum(r[7] for r in rows), sum(r[8] for r in rows)
    print(f"identical counts on {same}/{len(rows)} clips; exact {exact1}/{len(rows)} (step 1) vs {exact2}/{len(rows)}"
          f" (step 2); time {t1:.0f} s vs {t2:.0f} s ({t1 / max(t2, 1e-9):.2f}× faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
