"""Recorded pose estimation, replayed: re-score the engine on many clips in seconds instead of half an hour.

Developer speed only; the tests never read it. It works at the PoseEstimator level, so everything above
pose estimation (FrameAnalyzer's people search and crop window, the tracker, the exercises, the rep counter)
runs for real:

- `RecordingEstimator` wraps a real PoseEstimator and keeps every call of every public method (its name, its
  arguments with each frame reduced to its shape and a digest of a sparse sample of its pixels) with the result;
- `ReplayEstimator` offers exactly PoseEstimator's public methods (so `hasattr` checks in the engine see what
  they would see on the real one) and answers from a recording while the engine makes the same calls in the
  same order. At the first call that differs it switches to real inference for the rest of the run, recording.

After such a switch the real estimator's VIDEO-mode tracking starts fresh at that frame instead of carrying
over from the frames before, so the rest of that run is close to, not bit-identical with, a clean run. The saved
recording says so (`spliced_at`); `PoseCache(refresh=True)` re-records from scratch.

Decoding and transforming frames costs more than the engine itself, so a recording also keeps the frame
timeline (timestamps, indices, shapes) and `PoseCache.session` replays without pixels by default: frames carry
`NoPixels`, which has a shape and the BGR->RGB flip FrameAnalyzer does, and raises `ReplayMismatch` on anything
else. A call that differs from the recording cannot be inferred there (no pixels), so it raises too; run the
clip again with `decode=True`, which also checks each frame's digest and infers from the first mismatch on.

Files: out/pose_cache/<fingerprint>/<clip>.<size>.<transform>.npz. The fingerprint covers the model's sha256,
the mediapipe and OpenCV versions, the estimator's settings, and the code of app/adapters/pose_estimator.py,
app/adapters/camera_transforms.py, app/adapters/frame_source.py and the app modules they import (what makes the frames, the
timestamps and the landmarks; docstrings and comments do not count; see NOT_FINGERPRINTED). It is read once,
when this module is imported, so it describes the code this process runs. Change any of it and old recordings
are not found (delete old folders), unless you pass `fingerprint=` to reuse a folder on purpose.

    sys.path.insert(0, "tools")  # as the other tools are imported
    from pose_cache import PoseCache, ReplayMismatch
    from app.pipeline.analysis import FrameAnalyzer
    cache = PoseCache()
    for decode in (False, True):  # pixel-free replay first; decode (and infer what differs) if it cannot
        try:
            with cache.session(video_path, "mirror", decode=decode) as (source, estimator):
                analyzer = FrameAnalyzer("clamshell", estimator=estimator)
                while (frame := source.read()) is not None:
                    step = analyzer.process(frame)  # ... collect step.events
            break
        except ReplayMismatch:
            continue
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import functools
import hashlib
import importlib.metadata
import io
import json
import os
import pathlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.adapters.camera_transforms import TransformedSource  # noqa: E402
from app.adapters.frame_source import Frame, FrameSource, VideoFileSource  # noqa: E402
from app.engine.landmarks import N_LANDMARKS  # noqa: E402
from app.adapters.model_file import DEFAULT_MODEL_PATH  # noqa: E402
from app.engine.pose import PoseSample  # noqa: E402
from app.adapters.pose_estimator import PoseEstimator  # noqa: E402

DEFAULT_CACHE_DIR = ROOT / "out" / "pose_cache"
FINGERPRINTED_MODULES = ("app/adapters/pose_estimator.py", "app/adapters/camera_transforms.py", "app/adapters/frame_source.py")
# Imported by the estimator, but what they compute reaches it as call arguments (the crop window's Box), which
# the replay compares; hashing them would throw every recording away at each change of the window logic.
NOT_FINGERPRINTED = {"app/engine/person_crop.py"}
FORMAT_VERSION = 3
_DIGEST_STRIDE = 16  # every 16th pixel each way: cheap, yet a different frame or decoder shows
_NOT_RECORDED = {"close"}
_NONE, _ONE, _LIST = 0, 1, 2  # what a call returned: None, one PoseSample, a list of them


class ReplayMismatch(Exception):
    """A pixel-free replay met a call that is not in the recording (or the engine wanted pixels)."""


class NoPixels:
    """A frame's pixels in a pixel-free replay: a shape and FrameAnalyzer's BGR->RGB flip, nothing else, so
    that an engine that starts reading pixels fails loudly instead of analysing a blank picture."""

    _FLIP = (slice(None), slice(None), slice(None, None, -1))

    def __init__(self, shape: tuple[int, ...], order: str = "bgr") -> None:
        self.shape = shape
        self.order = order

    def __getitem__(self, key):
        if key == self._FLIP:
            return NoPixels(self.shape, "rgb" if self.order == "bgr" else "bgr")
        raise ReplayMismatch(f"pixel-free replay: the engine indexed the frame with {key!r}")

    def __array__(self, *args, **kwargs):
        raise ReplayMismatch("pixel-free replay: the engine read the frame's pixels")

    def __getattr__(self, name: str):
        raise ReplayMismatch(f"pixel-free replay: the engine used the frame's {name!r}")


def frame_digest(rgb: np.ndarray) -> bytes:
    """A guard that the replayed call sees the recorded picture, not proof: hashing whole 1080p frames would
    cost more than a fifth of an inference."""
    return hashlib.blake2b(np.ascontiguousarray(rgb[::_DIGEST_STRIDE, ::_DIGEST_STRIDE]).tobytes(),
                           digest_size=8).digest()


def _is_frame(value) -> bool:
    return isinstance(value, NoPixels) or (isinstance(value, np.ndarray) and value.ndim == 3)


def _encode(value, frames: list):
    """Arguments as JSON-able data; frames become their shape (and are collected in `frames` for digests)."""
    if _is_frame(value):
        frames.append(value)
        return {"frame": [int(v) for v in value.shape]}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)):
        return [_encode(v, frames) for v in value]
    if isinstance(value, np.ndarray):
        return {"array": value.tolist()}
    if dataclasses.is_dataclass(value):
        return {"type": type(value).__name__,
                **{f.name: _encode(getattr(value, f.name), frames) for f in dataclasses.fields(value)}}
    raise TypeError(f"pose cache cannot record an argument of type {type(value).__name__}")


def call_key(method: str, args: tuple, kwargs: dict) -> tuple[str, list]:
    """(JSON of the method and its arguments, the frames among them)."""
    frames: list = []
    named = {k: _encode(v, frames) for k, v in sorted(kwargs.items())}
    encoded = json.dumps([method, _encode(list(args), frames), named])
    return encoded, frames


@dataclass(frozen=True)
class PoseCall:
    key: str  # JSON: method name, arguments (frames as their shapes)
    digests: tuple[bytes, ...]  # one per frame argument
    kind: int  # _NONE, _ONE or _LIST
    samples: tuple[PoseSample, ...]

    def result(self):
        if self.kind == _LIST:
            return list(self.samples)
        return self.samples[0] if self.kind == _ONE else None


def _as_call(key: str, frames: list, result) -> PoseCall:
    if result is None:
        kind, samples = _NONE, ()
    elif isinstance(result, PoseSample):
        kind, samples = _ONE, (result,)
    elif isinstance(result, list) and all(isinstance(s, PoseSample) for s in result):
        kind, samples = _LIST, tuple(result)
    else:
        raise TypeError(f"pose cache cannot record a result of type {type(result).__name__}")
    return PoseCall(key, tuple(frame_digest(f) for f in frames), kind, samples)


def _public_methods(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_") and callable(getattr(cls, name))} - _NOT_RECORDED


@dataclass
class Recording:
    calls: list[PoseCall]
    frames: list[tuple[float, int, tuple[int, ...]]]  # the source's (t_s, index, shape), in order
    fps: float
    spliced_at: int | None


class RecordingEstimator:
    """Every public method of a real estimator, passed through; each call and its result kept in `calls`."""

    def __init__(self, inner: PoseEstimator) -> None:
        self.inner = inner
        self.calls: list[PoseCall] = []
        self._methods = _public_methods(type(inner))

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in self._methods:
            raise AttributeError(name)
        method = getattr(self.inner, name)

        def recorded(*args, **kwargs):
            key, frames = call_key(name, args, kwargs)
            result = method(*args, **kwargs)
            self.calls.append(_as_call(key, frames, result))
            return result

        return recorded

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> RecordingEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ReplayEstimator:
    """PoseEstimator's public methods: recorded results while the calls match the recording, then real inference.

    `make_estimator` builds the real PoseEstimator, only when first needed (a full replay never loads
    MediaPipe). Without it the replay is pixel-free: frame digests are not checked (there are no pixels) and a
    mismatch raises ReplayMismatch. `calls` is this run's calls in order, replayed or inferred."""

    def __init__(self, recorded: list[PoseCall], make_estimator: Callable[[], PoseEstimator] | None,
                 spliced_at: int | None = None, estimator_class: type = PoseEstimator) -> None:
        self._recorded = recorded
        self._make_estimator = make_estimator
        self._recording_spliced_at = spliced_at
        self._methods = _public_methods(estimator_class)
        self._real: RecordingEstimator | None = None
        self._replayed_calls: list[PoseCall] = []
        self.replayed = 0
        self.inferred = 0

    @property
    def calls(self) -> list[PoseCall]:
        return self._replayed_calls + (self._real.calls if self._real is not None else [])

    @property
    def spliced_at(self) -> int | None:
        """Index of the first call inferred after replayed ones (tracking restarted there); None if clean."""
        earlier = self._recording_spliced_at  # the replayed part may itself contain a splice
        if self._real is None or (earlier is not None and earlier < self.replayed):
            return earlier
        return self.replayed if self.replayed else None

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in self._methods:
            raise AttributeError(name)
        return functools.partial(self._call, name)

    def _call(self, name: str, *args, **kwargs):
        key, frames = call_key(name, args, kwargs)
        pixel_free = self._make_estimator is None
        if pixel_free and any(getattr(f, "order", None) != "rgb" for f in frames):
            raise ReplayMismatch(f"pixel-free replay: {name} was not given the frame's RGB view")
        if self._real is None and self.replayed < len(self._recorded):
            call = self._recorded[self.replayed]
            if call.key == key and (pixel_free or call.digests == tuple(frame_digest(f) for f in frames)):
                self._replayed_calls.append(call)
                self.replayed += 1
                return call.result()
        if pixel_free:
            raise ReplayMismatch(f"call {self.replayed} ({key[:120]}) is not the recorded one")
        if self._real is None:  # the first mismatch: from here on, every call is inferred
            self._real = RecordingEstimator(self._make_estimator())
        self.inferred += 1
        return getattr(self._real, name)(*args, **kwargs)

    def close(self) -> None:
        if self._real is not None:
            self._real.close()

    def __enter__(self) -> ReplayEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FrameLog:
    """A FrameSource that passes another's frames through and notes each one's (t_s, index, shape)."""

    def __init__(self, source: FrameSource) -> None:
        self.source = source
        self.description, self.fps = source.description, source.fps
        self.frame_count, self.is_live = source.frame_count, source.is_live
        self.frames: list[tuple[float, int, tuple[int, ...]]] = []
        self.finished = False  # read to the end: only a whole timeline is worth saving

    def read(self) -> Frame | None:
        frame = self.source.read()
        if frame is None:
            self.finished = True
        else:
            self.frames.append((frame.t_s, frame.index, tuple(frame.bgr.shape)))
        return frame

    def close(self) -> None:
        self.source.close()


