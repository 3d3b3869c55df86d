"""Soak test of the live pipeline: memory, threads and open files over a long run, and over many start/stops.

    python tools/soak.py [--minutes 30] [--clip CLIP] [--exercise EX]   # a looping video at real time
    python tools/soak.py --cycles 200                                   # start → first frame → stop, N times

The soak runs app.pipeline.live.LivePipeline exactly as the GUI builds it (ui/engine.py: one PoseEstimator per run
as the worker context, a FrameAnalyzer per set, the video looping at real-time pace) with a consumer that drains
events and takes snapshots at 30 Hz, as the GUI's bridge does; it does not open Qt widgets (the GUI's own
resources are covered by the GUI tests). Every minute it records RSS and thread count (/proc/self/status) and
open file descriptors (/proc/self/fd). Verdict: RSS growth after the first minute < 20 MB, and no growth in
threads or descriptors. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import gc
import os
import pathlib
import sys
import threading
import time
from dataclasses import dataclass

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.pipeline.analysis import FrameAnalyzer  # noqa: E402
from app.adapters.frame_source import VideoFileSource  # noqa: E402
from app.pipeline.live import LivePipeline, PipelineError  # noqa: E402

DEFAULT_CLIP = REPO.parent / "shared" / "videos" / "sidelying_leg_raise_front_curvelog_1.mp4"
RSS_GROWTH_LIMIT_MB = 20.0


@dataclass(frozen=True)
class Usage:
    t_s: float
    rss_mb: float
    threads: int  # native threads of the process (MediaPipe's included)
    py_threads: int
    fds: int


def usage(t0: float = 0.0) -> Usage:
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return Usage(t_s=time.monotonic() - t0, rss_mb=int(fields["VmRSS"].split()[0]) / 1024,
                 threads=int(fields["Threads"]), py_threads=threading.active_count(),
                 fds=len(os.listdir("/proc/self/fd")))


def peak_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def make_pipeline(clip: pathlib.Path, exercise: str, *, pace: float | None = 1.0, loop: bool = True) -> LivePipeline:
    """As ui/engine.py builds it: the estimator is the worker context, shared by the sets' analyzers."""
    from app.adapters.pose_estimator import PoseEstimator

    return LivePipeline(lambda: VideoFileSource(clip), lambda estimator: FrameAnalyzer(exercise, estimator=estimator),
                        pace=pace, loop=loop, worker_context=PoseEstimator)


