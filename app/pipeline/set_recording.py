"""Opt-in recording of a live set: its video plus every frame's tracker snapshot and its events, for the replay.

Off unless the user turns it on in Settings (`Settings.record_sets`); nothing here runs otherwise. Files live in
`recordings/` beside the exercise log (app.storage.data_dir), named by the set, and the set's row in the log
points to the video (table `set_recordings`, schema v5):

    <name>.mp4           the frames the vision worker analysed, in order (app.adapters.video_writer)
    <name>.replay.npz    per frame: time, counter, signal, phase, status, side, landmarks, faults, angles; the
                         set's reps, warnings and the frame each warning was reported at (app.pipeline.replay_model)

`RecordingAnalyzer` wraps the set's analyzer on the vision thread and hands each (frame, step) to
`SetRecording.offer`, which only puts it in a bounded queue: encoding runs on the recording's own thread, so
the live pipeline's latency does not wait for the encoder. When the encoder falls behind, frames are dropped
from the recording (counted in `dropped`), never from the analysis. Old recordings are removed by `prune`
(`Settings.recording_keep_days`); `delete` removes one.
"""

from __future__ import annotations

import json
import logging
import math
import pathlib
import queue
import threading
import time
from collections.abc import Callable

import numpy as np

from app.engine.events import FormWarning, RepCompleted, Status, StepResult, TrackerSnapshot
from app.adapters.frame_source import Frame
from app.pipeline.replay_model import ReplayModel, keep_snapshot
from app.adapters.video_writer import VideoWriter

log = logging.getLogger(__name__)

QUEUE_FRAMES = 60  # about 2-4 s of analysed frames; beyond that the recording drops, the analysis never waits
FPS_PROBE_FRAMES = 15  # the video's frame rate is measured from the first analysed frames' times
DATA_SUFFIX = ".replay.npz"
PHASES = ("rest", "rising", "top", "lowering")
STATUSES = tuple(s.value for s in Status)
SIDES = (None, "left", "right")
_END = object()


def recordings_dir() -> pathlib.Path:
    from app.storage import data_dir

    return data_dir() / "recordings"


class SetRecording:
    """One set's video and replay data, written on a worker thread. `offer` from the vision thread; `close`
    (any thread) finishes both files and returns the video's path, or None if no frame was recorded."""

    def __init__(self, folder: pathlib.Path, name: str) -> None:
        self.folder = pathlib.Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.video_path = self.folder / f"{name}.mp4"
        self.data_path = self.folder / f"{name}{DATA_SUFFIX}"
        self.dropped = 0
        self.frames_written = 0
        self.error: str | None = None
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_FRAMES)
        self._snapshots: list[TrackerSnapshot] = []
        self._reps: list[RepCompleted] = []
        self._warnings: list[FormWarning] = []
        self._warning_frames: list[int] = []
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="medius-set-recording", daemon=True)
        self._thread.start()

    def offer(self, frame: Frame, step: StepResult) -> None:
        """Never blocks: a full queue drops this frame from the recording."""
        if self._closed:
            return
        try:
            self._queue.put_nowait((frame, step))
        except queue.Full:
            self.dropped += 1

    def _run(self) -> None:
        writer: VideoWriter | None = None
        probe: list[tuple[Frame, StepResult]] = []
        try:
            while (item := self._queue.get()) is not _END:
                if writer is None:
                    probe.append(item)
                    if len(probe) < FPS_PROBE_FRAMES:
                        continue
                    writer = self._open(probe)
                    for it in probe:
                        self._write(writer, *it)
                    probe = []
                else:
                    self._write(writer, *item)
            if writer is None and probe:
                writer = self._open(probe)
                for it in probe:
                    self._write(writer, *it)
            if writer is not None:
                writer.close()
                self._save_data(writer.frames, writer)
        except Exception as exc:  # noqa: BLE001 - a full disk must not end the set: report it instead
            log.exception("set recording failed")
            self.error = str(exc)
            if writer is not None:
                writer.discard()
            self.data_path.unlink(missing_ok=True)

    def _open(self, probe: list[tuple[Frame, StepResult]]) -> VideoWriter:
        times = [f.t_s for f, _ in probe]
        span = times[-1] - times[0]
        fps = (len(times) - 1) / span if len(times) > 1 and span > 0 else 30.0
        h, w = probe[0][0].bgr.shape[:2]
        self._fps = min(max(fps, 1.0), 120.0)
        return VideoWriter(self.video_path, self._fps, (w, h))

    def _write(self, writer: VideoWriter, frame: Frame, step: StepResult) -> None:
        index = writer.frames
        writer.write(frame.bgr)
        self._snapshots.append(keep_snapshot(step.snapshot))
        for e in step.events:
            if isinstance(e, RepCompleted):
                self._reps.append(e)
            elif isinstance(e, FormWarning):
                self._warnings.append(e)
                self._warning_frames.append(index)
        self.frames_written = index + 1

    def _save_data(self, n: int, writer: VideoWriter) -> None:
        snaps = self._snapshots[:n]
        xy = np.full((n, 33, 2), np.nan, np.float32)
        vis = np.zeros((n, 33), np.float32)
        for k, s in enumerate(snaps):
            if s.xy_px is not None:
                xy[k] = s.xy_px[:33, :2]
            if s.visibility is not None:
                vis[k] = s.visibility[:33]
        meta = {
            "fps": self._fps, "dropped": self.dropped,
            "active_faults": [list(s.active_faults) for s in snaps], "metrics": [s.metrics for s in snaps],
            "reps": [[r.index, r.side, r.t_start_s, r.t_peak_s, r.t_end_s, r.peak_deg, list(r.faults),
                      [list(u) for u in r.unjudged], r.held_s] for r in self._reps],
            "warnings": [[w.t_s, w.code, w.value, w.message] for w in self._warnings],
            "warning_frames": self._warning_frames,
        }
        tmp = self.data_path.with_name(self.data_path.name + ".part.npz")
        np.savez_compressed(
            tmp, t_s=np.array([s.t_s for s in snaps]), reps=np.array([s.reps for s in snaps], np.int32),
            signal=np.array([math.nan if s.signal_deg is None else s.signal_deg for s in snaps]),
            target=np.array([s.target_deg for s in snaps]),
            phase=np.array([PHASES.index(s.phase) if s.phase in PHASES else 0 for s in snaps], np.int8),
            status=np.array([STATUSES.index(s.status.value) for s in snaps], np.int8),
            side=np.array([SIDES.index(s.side) if s.side in SIDES else 0 for s in snaps], np.int8),
            has_pose=np.array([s.xy_px is not None for s in snaps]), xy=xy, vis=vis, meta=np.array(json.dumps(meta)))
        tmp.replace(self.data_path)

    def close(self, timeout_s: float = 30.0) -> pathlib.Path | None:
        """Finish the files (waits for the encoder to catch up). Safe to call twice."""
        if not self._closed:
            self._closed = True
            while self._thread.is_alive():  # a writer that failed takes nothing more: do not wait for a slot
                try:
                    self._queue.put(_END, timeout=0.2)
                    break
                except queue.Full:
                    continue
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.error("set recording: the encoder did not finish within %.0f s", timeout_s)
            return None
        return self.video_path if self.error is None and self.video_path.exists() else None


