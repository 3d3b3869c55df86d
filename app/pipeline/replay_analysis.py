"""Analyse a recording and keep what a replay needs: the usual AnalysisResult plus every frame's snapshot.

The analysis is `app.pipeline.analysis.analyze_video` itself (same engine, same events as `medius analyze`), with an
`on_step` hook that keeps a compact copy of each frame's tracker snapshot (about 0.6 KB a frame: some 11 MB for
ten minutes at 30 fps). `cancelled()` is polled at every frame so the GUI's Cancel stops within one frame.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from dataclasses import dataclass

from app.pipeline.analysis import AnalysisResult, analyze_video
from app.errors import MediusError
from app.engine.events import Exercise, FormWarning
from app.engine.exercise_params import ExerciseParams
from app.pipeline.replay_model import ReplayModel, keep_snapshot


class AnalysisCancelled(MediusError):
    exit_code = 130

    def __init__(self) -> None:
        super().__init__("The analysis was cancelled.")


@dataclass
class Replay:
    result: AnalysisResult
    model: ReplayModel


def analyze_for_replay(path: str | pathlib.Path, exercise: Exercise | str, side: str = "auto", *,
                       params: ExerciseParams | None = None, frame_step: int = 1,
                       progress: Callable[[int, int | None], None] | None = None,
                       cancelled: Callable[[], bool] | None = None,
                       on_step: Callable[[object, object], None] | None = None) -> Replay:
    """Raises what analyze_video raises (InputError, ModelFileError), or AnalysisCancelled. `on_step(frame,
    step)` also sees each frame's result (tests use it to know at which frame each event came out)."""
    snapshots, frames, warning_frames = [], [], []
    frame_count: list[int | None] = [None]

    def keep(frame, step) -> None:
        if cancelled is not None and cancelled():
            raise AnalysisCancelled()
        snapshots.append(keep_snapshot(step.snapshot))
        frames.append(frame.index)
        warning_frames.extend(frame.index for e in step.events if isinstance(e, FormWarning))
        if on_step is not None:
            on_step(frame, step)

    def on_progress(done: int, total: int | None) -> None:
        frame_count[0] = total
        if progress is not None:
            progress(done, total)

    result = analyze_video(path, exercise, side=side, params=params, frame_step=frame_step, progress=on_progress,
                           on_step=keep)
    model = ReplayModel(snapshots, frames, result.reps, result.warnings, exercise=result.exercise,
                        video=str(path), fps=result.fps, warning_frames=warning_frames,
                        # Every frame analysed: the decoded count is exact (the container's may not be).
                        frame_count=None if frame_step == 1 else frame_count[0])
    return Replay(result, model)
