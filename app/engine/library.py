"""The exercise library: one TOML file per exercise under assets/exercises/, read and checked here.

A file declares everything that makes an exercise (see assets/exercises/README.md for the format): its posture
and working leg, the rep signal and each fault as measures from the vocabulary in app.engine.exercises.measures,
the counting thresholds and fault limits (one set for every user and camera), the texts of its instruction card,
its dosing, its camera placement and its illustration. Nothing about an exercise lives in code, so adding one
is adding a file; a measure the vocabulary lacks is one small function there.

A bad file gets a `DataFileError` naming the file, the line and the field. The library loads every good file
and keeps the errors of the bad ones (`problems()`), so one broken file never takes the others down.

`Exercise` is an exercise id: a string, validated against the library, with the enum-like conveniences the rest
of the app uses (`Exercise("clamshell")`, `Exercise.CLAMSHELL`, `for e in Exercise`, `.value`).
"""

from __future__ import annotations

import functools
import os
import pathlib
import re
from dataclasses import dataclass, field

from app.assets import asset_path
from app.datafile import DataFileError, Fields, load_toml
from app.engine.exercises.measures import LEGS, ROLES, SIDES, VOCABULARY, Measure
from app.engine.exercises.postures import POSTURES, WORKING_LEG_RULES
from app.engine.landmarks import LM

FORMAT_VERSION = 1
KINDS = ("reps", "hold")
SIDES_CHOICES = ("one", "both")  # dosing: one series (bilateral exercises) or one per side
# Landmark groups an exercise can require to be seen.
LANDMARK_GROUPS = {
    "shoulders": (LM.L_SHOULDER, LM.R_SHOULDER), "elbows": (LM.L_ELBOW, LM.R_ELBOW),
    "wrists": (LM.L_WRIST, LM.R_WRIST), "hips": (LM.L_HIP, LM.R_HIP), "knees": (LM.L_KNEE, LM.R_KNEE),
    "ankles": (LM.L_ANKLE, LM.R_ANKLE), "heels": (LM.L_HEEL, LM.R_HEEL), "feet": (LM.L_FOOT, LM.R_FOOT),
}
ILLUSTRATION_JOINTS = ("head", "neck", "hip", "elbow", "hand", "knee_b", "ankle_b", "knee_t", "ankle_t")
TOO_FAST = "too_fast"
TOO_FAST_MESSAGE = "Slower: about 2 s up and 2 s down"
# Faults the engine itself adds to any exercise, not declared in a file.
ENGINE_FAULT_LABELS = {TOO_FAST: "too fast", "hold_short": "hold too short"}
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_ID = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class FaultSpec:
    code: str
    measure: Measure
    limit: float
    limit_range: tuple[float, float]  # what a therapist may set it to
    absolute: bool  # the limit is an absolute value, not a change from the user's own starting posture
    message: str  # the cue the user hears and reads
    label: str  # a short name for tables and charts ("feet apart")
    metric: str  # the name its value is shown under
    # Not judged while the rep signal (the raw value, e.g. knee flexion) is above this: where the camera's view
    # of the measure stops meaning what it says (a deep knee bend seen from the front turns the knee's angle).
    judged_below_signal: float | None = None
    beyond_reason: str = ""
    # The named metric to compare with `judged_below_signal` instead of the rep signal (None: the rep signal).
    judged_by_metric: str | None = None


@dataclass(frozen=True)
class Tempo:
    """Seconds per phase of a rep, for the instruction card and the pace guide."""

    up_s: float
    hold_s: float
    down_s: float


@dataclass(frozen=True)
class PostureLimit:
    measure: Measure
    max: float
    message: str


@dataclass(frozen=True)
class NamedMeasure:
    name: str
    measure: Measure


