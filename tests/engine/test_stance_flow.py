"""The guided test's steps (app.stance.flow), driven by engine states and bouts as a person would produce them."""

from __future__ import annotations

import math

from app.stance.flow import BASELINE_TARGET_S, MAX_TRIES, StanceFlow
from app.stance.bouts import StanceState
from app.stance.verdict import BoutResult


def bout(leg, duration, verdict="negative"):
    return BoutResult(leg, 10.0, 10.0 + duration, duration, 1.0, 0.5, 2.0, verdict, "pelvis level within 5°",
                      ended_by="the free foot touched down")


def test_a_whole_guided_test_prompts_each_step_and_speaks_on_entering_it():
    flow = StanceFlow()
    v = flow.update(StanceState(0.0, "no_person"))
    assert v.step == "baseline" and "Step into view" in v.prompt
    v = flow.update(StanceState(1.0, "ready", baseline_s=1.0))
    assert v.step == "baseline" and 0 < v.progress < 1 and v.cue is None
    v = flow.update(StanceState(3.0, "ready", baseline_s=BASELINE_TARGET_S))
    assert v.step == "lift" and "LEFT leg" in v.prompt and "right foot" in v.prompt
    assert (v.cue, v.cue_fallback) == ("stance_on_left", "go")
    cues = [flow.update(StanceState(3.5 + t, "holding", "left", hold_s=t, obliquity_deg=2.0)) for t in range(25)]
    assert [c.cue for c in cues if c.cue] == ["count_10", "count_20"]
    assert "Hold on your left leg" in flow.update(StanceState(28.0, "holding", "left", hold_s=24.5)).prompt
    v = flow.bout_finished(bout("left", 24.5))
    assert v.step == "lift" and "RIGHT leg" in v.prompt and "held 24 s" in v.detail
    assert (v.cue, v.cue_fallback) == ("stance_on_right", "set_done")
    v = flow.bout_finished(bout("right", 30.0))
    assert flow.done and (v.cue, v.cue_fallback) == ("stance_done", "session_done")
    assert set(flow.chosen) == {"left", "right"}


def test_a_foot_down_too_soon_is_said_and_tried_again_then_the_longest_try_is_kept():
    flow = StanceFlow()
    flow.update(StanceState(3.0, "ready", baseline_s=BASELINE_TARGET_S))
    for i in range(MAX_TRIES - 1):
        v = flow.bout_finished(bout("left", 0.4 + 0.1 * i))
        assert v.step == "lift" and "LEFT leg" in v.prompt and "came down after" in v.detail
        assert (v.cue, v.cue_fallback) == ("stance_try_again", None)
        assert "left" not in flow.chosen
    flow.bout_finished(bout("left", 0.3))
    assert flow.chosen["left"].duration_s == 0.5 and flow.asked == "right"


def test_the_other_foot_lifted_fills_that_side_and_the_first_is_still_asked():
    flow = StanceFlow()
    flow.update(StanceState(3.0, "ready", baseline_s=BASELINE_TARGET_S))
    flow.update(StanceState(3.5, "holding", "right", hold_s=0.2, obliquity_deg=math.nan))
    v = flow.bout_finished(bout("right", 12.0))
    assert set(flow.chosen) == {"right"} and "LEFT leg" in v.prompt


def test_every_stance_cue_is_a_stance_phrase_or_a_count():
    from app.stance.flow import STANCE_PHRASES

    flow = StanceFlow()
    views = [flow.update(StanceState(3.0, "ready", baseline_s=BASELINE_TARGET_S)),
             flow.bout_finished(bout("left", 0.2)), flow.bout_finished(bout("left", 9.0)),
             flow.bout_finished(bout("right", 9.0))]
    assert all(v.cue in STANCE_PHRASES for v in views)
