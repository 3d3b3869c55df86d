"""The live pipeline with a real video file and a stand-in analyzer (the counting itself is tested elsewhere)."""

import pathlib
import threading
import time

import pytest

from app.errors import InputError, SourceLostError
from app.engine.events import RepCompleted, Status, StepResult, TrackerSnapshot
from app.adapters.frame_source import VideoFileSource
from app.pipeline.live import LivePipeline, PipelineError, PipelineEvent, SourceEnded

pytestmark = pytest.mark.clips
VIDEOS = pathlib.Path(__file__).resolve().parents[2] / "shared" / "videos"
CLIP = VIDEOS / "clamshell_banded_front_chloe_gif_1.mp4"  # 32 frames at 10 fps: short


@pytest.fixture(autouse=True)
def no_thread_left():
    before = threading.active_count()
    yield
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert threading.active_count() == before, [t.name for t in threading.enumerate()]


def need_clip():
    if not CLIP.exists():
        pytest.skip(f"labelled clips not found at {VIDEOS}")


class OneEventPerFrame:
    """Emits one RepCompleted per frame so that a lost event would show; optionally slow."""

    instances = []

    def __init__(self, delay_s=0.0):
        self.delay_s = delay_s
        self.n = 0
        self.thread = None
        self.closed_on = None
        OneEventPerFrame.instances.append(self)

    def process(self, frame):
        self.thread = threading.current_thread().name
        if self.delay_s:
            time.sleep(self.delay_s)
        self.n += 1
        rep = RepCompleted(self.n, "left", frame.t_s, frame.t_s, frame.t_s, 10.0, ())
        snap = TrackerSnapshot(frame.t_s, Status.TRACKING, "left", self.n, 1.0, 10.0, "rest", ())
        return StepResult(snap, (rep,))

    def close(self):
        self.closed_on = threading.current_thread().name


def run_to_end(pipe, timeout_s=30):
    out = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        out.extend(pipe.drain_events())
        if out and isinstance(out[-1], (SourceEnded, PipelineError)):
            break
        time.sleep(0.01)
    pipe.stop()
    out.extend(pipe.drain_events())
    return out


def test_fast_mode_processes_every_frame_and_loses_no_event():
    need_clip()
    frames = VideoFileSource(CLIP).frame_count
    analyzer = OneEventPerFrame()
    pipe = LivePipeline(lambda: VideoFileSource(CLIP), lambda: analyzer, pace=None)
    pipe.start()
    out = run_to_end(pipe)
    reps = [o for o in out if isinstance(o, PipelineEvent)]
    assert [r.event.index for r in reps] == list(range(1, frames + 1))
    assert isinstance(out[-1], SourceEnded) and out[-1].frames_read == frames
    assert pipe.frames_dropped == 0
    assert analyzer.thread == "medius-vision" and analyzer.closed_on == "medius-vision"


def test_real_time_with_a_slow_worker_drops_frames_counts_them_and_keeps_every_event():
    need_clip()
    analyzer = OneEventPerFrame(delay_s=0.25)  # 4 fps worker against a 10 fps clip
    notified = []
    pipe = LivePipeline(lambda: VideoFileSource(CLIP), lambda: analyzer, pace=1.0, notify=lambda: notified.append(1))
    t0 = time.monotonic()
    pipe.start()
    out = run_to_end(pipe)
    assert time.monotonic() - t0 > 2.5  # paced: the 3.2 s clip is not read at decode speed
    reps = [o for o in out if isinstance(o, PipelineEvent)]
    assert pipe.frames_dropped > 5
    assert pipe.frames_processed + pipe.frames_dropped == out[-1].frames_read
    assert [r.event.index for r in reps] == list(range(1, analyzer.n + 1))  # every event the worker made arrived
    assert all(r.captured_mono_s <= time.monotonic() for r in reps)
    assert notified


def test_reconfigure_tags_generations_and_snapshot_is_newest_wins():
    need_clip()
    first, second = OneEventPerFrame(), OneEventPerFrame()
    pipe = LivePipeline(lambda: VideoFileSource(CLIP), lambda: first, pace=1.0, loop=True)
    pipe.start()
    time.sleep(0.5)
    gen = pipe.reconfigure(lambda: second)
    time.sleep(0.5)
    snap = pipe.take_snapshot()
    assert snap is not None and snap.generation == gen
    assert pipe.take_snapshot() is None  # taken once
    pipe.stop()
    events = pipe.drain_events()
    gens = {e.generation for e in events if isinstance(e, PipelineEvent)}
    assert gens == {1, gen} and first.closed_on and second.closed_on


def test_loop_keeps_time_increasing():
    need_clip()
    seen = []

    class Recorder(OneEventPerFrame):
        def process(self, frame):
            seen.append(frame.t_s)
            return super().process(frame)

    pipe = LivePipeline(lambda: VideoFileSource(CLIP), Recorder, pace=None, loop=True)
    pipe.start()
    deadline = time.monotonic() + 20
    while len(seen) < 80 and time.monotonic() < deadline:
        time.sleep(0.01)
    pipe.stop()
    assert len(seen) >= 80  # more than two passes over a 32-frame clip
    assert all(b > a for a, b in zip(seen, seen[1:]))


def test_starting_paused_reads_nothing_until_resumed():
    need_clip()
    analyzer = OneEventPerFrame()
    pipe = LivePipeline(lambda: VideoFileSource(CLIP), lambda: analyzer, pace=None, paused=True)
    pipe.start()
    time.sleep(0.5)
    assert analyzer.n == 0 and pipe.drain_events() == []
    pipe.set_paused(False)
    out = run_to_end(pipe)
    assert isinstance(out[-1], SourceEnded) and analyzer.n == out[-1].frames_read


def test_pause_stops_reading_a_file():
    need_clip()
    pipe = LivePipeline(lambda: VideoFileSource(CLIP), OneEventPerFrame, pace=1.0)
    pipe.start()
    time.sleep(0.3)
    pipe.set_paused(True)
    time.sleep(0.2)
    n = len(pipe.drain_events())
    time.sleep(0.5)
    assert len(pipe.drain_events()) == 0
    pipe.set_paused(False)
    out = run_to_end(pipe)
    assert isinstance(out[-1], SourceEnded) and n > 0


@pytest.mark.parametrize("error", [SourceLostError("camera gone"), InputError("no camera at index 3")])
def test_source_errors_are_delivered_not_swallowed(error):
    class Failing:
        description, fps, frame_count, is_live = "camera:3", 30.0, None, True
        n = 0

        def read(self):
            self.n += 1
            if self.n > 3:
                raise error
            return VideoFileSource(CLIP).read() if CLIP.exists() else None

        def close(self):
            pass

    def factory():
        if isinstance(error, InputError):
            raise error
        return Failing()

    pipe = LivePipeline(factory, OneEventPerFrame, pace=1.0)
    pipe.start()
    out = run_to_end(pipe, timeout_s=10)
    errors = [o for o in out if isinstance(o, PipelineError)]
    assert len(errors) == 1 and errors[0].error is error and errors[0].where == "source"
    assert not pipe.running


def test_analyzer_errors_are_delivered():
    need_clip()

    class Broken(OneEventPerFrame):
        def process(self, frame):
            raise RuntimeError("model exploded")

    pipe = LivePipeline(lambda: VideoFileSource(CLIP), Broken, pace=None)
    pipe.start()
    out = run_to_end(pipe)
    assert isinstance(out[-1], PipelineError) and out[-1].where == "analyzer" and "exploded" in out[-1].message
