"""Speed of the analysis engine against bare MediaPipe inference, on the same clip in one run.

    .venv/bin/python tools/benchmark_speed.py [CLIP ...] [--exercise EX] [--repeats N]

For each clip: (a) bare `PoseLandmarker.detect_for_video` per frame, (b) the whole engine per frame
(`FrameAnalyzer.process`: pose, people search, smoothing, measures, counting, faults), (c) the whole offline
`analyze_video` including decoding. Decoding is outside (a) and (b). Passes alternate so that warm-up and
machine load fall on both. Prints medians, p95, frames per second and the ratio (b)/(a).
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time

import numpy as np

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.analysis import FrameAnalyzer, analyze_video  # noqa: E402
from app.frame_source import VideoFileSource  # noqa: E402
from app.model_file import DEFAULT_MODEL_PATH  # noqa: E402
from app.native_logs import native_logs_silenced  # noqa: E402

DEFAULT_CLIPS = {
    "sidelying_leg_raise_front_curvelog_1.mp4": "side-lying-abduction",
    "lateral_stepdown_front_cornell_1.mp4": "step-down",
    "clamshell_front_vincent_1.mp4": "clamshell",
}


def bare_pass(path: pathlib.Path) -> list[float]:
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(DEFAULT_MODEL_PATH)),
                                           running_mode=vision.RunningMode.VIDEO, num_poses=1)
    with native_logs_silenced():
        landmarker = vision.PoseLandmarker.create_from_options(options)
    source, times = VideoFileSource(path), []
    while (frame := source.read()) is not None:
        t0 = time.perf_counter()
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame.bgr[:, :, ::-1]))
        if times:
            landmarker.detect_for_video(image, int(round(frame.t_s * 1000)))
        else:
            with native_logs_silenced():  # the first frame prints MediaPipe's start-up notices
                landmarker.detect_for_video(image, int(round(frame.t_s * 1000)))
        times.append(time.perf_counter() - t0)
    source.close()
    landmarker.close()
    return times


def engine_pass(path: pathlib.Path, exercise: str) -> list[float]:
    source, times = VideoFileSource(path), []
    analyzer = FrameAnalyzer(exercise)
    while (frame := source.read()) is not None:
        t0 = time.perf_counter()
        analyzer.process(frame)
        times.append(time.perf_counter() - t0)
    analyzer.close()
    source.close()
    return times


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="*", type=pathlib.Path)
    parser.add_argument("--exercise", help="exercise for clips given on the command line")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--videos", type=pathlib.Path, default=REPO.parent / "shared" / "videos")
    args = parser.parse_args()
    clips = [(c, args.exercise) for c in args.clips] or [(args.videos / f, ex) for f, ex in DEFAULT_CLIPS.items()]
    print(f"{'clip':<44} {'bare ms med/p95':>16} {'engine ms med/p95':>18} {'ratio':>6} {'engine fps':>10} "
          f"{'offline fps':>11} {'clip fps':>8}")
    for path, exercise in clips:
        bare, engine = [], []
        for _ in range(args.repeats):
            bare += bare_pass(path)
            engine += engine_pass(path, exercise)
        t0 = time.perf_counter()
        result = analyze_video(path, exercise)
        offline_fps = result.frames / (time.perf_counter() - t0)
        b, e = statistics.median(bare), statistics.median(engine)
        print(f"{path.name[:44]:<44} {b * 1000:7.1f}/{p95(bare) * 1000:6.1f}   {e * 1000:8.1f}/{p95(engine) * 1000:6.1f}"
              f" {statistics.mean(engine) / statistics.mean(bare):6.2f} {1 / statistics.mean(engine):10.1f}"
              f" {offline_fps:11.1f} {result.fps:8.1f}")
    print("ratio = mean engine time / mean bare inference time per frame (1.00 = no overhead).")


if __name__ == "__main__":
    main()
