"""End to end on the labelled clips: real video, real MediaPipe, the labels counted by hand.

Targets (issue 13): every count within the label's accepted range, every counted rep's peak within ±1 s of a
labelled peak (so no rep is counted during set-up, rests, titles or cuts), no camera cut found in a continuous
shot, and a status prompt that changes at most about once a second.
"""

from __future__ import annotations

import functools

import pytest

from app.evaluation import counts as evaluation
from medius_testdata import LABELS_PATH, SKIP_NO_CLIPS, VIDEOS_DIR, scored_clips

pytestmark = [pytest.mark.clips, pytest.mark.skipif(not LABELS_PATH.is_file(), reason=SKIP_NO_CLIPS)]
CLIPS = scored_clips()


@functools.lru_cache(maxsize=None)
def score(file: str) -> evaluation.ClipScore:
    clip = next(c for c in CLIPS if c["file"] == file)
    return evaluation.score_clip(VIDEOS_DIR, clip)


@pytest.mark.parametrize("file", [c["file"] for c in CLIPS])
def test_clip_count_within_one_and_every_peak_is_a_labelled_rep(file):
    s = score(file)
    print(evaluation.format_row(s))
    assert s.exact, evaluation.format_row(s)
    assert s.peaks_matched == s.counted, f"counted peaks {s.peaks_s} not all within ±1 s of a labelled rep"


def test_accuracy_totals_meet_the_targets():
    scores = [score(c["file"]) for c in CLIPS]
    totals = evaluation.totals(scores)
    print(evaluation.format_totals(totals))
    assert len(scores) >= 8
    assert totals["exact_rate"] == 1.0
    assert totals["peaks_matched"] == totals["peaks_counted"]


def test_lying_leg_raise_on_the_back_is_not_counted_as_abduction():
    """The labels' control clip: a supine straight-leg raise filmed from the side looks like an abduction in
    the picture, but it is hip flexion. The hips overlap instead of showing one above the other."""
    from app.pipeline.analysis import analyze_video

    result = analyze_video(VIDEOS_DIR / "supine_straight_leg_raise_side_physiobody_1.mp4", "side-lying-abduction")
    assert len(result.reps) == 0
    assert any(s.status.value == "wrong_view" for s in result.statuses)


# Edited clips (a title card over a different shot, crossfades to close-ups, two shots) and the rest: one shot each.
EDITED = {"sidelying_leg_raise_front_curvelog_1.mp4", "clamshell_banded_2shots_fitbod_hpy_1.mp4"}


@pytest.mark.parametrize("file", [c["file"] for c in CLIPS if c["file"] not in EDITED])
def test_a_continuous_shot_has_no_camera_cut(file):
    s = score(file)
    assert s.camera_cuts == 0, evaluation.format_row(s)


@pytest.mark.parametrize("file", [c["file"] for c in CLIPS])
def test_the_status_prompt_changes_at_most_once_a_second(file):
    s = score(file)
    assert s.prompt_min_gap_s >= 0.95, f"two prompts {s.prompt_min_gap_s:.2f} s apart"
