"""Accuracy of the form-fault warnings, per rep, on the labelled clips.

Labels come from two places: the project's own per-rep labels (tests/data/fault_labels.json, read from frame
sheets, see tests/data/README.md) and the `faults` lists of the shared labels (shared/videos/labels.json), whose
free-text `kind` is mapped onto Fault codes by `KIND_KEYWORDS`. Only codes that the clip's exercise checks (its
`fault_limits`) are scored.

Each label is matched to the counted rep whose [t_start_s, t_end_s] contains the label's t_s, or else to the rep
whose peak lies within `PEAK_TOLERANCE_S` of it (the nearest peak wins when several qualify). Then, for the
label's code:

- the rep's `faults` contain the code → **warned**: a true positive (TP) if the label says present, a false
  positive (FP) if it says clean;
- the rep's `unjudged` contains the code → **not judged**: counted apart, neither a warning nor a clean verdict,
  and left out of precision and recall;
- otherwise → **judged clean**: a false negative (FN) if the label says present, a true negative (TN) if clean;
- no counted rep matches → **no rep**: counted apart (a counting miss, not a fault verdict).

Per code (and per video and code):

- precision = TP / (TP + FP): of the warnings given on labelled reps, the share that were right. Undefined
  (None, printed "-") when no labelled rep was warned (TP + FP = 0).
- recall = TP / (TP + FN): of the labelled faults the engine judged, the share it warned about. Undefined (None)
  when there are no judged positive labels (TP + FN = 0), e.g. a code never seen faulty in the clips; positives
  that were not judged are reported as `not_judged_present`, not hidden in recall.
- warnings on reps labelled clean = FP, reported beside the judged clean labels (FP + TN); the target is zero.

Only labelled reps are scored: a warning on a counted rep that carries no label for that code is neither right
nor wrong here (it may be right; nobody looked).
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from app.engine.events import Fault, FormWarning, RepCompleted
from app.engine.exercise_params import default_params

PEAK_TOLERANCE_S = 1.0

# Targets of issue 13: precision and recall for the two side-lying faults; no warning on a rep labelled clean.
TARGET_PRECISION = 0.9
TARGET_RECALL = 0.9
TARGET_CODES = (Fault.LEG_ABOVE_HIP.value, Fault.PELVIS_ROLL_BACK.value)
FEW_POSITIVES = 10  # below this many judged faulty reps a precision/recall target is flagged as untrustworthy

# Free-text fault kinds of the shared labels → Fault codes. A kind mentioning several faults ("pelvic drop /
# trunk lean") yields each of them. Matching is on lower-case substrings; kinds matching nothing are ignored.
KIND_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Fault.LEG_ABOVE_HIP.value, ("above hip", "too high", "leg height", "lifted too high")),
    (Fault.PELVIS_ROLL_BACK.value, ("rolling back", "rolls back", "roll back", "pelvis roll", "pelvic roll",
                                    "trunk roll")),
    (Fault.LEG_FORWARD.value, ("leg forward", "in front of the body", "hip flexion", "drifts forward")),
    (Fault.KNEE_BENT.value, ("knee bent", "bent knee", "bending the knee", "knee bend")),
    (Fault.FEET_APART.value, ("feet apart", "feet separat", "heels apart", "heels separat")),
    (Fault.PELVIC_DROP.value, ("pelvic drop", "pelvis drop", "hip drop", "trendelenburg")),
    (Fault.KNEE_VALGUS.value, ("valgus", "knee cav", "knees cav", "caving in")),
    (Fault.TRUNK_LEAN.value, ("trunk lean", "lateral lean", "side lean", "leans sideways", "lateral shift")),
    ("hip_hike", ("hip hike", "hip hitch", "pelvis appears raised", "pelvis rises")),
)

TP, FP, FN, TN, NOT_JUDGED, NO_REP = "tp", "fp", "fn", "tn", "not_judged", "no_rep"


def codes_for_kind(kind: str) -> tuple[str, ...]:
    text = kind.lower()
    return tuple(code for code, words in KIND_KEYWORDS if any(w in text for w in words))


def checked_codes(exercise: str) -> tuple[str, ...]:
    """The fault codes an exercise's measures can warn about (its limits), without the tempo check."""
    return tuple(default_params(exercise).fault_limits)


