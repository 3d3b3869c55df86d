"""The hands-free start: settled in position (on the wanted side) → 3, 2, 1, go; leaving the position calls it off."""

from app.engine.events import Status
from app.handsfree.start_gate import StartGate


def run(gate, frames):
    said = []
    for t, status, side in frames:
        said += [(t, w) for w in gate.update(t, status, side)]
    return said


def test_counts_down_once_settled_and_says_each_beat_once():
    gate = StartGate()
    frames = [(t / 10, Status.SETTLING if t < 5 else Status.TRACKING, "left") for t in range(0, 50)]
    said = run(gate, frames)
    assert [w for _, w in said] == ["3", "2", "1", "go"]
    assert [t for t, _ in said] == [0.5, 1.5, 2.5, 3.5]
    assert gate.state == "go" and gate.update(6.0, Status.TRACKING, "left") == []


def test_waits_for_the_wanted_side_before_counting():
    gate = StartGate(want_side="right")
    wrong = [(t / 10, Status.TRACKING, "left") for t in range(0, 30)]
    assert run(gate, wrong) == [] and gate.state == "waiting"
    right = [(3 + t / 10, Status.TRACKING, "right") for t in range(0, 40)]
    assert [w for _, w in run(gate, right)] == ["3", "2", "1", "go"]


def test_leaving_the_position_calls_the_countdown_off_but_a_short_dropout_does_not():
    gate = StartGate()
    frames = [(0.0, Status.TRACKING, None), (1.2, Status.PARTIAL, None), (1.5, Status.SETTLING, None)]
    assert [w for _, w in run(gate, frames)] == ["3", "2"]
    assert gate.state == "countdown"
    frames = [(1.6 + t / 10, Status.NO_PERSON, None) for t in range(0, 12)]
    assert [w for _, w in run(gate, frames)] == ["wait"]
    assert gate.state == "waiting" and not gate.started
