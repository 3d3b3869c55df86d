"""The engine shared by the live app, the CLI and the tests: frames in, tracker results out.

`FrameAnalyzer` runs pose estimation and the tracker for one set on one thread. `analyze_video` drives it over a
recorded file and collects everything `medius analyze` reports.
"""

from __future__ import annotations

import pathlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from app.adapters.camera_transforms import TransformedSource, get_transform
from app.engine.events import Exercise, FormWarning, RepCompleted, StatusChanged, StepResult
from app.engine.exercise_params import ExerciseParams
from app.adapters.frame_source import Frame, FrameSource, VideoFileSource
from app.adapters.model_file import DEFAULT_MODEL_PATH
from app.engine.person_crop import CropWindow, distinct_people, same_person
from app.engine.pose import PoseSample
from app.adapters.pose_estimator import PoseEstimator
from app.engine.tracker import ExerciseTracker

# How often to look for other people in the picture (a therapist beside the exerciser). One search (IMAGE mode,
# up to three people) costs about two to three tracking inferences, so searching every 3 s adds a few percent.
# With one person the tracking result is used even on search frames: mixing in the search's untracked landmarks
# makes the signal jump every few seconds.
# While several people are seen, the exerciser is tracked in a window around them (app.engine.person_crop) by the same
# VIDEO-mode tracker: one inference per frame, like one person alone, where searching every frame cost almost
# three (and tracking the whole frame fuses two overlapping people into one skeleton). The search runs again
# every few seconds to check that the window still holds the person the tracker would choose, and soon after
# the window's tracking loses them. Switching between the whole frame and a window (or moving the window to
# someone else) restarts the tracking (`forget_person`): its last position belongs to the other picture.
PEOPLE_SCAN_INTERVAL_S = 3.0
CROWD_SCAN_INTERVAL_S = 3.0  # several people in view: how often to check the choice of exerciser
LOST_RESCAN_S = 0.5  # the window lost its person: search again, but not more often than this


