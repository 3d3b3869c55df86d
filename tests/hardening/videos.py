"""Bad videos made on the spot: written with cv2.VideoWriter, then damaged or re-timed byte by byte."""

from __future__ import annotations

import pathlib
import struct

import cv2
import numpy as np

_CONTAINERS = {"moov", "trak", "mdia", "minf", "stbl"}


def write_video(path: pathlib.Path, n: int, size: tuple[int, int], fps: float = 25.0, fourcc: str = "mp4v") -> pathlib.Path:
    """`n` frames of `size` (w, h): a moving bright square on grey, so every frame differs."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, size)
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {fourcc} at {size}")
    w, h = size
    for i in range(n):
        img = np.full((h, w, 3), 90, np.uint8)
        x = (i * max(1, w // 20)) % max(1, w)
        img[: max(1, h // 4), x : x + max(1, w // 8)] = 230
        writer.write(img)
    writer.release()
    return path


def _boxes(data: bytes, start: int, end: int):
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size < 8 or pos + size > end:
            return
        yield pos, size, kind.decode("latin-1")
        pos += size


def _path_to(data: bytes, target: str, start: int = 0, end: int | None = None, trail=()):
    end = len(data) if end is None else end
    for pos, size, kind in _boxes(data, start, end):
        if kind == target:
            return trail + ((pos, size),)
        if kind in _CONTAINERS:
            found = _path_to(data, target, pos + 8, pos + size, trail + ((pos, size),))
            if found:
                return found
    return None


def retime_mp4(src: pathlib.Path, dst: pathlib.Path, deltas: list[int]) -> pathlib.Path:
    """Copy an mp4 (moov after mdat, as OpenCV writes it) with per-frame durations `deltas` (in the track's
    timescale): a variable-frame-rate file, or with zeros, one whose presentation times repeat."""
    data = bytearray(src.read_bytes())
    trail = _path_to(bytes(data), "stts")
    if trail is None:
        raise ValueError("no stts box")
    moov_pos = trail[0][0]
    mdat = _path_to(bytes(data), "mdat")
    if mdat is None or mdat[0][0] > moov_pos:
        raise ValueError("expected mdat before moov (then sample offsets do not move)")
    stts_pos, stts_size = trail[-1]
    body = struct.pack(">I4sBBBBI", 0, b"stts", 0, 0, 0, 0, len(deltas))
    body += b"".join(struct.pack(">II", 1, d) for d in deltas)
    body = struct.pack(">I", len(body)) + body[4:]
    grow = len(body) - stts_size
    for pos, size in trail[:-1]:  # every enclosing box grows by the same amount
        struct.pack_into(">I", data, pos, size + grow)
    data[stts_pos : stts_pos + stts_size] = body
    dst.write_bytes(bytes(data))
    return dst


def mp4_timescale(path: pathlib.Path) -> int:
    data = path.read_bytes()
    trail = _path_to(data, "mdhd")
    pos = trail[-1][0]
    version = data[pos + 8]
    return struct.unpack(">I", data[pos + 20 : pos + 24] if version == 0 else data[pos + 28 : pos + 32])[0]
