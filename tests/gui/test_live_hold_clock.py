"""The live screen of a timed hold: the big digits are the seconds held ("Hold / 4 / s of 10"), from the tracker's
snapshots, and a hold set ends after its one hold, also when the plan screen's row asked for several reps."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.engine.events import Exercise, RepCompleted, Status, StatusChanged, StepResult, TrackerSnapshot
from app.session.plan import ExerciseBlock, Phase, SessionPlan, SetStep, flatten
from ui.live_screen import COUNTER_PX, LiveScreen

from .conftest import RecordingSound, clip
from .helpers import make_window

pytestmark = [pytest.mark.gui]
SHORT = "clamshell_banded_front_chloe_gif_1.mp4"  # 10 fps, 3 s: loops


def _hold_exercise() -> Exercise:
    holds = [e for e in Exercise if e.spec.kind == "hold"]
    if not holds:
        pytest.skip("the exercise library has no timed hold")
    return holds[0]


def _rep_exercise() -> Exercise:
    return next(e for e in Exercise if e.spec.kind == "reps")


def test_a_hold_set_shows_the_seconds_held_big_instead_of_a_count(qtbot):
    hold = _hold_exercise()
    screen = LiveScreen()
    qtbot.addWidget(screen)
    screen.show_step(SetStep(0, hold, 1, 3, "left", 1))
    target = hold.spec.hold_target_s
    assert screen.hold_label.isVisibleTo(screen) and screen.hold_label.text() == "Hold"
    assert screen.counter.text() == "0" and screen.target_label.text() == f"s of {target:g}"
    assert screen.counter.font().pixelSize() == COUNTER_PX  # the same digits as the rep counter: readable at 3 m
    screen.set_hold(4.7, 25.0)  # a programme's own target arrives with the snapshots
    assert screen.counter.text() == "4" and screen.target_label.text() == "s of 25"
    screen.set_count(1, 1)  # the hold's completion is not shown as "1 of 1 reps"
    screen.set_hold(0.0, 25.0)  # lowered: the clock keeps the hold just done
    assert screen.counter.text() == "4" and screen.target_label.text() == "s of 25"
    # A rep exercise after it: the counter again, no hold word.
    screen.show_step(SetStep(1, _rep_exercise(), 1, 3, "left", 10))
    assert not screen.hold_label.isVisibleTo(screen)
    screen.set_hold(3.0, 10.0)  # rep exercises' snapshots carry no hold; even if one did, the count stays
    assert screen.counter.text() == "0" and screen.target_label.text() == "of 10 reps"


def test_a_hold_block_is_one_hold_per_set_whatever_its_reps():
    hold = _hold_exercise()
    plan = SessionPlan(blocks=(ExerciseBlock(hold, sets=2, reps_per_set=10, sides=("left",)),
                               ExerciseBlock(_rep_exercise(), sets=1, reps_per_set=7, sides=("left",))))
    assert [s.target_reps for s in flatten(plan)] == [1, 1, 7]


class _HoldAnalyzer:
    """A stand-in for FrameAnalyzer on a hold: the clock runs for 12 frames, then the hold ends (one rep)."""

    def __init__(self, target_s: float) -> None:
        self.n = 0
        self.target_s = target_s

    def process(self, frame):
        self.n += 1
        held = 0.5 * (self.n % 13)
        events = ()
        if self.n == 1:
            events = (StatusChanged(frame.t_s, Status.TRACKING, ""),)
        elif self.n % 13 == 0:
            events = (RepCompleted(self.n // 13, "left", frame.t_s - 6, frame.t_s - 3, frame.t_s, 30.0, (),
                                   held_s=6.0),)
        snap = TrackerSnapshot(frame.t_s, Status.TRACKING, "left", self.n // 13, 20.0, 35.0,
                               "top" if held else "rest", (), hold_s=held, hold_target_s=self.target_s)
        return StepResult(snap, events)

    def close(self):
        pass


def test_a_hold_set_from_the_plan_screen_ends_after_its_hold(qtbot):
    hold = _hold_exercise()
    shown: list[str] = []

    def factory(exercise, side, settings, **programme):
        return lambda: _HoldAnalyzer(hold.spec.hold_target_s)

    window = make_window(qtbot, clip(SHORT), sound=RecordingSound(), analyzer_factory=factory, pace=1.0, loop=True)
    rows = {r.exercise: r for r in window.plan_screen.rows}
    for ex, row in rows.items():
        row.enabled.setChecked(ex == hold)
    rows[hold].sets.setValue(2)
    assert not rows[hold].reps.isEnabled() and rows[hold].reps.value() == 1
    rows[hold].sides.setCurrentIndex(rows[hold].sides.findText("Left leg only"))
    window.plan_screen.rest.setValue(0)
    plan = window.plan_screen.plan()
    assert plan is not None and [b.reps_per_set for b in plan.blocks] == [1]
    c = window.controller
    c.start_session(plan)
    assert [s.target_reps for s in c.run.steps] == [1, 1]
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: c.run.phase is not Phase.LIVE or window.live.counter.text() not in ("", "0"),
                    timeout=20_000)
    shown.append(window.live.counter.text())
    qtbot.waitUntil(lambda: c.run.results[0].outcome != "pending", timeout=20_000)
    assert c.run.results[0].reps == 1 and c.run.results[0].outcome == "done"
    assert window.live.hold_label.isVisibleTo(window.live)
    assert any(t.isdigit() and int(t) > 0 for t in shown)
