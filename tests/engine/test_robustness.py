"""Camera transforms (app/adapters/camera_transforms.py) and the engine on transformed real footage.

The unit tests check that each transform does what its name says. The clip tests are the CI subset of
tools/robustness_matrix.py: real MediaPipe (never the pose cache) on the four shortest scored clips seen through
a mirrored, a portrait and a half-frame-rate camera, each count within the label's accepted range (about 65 s on
two cores). The whole matrix (8 clips × 10 transforms, 25-40 min of inference here) is a developer tool: run it,
with its pose cache, after changing the engine. The pose cache itself is tested at the end, since re-scoring
relies on its replay being exact.
"""

from __future__ import annotations

import functools
import sys

import cv2
import numpy as np
import pytest

from app.adapters import camera_transforms as ct
from app.pipeline.analysis import FrameAnalyzer, analyze_video
from app.errors import InputError
from app.adapters.frame_source import VideoFileSource
from medius_testdata import LABELS_PATH, REPO, SKIP_NO_CLIPS, VIDEOS_DIR, scored_clips

GEOMETRIC = ("rot20", "rot45", "rot90", "half_size", "tilt_down", "tilt_side")
MARKERS = {(0, 0): (0, 0, 255), (0, -1): (0, 255, 0), (-1, 0): (255, 0, 0), (-1, -1): (255, 255, 255)}
MARKER_PX = 8
BACKGROUND = (40, 160, 220)


def marked_frame(width: int = 160, height: int = 120) -> np.ndarray:
    """A plain frame with a differently coloured square in each corner."""
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = BACKGROUND
    for (row, col), colour in MARKERS.items():
        rows = slice(0, MARKER_PX) if row == 0 else slice(height - MARKER_PX, height)
        cols = slice(0, MARKER_PX) if col == 0 else slice(width - MARKER_PX, width)
        frame[rows, cols] = colour
    return frame


def pixels_like(image: np.ndarray, colour: tuple[int, int, int], tolerance: int = 40) -> int:
    return int(np.all(np.abs(image.astype(int) - colour) <= tolerance, axis=2).sum())


@pytest.mark.parametrize("name", GEOMETRIC)
def test_geometric_transforms_keep_every_corner_of_the_picture(name):
    frame = marked_frame()
    out = ct.get_transform(name).image(frame, 0)
    area_scale = 0.25 if name == "half_size" else 1.0
    # Resampling blurs a marker's rim, and a tilt shrinks its far side: a core must survive in every corner.
    core = (0.15 if name.startswith("tilt") else 0.3) * MARKER_PX ** 2 * area_scale
    for colour in MARKERS.values():
        assert pixels_like(out, colour) >= core, f"{name} lost the {colour} corner"
    content = out.shape[0] * out.shape[1] - pixels_like(out, ct.NEUTRAL_BGR, tolerance=2)
    expected = frame.shape[0] * frame.shape[1] * area_scale
    if name.startswith("rot"):  # a rotation keeps the area: nothing cut off, nothing scaled
        assert content == pytest.approx(expected, rel=0.03)
    else:
        assert 0.2 * expected <= content <= 1.05 * expected


def test_rotations_enlarge_the_canvas_to_the_rotated_bounding_box():
    frame = marked_frame(160, 120)
    assert np.array_equal(ct.get_transform("rot90").image(frame, 0), np.rot90(frame))  # counter-clockwise
    rad = np.radians(20)
    h, w = ct.get_transform("rot20").image(frame, 0).shape[:2]
    assert (w, h) == (round(160 * np.cos(rad) + 120 * np.sin(rad)), round(160 * np.sin(rad) + 120 * np.cos(rad)))


def test_mirror_twice_is_the_identity_and_once_is_not():
    frame = marked_frame()
    mirror = ct.get_transform("mirror").image
    assert not np.array_equal(mirror(frame, 0), frame)
    assert np.array_equal(mirror(mirror(frame, 0), 1), frame)


