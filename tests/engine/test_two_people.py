"""Two people in view at the cost of one (issue 13): the exerciser is tracked in a window around them, and the
several-people search runs only every few seconds.

Three layers: the window geometry (app.engine.person_crop, pure), the analyzer's schedule with a stand-in estimator
(which calls happen on which frames), and real MediaPipe on the labelled two-person clip, where a therapist
kneels behind a side-lying patient: the skeleton the tracker gets must be the patient's, not the therapist's nor
the two fused, and the search must have run on only a small share of the frames.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.engine import person_crop
from app.pipeline.analysis import CROWD_SCAN_INTERVAL_S, LOST_RESCAN_S, PEOPLE_SCAN_INTERVAL_S, FrameAnalyzer
from app.adapters.frame_source import Frame
from app.engine.landmarks import LM, N_LANDMARKS
from app.engine.person_crop import Box, CropWindow
from app.engine.pose import PoseSample
from medius_testdata import SKIP_NO_CLIPS, VIDEOS_DIR, clip_labels

FRAME_SIZE = (854, 480)
FPS = 30.0
TWO_PEOPLE_CLIP = "clamshell_front_vincent_1.mp4"
ONE_PERSON_CLIP = "clamshell_banded_front_curvelog_1.mp4"


# -- synthetic people ---------------------------------------------------------------------------------------------
def _person(joints: dict[int, tuple[float, float]], t_s: float = 0.0) -> PoseSample:
    """A full 33-landmark skeleton: the given joints, every other landmark (face, hands, feet) near the head
    or the nearest named joint, as MediaPipe always returns all 33."""
    xy = np.empty((N_LANDMARKS, 2))
    head = (np.asarray(joints[LM.L_SHOULDER]) + joints[LM.R_SHOULDER]) / 2
    shoulder_to_hip = (np.asarray(joints[LM.L_HIP]) + joints[LM.R_HIP]) / 2 - head
    xy[:] = head - 0.35 * shoulder_to_hip  # the face, beyond the shoulders
    for i, p in joints.items():
        xy[i] = p
    for hand, wrist in ((LM.L_WRIST, 17), (LM.R_WRIST, 18)):
        xy[[hand, wrist, wrist + 2, wrist + 4]] = xy[hand]
    xy[[LM.L_HEEL, LM.L_FOOT]] = xy[LM.L_ANKLE]
    xy[[LM.R_HEEL, LM.R_FOOT]] = xy[LM.R_ANKLE]
    return PoseSample(t_s=t_s, xy_px=xy, visibility=np.full(N_LANDMARKS, 0.9), world_m=np.zeros((N_LANDMARKS, 3)),
                      image_size=FRAME_SIZE)


def lying_patient(dx: float = 0.0, knee_up: float = 0.0, t_s: float = 0.0) -> PoseSample:
    """Side-lying along the lower part of the frame, head to the right, knees bent (a clamshell start)."""
    return _person({
        LM.L_SHOULDER: (530 + dx, 335), LM.R_SHOULDER: (530 + dx, 350), LM.L_WRIST: (560 + dx, 330),
        LM.R_WRIST: (560 + dx, 360), LM.L_HIP: (390 + dx, 330), LM.R_HIP: (390 + dx, 350),
        LM.L_KNEE: (300 + dx, 370 - knee_up), LM.R_KNEE: (300 + dx, 385), LM.L_ANKLE: (200 + dx, 345),
        LM.R_ANKLE: (200 + dx, 360),
    }, t_s)


def kneeling_therapist() -> PoseSample:
    """Upright behind the patient: shoulders well above the hips, hands down on the patient's pelvis."""
    return _person({
        LM.L_SHOULDER: (450, 130), LM.R_SHOULDER: (370, 130), LM.L_WRIST: (420, 320), LM.R_WRIST: (380, 320),
        LM.L_HIP: (440, 255), LM.R_HIP: (380, 255), LM.L_KNEE: (450, 340), LM.R_KNEE: (370, 340),
        LM.L_ANKLE: (470, 360), LM.R_ANKLE: (350, 360),
    })


