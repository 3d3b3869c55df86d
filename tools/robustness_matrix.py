"""Rep counts of every scored clip as other cameras would film it: the clip × camera-transform matrix.

    .venv/bin/python tools/robustness_matrix.py                       # everything, pose cache on
    .venv/bin/python tools/robustness_matrix.py --clips vincent,cornell --transforms none,mirror,rot90
    .venv/bin/python tools/robustness_matrix.py --no-cache --workers 2 --json out/robustness.json

Each cell runs the real engine (FrameAnalyzer: people search, tracker, exercise, rep counter) on the clip seen
through one transform of app/adapters/camera_transforms.py, and scores the count against the label's accepted range
(reps_min..reps_max, as `medius evaluate` does): `=` within it, `~` one off, `X` further.

With the cache (default) MediaPipe's results come from out/pose_cache (tools/pose_cache.py): the first run
records them (as slow as --no-cache), later runs replay them without decoding a frame, so a change to the
tracker, the exercises or the rep counter is re-scored in seconds. If the engine's calls to the estimator no
longer match a recording, that clip is decoded again and inferred from the first mismatch on.

The loop over frames is app.pipeline.analysis.collect, the same as analyze_video's; only the source and the estimator
(the cache's) are this tool's own. tests/engine/test_robustness.py checks that the results agree.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import pathlib
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from app.pipeline.analysis import AnalysisResult, FrameAnalyzer, collect  # noqa: E402
from app.adapters.camera_transforms import TRANSFORMS, TransformedSource  # noqa: E402
from app.evaluation import faults as fault_evaluation  # noqa: E402
from app.evaluation.counts import PEAK_TOLERANCE_S, ClipScore, load_labels  # noqa: E402
from app.engine.events import Exercise, Fault  # noqa: E402
from app.adapters.frame_source import FrameSource, VideoFileSource  # noqa: E402
from app.adapters.pose_estimator import PoseEstimator  # noqa: E402

DEFAULT_VIDEOS = ROOT.parent / "shared" / "videos"
MARKS = {0: "=", 1: "~"}  # distance from the accepted range; anything further is "X"


@dataclass
class Cell:
    file: str
    transform: str
    score: ClipScore
    frames: int
    frames_with_pose: int
    camera_cuts: int
    status_share: dict[str, float]  # share of the clip's time spent in each tracker status
    first_tracking_s: float | None
    seconds: float
    cache: str  # "off", "recorded", "replayed", with "spliced at call N" where tracking restarted
    analysis: dict = field(default_factory=dict)  # AnalysisResult.to_json(), for --json

    @property
    def mark(self) -> str:
        return MARKS.get(self.score.miss, "X")


def analyse(source: FrameSource, analyzer: FrameAnalyzer, video: pathlib.Path, exercise: str) -> AnalysisResult:
    """analyze_video's loop (app.pipeline.analysis.collect) over an already opened source and analyzer."""
    result = AnalysisResult(video=str(video), exercise=Exercise(exercise).value, side=None, fps=source.fps)
    return collect(iter(source.read, None), analyzer, result, source.fps)


def _run_uncached(video: pathlib.Path, exercise: str, transform: str) -> tuple[AnalysisResult, str]:
    source = TransformedSource(VideoFileSource(video), transform)
    try:
        with PoseEstimator() as estimator:
            return analyse(source, FrameAnalyzer(exercise, estimator=estimator), video, exercise), "off"
    finally:
        source.close()


def _run_cached(video: pathlib.Path, exercise: str, transform: str, refresh: bool,
                fingerprint: str | None) -> tuple[AnalysisResult, str]:
    from pose_cache import PoseCache, ReplayMismatch

    cache = PoseCache(refresh=refresh, fingerprint=fingerprint)
    for decode in (False, True):  # pixel-free replay first; decode and infer only if the recording no longer fits
        try:
            with cache.session(video, transform, decode=decode) as (source, estimator):
                result = analyse(source, FrameAnalyzer(exercise, estimator=estimator), video, exercise)
        except ReplayMismatch:
            continue
        spliced = estimator.spliced_at
        if estimator.inferred == 0:
            state = "replayed" + (f" (recording spliced at call {spliced})" if spliced is not None else "")
        else:
            state = "recorded" + (f", spliced at call {spliced}" if spliced is not None else "")
        return result, state
    raise AssertionError("a decoding session never raises ReplayMismatch")