class RecordingAnalyzer:
    """An analyzer that also hands every (frame, step) to `tap` (on the vision thread, before returning)."""

    def __init__(self, inner, tap: Callable[[Frame, StepResult], None]) -> None:
        self.inner = inner
        self.tap = tap

    def process(self, frame: Frame) -> StepResult:
        step = self.inner.process(frame)
        self.tap(frame, step)
        return step

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name):
        return getattr(self.inner, name)


def load(video_path: str | pathlib.Path, exercise: str):
    """The replay (app.pipeline.replay_analysis.Replay) of a recorded set, from its two files."""
    from app.pipeline.analysis import AnalysisResult
    from app.pipeline.replay_analysis import Replay

    video_path = pathlib.Path(video_path)
    data_path = video_path.with_name(video_path.stem + DATA_SUFFIX)
    with np.load(data_path, allow_pickle=False) as d:
        arrays = {k: d[k] for k in d.files}
    meta = json.loads(str(arrays["meta"]))
    n = len(arrays["t_s"])
    snaps = [TrackerSnapshot(
        t_s=float(arrays["t_s"][k]), status=Status(STATUSES[arrays["status"][k]]), side=SIDES[arrays["side"][k]],
        reps=int(arrays["reps"][k]),
        signal_deg=None if math.isnan(arrays["signal"][k]) else float(arrays["signal"][k]),
        target_deg=float(arrays["target"][k]), phase=PHASES[arrays["phase"][k]],
        active_faults=tuple(meta["active_faults"][k]),
        xy_px=arrays["xy"][k] if arrays["has_pose"][k] else None,
        visibility=arrays["vis"][k] if arrays["has_pose"][k] else None, metrics=meta["metrics"][k])
        for k in range(n)]
    # Recordings made before holds were timed have no held time (the 9th field): 0.
    reps = [RepCompleted(i, side, a, b, c, peak, tuple(f), tuple(tuple(u) for u in un), float(held[0]) if held else 0.0)
            for i, side, a, b, c, peak, f, un, *held in meta["reps"]]
    warnings = [FormWarning(t, code, value, msg) for t, code, value, msg in meta["warnings"]]
    model = ReplayModel(snaps, list(range(n)), reps, warnings, exercise=exercise, video=str(video_path),
                        fps=meta["fps"], warning_frames=meta["warning_frames"])
    side = next((s.side for s in reversed(snaps) if s.side), None)
    result = AnalysisResult(video=str(video_path), exercise=exercise, side=side, frames=n, duration_s=model.duration_s,
                            fps=meta["fps"], reps=reps, warnings=warnings)
    return Replay(result, model)


def delete(folder: pathlib.Path, name: str) -> None:
    """Remove one recording (video and data)."""
    video = pathlib.Path(folder) / name
    video.unlink(missing_ok=True)
    video.with_name(video.stem + DATA_SUFFIX).unlink(missing_ok=True)


def prune(folder: pathlib.Path, keep_days: int, now_s: float | None = None) -> list[str]:
    """Delete recordings older than `keep_days` (by file time); returns the video names removed."""
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        return []
    cutoff = (time.time() if now_s is None else now_s) - keep_days * 86400.0
    removed = []
    for video in sorted(folder.glob("*.mp4")):
        try:
            if video.stat().st_mtime < cutoff:
                delete(folder, video.name)
                removed.append(video.name)
        except OSError as exc:
            log.warning("recordings: could not remove %s: %s", video, exc)
    return removed
