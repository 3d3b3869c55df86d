"""Opt-in recording of live sets, in the real main window on a labelled clip with the real engine and a real log:
with recording off (the default) no video or replay file is written anywhere; with it on, the set's video and
replay data are kept beside the log, the set's row points to them, the replay shows the reps the log has,
History replays and deletes it, and old recordings are pruned."""

from __future__ import annotations

import dataclasses
import os
import pathlib
import time

import pytest
from PySide6.QtCore import Qt

from app.engine.events import Exercise
from app.session.plan import ExerciseBlock, Phase, SessionPlan

from .conftest import RecordingSound, clip
from .helpers import MANUAL, make_window

pytestmark = [pytest.mark.gui, pytest.mark.clips]

ROOT = pathlib.Path(__file__).resolve().parents[2]
NAME = "sidelying_leg_raise_front_physiobody_1.mp4"
MEDIA = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".npz", ".part")


def _files(*roots) -> set[pathlib.Path]:
    return {p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()}


def _run_set(qtbot, tmp_path, settings):
    from app.storage import SessionRecorder
    from ui import history_entry

    window = make_window(qtbot, clip(NAME), sound=RecordingSound(), settings=settings)
    bridge = history_entry.attach_recorder(window, SessionRecorder(tmp_path / "log.sqlite3"))
    c = window.controller
    c.start_session(SessionPlan(blocks=(ExerciseBlock(Exercise.SIDE_LYING_ABDUCTION, sets=1, reps_per_set=30,
                                                      sides=("auto",)),), rest_s=0))
    qtbot.keyClick(window, Qt.Key.Key_Space)
    seen_mark = []
    qtbot.waitUntil(lambda: seen_mark.append(window.live.video.recording) or c.run.phase is Phase.SUMMARY,
                    timeout=120_000)
    reps = c.run.results[0].reps
    replay_offered = window.summary.replay_button.isVisibleTo(window.summary)
    if replay_offered:  # the summary's "Replay last set" opens the set just recorded
        window.summary.replay_button.click()
        replay = bridge.set_recording.replay_window
        assert replay is not None and replay.model.state(replay.model.frame_count - 1).reps == reps
        replay.close()
    window.close()
    assert bridge.close()
    return reps, any(seen_mark) and replay_offered, bridge


def test_recording_off_writes_no_video_anywhere(qtbot, tmp_path):
    from app.storage import data_dir

    watched = (data_dir(), tmp_path, ROOT)
    before = _files(*watched)
    t0 = time.time()
    reps, mark_shown, bridge = _run_set(qtbot, tmp_path, MANUAL)
    assert reps >= 1 and not mark_shown
    new = {p for p in _files(*watched) - before if p.stat().st_mtime >= t0 - 1}
    assert not [p for p in new if p.suffix.lower() in MEDIA or "recording" in p.parts], new
    assert not (data_dir() / "recordings").exists() or not any((data_dir() / "recordings").iterdir())
    assert bridge.set_recording is not None and bridge.set_recording.finished == []


def test_recording_on_keeps_the_set_and_replays_it(qtbot, tmp_path):
    from app.pipeline import set_recording
    from app.adapters.frame_source import VideoFileSource
    from app.storage import Store
    from ui.history_view import HistoryView

    reps, mark_shown, bridge = _run_set(qtbot, tmp_path, dataclasses.replace(MANUAL, record_sets=True))
    assert reps >= 1 and mark_shown
    (rec,) = bridge.set_recording.finished
    assert rec.error is None and rec.video_path.is_file() and rec.data_path.is_file()
    with Store(tmp_path / "log.sqlite3") as store:
        (summary,) = store.list_sessions()
        session = store.get_session(summary.id)
        assert store.recordings(summary.id) == {session.sets[0].id: rec.video_path.name}
    source = VideoFileSource(rec.video_path)
    n = sum(1 for _ in iter(source.read, None))
    source.close()
    assert n == rec.frames_written > 0
    replay = set_recording.load(rec.video_path, "side-lying-abduction")
    assert replay.model.frame_count == n
    assert replay.result.reps == session.sets[0].reps  # the recording holds what the log holds
    assert replay.model.state(n - 1).reps == reps  # and the counter ends where the live set ended

    view = HistoryView(Store(tmp_path / "log.sqlite3"))
    qtbot.addWidget(view)
    view.show()
    view.detail.setCurrentItem(view.detail.topLevelItem(1))  # the set's line
    assert view.replay_button.isEnabled() and "recorded" in view.detail.topLevelItem(1).text(0)
    window = view.replay_selected()
    assert window is not None and window.counter.text() == "0"  # deletes itself when closed (WA_DeleteOnClose)
    window.show_frame(n - 1)
    assert window.counter.text() == str(reps)
    window.close()
    assert view.delete_selected_recording()
    assert not rec.video_path.exists() and not rec.data_path.exists()
    assert view.store.recordings() == {} and len(view.store.get_session(summary.id).sets[0].reps) == reps
    view.close()
    view.store.close()


def test_old_recordings_are_pruned(tmp_path):
    from app.pipeline import set_recording
    old, new = tmp_path / "old.mp4", tmp_path / "new.mp4"
    for video in (old, new):
        video.write_bytes(b"x")
        video.with_name(video.stem + set_recording.DATA_SUFFIX).write_bytes(b"x")
    week_ago = time.time() - 8 * 86400
    os.utime(old, (week_ago, week_ago))
    assert set_recording.prune(tmp_path, keep_days=7) == ["old.mp4"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.mp4", "new" + set_recording.DATA_SUFFIX]
