"""The pieces that keep counts and prompts steady on cameras we have not seen: leg labels that stay put, a cut
detector that ignores jitter, a prompt that does not flicker, per-leg rep signals."""

import numpy as np
import pytest

from app.engine.camera_cuts import CutDetector
from app.engine.events import Exercise, Status
from app.engine.landmarks import LM
from app.engine.leg_labels import LegLabelKeeper
from app.engine.rep_signal import RepSignal
from app.engine.status_prompt import MIN_INTERVAL_S, StatusPrompt
from app.engine.tracker import ExerciseTracker

from .synthetic import jitter, lying, rep_wave

FPS = 30


def clam(t, open_deg=30.0):
    return lying(0, t, knee_open_deg=open_deg, clam=True)


def test_knees_that_trade_labels_for_a_few_frames_are_put_back():
    keeper = LegLabelKeeper()
    for i in range(30):
        s = clam(i / FPS)
        xy = s.xy_px.copy()
        if 10 <= i < 14:  # MediaPipe swaps the knees for four frames
            xy[[LM.L_KNEE, LM.R_KNEE]] = xy[[LM.R_KNEE, LM.L_KNEE]]
        fixed, _, _ = keeper.fix(xy, s.visibility, s.world_m, i / FPS)
        assert np.allclose(fixed[LM.L_KNEE], s.xy_px[LM.L_KNEE]), i
    assert keeper.swaps == 4


def test_a_moving_knee_is_not_relabelled():
    keeper = LegLabelKeeper()
    for i in range(60):
        s = clam(i / FPS, open_deg=rep_wave(i / FPS, 1, start_s=0.2, period_s=1.5, amplitude=60))
        keeper.fix(s.xy_px.copy(), s.visibility, s.world_m, i / FPS)
    assert keeper.swaps == 0


def test_jitter_and_a_landmark_glitch_are_not_cuts_but_a_jump_that_stays_is_one():
    rng = np.random.default_rng(1)
    cuts = CutDetector()
    found = []
    for i in range(90):
        s = jitter(lying(0, i / FPS), rng, 6.0)
        xy = s.xy_px.copy()
        if i == 20:
            xy[[LM.L_KNEE, LM.L_ANKLE]] += 400  # one frame with two landmarks thrown across the picture
        if 30 <= i < 33:
            xy += 300  # the whole body jumps and comes back: a tracking hiccup
        if i >= 60:
            xy = (xy - 640) * 0.5 + 200  # a new shot: smaller, elsewhere, and it stays
        t = cuts.step(xy, i / FPS)
        if t is not None:
            found.append(round(t * FPS))
    assert found == [60]


def test_the_prompt_changes_at_most_once_a_second():
    prompt = StatusPrompt()
    shown = []
    statuses = [Status.PARTIAL, Status.SETTLING, Status.WRONG_VIEW] * 40  # a different status every frame
    for i, st in enumerate(statuses):
        if prompt.update(st, "", i / FPS):
            shown.append(i / FPS)
    assert shown == [0.0]  # nothing held long enough to be worth showing
    for i in range(120, 240):
        if prompt.update(Status.TRACKING, "", i / FPS):
            shown.append(i / FPS)
    assert len(shown) == 2 and shown[1] - shown[0] >= MIN_INTERVAL_S


def test_the_leg_that_rises_is_counted_from_its_own_rest():
    signal = RepSignal()
    settled = [signal.settle({"left": 5.0, "right": 30.0}, i / FPS, 0.3, 10.0) for i in range(10)]
    assert settled == [False] * 9 + [True]  # 0.3 s steady
    assert signal.value({"left": 40.0, "right": 30.5}) == (35.0, "left")
    assert signal.value({"left": 5.0, "right": 45.0}) == (15.0, "right")


def test_a_signal_first_seen_mid_set_starts_from_its_first_value():
    signal = RepSignal()
    for i in range(10):
        signal.settle({"a": 0.0}, i / FPS, 0.3, 10.0)
    assert signal.value({"b": 25.0}) == (0.0, "b")
    assert signal.value({"b": 25.0}, adopt_new=False)[0] == 0.0