def test_tilt_down_makes_the_top_of_the_picture_wider_than_the_bottom():
    frame = np.full((120, 160, 3), 200, np.uint8)
    out = ct.get_transform("tilt_down").image(frame, 0)
    width_at = lambda row: int((np.abs(out[row].astype(int) - 200).max(axis=1) <= 2).sum())  # noqa: E731
    assert width_at(out.shape[0] // 2 - 30) > width_at(out.shape[0] // 2 + 30) + 10
    side = ct.get_transform("tilt_side").image(frame, 0)
    height_at = lambda col: int((np.abs(side[:, col].astype(int) - 200).max(axis=1) <= 2).sum())  # noqa: E731
    assert height_at(side.shape[1] - 25) > height_at(25) + 10


def test_dim_is_darker_flatter_noisy_and_reproducible():
    rng = np.random.default_rng(1)
    frame = rng.integers(0, 256, (90, 120, 3), dtype=np.uint8)
    dim = ct.get_transform("dim").image
    first = dim(frame, 7)
    ct._noise_field.cache_clear()  # drawn again from the seed, as in a fresh process
    assert np.array_equal(dim(frame, 7), first)
    assert not np.array_equal(dim(frame, 8), first)  # the noise moves from frame to frame
    assert first.mean() < 0.6 * frame.mean() and first.std() < 0.7 * frame.std()
    flat = np.full((90, 120, 3), 128, np.uint8)
    assert dim(flat, 0).std() > 3  # sensor noise on a flat wall


def write_video(path, n: int = 21, fps: float = 25.0, size: tuple[int, int] = (96, 64)):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for i in range(n):
        writer.write(np.full((size[1], size[0], 3), i * 10 % 255, np.uint8))
    writer.release()
    return path


def test_half_fps_keeps_every_second_frame_with_its_own_timestamp(tmp_path):
    path = write_video(tmp_path / "v.mp4")
    original = VideoFileSource(path)
    times = [f.t_s for f in iter(original.read, None)]
    original.close()
    halved = ct.TransformedSource(VideoFileSource(path), "half_fps")
    frames = list(iter(halved.read, None))
    halved.close()
    assert len(times) == 21 and len(frames) == 11 == halved.frame_count
    assert [f.t_s for f in frames] == times[::2]
    assert [f.index for f in frames] == list(range(11))
    assert halved.fps == pytest.approx(original.fps / 2)


@pytest.mark.parametrize("name", list(ct.TRANSFORMS))
def test_every_transform_runs_as_a_frame_source(tmp_path, name):
    source = ct.TransformedSource(VideoFileSource(write_video(tmp_path / "v.mp4", n=4)), name)
    frames = list(iter(source.read, None))
    source.close()
    assert frames and all(f.bgr.dtype == np.uint8 and f.bgr.ndim == 3 for f in frames)
    assert source.description.endswith("+" + name)


def test_an_unknown_transform_is_a_bad_argument_before_any_video_is_opened(tmp_path):
    with pytest.raises(InputError, match="Unknown camera transform 'fisheye'.*mirror"):
        analyze_video(tmp_path / "missing.mp4", "clamshell", transform="fisheye")


# --- real footage --------------------------------------------------------------------------------------------

# The four shortest scored clips (about 1,000 frames; each exercise lying, both clamshell sources), through the
# transforms a home setup most often differs by: a mirrored preview, a phone on its side, a slow camera.
CI_CLIPS = ("clamshell_banded_front_chloe_gif_1.mp4", "sidelying_leg_raise_front_physiobody_1.mp4",
            "rendered_clamshell_banded_frontoblique_dosipov_1.mp4", "clamshell_banded_front_curvelog_1.mp4")
CI_TRANSFORMS = ("mirror", "rot90", "half_fps")
needs_clips = pytest.mark.skipif(not LABELS_PATH.is_file(), reason=SKIP_NO_CLIPS)


def _label(file: str) -> dict:
    return next(c for c in scored_clips() if c["file"] == file)


@pytest.mark.clips
@needs_clips
@pytest.mark.parametrize("transform", CI_TRANSFORMS)
@pytest.mark.parametrize("file", CI_CLIPS)
def test_count_on_transformed_footage_is_within_the_accepted_range(file, transform):
    clip = _label(file)
    result = analyze_video(VIDEOS_DIR / file, clip["exercise_id"], transform=transform)
    lo, hi = clip.get("reps_min", clip["reps"]), clip.get("reps_max", clip["reps"])
    statuses = [(round(s.t_s, 1), s.status.value) for s in result.statuses]
    assert lo <= len(result.reps) <= hi, f"{file} × {transform}: counted {len(result.reps)}, statuses {statuses}"



@pytest.mark.clips
@needs_clips
def test_medius_analyze_applies_the_named_transform():
    import json
    import subprocess

    video = VIDEOS_DIR / CI_CLIPS[0]  # 32 frames at 10 fps
    run = subprocess.run([sys.executable, "-m", "ui.launcher", "analyze", str(video), "--exercise", "clamshell",
                          "--transform", "half_fps", "--json"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["frames"] == 16 and out["fps"] == pytest.approx(5.0)


def test_transformed_footage_never_goes_into_the_exercise_log(tmp_path):
    import subprocess

    run = subprocess.run([sys.executable, "-m", "ui.launcher", "analyze", str(tmp_path / "clip.mp4"), "--exercise",
                          "clamshell", "--transform", "mirror", "--log"], cwd=REPO, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2 and "--transform cannot be combined with --log" in run.stderr


# --- the pose cache (tools/pose_cache.py): a developer tool, tested here because re-scoring relies on it -------

@functools.cache
def _tools():
    sys.path.insert(0, str(REPO / "tools"))
    import pose_cache
    import robustness_matrix

    return pose_cache, robustness_matrix


def _cached_run(cache, video, transform: str, decode: bool):
    _, matrix = _tools()
    with cache.session(video, transform, decode=decode) as (source, estimator):
        result = matrix.analyse(source, FrameAnalyzer("clamshell", estimator=estimator), video, "clamshell")
    return result.to_json(), estimator


@pytest.mark.clips
@needs_clips
def test_pose_cache_replays_real_inference_exactly_without_decoding(tmp_path):
    pose_cache, _ = _tools()
    video = VIDEOS_DIR / CI_CLIPS[0]
    cache = pose_cache.PoseCache(root=tmp_path)
    recorded, first = _cached_run(cache, video, "mirror", decode=True)  # nothing recorded yet: all inferred
    assert first.replayed == 0 and first.inferred == len(first.calls) > 0
    assert recorded == analyze_video(video, "clamshell", transform="mirror").to_json()
    replayed, second = _cached_run(cache, video, "mirror", decode=False)
    assert replayed == recorded
    assert second.inferred == 0 and second.replayed == len(first.calls)


@pytest.mark.clips
@needs_clips
def test_pose_cache_infers_from_the_first_call_that_differs(tmp_path, monkeypatch):
    pose_cache, _ = _tools()
    video = VIDEOS_DIR / CI_CLIPS[0]
    cache = pose_cache.PoseCache(root=tmp_path)
    _cached_run(cache, video, "none", decode=True)
    # An engine change that alters the calls: searching for people every second instead of every 3 s.
    monkeypatch.setattr("app.pipeline.analysis.PEOPLE_SCAN_INTERVAL_S", 1.0)
    with pytest.raises(pose_cache.ReplayMismatch):  # no pixels to infer from
        _cached_run(cache, video, "none", decode=False)
    spliced, run = _cached_run(cache, video, "none", decode=True)
    assert run.replayed > 0 and run.inferred > 0 and run.spliced_at == run.replayed
    again, replay = _cached_run(cache, video, "none", decode=False)  # the new calls were recorded
    assert again == spliced and replay.inferred == 0 and replay.spliced_at == run.spliced_at


def test_pixel_free_frames_refuse_to_be_read():
    pose_cache, _ = _tools()
    pixels = pose_cache.NoPixels((4, 6, 3))
    assert pixels[:, :, ::-1].shape == (4, 6, 3) and pixels[:, :, ::-1].order == "rgb"
    for read in (np.asarray, lambda p: p[0], lambda p: p.mean()):
        with pytest.raises(pose_cache.ReplayMismatch):
            read(pixels)


def test_replay_estimator_offers_exactly_the_real_estimators_methods():
    """The engine adapts to what its estimator can do (hasattr); a replay must look like the real thing."""
    pose_cache, _ = _tools()
    from app.adapters.pose_estimator import PoseEstimator

    replay = pose_cache.ReplayEstimator([], make_estimator=None)
    public = {n for n in dir(PoseEstimator) if not n.startswith("_") and callable(getattr(PoseEstimator, n))}
    assert {"detect", "detect_people"} <= public
    assert all(hasattr(replay, name) for name in public)
    assert not hasattr(replay, "detect_everything_at_once")
