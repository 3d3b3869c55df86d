"""A hold is an exercise kind: timed while the position is held, with a target, instead of counted.

Real footage: the curvelog side-lying clip opens with one lift held from about 15.4 s to 23.3 s (labels.json
notes), which the hold exercise must time as one hold of about 8 s, short of its 10 s target. Every second frame
is analysed (a 15 fps camera), which also keeps the test short.
"""

from __future__ import annotations

import pytest

from app.engine.events import RepCompleted, TrackerSnapshot
from app.engine.exercise_params import default_params
from app.pipeline.analysis import analyze_video
from medius_testdata import SKIP_NO_CLIPS, VIDEOS_DIR

CLIP = VIDEOS_DIR / "sidelying_leg_raise_front_curvelog_1.mp4"


@pytest.mark.skipif(not CLIP.is_file(), reason=SKIP_NO_CLIPS)
def test_the_held_lift_of_a_real_clip_is_timed_as_one_hold():
    params = default_params("side-lying-abduction-hold")
    assert params.kind == "hold" and params.hold_target_s == 10.0
    snapshots: list[TrackerSnapshot] = []
    result = analyze_video(CLIP, "side-lying-abduction-hold", frame_step=2,
                           on_step=lambda frame, step: snapshots.append(step.snapshot))
    holds = [r for r in result.reps if 14.5 <= r.t_peak_s <= 17.0]
    assert len(holds) == 1, result.reps
    hold: RepCompleted = holds[0]
    # Labelled: up at 15.4 s, held to about 23.3 s, lowered 23.5-24.2 s.
    assert 6.8 <= hold.held_s <= 8.6, hold
    assert "hold_short" in hold.faults  # under 80 % of the 10 s target
    # The live clock the screen shows: rises through the hold, back to 0 after it, never above the hold's result.
    during = [s.hold_s for s in snapshots if 17.0 <= s.t_s <= 23.0]
    assert during and all(a <= b for a, b in zip(during, during[1:])) and max(during) <= hold.held_s + 0.1
    assert all(s.hold_target_s == 10.0 for s in snapshots)
    assert all(s.hold_s == 0.0 for s in snapshots if 24.3 <= s.t_s <= 24.9)  # lowered: the clock is back at 0


def test_rep_exercises_have_no_hold_clock():
    assert default_params("clamshell").kind == "reps" and default_params("clamshell").hold_target_s is None