def consume(pipe: LivePipeline, seconds: float, counts: dict) -> None:
    """The GUI's side: drain the lossless events and take the newest snapshot, 30 times a second."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for output in pipe.drain_events():
            counts["events"] += 1
            if isinstance(output, PipelineError):
                raise RuntimeError(f"pipeline failed during the soak: {output.message}")
        if pipe.take_snapshot() is not None:
            counts["snapshots"] += 1
        time.sleep(1 / 30)


def soak(clip: pathlib.Path, exercise: str, minutes: float, interval_s: float = 60.0,
         print_row=lambda text: print(text, flush=True)) -> tuple[list[Usage], dict]:
    t0 = time.monotonic()
    rows = [usage(t0)]
    print_row(_row(rows[0], None))
    counts = {"events": 0, "snapshots": 0}
    pipe = make_pipeline(clip, exercise)
    pipe.start()
    try:
        while time.monotonic() - t0 < minutes * 60:
            consume(pipe, min(interval_s, minutes * 60 - (time.monotonic() - t0)), counts)
            rows.append(usage(t0))
            print_row(_row(rows[-1], pipe))
    finally:
        pipe.stop()
    counts["frames_processed"] = pipe.frames_processed
    counts["frames_dropped"] = pipe.frames_dropped
    gc.collect()
    rows.append(usage(t0))
    print_row(_row(rows[-1], None) + "  (after stop)")
    return rows, counts


def soak_verdict(rows: list[Usage]) -> tuple[bool, str]:
    """Rows: [before start, minute 1, minute 2, ..., after stop]."""
    running = rows[1:-1]
    if len(running) < 2:
        return False, "too short: needs at least two samples while running"
    first = running[0]
    growth = max(r.rss_mb for r in running[1:]) - first.rss_mb
    thread_growth = max(r.threads for r in running[1:]) - first.threads
    fd_growth = max(r.fds for r in running[1:]) - first.fds
    after, before = rows[-1], rows[0]
    ok = growth < RSS_GROWTH_LIMIT_MB and thread_growth <= 0 and fd_growth <= 0
    ok = ok and after.py_threads == before.py_threads and after.fds <= before.fds + 1
    text = (f"RSS growth after the first sample {growth:+.1f} MB (limit {RSS_GROWTH_LIMIT_MB:.0f}), threads "
            f"{thread_growth:+d}, fds {fd_growth:+d} while running; after stop: python threads "
            f"{after.py_threads - before.py_threads:+d}, fds {after.fds - before.fds:+d} vs before start")
    return ok, text


def start_stop_cycles(clip: pathlib.Path, exercise: str, cycles: int,
                      print_row=lambda text: print(text, flush=True)) -> tuple[Usage, Usage, Usage]:
    """Start a pipeline, wait for its first analysed frame, stop it; `cycles` times. Returns (before the first,
    after the first (the baseline: libraries and MediaPipe's thread pools are loaded once), after the last)."""
    t0 = time.monotonic()
    before = usage(t0)
    baseline = None
    for i in range(cycles):
        pipe = make_pipeline(clip, exercise)
        pipe.start()
        deadline = time.monotonic() + 30
        while pipe.frames_processed < 1 and time.monotonic() < deadline:
            for output in pipe.drain_events():
                if isinstance(output, PipelineError):
                    raise RuntimeError(output.message)
            time.sleep(0.01)
        pipe.stop()
        if pipe.running:
            raise RuntimeError(f"cycle {i + 1}: threads still running after stop()")
        pipe.drain_events()
        del pipe
        if i == 0:
            gc.collect()
            baseline = usage(t0)
        if print_row and (i + 1) % max(1, cycles // 10) == 0:
            print_row(f"  cycle {i + 1:>4}: " + _row(usage(t0), None))
    gc.collect()
    return before, baseline, usage(t0)


def trimmed_rss_mb() -> float:
    """RSS after glibc returns its free heap pages to the system: what is really held, not fragmentation.

    Each start builds MediaPipe graphs on a new thread; glibc gives threads their own malloc arenas, and freed
    graph memory stays in them as free-but-mapped pages. RSS then climbs for a while and levels off; a real leak
    survives malloc_trim, fragmentation does not."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    return usage().rss_mb


def cycles_verdict(baseline: Usage, after: Usage, *, check_rss: bool = True) -> tuple[bool, str]:
    trimmed = trimmed_rss_mb()
    ok = after.threads <= baseline.threads and after.py_threads <= baseline.py_threads and after.fds <= baseline.fds
    if check_rss:
        ok = ok and trimmed - baseline.rss_mb < RSS_GROWTH_LIMIT_MB
    return ok, (f"after the first cycle → after the last: RSS {baseline.rss_mb:.1f} → {after.rss_mb:.1f} MB "
                f"({after.rss_mb - baseline.rss_mb:+.1f}; {trimmed:.1f} MB after malloc_trim, "
                f"{trimmed - baseline.rss_mb:+.1f}), threads {baseline.threads} → {after.threads}, "
                f"python threads {baseline.py_threads} → {after.py_threads}, fds {baseline.fds} → {after.fds}")


def _row(u: Usage, pipe: LivePipeline | None) -> str:
    extra = f"  frames {pipe.frames_processed:>7} dropped {pipe.frames_dropped:>6}" if pipe is not None else ""
    return (f"{u.t_s / 60:7.1f} min  RSS {u.rss_mb:8.1f} MB  threads {u.threads:>3} (python {u.py_threads:>2})  "
            f"fds {u.fds:>4}{extra}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between samples (default 60)")
    parser.add_argument("--cycles", type=int, help="start/stop this many times instead of soaking")
    parser.add_argument("--clip", type=pathlib.Path, default=DEFAULT_CLIP)
    parser.add_argument("--exercise", default="side-lying-abduction")
    args = parser.parse_args(argv)
    if not args.clip.is_file():
        print(f"soak: clip not found: {args.clip} (give one with --clip)", file=sys.stderr)
        return 2
    if args.cycles:
        print(f"start → first frame → stop, {args.cycles} times, on {args.clip.name}", flush=True)
        before, baseline, after = start_stop_cycles(args.clip, args.exercise, args.cycles)
        print("before the first cycle: " + _row(before, None))
        ok, text = cycles_verdict(baseline, after)
    else:
        print(f"soak: {args.clip.name} looping at real time for {args.minutes:g} min ({args.exercise})")
        rows, counts = soak(args.clip, args.exercise, args.minutes, args.interval)
        print(f"events {counts['events']}, snapshots taken {counts['snapshots']}, frames analysed "
              f"{counts['frames_processed']}, dropped {counts['frames_dropped']}, peak RSS {peak_rss_mb():.1f} MB")
        ok, text = soak_verdict(rows)
    print(("PASS: " if ok else "FAIL: ") + text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
