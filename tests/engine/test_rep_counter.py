import math

import pytest

from app.engine.rep_counter import CounterParams, RepCounter

P = CounterParams(enter_deg=15.0, exit_deg=8.0, min_up_s=0.3, min_rep_s=0.8)


def run(values, dt=1 / 30):
    counter = RepCounter(P)
    cycles = [c for i, v in enumerate(values) if (c := counter.step(v, i * dt))]
    return counter, cycles


def ramp(lo, hi, n):
    return [lo + (hi - lo) * i / (n - 1) for i in range(n)]


def test_one_clean_rep_counts_at_its_end_with_its_peak():
    values = [0] * 30 + ramp(0, 40, 30) + ramp(40, 0, 30) + [0] * 30
    counter, cycles = run(values)
    assert counter.count == 1
    (c,) = cycles
    assert c.peak_deg == pytest.approx(40)
    assert c.t_peak_s == pytest.approx(59 / 30, abs=0.1)
    assert c.t_end_s > c.t_peak_s > c.t_start_s


def test_jitter_around_the_entry_line_counts_nothing():
    values = [15 + (1.5 if i % 2 else -1.5) for i in range(300)]  # hovering at the entry line, never leaving
    assert run(values)[0].count == 0


def test_jitter_between_the_lines_during_a_rep_counts_once():
    values = [0] * 10 + ramp(0, 20, 15) + [12 + (3 if i % 2 else -3) for i in range(60)] + ramp(12, 0, 15)
    assert run(values)[0].count == 1


def test_short_spike_is_not_a_rep():
    values = [0] * 30 + [40] * 3 + [0] * 30  # 0.1 s above the line
    assert run(values)[0].count == 0


def test_partial_rep_that_never_reaches_entry_is_not_counted():
    values = [0] * 20 + ramp(0, 14, 20) + ramp(14, 0, 20)
    assert run(values)[0].count == 0


def test_long_hold_at_the_top_is_one_rep_and_its_peak_is_when_the_top_was_reached():
    values = [0] * 30 + ramp(0, 30, 30) + [30 + 0.5 * math.sin(i / 5) for i in range(240)] + ramp(30, 0, 30)
    counter, cycles = run(values)
    assert counter.count == 1
    assert cycles[0].t_peak_s < 2.5  # reached at ~2 s, not at the end of the 8 s hold


def test_short_gap_keeps_the_rep_long_gap_abandons_it():
    up = [0] * 10 + ramp(0, 30, 15)
    down = ramp(30, 0, 15) + [0] * 5
    assert run(up + [None] * 15 + down)[0].count == 1  # 0.5 s occlusion
    assert run(up + [None] * 60 + down)[0].count == 0  # 2 s: the rep is dropped, not guessed


def test_nan_is_treated_as_missing():
    values = [0] * 10 + ramp(0, 30, 15) + [math.nan] * 5 + ramp(30, 0, 15)
    assert run(values)[0].count == 1


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError):
        RepCounter(CounterParams(enter_deg=5, exit_deg=10))


def test_a_small_swing_is_timed_from_when_it_left_rest_not_from_the_lines():
    """A slow swing that peaks at 25° (a foreshortened step-down) stays above the 10° exit line for only 1.13 s of
    its 2 s: timed from the lines it would be shorter than this counter's 1.2 s minimum rep, but the movement
    left rest well before and counts; a 0.6 s twitch of the same height still does not."""
    params = CounterParams(enter_deg=20.0, exit_deg=10.0, min_up_s=0.2, min_rep_s=1.2)

    def swing(period_s, fps=30):
        n = round(period_s * fps)
        return [25.0 * (1 - math.cos(2 * math.pi * i / n)) / 2 for i in range(n)]

    counter = RepCounter(params)
    values = [0.0] * 30 + swing(2.0) + [0.0] * 30 + swing(0.6) + [0.0] * 30
    cycles = [c for i, v in enumerate(values) if (c := counter.step(v, i / 30))]
    assert len(cycles) == 1
    assert cycles[0].t_start_s == pytest.approx(1.0 + 0.1476 * 2.0, abs=0.05)  # the last frame in the rest band


def run_with_angle(values, angles, dt=1 / 30):
    counter = RepCounter(P)
    cycles = [c for i, (v, a) in enumerate(zip(values, angles)) if (c := counter.step(v, i * dt, a))]
    return counter, cycles


def test_the_angle_witness_ends_a_rep_whose_counting_signal_stays_over_the_lines():
    # A knee gap that stays wide between reps (over both lines) while the angle between the thighs closes.
    rep_signal = ramp(0, 50, 20) + ramp(50, 20, 15) + [20] * 15 + ramp(20, 50, 20) + ramp(50, 0, 20) + [0] * 20
    rep_angle = ramp(2, 32, 20) + ramp(32, 3, 15) + [3] * 15 + ramp(3, 32, 20) + ramp(32, 2, 20) + [2] * 20
    assert run(rep_signal)[0].count == 1  # the signal alone merges the two
    assert run_with_angle(rep_signal, rep_angle)[0].count == 2


def test_the_witness_is_silent_when_the_angle_barely_moves_or_the_signal_is_still_high():
    rep_signal = ramp(0, 50, 20) + ramp(50, 20, 15) + [20] * 15 + ramp(20, 50, 20) + ramp(50, 0, 20) + [0] * 20
    small_swing = [4.0 + (i % 3) * 3 for i in range(len(rep_signal))]  # noise, never a 15 degree swing
    assert run_with_angle(rep_signal, small_swing)[0].count == 1
    held_high = ramp(0, 50, 20) + [40] * 30 + ramp(50, 0, 20) + [0] * 20  # the angle dips, the gap stays at 80 %
    dipping = ramp(2, 32, 20) + [2] * 30 + ramp(32, 2, 20) + [2] * 20
    assert run_with_angle(held_high, dipping)[0].count == 1


def test_missing_angles_leave_the_counter_as_it_was():
    values = [0] * 10 + ramp(0, 40, 20) + ramp(40, 0, 20) + [0] * 10
    assert run_with_angle(values, [math.nan] * len(values))[1] == run(values)[1]
