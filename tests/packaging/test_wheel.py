"""The package works wherever it is installed, not only as an editable checkout.

Builds the wheel from this checkout, installs it into a fresh virtual environment (the dependencies from
requirements.lock, the app itself with --no-deps), and from a folder outside the checkout runs `medius analyze`
and the GUI through a whole set. The model and the exercise texts must come from the installed package.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from medius_testdata import LABELS_PATH, REPO, SKIP_NO_CLIPS, VIDEOS_DIR

pytestmark = [pytest.mark.clips, pytest.mark.skipif(not LABELS_PATH.is_file(), reason=SKIP_NO_CLIPS)]
CLIP = VIDEOS_DIR / "clamshell_banded_front_chloe_gif_1.mp4"


def run(*cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600, **kw)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> pathlib.Path:
    """A fresh venv with the wheel installed; returns its bin folder."""
    root = tmp_path_factory.mktemp("wheel")
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", root / "dist", REPO)
    assert built.returncode == 0, built.stderr
    wheel = next((root / "dist").glob("medius_coach-*.whl"))
    assert run(sys.executable, "-m", "venv", root / "venv").returncode == 0
    pip = root / "venv" / "bin" / "pip"
    deps = run(pip, "install", "-q", "--require-hashes", "-r", REPO / "requirements.lock")
    assert deps.returncode == 0, deps.stderr
    app = run(pip, "install", "-q", "--no-deps", wheel)
    assert app.returncode == 0, app.stderr
    return root / "venv" / "bin"


def clean_env(tmp_path: pathlib.Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(MEDIUS_DATA_DIR=str(tmp_path / "data"), MEDIUS_CONFIG_DIR=str(tmp_path / "config"),
               MEDIUS_LOG_DIR=str(tmp_path / "log"), QT_QPA_PLATFORM="offscreen")
    return env


def test_the_wheel_carries_the_data_and_reads_it_from_site_packages(installed, tmp_path):
    probe = ("import app, medius_assets\nfrom app.adapters.model_file import check_model_file\n"
             "from ui.exercise_texts import exercise_text\nfrom app.engine.events import Exercise\n"
             "print(app.__file__); print(check_model_file()); print(exercise_text(Exercise.CLAMSHELL).title)")
    result = run(installed / "python", "-c", probe, cwd=tmp_path, env=clean_env(tmp_path))
    assert result.returncode == 0, result.stderr
    app_file, model, title = result.stdout.splitlines()
    assert "site-packages" in app_file and str(REPO) not in app_file
    assert "site-packages" in model and model.endswith("pose_landmarker_full.task")
    assert title


def test_installed_analyze_counts_like_the_checkout_with_an_empty_stderr(installed, tmp_path):
    result = run(installed / "medius", "analyze", CLIP, "--exercise", "clamshell", "--json", cwd=tmp_path,
                 env=clean_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    report = json.loads(result.stdout)
    from app.pipeline.analysis import analyze_video

    here = analyze_video(CLIP, "clamshell")
    assert report["reps"] == len(here.reps) == 1
    assert [r["t_peak_s"] for r in report["rep_events"]] == [r.t_peak_s for r in here.reps]


@pytest.mark.gui
def test_installed_gui_runs_a_whole_set(installed, tmp_path):
    # A copy of the driver outside the checkout, so `ui` and `app` can only come from the installed wheel.
    driver = tmp_path / "gui_set_driver.py"
    shutil.copy(REPO / "tests" / "privacy" / "gui_set_driver.py", driver)
    result = run(installed / "python", driver, CLIP, "clamshell", cwd=tmp_path, env=clean_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "summary=True history=True" in result.stdout
