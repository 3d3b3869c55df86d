import math

import numpy as np

from app.engine.filters import OneEuroFilter
from app.engine.form_rules import FaultMonitor, FaultRule
from app.engine.geometry import angle_between_deg, signed_angle_deg, tilt_from_vertical_deg


def test_one_euro_reduces_jitter_at_rest_and_follows_a_move():
    rng = np.random.default_rng(1)
    f = OneEuroFilter(min_cutoff_hz=1.2, beta=6.0)
    still = [f(np.array([0.5]) + rng.normal(0, 0.005, 1), i / 30)[0] for i in range(90)]
    assert np.std(still[30:]) < 0.4 * 0.005
    for i in range(90, 120):  # a jump to 0.6
        out = f(np.array([0.6]), i / 30)[0]
    assert abs(out - 0.6) < 0.01


def test_one_euro_holds_missing_values_and_ignores_repeated_time():
    f = OneEuroFilter()
    f(np.array([1.0, 2.0]), 0.0)
    out = f(np.array([np.nan, 3.0]), 0.1)
    assert out[0] == 1.0 and 2.0 < out[1] < 3.0
    assert np.array_equal(f(np.array([9.0, 9.0]), 0.1), out)


def test_fault_needs_to_persist_and_is_reported_once_per_episode():
    m = FaultMonitor(FaultRule("x", limit=10.0, persist_s=0.3, hysteresis=2.0))
    onsets = [m.step(v, i / 30) for i, v in enumerate([12.0] * 5 + [0.0] * 5 + [12.0] * 30 + [9.0] * 5 + [12.0] * 30)]
    found = [o for o in onsets if o]
    assert len(found) == 1  # a 0.17 s blip does not count; 9.0 is inside the hysteresis band
    assert found[0].t_s == 10 / 30
    onsets = [m.step(v, 3 + i / 30) for i, v in enumerate([5.0] * 3 + [12.0] * 12)]
    assert sum(1 for o in onsets if o) == 1  # re-armed after a real return


def test_geometry_basics():
    assert angle_between_deg(np.array([1, 0]), np.array([0, 1])) == 90
    assert math.isnan(angle_between_deg(np.array([0, 0]), np.array([0, 1])))
    assert math.isclose(tilt_from_vertical_deg(np.array([0, 10]), np.array([10, 0])), 45)  # y points down
    assert signed_angle_deg(np.array([1, 0]), np.array([0, 1])) == 90  # clockwise on screen is positive
