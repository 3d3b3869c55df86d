"""Programmes in the GUI: a physiotherapist builds one in the editor (offscreen, real widgets), saves it; the
patient drops the file on a fresh main window, sees whose programme it is and what it asks, and starts the
session from it: its doses, rests and limits reach the session, the analysis and the log. A bad file gets a
message box quoting the line, and nothing changes."""

from __future__ import annotations

import pathlib

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from app.engine.events import Exercise
from app.engine.exercise_params import default_params
from app.session.plan import Phase
from app.session.programme import default_limits, limit_range
from app.session.programme_file import load_programme
from app.settings import Settings
from ui import engine
from ui.programme_editor import ProgrammeEditor

from .conftest import RecordingSound, clip
from .helpers import FakeAnalyzer, make_window

pytestmark = [pytest.mark.gui]
SHORT = "clamshell_banded_front_chloe_gif_1.mp4"  # 10 fps, 3 s: loops
NOTE = 'Keep the top hip "forward".\nStop if it hurts — ça va?'


def _drop(widget, path: pathlib.Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(event)


def build_programme_in_editor(qtbot, folder: pathlib.Path) -> tuple[ProgrammeEditor, pathlib.Path]:
    editor = ProgrammeEditor()
    qtbot.addWidget(editor)
    editor.show()
    qtbot.keyClicks(editor.title_edit, "Hips, week 3")
    editor.patient.insert("Zoë Müller")  # QTest cannot type non-ASCII keys
    qtbot.keyClicks(editor.therapist, "Dr Ng")
    for exercise in (Exercise.CLAMSHELL, Exercise.STEP_DOWN, Exercise.SIDE_LYING_ABDUCTION):
        editor.add_choice.setCurrentIndex(editor.add_choice.findData(exercise.value))
        editor.add_button.click()
    assert [e.exercise for e in editor.entries] == [Exercise.CLAMSHELL, Exercise.STEP_DOWN,
                                                    Exercise.SIDE_LYING_ABDUCTION]
    # Abduction first (move it up twice), drop the step-down.
    editor.up_button.click()
    editor.up_button.click()
    editor.list.setCurrentRow(2)
    editor.remove_button.click()
    assert [e.exercise for e in editor.entries] == [Exercise.SIDE_LYING_ABDUCTION, Exercise.CLAMSHELL]
    # The abduction: 1 set of 3 reps, left leg only, 1 s rest, the therapist's own ceiling, a note.
    editor.list.setCurrentRow(0)
    editor.sets.setValue(1)
    editor.reps.setValue(3)
    editor.sides.setCurrentIndex(editor.sides.findData("left"))
    editor.rest.setValue(1)
    code = next(iter(default_limits(Exercise.SIDE_LYING_ABDUCTION)))
    low, high = limit_range(Exercise.SIDE_LYING_ABDUCTION, code)
    own = round(low + (high - low) / 4, 1)
    editor.set_limit(code, own)
    editor.note.setPlainText(NOTE)
    # The clamshell: 1 set of 2, left.
    editor.list.setCurrentRow(1)
    editor.sets.setValue(1)
    editor.reps.setValue(2)
    editor.sides.setCurrentIndex(editor.sides.findData("left"))
    editor.rest.setValue(0)
    asked = []
    editor.ask_save_path = lambda suggested: asked.append(suggested) or str(folder / pathlib.Path(suggested).name)
    editor.save_button.click()
    assert asked and asked[0].endswith(".medius.toml") and "Zo" in pathlib.Path(asked[0]).name
    path = folder / pathlib.Path(asked[0]).name
    assert path.exists(), editor.message.text()
    assert "Saved to" in editor.message.text()
    return editor, path


def test_editor_refuses_to_save_without_names(qtbot, tmp_path):
    editor = ProgrammeEditor()
    qtbot.addWidget(editor)
    editor.ask_save_path = lambda suggested: pytest.fail("no file dialog for an incomplete programme")
    editor.save_button.click()
    assert "patient" in editor.message.text()
    qtbot.keyClicks(editor.title_edit, "T")
    qtbot.keyClicks(editor.patient, "P")
    qtbot.keyClicks(editor.therapist, "Th")
    editor.save_button.click()
    assert "at least one exercise" in editor.message.text()
    assert not list(tmp_path.iterdir())


def test_build_save_drop_show_and_start_a_programme(qtbot, tmp_path):
    from app.storage import SessionRecorder, Store
    from ui import history_entry

    editor, path = build_programme_in_editor(qtbot, tmp_path)
    written = load_programme(path)
    assert written == editor.programme()
    abduction = written.entries[0]
    (code, own), = abduction.limits
    # Reopen in a fresh editor (dropped on it): the same programme comes back.
    again = ProgrammeEditor()
    qtbot.addWidget(again)
    _drop(again, path)
    assert again.programme() == written and again.path == path

    calls = []

    def factory(exercise, side, settings, limits=()):
        calls.append((Exercise(exercise), side, tuple(limits)))
        return lambda: FakeAnalyzer(every=3)

    window = make_window(qtbot, clip(SHORT), sound=RecordingSound(), analyzer_factory=factory, pace=1.0, loop=True)
    db = tmp_path / "log.sqlite3"
    bridge = history_entry.attach_recorder(window, SessionRecorder(db))
    _drop(window, path)  # dropped anywhere on the main window
    screen = window.plan_screen
    assert screen.programme == written and screen.programme_panel.isVisible() and not screen.free_plan.isVisible()
    shown = screen.programme_panel.text.text()
    for words in ("Hips, week 3", "Zoë Müller", "Dr Ng", "1 × 3 reps, left leg", "rest 1 s", "1 × 2 reps",
                  f"{own:g} (usually {default_limits(Exercise.SIDE_LYING_ABDUCTION)[code]:g})",
                  "Keep the top hip &quot;forward&quot;.<br>Stop if it hurts — ça va?"):
        assert words in shown, words
    assert path.name in screen.programme_panel.file_label.text()
    # "Choose the exercises myself" goes back to the ticks; the file comes back as it was.
    screen.programme_panel.close_button.click()
    assert screen.programme is None and screen.free_plan.isVisible() and screen.plan().programme is None
    _drop(screen, path)  # onto the plan screen itself this time
    assert screen.programme == written

    screen.start.click()
    c = window.controller
    run = c.run
    # The instruction card carries the therapist's note for this exercise.
    assert window.instruction.therapist_note.isVisible()
    assert "From your physiotherapist" in window.instruction.therapist_note.text()
    assert "Stop if it hurts — ça va?" in window.instruction.therapist_note.text()
    assert run.plan.programme.sha256 == written.content_hash()
    assert [(s.exercise, s.side, s.target_reps) for s in run.steps] == [
        (Exercise.SIDE_LYING_ABDUCTION, "left", 3), (Exercise.CLAMSHELL, "left", 2)]
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: run.phase is Phase.INSTRUCTION and run.index == 1, timeout=20_000)
    # The abduction's analysis ran with the programme's limit; the clamshell's with the defaults.
    assert (Exercise.SIDE_LYING_ABDUCTION, "left", ((code, own),)) in calls
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: run.phase is Phase.SUMMARY, timeout=20_000)
    assert [r.reps for r in run.results] == [3, 2]
    assert all(lim == () for ex, _s, lim in calls if ex is Exercise.CLAMSHELL)
    window.close()
    assert bridge.close()
    with Store(db) as store:
        (summary,) = store.list_sessions()
        assert summary.programme == "Hips, week 3"
        logged = store.get_session(summary.id).programme
        assert logged == written.stamp(path.name)
    # The History window names the programme on the session.
    from ui.history_view import HistoryView

    store = Store(db)
    view = HistoryView(store)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.detail.topLevelItemCount() > 0, timeout=5_000)
    assert "programme Hips, week 3 (Zoë Müller, by Dr Ng" in view.detail.topLevelItem(0).text(0)
    view.close()
    store.close()
    # A programme is not remembered as "the last session" in the settings: it lives in its file.
    assert window.settings.plan is None or "programme" not in str(window.settings.plan)


