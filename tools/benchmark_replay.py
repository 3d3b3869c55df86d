"""Replay speed on a 10-minute set: opening the replay screen, and seeking to fault marks.

    python tools/benchmark_replay.py [--minutes 10] [--runs 3] [--seeks 30]

The set is real: the engine's analysis of a labelled clip (real MediaPipe, once) and the clip's own frames,
repeated back to back to the length asked (times, rep numbers and the counter carried on), written once to
out/bench/ through app.adapters.video_writer. "Open" starts with the per-frame snapshots in memory (as after an analysis)
and ends when the replay window has painted its first picture: building the ReplayModel, opening the video,
the screen's widgets and the best/worst pictures. "Seek" is a jump to a fault mark (what a timeline click does)
until that picture is painted, in random order over the whole set. Also prints random seeks on a real phone
clip (H.264, longer keyframe intervals than our own mp4v files). Then the same set as the app records it
(app.pipeline.set_recording: video + replay data, written once) opened from disk as History's "Replay set" does.
Targets: open < 1 s, seek < 150 ms (medians).
Runs offscreen unless QT_QPA_PLATFORM is set.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import pathlib
import random
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
VIDEOS = ROOT.parent / "shared" / "videos"
CLIP = VIDEOS / "sidelying_leg_raise_front_physiobody_1.mp4"
PHONE_CLIP = VIDEOS / "sidelying_leg_raise_front_curvelog_1.mp4"
EXERCISE = "side-lying-abduction"
OPEN_TARGET_MS, SEEK_TARGET_MS = 1000.0, 150.0


def tiled_set(minutes: float, out_dir: pathlib.Path):
    """(video path, snapshots, frames, reps, warnings, warning frames, fps) of a `minutes`-long set."""
    from app.engine.events import FormWarning
    from app.adapters.frame_source import VideoFileSource
    from app.pipeline.replay_analysis import analyze_for_replay
    from app.adapters.video_writer import VideoWriter

    warning_frames: list[int] = []

    def on_step(frame, step):
        warning_frames.extend(frame.index for e in step.events if isinstance(e, FormWarning))

    replay = analyze_for_replay(CLIP, EXERCISE, on_step=on_step)
    m = replay.model
    n = m.frame_count
    tiles = max(1, round(minutes * 60 * m.fps / n))
    cycle_s = n / m.fps
    video = out_dir / f"replay_{minutes:g}min.mp4"
    if not video.exists():
        source = VideoFileSource(CLIP)
        pictures = []
        while (f := source.read()) is not None:
            pictures.append(f.bgr)
        source.close()
        h, w = pictures[0].shape[:2]
        with VideoWriter(video, m.fps, (w, h)) as writer:
            for _ in range(tiles):
                for bgr in pictures:
                    writer.write(bgr)
    snaps, frames, reps, warnings, wframes = [], [], [], [], []
    for k in range(tiles):
        dt_s, dn = k * cycle_s, k * len(m.reps)
        snaps += [dataclasses.replace(s, t_s=s.t_s + dt_s, reps=s.reps + dn) for s in m.snapshots]
        frames += [f + k * n for f in m.frames]
        reps += [dataclasses.replace(r, index=r.index + dn, t_start_s=r.t_start_s + dt_s, t_peak_s=r.t_peak_s + dt_s,
                                     t_end_s=r.t_end_s + dt_s) for r in m.reps]
        warnings += [dataclasses.replace(w, t_s=w.t_s + dt_s) for w in replay.result.warnings]
        wframes += [f + k * n for f in warning_frames]
    return video, snaps, frames, reps, warnings, wframes, m.fps, replay.result


def recorded_set(out_dir, video, snaps, reps, warnings, wframes, app, painted, runs) -> list[float]:
    """Write the set through app.pipeline.set_recording once (as a live set with recording on), then time opening it."""
    from app.pipeline import set_recording
    from app.engine.events import StepResult
    from app.adapters.frame_source import VideoFileSource
    from ui.replay_open import open_replay

    folder = out_dir / "recordings"
    name = video.stem + "-recorded"
    if not (folder / f"{name}{set_recording.DATA_SUFFIX}").exists():
        events_at: dict[int, list] = {}
        for w, f in zip(warnings, wframes):
            events_at.setdefault(f, []).append(w)
        by_count = {r.index: r for r in reps}
        rec = set_recording.SetRecording(folder, name)
        source = VideoFileSource(video)
        last = 0
        while (frame := source.read()) is not None and frame.index < len(snaps):
            snap = snaps[frame.index]
            events = [by_count[i] for i in range(last + 1, snap.reps + 1)] + events_at.get(frame.index, [])
            last = snap.reps
            while rec._queue.full():  # noqa: SLF001 - a benchmark writing at file speed waits for the encoder
                time.sleep(0.005)
            rec.offer(frame, StepResult(snap, tuple(events)))
        source.close()
        rec.close(timeout_s=600)
        print(f"recorded set written: {rec.frames_written} frames, {rec.dropped} dropped")
    times = []
    for run in range(runs):
        t0 = time.perf_counter()
        replay = set_recording.load(folder / f"{name}.mp4", EXERCISE)
        t1 = time.perf_counter()
        screen = open_replay(replay)
        painted(screen.video, 0)
        times.append((time.perf_counter() - t0) * 1000)
        print(f"open recorded set run {run + 1}: {times[-1]:.0f} ms (reading its replay data {(t1 - t0) * 1000:.0f} ms,"
              f" {replay.model.frame_count} frames, {len(replay.result.reps)} reps)")
        screen.close()
        app.processEvents()
    return times


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seeks", type=int, default=30)
    args = ap.parse_args(argv)
    if not CLIP.is_file():
        print(f"clip not found: {CLIP}", file=sys.stderr)
        return 2
    out_dir = ROOT / "out" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    from ui.qt_env import ensure_app

    app = ensure_app()
    from app.adapters.frame_source import VideoFrames
    from app.pipeline.replay_analysis import Replay
    from app.pipeline.replay_model import ReplayModel
    from ui.replay_screen import ReplayScreen

    t = time.perf_counter()
    video, snaps, frames, reps, warnings, wframes, fps, result = tiled_set(args.minutes, out_dir)
    print(f"set: {video.name}, {len(frames)} frames ({len(frames) / fps / 60:.1f} min), {len(reps)} reps, "
          f"{len(warnings)} warnings (prepared in {time.perf_counter() - t:.1f} s)")

    def painted(view, before: int, timeout_s: float = 5.0) -> None:
        deadline = time.perf_counter() + timeout_s
        while view.frames_painted == before and time.perf_counter() < deadline:
            app.processEvents()

    opens, builds = [], []
    screen = None
    for run in range(args.runs):
        if screen is not None:
            screen.close()
            app.processEvents()
        t0 = time.perf_counter()
        model = ReplayModel(snaps, frames, reps, warnings, exercise=EXERCISE, video=str(video), fps=fps,
                            warning_frames=wframes)
        t1 = time.perf_counter()
        screen = ReplayScreen(Replay(dataclasses.replace(result, video=str(video), reps=reps, warnings=warnings), model))
        screen.resize(1264, 752)
        screen.show()
        painted(screen.video, 0)
        opens.append((time.perf_counter() - t0) * 1000)
        builds.append((t1 - t0) * 1000)
        print(f"open run {run + 1}: {opens[-1]:.0f} ms (of which the per-frame model {builds[-1]:.0f} ms)")
    marks = [m for m in screen.model.marks if m.kind == "fault"]
    rng = random.Random(7)

    def seek_times() -> list[float]:
        out = []
        for mark in rng.sample(marks, min(args.seeks, len(marks))):
            before = screen.video.frames_painted
            t0 = time.perf_counter()
            screen.seek(mark.frame)
            painted(screen.video, before)
            out.append((time.perf_counter() - t0) * 1000)
        return sorted(out)

    early = seek_times()
    print(f"seek to a fault mark right after opening (decoding ahead still running, "
          f"{screen.prefetch.ready} pictures ready): median {statistics.median(early):.1f} ms, max {early[-1]:.1f} ms")
    t0 = time.perf_counter()
    while not screen.prefetch.finished:
        app.processEvents()
        time.sleep(0.01)
    print(f"decoding ahead finished {time.perf_counter() - t0:.1f} s later ({screen.prefetch.ready} pictures)")
    seeks = seek_times()
    screen.close()
    app.processEvents()
    seeks.sort()
    p95 = seeks[min(len(seeks) - 1, int(0.95 * len(seeks)))]
    print(f"seek to a fault mark ({len(seeks)} marks, random order): median {statistics.median(seeks):.1f} ms, "
          f"p95 {p95:.1f} ms, max {seeks[-1]:.1f} ms")
    if PHONE_CLIP.is_file():
        frames_ = VideoFrames(PHONE_CLIP)
        n = frames_.frame_count or 1
        picks = [rng.randrange(n) for _ in range(args.seeks)]
        raw = []
        for i in picks:
            t0 = time.perf_counter()
            frames_.frame(i)
            raw.append((time.perf_counter() - t0) * 1000)
        frames_.close()
        raw.sort()
        print(f"random seeks on {PHONE_CLIP.name} ({frames_.size[0]}x{frames_.size[1]}, decode only): median "
              f"{statistics.median(raw):.1f} ms, p95 {raw[int(0.95 * (len(raw) - 1))]:.1f} ms, max {raw[-1]:.1f} ms")
        from app.pipeline.replay_prefetch import FramePrefetcher

        t0 = time.perf_counter()
        ahead = FramePrefetcher(PHONE_CLIP, picks).start()
        while not ahead.finished:
            time.sleep(0.01)
        fill_s = time.perf_counter() - t0
        got = []
        for i in picks:
            t0 = time.perf_counter()
            assert ahead.picture(i) is not None
            got.append((time.perf_counter() - t0) * 1000)
        ahead.stop()
        got.sort()
        print(f"  the same jumps decoded ahead (app.pipeline.replay_prefetch): {len(set(picks))} pictures ready after "
              f"{fill_s:.1f} s in the background, then a jump costs median {statistics.median(got):.1f} ms, "
              f"max {got[-1]:.1f} ms")
    recorded_opens = recorded_set(out_dir, video, snaps, reps, warnings, wframes, app, painted, args.runs)
    med_open, med_seek = max(statistics.median(opens), statistics.median(recorded_opens)), statistics.median(seeks)
    ok = med_open < OPEN_TARGET_MS and med_seek < SEEK_TARGET_MS
    print(f"replay: open median {med_open:.0f} ms (target < {OPEN_TARGET_MS:.0f}), seek median {med_seek:.1f} ms "
          f"(target < {SEEK_TARGET_MS:.0f}): {'OK' if ok else 'TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
