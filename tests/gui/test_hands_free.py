"""Hands-free sessions on real clips with the real engine: nobody touches the keyboard."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from app.engine.events import Exercise
from app.session.plan import ExerciseBlock, Phase, SessionPlan
from app.settings import Settings

from .conftest import RecordingSound, clip
from .helpers import make_window

pytestmark = [pytest.mark.gui, pytest.mark.clips]

HANDS_FREE = Settings(auto_start=True, wait_for_side=True, gesture_control=True, voice_control=False)


def test_medius_session_runs_two_sets_with_rest_with_zero_key_presses(tmp_path):
    video = clip("lateral_stepdown_front_cornell_1.mp4")
    out = tmp_path / "summary.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MEDIUS_DATA_DIR": str(tmp_path / "data"),
           "MEDIUS_CONFIG_DIR": str(tmp_path / "config"), "MEDIUS_LOG_DIR": str(tmp_path / "log")}
    proc = subprocess.run([sys.executable, "-m", "ui.launcher", "session", "--source", str(video), "--loop",
                           "--exercise", "step-down", "--sets", "2", "--reps", "3", "--rest", "2",
                           "--hands-free", "--summary-json", str(out)],
                          env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(out.read_text())
    assert summary["completed"] is True and summary["key_presses"] == 0
    assert [(s["set"], s["reps"], s["target"]) for s in summary["sets"]] == [(1, 3, 3), (2, 3, 3)]
    assert all(s["exercise"] == "step-down" and s["side"] == "auto" for s in summary["sets"])


def run_until(qtbot, window, plan, condition, timeout_ms):
    window.controller.start_session(plan)
    qtbot.waitUntil(condition, timeout=timeout_ms)


def test_a_set_on_the_side_the_camera_sees_counts_down_and_counts(qtbot):
    # Lying on the left side, right (top) knee opening: the right leg works.
    sound = RecordingSound()
    window = make_window(qtbot, clip("clamshell_front_vincent_1.mp4"), sound=sound, settings=HANDS_FREE, pace=1.0, loop=True)
    c = window.controller
    plan = SessionPlan(blocks=(ExerciseBlock(Exercise.CLAMSHELL, sets=1, reps_per_set=2, sides=("right",)),),
                       rest_s=0)
    run_until(qtbot, window, plan, lambda: c.run.phase is Phase.SUMMARY, 90_000)
    assert sound.said[:4] == ["count_3", "count_2", "count_1", "go"], (c.commands, c.run.results[0])
    assert c.run.results[0].reps == 2 and sound.reps == [1, 2]
    assert [what for _, what in c.commands] == ["go"]


def test_the_other_side_is_waited_for(qtbot):
    sound = RecordingSound()
    window = make_window(qtbot, clip("clamshell_front_vincent_1.mp4"), sound=sound, settings=HANDS_FREE, pace=1.0,
                         loop=True)
    c = window.controller
    plan = SessionPlan(blocks=(ExerciseBlock(Exercise.CLAMSHELL, sets=1, reps_per_set=2, sides=("left",)),),
                       rest_s=0)
    c.start_session(plan)
    qtbot.waitUntil(lambda: window.instruction.preview is not None and c.bridge.running, timeout=10_000)
    qtbot.wait(12_000)  # the clip shows the right leg working all along: the set does not start
    assert c.run.phase is Phase.INSTRUCTION and sound.said == []
    assert "lie on your right side, left leg on top" in window.instruction.hands_free_label.text()
    qtbot.keyClick(window, " ")  # keys keep working: Space starts the set now
    assert c.run.phase is Phase.LIVE and c._counting
    c.end_session()


def test_voice_commands_steer_a_live_session(qtbot):
    # Recorded speech goes in where the microphone's bytes would (VoiceListener.feed_pcm), so everything from the
    # recogniser thread to the controller is the real path; only the sound card is left out.
    from app.handsfree.voice_commands import read_wav_16k

    data = pathlib.Path(__file__).resolve().parents[1] / "data" / "voice"
    spoken = ["pause", "resume", "repeat", "stop"]  # what commands_espeak.wav says, in order

    sound = RecordingSound()
    settings = Settings(auto_start=True, wait_for_side=True, gesture_control=False, voice_control=True)
    window = make_window(qtbot, clip("lateral_stepdown_front_cornell_1.mp4"), sound=sound, settings=settings,
                         pace=1.0, loop=True, controller_kwargs={"voice_microphone": False})
    c = window.controller
    plan = SessionPlan(blocks=(ExerciseBlock(Exercise.STEP_DOWN, sets=2, reps_per_set=30, sides=("auto",)),),
                       rest_s=30)
    c.start_session(plan)
    qtbot.waitUntil(lambda: c.run.phase is Phase.LIVE and c._counting and c.run.current_result.reps >= 1,
                    timeout=60_000)
    audio = read_wav_16k(data / "commands_espeak.wav").tobytes()
    chunk = 3200  # 0.1 s, as a microphone delivers it
    for i in range(0, len(audio), chunk):
        c.voice.feed_pcm(audio[i:i + chunk])
    qtbot.waitUntil(lambda: len([w for _, w in c.commands if w.startswith("voice:")]) == len(spoken),
                    timeout=30_000)
    assert [what for _, what in c.commands if what.startswith("voice:")] == [f"voice:{w}" for w in spoken]
    assert c.run.phase is not Phase.SUMMARY  # one "stop" asks for a second: a misheard word must not end it
    c.voice_command("stop")  # said again within the confirmation time
    qtbot.waitUntil(lambda: c.run.phase is Phase.SUMMARY, timeout=5_000)
    assert c.run.ended_early and c.run.results[0].reps == 0  # "repeat" started the set again from zero
    assert "paused" in sound.said and "resumed" in sound.said
    assert not c.voice.listening  # the summary stops listening
    assert max(c.voice_latencies_s) < 1.0


def test_no_microphone_gives_one_notice(qtbot):
    from PySide6.QtMultimedia import QMediaDevices

    if QMediaDevices.audioInputs():
        pytest.skip("this machine has a microphone")
    settings = Settings(auto_start=False, voice_control=True)
    window = make_window(qtbot, clip("lateral_stepdown_front_cornell_1.mp4"), sound=RecordingSound(),
                         settings=settings)
    plan = SessionPlan(blocks=(ExerciseBlock(Exercise.STEP_DOWN, sets=1, reps_per_set=1, sides=("auto",)),))
    window.controller.start_session(plan)
    assert "No microphone found" in window.banner.text() and "\n" not in window.banner.text()
    assert not window.controller.voice.listening
    window.controller.end_session()
