"""The raised-hand gesture on pose traces from real clips: recognised when an arm is put up, silent otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from app.pipeline.analysis import FrameAnalyzer
from app.adapters.frame_source import VideoFileSource
from app.handsfree.gestures import HOLD_S, HandRaiseDetector, hand_raised
from tests.medius_testdata import SKIP_NO_CLIPS, VIDEOS_DIR

CLIPS = {  # a short window of each: standing on the step, lying on the side
    "lateral_stepdown_front_cornell_1.mp4": "step-down",
    "sidelying_leg_raise_front_physiobody_1.mp4": "side-lying-abduction",
}


def trace(name: str, exercise: str, seconds: float = 5.0):
    """(t_s, xy_px, visibility) of the tracker snapshots, as the live path feeds the detector."""
    path = VIDEOS_DIR / name
    if not path.is_file():
        pytest.skip(SKIP_NO_CLIPS)
    source = VideoFileSource(path)
    analyzer = FrameAnalyzer(exercise)
    out = []
    try:
        while (frame := source.read()) is not None and frame.t_s <= seconds:
            snap = analyzer.process(frame).snapshot
            if snap.xy_px is not None:
                out.append((frame.t_s, snap.xy_px.copy(), snap.visibility.copy()))
    finally:
        analyzer.close()
        source.close()
    return out


@pytest.fixture(scope="module", params=sorted(CLIPS))
def real_trace(request):
    return request.param, trace(request.param, CLIPS[request.param])


def raise_arm(xy: np.ndarray, vis: np.ndarray, side: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The same pose with one arm held straight up from its shoulder (image up), one arm length long."""
    xy, vis = xy.copy(), vis.copy()
    shoulder, elbow, wrist = ((11, 13, 15), (12, 14, 16))[side]
    arm = float(np.hypot(*(xy[elbow] - xy[shoulder])) + np.hypot(*(xy[wrist] - xy[elbow])))
    torso = float(np.hypot(*(xy[[11, 12]].mean(0) - xy[[23, 24]].mean(0))))
    arm = max(arm, 1.1 * torso)  # MediaPipe's guess of a hidden arm may be short; a real arm is not
    top = min(xy[11, 1], xy[12, 1])
    xy[elbow] = (xy[shoulder, 0], top - arm / 2)
    xy[wrist] = (xy[shoulder, 0], top - arm)
    vis[[shoulder, elbow, wrist]] = 0.95
    return xy, vis


def test_no_gesture_in_the_real_movements(real_trace):
    name, frames = real_trace
    assert len(frames) > 50
    detector = HandRaiseDetector()
    assert not any(detector.update(t, xy, vis) for t, xy, vis in frames), name
    assert not any(hand_raised(xy, vis) for _, xy, vis in frames), name


def test_an_arm_put_up_for_two_seconds_gives_exactly_one_command(real_trace):
    name, frames = real_trace
    detector = HandRaiseDetector()
    t0 = frames[0][0] + 1.0
    fired = []
    for t, xy, vis in frames:
        if t0 <= t <= t0 + HOLD_S + 1.0:
            xy, vis = raise_arm(xy, vis, side=1)
        if detector.update(t, xy, vis):
            fired.append(t)
    assert len(fired) == 1, name
    assert t0 + HOLD_S - 0.1 <= fired[0] <= t0 + HOLD_S + 0.2  # after the hold, not before
    short = HandRaiseDetector()  # a brief reach is no command
    assert not any(short.update(t, *(raise_arm(xy, vis) if t0 <= t <= t0 + 1.0 else (xy, vis)))
                   for t, xy, vis in frames)
