"""The measure and posture vocabulary on poses built by hand, where the right answer is known by construction:
each kind's value, its sign conventions, and that the picture's rotation does not change what it measures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.engine.exercises.measures import VOCABULARY, Frame, Measure
from app.engine.exercises.postures import POSTURES
from app.engine.landmarks import LM, N_LANDMARKS


def standing(left_leg_out_deg: float = 0.0, hip_tilt_deg: float = 0.0, lean_deg: float = 0.0) -> np.ndarray:
    """A person facing the camera (their left on the picture's right), y down, in pixels; the left leg can be
    lifted out to the side, the pelvis tilted (+ = left hip up) and the trunk leant (+ = towards their left)."""
    xy = np.full((N_LANDMARKS, 2), np.nan)
    hip_c = np.array([500.0, 500.0])
    half = 40.0
    t = math.radians(hip_tilt_deg)
    xy[LM.L_HIP] = hip_c + [half * math.cos(t), -half * math.sin(t)]
    xy[LM.R_HIP] = hip_c - [half * math.cos(t), -half * math.sin(t)]
    lean = math.radians(lean_deg)
    sh_c = hip_c + 250.0 * np.array([math.sin(lean), -math.cos(lean)])
    xy[LM.L_SHOULDER], xy[LM.R_SHOULDER] = sh_c + [60, 0], sh_c - [60, 0]
    xy[LM.L_ELBOW], xy[LM.R_ELBOW] = xy[LM.L_SHOULDER] + [10, 120], xy[LM.R_SHOULDER] + [-10, 120]
    xy[LM.L_WRIST], xy[LM.R_WRIST] = xy[LM.L_ELBOW] + [5, 110], xy[LM.R_ELBOW] + [-5, 110]
    out = math.radians(left_leg_out_deg)
    for hip, knee, ankle, heel, foot, direction in ((LM.L_HIP, LM.L_KNEE, LM.L_ANKLE, LM.L_HEEL, LM.L_FOOT, out),
                                                    (LM.R_HIP, LM.R_KNEE, LM.R_ANKLE, LM.R_HEEL, LM.R_FOOT, 0.0)):
        d = np.array([math.sin(direction), math.cos(direction)])
        xy[knee] = xy[hip] + 200 * d
        xy[ankle] = xy[hip] + 400 * d
        xy[heel], xy[foot] = xy[ankle] + [0, 10], xy[ankle] + [0, 20]
    return xy


def frame(xy: np.ndarray, world: np.ndarray | None = None) -> Frame:
    return Frame(xy, np.ones(N_LANDMARKS), world)


def rotated(xy: np.ndarray, deg: float) -> np.ndarray:
    a = math.radians(deg)
    r = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return (xy - 500.0) @ r.T + 500.0


def read(kind: str, xy: np.ndarray, leg: str, **params) -> float:
    return float(Measure(kind, params).read(frame(xy), leg).value)


@pytest.mark.parametrize("turn", [0.0, 20.0, 90.0])
def test_signed_abduction_is_plus_outwards_and_minus_across_the_midline(turn):
    out = read("axis_angle", rotated(standing(left_leg_out_deg=30.0), turn), "left", segment="hip>ankle", signed=True)
    across = read("axis_angle", rotated(standing(left_leg_out_deg=-12.0), turn), "left", segment="hip>ankle",
                  signed=True)
    assert out == pytest.approx(30.0, abs=0.5) and across == pytest.approx(-12.0, abs=0.5)
    # Unsigned, the swing across the midline would look like a lift.
    assert read("axis_angle", standing(left_leg_out_deg=-12.0), "left", segment="hip>ankle") == pytest.approx(12.0, abs=0.5)


def test_pelvic_obliquity_and_trunk_lean_read_the_negative_from_the_other_leg():
    xy = standing(hip_tilt_deg=6.0, lean_deg=4.0)  # left hip up, trunk towards the left
    assert read("pelvic_obliquity", xy, "left") == pytest.approx(6.0, abs=0.1)  # the other (right) hip lower
    assert read("pelvic_obliquity", xy, "right") == pytest.approx(-6.0, abs=0.1)
    assert read("pelvic_obliquity", xy, "right", positive="other_side_up") == pytest.approx(6.0, abs=0.1)
    assert read("trunk_lean", xy, "left") == pytest.approx(4.0, abs=0.1)
    assert read("trunk_lean", xy, "right") == pytest.approx(-4.0, abs=0.1)
    assert read("trunk_lean", xy, "right", positive="towards_other_leg") == pytest.approx(4.0, abs=0.1)
    assert VOCABULARY["pelvic_obliquity"].antisymmetric and VOCABULARY["trunk_lean"].antisymmetric
    assert not VOCABULARY["knee_valgus"].antisymmetric


def test_the_hip_line_seen_at_an_angle_is_not_judged():
    xy = standing(hip_tilt_deg=6.0)
    world = np.zeros((N_LANDMARKS, 3))
    world[LM.L_HIP], world[LM.R_HIP] = [0.1, 0.0, 0.0], [-0.1, 0.0, 0.0]
    square_on = Measure("pelvic_obliquity", {"min_hip_facing": 0.9}).read(frame(xy, world), "left")
    world[LM.L_HIP], world[LM.R_HIP] = [0.06, 0.0, 0.08], [-0.06, 0.0, -0.08]  # hip line 53° from the picture
    oblique = Measure("pelvic_obliquity", {"min_hip_facing": 0.9}).read(frame(xy, world), "left")
    assert square_on.unjudged is None and oblique.unjudged == "hips seen at an angle from this camera"


def test_legs_larger_and_each():
    xy = standing(left_leg_out_deg=25.0)
    lift = Measure("axis_angle", {"segment": "hip>ankle"}, legs="each").read_signal(frame(xy), "right")
    assert set(lift) == {"left@trunk", "right@trunk"}
    assert lift["left@trunk"].value == pytest.approx(25.0, abs=0.5) and lift["right@trunk"].value == pytest.approx(0, abs=0.5)
    keyed = Measure("pelvic_obliquity", {}, legs="each").read_signal(frame(standing(hip_tilt_deg=3)), "left")
    assert set(keyed) == {"left@pelvic_obliquity", "right@pelvic_obliquity"}
    larger = Measure("axis_angle", {"segment": "hip>ankle"}, legs="larger").read(frame(xy), "right")
    assert larger.value == pytest.approx(25.0, abs=0.5)


def all_fours() -> np.ndarray:
    """On hands and knees seen from the side (head to the picture's left): back horizontal, arms and thighs
    vertical."""
    xy = np.full((N_LANDMARKS, 2), np.nan)
    for side, dz in (("L", 0.0), ("R", 8.0)):
        g = lambda name: getattr(LM, f"{side}_{name}")  # noqa: E731
        xy[g("SHOULDER")] = [300 + dz, 300]
        xy[g("ELBOW")] = [300 + dz, 400]
        xy[g("WRIST")] = [300 + dz, 500]
        xy[g("HIP")] = [600 + dz, 300]
        xy[g("KNEE")] = [600 + dz, 500]
        xy[g("ANKLE")] = [800 + dz, 510]
        xy[g("HEEL")], xy[g("FOOT")] = [810 + dz, 505], [830 + dz, 515]
    return xy


def test_all_fours_passes_hands_and_knees_and_not_standing_or_kneeling_up():
    check = POSTURES["all-fours"].check
    vis = np.ones(N_LANDMARKS)
    assert check(all_fours(), vis).ok
    assert check(rotated(all_fours(), 30.0), vis).ok
    assert not check(standing(), vis).ok
    bent_arms = all_fours()
    bent_arms[[LM.L_WRIST, LM.R_WRIST]] += [120, -60]  # propped on the forearms
    assert not check(bent_arms, vis).ok


def test_standing_with_a_free_leg_stays_standing_while_the_leg_is_out():
    vis = np.ones(N_LANDMARKS)
    assert POSTURES["standing-free-leg"].check(standing(left_leg_out_deg=45.0), vis).ok
    assert POSTURES["standing-free-leg"].check(rotated(standing(left_leg_out_deg=45.0), 90.0), vis).ok
    assert not POSTURES["standing-free-leg"].check(all_fours(), vis).ok