@dataclass(frozen=True)
class FaultLabel:
    file: str
    t_s: float
    code: str
    present: bool
    note: str = ""
    source: str = "project"  # "project" (tests/data/fault_labels.json) | "shared" (labels.json faults)


def load_project_labels(path: pathlib.Path) -> list[FaultLabel]:
    """The project's own labels: a JSON list of {file, t_s, code, present, note}. Unknown codes are an error."""
    known = {f.value for f in Fault}
    labels = []
    for i, item in enumerate(json.loads(pathlib.Path(path).read_text())):
        if item["code"] not in known:
            raise ValueError(f"{path}: entry {i} has unknown fault code {item['code']!r}")
        labels.append(FaultLabel(file=item["file"], t_s=float(item["t_s"]), code=item["code"],
                                 present=bool(item["present"]), note=item.get("note", ""), source="project"))
    return labels


def shared_labels(clips: Iterable[Mapping]) -> list[FaultLabel]:
    """Labels from the shared clips' `faults` lists, for scored clips and the codes their exercise checks."""
    labels = []
    for clip in clips:
        if not clip.get("exercise_id"):
            continue
        checked = set(checked_codes(clip["exercise_id"]))
        for f in clip.get("faults") or ():
            for code in codes_for_kind(f["kind"]):
                if code in checked:
                    labels.append(FaultLabel(file=clip["file"], t_s=float(f["t_s"]), code=code,
                                             present=bool(f["present"]), note=f["kind"], source="shared"))
    return labels


@dataclass(frozen=True)
class LabelSet:
    labels: tuple[FaultLabel, ...]
    conflicts: tuple[tuple[FaultLabel, FaultLabel], ...] = ()  # same rep and code, opposite verdicts
    ignored: tuple[FaultLabel, ...] = ()  # clip not scored, or a code its exercise does not check


def merge_labels(clips: Sequence[Mapping], *sources: Iterable[FaultLabel]) -> LabelSet:
    """One label per (file, code, rep): labels of the same file and code within PEAK_TOLERANCE_S of each other
    are one rep's label. Where they agree the first source's is kept; where they disagree both are dropped and
    reported as a conflict (a labelling error to resolve, not something to average)."""
    exercise_of = {c["file"]: c.get("exercise_id") for c in clips}
    kept: list[FaultLabel] = []
    conflicts: list[tuple[FaultLabel, FaultLabel]] = []
    ignored: list[FaultLabel] = []
    dropped: set[int] = set()
    for source in sources:
        for label in source:
            exercise = exercise_of.get(label.file)
            if not exercise or label.code not in checked_codes(exercise):
                ignored.append(label)
                continue
            same = [i for i, k in enumerate(kept) if k.file == label.file and k.code == label.code
                    and abs(k.t_s - label.t_s) <= PEAK_TOLERANCE_S]
            if not same:
                kept.append(label)
                continue
            for i in same:
                if kept[i].present != label.present:
                    conflicts.append((kept[i], label))
                    dropped.add(i)
    return LabelSet(labels=tuple(k for i, k in enumerate(kept) if i not in dropped),
                    conflicts=tuple(conflicts), ignored=tuple(ignored))


def match_rep(reps: Sequence[RepCompleted], t_s: float) -> RepCompleted | None:
    """The counted rep a labelled moment belongs to: one whose span contains it, else one whose peak is within
    PEAK_TOLERANCE_S; the nearest peak among the candidates."""
    containing = [r for r in reps if r.t_start_s <= t_s <= r.t_end_s]
    candidates = containing or [r for r in reps if abs(r.t_peak_s - t_s) <= PEAK_TOLERANCE_S]
    return min(candidates, key=lambda r: abs(r.t_peak_s - t_s)) if candidates else None


