"""The only module that writes video files (app.adapters.frame_source is the only one that reads them).

Used for exports the user asks for (`medius analyze --annotate`, the replay screen's export). Nothing else in
the app writes video: a recording is stored only on request.

The container is MP4 with MPEG-4 Part 2 video ("mp4v"): the only MP4 encoder in the OpenCV wheels (no H.264
there, and VP9 runs at about 2.5 s per 720p frame on these machines). VLC, QuickTime, Windows' player and
Android play it; most web browsers do not.
"""

from __future__ import annotations

import os
import pathlib

import cv2
import numpy as np

from app.errors import InputError
from app.adapters.native_logs import native_logs_silenced

FOURCC = "mp4v"


class VideoWriter:
    """Frames of one size in, an .mp4 file out. The file is written under a temporary name and moved into
    place by `close()`, so an interrupted export never leaves a half file under the name the user chose."""

    @staticmethod
    def check_path(path: str | pathlib.Path) -> pathlib.Path:
        """The one-line error for an output name that cannot work, before any work is done."""
        path = pathlib.Path(path)
        if path.suffix.lower() != ".mp4":
            raise InputError(f"{path}: the annotated video is written as MP4; give a name ending in .mp4.")
        if not path.parent.is_dir():
            raise InputError(f"Cannot write {path}: the folder {path.parent} does not exist.")
        return path

    def __init__(self, path: str | pathlib.Path, fps: float, size: tuple[int, int]) -> None:
        self.path = self.check_path(path)
        self._tmp = self.path.with_name(f".{self.path.stem}.part{os.getpid()}.mp4")
        self.size = size
        self.frames = 0
        with native_logs_silenced():
            self._writer = cv2.VideoWriter(str(self._tmp), cv2.VideoWriter_fourcc(*FOURCC), float(fps), size)
        if not self._writer.isOpened():
            self._writer.release()
            self._tmp.unlink(missing_ok=True)
            raise InputError(f"Cannot write {self.path}: the video encoder could not open the file.")

    def write(self, bgr: np.ndarray) -> None:
        if (bgr.shape[1], bgr.shape[0]) != self.size:
            raise ValueError(f"frame size {bgr.shape[1]}x{bgr.shape[0]} differs from the video's {self.size}")
        self._writer.write(np.ascontiguousarray(bgr))
        self.frames += 1

    def close(self) -> pathlib.Path:
        """Finish the file and give it its name."""
        self._writer.release()
        try:
            self._tmp.replace(self.path)
        except OSError as exc:
            self._tmp.unlink(missing_ok=True)
            raise InputError(f"Cannot write {self.path}: {exc.strerror or exc}.") from None
        return self.path

    def discard(self) -> None:
        """Abandon the export (an error or a cancel): no file is left behind."""
        self._writer.release()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type, *_exc) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()
