"""Random access for the replay (app.adapters.frame_source.VideoFrames): any frame asked for, in any order, is the very
picture a straight read of the file gives at that index — on a real clip and on a file of numbered frames."""

import random

import cv2
import numpy as np
import pytest

from app.errors import InputError
from app.adapters.frame_source import VideoFileSource, VideoFrames
from medius_testdata import SKIP_NO_CLIPS, VIDEOS_DIR

CLIP = "lateral_stepdown_front_cornell_1.mp4"


def _straight(path):
    source = VideoFileSource(path)
    frames = []
    while (f := source.read()) is not None:
        frames.append(f.bgr)
    source.close()
    return frames


def _check(path, seed):
    expected = _straight(path)
    video = VideoFrames(path)
    try:
        order = list(range(len(expected)))
        rng = random.Random(seed)
        picks = rng.sample(order, 40) + [len(expected) - 1, 0, 1, 2, 50, 49, 48] + list(range(100, 130))
        for i in picks:
            assert np.array_equal(video.frame(i), expected[i]), f"frame {i}"
        assert video.frame(len(expected) + 5) is None
    finally:
        video.close()


def test_seeks_and_steps_return_the_right_pictures_on_a_real_clip():
    path = VIDEOS_DIR / CLIP
    if not path.is_file():
        pytest.skip(SKIP_NO_CLIPS)
    _check(path, seed=3)


def test_every_frame_of_a_numbered_file(tmp_path):
    path = tmp_path / "gop.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30, (160, 120))
    for i in range(240):
        img = np.zeros((120, 160, 3), np.uint8)
        cv2.putText(img, str(i), (10, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (255, 255, 255), 3)
        img[:, :, 1] = i
        writer.write(img)
    writer.release()
    _check(path, seed=4)


def test_not_a_video_is_a_clear_error(tmp_path):
    bad = tmp_path / "x.mp4"
    bad.write_bytes(b"nonsense" * 100)
    with pytest.raises(InputError):
        VideoFrames(bad)
