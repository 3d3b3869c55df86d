"""Pictures of the frames a replay jumps to (fault marks, best and worst rep), decoded ahead on a worker thread.

A seek in a phone's H.264 file decodes from the keyframe before the target; phones put keyframes seconds
apart, so one seek cost 0.24 s median and up to 0.7 s on a 720p clip here (tools/benchmark_replay.py). The
replay's jumps go to known frames, so a helper thread with its own reader (app.adapters.frame_source.VideoFrames) walks
through them in file order once — mostly plain reads — and keeps each as a JPEG in memory (about 0.1 MB at
720p: a few tens of MB for a 10-minute set with hundreds of marks). Nothing is written to disk. `stop()` ends
the thread (it checks between frames) and joins it.
"""

from __future__ import annotations

import pathlib
import threading
from collections.abc import Iterable

import cv2
import numpy as np

from app.adapters.frame_source import VideoFrames

JPEG_QUALITY = 90


class FramePrefetcher:
    def __init__(self, video: str | pathlib.Path, frames: Iterable[int]) -> None:
        self._video = video
        self._wanted = sorted(set(frames))
        self._pictures: dict[int, bytes] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="medius-replay-prefetch", daemon=True)
        self.error: str | None = None

    def start(self) -> FramePrefetcher:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            reader = VideoFrames(self._video)
        except Exception as exc:  # noqa: BLE001 - the replay still works, only slower: keep the reason
            self.error = str(exc)
            return
        try:
            for index in self._wanted:
                if self._stop.is_set():
                    return
                bgr = reader.frame(index)
                if bgr is None:
                    break
                ok, jpeg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
                if ok:
                    with self._lock:
                        self._pictures[index] = jpeg.tobytes()
        finally:
            reader.close()

    def picture(self, index: int) -> np.ndarray | None:
        """The frame's picture if it is ready, else None."""
        with self._lock:
            jpeg = self._pictures.get(index)
        return None if jpeg is None else cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)

    @property
    def ready(self) -> int:
        with self._lock:
            return len(self._pictures)

    @property
    def finished(self) -> bool:
        return not self._thread.is_alive()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