class FrameAnalyzer:
    """Pose + tracker for one set. Create, use and close on the same thread (MediaPipe's requirement).

    Counters: `frames`, `frames_with_pose`, `people_searches` (frames on which the several-people search ran)
    and `frames_in_window` (frames tracked in the window around the exerciser, several people in view)."""

    def __init__(self, exercise: Exercise | str, side: str = "auto", params: ExerciseParams | None = None,
                 model_path: pathlib.Path = DEFAULT_MODEL_PATH, estimator: PoseEstimator | None = None) -> None:
        self.tracker = ExerciseTracker(exercise, side=side, params=params)
        self._own_estimator = estimator is None
        self.estimator = estimator or PoseEstimator(model_path)
        self._next_scan_s = 0.0
        self._last_scan_s: float | None = None
        self.crowded = False  # several people in view: track the exerciser in a window
        self.window = CropWindow()
        self._window_sample: PoseSample | None = None  # the window's last tracking result
        self._tracking_fresh = False  # the tracker was restarted and has not been used since
        # An estimator without window tracking (a stand-in) gets the old way: search every crowded frame.
        self._can_crop = hasattr(self.estimator, "detect_in_crop") and hasattr(self.estimator, "forget_person")
        self.frames = 0
        self.frames_with_pose = 0
        self.people_searches = 0
        self.frames_in_window = 0

    def process(self, frame: Frame) -> StepResult:
        rgb = frame.bgr[:, :, ::-1]
        t_ms = int(round(frame.t_s * 1000))
        chosen = None
        if self.frames == 0:  # a shared estimator may still be following the last set's window
            self._restart_tracking(t_ms)
        windowed = self._can_crop and self.window.box is not None
        if frame.t_s >= self._next_scan_s or (self.crowded and not windowed):
            chosen = self._search(rgb, frame.t_s, t_ms)
            windowed = self._can_crop and self.window.box is not None
        if self.crowded and windowed:  # the window's tracking; the search's own landmarks if it lost them
            sample = self._track_window(rgb, frame.t_s, t_ms) or chosen
        elif self.crowded:  # no window to track (a stand-in estimator, or no usable landmarks): search each frame
            sample = chosen
        else:  # one person: follow them from frame to frame
            sample = self.estimator.detect(rgb, t_ms)
            self._tracking_fresh = False
        self.frames += 1
        self.frames_with_pose += sample is not None
        return self.tracker.step(sample, frame.t_s)

    def _search(self, rgb, t_s: float, t_ms: int) -> PoseSample | None:
        """Look for everybody in the frame; with several people, choose the exerciser and make sure the window
        is around them. Returns the chosen person's (untracked) landmarks, or None with one person or none."""
        self.people_searches += 1
        self._last_scan_s = t_s
        found = self.estimator.detect_people(rgb, t_ms)
        people = [found[i] for i in distinct_people([p.xy_px for p in found])]
        was_windowed = self.crowded and self.window.box is not None
        if was_windowed and len(people) == 1 and self._window_sample is not None \
                and not same_person(self._window_sample.xy_px, people[0].xy_px):
            # The search missed the person the window is following, not the crowd: seen from a camera tipped
            # down, a patient lying in front of a kneeling therapist stopped being found on every search from
            # 3 s on while the one "person" found was the two fused; back on the whole frame, the tracking fused
            # them too (0 of 5 reps). Keep following the exerciser in the window.
            self._next_scan_s = t_s + CROWD_SCAN_INTERVAL_S
            return None
        self.crowded = len(people) > 1
        if not self.crowded:
            self._next_scan_s = t_s + PEOPLE_SCAN_INTERVAL_S
            if was_windowed:  # back to the whole frame
                self.window.clear()
                self._window_sample = None
                self._restart_tracking(t_ms)
            return None
        self._next_scan_s = t_s + CROWD_SCAN_INTERVAL_S
        chosen = self.tracker.choose_person(people)
        if not self._can_crop or chosen is None:
            return chosen
        frame_size = (rgb.shape[1], rgb.shape[0])
        tracking_them = (self.window.box is not None and self._window_sample is not None
                         and same_person(self._window_sample.xy_px, chosen.xy_px))
        if not tracking_them:
            # A new window (the first, another person chosen, or the window's skeleton drifted): the tracker
            # must find its person afresh there instead of carrying over the last position.
            self.window.clear()
            self._restart_tracking(t_ms)
        self.window.follow(chosen.xy_px, frame_size)
        return chosen

    def _track_window(self, rgb, t_s: float, t_ms: int) -> PoseSample | None:
        sample = self.estimator.detect_in_crop(rgb, self.window.box, t_ms)
        self._tracking_fresh = False
        self._window_sample = sample
        self.frames_in_window += 1
        if sample is None:  # lost: search again soon (their window may be elsewhere now)
            soonest = (self._last_scan_s if self._last_scan_s is not None else t_s) + LOST_RESCAN_S
            self._next_scan_s = min(self._next_scan_s, max(t_s, soonest))
        else:
            self.window.follow(sample.xy_px, (rgb.shape[1], rgb.shape[0]))
        return sample

    def _restart_tracking(self, t_ms: int) -> None:
        if self._can_crop and not self._tracking_fresh:
            self.estimator.forget_person(t_ms)
            self._tracking_fresh = True

    def close(self) -> None:
        if self._own_estimator:
            self.estimator.close()


@dataclass
class AnalysisResult:
    video: str
    exercise: str
    side: str | None
    frames: int = 0
    frames_with_pose: int = 0
    duration_s: float = 0.0
    fps: float = 0.0
    reps: list[RepCompleted] = field(default_factory=list)
    warnings: list[FormWarning] = field(default_factory=list)
    statuses: list[StatusChanged] = field(default_factory=list)
    camera_cuts: int = 0
    # Measured frames, and those whose rep signal came from the picture rather than MediaPipe's 3-D world
    # landmarks (the per-frame choice by reliability, app/exercises): shows how a clip was judged.
    frames_measured: int = 0
    frames_from_picture: int = 0

    def to_json(self) -> dict:
        return {
            "video": self.video,
            "exercise": self.exercise,
            "reps": len(self.reps),
            "side": self.side,
            "frames": self.frames,
            "frames_with_pose": self.frames_with_pose,
            "duration_s": round(self.duration_s, 3),
            "fps": round(self.fps, 3),
            "camera_cuts": self.camera_cuts,
            "signal_source": {"frames_measured": self.frames_measured, "from_picture": self.frames_from_picture,
                              "from_world": self.frames_measured - self.frames_from_picture},
            "rep_events": [
                {"index": r.index, "t_start_s": r.t_start_s, "t_peak_s": r.t_peak_s, "t_end_s": r.t_end_s,
                 "peak_deg": r.peak_deg, "held_s": r.held_s, "faults": list(r.faults),
                 "unjudged": [{"code": code, "reason": reason} for code, reason in r.unjudged]}
                for r in self.reps
            ],
            "faults": [{"t_s": round(w.t_s, 3), "code": w.code, "value": w.value} for w in self.warnings],
            "status_changes": [{"t_s": round(s.t_s, 3), "status": s.status.value} for s in self.statuses],
        }