@dataclass(frozen=True)
class ExerciseSpec:
    id: str
    path: pathlib.Path
    kind: str  # "reps" or "hold"
    title: str
    purpose: str
    setup: tuple[str, ...]
    movement: tuple[str, ...]
    mistakes: tuple[str, ...]
    camera: tuple[str, ...]
    camera_view: str  # "front" | "side" for the camera-placement drawing
    camera_distance: str  # as the drawing labels it: "about 2 m"
    camera_height: str  # "floor height"
    posture: str
    posture_message: str  # shown when the person is not in this posture
    posture_limits: tuple[PostureLimit, ...]
    working_leg: str
    required: tuple[int, ...]
    signal: Measure
    signal_name: str
    enter_deg: float
    exit_deg: float
    min_up_s: float
    min_rep_s: float
    target_deg: float
    hold_target_s: float | None  # holds: the time to hold, per hold
    min_rep_duration_s: float
    settle_s: float
    smoothing_min_cutoff_hz: float
    smoothing_beta: float
    angle: NamedMeasure | None  # the anatomical angle a therapist reads, reported as a rep's peak
    metrics: tuple[NamedMeasure, ...]
    faults: tuple[FaultSpec, ...]
    tempo: Tempo
    phase_words: dict[str, str]
    dosing: dict[str, object]
    illustration: dict[str, object] = field(default_factory=dict)
    order: int = 100

    def fault(self, code: str) -> FaultSpec:
        for f in self.faults:
            if f.code == code:
                return f
        raise KeyError(code)


# -- reading one file -----------------------------------------------------------------------------------------