@dataclass(frozen=True)
class ScoredLabel:
    label: FaultLabel
    outcome: str  # TP | FP | FN | TN | NOT_JUDGED | NO_REP
    rep: RepCompleted | None
    reason: str = ""  # why it was not judged (from the rep's `unjudged`)

    @property
    def wrong(self) -> bool:
        return self.outcome in (FP, FN)


def score_label(label: FaultLabel, reps: Sequence[RepCompleted]) -> ScoredLabel:
    rep = match_rep(reps, label.t_s)
    if rep is None:
        return ScoredLabel(label, NO_REP, None)
    if label.code in rep.faults:
        return ScoredLabel(label, TP if label.present else FP, rep)
    unjudged = dict(rep.unjudged)
    if label.code in unjudged:
        return ScoredLabel(label, NOT_JUDGED, rep, reason=unjudged[label.code])
    return ScoredLabel(label, FN if label.present else TN, rep)


@dataclass(frozen=True)
class FaultCounts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    not_judged_present: int = 0
    not_judged_clean: int = 0
    no_rep: int = 0

    @property
    def labels(self) -> int:
        return self.tp + self.fp + self.fn + self.tn + self.not_judged_present + self.not_judged_clean + self.no_rep

    @property
    def not_judged(self) -> int:
        return self.not_judged_present + self.not_judged_clean

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def warned_on_clean(self) -> int:
        return self.fp

    @property
    def judged_clean(self) -> int:
        """Reps labelled clean that the engine judged (warned or not): the denominator of warned_on_clean."""
        return self.fp + self.tn

    def meets_targets(self) -> bool:
        """Precision and recall ≥ their targets (an undefined one does not meet it) and no wrong warning."""
        p, r = self.precision, self.recall
        return p is not None and r is not None and p >= TARGET_PRECISION and r >= TARGET_RECALL and self.fp == 0

    def to_json(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
                "not_judged_present": self.not_judged_present, "not_judged_clean": self.not_judged_clean,
                "no_rep": self.no_rep, "labels": self.labels, "precision": self.precision, "recall": self.recall,
                "warned_on_clean": self.warned_on_clean, "judged_clean": self.judged_clean}


def count(scored: Iterable[ScoredLabel]) -> FaultCounts:
    n = {TP: 0, FP: 0, FN: 0, TN: 0, NO_REP: 0}
    nj_present = nj_clean = 0
    for s in scored:
        if s.outcome == NOT_JUDGED:
            nj_present += s.label.present
            nj_clean += not s.label.present
        else:
            n[s.outcome] += 1
    return FaultCounts(tp=n[TP], fp=n[FP], fn=n[FN], tn=n[TN], not_judged_present=nj_present,
                       not_judged_clean=nj_clean, no_rep=n[NO_REP])


@dataclass(frozen=True)
class ClipFaults:
    """What the engine reported on one clip: enough to score it and to explain each wrong verdict."""

    file: str
    exercise: str
    reps: tuple[RepCompleted, ...]
    warnings: tuple[FormWarning, ...] = ()


def clip_faults(result) -> ClipFaults:
    """From an `app.pipeline.analysis.AnalysisResult`."""
    return ClipFaults(file=pathlib.Path(result.video).name, exercise=result.exercise, reps=tuple(result.reps),
                      warnings=tuple(result.warnings))


