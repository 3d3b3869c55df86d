"""Dark pictures brightened for pose inference, where MediaPipe found nobody in them as they are.

A dim room (an evening lamp, a webcam's small sensor) leaves the body a few grey levels from the floor, and
MediaPipe's person detector then loses it for seconds at a time. Stretching the picture's brightness range back
to the full scale gives the networks the contrast they were trained on. The pose estimator asks for it only on a
frame in which it found nobody as it was: brightening every dark frame also moved the landmarks of people
already found, and on a clip rendered dark the top hip moved enough to warn "don't roll back" on two clean reps.
Measured on the robustness copies of the labelled clips (pose cache, real engine):
- dimmed (gamma, low contrast, sensor noise): side-lying abduction (curvelog) found the pose on 1091 of 1091
  frames instead of 1003 and counted 5 reps instead of 4 (label 5-7); the other 14 dimmed clips are unchanged;
- the dark rendered band walk at half size: pose on 294 of 300 frames instead of 93, 4 steps instead of 1 (4-5).

A frame counts as dark when its brightest 1 % lies below `DARK_P99` (the labelled clips as filmed put it at
181-255, their dimmed copies at 100-159; two rendered clips are dark as rendered, at 103-146). A frame with no
contrast at all (a covered lens) is left alone rather than turned into amplified noise.
"""

from __future__ import annotations

import cv2
import numpy as np

DARK_P99 = 170.0  # brightness (0-255) below which the brightest 1 % of a frame counts as dark
MIN_RANGE = 24.0  # a darker frame whose 1 %-99 % range is below this is left alone: nothing to stretch
TARGET_TOP = 235.0  # where the brightest 1 % lands (not 255: highlights keep their shape)
_SAMPLE_WIDTH = 160


def brightness_range(rgb: np.ndarray) -> tuple[float, float]:
    """(1st, 99th) percentile of a frame's brightness (0-255), from about 160 pixels across of it: two
    percentiles need no more, and this runs on every frame beside a 20-50 ms inference (0.2 ms at 720p)."""
    step = max(1, rgb.shape[1] // _SAMPLE_WIDTH)
    luma = cv2.cvtColor(np.ascontiguousarray(rgb[::step, ::step]), cv2.COLOR_RGB2GRAY)
    cumulative = np.cumsum(np.bincount(luma.ravel(), minlength=256))
    low = int(np.searchsorted(cumulative, 0.01 * cumulative[-1]))
    high = int(np.searchsorted(cumulative, 0.99 * cumulative[-1]))
    return float(low), float(high)


def stretch_table(rgb: np.ndarray) -> np.ndarray | None:
    """The 256-entry lookup table that brightens this frame, or None when it is not dark (or has no contrast).
    Decided on the whole frame, so that a window of it gets the same treatment as the frame around it."""
    low, high = brightness_range(rgb)
    if high >= DARK_P99 or high - low < MIN_RANGE:
        return None
    gain = TARGET_TOP / (high - low)
    return np.clip((np.arange(256, dtype=np.float32) - low) * gain, 0, 255).astype(np.uint8)


def apply(rgb: np.ndarray, table: np.ndarray | None) -> np.ndarray:
    """`rgb` through the table, or `rgb` itself when there is none. The table treats every channel alike, so a
    channel-reversed view of a BGR frame goes through as the frame it views (no slow copy of the view)."""
    if table is None:
        return rgb
    if rgb.ndim == 3 and rgb.strides[2] < 0:
        return cv2.LUT(np.ascontiguousarray(rgb[:, :, ::-1]), table)[:, :, ::-1]
    return cv2.LUT(np.ascontiguousarray(rgb), table)