@pytest.mark.parametrize("every", [1, 2, 3])
def test_counts_hold_at_15_and_10_frames_per_second(every):
    tracker = ExerciseTracker(Exercise.SIDE_LYING_ABDUCTION)
    for i in range(0, 13 * FPS, every):
        t = i / FPS
        tracker.step(lying(rep_wave(t, 4, amplitude=35), t), t)
    assert tracker.reps == 4


def test_a_clamshell_skeleton_with_the_feet_far_apart_is_not_counted():
    """A skeleton stitched from two people (the patient's hips, a kneeling therapist's legs) "opens" the knees by
    100 degrees with the feet metres apart: that is not a clamshell and must neither count nor be measured."""
    tracker = ExerciseTracker(Exercise.CLAMSHELL)
    statuses = set()
    for i in range(0, 14 * FPS):
        t = i / FPS
        sample = clam(t, open_deg=rep_wave(t, 3, amplitude=35))
        if 10.5 <= t < 13.0:  # after the three real reps: a stitched skeleton rises, holds and falls back
            stitched = rep_wave(t, 1, start_s=10.5, period_s=2.5, amplitude=100)
            sample = clam(t, open_deg=stitched)
            xy = sample.xy_px.copy()
            xy[LM.L_ANKLE] = xy[LM.L_KNEE] + (stitched * 3.0, -stitched * 2.0)  # the far foot goes with it
            sample = type(sample)(t_s=t, xy_px=xy, visibility=sample.visibility, world_m=sample.world_m,
                                  image_size=sample.image_size)
        tracker.step(sample, t)
        statuses.add(tracker.status)
    assert tracker.reps == 3
    assert Status.WRONG_VIEW in statuses


def test_a_skeleton_that_jumps_to_another_person_and_back_is_not_a_camera_cut():
    """For a second MediaPipe takes a kneeling therapist's trunk with the patient's legs: the whole skeleton jumps
    and stays a while, like an edit cut, but it does not fit the exercise and the shot is the same."""
    tracker = ExerciseTracker(Exercise.CLAMSHELL)
    for i in range(0, 8 * FPS):
        t = i / FPS
        sample = clam(t, open_deg=rep_wave(t, 2, amplitude=35))
        if 3.0 <= t < 4.0:
            xy = sample.xy_px.copy()
            xy[[LM.L_SHOULDER, LM.R_SHOULDER, LM.L_HIP, LM.R_HIP]] += (150.0, -260.0)  # the therapist's trunk
            xy[LM.L_KNEE] += (150.0, -120.0)
            xy[LM.L_ANKLE] += (420.0, -150.0)
            sample = type(sample)(t_s=t, xy_px=xy, visibility=sample.visibility, world_m=sample.world_m,
                                  image_size=sample.image_size)
        tracker.step(sample, t)
    assert tracker.cuts == 0


def test_a_cut_through_frames_that_fit_no_posture_is_still_a_cut_but_a_dropout_is_not():
    cross_fade, dropout = CutDetector(), CutDetector()
    found = {"cross-fade": [], "dropout": []}
    for i in range(90):
        xy = lying(0, i / FPS).xy_px.copy()
        if i >= 45:
            xy = (xy - 640) * 0.5 + 200  # the new shot
        if not 30 <= i < 45 and (t := cross_fade.step(xy, i / FPS, fits=True)) is not None:
            found["cross-fade"].append(round(t * FPS))
        if 30 <= i < 45:  # half a second of blended pictures: skeletons, but none that fits the exercise
            cross_fade.step(xy * 0.3, i / FPS, fits=False)
        else:  # the same half second with no skeleton at all
            if (t := dropout.step(xy, i / FPS)) is not None:
                found["dropout"].append(round(t * FPS))
    assert found == {"cross-fade": [45], "dropout": []}
