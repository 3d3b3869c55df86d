"""Bad input of every kind the issue lists: each gives one clear line, a documented exit code, no traceback.

Command-line cases run `python -m ui.launcher analyze ...` as a user would (a real process). Exit codes (README):
2 bad arguments or unreadable input, 3 pose model missing or damaged, 4 a camera stopped, 5 the log could not be
written. Videos are generated in tmp_path, so nothing here needs the shared clips.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import zipfile

import cv2
import numpy as np
import pytest

from app.errors import InputError, ModelFileError
from app.adapters.frame_source import VideoFileSource, open_source
from app.adapters.model_file import DEFAULT_MODEL_PATH, check_model_file
from medius_testdata import REPO

from .videos import mp4_timescale, retime_mp4, write_video


def medius(*args: str, cwd=REPO, env_extra: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "ui.launcher", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env=env)


def assert_one_line_error(result: subprocess.CompletedProcess, code: int, *needles: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    err = result.stderr.strip()
    assert "Traceback" not in err, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("medius: ")
    for needle in needles:
        assert needle in err, err


# -- unreadable video files --------------------------------------------------------------------------------------

def _write(path, data: bytes | str):
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _png_as_mp4(folder):
    ok, png = cv2.imencode(".png", np.zeros((64, 64, 3), np.uint8))
    return _write(folder / "input.mp4", png.tobytes())


def _directory(folder):
    (folder / "clips.mp4").mkdir()
    return folder / "clips.mp4"


def _truncated_mp4(tmp_path):
    full = write_video(tmp_path / "full.mp4", 40, (160, 120))
    cut = tmp_path / "input.mp4"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size * 2 // 3])  # OpenCV writes the index last: it is cut
    return cut


BAD_FILES = {
    "missing": (lambda p: p / "nothing-here.mp4", "not found"),
    "directory": (_directory, "is not a file"),
    "empty": (lambda p: _write(p / "input.mp4", b""), "empty (0 bytes)"),
    "text renamed .mp4": (lambda p: _write(p / "input.mp4", "hello\n" * 500), "Cannot read"),
    "png renamed .mp4": (_png_as_mp4, "still picture (PNG)"),
    "truncated mp4 (index lost)": (_truncated_mp4, "Cannot read"),
    "zero-frame mp4": (lambda p: write_video(p / "input.mp4", 0, (64, 48)), "Cannot read"),
    "zero-frame avi": (lambda p: write_video(p / "input.avi", 0, (64, 48), fourcc="MJPG"), "no frames"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_unreadable_video_is_an_input_error_in_process(tmp_path, case):
    make, needle = BAD_FILES[case]
    path = make(tmp_path)
    with pytest.raises(InputError, match=re.escape(needle)) as info:
        VideoFileSource(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("case", ["missing", "empty", "png renamed .mp4", "truncated mp4 (index lost)",
                                  "zero-frame avi"])
def test_unreadable_video_exits_2_with_one_line(tmp_path, case):
    make, needle = BAD_FILES[case]
    assert_one_line_error(medius("analyze", make(tmp_path), "--exercise", "clamshell"), 2, needle)


def test_truncated_avi_reads_the_frames_before_the_cut(tmp_path):
    """MJPEG-in-AVI has no index at the end: a cut file still holds its first frames, which are analysed."""
    full = write_video(tmp_path / "full.avi", 30, (160, 120), fourcc="MJPG")
    cut = tmp_path / "cut.avi"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    source = VideoFileSource(cut)
    times = [f.t_s for f in iter(source.read, None)]
    source.close()
    assert 5 <= len(times) < 30
    assert all(b > a for a, b in zip(times, times[1:]))


def test_every_must_be_positive():
    assert_one_line_error(medius("analyze", "x.mp4", "--exercise", "clamshell", "--every", "0"), 2, "--every")


# -- extreme frame sizes: analysed without a crash (nobody is found), and memory stays bounded ------------------

@pytest.mark.parametrize("size, fourcc", [((1, 1), "MJPG"), ((7680, 4320), "mp4v")], ids=["1x1", "8K"])
def test_extreme_frame_sizes_analyse_cleanly(tmp_path, size, fourcc):
    path = write_video(tmp_path / f"clip.{'avi' if fourcc == 'MJPG' else 'mp4'}", 3, size, fourcc=fourcc)
    result = medius("analyze", path, "--exercise", "side-lying-abduction", "--json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = json.loads(result.stdout)
    assert out["frames"] == 3 and out["reps"] == 0 and out["frames_with_pose"] == 0
    assert out["status_changes"][0]["status"] == "no_person"


# -- variable frame rate and broken timestamps: time always strictly increases ----------------------------------

def test_variable_frame_rate_mp4_keeps_every_frame_and_follows_the_container(tmp_path):
    cfr = write_video(tmp_path / "cfr.mp4", 20, (64, 48), fps=25.0)
    base = mp4_timescale(cfr) // 25
    # Irregular durations, two repeated presentation times (duration 0) and a 1-tick step; the total is unchanged
    # (FFmpeg drops frames beyond the track's recorded duration).
    deltas = [base, 3 * base, 0, 0, base // 2, base // 2, 4 * base, 1, base - 1, base // 4, 3 * base // 4] + [base] * 8
    assert len(deltas) == 19
    deltas.append(20 * base - sum(deltas))
    vfr = retime_mp4(cfr, tmp_path / "vfr.mp4", deltas)
    source = VideoFileSource(vfr)
    times = [f.t_s for f in iter(source.read, None)]
    source.close()
    assert len(times) == 20
    assert all(b > a for a, b in zip(times, times[1:])), times
    container = np.cumsum([0] + deltas[:-1]) / (25 * base)
    # Where the container's clock moves forward it is trusted (a 5-frame gap stays a gap)...
    assert times[7] == pytest.approx(container[7], abs=0.002)
    assert times[-1] == pytest.approx(container[-1], abs=0.002)
    # ...and where it repeats, the frame still gets a later time.
    assert times[3] > times[2] and times[4] > times[3]


def test_variable_frame_rate_file_runs_through_the_cli(tmp_path):
    cfr = write_video(tmp_path / "cfr.mp4", 12, (64, 48), fps=25.0)
    base = mp4_timescale(cfr) // 25
    deltas = [base, 0, 0, 4 * base, 1, base - 1, 0] + [base] * 4
    assert len(deltas) == 11
    deltas.append(12 * base - sum(deltas))
    vfr = retime_mp4(cfr, tmp_path / "vfr.mp4", deltas)
    result = medius("analyze", vfr, "--exercise", "step-down", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["frames"] == 12


class _FakeCapture:
    """What cv2.VideoCapture reports for a file whose presentation times misbehave."""

    def __init__(self, times_ms):
        self.times_ms = list(times_ms)
        self.i = -1

    def read(self):
        self.i += 1
        if self.i >= len(self.times_ms):
            return False, None
        return True, np.zeros((4, 4, 3), np.uint8)

    def get(self, prop):
        return self.times_ms[self.i] if prop == cv2.CAP_PROP_POS_MSEC else 0.0

    def release(self):
        pass


@pytest.mark.parametrize("times_ms", [
    [0, 40, 80, 20, 10, 120, 160],  # backwards
    [0, 40, 40, 40, 40, 200],  # repeated
    [0, math.nan, math.inf, -math.inf, 160, 200],  # not numbers
    [0, 40, 1e9, 120, 160],  # a wild jump forward
    [0, 0, 0, 0, 0, 0],  # a container with no times at all
    [5000, 4000, 3000, 2000, 1000, 0],  # running backwards throughout
])
def test_container_times_that_misbehave_still_give_strictly_increasing_times(tmp_path, times_ms):
    source = VideoFileSource(write_video(tmp_path / "v.avi", 2, (16, 16), fourcc="MJPG"))
    source._cap.release()
    source._pending, source._index, source._last_t_s = None, 0, -math.inf
    source._cap = _FakeCapture(times_ms)
    times = [f.t_s for f in iter(source.read, None)]
    assert len(times) == len(times_ms)
    assert all(math.isfinite(t) for t in times)
    assert all(b > a for a, b in zip(times, times[1:])), times
    # Never further from the nominal clock than the 5 s plausibility window.
    assert all(abs(t - i / source.fps) < 5.0 + 0.001 * i for i, t in enumerate(times))


# -- the pose model ----------------------------------------------------------------------------------------------

def _truncated_model(folder):
    _write(folder / "m.task", DEFAULT_MODEL_PATH.read_bytes()[:50_000])
    shutil.copy(DEFAULT_MODEL_PATH.with_name(DEFAULT_MODEL_PATH.name + ".sha256"), folder / "m.task.sha256")
    return folder / "m.task"


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


MODELS = {
    "missing": (lambda p: p / "none.task", "not found"),
    "empty": (lambda p: _write(p / "m.task", b""), "not a zip"),
    "not a zip": (lambda p: _write(p / "m.task", b"\x00" * 5000), "not a zip"),
    "zip without the models": (lambda p: _zip(p / "m.task", {"readme.txt": b"hi"}), "lacks"),
    "garbage tflite": (lambda p: _zip(p / "m.task", {"pose_detector.tflite": b"x" * 999,
                                                     "pose_landmarks_detector.tflite": b"y" * 999}),
                       "could not load"),
    "truncated with checksum": (_truncated_model, "damaged"),
}


@pytest.mark.parametrize("case", MODELS)
def test_bad_model_file_is_a_model_file_error(tmp_path, case):
    from app.adapters.pose_estimator import PoseEstimator

    make, needle = MODELS[case]
    path = make(tmp_path)
    with pytest.raises(ModelFileError, match=needle):
        PoseEstimator(path).close()


def test_bundled_model_is_intact():
    assert check_model_file() == DEFAULT_MODEL_PATH


@pytest.mark.parametrize("case", ["missing", "garbage tflite"])
def test_bad_model_exits_3_with_one_line(tmp_path, case):
    copy = tmp_path / "install"
    for part in ("app", "ui"):
        shutil.copytree(REPO / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    # The data package as installed (medius_assets), found in the working folder before the editable install's.
    models = copy / "medius_assets" / "models"
    models.mkdir(parents=True)
    shutil.copy(REPO / "assets" / "__init__.py", copy / "medius_assets")
    shutil.copytree(REPO / "assets" / "exercises", copy / "medius_assets" / "exercises")
    make, needle = MODELS[case]
    made = make(models)
    if made.exists():
        made.rename(models / DEFAULT_MODEL_PATH.name)
    video = write_video(tmp_path / "v.mp4", 3, (64, 48))
    assert_one_line_error(medius("analyze", video, "--exercise", "clamshell", cwd=copy), 3, needle)


def test_a_mediapipe_whose_native_library_does_not_load_exits_3_with_one_line(tmp_path):
    # A damaged install: the package is there but its shared library cannot be loaded (as in a bundle that
    # lost libmediapipe.so). The stand-in package fails its import exactly the way ctypes reports that.
    broken = tmp_path / "site" / "mediapipe"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text(
        'raise OSError("libmediapipe.so: cannot open shared object file: No such file or directory")\n')
    video = write_video(tmp_path / "v.mp4", 3, (64, 48))
    result = medius("analyze", video, "--exercise", "clamshell",
                    env_extra={"PYTHONPATH": str(tmp_path / "site")})
    assert_one_line_error(result, 3, "MediaPipe could not be loaded", "Reinstall")


# -- cameras -----------------------------------------------------------------------------------------------------

def test_camera_that_does_not_exist_is_a_clear_input_error():
    with pytest.raises(InputError, match="No camera at index 63") as info:
        open_source(63)
    assert "Settings" in str(info.value)


# -- unwritable data and config folders --------------------------------------------------------------------------

def _not_a_folder(tmp_path):
    """A path whose parent is a file: unwritable even for root (permissions would not stop root)."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    return blocker / "medius"


