"""app.pipeline.set_recording without a camera: every offered frame is either written or counted as dropped (the vision
thread never waits), what is written reads back as the same per-frame state and events, and a recording that
cannot be written reports why and leaves no half files."""

from __future__ import annotations

import os

import numpy as np

from app.pipeline import set_recording
from app.engine.events import FormWarning, RepCompleted, Status, StepResult, TrackerSnapshot
from app.adapters.frame_source import Frame, VideoFileSource


def _step(k: int, reps: int, events=()) -> StepResult:
    xy = np.stack([np.arange(33) * 3.0 + k, np.arange(33) * 2.0 + 5], axis=1)
    snap = TrackerSnapshot(k / 30, Status.TRACKING, "left", reps, 10.0 + k % 20, 40.0,
                           ("rest", "rising", "top", "lowering")[k % 4], ("too_fast",) if k % 7 == 0 else (),
                           xy_px=xy, visibility=np.full(33, 0.9), metrics={"abduction_deg": float(k)})
    return StepResult(snap, tuple(events))


def _frames(n: int, size=(320, 240)):
    for k in range(n):
        img = np.zeros((size[1], size[0], 3), np.uint8)
        img[:, :, 1] = k % 256
        yield Frame(img, k / 30, k)


def test_written_frames_read_back_as_the_same_state_and_events(tmp_path):
    rec = set_recording.SetRecording(tmp_path, "set")
    reps = [RepCompleted(1, "left", 0.2, 0.5, 0.9, 42.0, ("too_fast",), (("pelvis_roll_back", "hips overlap"),))]
    warning = FormWarning(0.4, "too_fast", 0.7, "Slow down")
    steps = []
    for frame in _frames(45):
        events = (warning,) if frame.index == 20 else (reps[0],) if frame.index == 30 else ()
        step = _step(frame.index, int(frame.index >= 30), events)
        steps.append(step)
        while rec._queue.full():  # let the encoder keep up: this test is about the round trip, not drops
            pass
        rec.offer(frame, step)
    assert rec.close() == tmp_path / "set.mp4"
    assert rec.dropped == 0 and rec.frames_written == 45
    replay = set_recording.load(rec.video_path, "side-lying-abduction")
    m = replay.model
    assert m.frame_count == 45 and replay.result.reps == reps and replay.result.warnings == [warning]
    assert m.warning_frames == [20]
    for k, step in enumerate(steps):
        s = m.snapshots[k]
        assert (s.reps, s.phase, s.active_faults, s.metrics) == (step.snapshot.reps, step.snapshot.phase,
                                                                  step.snapshot.active_faults, step.snapshot.metrics)
        assert np.allclose(s.xy_px, step.snapshot.xy_px)
    source = VideoFileSource(rec.video_path)
    assert sum(1 for _ in iter(source.read, None)) == 45
    source.close()


def test_offer_never_waits_every_frame_is_written_or_counted(tmp_path):
    rec = set_recording.SetRecording(tmp_path, "fast")
    n = 400
    for frame in _frames(n, size=(1280, 720)):  # far faster than the encoder can take 720p frames
        rec.offer(frame, _step(frame.index, 0))
    rec.close(timeout_s=120)
    assert rec.frames_written + rec.dropped == n
    assert rec.dropped > 0 and rec.frames_written >= set_recording.QUEUE_FRAMES


def test_a_recording_that_cannot_be_written_reports_and_leaves_nothing(tmp_path):
    # The encoder's file cannot be created (a folder stands where it would go): as a full or read-only disk.
    (tmp_path / f".x.part{os.getpid()}.mp4").mkdir()
    rec = set_recording.SetRecording(tmp_path, "x")
    for frame in _frames(20):
        rec.offer(frame, _step(frame.index, 0))
    assert rec.close() is None and rec.error
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".x.part{os.getpid()}.mp4"]
