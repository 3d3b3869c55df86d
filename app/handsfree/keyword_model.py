"""The keyword network: which of "coach pause / resume / next / repeat / stop", if any, a window of 1.8 s of
log-mel frames holds, run with numpy. No Qt.

Trained by tools/train_keyword_model.py (PyTorch, a developer's tool) on synthetic speech from voices the
benchmark does not use, mixed with rooms, noise and other voices; the weights ship in
assets/models/voice_keywords.npz. A small 1-D convolutional network over time, the mel bands as channels (as in
TC-ResNet-style keyword spotters): five convolutions, three of them halving the time resolution, then the maximum
and the mean over time, then one linear layer. About 0.1 M weights, 6 M multiply-adds per window and copy.

A window is "a command" only when the whole command lies inside it: windows that cut it off at either edge were
trained as "other", so "coach re-" and "-ach stop" are not commands.
"""

from __future__ import annotations

import zipfile

import numpy as np

from app.handsfree.keyword_features import BANDS

LABELS = ("other", "pause", "resume", "next", "repeat", "stop")
WINDOW_FRAMES = 180  # 1.8 s: "coach, repeat" said slowly took 1.7 s in the training voices (95 %: 1.5 s)
# (in channels, out channels, kernel, stride) per convolution
LAYERS = ((BANDS, 64, 5, 1), (64, 64, 5, 2), (64, 96, 5, 2), (96, 96, 5, 2), (96, 128, 3, 1))


class ModelError(RuntimeError):
    """The weights file is missing, unreadable or not for this network."""


def normalise(frames: np.ndarray) -> np.ndarray:
    """Log-mel window(s) (..., frames, bands) without their overall level: a near or far voice look alike."""
    return (frames - frames.mean(axis=(-2, -1), keepdims=True)) / 4.0


class KeywordNetwork:
    """One or more trained copies of the network (an ensemble: their answers are averaged, which evens out what
    one copy learned by chance) read from a weights file."""

    def __init__(self, path) -> None:
        try:
            with np.load(path, allow_pickle=False) as f:
                arrays = {k: f[k] for k in f.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise ModelError(f"{path}: the keyword model does not load ({exc})") from exc
        try:
            labels = tuple(str(s) for s in arrays["labels"])
            layers = tuple(tuple(int(v) for v in row) for row in arrays["layers"])
            frames = int(arrays["window_frames"])
            members = [self._member(arrays, f"m{j}_") for j in range(int(arrays["members"]))]
        except (KeyError, ValueError, TypeError) as exc:
            raise ModelError(f"{path}: not a keyword model ({exc})") from exc
        shapes_ok = all(w.shape == (c_out, c_in, k) for convs, _ in members
                        for (w, _, _, _), (c_in, c_out, k, _) in zip(convs, LAYERS))
        if labels != LABELS or layers != LAYERS or frames != WINDOW_FRAMES or not members or not shapes_ok:
            raise ModelError(f"{path}: made for another version of the keyword network")
        self._members = members

    @staticmethod
    def _member(arrays: dict, prefix: str) -> tuple[list, tuple]:
        convs = []
        for i, (_, _, k, stride) in enumerate(LAYERS):
            w = arrays[f"{prefix}w{i}"].astype(np.float32)
            # as a matrix for the im2col product: (in channels * kernel, out channels)
            convs.append((w, w.reshape(w.shape[0], -1).T.copy(), arrays[f"{prefix}b{i}"].astype(np.float32), stride))
        head = (arrays[f"{prefix}head_w"].astype(np.float32), arrays[f"{prefix}head_b"].astype(np.float32))
        return convs, head

    @property
    def members(self) -> int:
        return len(self._members)

    def probabilities(self, frames: np.ndarray) -> np.ndarray:
        """(len(LABELS),) for one window (WINDOW_FRAMES, BANDS) of keyword_features.log_mel frames."""
        x = normalise(np.asarray(frames, dtype=np.float32)).T  # (bands, time)
        return np.mean([self._one(x, convs, head) for convs, head in self._members], axis=0)

    @staticmethod
    def _one(h: np.ndarray, convs: list, head: tuple) -> np.ndarray:
        for w, matrix, bias, stride in convs:
            k = w.shape[2]
            padded = np.pad(h, ((0, 0), (k // 2, k // 2)))
            cols = np.lib.stride_tricks.sliding_window_view(padded, k, axis=1)[:, ::stride]  # (C, T', k)
            h = np.maximum(cols.transpose(1, 0, 2).reshape(cols.shape[1], -1) @ matrix + bias, 0.0).T
        pooled = np.concatenate([h.max(axis=1), h.mean(axis=1)])
        logits = head[0] @ pooled + head[1]
        e = np.exp(logits - logits.max())
        return e / e.sum()