def _swapped(sample: PoseSample, shift: float = 0.0) -> PoseSample:
    """The same person reported again with left and right exchanged (and a few pixels off)."""
    xy = sample.xy_px.copy()
    for a, b in ((LM.L_SHOULDER, LM.R_SHOULDER), (LM.L_HIP, LM.R_HIP), (LM.L_KNEE, LM.R_KNEE)):
        xy[[a, b]] = xy[[b, a]]
    return PoseSample(sample.t_s, xy + shift, sample.visibility, sample.world_m, sample.image_size)


# -- the window -------------------------------------------------------------------------------------------------
def test_window_pads_the_body_and_stays_inside_the_frame():
    bounds = person_crop.body_bounds(lying_patient().xy_px, FRAME_SIZE)
    box = person_crop.window_around(bounds, FRAME_SIZE)
    x0, y0, x1, y1 = bounds
    pad = person_crop.PAD_OF_BODY * max(x1 - x0, y1 - y0)
    assert box.x0 == math.floor(x0 - pad) and box.x1 == math.ceil(x1 + pad)
    assert box.y0 == math.floor(y0 - pad)
    assert box.y1 == FRAME_SIZE[1]  # clipped at the bottom edge
    assert box.crop(np.zeros((FRAME_SIZE[1], FRAME_SIZE[0], 3))).shape == (box.height, box.width, 3)
    # a body partly outside the picture still gets a window inside it
    off = person_crop.window_around((-50.0, 400.0, 300.0, 600.0), FRAME_SIZE)
    assert off.x0 == 0 and off.y1 == FRAME_SIZE[1] and off.width > 0 and off.height > 0


def test_window_maps_crop_pixels_back_to_the_frame():
    box = Box(100, 40, 300, 240)
    assert np.allclose(box.to_frame(np.array([[0.0, 0.0], [10.5, 20.0]])), [[100, 40], [110.5, 60]])


def test_window_stays_still_while_the_body_moves_inside_it_and_follows_when_it_nears_an_edge():
    window = CropWindow()
    assert window.follow(lying_patient().xy_px, FRAME_SIZE)
    first = window.box
    for t in range(30):  # the knee opening and closing, a little sway: the window must not move
        assert not window.follow(lying_patient(dx=3 * math.sin(t), knee_up=40 * abs(math.sin(t / 5))).xy_px,
                                 FRAME_SIZE)
    assert window.box == first and window.moves == 1
    assert window.follow(lying_patient(dx=-150).xy_px, FRAME_SIZE)  # slid towards the left edge
    moved = window.box
    assert moved.x0 < first.x0
    assert person_crop.fits(moved, person_crop.body_bounds(lying_patient(dx=-150).xy_px, FRAME_SIZE), FRAME_SIZE)


def test_window_is_placed_again_when_it_has_become_much_too_big():
    window = CropWindow()
    window.box = Box(0, 0, *FRAME_SIZE)
    assert window.follow(lying_patient().xy_px, FRAME_SIZE)
    assert window.box.area < FRAME_SIZE[0] * FRAME_SIZE[1] / 2


def test_duplicates_of_one_person_are_merged_but_two_people_are_kept():
    patient, therapist = lying_patient(), kneeling_therapist()
    assert person_crop.same_person(patient.xy_px, _swapped(patient, shift=6.0).xy_px)
    assert not person_crop.same_person(patient.xy_px, therapist.xy_px)
    skeletons = [patient.xy_px, _swapped(patient, 4.0).xy_px, therapist.xy_px, _swapped(therapist, -3.0).xy_px]
    assert person_crop.distinct_people(skeletons) == [0, 2]
    nan = np.full((N_LANDMARKS, 2), np.nan)
    assert not person_crop.same_person(patient.xy_px, nan)