_parent_pid: int | None = None


def _watch_parent(pid: int) -> None:
    global _parent_pid
    _parent_pid = pid


def run_cell(job: tuple[pathlib.Path, dict, str, bool, bool, str | None]) -> Cell:
    if _parent_pid is not None and os.getppid() != _parent_pid:
        # The matrix was killed (a timeout, Ctrl-C): do not run its queued cells for minutes as an orphan.
        raise SystemExit(1)
    videos_dir, clip, transform, use_cache, refresh, fingerprint = job
    video = videos_dir / clip["file"]
    t0 = time.perf_counter()
    if use_cache:
        result, cache_state = _run_cached(video, clip["exercise_id"], transform, refresh, fingerprint)
    else:
        result, cache_state = _run_uncached(video, clip["exercise_id"], transform)
    seconds = time.perf_counter() - t0
    peaks = tuple(r.t_peak_s for r in result.reps)
    matched = sum(1 for p in peaks if any(abs(p - lab) <= PEAK_TOLERANCE_S for lab in clip["rep_times_s"]))
    score = ClipScore(file=clip["file"], exercise=clip["exercise_id"], expected=clip["reps"],
                      expected_min=clip.get("reps_min", clip["reps"]), expected_max=clip.get("reps_max", clip["reps"]),
                      counted=len(peaks), peaks_matched=matched, peaks_s=peaks, seconds=seconds)
    shares, first_tracking = status_shares(result)
    return Cell(clip["file"], transform, score, result.frames, result.frames_with_pose, result.camera_cuts,
                shares, first_tracking, seconds, cache_state, result.to_json())


def status_shares(result: AnalysisResult) -> tuple[dict[str, float], float | None]:
    """How long the tracker spent in each status, as shares of the clip; and when it first counted."""
    spans: Counter[str] = Counter()
    changes = [(s.t_s, s.status.value) for s in result.statuses]
    for (t, status), (t_next, _) in zip(changes, changes[1:] + [(result.duration_s, "")]):
        spans[status] += max(0.0, t_next - t)
    total = result.duration_s or 1.0
    first_tracking = next((t for t, status in changes if status == "tracking"), None)
    return {k: round(v / total, 3) for k, v in spans.most_common()}, first_tracking


