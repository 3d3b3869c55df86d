"""The pose of one frame as the analysis sees it: plain numpy arrays, no MediaPipe types."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PoseSample:
    """Landmarks of one person in one frame.

    `xy_px` is in pixels of the analysed (un-mirrored) frame so that angles are not distorted by a non-square
    aspect ratio; `visibility` is MediaPipe's per-landmark visibility in [0, 1]; `world_m` is the metric
    estimate centred on the hips (x right, y down, z towards the camera is negative), or None if unavailable.
    """

    t_s: float
    xy_px: np.ndarray  # (33, 2) float
    visibility: np.ndarray  # (33,) float
    world_m: np.ndarray | None  # (33, 3) float
    image_size: tuple[int, int]  # (width, height)

    def point(self, index: int) -> np.ndarray:
        return self.xy_px[index]