# -- the analyzer's schedule, with a stand-in estimator -----------------------------------------------------------
class StandIn:
    """Records which estimator calls the analyzer makes. `people` is what a search finds. The window tracker
    returns the found person whose hips are nearest the window's centre (as tracking in a crop would), or what
    `in_window(t_ms)` says."""

    def __init__(self, people: list[PoseSample], in_window=None, crop: bool = True) -> None:
        self.people = people
        self.in_window = in_window
        self.calls: list[tuple[str, int]] = []
        self.boxes: list[Box] = []
        if crop:
            self.detect_in_crop = self._detect_in_crop
            self.forget_person = self._forget

    def detect(self, rgb, t_ms):
        self.calls.append(("detect", t_ms))
        return self.people[0] if self.people else None

    def detect_people(self, rgb, t_ms):
        self.calls.append(("search", t_ms))
        return list(self.people)

    def _detect_in_crop(self, rgb, box, t_ms):
        self.calls.append(("window", t_ms))
        self.boxes.append(box)
        if self.in_window is not None:
            return self.in_window(t_ms)
        centre = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
        return min(self.people, key=lambda p: np.hypot(*((p.xy_px[LM.L_HIP] + p.xy_px[LM.R_HIP]) / 2 - centre)))

    def _forget(self, t_ms):
        self.calls.append(("forget", t_ms))

    def close(self):
        pass

    def frames_with(self, kind: str) -> list[int]:
        return [t for k, t in self.calls if k == kind]


PATIENT, THERAPIST = lying_patient(), kneeling_therapist()


def _run(estimator: StandIn, seconds: float) -> FrameAnalyzer:
    """The analyzer over `seconds` of blank frames. Its tracker's choice among several people is pinned to the
    patient, so these tests check the schedule, not the choice (that is the tracker's own business)."""
    analyzer = FrameAnalyzer("clamshell", estimator=estimator)
    analyzer.tracker.choose_person = lambda people: next((p for p in people if p is PATIENT), people[0])
    image = np.zeros((FRAME_SIZE[1], FRAME_SIZE[0], 3), np.uint8)
    for i in range(int(seconds * FPS)):
        analyzer.process(Frame(bgr=image, t_s=i / FPS, index=i))
    return analyzer


def test_two_people_are_tracked_in_a_window_and_searched_only_every_few_seconds():
    est = StandIn([THERAPIST, PATIENT])
    analyzer = _run(est, 10.0)
    frames = int(10.0 * FPS)
    assert est.frames_with("window") == [round(i / FPS * 1000) for i in range(frames)]  # every frame
    assert est.frames_with("detect") == []  # never the whole-frame tracker, which would fuse the two
    searches = est.frames_with("search")
    assert len(searches) == math.ceil(10.0 / CROWD_SCAN_INTERVAL_S)
    assert analyzer.people_searches == len(searches) and analyzer.frames_in_window == frames
    assert est.frames_with("forget") == [0]  # the tracking restarts for the first window, later checks keep it
    assert len(set(est.boxes)) == 1  # a still window
    patient_box = person_crop.body_bounds(lying_patient().xy_px, FRAME_SIZE)
    assert person_crop.fits(est.boxes[0], patient_box, FRAME_SIZE)


def test_one_person_reported_twice_stays_on_the_whole_frame_tracker():
    est = StandIn([PATIENT, _swapped(PATIENT, 5.0)])
    analyzer = _run(est, 7.0)
    assert est.frames_with("window") == [] and analyzer.frames_in_window == 0
    assert len(est.frames_with("detect")) == int(7.0 * FPS)
    assert len(est.frames_with("search")) == math.ceil(7.0 / PEOPLE_SCAN_INTERVAL_S)


def test_a_window_that_loses_its_person_searches_again_soon_but_not_on_every_frame():
    lost_from_ms, lost_until_ms = 1000, 2500
    est = StandIn([THERAPIST, PATIENT], in_window=lambda t: None if lost_from_ms <= t < lost_until_ms else PATIENT)
    _run(est, 4.0)
    searches = est.frames_with("search")
    during = [t for t in searches if lost_from_ms <= t <= lost_until_ms]
    assert during, "no search while the window had lost its person"
    assert during[0] - lost_from_ms <= LOST_RESCAN_S * 1000 + 40
    assert all(b - a >= LOST_RESCAN_S * 1000 - 1 for a, b in zip(during, during[1:]))
    assert len(searches) <= 2 + (lost_until_ms - lost_from_ms) / (LOST_RESCAN_S * 1000) + 1


def test_a_window_holding_someone_else_at_the_check_is_placed_again():
    # The window's tracker drifted onto the therapist; the next search chooses the patient again.
    drifted_from_ms = 1500
    est = StandIn([THERAPIST, PATIENT], in_window=lambda t: THERAPIST if t >= drifted_from_ms else PATIENT)
    _run(est, 4.0)
    second_check = est.frames_with("search")[1]
    assert second_check >= drifted_from_ms
    assert second_check in est.frames_with("forget")