def load_spec(path: pathlib.Path | str) -> ExerciseSpec:
    path = pathlib.Path(path)
    doc = load_toml(path)
    doc.reject_unknown({"format", "id", "kind", "order", "title", "purpose", "setup", "movement", "mistakes",
                        "camera", "posture", "working_leg", "required", "rep_signal", "hold", "angle", "metrics",
                        "faults", "tempo", "phase_words", "dosing", "illustration", "smoothing"})
    version = doc.integer("format", low=1)
    if version > FORMAT_VERSION:
        raise doc.error("format", f"format {version} is newer than this Medius Coach understands "
                                  f"({FORMAT_VERSION}): update the app")
    ex_id = doc.text("id")
    if not _ID.match(ex_id):
        raise doc.error("id", f"'{ex_id}' must be lower-case letters, digits and hyphens")
    if path.suffix == ".toml" and path.stem != ex_id:
        raise doc.error("id", f"'{ex_id}' does not match the file name '{path.name}'")
    kind = doc.text("kind", "reps", choices=KINDS)
    camera = doc.table("camera")
    camera.reject_unknown({"view", "distance", "height", "steps"})
    posture = doc.table("posture")
    posture.reject_unknown({"name", "message", "limits"})
    signal_t = doc.table("rep_signal")
    signal = _measure(signal_t, {"name", "enter", "exit", "min_up_s", "min_rep_s", "target", "min_rep_duration_s",
                                  "settle_s"}, rep_signal=True)
    enter = signal_t.number("enter", low=0.0)
    exit_ = signal_t.number("exit", low=0.0)
    if exit_ >= enter:
        raise signal_t.error("exit", f"{exit_:g} must be below enter ({enter:g}): the rep ends below where it starts")
    hold = doc.table("hold", required=kind == "hold")
    if hold is not None and kind != "hold":
        raise hold.error(None, "a [hold] table belongs to exercises of kind = \"hold\"")
    if hold is not None:
        hold.reject_unknown({"target_s"})
    working = doc.text("working_leg", choices=tuple(WORKING_LEG_RULES))
    required = []
    for group in doc.texts("required"):
        if group not in LANDMARK_GROUPS:
            raise doc.error("required", f"'{group}' is not one of: {', '.join(LANDMARK_GROUPS)}")
        required.extend(LANDMARK_GROUPS[group])
    faults = tuple(_fault(f) for f in doc.tables("faults", required=False))
    codes = [f.code for f in faults]
    if len(set(codes)) != len(codes):
        dup = next(c for c in codes if codes.count(c) > 1)
        raise doc.error("faults", f"fault '{dup}' is declared twice")
    metrics = tuple(NamedMeasure(t.text("name"), _measure(t, {"name"})) for t in doc.tables("metrics", required=False))
    for fault_t, fault in zip(doc.tables("faults", required=False), faults):
        if fault.judged_by_metric is not None and fault.judged_by_metric not in {m.name for m in metrics}:
            raise fault_t.error("judged_by_metric", f"'{fault.judged_by_metric}' is not one of this file's [[metrics]]")
    angle_t = doc.table("angle", required=False)
    smoothing = doc.table("smoothing", required=False)
    if smoothing is not None:
        smoothing.reject_unknown({"min_cutoff_hz", "beta"})
    dosing = doc.table("dosing")
    dosing.reject_unknown({"sets", "reps", "rest_s", "sides", "hold_s"})
    tempo = doc.table("tempo")
    tempo.reject_unknown({"up_s", "hold_s", "down_s"})
    words = doc.table("phase_words")
    words.reject_unknown({"rest", "rising", "top", "lowering"})
    return ExerciseSpec(
        id=ex_id, path=path, kind=kind, order=doc.integer("order", 100, low=0),
        title=doc.text("title"), purpose=doc.text("purpose"),
        setup=doc.texts("setup"), movement=doc.texts("movement"), mistakes=doc.texts("mistakes"),
        camera=camera.texts("steps"), camera_view=camera.text("view", choices=("front", "side")),
        camera_distance=camera.text("distance"), camera_height=camera.text("height"),
        posture=posture.text("name", choices=tuple(POSTURES)), posture_message=posture.text("message"),
        posture_limits=tuple(_posture_limit(t) for t in posture.tables("limits", required=False)),
        working_leg=working, required=tuple(required),
        signal=signal, signal_name=signal_t.text("name", "signal_deg"),
        enter_deg=enter, exit_deg=exit_, min_up_s=signal_t.number("min_up_s", low=0.0),
        min_rep_s=signal_t.number("min_rep_s", low=0.0), target_deg=signal_t.number("target", low=0.0),
        hold_target_s=hold.number("target_s", low=1.0, high=600.0) if hold is not None else None,
        min_rep_duration_s=signal_t.number("min_rep_duration_s", low=0.0),
        settle_s=signal_t.number("settle_s", 0.3, low=0.0, high=5.0),
        smoothing_min_cutoff_hz=smoothing.number("min_cutoff_hz", low=0.01) if smoothing else 1.2,
        smoothing_beta=smoothing.number("beta", low=0.0) if smoothing else 6.0,
        angle=NamedMeasure(angle_t.text("name"), _measure(angle_t, {"name"})) if angle_t is not None else None,
        metrics=metrics,
        faults=faults,
        tempo=Tempo(**{k: tempo.number(k, low=0.0) for k in ("up_s", "hold_s", "down_s")}),
        phase_words={k: words.text(k) for k in ("rest", "rising", "top", "lowering")},
        dosing=_dosing(dosing, kind),
        illustration=_illustration(doc.table("illustration", required=False)),
    )


