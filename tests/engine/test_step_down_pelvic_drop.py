"""The step-down's "pelvis drops" warning checked against known drops (issue 12): synthetic pelvic drops of 6°,
10° and 15° put into chosen reps of the real step-down clip's landmark trace (the free hip turned about the
stance hip, rising and falling with the rep) are flagged on exactly those reps, and the untouched clip on none.

The default tolerance is 8° beyond the standing posture, so at the default the 6° rep is (rightly) not flagged;
at a therapist's 5° all three are.
"""

from __future__ import annotations

import functools
import math

import pytest

from app.engine.events import FormWarning, RepCompleted
from app.engine.exercise_params import default_params
from app.stance.geometry import axes_from, stance_frame
from app.engine.tracker import ExerciseTracker
from medius_testdata import LABELS_PATH, SKIP_NO_CLIPS

from .stance_synthetic import landmarks, with_pelvic_drop

pytestmark = [pytest.mark.clips, pytest.mark.skipif(not LABELS_PATH.is_file(), reason=SKIP_NO_CLIPS)]
CLIP = "lateral_stepdown_front_cornell_1.mp4"
STANCE = "left"  # labels: stance leg = left (on the books)
DROPS = {3: 6.0, 6: 10.0, 9: 15.0}  # rep index → drop at the bottom of the rep


def run(samples, tolerance_deg=None):
    params = default_params("step-down")
    if tolerance_deg is not None:
        params = params.with_limits(pelvic_drop=tolerance_deg)
    tracker = ExerciseTracker("step-down", params=params)
    reps, warnings = [], []
    for t_s, sample in samples:
        for event in tracker.step(sample, t_s).events:
            if isinstance(event, RepCompleted):
                reps.append(event)
            elif isinstance(event, FormWarning):
                warnings.append(event)
    return reps, warnings


@functools.lru_cache(maxsize=None)
def untouched_reps():
    return run(landmarks(CLIP)[0])[0]


def with_drops(samples, reps):
    """Each chosen rep gets a drop that grows and shrinks with it (sin², the most at mid-rep)."""
    axes = axes_from([stance_frame(s) for _, s in samples[:30] if s is not None])  # picture axes of the start
    by_index = {r.index: r for r in reps}
    out = []
    for t_s, sample in samples:
        rep = next((by_index[i] for i in DROPS if by_index[i].t_start_s <= t_s <= by_index[i].t_end_s), None)
        if rep is None or sample is None:
            out.append((t_s, sample))
            continue
        share = math.sin(math.pi * (t_s - rep.t_start_s) / (rep.t_end_s - rep.t_start_s)) ** 2
        out.extend(with_pelvic_drop([(t_s, sample)], axes, STANCE, DROPS[rep.index] * share, rep.t_start_s,
                                    rep.t_end_s, ramp_s=0.0))
    return out


def test_the_untouched_clip_has_no_pelvic_drop_warning():
    reps, warnings = run(landmarks(CLIP)[0], tolerance_deg=5.0)
    assert len(reps) == 11
    assert not [w for w in warnings if w.code == "pelvic_drop"]
    assert not [r.index for r in reps if "pelvic_drop" in r.faults]


@pytest.mark.parametrize("tolerance_deg, flagged", [(None, {6, 9}), (5.0, {3, 6, 9})])
def test_synthetic_drops_are_flagged_on_exactly_those_reps(tolerance_deg, flagged):
    samples = with_drops(landmarks(CLIP)[0], untouched_reps())
    reps, warnings = run(samples, tolerance_deg)
    assert [r.index for r in reps] == [r.index for r in untouched_reps()]  # counting is unchanged
    assert {r.index for r in reps if "pelvic_drop" in r.faults} == flagged
    drops = [w for w in warnings if w.code == "pelvic_drop"]
    assert len(drops) == len(flagged)
    for w, index in zip(drops, sorted(flagged), strict=True):
        rep = next(r for r in reps if r.index == index)
        assert rep.t_start_s <= w.t_s <= rep.t_end_s
        assert w.value == pytest.approx(DROPS[index], abs=2.0)
