"""The stance test's therapist setting (the drop tolerance), in its own small file beside settings.json.

Kept apart from app.settings' versioned Settings so the test can be set up without touching the session's
settings; a missing, unreadable or out-of-range file gives the engine's default (never an error at start-up).
"""

from __future__ import annotations

import json
import logging
import math

from app.settings import config_dir
from app.stance.verdict import StanceParams

log = logging.getLogger(__name__)
FILE_NAME = "stance-test.json"


def load_drop_tolerance_deg() -> float:
    default = StanceParams().drop_tolerance_deg
    path = config_dir() / FILE_NAME
    try:
        value = float(json.loads(path.read_text(encoding="utf-8"))["drop_tolerance_deg"])
    except FileNotFoundError:
        return default
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("ignoring %s: %s", path, exc)
        return default
    low, high = StanceParams.DROP_TOLERANCE_RANGE
    return value if math.isfinite(value) and low <= value <= high else default


def save_drop_tolerance_deg(value: float) -> None:
    """Raises OSError if the file cannot be written (the caller says so; the value still applies)."""
    path = config_dir() / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"version": 1, "drop_tolerance_deg": round(float(value), 1)}), encoding="utf-8")
    tmp.replace(path)