def _measure(t: Fields, other_keys: set[str], rep_signal: bool = False) -> Measure:
    kind = t.text("kind", choices=tuple(VOCABULARY))
    spec = VOCABULARY[kind]
    t.reject_unknown({"kind", "legs"} | set(spec.params) | other_keys)
    # Which legs: each leg with its own resting value is for rep signals (the rising leg works).
    legs = t.text("legs", "working", choices=LEGS if rep_signal else tuple(x for x in LEGS if x != "each"))
    params: dict[str, object] = {}
    for name, p in spec.params.items():
        if not t.has(name):
            if p.default is None:
                raise t.error(None, f"measure '{kind}' needs '{name}'")
            continue
        if p.kind == "text":
            params[name] = t.text(name, choices=p.choices)
        elif p.kind == "number":
            params[name] = t.number(name)
        elif p.kind == "bool":
            params[name] = t.boolean(name, bool(p.default))
        elif p.kind == "roles":
            roles = t.texts(name)
            for r in roles:
                if r not in ROLES:
                    raise t.error(name, f"'{r}' is not a landmark role (one of: {', '.join(ROLES)})")
            if p.count is not None and len(roles) != p.count:
                raise t.error(name, f"'{kind}' needs {p.count} landmark roles here, got {len(roles)}")
            params[name] = roles
        elif p.kind in ("segment", "segments"):
            segs = (t.text(name),) if p.kind == "segment" else t.texts(name)
            if p.kind == "segments" and len(segs) != 2:
                raise t.error(name, "expected two segments, e.g. [\"hip>knee\", \"other_hip>other_knee\"]")
            for s in segs:
                ends = s.split(">")
                if len(ends) != 2 or any(e not in ROLES for e in ends):
                    raise t.error(name, f"'{s}' is not a segment 'role>role' of landmark roles")
            params[name] = segs[0] if p.kind == "segment" else segs
    return Measure(kind, params, legs)


def _fault(t: Fields) -> FaultSpec:
    code = t.text("code")
    if not _CODE.match(code):
        raise t.error("code", f"'{code}' must be lower-case letters, digits and underscores")
    measure = _measure(t, {"code", "limit", "range", "absolute", "message", "label", "metric",
                           "judged_below_signal", "beyond_reason", "judged_by_metric"})
    limit = t.number("limit")
    low, high = t.numbers("range", 2)
    if not low <= limit <= high:
        raise t.error("limit", f"{limit:g} is outside its own range {low:g} to {high:g}")
    return FaultSpec(code=code, measure=measure, limit=limit, limit_range=(low, high),
                     absolute=t.boolean("absolute", False), message=t.text("message"), label=t.text("label"),
                     metric=t.text("metric", code),
                     judged_below_signal=t.number("judged_below_signal") if t.has("judged_below_signal") else None,
                     beyond_reason=t.text("beyond_reason") if t.has("judged_below_signal") else "",
                     judged_by_metric=t.text("judged_by_metric") if t.has("judged_by_metric") else None)


def _posture_limit(t: Fields) -> PostureLimit:
    measure = _measure(t, {"max", "message"})
    return PostureLimit(measure, t.number("max"), t.text("message"))


def _dosing(t: Fields, kind: str) -> dict[str, object]:
    out: dict[str, object] = {"sets": t.integer("sets", low=1, high=20), "rest_s": t.integer("rest_s", low=0, high=600),
                              "sides": t.text("sides", choices=SIDES_CHOICES)}
    if kind == "hold":
        out["hold_s"] = t.integer("hold_s", low=1, high=600)
        if t.has("reps"):
            out["reps"] = t.integer("reps", low=1, high=100)
    else:
        out["reps"] = t.integer("reps", low=1, high=100)
        if t.has("hold_s"):
            raise t.error("hold_s", "only exercises of kind = \"hold\" have a hold time")
    return out


def _illustration(t: Fields | None) -> dict[str, object]:
    if t is None:
        return {}
    t.reject_unknown({"prop", "floor", "arrow", "start", "end"})
    poses = {}
    for which in ("start", "end"):
        pose = t.table(which)
        pose.reject_unknown(set(ILLUSTRATION_JOINTS))
        poses[which] = {j: pose.numbers(j, 2) for j in ILLUSTRATION_JOINTS}
    arrow = t.text("arrow", choices=ILLUSTRATION_JOINTS)
    return {"prop": t.text("prop", "none", choices=("mat", "step", "none")),
            "floor": t.number("floor", 0.82, low=0.0, high=1.0), "arrow": arrow, **poses}


# -- the library ----------------------------------------------------------------------------------------------

def library_dir() -> pathlib.Path:
    """Where the exercise files are: the shipped ones, or MEDIUS_EXERCISES_DIR (a therapist's own library)."""
    override = os.environ.get("MEDIUS_EXERCISES_DIR")
    return pathlib.Path(override) if override else asset_path("exercises")