def engine_state() -> str:
    """A hash of every app/ source file: which engine a matrix was scored with (the tree changes often)."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((ROOT / "app").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


FAULT_LABELS = ROOT / "tests" / "data" / "fault_labels.json"


def short_name(file: str) -> str:
    return file.removesuffix(".mp4").removesuffix("_1")


def format_matrix(cells: list[Cell], clips: list[dict], transforms: list[str]) -> str:
    by_key = {(c.file, c.transform): c for c in cells}
    name_w = max(len(short_name(c["file"])) for c in clips)
    col_w = max(6, *(len(t) for t in transforms))
    header = f"{'clip':<{name_w}}  {'label':>5}  " + " ".join(f"{t:>{col_w}}" for t in transforms)
    lines = [header, "-" * len(header)]
    for clip in clips:
        lo, hi = clip.get("reps_min", clip["reps"]), clip.get("reps_max", clip["reps"])
        label = f"{lo}-{hi}" if lo != hi else str(lo)
        row = []
        for t in transforms:
            cell = by_key.get((clip["file"], t))
            row.append(f"{cell.score.counted}{cell.mark}" if cell else "-")
        lines.append(f"{short_name(clip['file']):<{name_w}}  {label:>5}  " + " ".join(f"{r:>{col_w}}" for r in row))
    lines.append("-" * len(header))
    for title, ok in (("exact", lambda c: c.score.miss == 0), ("within ±1", lambda c: c.score.miss <= 1)):
        shares = []
        for t in transforms:
            column = [c for c in cells if c.transform == t]
            shares.append(f"{sum(map(ok, column)) / len(column):.0%}" if column else "-")
        lines.append(f"{title:<{name_w}}  {'':>5}  " + " ".join(f"{s:>{col_w}}" for s in shares))
    lines.append("marks: = within the label's accepted range, ~ one off, X two or more off")
    return "\n".join(lines)


def format_totals(cells: list[Cell]) -> str:
    lines = []
    for title, group in (("transformed (all but none)", [c for c in cells if c.transform != "none"]),
                         ("all cells", cells)):
        if group:
            exact = sum(c.score.miss == 0 for c in group)
            within = sum(c.score.miss <= 1 for c in group)
            lines.append(f"{title}: {len(group)} cells, exact {exact} ({exact / len(group):.0%}), "
                         f"within ±1 {within} ({within / len(group):.0%})")
    return "\n".join(lines)


def format_failures(cells: list[Cell]) -> str:
    """One line per cell outside the accepted range, with what the tracker reported (for a first diagnosis)."""
    lines = []
    for c in sorted(cells, key=lambda c: (c.file, list(TRANSFORMS).index(c.transform))):
        if c.score.miss == 0:
            continue
        statuses = ", ".join(f"{k} {v:.0%}" for k, v in c.status_share.items())
        first = f"{c.first_tracking_s:.1f} s" if c.first_tracking_s is not None else "never"
        lines.append(f"{short_name(c.file)} × {c.transform}: counted {c.score.counted}, accepted "
                     f"{c.score.expected_min}-{c.score.expected_max}; pose {c.frames_with_pose}/{c.frames}, "
                     f"cuts {c.camera_cuts}, peaks ±1 s {c.score.peaks_matched}/{c.score.counted}, "
                     f"first tracking {first}; statuses: {statuses}")
    return "\n".join(lines) if lines else "none"


def _fault_order(code: str) -> tuple[int, str]:
    """The built-in faults in their usual order, then those only exercise files declare (hip_hike, ...)."""
    known = [f.value for f in Fault]
    return (known.index(code), code) if code in known else (len(known), code)


def format_fault_matrix(cells: list[Cell], label_set: fault_evaluation.LabelSet, transforms: list[str]) -> str:
    """Per transform and fault code, the labelled reps as another camera would film them: faults found of those
    labelled present, warnings on reps labelled clean, and reps not judged (or not counted) from that view."""
    by_transform: dict[str, fault_evaluation.FaultReport] = {}
    for t in transforms:
        clips = {c.file: fault_evaluation.clip_faults_from_json(c.analysis) for c in cells if c.transform == t}
        by_transform[t] = fault_evaluation.score(clips, label_set)
    codes = sorted({s.label.code for r in by_transform.values() for s in r.scored},
                   key=_fault_order)
    if not codes:
        return "no fault labels for these clips"
    col_w = max(10, *(len(t) for t in transforms))
    code_w = max(len(c) for c in codes) + 8
    lines = [f"{'fault':<{code_w}} " + " ".join(f"{t:>{col_w}}" for t in transforms), ""]
    for code in codes:
        rows = {"found": [], "warned clean": [], "not judged": []}
        for t in transforms:
            n = by_transform[t].by_code().get(code, fault_evaluation.FaultCounts())
            rows["found"].append(f"{n.tp}/{n.tp + n.fn + n.not_judged_present}")
            rows["warned clean"].append(f"{n.fp}/{n.fp + n.tn + n.not_judged_clean}")
            rows["not judged"].append(f"{n.not_judged + n.no_rep}")
        for name, values in rows.items():
            lines.append(f"{code + ' ' + name if name == 'found' else '  ' + name:<{code_w}} "
                         + " ".join(f"{v:>{col_w}}" for v in values))
    total_fp = sum(r.by_code()[c].fp for r in by_transform.values() for c in r.by_code())
    total_tp = sum(r.by_code()[c].tp for r in by_transform.values() for c in r.by_code())
    total_pos = sum(n.tp + n.fn + n.not_judged_present for r in by_transform.values() for n in r.by_code().values())
    total_clean = sum(n.fp + n.tn + n.not_judged_clean for r in by_transform.values() for n in r.by_code().values())
    lines.append(f"all transforms: faults found {total_tp}/{total_pos} labelled present, "
                 f"warnings on {total_fp}/{total_clean} labelled-clean reps "
                 "(found: warned / labelled present; warned clean: warned / labelled clean; "
                 "not judged: labels on reps not judged from that view or not counted)")
    return "\n".join(lines)


def pick(all_names: list[str], wanted: str | None, what: str) -> list[str]:
    """Names from a comma-separated list; a clip may be given by any unique part of its file name."""
    if not wanted:
        return all_names
    chosen = []
    for part in (p.strip() for p in wanted.split(",") if p.strip()):
        hits = [n for n in all_names if n == part] or [n for n in all_names if part in n]
        if len(hits) != 1:
            raise SystemExit(f"{what} {part!r} matches {len(hits)} of: {', '.join(all_names)}")
        chosen.append(hits[0])
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=pathlib.Path, default=DEFAULT_VIDEOS)
    parser.add_argument("--clips", help="comma-separated clip names (any unique part of the file name)")
    parser.add_argument("--transforms", help=f"comma-separated, from: {', '.join(TRANSFORMS)} (default: all)")
    parser.add_argument("--cache", action=argparse.BooleanOptionalAction, default=True,
                        help="record MediaPipe's results in out/pose_cache and replay them (default: on)")
    parser.add_argument("--refresh", action="store_true", help="re-record every cell's cache entry")
    parser.add_argument("--cache-fingerprint", metavar="HEX",
                        help="replay the recordings of out/pose_cache/HEX although the estimator's code changed "
                             "(only for changes that leave the landmarks alone)")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes (2 at most is useful on two cores; default 1)")
    parser.add_argument("--json", type=pathlib.Path, metavar="OUT", help="also write every cell as JSON")
    args = parser.parse_args(argv)

    clips = load_labels(args.videos)
    clips = [c for name in pick([c["file"] for c in clips], args.clips, "clip") for c in clips if c["file"] == name]
    transforms = pick(list(TRANSFORMS), args.transforms, "transform")
    # Longest first, so that with two workers the last job to finish is a short one.
    jobs = sorted(((args.videos, c, t, args.cache, args.refresh, args.cache_fingerprint)
                   for c in clips for t in transforms),
                  key=lambda j: -j[1]["frames"])
    engine = engine_state()  # before the workers import the engine
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    t0 = time.perf_counter()
    cells = []
    if args.workers > 1:
        # spawn: a forked child would inherit the parent's OpenCV/MediaPipe threads in an unknown state.
        with multiprocessing.get_context("spawn").Pool(args.workers, _watch_parent, (os.getpid(),)) as pool:
            for cell in pool.imap_unordered(run_cell, jobs):
                cells.append(cell)
                _progress(cell, len(cells), len(jobs))
    else:
        for job in jobs:
            cells.append(run_cell(job))
            _progress(cells[-1], len(cells), len(jobs))
    wall = time.perf_counter() - t0

    print(f"engine: app/ sha256 {engine}, started {started}")
    print(format_matrix(cells, clips, transforms))
    print(format_totals(cells))
    print(f"wall time {wall:.1f} s for {len(cells)} cells "
          f"({sum(c.frames for c in cells)} frames; cache {'on' if args.cache else 'off'}, workers {args.workers})")
    print("\noutside the accepted range:")
    print(format_failures(cells))
    print("\nform faults on the labelled reps (tests/data/fault_labels.json and labels.json):")
    print(format_fault_matrix(cells, fault_evaluation.load_labels(clips, FAULT_LABELS), transforms))
    if args.cache:
        print("\n" + cache_note(args.cache_fingerprint, cells))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"engine_sha256": engine, "started": started, "wall_s": wall, "transforms": transforms,
                   "clips": [c["file"] for c in clips],
                   "cells": [asdict(c) | {"mark": c.mark, "exact": c.score.exact} for c in cells]}
        args.json.write_text(json.dumps(payload, indent=1))
    return 0


def cache_note(fingerprint: str | None, cells: list[Cell]) -> str:
    from pose_cache import PoseCache

    cache = PoseCache(fingerprint=fingerprint)
    inferred = sum(not c.cache.startswith("replayed") for c in cells)
    note = f"pose cache: {cache.dir.relative_to(ROOT)} ({inferred} of {len(cells)} cells needed inference)"
    others = cache.other_folders()
    if inferred and others:
        note += ("; recordings for other estimator code: "
                 + ", ".join(f"{name} ({n} files)" for name, n in others.items())
                 + ". If your change leaves the landmarks alone, --cache-fingerprint NAME replays them.")
    return note


def _progress(cell: Cell, done: int, total: int) -> None:
    print(f"[{done}/{total}] {short_name(cell.file)} × {cell.transform}: {cell.score.counted}{cell.mark} "
          f"({cell.seconds:.1f} s, cache {cell.cache})", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