def test_a_bad_file_gets_a_message_box_and_changes_nothing(qtbot, tmp_path):
    window = make_window(qtbot, None, sound=RecordingSound(), analyzer_factory=lambda *a, **k: None)
    bad = tmp_path / "bad.medius.toml"
    bad.write_text('format = "medius-programme"\nversion = 1\ntitle = "T"\npatient = "P"\ntherapist = "X"\n'
                   'date = 2026-12-01\n\n[[exercises]]\nid = "clamshell"\nsets = 0\nreps = 3\n', encoding="utf-8")
    screen = window.plan_screen
    before = screen.plan()
    _drop(screen, bad)
    box = screen.programme_error_box
    assert box.isVisible()
    assert "bad.medius.toml, line 10: exercises[1].sets: 0 is outside the range 1 to" in box.text()
    assert screen.programme is None and screen.plan() == before and screen.free_plan.isVisible()
    box.close()
    # The editor says the same in its own message line.
    editor = ProgrammeEditor()
    qtbot.addWidget(editor)
    assert not editor.open_file(bad) and "line 10" in editor.message.text()


def test_a_programme_hold_target_reaches_the_engine_params():
    holds = [e for e in Exercise if default_params(e).kind == "hold"]
    if not holds:
        pytest.skip("the exercise library has no timed hold")
    params = engine.therapist_params(holds[0], Settings(), hold_s=25.0)
    assert params.hold_target_s == 25.0 and params.kind == "hold"
    assert params.fault_limits == default_params(holds[0]).fault_limits
    assert engine.therapist_params(holds[0], Settings()) is None  # nothing changed: the analyzer's defaults


