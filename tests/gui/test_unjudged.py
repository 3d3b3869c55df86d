"""What a rep could not judge, in the real main window: one grey line per code and set on the live screen (no
cue, no sound), the summary's per-set note, the log and the History detail. The reps come from a stand-in
analyzer on the worker thread over a synthetic live source, through the same pipeline as the camera's."""

import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.engine.events import Exercise, RepCompleted, Status, StatusChanged, StepResult, TrackerSnapshot
from app.adapters.frame_source import Frame
from app.session.plan import ExerciseBlock, Phase, SessionPlan
from ui import engine

from .conftest import RecordingSound
from .helpers import make_window

pytestmark = pytest.mark.gui

OVERLAP = ("pelvis_roll_back", "hips overlap from this camera angle")
LINE = "Pelvis not judged: hips overlap from this camera angle"
NOTE = "not judged: pelvis (hips overlap from this camera angle)"


class GreyCamera:
    """A live source of blank frames at 50 fps (only the analyzer looks at them)."""

    description, fps, frame_count, is_live = "camera:0", 50.0, None, True

    def __init__(self):
        self.n = 0

    def read(self):
        time.sleep(0.02)
        self.n += 1
        return Frame(np.zeros((90, 120, 3), np.uint8), self.n / self.fps, self.n)

    def close(self):
        pass


class UnjudgedAnalyzer:
    """One rep every `every` frames, each carrying the same not-judged pelvis."""

    def __init__(self, every=3):
        self.every, self.n, self.reps = every, 0, 0

    def process(self, frame):
        self.n += 1
        events = ()
        if self.n == 1:
            events = (StatusChanged(frame.t_s, Status.TRACKING, ""),)
        elif self.n % self.every == 0:
            self.reps += 1
            events = (RepCompleted(self.reps, "left", frame.t_s - 0.04, frame.t_s - 0.02, frame.t_s, 31.0, (),
                                   (OVERLAP,)),)
        snap = TrackerSnapshot(frame.t_s, Status.TRACKING, "left", self.reps, 20.0, 35.0, "rising", ())
        return StepResult(snap, events)

    def close(self):
        pass


def fault_lines(window) -> list[str]:
    lst = window.live.faults
    return [lst.item(i).text() for i in range(lst.count())]


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.setattr(engine, "source_factory", lambda spec, settings: GreyCamera)
    sound = RecordingSound()
    w = make_window(qtbot, None, sound=sound, analyzer_factory=lambda exercise, side, settings: UnjudgedAnalyzer)
    w.sound = sound
    yield w
    w.close()


def test_line_once_per_set_no_sound_summary_log_and_history(window, qtbot, tmp_path):
    from app.storage import SessionRecorder, Store
    from ui.history_sessions import SessionDetail
    from ui.recorder_hook import recorder_listener

    c = window.controller
    recorder = SessionRecorder(tmp_path / "log.sqlite3")
    c.event_listeners.append(recorder_listener(recorder))
    # What the live screen shows at the end of each set (the rest and the summary come before the next set
    # clears the list).
    at_set_end: list[list[str]] = []
    c.phase_changed.connect(lambda phase: at_set_end.append(fault_lines(window)) if phase in ("rest", "summary")
                            else None)
    c.start_session(SessionPlan(blocks=(ExerciseBlock(Exercise.CLAMSHELL, sets=2, reps_per_set=3,
                                                      sides=("left",)),), rest_s=0.0))
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: c.run.phase is Phase.SUMMARY, timeout=20_000)

    # Live screen: three reps with the same not-judged code give one line per set, and nothing else.
    assert [r.reps for r in c.run.results] == [3, 3]
    assert len(at_set_end) == 2
    for lines in at_set_end:
        assert len(lines) == 1 and lines[0].endswith(LINE), lines
    # Not a warning: no sound, no cue over the video.
    assert window.sound.warnings == 0 and window.sound.reps == [1, 2, 3, 1, 2, 3]
    assert window.live.video.cue == ""

    # Summary: the per-set row says it alongside the form notes.
    table = window.summary.table
    assert [table.item(row, 5).text() for row in range(table.rowCount())] == [f"none seen; {NOTE}"] * 2
    assert "0 form notes" in window.summary.totals.text()

    # The log has it on every rep; History shows it once per set.
    assert recorder.close() and recorder.last_error is None
    with Store(tmp_path / "log.sqlite3") as store:
        session = store.get_session(recorder.last_session_id)
    assert [[r.unjudged for r in st.reps] for st in session.sets] == [[(OVERLAP,)] * 3] * 2
    detail = SessionDetail()
    detail.show_session(session)
    for n in (1, 2):
        set_item = detail.topLevelItem(n)
        assert set_item.text(4) == "clean · pelvis not judged"
        first = set_item.child(0)
        assert (first.text(0), first.text(4)) == ("Pelvis not judged",
                                                  "hips overlap from this camera angle (3 of 3 reps)")
        assert [set_item.child(i).text(0) for i in range(set_item.childCount())].count("Pelvis not judged") == 1
    detail.deleteLater()


def test_summary_note_joins_faults_and_not_judged(qtbot):
    from app.session.plan import SessionRun
    from ui.summary_screen import SummaryScreen

    run = SessionRun(SessionPlan(blocks=(ExerciseBlock(Exercise.SIDE_LYING_ABDUCTION, sets=1, reps_per_set=2,
                                                       sides=("right",)),)))
    run.start_set(0.0)
    run.record_rep()
    run.record_fault(1.0, "knee_bent")
    assert run.record_unjudged((OVERLAP, ("leg_above_hip", "shoulders out of the picture"))) == [
        OVERLAP, ("leg_above_hip", "shoulders out of the picture")]
    run.record_rep()
    assert run.record_unjudged((OVERLAP,)) == []  # already told in this set
    run.finish_set(2.0)
    screen = SummaryScreen()
    qtbot.addWidget(screen)
    screen.show_run(run)
    assert screen.table.item(0, 5).text() == ("knee bent ×1; not judged: pelvis (hips overlap from this camera "
                                              "angle), leg height (shoulders out of the picture)")
