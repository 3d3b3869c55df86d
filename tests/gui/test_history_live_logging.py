"""A guided session in the real main window, on a labelled clip with the real engine, logged through
`ui.history_entry.attach_recorder`: every rep the GUI counted is in the log, exactly as the engine reported it,
and the History window shows the session."""

import pathlib
import sys

import pytest
from PySide6.QtCore import Qt

from app.engine.events import Exercise
from app.session.plan import ExerciseBlock, Phase, SessionPlan

from .conftest import RecordingSound, clip
from .helpers import make_window

pytestmark = [pytest.mark.gui, pytest.mark.clips]

ROOT = pathlib.Path(__file__).resolve().parents[2]
NAME = "sidelying_leg_raise_front_physiobody_1.mp4"


def test_live_session_is_logged_rep_by_rep_and_shown_in_history(qtbot, tmp_path):
    from app.storage import SessionRecorder, Store
    from ui import history_entry

    video = clip(NAME)  # skips when the clips are absent
    window = make_window(qtbot, video, sound=RecordingSound())
    db = tmp_path / "live.sqlite3"
    bridge = history_entry.attach_recorder(window, SessionRecorder(db))
    c = window.controller
    c.start_session(SessionPlan(blocks=(ExerciseBlock(Exercise.SIDE_LYING_ABDUCTION, sets=1, reps_per_set=30,
                                                      sides=("auto",)),), rest_s=0))
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: c.run.phase is Phase.SUMMARY, timeout=120_000)
    gui_reps = c.run.results[0].reps
    assert gui_reps >= 1

    # Every counted rep is already committed, before the session is even closed.
    with Store(db) as store:
        (summary,) = store.list_sessions()
        assert summary.reps == gui_reps
    window.close()  # ends the session for the log
    assert bridge.close() and bridge.recorder.last_error is None

    sys.path.insert(0, str(ROOT / "tools"))
    import make_history_db

    (offline,) = make_history_db.analyse_clips(video.parent, ROOT / "out" / "engine_cache", only=(NAME,))
    with Store(db) as store:
        session = store.get_session(summary.id)
        (st,) = session.sets
        assert st.exercise == "side-lying-abduction" and st.target_reps == 30 and st.achieved_reps == gui_reps
        assert st.reps == offline.reps  # the live path stores what the engine reports, bit for bit
        assert [w.code for w in st.warnings] == [w.code for w in offline.warnings]
        assert session.ended_utc_s is not None

    view = history_entry.open_history(None, Store(db))
    qtbot.addWidget(view)
    qtbot.waitExposed(view)
    assert view.sessions.rowCount() == 1 and view.detail.topLevelItemCount() == 2
    out = ROOT / "out" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(out / "history_after_live_session.png"))
