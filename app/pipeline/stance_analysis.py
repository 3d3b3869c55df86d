"""The single-leg stance test on a recorded video: frames → pose → app.stance.bouts, for `medius analyze
--exercise single-leg-stance` and the tests. The same StanceAnalyzer runs in the GUI's guided test.

The test is not a rep exercise: it has no tracker, no rep counter and no form warnings, so it has its own small
frame loop instead of FrameAnalyzer (one person, the whole frame: the guided test asks for one person facing
the camera).
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.pipeline.analysis import _prefetched
from app.adapters.camera_transforms import TransformedSource, get_transform
from app.engine.events import Status, StepResult, TrackerSnapshot
from app.adapters.frame_source import Frame, VideoFileSource
from app.adapters.model_file import DEFAULT_MODEL_PATH
from app.engine.pose import PoseSample
from app.adapters.pose_estimator import PoseEstimator
from app.stance.bouts import STANCE_TEST, StanceAnalyzer, StanceResult
from app.stance.verdict import BoutResult, StanceParams


@dataclass
class StanceVideoResult:
    video: str
    fps: float
    frames: int = 0
    frames_with_pose: int = 0
    duration_s: float = 0.0
    result: StanceResult = field(default_factory=lambda: StanceResult(None, None))

    def to_json(self) -> dict:
        r = self.result
        summary = r.side_summary()
        diff = r.left_right_difference_deg()
        return {
            "video": self.video,
            "exercise": STANCE_TEST,
            "frames": self.frames,
            "frames_with_pose": self.frames_with_pose,
            "duration_s": round(self.duration_s, 3),
            "fps": round(self.fps, 3),
            "baseline": None if r.baseline_span_s is None else
            {"t_start_s": round(r.baseline_span_s[0], 3), "t_end_s": round(r.baseline_span_s[1], 3)},
            "not_judged_reason": r.not_judged_reason,
            "drop_tolerance_deg": r.params.drop_tolerance_deg,
            "stance_bouts": [b.to_json() for b in r.bouts],
            "stance_bout_details": [b.details_json() for b in r.bouts],
            "sides": {leg: (None if b is None else {"verdict": b.verdict, "max_pelvic_drop_deg":
                                                    b.to_json()["max_pelvic_drop_deg"], "reason": b.reason})
                      for leg, b in summary.items()},
            "left_minus_right_drop_deg": None if diff is None else round(diff, 2),
        }


def trace(frames: Iterable[Frame], estimator: PoseEstimator, frame_step: int = 1,
          progress: Callable[[int, int | None], None] | None = None, frame_count: int | None = None
          ) -> tuple[list[tuple[float, PoseSample | None]], float]:
    """(time, pose) of every analysed frame, and the last frame's time."""
    out: list[tuple[float, PoseSample | None]] = []
    last_t = 0.0
    for frame in frames:
        last_t = frame.t_s
        if frame.index % frame_step:
            continue
        out.append((frame.t_s, estimator.detect(frame.bgr[:, :, ::-1], int(round(frame.t_s * 1000)))))
        if progress is not None:
            progress(frame.index + 1, frame_count)
    return out, last_t


def analyze_trace(samples: list[tuple[float, PoseSample | None]], video: str, fps: float, last_t: float,
                  params: StanceParams | None = None) -> StanceVideoResult:
    analyzer = StanceAnalyzer(params)
    for t_s, sample in samples:
        analyzer.step(sample, t_s)
    end = samples[-1][0] if samples else 0.0
    return StanceVideoResult(video=video, fps=fps, frames=len(samples),
                             frames_with_pose=sum(s is not None for _, s in samples),
                             duration_s=last_t + 1.0 / fps, result=analyzer.finish(end))


def analyze_stance_video(path: str | pathlib.Path, params: StanceParams | None = None,
                         model_path: pathlib.Path = DEFAULT_MODEL_PATH,
                         progress: Callable[[int, int | None], None] | None = None, frame_step: int = 1,
                         transform: str | None = None) -> StanceVideoResult:
    """Raises InputError for unreadable input, ModelFileError for a bad model (as analyze_video)."""
    camera = get_transform(transform) if transform is not None else None
    source = VideoFileSource(path)
    if camera is not None:
        source = TransformedSource(source, camera)
    try:
        estimator = PoseEstimator(model_path)
    except BaseException:
        source.close()
        raise
    frames = _prefetched(source)
    try:
        samples, last_t = trace(frames, estimator, frame_step, progress, source.frame_count)
    finally:
        frames.close()
        estimator.close()
        source.close()
    return analyze_trace(samples, str(path), source.fps, last_t, params)


@dataclass(frozen=True)
class StanceBoutEnded:
    """Live event: one hold ended (lossless through the pipeline's event queue, like a rep)."""

    bout: BoutResult
    baseline_span_s: tuple[float, float] | None


class StanceFrameAnalyzer:
    """The stance test as a live pipeline analyzer (`process(frame) -> StepResult`, created and closed on the
    vision thread). The snapshot carries the skeleton and the test's state for drawing: `phase` is the
    StanceState phase, `side` the stance leg, `metrics` hold_s / baseline_s / obliquity_deg."""

    def __init__(self, params: StanceParams | None = None, estimator: PoseEstimator | None = None,
                 model_path: pathlib.Path = DEFAULT_MODEL_PATH) -> None:
        self.engine = StanceAnalyzer(params)
        self._own_estimator = estimator is None
        self.estimator = estimator or PoseEstimator(model_path)
        self._started = False
        self.last_t_s = 0.0  # time of the last frame seen (where a hold still going on ends, if stopped)

    def process(self, frame: Frame) -> StepResult:
        t_ms = int(round(frame.t_s * 1000))
        self.last_t_s = frame.t_s
        if not self._started and hasattr(self.estimator, "forget_person"):
            self.estimator.forget_person(t_ms)  # a shared estimator may still follow the last run's person
        self._started = True
        sample = self.estimator.detect(frame.bgr[:, :, ::-1], t_ms)
        state = self.engine.step(sample, frame.t_s)
        events = ()
        if state.finished is not None:
            events = (StanceBoutEnded(state.finished, self.engine.baseline_span_s),)
        status = Status.NO_PERSON if sample is None else Status.TRACKING
        snapshot = TrackerSnapshot(
            t_s=frame.t_s, status=status, side=state.stance_leg, reps=len(self.engine.bouts), signal_deg=None,
            target_deg=0.0, phase=state.phase, active_faults=(),
            xy_px=None if sample is None else sample.xy_px, visibility=None if sample is None else sample.visibility,
            metrics={"hold_s": state.hold_s, "baseline_s": state.baseline_s, "obliquity_deg": state.obliquity_deg})
        return StepResult(snapshot, events)

    def close(self) -> None:
        if self._own_estimator:
            self.estimator.close()