class ReplayedFrames:
    """A FrameSource of a recorded timeline whose frames carry NoPixels."""

    is_live = False

    def __init__(self, recording: Recording, description: str) -> None:
        self.description = description
        self.fps = recording.fps
        self.frame_count = len(recording.frames)
        self._frames = iter(recording.frames)

    def read(self) -> Frame | None:
        entry = next(self._frames, None)
        if entry is None:
            return None
        t_s, index, shape = entry
        return Frame(bgr=NoPixels(shape), t_s=t_s, index=index)  # type: ignore[arg-type]

    def close(self) -> None:
        pass


class PoseCache:
    """Recordings on disk, one file per clip × transform, under a fingerprint of everything they depend on."""

    def __init__(self, root: pathlib.Path = DEFAULT_CACHE_DIR, model_path: pathlib.Path = DEFAULT_MODEL_PATH,
                 min_confidence: float = 0.5, refresh: bool = False, fingerprint: str | None = None) -> None:
        """`fingerprint` reuses another folder's recordings, for a change you know leaves the landmarks alone
        (the calls are still matched, and `decode=True` still checks every frame's digest)."""
        self.model_path = pathlib.Path(model_path)
        self.min_confidence = min_confidence
        self.refresh = refresh
        self.key = {**_environment_fingerprint(self.model_path), "min_confidence": min_confidence}
        self.fingerprint = fingerprint or hashlib.sha256(json.dumps(self.key, sort_keys=True).encode()).hexdigest()[:16]
        self.root = pathlib.Path(root)
        self.dir = self.root / self.fingerprint

    def other_folders(self) -> dict[str, int]:
        """Recordings under other fingerprints (older code or model): folder name -> number of files."""
        if not self.root.is_dir():
            return {}
        return {d.name: len(list(d.glob("*.npz"))) for d in sorted(self.root.iterdir())
                if d.is_dir() and d != self.dir}

    def path_for(self, video: pathlib.Path, transform: str) -> pathlib.Path:
        video = pathlib.Path(video)
        return self.dir / f"{video.stem}.{video.stat().st_size}.{transform}.npz"

    def read(self, video: pathlib.Path, transform: str) -> Recording | None:
        path = self.path_for(video, transform)
        return None if self.refresh or not path.is_file() else read_recording(path)

    @contextlib.contextmanager
    def session(self, video: pathlib.Path, transform: str,
                decode: bool = False) -> Iterator[tuple[FrameSource, ReplayEstimator]]:
        """A frame source and an estimator for one run of the engine over `video` seen through `transform`.

        Pixel-free replay when a recording exists and `decode` is False (may raise ReplayMismatch); otherwise
        the real frames, replayed where they match and inferred from the first mismatch on, saved when the
        block ends without an exception after reading the whole source."""
        recording = self.read(video, transform)
        if recording is not None and not decode:
            replay = ReplayEstimator(recording.calls, None, recording.spliced_at)
            yield ReplayedFrames(recording, f"replay:{pathlib.Path(video).name}+{transform}"), replay
            return
        source = FrameLog(TransformedSource(VideoFileSource(video), transform))
        replay = ReplayEstimator(recording.calls if recording else [],
                                 lambda: PoseEstimator(self.model_path, self.min_confidence),
                                 recording.spliced_at if recording else None)
        try:
            yield source, replay
            if source.finished and (replay.inferred or recording is None or recording.frames != source.frames):
                self._save(video, transform, Recording(replay.calls, source.frames, source.fps, replay.spliced_at))
        finally:
            replay.close()
            source.close()

    def _save(self, video: pathlib.Path, transform: str, recording: Recording) -> pathlib.Path:
        path = self.path_for(video, transform)
        meta = {"format": FORMAT_VERSION, "clip": pathlib.Path(video).name, "transform": transform,
                "fps": recording.fps, "spliced_at": recording.spliced_at, **self.key}
        write_recording(path, recording, meta)
        return path