@functools.lru_cache(maxsize=4)
def _load(directory: pathlib.Path) -> tuple[dict[str, ExerciseSpec], tuple[DataFileError, ...]]:
    specs: dict[str, ExerciseSpec] = {}
    problems: list[DataFileError] = []
    for path in sorted(directory.glob("*.toml")):
        try:
            spec = load_spec(path)
        except DataFileError as exc:
            problems.append(exc)
            continue
        clash = _cue_clash(spec, specs.values())
        if clash:
            problems.append(clash)
            continue
        specs[spec.id] = spec
    if not specs and not problems:
        problems.append(DataFileError(directory, None, "no exercise files (*.toml) here: the installation is "
                                                       "incomplete, reinstall Medius Coach"))
    ordered = dict(sorted(specs.items(), key=lambda kv: (kv[1].order, kv[0])))
    return ordered, tuple(problems)


def _cue_clash(new: ExerciseSpec, known) -> DataFileError | None:
    """One fault code is one fault: the same cue and name in every exercise (the spoken cue is one audio file
    per code, and History counts a code across exercises)."""
    for other in known:
        for f in new.faults:
            for g in other.faults:
                if f.code == g.code and (f.message, f.label) != (g.message, g.label):
                    return DataFileError(new.path, None, f"fault '{f.code}' has another message or label than in "
                                                         f"{other.path.name}: use the same, or a new code")
    return None


def specs() -> dict[str, ExerciseSpec]:
    return _load(library_dir())[0]


def problems() -> tuple[DataFileError, ...]:
    """The exercise files that could not be read, each with its file, line and what is wrong."""
    return _load(library_dir())[1]


def spec(exercise: str) -> ExerciseSpec:
    try:
        return specs()[str(exercise)]
    except KeyError:
        raise ValueError(f"unknown exercise '{exercise}' (known: {', '.join(specs())})") from None


def fault_label(code: str) -> str:
    """The short name of a fault code, from whichever exercise declares it."""
    if code in ENGINE_FAULT_LABELS:
        return ENGINE_FAULT_LABELS[code]
    for s in specs().values():
        for f in s.faults:
            if f.code == code:
                return f.label
    return code.replace("_", " ")


class _ExerciseIds(type):
    """Makes `Exercise` behave like the enum it replaced: iterable, with upper-case names for known ids."""

    def __iter__(cls):
        return iter([cls(i) for i in specs()])

    def __len__(cls) -> int:
        return len(specs())

    def __contains__(cls, value) -> bool:
        return str(value) in specs()

    def __getattr__(cls, name: str):
        if name.isupper():
            ex_id = name.lower().replace("_", "-")
            if ex_id in specs():
                return cls(ex_id)
        raise AttributeError(name)


class Exercise(str, metaclass=_ExerciseIds):
    """An exercise id from the library. Instances are interned, so `a is Exercise.STEP_DOWN` works."""

    _interned: dict[str, Exercise] = {}

    def __new__(cls, value):
        if isinstance(value, Exercise):
            return value
        key = str(value)
        if key not in specs():
            raise ValueError(f"unknown exercise '{key}' (known: {', '.join(specs())})")
        if key not in cls._interned:
            cls._interned[key] = super().__new__(cls, key)
        return cls._interned[key]

    @property
    def value(self) -> str:
        return str.__str__(self)

    @property
    def name(self) -> str:
        return self.value.upper().replace("-", "_")

    @property
    def spec(self) -> ExerciseSpec:
        return spec(self.value)

    def __repr__(self) -> str:
        return f"Exercise({self.value!r})"

    def __reduce__(self):
        return (Exercise, (self.value,))


__all__ = ["Exercise", "ExerciseSpec", "FaultSpec", "SIDES", "load_spec", "specs", "spec", "problems", "fault_label"]