def clip_faults_from_json(payload: Mapping) -> ClipFaults:
    """From the object `medius analyze --json` prints (so saved analyses can be scored again without video)."""
    reps = tuple(RepCompleted(index=r["index"], side=payload.get("side") or "unknown", t_start_s=r["t_start_s"],
                              t_peak_s=r["t_peak_s"], t_end_s=r["t_end_s"], peak_deg=r["peak_deg"],
                              faults=tuple(r["faults"]),
                              unjudged=tuple((u["code"], u["reason"]) for u in r.get("unjudged", ())))
                 for r in payload["rep_events"])
    warnings = tuple(FormWarning(t_s=w["t_s"], code=w["code"], value=w["value"], message="")
                     for w in payload["faults"])
    return ClipFaults(file=pathlib.Path(payload["video"]).name, exercise=payload["exercise"], reps=reps,
                      warnings=warnings)


@dataclass(frozen=True)
class FaultReport:
    scored: tuple[ScoredLabel, ...]
    clips: Mapping[str, ClipFaults] = field(default_factory=dict)
    label_set: LabelSet | None = None

    def by_code(self) -> dict[str, FaultCounts]:
        codes = sorted({s.label.code for s in self.scored}, key=_code_order)
        return {c: count(s for s in self.scored if s.label.code == c) for c in codes}

    def by_video(self) -> dict[tuple[str, str], FaultCounts]:
        keys = sorted({(s.label.file, s.label.code) for s in self.scored}, key=lambda k: (k[0], _code_order(k[1])))
        return {k: count(s for s in self.scored if (s.label.file, s.label.code) == k) for k in keys}

    def wrong(self) -> list[ScoredLabel]:
        return [s for s in self.scored if s.wrong]

    def explain(self, s: ScoredLabel) -> str:
        """A wrong verdict with the measured value against the limit, as far as the events tell."""
        clip = self.clips.get(s.label.file)
        exercise = clip.exercise if clip else None
        limit_text = _limit_text(exercise, s.label.code) if exercise else "limit unknown"
        rep = s.rep
        head = (f"{s.label.file} {s.label.t_s:.2f} s {s.label.code}: "
                f"{'wrong warning' if s.outcome == FP else 'missed'} on rep {rep.index} "
                f"({rep.t_start_s:.2f}-{rep.t_end_s:.2f} s, peak {rep.peak_deg}° at {rep.t_peak_s:.2f} s)")
        warning = _onset_for(clip, rep, s.label.code) if clip else None
        if s.outcome == FP:
            if warning is None:
                return f"{head}; warned with no onset event on record; {limit_text}"
            return f"{head}; onset at {warning.t_s:.2f} s, worst value {warning.value} vs {limit_text}"
        return (f"{head}; no {s.label.code} warning: the measure did not stay past the {limit_text} for the "
                f"persistence time (or could not be measured)")


def _code_order(code: str) -> int:
    order = [f.value for f in Fault]
    return order.index(code) if code in order else len(order)


def _limit_text(exercise: str, code: str) -> str:
    params = default_params(exercise)
    limit = params.fault_limits.get(code)
    if limit is None:
        return "no limit for this exercise"
    kind = "absolute" if code in params.absolute_faults else "beyond the starting posture"
    return f"limit {limit:g} ({kind})"


def _onset_for(clip: ClipFaults, rep: RepCompleted, code: str) -> FormWarning | None:
    """The warning that made this rep faulty: the latest onset of the code at or before the rep's end (an
    episode may start during the rest before the rep, or in an earlier rep and persist)."""
    onsets = [w for w in clip.warnings if w.code == code and w.t_s <= rep.t_end_s + 1e-6]
    return max(onsets, key=lambda w: w.t_s) if onsets else None


def score(clips: Mapping[str, ClipFaults], label_set: LabelSet) -> FaultReport:
    """Score every label whose clip was analysed; labels of clips that were not analysed are left out."""
    scored = tuple(score_label(label, clips[label.file].reps) for label in label_set.labels if label.file in clips)
    return FaultReport(scored=scored, clips=dict(clips), label_set=label_set)


def load_labels(clips: Sequence[Mapping], project_labels: pathlib.Path | None) -> LabelSet:
    """The project's labels (when the file exists) and the shared ones, merged."""
    own = load_project_labels(project_labels) if project_labels and project_labels.is_file() else []
    return merge_labels(clips, own, shared_labels(clips))


