"""The session state machine, driven with explicit times (no clock, no Qt)."""

import pytest

from app.engine.events import Exercise
from app.session.plan import ExerciseBlock, Phase, SessionPlan, SessionRun, default_plan, flatten, summary_rows


def small_plan(rest_s=30.0):
    return SessionPlan(
        blocks=(
            ExerciseBlock(Exercise.CLAMSHELL, sets=2, reps_per_set=2, sides=("left", "right")),
            ExerciseBlock(Exercise.STEP_DOWN, sets=1, reps_per_set=3, sides=("auto",)),
        ),
        rest_s=rest_s,
    )


def test_default_plan_has_the_three_exercises_and_doses():
    plan = default_plan()
    assert [b.exercise for b in plan.blocks] == [Exercise.SIDE_LYING_ABDUCTION, Exercise.CLAMSHELL, Exercise.STEP_DOWN]
    assert [(b.sets, b.reps_per_set) for b in plan.blocks] == [(3, 10), (2, 15), (3, 10)]
    assert plan.rest_s == 60.0
    assert len(flatten(plan)) == 2 * (3 + 2 + 3)


def test_flatten_is_side_major():
    steps = flatten(small_plan())
    assert [(s.exercise, s.side, s.set_number) for s in steps] == [
        (Exercise.CLAMSHELL, "left", 1), (Exercise.CLAMSHELL, "left", 2),
        (Exercise.CLAMSHELL, "right", 1), (Exercise.CLAMSHELL, "right", 2),
        (Exercise.STEP_DOWN, "auto", 1),
    ]


def test_full_flow_instruction_live_rest_side_change_next_exercise_summary():
    run = SessionRun(small_plan(rest_s=30.0))
    assert run.phase is Phase.INSTRUCTION
    run.start_set(0.0)
    assert run.phase is Phase.LIVE
    assert run.record_rep() is False
    assert run.record_rep() is True  # target reached
    run.finish_set(5.0)
    assert run.phase is Phase.REST and run.rest_left_s(5.0) == 30.0
    assert run.tick(20.0) is False
    assert run.tick(35.0) is True
    assert run.phase is Phase.LIVE and run.current.set_number == 2
    run.record_rep(); run.record_rep(); run.finish_set(40.0)
    assert run.side_changes_next()  # the rest before the right side says "turn over"
    run.tick(71.0)
    assert run.current.side == "right"
    for _ in range(2):
        run.record_rep(); run.record_rep(); run.finish_set(80.0); run.tick(200.0)
    # A new exercise starts with its instruction card, not a timed rest.
    assert run.phase is Phase.INSTRUCTION and run.current.exercise is Exercise.STEP_DOWN
    run.skip(210.0)  # N on the card starts the set
    assert run.phase is Phase.LIVE
    for _ in range(3):
        run.record_rep()
    run.finish_set(220.0)
    assert run.phase is Phase.SUMMARY
    rows = summary_rows(run)
    assert [r["outcome"] for r in rows] == ["done"] * 5
    assert sum(r["reps"] for r in rows) == 2 * 4 + 3


def test_pause_freezes_rest_and_blocks_reps():
    run = SessionRun(small_plan(rest_s=30.0))
    run.start_set(0.0)
    run.pause(1.0)
    assert run.record_rep() is False and run.current_result.reps == 0
    run.resume(2.0)
    run.record_rep(); run.record_rep(); run.finish_set(3.0)
    run.pause(10.0)
    assert run.rest_left_s(100.0) == pytest.approx(23.0)
    assert run.tick(100.0) is False
    run.resume(100.0)
    assert run.rest_left_s(100.0) == pytest.approx(23.0)
    assert run.tick(123.5) is True


def test_a_rep_still_in_flight_when_pause_is_pressed_counts():
    run = SessionRun(small_plan())
    run.start_set(0.0)
    run.pause(1.0)
    assert run.record_rep() is False and run.current_result.reps == 0
    run.record_rep(before_pause=True)
    run.record_fault(0.9, "too_fast", before_pause=True)
    assert run.current_result.reps == 1 and run.current_result.faults == [(0.9, "too_fast")]


def test_skip_redo_and_end_early_keep_what_was_done():
    run = SessionRun(small_plan())
    run.start_set(0.0)
    run.record_rep()
    run.skip(1.0)  # leave the set with 1 of 2
    assert run.results[0].outcome == "partial" and run.phase is Phase.REST
    run.redo(2.0)  # R during the rest redoes the set just finished
    assert run.phase is Phase.LIVE and run.index == 0 and run.current_result.reps == 0
    run.record_rep()
    run.redo(3.0)
    assert run.current_result.reps == 0
    run.record_rep()
    run.end_early(4.0)
    assert run.phase is Phase.SUMMARY and run.ended_early
    assert run.results[0].outcome == "partial" and run.results[0].reps == 1
    assert all(r.outcome == "skipped" for r in run.results[1:])


def test_skip_during_rest_starts_next_set_and_faults_are_recorded():
    run = SessionRun(small_plan())
    run.start_set(0.0)
    run.record_fault(0.5, "pelvis_roll_back")
    run.finish_set(1.0)
    assert run.results[0].outcome == "skipped" and run.results[0].faults == [(0.5, "pelvis_roll_back")]
    run.skip(2.0)
    assert run.phase is Phase.LIVE and run.index == 1


def test_plan_round_trips_and_validates():
    plan = small_plan()
    assert SessionPlan.from_dict(plan.to_dict()) == plan
    with pytest.raises(ValueError):
        ExerciseBlock(Exercise.CLAMSHELL, sets=0)
    with pytest.raises(ValueError):
        ExerciseBlock(Exercise.CLAMSHELL, sides=("up",))
    with pytest.raises(ValueError):
        SessionPlan(blocks=())


# Any sequence of button presses, reps and clock ticks keeps the session consistent.
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ACTIONS = st.lists(
    st.sampled_from(["start", "rep", "fault", "finish", "skip", "redo", "pause", "resume", "tick", "end"]),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(ACTIONS, st.floats(min_value=0.0, max_value=90.0))
def test_any_action_sequence_keeps_the_session_consistent(actions, rest_s):
    run = SessionRun(small_plan(rest_s=rest_s))
    now = 0.0
    for action in actions:
        now += 7.0
        before = [r.reps for r in run.results]
        index_before = run.index
        {
            "start": lambda: run.start_set(now),
            "rep": run.record_rep,
            "fault": lambda: run.record_fault(now, "too_fast"),
            "finish": lambda: run.finish_set(now),
            "skip": lambda: run.skip(now),
            "redo": lambda: run.redo(now),
            "pause": lambda: run.pause(now),
            "resume": lambda: run.resume(now),
            "tick": lambda: run.tick(now),
            "end": lambda: run.end_early(now),
        }[action]()
        assert 0 <= run.index <= len(run.steps)
        assert (run.current is None) == (run.index == len(run.steps))
        if run.phase is not Phase.SUMMARY:
            assert run.current is not None
        assert run.rest_left_s(now) <= rest_s + 1e-9
        for i, r in enumerate(run.results):
            assert r.reps >= 0  # reps past the target are kept: the person did them (the GUI ends the set at once)
            assert r.outcome in ("pending", "done", "partial", "skipped")
            assert (r.outcome == "done") <= (r.reps >= r.step.target_reps)
            if i != index_before:
                assert r.reps == before[i]  # only the current set's count ever changes
        if run.phase is Phase.SUMMARY:
            assert all(r.outcome != "pending" for r in run.results)
            assert not run.paused
