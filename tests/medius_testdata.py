"""Where the labelled clips are, for any test module (import this, not `conftest`: several conftest.py files
share that module name, so `from conftest import ...` picks whichever was loaded first)."""

from __future__ import annotations

import json
import os
import pathlib

REPO = pathlib.Path(__file__).resolve().parent.parent
VIDEOS_DIR = pathlib.Path(os.environ.get("MEDIUS_VIDEOS_DIR", REPO.parent / "shared" / "videos"))
LABELS_PATH = VIDEOS_DIR / "labels.json"
SKIP_NO_CLIPS = f"labelled clips not found at {VIDEOS_DIR} (set MEDIUS_VIDEOS_DIR or put shared/ beside the repo)"


def clip_labels() -> list[dict]:
    if not LABELS_PATH.is_file():
        return []
    return json.loads(LABELS_PATH.read_text())


def scored_clips() -> list[dict]:
    """Clips labelled with an exercise, and those of planned exercises once they are in the library."""
    from app.evaluation.counts import scored

    return scored(clip_labels())