def test_programme_limits_reach_the_engine_params_over_the_settings():
    code = "leg_above_hip"
    assert code in default_limits(Exercise.SIDE_LYING_ABDUCTION)
    settings = Settings(ceiling_deg=50.0)
    assert engine.therapist_params(Exercise.SIDE_LYING_ABDUCTION, settings).fault_limits[code] == 50.0
    params = engine.therapist_params(Exercise.SIDE_LYING_ABDUCTION, settings, ((code, 33.0),))
    assert params.fault_limits[code] == 33.0
    other = next(c for c in default_limits(Exercise.SIDE_LYING_ABDUCTION) if c != code)
    assert params.fault_limits[other] == default_limits(Exercise.SIDE_LYING_ABDUCTION)[other]


def test_a_hold_in_a_programme_runs_one_hold_per_set_with_the_therapists_target(qtbot):
    import datetime as dt

    from app.session.programme import Programme, ProgrammeEntry, to_plan

    holds = [e for e in Exercise if default_params(e).kind == "hold"]
    if not holds:
        pytest.skip("the exercise library has no timed hold")
    p = Programme("Holds", "P", "T", dt.date(2026, 12, 1),
                  (ProgrammeEntry(holds[0], sets=2, reps=None, hold_s=20.0, sides="left", rest_s=0),))
    calls = []

    def factory(exercise, side, settings, **programme):
        calls.append(programme)
        return lambda: FakeAnalyzer(every=3)

    window = make_window(qtbot, clip(SHORT), sound=RecordingSound(), analyzer_factory=factory, pace=1.0, loop=True)
    c = window.controller
    c.start_session(to_plan(p))
    assert [s.target_reps for s in c.run.steps] == [1, 1]  # one hold per set
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: c.run.phase is Phase.SUMMARY, timeout=20_000)
    assert calls and all(k.get("hold_s") == 20.0 for k in calls)


