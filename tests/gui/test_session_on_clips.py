"""Whole sessions driven through the GUI with real labelled clips and the real engine (pose + tracker).

The clip plays as fast as the worker analyses it (no frame dropped), so the GUI must end at exactly the count the
offline analysis of the same clip gives, and that count is the hand label.
"""

import functools

import pytest
from PySide6.QtCore import Qt

from app.pipeline.analysis import analyze_video
from app.engine.events import Exercise
from app.session.plan import ExerciseBlock, Phase, SessionPlan

from .conftest import RecordingSound, clip, label
from .helpers import make_window

pytestmark = [pytest.mark.gui, pytest.mark.clips]


@functools.cache
def offline(name: str, exercise: Exercise):
    return analyze_video(clip(name), exercise)


def one_set_plan(exercise: Exercise) -> SessionPlan:
    # A target above the clip's count: the set ends when the video does, not at the target.
    return SessionPlan(blocks=(ExerciseBlock(exercise, sets=1, reps_per_set=30, sides=("auto",)),), rest_s=0)


def run_clip_session(qtbot, name: str, exercise: Exercise, pause_after_reps: int | None = None):
    sound = RecordingSound()
    window = make_window(qtbot, clip(name), sound=sound)
    c = window.controller
    c.start_session(one_set_plan(exercise))
    assert window.stack.currentWidget() is window.instruction
    qtbot.keyClick(window, Qt.Key.Key_Space)  # "I'm in position"
    assert window.stack.currentWidget() is window.live
    qtbot.waitUntil(lambda: window.live.video.frames_painted > 0, timeout=20_000)
    if pause_after_reps is not None:
        # Pausing a recording stops it where it is: nothing is read, nothing is lost, the count carries on.
        qtbot.waitUntil(lambda: c.run.current_result.reps >= pause_after_reps, timeout=60_000)
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert c.run.paused and "Paused" in window.live.video.prompt
        qtbot.wait(300)
        frames = c.bridge.pipeline.frames_processed
        reps = c.run.current_result.reps
        qtbot.wait(700)
        assert c.bridge.pipeline.frames_processed == frames and c.run.current_result.reps == reps
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert not c.run.paused
    qtbot.waitUntil(lambda: c.run.phase is Phase.SUMMARY, timeout=120_000)
    assert window.stack.currentWidget() is window.summary
    assert not c.bridge.running
    return window, sound


def test_step_down_clip_counts_to_the_label(qtbot):
    name = "lateral_stepdown_front_cornell_1.mp4"
    window, sound = run_clip_session(qtbot, name, Exercise.STEP_DOWN, pause_after_reps=3)
    result = window.controller.run.results[0]
    expected = len(offline(name, Exercise.STEP_DOWN).reps)
    assert result.reps == expected, "the GUI must count exactly what the engine counts on the same frames"
    lab = label(name)
    assert lab.get("reps_min", lab["reps"]) <= result.reps <= lab.get("reps_max", lab["reps"])
    assert window.live.counter.text() == str(expected)
    assert sound.reps == list(range(1, expected + 1))  # one audible cue per counted rep
    assert result.note == "video ended" and result.outcome == "partial"
    assert f"{expected} / 30" in window.summary.table.item(0, 3).text()


def test_form_warnings_arrive_as_cues_and_in_the_fault_list(qtbot):
    # A home recording with the leg raised far above hip height and the pelvis rolling back (see labels.json).
    name = "sidelying_leg_raise_front_physiobody_1.mp4"
    window, sound = run_clip_session(qtbot, name, Exercise.SIDE_LYING_ABDUCTION)
    result = window.controller.run.results[0]
    ref = offline(name, Exercise.SIDE_LYING_ABDUCTION)
    assert result.reps == len(ref.reps) == label(name)["reps"]
    assert [code for _, code in result.faults] == [w.code for w in ref.warnings]  # none lost, none invented
    assert "leg_above_hip" in {code for _, code in result.faults}
    assert window.live.faults.count() == len(ref.warnings)
    assert sound.warnings >= 1  # one per cue shown (the cue policy holds back repeats)
    assert "leg above hip" in window.summary.table.item(0, 5).text()
