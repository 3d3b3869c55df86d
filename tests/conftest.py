"""Shared test fixtures: where the labelled clips are, and isolation from the developer's own files."""

from __future__ import annotations

import os

import pytest

from medius_testdata import LABELS_PATH, SKIP_NO_CLIPS, VIDEOS_DIR

# Qt runs without a screen in tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Tests never read or write the real user's config or history."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("MEDIUS_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("MEDIUS_DATA_DIR", str(home / "data"))


@pytest.fixture
def videos_dir():
    if not LABELS_PATH.is_file():
        pytest.skip(SKIP_NO_CLIPS)
    return VIDEOS_DIR