def test_when_the_helper_leaves_tracking_restarts_on_the_whole_frame():
    est = StandIn([THERAPIST, PATIENT])
    analyzer = FrameAnalyzer("clamshell", estimator=est)
    analyzer.tracker.choose_person = lambda people: next((p for p in people if p is PATIENT), people[0])
    image = np.zeros((FRAME_SIZE[1], FRAME_SIZE[0], 3), np.uint8)
    for i in range(int(7.0 * FPS)):
        if i == int(4.0 * FPS):
            est.people = [PATIENT]  # the therapist steps out; the next check (at 6 s) sees one person
        analyzer.process(Frame(bgr=image, t_s=i / FPS, index=i))
    back_at = est.frames_with("search")[-1]
    assert back_at == 6000
    assert est.frames_with("forget") == [0, back_at]  # the window's position must not carry over
    assert est.frames_with("detect")[0] == back_at and not analyzer.crowded
    assert max(est.frames_with("window")) < back_at


def test_a_search_that_finds_only_someone_else_keeps_the_window_on_the_exerciser():
    # Seen from a camera tipped down, the search stopped finding the lying patient and found one "person": the
    # two fused. The window still tracks the patient, so the crowd has not left.
    est = StandIn([THERAPIST, PATIENT], in_window=lambda t: PATIENT)
    analyzer = FrameAnalyzer("clamshell", estimator=est)
    analyzer.tracker.choose_person = lambda people: next((p for p in people if p is PATIENT), people[0])
    image = np.zeros((FRAME_SIZE[1], FRAME_SIZE[0], 3), np.uint8)
    for i in range(int(7.0 * FPS)):
        if i == int(1.0 * FPS):
            est.people = [THERAPIST]
        analyzer.process(Frame(bgr=image, t_s=i / FPS, index=i))
    assert analyzer.crowded and est.frames_with("detect") == []
    assert len(est.frames_with("window")) == int(7.0 * FPS)
    assert est.frames_with("forget") == [0]


def test_an_estimator_without_window_tracking_searches_every_crowded_frame():
    est = StandIn([THERAPIST, PATIENT], crop=False)
    _run(est, 2.0)
    assert len(est.frames_with("search")) == int(2.0 * FPS)
    assert est.frames_with("detect") == []


# -- real MediaPipe on the labelled clips --------------------------------------------------------------------------
def _clip_path(name: str):
    path = VIDEOS_DIR / name
    if not path.is_file():
        pytest.skip(SKIP_NO_CLIPS)
    return path


@pytest.fixture(scope="module")
def two_people_run():
    """Every frame of the two-person clip through the real FrameAnalyzer: (t_s, the tracker's skeleton or None)
    per frame, the analyzer's counters, and the clip's label."""
    from app.adapters.frame_source import VideoFileSource

    path = _clip_path(TWO_PEOPLE_CLIP)
    label = next(c for c in clip_labels() if c["file"] == TWO_PEOPLE_CLIP)
    analyzer = FrameAnalyzer(label["exercise_id"])
    source = VideoFileSource(path)
    skeletons = []
    try:
        while (frame := source.read()) is not None:
            step = analyzer.process(frame)
            xy = step.snapshot.xy_px
            skeletons.append((frame.t_s, None if xy is None else np.array(xy, dtype=float)))
    finally:
        source.close()
        analyzer.close()
    return skeletons, analyzer, label


def lying_torso(xy: np.ndarray) -> bool:
    """Shoulders roughly level with the hips, beside them rather than above: the torso of someone lying down.
    A skeleton on the kneeling therapist, or one fused from both (the therapist's shoulders on the patient's
    hips), has its shoulders well above its hips."""
    shoulders = (xy[LM.L_SHOULDER] + xy[LM.R_SHOULDER]) / 2
    hips = (xy[LM.L_HIP] + xy[LM.R_HIP]) / 2
    across, up = abs(shoulders[0] - hips[0]), hips[1] - shoulders[1]
    return bool(np.isfinite([across, up]).all() and across > 0 and up < 0.5 * across)


