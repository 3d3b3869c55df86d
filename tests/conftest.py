"""Shared test fixtures: where the labelled clips are, and isolation from the developer's own files."""

from __future__ import annotations

import json
import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
VIDEOS_DIR = pathlib.Path(os.environ.get("MEDIUS_VIDEOS_DIR", REPO.parent / "shared" / "videos"))
LABELS_PATH = VIDEOS_DIR / "labels.json"
SKIP_NO_CLIPS = f"labelled clips not found at {VIDEOS_DIR} (set MEDIUS_VIDEOS_DIR or put shared/ beside the repo)"

# Tests never read or write the real user's config or history.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("MEDIUS_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("MEDIUS_DATA_DIR", str(home / "data"))


def clip_labels() -> list[dict]:
    if not LABELS_PATH.is_file():
        return []
    return json.loads(LABELS_PATH.read_text())


def scored_clips() -> list[dict]:
    return [c for c in clip_labels() if c.get("exercise_id")]


@pytest.fixture
def videos_dir() -> pathlib.Path:
    if not LABELS_PATH.is_file():
        pytest.skip(SKIP_NO_CLIPS)
    return VIDEOS_DIR
