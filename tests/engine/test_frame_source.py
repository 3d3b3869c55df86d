import cv2
import numpy as np
import pytest

from app.errors import InputError
from app.adapters.frame_source import VideoFileSource, open_source


def write_video(path, n=20, fps=25.0, size=(64, 48)):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for i in range(n):
        writer.write(np.full((size[1], size[0], 3), i * 10 % 255, np.uint8))
    writer.release()


def test_timestamps_strictly_increase_and_all_frames_arrive(tmp_path):
    path = tmp_path / "v.mp4"
    write_video(path)
    src = VideoFileSource(path)
    times = []
    while (f := src.read()) is not None:
        times.append(f.t_s)
    src.close()
    assert len(times) == 20
    assert all(b > a for a, b in zip(times, times[1:]))
    assert times[1] == pytest.approx(1 / 25, abs=0.01)


def test_truncated_video_reads_what_it_can_or_fails_clearly(tmp_path):
    path = tmp_path / "v.mp4"
    write_video(path, n=60)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    try:
        src = VideoFileSource(cut)
    except InputError as exc:
        assert str(cut) in str(exc)
        return
    n = 0
    while src.read() is not None:
        n += 1
    assert 0 < n <= 60


def test_missing_camera_is_a_clear_input_error():
    with pytest.raises(InputError, match="No camera"):
        open_source(57)
