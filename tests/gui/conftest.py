"""Qt tests run offscreen, with a throwaway config dir, and fail if they leave a thread running."""

import json
import os
import pathlib
import threading
import time

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from ui.qt_env import ensure_app  # noqa: E402

VIDEOS = pathlib.Path(__file__).resolve().parents[3] / "shared" / "videos"


@pytest.fixture(scope="session")
def qapp():
    """pytest-qt's QApplication, created our way (OpenCV's Qt variables cleared first)."""
    return ensure_app()


@pytest.fixture(autouse=True)
def config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIUS_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path / "config"


@pytest.fixture(autouse=True)
def no_thread_left(qapp):
    """Fail a test that leaves a thread it started running. Compared by identity, not by count: a thread of an
    earlier test (or of MediaPipe's own executor) ending during this test must not hide or fake a leak."""
    before = set(threading.enumerate())

    def started_here() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t not in before and t.is_alive()]

    yield
    deadline = time.monotonic() + 5.0
    while started_here() and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.02)
    assert not started_here(), f"threads left running: {[t.name for t in started_here()]}"


def clip(name: str) -> pathlib.Path:
    path = VIDEOS / name
    if not path.exists():
        pytest.skip(f"labelled clip {name} not found in {VIDEOS} (the shared videos are not on this machine)")
    return path


def label(name: str) -> dict:
    return next(e for e in json.loads((VIDEOS / "labels.json").read_text()) if e["file"] == name)


class RecordingSound:
    """Stands in for SoundCues: records what would have been played."""

    mode = "tones"

    def __init__(self):
        self.muted = False
        self.reps: list[int] = []
        self.warnings = 0
        self.said: list[str] = []  # other phrases (app.handsfree.spoken_phrases keys): countdown, "turn over", ...

    def set_muted(self, muted):
        self.muted = muted

    def rep(self, count):
        if not self.muted:
            self.reps.append(count)

    def warning(self, code=""):
        if not self.muted:
            self.warnings += 1

    def say(self, key):
        if not self.muted:
            self.said.append(key)
