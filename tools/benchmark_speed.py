"""Speed of the analysis engine against bare MediaPipe inference, on the same clip in one run.

    .venv/bin/python tools/benchmark_speed.py [CLIP ...] [--exercise EX] [--repeats N]

For each clip: (a) bare `PoseLandmarker.detect_for_video` per frame, (b) the whole engine per frame
(`FrameAnalyzer.process`: pose, people search, window tracking, smoothing, measures, counting, faults), (c) the
whole offline `analyze_video` including decoding. Decoding is outside (a) and (b). (a) and (b) run in lockstep,
frame by frame on the same decoded frame, taking turns at going first, so that the load of a shared machine falls
on both alike. Prints medians, p95, frames per second, the ratios (b)/(a) of the medians and of the means, and
how the engine spent its frames: the share of frames with a several-people search and the share tracked in a
window around the exerciser (other people in view).

Targets (issue 13): one person in view ≤ 1.10× bare inference, two people ≤ 1.40× (both as the ratio of means,
which counts the search frames' cost). A clip counts as "two people" when the engine tracked a window on most
of its frames. Exits with 1 when a clip misses its target (timings depend on the machine and its load: this is
a measurement, not a test).
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time

import cv2
import numpy as np

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.pipeline.analysis import FrameAnalyzer, analyze_video  # noqa: E402
from app.adapters.frame_source import VideoFileSource  # noqa: E402
from app.adapters.model_file import DEFAULT_MODEL_PATH  # noqa: E402
from app.adapters.native_logs import native_logs_silenced  # noqa: E402

DEFAULT_CLIPS = {
    "clamshell_banded_front_curvelog_1.mp4": "clamshell",
    "sidelying_leg_raise_front_curvelog_1.mp4": "side-lying-abduction",
    "lateral_stepdown_front_cornell_1.mp4": "step-down",
    "clamshell_front_vincent_1.mp4": "clamshell",
}


def _bare_landmarker():
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(DEFAULT_MODEL_PATH)),
                                           running_mode=vision.RunningMode.VIDEO, num_poses=1)
    with native_logs_silenced():
        return vision.PoseLandmarker.create_from_options(options)


def _bare_step(landmarker, frame, first: bool) -> float:
    """Seconds for one bare VIDEO-mode inference on `frame`, the RGB conversion included."""
    import mediapipe as mp

    t0 = time.perf_counter()
    image = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(frame.bgr, cv2.COLOR_BGR2RGB))
    if first:
        with native_logs_silenced():  # the first frame prints MediaPipe's start-up notices
            landmarker.detect_for_video(image, int(round(frame.t_s * 1000)))
    else:
        landmarker.detect_for_video(image, int(round(frame.t_s * 1000)))
    return time.perf_counter() - t0


def bare_pass(path: pathlib.Path) -> list[float]:
    landmarker = _bare_landmarker()
    source, times = VideoFileSource(path), []
    while (frame := source.read()) is not None:
        times.append(_bare_step(landmarker, frame, first=not times))
    source.close()
    landmarker.close()
    return times


TARGET_ONE_PERSON = 1.10
TARGET_TWO_PEOPLE = 1.40


def lockstep_pass(path: pathlib.Path, exercise: str) -> tuple[list[float], list[float], dict]:
    """Per-frame seconds of bare inference and of FrameAnalyzer.process on the same frames, alternating which
    goes first, and how many frames the engine searched / tracked in a window."""
    landmarker = _bare_landmarker()
    analyzer = FrameAnalyzer(exercise)
    source, bare, engine = VideoFileSource(path), [], []
    while (frame := source.read()) is not None:
        if frame.index % 2:
            t0 = time.perf_counter()
            analyzer.process(frame)
            engine.append(time.perf_counter() - t0)
            bare.append(_bare_step(landmarker, frame, first=not bare))
        else:
            bare.append(_bare_step(landmarker, frame, first=not bare))
            t0 = time.perf_counter()
            analyzer.process(frame)
            engine.append(time.perf_counter() - t0)
    counts = {"frames": analyzer.frames, "searches": analyzer.people_searches,
              "window": analyzer.frames_in_window}
    analyzer.close()
    source.close()
    landmarker.close()
    return bare, engine, counts


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="*", type=pathlib.Path)
    parser.add_argument("--exercise", help="exercise for clips given on the command line")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--videos", type=pathlib.Path, default=REPO.parent / "shared" / "videos")
    args = parser.parse_args()
    clips = [(c, args.exercise) for c in args.clips] or [(args.videos / f, ex) for f, ex in DEFAULT_CLIPS.items()]
    print(f"{'clip':<44} {'bare ms med/p95':>16} {'engine ms med/p95':>18} {'ratio med':>9} {'mean':>6} "
          f"{'search':>7} {'window':>7} {'engine fps':>10} {'offline fps':>11} {'clip fps':>8} {'target':>12}")
    misses = 0
    for path, exercise in clips:
        bare, engine = [], []
        counts = {"frames": 0, "searches": 0, "window": 0}
        for _ in range(args.repeats):
            b_times, e_times, c = lockstep_pass(path, exercise)
            bare += b_times
            engine += e_times
            counts = {k: counts[k] + c[k] for k in counts}
        t0 = time.perf_counter()
        result = analyze_video(path, exercise)
        offline_fps = result.frames / (time.perf_counter() - t0)
        b, e = statistics.median(bare), statistics.median(engine)
        ratio_mean = statistics.mean(engine) / statistics.mean(bare)
        two_people = counts["window"] > counts["frames"] / 2
        target = TARGET_TWO_PEOPLE if two_people else TARGET_ONE_PERSON
        ok = ratio_mean <= target
        misses += not ok
        print(f"{path.name[:44]:<44} {b * 1000:7.1f}/{p95(bare) * 1000:6.1f}   {e * 1000:8.1f}/{p95(engine) * 1000:6.1f}"
              f" {e / b:9.2f} {ratio_mean:6.2f} {counts['searches'] / counts['frames']:7.1%}"
              f" {counts['window'] / counts['frames']:7.1%} {1 / statistics.mean(engine):10.1f}"
              f" {offline_fps:11.1f} {result.fps:8.1f} {('≤' if ok else 'MISSED ') + f'{target:.2f}':>12}")
    print("ratio = engine time / bare inference time per frame, of the medians and of the means (1.00 = no "
          "overhead); search = share of frames with a several-people search (IMAGE mode); window = share tracked "
          "in a window around the exerciser (several people in view); target: one person ≤ "
          f"{TARGET_ONE_PERSON:.2f}, two people ≤ {TARGET_TWO_PEOPLE:.2f} (ratio of means).")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
