"""The exercise library: every shipped file loads; a bad file gets a message naming the file, the line and the
field, and never takes the good files down; `medius exercises` lists the library with each file's path."""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys

import pytest

from app.datafile import DataFileError
from app.engine import library
from app.engine.exercise_params import (CEILING_RANGE_DEG, DEFAULT_CEILING_DEG, DEFAULT_PELVIC_DROP_TOL_DEG,
                                        PELVIC_DROP_RANGE_DEG, default_params)
from app.engine.library import Exercise, load_spec
from medius_testdata import REPO

SHIPPED = REPO / "assets" / "exercises"
CLAMSHELL = (SHIPPED / "clamshell.toml").read_text(encoding="utf-8")


def test_every_shipped_file_loads_and_is_named_by_its_id():
    files = sorted(SHIPPED.glob("*.toml"))
    assert len(files) >= 3
    for path in files:
        spec = load_spec(path)
        assert spec.id == path.stem
        assert spec.title and spec.setup and spec.movement and spec.camera
    assert library.problems() == ()
    assert {"side-lying-abduction", "clamshell", "step-down"} <= {e.value for e in Exercise}


def test_exercise_ids_behave_like_the_enum_they_replaced():
    assert Exercise("clamshell") is Exercise.CLAMSHELL
    assert Exercise.STEP_DOWN.value == "step-down" and Exercise.STEP_DOWN == "step-down"
    assert Exercise(Exercise.CLAMSHELL) is Exercise.CLAMSHELL
    assert "clamshell" in Exercise and "yoga" not in Exercise
    with pytest.raises(ValueError, match="unknown exercise 'yoga'"):
        Exercise("yoga")
    assert json.dumps({"e": Exercise.CLAMSHELL}) == '{"e": "clamshell"}'


def test_the_settings_dialog_thresholds_match_their_exercise_files():
    ceiling = Exercise.SIDE_LYING_ABDUCTION.spec.fault("leg_above_hip")
    drop = Exercise.STEP_DOWN.spec.fault("pelvic_drop")
    assert (ceiling.limit, ceiling.limit_range) == (DEFAULT_CEILING_DEG, CEILING_RANGE_DEG)
    assert (drop.limit, drop.limit_range) == (DEFAULT_PELVIC_DROP_TOL_DEG, PELVIC_DROP_RANGE_DEG)
    params = default_params("side-lying-abduction")
    assert params.absolute_faults == {"leg_above_hip"} and params.limit_ranges["leg_above_hip"] == CEILING_RANGE_DEG
    assert params.kind == "reps" and params.hold_target_s is None


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _bad(tmp_path: pathlib.Path, old: str, new: str, name: str = "clamshell.toml") -> tuple[str, str]:
    assert old in CLAMSHELL, old
    text = CLAMSHELL.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_spec(path)
    return str(info.value), text