def test_unwritable_data_dir_history_exits_5_with_one_line(tmp_path):
    result = medius("history", env_extra={"MEDIUS_DATA_DIR": str(_not_a_folder(tmp_path))})
    assert_one_line_error(result, 5, "exercise log", "MEDIUS_DATA_DIR")


def test_unwritable_data_dir_analyze_log_exits_5_after_printing_nothing_misleading(tmp_path):
    video = write_video(tmp_path / "v.mp4", 3, (64, 48))
    result = medius("analyze", video, "--exercise", "clamshell", "--log",
                    env_extra={"MEDIUS_DATA_DIR": str(_not_a_folder(tmp_path))})
    assert_one_line_error(result, 5, "exercise log")
    assert "Recorded in the exercise log" not in result.stdout


def test_unwritable_config_dir_save_raises_oserror_and_load_gives_defaults(tmp_path, monkeypatch):
    from app.settings import Settings, load_settings, save_settings

    monkeypatch.setenv("MEDIUS_CONFIG_DIR", str(_not_a_folder(tmp_path)))
    loaded = load_settings()
    assert loaded.settings == Settings() and loaded.warnings == ()
    with pytest.raises(OSError):  # the GUI catches OSError and shows "Settings could not be saved" in its banner
        save_settings(Settings(rest_s=30.0))