# -- text ------------------------------------------------------------------------------------------------------
SCOPE_NOTE = ("Only labelled reps are scored: a warning on a counted rep without a label for that fault is not "
              "counted either way. precision = TP/(TP+FP), recall = TP/(TP+FN), '-' where undefined (no "
              "warnings / no judged faulty reps); 'not judged' reps are left out of both.")


def _ratio(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def _row(name: str, c: FaultCounts, width: int) -> str:
    return (f"{name:<{width}} {c.labels:>6} {c.tp:>3} {c.fp:>3} {c.fn:>3} {c.tn:>3} {c.not_judged:>9} "
            f"{c.no_rep:>6} {_ratio(c.precision):>9} {_ratio(c.recall):>6}   {c.warned_on_clean}/{c.judged_clean}")


def _header(first: str, width: int) -> str:
    return (f"{first:<{width}} {'labels':>6} {'TP':>3} {'FP':>3} {'FN':>3} {'TN':>3} {'not judg.':>9} "
            f"{'no rep':>6} {'precision':>9} {'recall':>6}   warned on clean")


def format_report(report: FaultReport) -> str:
    lines = ["", "Fault warnings on labelled reps", SCOPE_NOTE, ""]
    by_code = report.by_code()
    if not by_code:
        return "\n".join(lines + ["No fault labels for the analysed clips."])
    lines.append(_header("per fault", 18))
    for code, c in by_code.items():
        target = ""
        if code in TARGET_CODES:
            target = "   target met" if c.meets_targets() else "   target NOT met"
            if c.tp + c.fn < FEW_POSITIVES:
                target += f" (on {c.tp + c.fn} judged faulty rep{'s' if c.tp + c.fn != 1 else ''}: too few to trust)"
        elif c.fp:
            target = "   target NOT met (warnings on clean reps)"
        lines.append(_row(code, c, 18) + target)
    lines += ["", _header("per video" + " " * 44 + "fault", 71)]
    for (file, code), c in report.by_video().items():
        lines.append(_row(f"{file:<52} {code}", c, 71))
    wrong = report.wrong()
    lines += ["", f"Wrong warnings and misses: {len(wrong)}"]
    lines += [f"  {report.explain(s)}" for s in wrong]
    no_rep = [s for s in report.scored if s.outcome == NO_REP]
    if no_rep:
        lines.append("Labels with no counted rep (not scored as faults): "
                     + ", ".join(f"{s.label.file} {s.label.t_s:g} s {s.label.code}" for s in no_rep))
    not_judged = [s for s in report.scored if s.outcome == NOT_JUDGED]
    if not_judged:
        lines.append("Not judged: " + ", ".join(f"{s.label.file} {s.label.t_s:g} s {s.label.code} ({s.reason})"
                                                for s in not_judged))
    if report.label_set and report.label_set.conflicts:
        lines.append("Conflicting labels (left out): " + "; ".join(
            f"{a.file} {a.code} {a.t_s:g} s {a.source}={a.present} vs {b.t_s:g} s {b.source}={b.present}"
            for a, b in report.label_set.conflicts))
    return "\n".join(lines)


def report_json(report: FaultReport) -> dict:
    return {
        "note": SCOPE_NOTE,
        "by_code": {code: c.to_json() for code, c in report.by_code().items()},
        "by_video": [{"file": f, "code": code, **c.to_json()} for (f, code), c in report.by_video().items()],
        "labels": [{"file": s.label.file, "t_s": s.label.t_s, "code": s.label.code, "present": s.label.present,
                    "source": s.label.source, "outcome": s.outcome, "rep": s.rep.index if s.rep else None,
                    "reason": s.reason} for s in report.scored],
        "wrong": [report.explain(s) for s in report.wrong()],
        "conflicts": [[a.__dict__, b.__dict__] for a, b in (report.label_set.conflicts if report.label_set else ())],
    }
