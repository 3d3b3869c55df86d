"""User settings: a small versioned JSON file under the user's config dir.

`MEDIUS_CONFIG_DIR` overrides the location, so tests (and a therapist's portable setup) never touch the real
config. A malformed file never stops the app: `load_settings` returns defaults plus a message saying what was
wrong; out-of-range values are clamped and reported the same way. Window geometry is not here: it is a Qt
concern and lives in QSettings inside `ui/`.
"""

from __future__ import annotations

import json
import logging
import math
import os
import pathlib
from dataclasses import asdict, dataclass, field, fields, replace

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1
FILE_NAME = "settings.json"
APP_NAME = "medius-coach"

try:  # the engine owns the sensible ranges of its thresholds
    from app.engine.exercise_params import CEILING_RANGE_DEG, PELVIC_DROP_RANGE_DEG
except ImportError:  # pragma: no cover - only while the engine is being written
    CEILING_RANGE_DEG, PELVIC_DROP_RANGE_DEG = (20.0, 70.0), (3.0, 20.0)

# (min, max) for every numeric setting; values outside are clamped with a warning.
RANGES: dict[str, tuple[float, float]] = {
    "camera_index": (0, 16),
    "camera_width": (320, 3840),
    "camera_height": (240, 2160),
    "ceiling_deg": CEILING_RANGE_DEG,
    "pelvic_drop_tol_deg": PELVIC_DROP_RANGE_DEG,
    "rest_s": (0.0, 600.0),
    "recording_keep_days": (1, 3650),
}


@dataclass(frozen=True)
class Settings:
    camera_index: int = 0
    camera_width: int = 1280
    camera_height: int = 720
    mirror: bool = True  # display only: analysis always runs on the un-mirrored frame
    sound: bool = True
    # Therapist thresholds; None means "the engine's default" (app.engine.exercise_params), so a user who never touched
    # them gets improvements to the defaults instead of a frozen copy.
    ceiling_deg: float | None = None  # side-lying abduction: the "leg above hip" ceiling (trials use 30-45°)
    pelvic_drop_tol_deg: float | None = None  # step-down: tolerated pelvic drop beyond the user's baseline
    rest_s: float = 60.0
    plan: dict | None = field(default=None)  # SessionPlan.to_dict() of the last chosen session, or None
    # Hands-free: each automatic step can be turned off (keys and buttons work either way).
    auto_start: bool = True  # a set starts when the user is seen settled in position ("3, 2, 1, go")
    wait_for_side: bool = True  # a set on a named side waits until that side is seen (after "turn over")
    gesture_control: bool = True  # a hand held above the head for ~2 s pauses or resumes
    voice_control: bool = True  # "coach pause / resume / next / repeat / stop" through the microphone
    # Recording each set's video for the replay (app.pipeline.set_recording): off unless the user turns it on.
    record_sets: bool = False
    recording_keep_days: int = 30  # recordings older than this are deleted when the app starts


@dataclass(frozen=True)
class LoadResult:
    settings: Settings
    warnings: tuple[str, ...]  # human-readable, shown once in the GUI and logged
    path: pathlib.Path


def config_dir() -> pathlib.Path:
    override = os.environ.get("MEDIUS_CONFIG_DIR")
    if override:
        return pathlib.Path(override)
    from platformdirs import user_config_dir

    return pathlib.Path(user_config_dir(APP_NAME))


def settings_path() -> pathlib.Path:
    return config_dir() / FILE_NAME


def _coerce(name: str, value, default, warnings: list[str]):
    """The value with the default's type, clamped to RANGES; the default if it cannot be read."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        warnings.append(f"'{name}' should be true or false, not {value!r}; using {default}.")
        return default
    if name == "plan":
        if value is None or isinstance(value, dict):
            return value
        warnings.append("'plan' is not a session description; using the default session.")
        return None
    if default is None and value is None:
        return None
    if default is None:  # an optional float threshold
        kind = float
    else:
        kind = type(default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        shown = "the default" if default is None else default
        warnings.append(f"'{name}' should be a number, not {value!r}; using {shown}.")
        return default
    shown = "the default" if default is None else default
    try:
        # NaN and ±Infinity are legal in Python's JSON; none of them is a usable setting. A NaN would slip
        # through the range check below (every comparison with NaN is false), and int() of it raises.
        number = kind(value) if math.isfinite(value) else None
    except (OverflowError, ValueError):  # an integer too large for a float
        number = None
    if number is None:
        warnings.append(f"'{name}' should be a finite number, not {value!r:.20}; using {shown}.")
        return default
    value = number
    lo, hi = RANGES[name]
    if not lo <= value <= hi:
        clamped = kind(min(max(value, lo), hi))
        warnings.append(f"'{name}' = {value} is outside {lo:g}..{hi:g}; using {clamped}.")
        return clamped
    return value


def validated(data: dict) -> tuple[Settings, list[str]]:
    warnings: list[str] = []
    defaults = Settings()
    values = {}
    for f in fields(Settings):
        if f.name in data:
            values[f.name] = _coerce(f.name, data[f.name], getattr(defaults, f.name), warnings)
    unknown = sorted(set(data) - {f.name for f in fields(Settings)} - {"version"})
    if unknown:
        log.info("ignoring unknown settings keys: %s", ", ".join(unknown))
    return replace(defaults, **values), warnings


def load_settings(path: pathlib.Path | None = None) -> LoadResult:
    path = path or settings_path()
    if not path.exists():
        return LoadResult(Settings(), (), path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("the top level is not an object")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        msg = f"Settings file {path} could not be read ({exc}); using the default settings. Saving will replace it."
        log.warning(msg)
        return LoadResult(Settings(), (msg,), path)
    version = data.get("version")
    warnings: list[str] = []
    if version != SETTINGS_VERSION:
        # Only one version exists so far; a newer file is read field by field, which keeps what we understand.
        warnings.append(f"Settings file version {version!r} is not {SETTINGS_VERSION}; reading what is known.")
    settings, more = validated(data)
    warnings.extend(more)
    for w in warnings:
        log.warning("settings: %s", w)
    return LoadResult(settings, tuple(warnings), path)


def save_settings(settings: Settings, path: pathlib.Path | None = None) -> pathlib.Path:
    """Write atomically (temp file + rename) so a crash never leaves half a file."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"version": SETTINGS_VERSION, **asdict(settings)}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
