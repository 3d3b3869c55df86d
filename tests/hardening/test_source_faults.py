"""A camera that dies or stalls mid-set, through the real LivePipeline and the real FrameAnalyzer (MediaPipe).

Only the source is a test double; the pipeline, the pose estimator and the tracker are the ones the GUI runs.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from app.adapters import frame_source
from app.pipeline.analysis import FrameAnalyzer
from app.errors import SourceLostError
from app.engine.events import RepCompleted, StatusChanged
from app.adapters.frame_source import CameraSource, VideoFileSource
from app.pipeline.live import LivePipeline, PipelineError, PipelineEvent, SourceEnded
from medius_testdata import LABELS_PATH, SKIP_NO_CLIPS, VIDEOS_DIR

CLIP = VIDEOS_DIR / "clamshell_banded_front_chloe_gif_1.mp4"  # 10 fps, 32 frames, one rep


def run_until_over(pipe: LivePipeline, timeout_s: float = 60.0) -> list:
    outputs, deadline = [], time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        outputs += pipe.drain_events()
        if outputs and isinstance(outputs[-1], (PipelineError, SourceEnded)):
            break
        time.sleep(0.02)
    pipe.stop()
    return outputs + pipe.drain_events()


class DyingCamera:
    """A 'camera' that plays a clip `loops` times at its frame rate, then raises SourceLostError as CameraSource
    does."""

    is_live = True
    frame_count = None

    def __init__(self, path, loops: int = 2):
        self.path, self.loops_left = path, loops
        self.inner = VideoFileSource(path)
        self.fps, self.description = self.inner.fps, "camera:7"
        self.offset_s, self.last_t_s, self.delivered = 0.0, 0.0, 0
        self.closed = False

    def read(self):
        time.sleep(1.0 / self.fps)  # a camera delivers in real time
        frame = self.inner.read()
        if frame is None:
            self.loops_left -= 1
            if self.loops_left <= 0:
                raise SourceLostError("The camera (camera:7) stopped sending pictures. Check its cable, then press "
                                      "Resume.")
            self.inner.close()
            self.inner = VideoFileSource(self.path)
            self.offset_s = self.last_t_s + 1.0 / self.fps
            frame = self.inner.read()
        frame = frame_source.Frame(frame.bgr, frame.t_s + self.offset_s, self.delivered)
        self.last_t_s = frame.t_s
        self.delivered += 1
        return frame

    def close(self):
        self.closed = True
        self.inner.close()


@pytest.mark.skipif(not LABELS_PATH.is_file(), reason=SKIP_NO_CLIPS)
def test_camera_lost_mid_set_delivers_every_rep_before_the_error_and_cleans_up():
    threads_before = threading.active_count()
    cameras = []

    def source():
        cameras.append(DyingCamera(CLIP, loops=3))
        return cameras[-1]

    pipe = LivePipeline(source, lambda: FrameAnalyzer("clamshell"))
    pipe.start()
    outputs = run_until_over(pipe)
    errors = [o for o in outputs if isinstance(o, PipelineError)]
    reps = [o.event for o in outputs if isinstance(o, PipelineEvent) and isinstance(o.event, RepCompleted)]
    assert len(errors) == 1 and outputs[-1] is errors[0], outputs[-3:]
    assert errors[0].where == "source" and isinstance(errors[0].error, SourceLostError)
    assert "stopped sending pictures" in errors[0].message
    assert len(reps) >= 1  # the set so far reached the consumer before the error
    assert [r.index for r in reps] == list(range(1, len(reps) + 1))
    assert not pipe.running and cameras[0].closed
    assert threading.active_count() == threads_before


class _SlowAnalyzer:
    """Stands in for the analyzer only to make the race deterministic: slow, one event per frame."""

    def process(self, frame):
        from app.engine.events import Status, StepResult, TrackerSnapshot

        time.sleep(0.15)
        snap = TrackerSnapshot(frame.t_s, Status.TRACKING, "left", 0, None, 30.0, "rest", ())
        return StepResult(snap, (StatusChanged(frame.t_s, Status.TRACKING, str(frame.index)),))

    def close(self):
        pass


def test_source_error_comes_after_the_events_of_every_frame_already_captured():
    class ThreeFramesThenLost:
        is_live, fps, frame_count, description = False, 30.0, None, "file:x"

        def __init__(self):
            self.n = 0

        def read(self):
            self.n += 1
            if self.n > 3:
                raise SourceLostError("lost")
            return frame_source.Frame(np.zeros((8, 8, 3), np.uint8), self.n / 30, self.n - 1)

        def close(self):
            pass

    pipe = LivePipeline(ThreeFramesThenLost, _SlowAnalyzer, pace=None)
    pipe.start()
    outputs = run_until_over(pipe, timeout_s=10)
    assert [o.event.message for o in outputs[:-1]] == ["0", "1", "2"], outputs
    assert isinstance(outputs[-1], PipelineError) and outputs[-1].message == "lost"


class _StallingDriver:
    """cv2.VideoCapture for a USB camera whose driver stops giving pictures after `good` frames."""

    def __init__(self, index, good=15):
        self.good, self.n = good, 0

    def isOpened(self):  # noqa: N802 - OpenCV's name
        return True

    def set(self, *_):
        return True

    def get(self, prop):
        return 30.0

    def read(self):
        self.n += 1
        if self.n > self.good:
            time.sleep(0.01)
            return False, None
        return True, np.full((240, 320, 3), 60 + self.n, np.uint8)

    def release(self):
        pass


def test_camera_driver_stall_becomes_a_source_lost_error_within_the_timeout(monkeypatch):
    monkeypatch.setattr(frame_source.cv2, "VideoCapture", _StallingDriver)
    pipe = LivePipeline(lambda: CameraSource(3, stall_timeout_s=0.5), lambda: FrameAnalyzer("step-down"))
    t0 = time.monotonic()
    pipe.start()
    outputs = run_until_over(pipe, timeout_s=30)
    assert isinstance(outputs[-1], PipelineError), outputs[-3:]
    assert isinstance(outputs[-1].error, SourceLostError) and "camera:3" in outputs[-1].message
    assert time.monotonic() - t0 < 20
    statuses = [o.event for o in outputs if isinstance(o, PipelineEvent) and isinstance(o.event, StatusChanged)]
    assert statuses  # the frames before the stall were analysed (nobody in them)
    assert not pipe.running


class _HangingSource:
    """A driver that blocks inside read() and never returns (until the test lets it go)."""

    is_live, fps, frame_count, description = True, 30.0, None, "camera:9"

    def __init__(self, release: threading.Event, good: int = 5):
        self.release, self.good, self.n = release, good, 0

    def read(self):
        self.n += 1
        if self.n > self.good:
            self.release.wait()
            raise SourceLostError("released")
        return frame_source.Frame(np.zeros((120, 160, 3), np.uint8), self.n / 30.0, self.n - 1)

    def close(self):
        pass


def test_stop_returns_even_when_the_driver_hangs_in_read():
    """The GUI thread must not freeze on a hung driver: stop() gives up after its timeout (thread is a daemon)."""
    release = threading.Event()
    pipe = LivePipeline(lambda: _HangingSource(release), lambda: FrameAnalyzer("clamshell"))
    pipe.start()
    deadline = time.monotonic() + 20
    while pipe.frames_processed < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    t0 = time.monotonic()
    pipe.stop(timeout_s=0.5)
    assert time.monotonic() - t0 < 3.0
    release.set()  # let the daemon thread end, so no thread outlives the test
    for t in pipe._threads:
        t.join(5)
    assert not pipe.running


def test_a_driver_hung_in_read_is_reported_as_source_lost(monkeypatch):
    from app.pipeline import live as live_pipeline
    monkeypatch.setattr(live_pipeline, "LIVE_STALL_S", 1.0)
    release = threading.Event()
    pipe = LivePipeline(lambda: _HangingSource(release), lambda: FrameAnalyzer("clamshell"))
    pipe.start()
    try:
        outputs, deadline = [], time.monotonic() + 8
        while time.monotonic() < deadline and not any(isinstance(o, PipelineError) for o in outputs):
            outputs += pipe.drain_events()
            time.sleep(0.05)
        assert isinstance(outputs[-1], PipelineError) and isinstance(outputs[-1].error, SourceLostError)
        assert "camera:9" in outputs[-1].message and "stopped sending pictures" in outputs[-1].message
    finally:
        pipe.stop(timeout_s=0.5)
        release.set()
        for t in pipe._threads:
            t.join(5)
