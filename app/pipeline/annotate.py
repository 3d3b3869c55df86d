"""Burn the analysis into the video: skeleton, working leg, rep counter, range meter and fault captions, frame
for frame, so a physiotherapist can send a patient what was seen (`medius analyze --annotate OUT.mp4`).

Each output frame is the source frame of the same index with `app.pipeline.replay_model.FrameState` of that frame drawn
on it — the state the replay screen shows — so the export, the replay and the live run agree. The source is read
through app.adapters.frame_source and written through app.adapters.video_writer (the two modules that touch video files); this
module only draws (OpenCV, so it is not part of the pure analysis). One rep's clip is the same drawing over that
rep's span plus REP_PAD_S either side.

OpenCV's Hershey fonts know only ASCII, so captions are transliterated (° → "deg", curly quotes → straight).
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable

import cv2
import numpy as np

from app.errors import InputError
from app.adapters.frame_source import VideoFileSource
from app.engine.landmarks import LM, SKELETON_EDGES
from app.pipeline.replay_model import FrameState, ReplayModel
from app.adapters.video_writer import VideoWriter

REP_PAD_S = 0.5
MIN_VISIBILITY = 0.5  # as the live view (ui.video_view)
BONE = (255, 255, 255)
WORKING_LEG = (0, 176, 255)  # BGR of the live view's amber
FAULT = (77, 77, 255)
JOINT = (140, 122, 31)
PANEL = (40, 32, 27)
GOOD = (91, 157, 46)
ACCENT = (140, 122, 31)
TRACK = (232, 227, 221)
CAPTION = (31, 122, 224)
_LEFT_LEG = {LM.L_HIP, LM.L_KNEE, LM.L_ANKLE, LM.L_HEEL, LM.L_FOOT}
_RIGHT_LEG = {LM.R_HIP, LM.R_KNEE, LM.R_ANKLE, LM.R_HEEL, LM.R_FOOT}
_JOINTS = sorted({i for edge in SKELETON_EDGES for i in edge})
_ASCII = str.maketrans({"°": " deg", "’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})
FONT = cv2.FONT_HERSHEY_SIMPLEX


def ascii_text(text: str) -> str:
    return text.translate(_ASCII).encode("ascii", "replace").decode("ascii")


def _blend_rect(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, colour, alpha: float) -> None:
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(img.shape[1], x1), min(img.shape[0], y1)
    if x1 > x0 and y1 > y0:
        roi = img[y0:y1, x0:x1]
        roi[:] = (roi * (1 - alpha) + np.array(colour, float) * alpha).astype(np.uint8)


def counter_box(size: tuple[int, int]) -> tuple[int, int, int, int]:
    """Where the counter is drawn (x0, y0, x1, y1) on a frame of `size` (width, height)."""
    w, h = size
    unit = max(h, w * 9 // 16)
    return 0, 0, int(unit * 0.26), int(unit * 0.2)


def draw_skeleton(img: np.ndarray, state: FrameState) -> None:
    if state.xy_px is None:
        return
    h = img.shape[0]
    seen = np.ones(len(state.xy_px), bool) if state.visibility is None else state.visibility >= MIN_VISIBILITY
    working = _LEFT_LEG if state.side == "left" else _RIGHT_LEG if state.side == "right" else set()
    leg_colour = FAULT if state.active_faults else WORKING_LEG
    width = max(2, round(h / 160))
    pts = np.round(state.xy_px[:, :2]).astype(int)
    for a, b in SKELETON_EDGES:
        if seen[a] and seen[b]:
            on_leg = a in working and b in working
            cv2.line(img, tuple(pts[a]), tuple(pts[b]), leg_colour if on_leg else BONE,
                     round(width * 1.6) if on_leg else width, cv2.LINE_AA)
    for i in _JOINTS:
        if seen[i]:
            cv2.circle(img, tuple(pts[i]), round(width * 1.2), JOINT, -1, cv2.LINE_AA)


def draw_counter(img: np.ndarray, reps: int, target: int | None = None) -> None:
    x0, y0, x1, y1 = counter_box((img.shape[1], img.shape[0]))
    _blend_rect(img, x0, y0, x1, y1, PANEL, 0.85)
    bh = y1 - y0
    scale = bh / 42
    text = str(reps)
    (tw, th), _ = cv2.getTextSize(text, FONT, scale, max(2, round(scale * 2.2)))
    cv2.putText(img, text, (x0 + (x1 - x0 - tw) // 2, y0 + int(bh * 0.66)), FONT, scale, (255, 255, 255),
                max(2, round(scale * 2.2)), cv2.LINE_AA)
    label = "reps" if target is None else f"of {target} reps"
    small = scale * 0.3
    (lw, _), _ = cv2.getTextSize(label, FONT, small, 1)
    cv2.putText(img, label, (x0 + (x1 - x0 - lw) // 2, y0 + int(bh * 0.92)), FONT, small, (220, 220, 220),
                max(1, round(small * 2)), cv2.LINE_AA)


def draw_range_meter(img: np.ndarray, fraction: float, peak_fraction: float) -> None:
    h, w = img.shape[:2]
    bw = max(10, w // 40)
    x1, x0 = w - bw // 2, w - bw // 2 - bw
    y0, y1 = int(h * 0.12), int(h * 0.88)
    _blend_rect(img, x0, y0, x1, y1, TRACK, 0.7)
    top = 1.5  # as the live meter: full scale is 150 % of the target range
    fill = int((y1 - y0) * min(fraction, top) / top)
    if fill > 0:
        _blend_rect(img, x0, y1 - fill, x1, y1, GOOD if fraction >= 0.9 else ACCENT, 0.95)
    target_y = y1 - int((y1 - y0) / top)
    cv2.line(img, (x0 - bw // 3, target_y), (x1 + bw // 3, target_y), PANEL, max(2, bw // 5))
    if peak_fraction > 0:
        py = y1 - int((y1 - y0) * min(peak_fraction, top) / top)
        cv2.line(img, (x0, py), (x1, py), (31, 122, 224), max(2, bw // 5))


def draw_caption(img: np.ndarray, text: str) -> None:
    h, w = img.shape[:2]
    text = ascii_text(text)
    scale = max(0.5, h / 720 * 1.1)
    thick = max(1, round(scale * 2))
    (tw, th), base = cv2.getTextSize(text, FONT, scale, thick)
    while tw > w * 0.86 and scale > 0.35:  # long cue on a small frame: shrink rather than cut
        scale *= 0.9
        (tw, th), base = cv2.getTextSize(text, FONT, scale, thick)
    pad = th // 2 + 4
    y1 = h - int(h * 0.04)
    y0 = y1 - th - base - 2 * pad
    _blend_rect(img, (w - tw) // 2 - 2 * pad, y0, (w + tw) // 2 + 2 * pad, y1, CAPTION, 0.9)
    cv2.putText(img, text, ((w - tw) // 2, y1 - pad - base), FONT, scale, (255, 255, 255), thick, cv2.LINE_AA)


def draw_clock(img: np.ndarray, state: FrameState) -> None:
    """Time in the video and the rep under way, on a strip under the counter."""
    x0, _y0, x1, y1 = counter_box((img.shape[1], img.shape[0]))
    text = f"{state.t_s:.1f} s" + (f"  rep {state.rep}" if state.rep else "")
    scale = (y1 - _y0) / 42 * 0.28
    (tw, th), base = cv2.getTextSize(text, FONT, scale, 1)
    strip = th + base + 8
    _blend_rect(img, x0, y1, max(x1, tw + 12), y1 + strip, PANEL, 0.78)
    cv2.putText(img, text, (x0 + 6, y1 + strip - base - 4), FONT, scale, (255, 255, 255), max(1, round(scale * 2)),
                cv2.LINE_AA)


def draw_state(bgr: np.ndarray, state: FrameState) -> np.ndarray:
    """A copy of the frame with everything the replay shows for this state."""
    img = bgr.copy()
    draw_skeleton(img, state)
    draw_counter(img, state.reps)
    draw_range_meter(img, state.rom_fraction, state.peak_fraction)
    draw_clock(img, state)
    if state.caption:
        draw_caption(img, state.caption)
    return img


def frame_range(model: ReplayModel, rep: int | None) -> tuple[int, int]:
    """First and last frame (inclusive) of the export: the whole video, or one rep with REP_PAD_S around it."""
    if rep is None:
        return 0, model.frame_count - 1
    if not any(r.index == rep for r in model.reps):
        found = f"reps 1 to {len(model.reps)}" if model.reps else "no reps"
        raise InputError(f"There is no rep {rep} in this video (the analysis found {found}).")
    span = model.span_of(rep)
    pad = round(REP_PAD_S * model.fps)
    return max(0, span.first_frame - pad), min(model.frame_count - 1, max(span.last_frame, span.counted_frame) + pad)


def export_annotated(model: ReplayModel, out: str | pathlib.Path, *, rep: int | None = None,
                     video: str | pathlib.Path | None = None,
                     progress: Callable[[int, int], None] | None = None) -> tuple[pathlib.Path, int]:
    """Write the annotated video (or one rep's clip) to `out`; returns (path, frames written)."""
    first, last = frame_range(model, rep)
    source = VideoFileSource(video or model.video)
    writer = None
    try:
        while (frame := source.read()) is not None and frame.index <= last:
            if frame.index < first:
                continue
            if writer is None:
                writer = VideoWriter(out, source.fps, (frame.bgr.shape[1], frame.bgr.shape[0]))
            writer.write(draw_state(frame.bgr, model.state(frame.index)))
            if progress is not None:
                progress(frame.index - first + 1, last - first + 1)
        if writer is None:
            raise InputError(f"{source.path}: no frames in the range to export.")
        n = writer.frames
        return writer.close(), n
    except BaseException:
        if writer is not None:
            writer.discard()
        raise
    finally:
        source.close()
