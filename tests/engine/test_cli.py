"""`medius analyze` as a user runs it: a real process, real video, real model."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from medius_testdata import LABELS_PATH, REPO, SKIP_NO_CLIPS, VIDEOS_DIR

CLIP = VIDEOS_DIR / "clamshell_banded_front_chloe_gif_1.mp4"  # 3 s, one rep: cheap


def medius(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ui.launcher", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300, env=env)


@pytest.mark.skipif(not LABELS_PATH.is_file(), reason=SKIP_NO_CLIPS)
def test_analyze_json_has_the_documented_fields():
    result = medius("analyze", str(CLIP), "--exercise", "clamshell", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["reps"] == 1 and out["side"] in ("left", "right")
    assert out["frames"] == 32 and 0 < out["frames_with_pose"] <= 32
    (rep,) = out["rep_events"]
    assert set(rep) >= {"index", "t_start_s", "t_peak_s", "t_end_s", "peak_deg", "faults"}
    assert rep["t_start_s"] < rep["t_peak_s"] < rep["t_end_s"]
    assert isinstance(out["faults"], list)
    assert result.stderr.strip() == ""  # no MediaPipe start-up chatter


@pytest.mark.skipif(not LABELS_PATH.is_file(), reason=SKIP_NO_CLIPS)
def test_analyze_summary_is_readable():
    result = medius("analyze", str(CLIP), "--exercise", "clamshell")
    assert result.returncode == 0
    assert "1 reps counted" in result.stdout and "rep  1" in result.stdout


@pytest.mark.parametrize("content, expect", [
    (None, "not found"),
    (b"", "empty"),
    (b"not a video\n" * 100, "Cannot read"),
])
def test_unreadable_input_exits_2_with_one_line(tmp_path, content, expect):
    path = tmp_path / "input.mp4"
    if content is not None:
        path.write_bytes(content)
    result = medius("analyze", str(path), "--exercise", "step-down")
    assert result.returncode == 2
    assert expect in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_arguments_exit_2():
    result = medius("analyze", "x.mp4", "--exercise", "squat")
    assert result.returncode == 2 and "invalid choice" in result.stderr


@pytest.mark.skipif(not LABELS_PATH.is_file(), reason=SKIP_NO_CLIPS)
def test_broken_model_gives_one_line_and_exit_3(tmp_path):
    # A truncated copy of the package with the real code but a cut model file.
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "app", copy / "app")
    shutil.copytree(REPO / "ui", copy / "ui")
    # The data package as installed (medius_assets), found in the working folder before the editable install's.
    model = REPO / "assets" / "models" / "pose_landmarker_full.task"
    (copy / "medius_assets" / "models").mkdir(parents=True)
    shutil.copy(REPO / "assets" / "__init__.py", copy / "medius_assets")
    shutil.copytree(REPO / "assets" / "exercises", copy / "medius_assets" / "exercises")
    (copy / "medius_assets" / "models" / model.name).write_bytes(model.read_bytes()[: 100_000])
    shutil.copy(model.with_name(model.name + ".sha256"), copy / "medius_assets" / "models")
    result = subprocess.run([sys.executable, "-m", "ui.launcher", "analyze", str(CLIP), "--exercise", "clamshell"],
                            cwd=copy, capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    assert "damaged" in result.stderr and "Traceback" not in result.stderr
