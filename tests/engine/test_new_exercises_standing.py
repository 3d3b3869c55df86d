"""The standing exercises added as data files (standing-hip-abduction, single-leg-squat, hip-hike), on real clips.

Counts on the clips labelled with their `planned_exercise_id` are scored by test_clips like every other clip;
here: their faults on the labelled reps, what cannot be judged from a camera behind the person, and the
counting of an exercise that has no clip of its own (hip-hike) on clips of neighbouring exercises.
"""

from __future__ import annotations

import pytest

from app.evaluation.faults import codes_for_kind
from app.pipeline.analysis import analyze_video
from medius_testdata import SKIP_NO_CLIPS, VIDEOS_DIR, clip_labels

BIOTRACK = VIDEOS_DIR / "standing_hip_abduction_front_trunklean_biotrack_1.mp4"
CABLE = VIDEOS_DIR / "standing_cable_hip_abduction_posterior_curvelog_1.mp4"
PISTOL = VIDEOS_DIR / "singleleg_squat_front_musclewiki_barba_1.mp4"
STEP_DOWN = VIDEOS_DIR / "lateral_stepdown_front_cornell_1.mp4"
needs_clips = pytest.mark.skipif(not BIOTRACK.is_file(), reason=SKIP_NO_CLIPS)


@needs_clips
def test_standing_abduction_finds_the_labelled_trunk_lean_and_hike_on_every_rep():
    result = analyze_video(BIOTRACK, "standing-hip-abduction")
    label = next(c for c in clip_labels() if c["file"] == BIOTRACK.name)
    assert len(result.reps) == label["reps"]
    for fault in label["faults"]:
        rep = min(result.reps, key=lambda r: abs(r.t_peak_s - fault["t_s"]))
        assert abs(rep.t_peak_s - fault["t_s"]) < 1.0
        for code in codes_for_kind(fault["kind"]):
            assert code in rep.faults, (fault, rep)
    assert result.side == "right"  # stands on the left leg, the right one lifts


@needs_clips
def test_from_behind_at_an_angle_the_hip_hike_is_not_judged_rather_than_guessed():
    result = analyze_video(CABLE, "standing-hip-abduction", frame_step=2)
    assert len(result.reps) == 5
    for rep in result.reps:
        assert "hip_hike" not in rep.faults
        assert ("hip_hike", "hips seen at an angle from this camera") in rep.unjudged


@needs_clips
def test_single_leg_squat_does_not_call_a_deep_frontal_knee_bend_valgus():
    # A clean deep pistol squat: from the front its knee's picture angle turns by ~39° at the bottom.
    result = analyze_video(PISTOL, "single-leg-squat")
    assert len(result.reps) == 1
    (rep,) = result.reps
    assert "knee_valgus" not in rep.faults
    assert ("knee_valgus", "knee bent too deep to judge from the front") in rep.unjudged


@needs_clips
@pytest.mark.parametrize("clip, hikes", [(BIOTRACK, 2), (STEP_DOWN, 0), (PISTOL, 0)],
                         ids=["abduction with a hike per rep", "step-down, level pelvis", "pistol squat"])
def test_hip_hike_counts_hikes_and_not_a_level_pelvis(clip, hikes):
    result = analyze_video(clip, "hip-hike", frame_step=2)
    assert len(result.reps) == hikes
    if hikes:
        assert result.side == "left"  # the standing leg lifts the other side


@needs_clips
def test_hands_and_knees_is_not_standing():
    # On all fours the trunk lines up with a hip->ankle line too; the side-step must not count leg circles.
    hydrant = VIDEOS_DIR / "fire_hydrant_circle_2shots_fitbod_hpy_1.mp4"
    result = analyze_video(hydrant, "band-side-step", frame_step=2)
    assert len(result.reps) == 0
