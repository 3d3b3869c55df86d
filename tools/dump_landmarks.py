"""Record the raw landmark trace of a video to .npz, for replaying the pure analysis without MediaPipe.

Usage: python tools/dump_landmarks.py VIDEO [VIDEO ...] --out DIR
The .npz holds t_s (N,), xy_px (N,33,2; NaN where no pose), visibility (N,33), world_m (N,33,3), image_size.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from app.adapters.frame_source import VideoFileSource  # noqa: E402
from app.adapters.pose_estimator import PoseEstimator  # noqa: E402


def dump(video: pathlib.Path, out_dir: pathlib.Path) -> pathlib.Path:
    source = VideoFileSource(video)
    t, xy, vis, world = [], [], [], []
    size = (0, 0)
    with PoseEstimator() as estimator:
        while (frame := source.read()) is not None:
            rgb = frame.bgr[:, :, ::-1]
            sample = estimator.detect(rgb, int(round(frame.t_s * 1000)))
            size = (frame.bgr.shape[1], frame.bgr.shape[0])
            t.append(frame.t_s)
            if sample is None:
                xy.append(np.full((33, 2), np.nan)); vis.append(np.zeros(33)); world.append(np.full((33, 3), np.nan))
            else:
                xy.append(sample.xy_px); vis.append(sample.visibility)
                world.append(sample.world_m if sample.world_m is not None else np.full((33, 3), np.nan))
    source.close()
    out = out_dir / (video.stem + ".npz")
    np.savez_compressed(out, t_s=np.array(t), xy_px=np.array(xy), visibility=np.array(vis),
                        world_m=np.array(world), image_size=np.array(size))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="+", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for video in args.videos:
        print(dump(video, args.out), flush=True)


if __name__ == "__main__":
    main()
