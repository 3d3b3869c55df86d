"""Accuracy of the counter on the hand-labelled clips (shared/videos/labels.json).

For each clip of our three exercises: expected vs counted reps, and whether every counted rep's peak lies within
±1 s of a labelled peak (a count that is right by accident, e.g. one rep during set-up and one missed, fails
that check). Totals: exact-count rate (within the label's accepted range), off-by-one rate, mean relative error
|counted − true| / true, and the share of counted peaks that match a labelled one.

The per-rep fault scoring on the same analyses is in `app.evaluation.faults`; `evaluate_runs` keeps each clip's
analysis so both can be scored from one pass over the videos.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Callable
from dataclasses import dataclass

from app.engine.library import Exercise
from app.pipeline.analysis import AnalysisResult, analyze_video

PEAK_TOLERANCE_S = 1.0


@dataclass(frozen=True)
class ClipScore:
    file: str
    exercise: str
    expected: int
    expected_min: int
    expected_max: int
    counted: int
    peaks_matched: int  # counted peaks within PEAK_TOLERANCE_S of a labelled peak
    peaks_s: tuple[float, ...]
    seconds: float  # wall time of the analysis
    picture_share: float = 1.0  # measured frames whose rep signal came from the picture (rest: world landmarks)
    camera_cuts: int = 0
    status_changes: int = 0
    prompt_min_gap_s: float = float("inf")  # shortest time between two status prompts shown

    @property
    def exact(self) -> bool:
        return self.expected_min <= self.counted <= self.expected_max

    @property
    def miss(self) -> int:
        """Distance from the accepted range (0 when exact)."""
        return max(self.expected_min - self.counted, self.counted - self.expected_max, 0)

    @property
    def relative_error(self) -> float:
        return abs(self.counted - self.expected) / self.expected


def load_labels(videos_dir: pathlib.Path) -> list[dict]:
    return scored(json.loads((videos_dir / "labels.json").read_text()))


def scored(labels: list[dict]) -> list[dict]:
    """The clips to score: those labelled with an exercise, and those of a planned exercise (`planned_exercise_id`)
    once it is in the exercise library — then the clip is scored under that id, as labels.json asks."""
    out = []
    for clip in labels:
        planned = clip.get("planned_exercise_id")
        if not clip.get("exercise_id") and planned and planned in Exercise:
            clip = {**clip, "exercise_id": planned}
        if clip.get("exercise_id"):
            out.append(clip)
    return out


@dataclass(frozen=True)
class ClipRun:
    """One clip's count score together with the analysis it came from (for the fault scoring)."""

    score: ClipScore
    result: AnalysisResult


def score_result(clip: dict, result: AnalysisResult, seconds: float = 0.0) -> ClipScore:
    peaks = tuple(r.t_peak_s for r in result.reps)
    labelled = clip["rep_times_s"]
    matched = sum(1 for p in peaks if any(abs(p - lab) <= PEAK_TOLERANCE_S for lab in labelled))
    return ClipScore(file=clip["file"], exercise=clip["exercise_id"], expected=clip["reps"],
                     expected_min=clip.get("reps_min", clip["reps"]), expected_max=clip.get("reps_max", clip["reps"]),
                     counted=len(peaks), peaks_matched=matched, peaks_s=peaks, seconds=seconds,
                     picture_share=result.frames_from_picture / result.frames_measured if result.frames_measured else 1.0,
                     camera_cuts=result.camera_cuts, status_changes=len(result.statuses),
                     prompt_min_gap_s=min((b.t_s - a.t_s for a, b in zip(result.statuses, result.statuses[1:])),
                                          default=float("inf")))


def run_clip(videos_dir: pathlib.Path, clip: dict, frame_step: int = 1) -> ClipRun:
    import time

    t0 = time.perf_counter()
    result = analyze_video(videos_dir / clip["file"], clip["exercise_id"], frame_step=frame_step)
    return ClipRun(score=score_result(clip, result, time.perf_counter() - t0), result=result)


def score_clip(videos_dir: pathlib.Path, clip: dict, frame_step: int = 1) -> ClipScore:
    return run_clip(videos_dir, clip, frame_step).score


def evaluate_runs(videos_dir: pathlib.Path, frame_step: int = 1,
                  on_clip: Callable[[ClipScore], None] | None = None) -> list[ClipRun]:
    runs = []
    for clip in load_labels(videos_dir):
        run = run_clip(videos_dir, clip, frame_step)
        runs.append(run)
        if on_clip:
            on_clip(run.score)
    return runs


def evaluate(videos_dir: pathlib.Path, frame_step: int = 1,
             on_clip: Callable[[ClipScore], None] | None = None) -> list[ClipScore]:
    return [run.score for run in evaluate_runs(videos_dir, frame_step, on_clip)]


def totals(scores: list[ClipScore]) -> dict[str, float]:
    n = len(scores) or 1
    counted_peaks = sum(s.counted for s in scores)
    return {
        "clips": len(scores),
        "exact_rate": sum(s.exact for s in scores) / n,
        "off_by_one_rate": sum(s.miss == 1 for s in scores) / n,
        "within_one_rate": sum(s.miss <= 1 for s in scores) / n,
        "mean_relative_error": sum(s.relative_error for s in scores) / n,
        "peaks_matched": sum(s.peaks_matched for s in scores),
        "peaks_counted": counted_peaks,
    }


def format_row(s: ClipScore) -> str:
    accepted = f"{s.expected_min}-{s.expected_max}" if s.expected_min != s.expected_max else f"{s.expected}"
    verdict = "exact" if s.exact else f"off by {s.miss}"
    return (f"{s.file:<52} {s.exercise:<21} expected {accepted:>4}  counted {s.counted:>2}  {verdict:<9}"
            f" peaks ±1s {s.peaks_matched}/{s.counted}  signal from picture {s.picture_share:.0%}"
            f"  cuts {s.camera_cuts}  prompts {s.status_changes}  ({s.seconds:.1f} s)")


def format_totals(t: dict[str, float]) -> str:
    return (f"{t['clips']} clips: exact {t['exact_rate']:.0%}, off by one {t['off_by_one_rate']:.0%}, "
            f"within ±1 {t['within_one_rate']:.0%}, mean relative error {t['mean_relative_error']:.3f}, "
            f"counted peaks within ±1 s of a labelled peak {t['peaks_matched']}/{t['peaks_counted']}")