def analyze_video(path: str | pathlib.Path, exercise: Exercise | str, side: str = "auto",
                  params: ExerciseParams | None = None, model_path: pathlib.Path = DEFAULT_MODEL_PATH,
                  progress: Callable[[int, int | None], None] | None = None, frame_step: int = 1,
                  transform: str | None = None,
                  on_step: Callable[[Frame, StepResult], None] | None = None) -> AnalysisResult:
    """Analyse a recorded video. Raises InputError for unreadable input, ModelFileError for a bad model.

    `frame_step` > 1 analyses every n-th frame only (faster; timestamps stay true). `transform` names a camera
    transform from app.adapters.camera_transforms (robustness checks: the footage as another camera would film it).
    `on_step(frame, step)` sees every analysed frame's result (the replay keeps each frame's snapshot)."""
    camera = get_transform(transform) if transform is not None else None  # a bad name fails before opening
    source = VideoFileSource(path)
    if camera is not None:
        source = TransformedSource(source, camera)
    result = AnalysisResult(video=str(path), exercise=Exercise(exercise).value, side=None, fps=source.fps)
    try:
        analyzer = FrameAnalyzer(exercise, side=side, params=params, model_path=model_path)
    except BaseException:
        source.close()
        raise
    frames = _prefetched(source)
    try:
        collect(frames, analyzer, result, source.fps, frame_step, progress, source.frame_count, on_step)
    finally:
        frames.close()
        analyzer.close()
        source.close()
    return result


def collect(frames: Iterable[Frame], analyzer: FrameAnalyzer, result: AnalysisResult, fps: float,
            frame_step: int = 1, progress: Callable[[int, int | None], None] | None = None,
            frame_count: int | None = None,
            on_step: Callable[[Frame, StepResult], None] | None = None) -> AnalysisResult:
    """Run the analyzer over the frames and gather everything `medius analyze` reports into `result`.
    (Also the loop of tools/robustness_matrix.py, which brings its own frames and a cached estimator.)"""
    last_t = 0.0
    for frame in frames:
        last_t = frame.t_s
        if frame.index % frame_step:
            continue
        step = analyzer.process(frame)
        if on_step is not None:
            on_step(frame, step)
        for event in step.events:
            if isinstance(event, RepCompleted):
                result.reps.append(event)
            elif isinstance(event, FormWarning):
                result.warnings.append(event)
            else:
                result.statuses.append(event)
        if progress is not None:
            progress(frame.index + 1, frame_count)
    result.frames = analyzer.frames
    result.frames_with_pose = analyzer.frames_with_pose
    result.duration_s = last_t + 1.0 / fps
    result.side = analyzer.tracker.side
    result.camera_cuts = analyzer.tracker.cuts
    result.frames_measured = analyzer.tracker.source_frames["measured"]
    result.frames_from_picture = analyzer.tracker.source_frames["picture"]
    return result


def _prefetched(source: FrameSource, depth: int = 8) -> Iterator[Frame]:
    """The source's frames, decoded on a helper thread so decoding overlaps inference (two cores: about 15 %
    faster on 720p). Decoding errors are re-raised here, in the caller's thread."""
    frames: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def decode() -> None:
        try:
            while not stop.is_set() and (frame := source.read()) is not None:
                _put(frames, frame, stop)
            _put(frames, end, stop)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, not swallowed
            _put(frames, exc, stop)

    worker = threading.Thread(target=decode, name="medius-decode", daemon=True)
    worker.start()
    try:
        while (item := frames.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5.0)


def _put(frames: queue.Queue, item: object, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            frames.put(item, timeout=0.1)
            return
        except queue.Full:
            continue
