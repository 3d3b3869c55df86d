"""A dark frame brightened for a second look (app.adapters.exposure), others untouched, on real frames."""

import numpy as np
import pytest

from app.adapters import exposure
from app.adapters.camera_transforms import get_transform
from app.adapters.frame_source import VideoFileSource
from app.adapters.pose_estimator import PoseEstimator, contiguous_rgb

from medius_testdata import SKIP_NO_CLIPS, VIDEOS_DIR

CLIP = VIDEOS_DIR / "sidelying_leg_raise_front_curvelog_1.mp4"
# A frame (29.4 s) whose dimmed copy MediaPipe's person search finds nobody in unless it is brightened.
FRAME_INDEX = 880


@pytest.fixture(scope="module")
def frame_bgr():
    if not CLIP.exists():
        pytest.skip(SKIP_NO_CLIPS)
    source = VideoFileSource(CLIP)
    for _ in range(FRAME_INDEX + 1):
        frame = source.read()
    source.close()
    return frame.bgr


def test_a_frame_as_filmed_goes_through_untouched(frame_bgr):
    rgb = frame_bgr[:, :, ::-1]
    assert exposure.stretch_table(rgb) is None
    assert exposure.apply(rgb, exposure.stretch_table(rgb)) is rgb


def test_a_dimmed_frame_is_stretched_back_towards_the_full_range(frame_bgr):
    dim = get_transform("dim").image(frame_bgr, FRAME_INDEX)[:, :, ::-1]
    low, high = exposure.brightness_range(dim)
    assert high < exposure.DARK_P99
    bright = exposure.apply(dim, exposure.stretch_table(dim))
    new_low, new_high = exposure.brightness_range(bright)
    assert new_high >= exposure.TARGET_TOP - 3 and new_low <= low
    contiguous = np.ascontiguousarray(dim)
    assert np.array_equal(bright, exposure.apply(contiguous, exposure.stretch_table(contiguous)))  # a reversed view, the same


def test_a_frame_with_no_contrast_is_not_turned_into_noise():
    covered = np.full((720, 1280, 3), 12, np.uint8)
    covered[::7, ::5] = 20
    assert exposure.stretch_table(covered) is None


def test_the_rgb_view_is_converted_to_the_same_pixels(frame_bgr):
    view = frame_bgr[:, :, ::-1]
    assert np.array_equal(contiguous_rgb(view), np.ascontiguousarray(view))
    assert contiguous_rgb(view).flags["C_CONTIGUOUS"]


def test_mediapipe_finds_the_person_in_a_dim_room_frame_it_misses_unbrightened(frame_bgr):
    dim = get_transform("dim").image(frame_bgr, FRAME_INDEX)[:, :, ::-1]
    with PoseEstimator() as estimator:
        people = estimator.detect_people(dim, 0)  # brightened inside, as every inference is
    assert people, "nobody found in the dimmed frame"
    assert any(np.all(np.isfinite((p.xy_px[23] + p.xy_px[24]) / 2)) for p in people)
