"""The replay screen on a real clip analysed by the real engine: frame for frame it shows the counter, the fault
list, the cue and the faulty-leg colour that the analysis produced at that frame (taken from the analysis's own
events, per frame, not from the replay model); a timeline click jumps to a fault; a rep plays and stops at its
end; "Log this set" writes the reps to a real log; "Analyse a recording" runs the analysis on a worker thread."""

from __future__ import annotations

import pathlib

import pytest
from PySide6.QtCore import QPoint, Qt

from app.engine.events import FormWarning, RepCompleted

from .conftest import clip

pytestmark = [pytest.mark.gui, pytest.mark.clips]

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "screenshots"
NAME = "sidelying_leg_raise_front_physiobody_1.mp4"
EXERCISE = "side-lying-abduction"


@pytest.fixture(scope="module")
def analysed():
    from app.pipeline.replay_analysis import analyze_for_replay

    path = clip(NAME)
    per_frame = []  # (frame index, reps reported so far, (warning, time it was reported) so far, faulty leg)
    reps, warnings = [], []

    def on_step(frame, step):
        for e in step.events:
            if isinstance(e, RepCompleted):
                reps.append(e)
            elif isinstance(e, FormWarning):
                warnings.append((e, frame.t_s))
        per_frame.append((frame.index, len(reps), list(warnings), bool(step.snapshot.active_faults)))

    replay = analyze_for_replay(path, EXERCISE, on_step=on_step)
    assert replay.result.reps and replay.result.warnings, "the clip should give reps and form warnings"
    return replay, per_frame


@pytest.fixture
def screen(analysed, qtbot, tmp_path):
    from ui.replay_screen import ReplayScreen

    w = ReplayScreen(analysed[0], log_to=tmp_path / "log.sqlite3")
    qtbot.addWidget(w)
    w.resize(1264, 752)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def test_every_frame_shows_what_the_analysis_produced(screen, analysed):
    from app.pipeline.replay_model import CAPTION_HOLD_S

    _, per_frame = analysed
    assert screen.model.frame_count == len(per_frame)
    for index, count, warnings, faulty in per_frame:
        screen.show_frame(index)
        assert screen.counter.text() == str(count), f"frame {index}"
        shown = screen.shown_faults()
        for w, _ in warnings:
            assert f"{w.t_s:5.1f} s  {w.message}" in shown, f"frame {index}: {w.message} missing"
        t = screen.model.time_of(index)
        live = [w for w, reported_s in warnings if t - reported_s < CAPTION_HOLD_S]
        assert screen.video.cue == (live[-1].message if live else ""), f"frame {index}"
        assert screen.video._faulty == faulty, f"frame {index}"
    # Nothing is listed that the analysis did not report: warnings, or faults / not-judged of its reps.
    r = analysed[0].result
    known = {w.message for w in r.warnings} | {m.text for m in screen.model.marks
                                              if any(m.code in rep.faults or m.code in dict(rep.unjudged)
                                                     for rep in r.reps)}
    assert all(line.strip().split("  ", 1)[1] in known for line in screen.shown_faults())


def test_timeline_click_jumps_to_a_fault_mark(screen, qtbot):
    mark = screen.model.marks[-1]
    screen.show_frame(0)
    x = round(screen.timeline.x_of(mark.t_s))
    qtbot.mouseClick(screen.timeline, Qt.MouseButton.LeftButton, pos=QPoint(x, 30))
    assert screen.frame == mark.frame
    assert screen.counter.text() == str(screen.model.state(mark.frame).reps)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert screen.grab().save(str(SHOTS / "replay_at_fault_mark.png"))


def test_a_rep_plays_slowed_down_and_stops_at_its_end(screen, qtbot):
    rep = screen.model.reps[0]
    span = screen.model.span_of(rep.index)
    screen.set_speed(0.5)
    screen.play_rep(rep.index)
    assert screen.timer.isActive()
    qtbot.waitUntil(lambda: not screen.timer.isActive(), timeout=20_000)
    assert screen.frame == max(span.last_frame, span.counted_frame)
    assert screen.counter.text() == str(rep.index)
    screen.step(-1)
    assert screen.frame == max(span.last_frame, span.counted_frame) - 1


def test_log_this_set_writes_the_reps(screen, analysed, tmp_path):
    from app.storage import Store

    session_id = screen.log_set()
    assert session_id is not None and not screen.log_button.isEnabled()
    with Store(tmp_path / "log.sqlite3") as store:
        logged = store.get_session(session_id)
    assert [(r.index, r.faults) for r in logged.sets[0].reps] == [(r.index, r.faults) for r in analysed[0].result.reps]


def test_analyse_dialog_runs_on_a_worker_and_opens_the_replay(analysed, qtbot, tmp_path):
    from ui.replay_open import AnalyseDialog

    dialog = AnalyseDialog(None, str(clip(NAME)))
    qtbot.addWidget(dialog)
    dialog.exercise.setCurrentIndex(dialog.exercise.findData(EXERCISE))
    job = dialog.start()
    assert job is not None and not job.done  # the GUI thread is free while it runs
    qtbot.waitUntil(lambda: dialog.replay_window is not None, timeout=60_000)
    window = dialog.replay_window  # deletes itself when closed (WA_DeleteOnClose)
    assert dialog.progress.value() == 100
    assert window.replay.result.reps == analysed[0].result.reps
    window.close()

    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    dialog2 = AnalyseDialog(None, str(bad))
    qtbot.addWidget(dialog2)
    dialog2.start()
    qtbot.waitUntil(lambda: bool(dialog2.message.text()), timeout=20_000)
    assert "\n" not in dialog2.message.text() and "notes.mp4" in dialog2.message.text()
    assert dialog2.replay_window is None and dialog2.start_button.isEnabled()


def test_export_from_the_replay_screen_writes_one_rep(screen, qtbot, tmp_path):
    from app.pipeline.annotate import frame_range
    from app.adapters.frame_source import VideoFileSource

    rep = screen.model.reps[0].index
    job = screen.export_to(tmp_path / "rep.mp4", rep)
    qtbot.waitUntil(lambda: job.done, timeout=60_000)
    assert "Saved" in screen.message.text()
    first, last = frame_range(screen.model, rep)
    source = VideoFileSource(tmp_path / "rep.mp4")
    assert sum(1 for _ in iter(source.read, None)) == last - first + 1
    source.close()


def test_cancelling_the_analysis_stops_the_worker_and_opens_nothing(qtbot):
    from ui.replay_open import AnalyseDialog

    dialog = AnalyseDialog(None, str(clip(NAME)))
    qtbot.addWidget(dialog)
    dialog.exercise.setCurrentIndex(dialog.exercise.findData(EXERCISE))
    job = dialog.start()
    qtbot.waitUntil(lambda: dialog.progress.value() > 0 or job.done, timeout=60_000)
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: job.done, timeout=20_000)
    assert job.wait() and dialog.replay_window is None and dialog.result() == 0