def _app_sources(rel: str, seen: set[str]) -> None:
    """`rel` and, transitively, every app module it imports (relative paths, into `seen`)."""
    if rel in seen or rel in NOT_FINGERPRINTED or not (ROOT / rel).is_file():
        return
    seen.add(rel)
    for node in ast.walk(ast.parse((ROOT / rel).read_text())):
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
        names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
        for name in names:
            if name == "app" or name.startswith("app."):
                path = name.replace(".", "/")
                _app_sources(f"{path}.py" if (ROOT / f"{path}.py").is_file() else f"{path}/__init__.py", seen)


def _code_only(path: pathlib.Path) -> str:
    """The module's syntax tree without docstrings (the parser drops comments): editing prose keeps the
    recordings."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


@functools.lru_cache(maxsize=None)
def _environment_fingerprint(model_path: pathlib.Path) -> dict:
    import cv2

    sources: set[str] = set()
    for rel in FINGERPRINTED_MODULES:
        _app_sources(rel, sources)
    code = hashlib.sha256()
    for rel in sorted(sources):
        code.update(rel.encode() + b"\0" + _code_only(ROOT / rel).encode())
    return {"model_sha256": hashlib.sha256(pathlib.Path(model_path).read_bytes()).hexdigest(),
            "mediapipe": importlib.metadata.version("mediapipe"),
            "opencv": cv2.__version__,  # decoding: a pixel-free replay cannot see a decoder change
            "code_sha256": code.hexdigest(), "code_files": sorted(sources)}


_environment_fingerprint(DEFAULT_MODEL_PATH)  # now, beside the imports above: the code this process runs


def write_recording(path: pathlib.Path, recording: Recording, meta: dict) -> None:
    """Plain arrays in an .npz (no pickle), written to a temporary file and renamed, so readers never see
    half a file."""
    calls = recording.calls
    samples = [s for c in calls for s in c.samples]
    nan_world = np.full((N_LANDMARKS, 3), np.nan)
    arrays = {
        "meta": np.array(json.dumps(meta)),
        "key": np.array([c.key for c in calls], dtype=str),
        "n_digests": np.array([len(c.digests) for c in calls], dtype=np.int16),
        "digests": np.frombuffer(b"".join(d for c in calls for d in c.digests), dtype=np.uint8).reshape(-1, 8),
        "kind": np.array([c.kind for c in calls], dtype=np.int8),
        "n_samples": np.array([len(c.samples) for c in calls], dtype=np.int16),
        "s_t_s": np.array([s.t_s for s in samples], dtype=np.float64),
        "s_xy_px": np.array([s.xy_px for s in samples], dtype=np.float64).reshape(-1, N_LANDMARKS, 2),
        "s_visibility": np.array([s.visibility for s in samples], dtype=np.float64).reshape(-1, N_LANDMARKS),
        "s_world_m": np.array([nan_world if s.world_m is None else s.world_m for s in samples],
                              dtype=np.float64).reshape(-1, N_LANDMARKS, 3),
        "s_has_world": np.array([s.world_m is not None for s in samples], dtype=bool),
        "s_image_size": np.array([s.image_size for s in samples], dtype=np.int32).reshape(-1, 2),
        "f_t_s": np.array([f[0] for f in recording.frames], dtype=np.float64),
        "f_index": np.array([f[1] for f in recording.frames], dtype=np.int64),
        "f_shape": np.array([f[2] for f in recording.frames], dtype=np.int32).reshape(len(recording.frames), -1),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(buffer.getvalue())
    os.replace(tmp, path)


def read_recording(path: pathlib.Path) -> Recording | None:
    """The recording in `path`, or None if it was written in another format."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        if meta.get("format") != FORMAT_VERSION:
            return None
        samples = [PoseSample(t_s=float(t), xy_px=xy, visibility=vis, world_m=world if has else None,
                              image_size=(int(size[0]), int(size[1])))
                   for t, xy, vis, world, has, size in zip(data["s_t_s"], data["s_xy_px"], data["s_visibility"],
                                                           data["s_world_m"], data["s_has_world"],
                                                           data["s_image_size"])]
        digests = [d.tobytes() for d in data["digests"]]
        calls, next_sample, next_digest = [], 0, 0
        for key, n_digests, kind, n in zip(data["key"], data["n_digests"], data["kind"], data["n_samples"]):
            calls.append(PoseCall(str(key), tuple(digests[next_digest:next_digest + n_digests]), int(kind),
                                  tuple(samples[next_sample:next_sample + n])))
            next_sample += n
            next_digest += n_digests
        frames = [(float(t), int(i), tuple(int(v) for v in shape))
                  for t, i, shape in zip(data["f_t_s"], data["f_index"], data["f_shape"])]
    return Recording(calls, frames, float(meta["fps"]), meta.get("spliced_at"))