def test_closing_the_editor_with_unsaved_changes_asks_first(qtbot, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    editor = ProgrammeEditor()
    qtbot.addWidget(editor)
    editor.show()
    assert not editor.unsaved
    qtbot.keyClicks(editor.patient, "Bo")
    editor.add_exercise(Exercise.CLAMSHELL)
    assert editor.unsaved
    close = next(b for b in editor.findChildren(type(editor.save_button)) if b.text() == "Close")
    close.click()
    box = editor.close_box
    assert box.isVisible() and editor.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert editor.isVisible()
    # Saved: Close closes at once.
    qtbot.keyClicks(editor.title_edit, "T")
    qtbot.keyClicks(editor.therapist, "Th")
    assert editor.save_to(tmp_path / "bo.medius.toml") is not None and not editor.unsaved
    close.click()
    assert not editor.isVisible()


def test_editing_one_field_keeps_the_exact_values_of_a_hand_written_file(qtbot, tmp_path):
    """A limit of 0.125 or a rest of 45.5 s (finer than the editor's boxes show) survives editing the note."""
    code = next(iter(default_limits(Exercise.CLAMSHELL)))
    low, high = limit_range(Exercise.CLAMSHELL, code)
    exact = low + (high - low) / 3  # no round number
    path = tmp_path / "hand.medius.toml"
    path.write_text(f"""format = "medius-programme"
version = 1
title = "T"
patient = "P"
therapist = "Th"
date = 2026-12-01

[[exercises]]
id = "clamshell"
sets = 2
reps = 12
rest_s = 45.55

[exercises.limits]
{code} = {exact!r}
""", encoding="utf-8")
    editor = ProgrammeEditor()
    qtbot.addWidget(editor)
    assert editor.open_file(path)
    editor.note.setPlainText("new note")
    (entry,) = editor.entries
    assert entry.note == "new note" and entry.rest_s == 45.55 and entry.limits == ((code, exact),)
    editor.sets.setValue(3)  # a real change still lands
    assert editor.entries[0].sets == 3 and editor.entries[0].limits == ((code, exact),)


def test_the_real_analyzer_of_a_programme_set_judges_by_the_programmes_limits():
    """engine.analyzer_factory, as the controller calls it for a programme's set: the tracker inside the real
    FrameAnalyzer holds the therapist's limit (and a hold its target); the pose model is not needed for that."""
    ex = Exercise.STEP_DOWN
    code = next(iter(default_limits(ex)))
    low, high = limit_range(ex, code)
    own = round((low + high) / 2, 1)
    analyzer = engine.analyzer_factory(ex, "auto", Settings(), limits=((code, own),))(estimator=object())
    assert analyzer.tracker.params.fault_limits[code] == own
    plain = engine.analyzer_factory(ex, "auto", Settings())(estimator=object())
    assert plain.tracker.params.fault_limits[code] == default_limits(ex)[code]


@pytest.mark.clips
def test_medius_session_runs_a_programme_file_end_to_end(tmp_path):
    """`medius session --program FILE`: the real GUI, engine and log on a clip, nobody at the keyboard; the log
    keeps the programme (and its limit) the session followed. A bad file is one line and exit 2."""
    import json
    import os
    import subprocess
    import sys

    from app.storage import Store

    video = clip("lateral_stepdown_front_cornell_1.mp4")
    code = next(iter(default_limits(Exercise.STEP_DOWN)))
    low, high = limit_range(Exercise.STEP_DOWN, code)
    own = round((low + high) / 2, 1)
    path = tmp_path / "p.medius.toml"
    path.write_text(f"""format = "medius-programme"
version = 1
title = "Step-downs"
patient = "P"
therapist = "T"
date = 2026-12-01

[[exercises]]
id = "step-down"
sets = 1
reps = 2
sides = "auto"
rest_s = 0

[exercises.limits]
{code} = {own}
""", encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MEDIUS_DATA_DIR": str(tmp_path / "data"),
           "MEDIUS_CONFIG_DIR": str(tmp_path / "config"), "MEDIUS_LOG_DIR": str(tmp_path / "log")}
    out = tmp_path / "summary.json"

    def session(programme: pathlib.Path):
        return subprocess.run([sys.executable, "-m", "ui.launcher", "session", "--source", str(video), "--loop",
                               "--program", str(programme), "--hands-free", "--fast", "--summary-json", str(out)],
                              env=env, capture_output=True, text=True, timeout=240)

    proc = session(path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(out.read_text())
    assert summary["completed"] and summary["key_presses"] == 0
    assert [(s["exercise"], s["reps"], s["target"]) for s in summary["sets"]] == [("step-down", 2, 2)]
    with Store(tmp_path / "data" / "history.sqlite3") as store:
        (row,) = store.list_sessions()
        stamp = store.get_session(row.id).programme
    assert row.programme == "Step-downs" and stamp.file_name == "p.medius.toml"
    assert stamp.entries[0]["limits"] == {code: own}
    bad = tmp_path / "bad.medius.toml"
    bad.write_text(path.read_text().replace('id = "step-down"', 'id = "step-dwn"'), encoding="utf-8")
    proc = session(bad)
    assert proc.returncode == 2 and "bad.medius.toml, line 9: exercises[1].id: unknown exercise 'step-dwn'" \
        in proc.stderr
