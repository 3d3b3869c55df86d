"""Pause, rest, skip, redo, end early, camera loss and window close, with a stand-in analyzer (fast) on a real
looping video file."""

import time

import pytest
from PySide6.QtCore import Qt

from app.errors import SourceLostError
from app.engine.events import Exercise
from app.adapters.frame_source import VideoFileSource
from app.session.plan import ExerciseBlock, Phase, SessionPlan
from ui import engine

from .conftest import RecordingSound, clip
from .helpers import fake_factory, make_window

pytestmark = [pytest.mark.gui, pytest.mark.clips]
SHORT = "clamshell_banded_front_chloe_gif_1.mp4"  # 10 fps, 3 s: loops


def plan(rest_s=1.0, sets=2, reps=3, sides=("left", "right")):
    return SessionPlan(blocks=(ExerciseBlock(Exercise.CLAMSHELL, sets=sets, reps_per_set=reps, sides=sides),
                               ExerciseBlock(Exercise.STEP_DOWN, sets=1, reps_per_set=2, sides=("auto",))),
                       rest_s=rest_s)


def key(qtbot, window, k):
    qtbot.keyClick(window, k)


def test_full_flow_with_pause_rest_redo_skip_and_end(qtbot):
    sound = RecordingSound()
    window = make_window(qtbot, clip(SHORT), sound=sound, analyzer_factory=fake_factory(every=3), pace=1.0, loop=True)
    c = window.controller
    c.start_session(plan(rest_s=1.0))
    key(qtbot, window, Qt.Key.Key_Space)
    run = c.run
    assert run.phase is Phase.LIVE
    # Set 1 finishes by itself at 3 reps and the rest screen appears.
    qtbot.waitUntil(lambda: run.phase is Phase.REST, timeout=15_000)
    assert run.results[0].reps == 3 and run.results[0].outcome == "done"
    assert window.stack.currentWidget() is window.rest
    # Pause freezes the rest timer.
    key(qtbot, window, Qt.Key.Key_Space)
    assert run.paused
    qtbot.wait(1300)
    assert run.phase is Phase.REST and "Paused" in window.rest.paused_label.text()
    key(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: run.phase is Phase.LIVE, timeout=5_000)  # the rest ran out: set 2 starts
    assert run.index == 1
    qtbot.waitUntil(lambda: run.current_result.reps >= 1, timeout=10_000)
    # Redo: the set starts again from zero with a fresh tracker.
    key(qtbot, window, Qt.Key.Key_R)
    assert run.current_result.reps == 0 and window.live.counter.text() == "0"
    gen = c.generation
    # Pausing a live set stops counting; the video file is paused too.
    key(qtbot, window, Qt.Key.Key_Space)
    reps_at_pause = run.current_result.reps
    qtbot.wait(1200)
    assert run.current_result.reps == reps_at_pause
    key(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: run.current_result.reps > reps_at_pause, timeout=10_000)
    assert c.generation == gen
    # N skips the rest of the set; N again skips the rest; the right side starts.
    key(qtbot, window, Qt.Key.Key_N)
    assert run.phase is Phase.REST and window.rest.next_label.text().startswith("Turn over")
    key(qtbot, window, Qt.Key.Key_Right)
    assert run.phase is Phase.LIVE and run.current.side == "right"
    # Esc ends early: what was done is kept.
    key(qtbot, window, Qt.Key.Key_Escape)
    assert run.phase is Phase.SUMMARY and run.ended_early
    assert window.stack.currentWidget() is window.summary
    assert "ended early" in window.summary.title.text()
    assert run.results[0].reps == 3 and run.results[1].reps >= 1
    assert sound.reps[:3] == [1, 2, 3]
    assert not c.bridge.running


def test_next_exercise_shows_its_instruction_card(qtbot):
    window = make_window(qtbot, clip(SHORT), sound=RecordingSound(), analyzer_factory=fake_factory(every=2),
                         pace=1.0, loop=True)
    c = window.controller
    c.start_session(plan(rest_s=0.0, sets=1, reps=2, sides=("left",)))
    key(qtbot, window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: c.run.phase is Phase.INSTRUCTION, timeout=15_000)
    assert c.run.current.exercise is Exercise.STEP_DOWN
    assert window.instruction.title.text() == "Lateral step-down"
    key(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: c.run.phase is Phase.SUMMARY, timeout=15_000)
    assert [r.outcome for r in c.run.results] == ["done", "done"]