# -- malformed and out-of-range settings -------------------------------------------------------------------------

@pytest.mark.parametrize("text, needle", [
    ("{not json", "could not be read"),
    ("[1, 2, 3]", "could not be read"),
    ("", "could not be read"),
    ("\xff\xfe garbage", "could not be read"),
    ('{"version": 1, "rest_s": "sixty"}', "should be a number"),
    ('{"version": 1, "mirror": "yes"}', "should be true or false"),
    ('{"version": 1, "plan": [1]}', "not a session description"),
    ('{"version": 99, "rest_s": 30}', "version 99"),
])
def test_malformed_settings_give_defaults_and_a_message(tmp_path, monkeypatch, text, needle):
    from app.settings import load_settings, settings_path

    monkeypatch.setenv("MEDIUS_CONFIG_DIR", str(tmp_path))
    settings_path().write_bytes(text.encode("latin-1"))
    loaded = load_settings()
    assert any(needle in w for w in loaded.warnings), loaded.warnings


@pytest.mark.parametrize("name, value, expect", [
    ("ceiling_deg", 500, 70.0),
    ("ceiling_deg", -10, 20.0),
    ("pelvic_drop_tol_deg", 1e308, 20.0),
    ("camera_index", -3, 0),
    ("camera_width", 100000, 3840),
    ("rest_s", -5, 0.0),
    # Python's JSON reads NaN and Infinity; these used to pass through as a NaN threshold or crash int().
    ("ceiling_deg", "NaN", None),
    ("pelvic_drop_tol_deg", "Infinity", None),
    ("camera_index", "NaN", 0),
    ("camera_height", "-Infinity", 720),
    ("rest_s", "1" + "0" * 400, 60.0),  # an integer no float can hold
])
def test_out_of_range_settings_are_clamped_or_reset_with_a_message(tmp_path, monkeypatch, name, value, expect):
    from app.settings import load_settings, save_settings, settings_path

    monkeypatch.setenv("MEDIUS_CONFIG_DIR", str(tmp_path))
    settings_path().write_text(f'{{"version": 1, "{name}": {value}}}')
    loaded = load_settings()
    assert getattr(loaded.settings, name) == expect
    assert len(loaded.warnings) == 1 and name in loaded.warnings[0]
    # What was loaded saves as strict JSON (no NaN) and loads back without complaint.
    save_settings(loaded.settings)
    json.loads(settings_path().read_text(), parse_constant=lambda c: pytest.fail(f"{c} written to settings"))
    assert load_settings().warnings == ()


def test_clamped_thresholds_reach_the_engine_within_range(tmp_path, monkeypatch):
    from app.engine.events import Exercise, Fault
    from app.settings import load_settings, settings_path
    from ui.engine import therapist_params

    monkeypatch.setenv("MEDIUS_CONFIG_DIR", str(tmp_path))
    settings_path().write_text('{"version": 1, "ceiling_deg": 1000, "pelvic_drop_tol_deg": NaN}')
    settings = load_settings().settings
    params = therapist_params(Exercise.SIDE_LYING_ABDUCTION, settings)
    assert params.fault_limits[Fault.LEG_ABOVE_HIP.value] == 70.0
    assert therapist_params(Exercise.STEP_DOWN, settings) is None  # NaN → the engine's default