@pytest.mark.clips
def test_the_exerciser_skeleton_is_the_lying_patient_during_the_set(two_people_run):
    skeletons, _, label = two_people_run
    start, end = label["rep_times_s"][0] - 1.0, label["rep_times_s"][-1] + 1.0
    in_set = [xy for t, xy in skeletons if start <= t <= end]
    with_pose = [xy for xy in in_set if xy is not None]
    n_set, n_pose = len(in_set), len(with_pose)
    assert n_set > 100
    assert n_pose >= 0.9 * n_set, f"a skeleton on only {n_pose} of {n_set} frames"
    lying = sum(lying_torso(xy) for xy in with_pose)
    assert lying >= 0.9 * n_pose, f"the patient's torso on only {lying} of {n_pose} frames"
    # ...and it is the patient on the mat, in the lower part of the picture, not the therapist above her
    hips_y = np.median([(xy[LM.L_HIP][1] + xy[LM.R_HIP][1]) / 2 for xy in with_pose])
    assert hips_y > 0.55 * FRAME_SIZE[1]


@pytest.mark.clips
def test_the_people_search_ran_on_few_frames_and_the_window_on_most(two_people_run):
    skeletons, analyzer, _ = two_people_run
    frames = len(skeletons)
    assert analyzer.frames == frames
    assert analyzer.frames_in_window >= 0.9 * frames, "two people in view, but the window was not tracked"
    assert analyzer.people_searches <= 0.05 * frames, (
        f"several-people search on {analyzer.people_searches} of {frames} frames")


@pytest.mark.clips
def test_window_landmarks_land_where_the_whole_frame_search_puts_them():
    """detect_in_crop maps crop pixels back to frame pixels: on a one-person frame its landmarks agree with the
    whole-frame search's, and its world landmarks are there too."""
    from app.adapters.frame_source import VideoFileSource
    from app.adapters.pose_estimator import PoseEstimator

    source = VideoFileSource(_clip_path(ONE_PERSON_CLIP))
    try:
        for _ in range(60):
            frame = source.read()
    finally:
        source.close()
    rgb = frame.bgr[:, :, ::-1]
    height, width = rgb.shape[:2]
    with PoseEstimator() as estimator:
        (whole,) = estimator.detect_people(rgb, 2000)
        box = person_crop.window_around(person_crop.body_bounds(whole.xy_px, (width, height)), (width, height))
        assert box.x0 > 0 or box.y0 > 0, "the window must be smaller than the frame for this test to mean anything"
        windowed = estimator.detect_in_crop(rgb, box, 2000)
    assert windowed is not None
    assert windowed.image_size == (width, height)
    assert windowed.world_m is not None and windowed.world_m.shape == (N_LANDMARKS, 3)
    body = list(range(11, N_LANDMARKS))
    gap = np.median(np.hypot(*(windowed.xy_px[body] - whole.xy_px[body]).T))
    assert gap < 0.02 * math.hypot(width, height), f"median landmark gap {gap:.1f} px"


@pytest.mark.clips
def test_forget_person_leaves_the_tracker_as_a_new_one_would_be():
    """After following a window, the tracker's last position is in the window's coordinates; forget_person must
    clear it, or the first whole-frame frame after a crowd would start from a wrong place."""
    from app.adapters.frame_source import VideoFileSource
    from app.adapters.pose_estimator import PoseEstimator

    source = VideoFileSource(_clip_path(ONE_PERSON_CLIP))
    try:
        frames = [source.read() for _ in range(20)]
    finally:
        source.close()
    last = frames[-1].bgr[:, :, ::-1]
    height, width = last.shape[:2]
    box = Box(width // 4, height // 4, width, height)
    with PoseEstimator() as fresh:
        expected = fresh.detect(last, 0)
    with PoseEstimator() as used:
        for frame in frames[:-1]:
            used.detect_in_crop(frame.bgr[:, :, ::-1], box, round(frame.t_s * 1000))
        t_ms = round(frames[-1].t_s * 1000)
        used.forget_person(t_ms)
        again = used.detect(last, t_ms)
    assert expected is not None and again is not None
    assert np.allclose(again.xy_px, expected.xy_px, atol=0.5)