def test_camera_lost_mid_set_keeps_the_set_and_resumes(qtbot, monkeypatch):
    path = clip(SHORT)
    state = {"fail": True}

    class Dying:
        def __init__(self):
            self.inner = VideoFileSource(path)
            self.description, self.fps, self.frame_count, self.is_live = "camera:0", 10.0, None, True
            self.n = 0

        def read(self):
            time.sleep(0.05)  # a camera delivers frames at its own rate (20 fps here)
            self.n += 1
            if state["fail"] and self.n > 15:
                raise SourceLostError("The camera (camera:0) stopped sending pictures. Check its cable.")
            frame = self.inner.read()
            if frame is None:
                self.inner = VideoFileSource(path)
                frame = self.inner.read()
            return frame

        def close(self):
            self.inner.close()

    monkeypatch.setattr(engine, "source_factory", lambda spec, settings: Dying)
    window = make_window(qtbot, None, sound=RecordingSound(), analyzer_factory=fake_factory(every=3))
    c = window.controller
    c.start_session(plan(sets=1, reps=20, sides=("left",)))
    key(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: c.run.paused, timeout=10_000)
    kept = c.run.current_result.reps
    assert kept >= 1 and not c.bridge.running
    assert "stopped sending pictures" in window.live.video.prompt
    assert c.run.phase is Phase.LIVE
    state["fail"] = False
    key(qtbot, window, Qt.Key.Key_Space)  # try again
    qtbot.waitUntil(lambda: c.run.current_result.reps > kept, timeout=10_000)
    assert window.live.counter.text() == str(c.run.current_result.reps)
    window.close()  # closing mid-set stops the threads (the fixture checks)
    assert not c.bridge.running


def test_no_camera_gives_a_clear_message_and_no_freeze(qtbot):
    window = make_window(qtbot, "9", sound=RecordingSound())
    c = window.controller
    c.start_session(plan(sets=1, reps=5, sides=("left",)))
    key(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: c.run.paused, timeout=15_000)
    assert "No camera at index 9" in window.live.video.prompt
    key(qtbot, window, Qt.Key.Key_Escape)
    assert c.run.phase is Phase.SUMMARY


def test_closing_the_window_during_a_live_set_stops_every_thread(qtbot):
    window = make_window(qtbot, clip(SHORT), sound=RecordingSound(), analyzer_factory=fake_factory(), pace=1.0,
                         loop=True)
    window.controller.start_session(plan())
    key(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.live.video.frames_painted > 2, timeout=10_000)
    window.close()
    assert not window.controller.bridge.running


def test_mute_and_therapist_detail_shortcuts(qtbot):
    sound = RecordingSound()
    window = make_window(qtbot, clip(SHORT), sound=sound, analyzer_factory=fake_factory(every=2), pace=1.0, loop=True)
    c = window.controller
    c.start_session(plan(sets=1, reps=20, sides=("left",)))
    key(qtbot, window, Qt.Key.Key_Space)
    key(qtbot, window, Qt.Key.Key_M)
    assert sound.muted and "Sound off" in window.banner.text()
    key(qtbot, window, Qt.Key.Key_T)
    assert window.live.detail.isVisible()
    qtbot.waitUntil(lambda: c.run.current_result.reps >= 2, timeout=10_000)
    assert sound.reps == []
    window.close()


def test_one_event_stream_for_the_session_log(qtbot, monkeypatch):
    """Everything a recorder needs arrives through controller.event_listeners, in order, once."""
    from app.engine.events import RepCompleted
    from app.session.plan import SessionEnded, SessionStarted, SetEnded, SetStarted

    window = make_window(qtbot, clip(SHORT), sound=RecordingSound(), analyzer_factory=fake_factory(every=2),
                         pace=1.0, loop=True)
    c = window.controller
    seen = []
    c.event_listeners.append(seen.append)
    c.start_session(plan(rest_s=0.0, sets=1, reps=2, sides=("left",)))
    key(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: c.run.phase is Phase.INSTRUCTION, timeout=15_000)  # next exercise's card
    window.close()  # closing mid-session ends it for the log
    kinds = [type(e).__name__ for e in seen if not type(e).__name__ == "StatusChanged"]
    assert kinds == ["SessionStarted", "SetStarted", "RepCompleted", "RepCompleted", "SetEnded", "SessionEnded"]
    assert isinstance(seen[0], SessionStarted) and seen[0].source == f"file:{SHORT}"
    set_started = next(e for e in seen if isinstance(e, SetStarted))
    assert set_started.step.exercise is Exercise.CLAMSHELL and set_started.step.target_reps == 2
    assert next(e for e in seen if isinstance(e, SetEnded)).result.reps == 2
    assert [e.index for e in seen if isinstance(e, RepCompleted)] == [1, 2]
    assert isinstance(seen[-1], SessionEnded) and seen[-1].ended_early


def test_recorder_listener_maps_the_stream_onto_session_recorder(qtbot):
    from ui.recorder_hook import recorder_listener

    calls = []

    class FakeRecorder:
        def __getattr__(self, name):
            return lambda *a, **k: calls.append(name)

    window = make_window(qtbot, clip(SHORT), sound=RecordingSound(), analyzer_factory=fake_factory(every=2),
                         pace=1.0, loop=True)
    c = window.controller
    c.event_listeners.append(recorder_listener(FakeRecorder()))
    c.start_session(plan(rest_s=0.0, sets=1, reps=2, sides=("left",)))
    key(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: c.run.phase is Phase.INSTRUCTION, timeout=15_000)
    key(qtbot, window, Qt.Key.Key_Escape)
    assert calls == ["start_session", "start_set", "record_rep", "record_rep", "finish_set", "finish_session"]