# (what is wrong, text replaced, replacement, the line holding this text is named, words the message must have)
BAD_FILES = [
    ("TOML syntax", 'enter = 20.0', 'enter = = 20.0', 'enter = = 20.0', ["not valid TOML"]),
    ("unknown measure", 'kind = "opening"', 'kind = "openness"', 'kind = "openness"',
     ["rep_signal.kind", "'openness' is not one of", "opening"]),
    ("misspelt key", 'min_up_s = 0.25', 'min_upp_s = 0.25', 'min_upp_s', ["rep_signal.min_upp_s", "unknown key"]),
    ("text for a number", 'enter = 20.0', 'enter = "twenty"', 'enter = "twenty"',
     ["rep_signal.enter", "expected a number", "'twenty'"]),
    ("exit above enter", 'exit = 12.0', 'exit = 25.0', 'exit = 25.0', ["rep_signal.exit", "must be below enter"]),
    ("limit outside its range", 'limit = 0.35', 'limit = 3.5', 'limit = 3.5',
     ["faults[1].limit", "outside its own range"]),
    ("unknown landmark role", 'between = ["ankle", "other_ankle"]\nmin_visibility',
     'between = ["ankle", "toe"]\nmin_visibility', '"toe"', ["faults[1].between", "'toe' is not a landmark role"]),
    ("wrong number of landmarks", 'between = ["ankle", "other_ankle"]\nmin_visibility',
     'between = ["ankle", "other_ankle", "knee"]\nmin_visibility', '"knee"]', ["faults[1].between", "needs 2 landmark roles"]),
    ("bad segment", 'segments = ["hip>knee", "other_hip>other_knee"]\nworld_below',
     'segments = ["hip-knee", "other_hip>other_knee"]\nworld_below', '"hip-knee"', ["rep_signal.segments", "'hip-knee'"]),
    ("newer format", 'format = 1', 'format = 7', 'format = 7', ["format 7 is newer", "update the app"]),
    ("id not the file name", 'id = "clamshell"', 'id = "clam"', 'id = "clam"', ["does not match the file name"]),
    ("unknown posture", 'name = "side-lying"', 'name = "hanging"', 'name = "hanging"', ["posture.name", "'hanging'"]),
    ("hold without [hold]", 'kind = "reps"', 'kind = "hold"', None, ["missing table [hold]"]),
    ("fault declared twice", 'code = "pelvis_roll_back"', 'code = "feet_apart"', None, ["'feet_apart' is declared twice"]),
    ("gate on an unknown metric", 'limit = 0.35', 'limit = 0.35\njudged_below_signal = 40.0\nbeyond_reason = "x"\n'
     'judged_by_metric = "knee_deg"', None, ["judged_by_metric", "'knee_deg' is not one of this file's [[metrics]]"]),
]


@pytest.mark.parametrize("case", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_bad_exercise_file_names_its_line_and_what_is_wrong(tmp_path, case):
    _, old, new, needle, words = case
    message, text = _bad(tmp_path, old, new)
    assert message.startswith("clamshell.toml"), message
    for w in words:
        assert w in message, message
    if needle is not None:
        assert f"line {_line_of(text, needle)}:" in message, message


def test_one_bad_file_leaves_the_rest_of_the_library_working(tmp_path, monkeypatch):
    for path in SHIPPED.glob("*.toml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "clamshell.toml").write_text(CLAMSHELL.replace("enter = 20.0", "enter = [20"), encoding="utf-8")
    # The same fault code with another cue than another file: one code must be one fault.
    step_down = (SHIPPED / "step-down.toml").read_text(encoding="utf-8")
    (tmp_path / "step-up.toml").write_text(step_down.replace('id = "step-down"', 'id = "step-up"')
                                           .replace('"Keep your hips level"', '"Hips level please"'), encoding="utf-8")
    monkeypatch.setenv("MEDIUS_EXERCISES_DIR", str(tmp_path))
    assert "clamshell" not in library.specs() and "step-down" in library.specs()
    messages = [str(p) for p in library.problems()]
    assert any(m.startswith("clamshell.toml, line") and "not valid TOML" in m for m in messages), messages
    assert any(m.startswith("step-up.toml") and "'pelvic_drop' has another message" in m for m in messages), messages


def test_medius_exercises_lists_the_library_with_each_files_path(tmp_path):
    out = subprocess.run([sys.executable, "-m", "ui.launcher", "exercises", "--json"], cwd=REPO,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    listed = json.loads(out.stdout)
    ids = [e["id"] for e in listed["exercises"]]
    assert {"side-lying-abduction", "clamshell", "step-down"} <= set(ids) and listed["problems"] == []
    for e in listed["exercises"]:
        assert pathlib.Path(e["path"]).name == f"{e['id']}.toml" and pathlib.Path(e["path"]).is_file()
    # A broken library folder: exit 1, and the broken file named with its line on stderr.
    (tmp_path / "clamshell.toml").write_text(CLAMSHELL.replace("exit = 12.0", "exit = 30.0"), encoding="utf-8")
    env = {**__import__("os").environ, "MEDIUS_EXERCISES_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "ui.launcher", "exercises"], cwd=REPO, capture_output=True,
                         text=True, timeout=60, env=env)
    assert out.returncode == 1
    assert re.search(r"clamshell\.toml, line \d+: rep_signal\.exit: 30 must be below enter", out.stderr), out.stderr
