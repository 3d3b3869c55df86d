"""Programme files: written by the app, read by another user's app, written by hand, and wrong in many ways.

Every bad file gets one line naming the file, the line and the problem; nothing else is raised."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.datafile import DataFileError
from app.engine.events import Exercise
from app.session.programme import (
    FORMAT_VERSION, Programme, ProgrammeEntry, default_limits, exercise_kind, limit_range, new_entry, to_plan,
)
from app.session.plan import MAX_SETS
from app.session.programme_file import load_programme, parse_programme, programme_toml, save_programme

TRICKY = 'Ànna "the hip" Müller \\ 李雷 — O\'Brien'
NOTE = "Slowly down.\nIf it hurts: stop \"at once\".\n\tTab, backslash \\ and '''triple''' quotes, ✓\n"


def rep_exercises():
    return [e for e in Exercise if exercise_kind(e) == "reps"]


def sample() -> Programme:
    abduction, clamshell = Exercise.SIDE_LYING_ABDUCTION, Exercise.CLAMSHELL
    code = next(iter(default_limits(abduction)))
    low, high = limit_range(abduction, code)
    return Programme(
        title="Week 3: \"strength\"", patient=TRICKY, therapist="J. Smith, PT", date=dt.date(2026, 12, 1),
        note=NOTE,
        entries=(
            ProgrammeEntry(abduction, sets=3, reps=12, sides="both", rest_s=45.5, limits=((code, (low + high) / 3),),
                           note=NOTE),
            ProgrammeEntry(clamshell, sets=2, reps=15, sides="left", rest_s=90, note="one line ‘quoted’"),
            *[new_entry(e) for e in Exercise if e not in (abduction, clamshell)],
        ))


def test_round_trip_app_to_file_to_another_app(tmp_path):
    p = sample()
    path = save_programme(p, tmp_path / p.suggested_file_name())
    assert path.name.endswith("-2026-12-01.medius.toml") and "/" not in path.name
    back = load_programme(path)  # a fresh read, as the patient's app does
    assert back == p
    assert back.content_hash() == p.content_hash()
    assert back.entries[0].note == NOTE and back.patient == TRICKY
    assert back.entries[0].limits == p.entries[0].limits
    # Writing what was read gives the same bytes: nothing drifts across repeated saves.
    assert programme_toml(back) == path.read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8").startswith("# Medius Coach exercise programme.")


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=60, deadline=None)
@given(title=_text.filter(lambda s: s.strip() and "\n" not in s), note=_text, entry_note=_text,
       rest=st.floats(0, 600, allow_nan=False))
def test_any_text_and_number_round_trips(title, note, entry_note, rest):
    p = Programme(title=title, patient="P", therapist="T", date=dt.date(2027, 1, 2), note=note,
                  entries=(ProgrammeEntry(rep_exercises()[0], rest_s=rest, note=entry_note),))
    assert parse_programme(programme_toml(p)) == p


def test_a_file_written_by_hand_reads_with_defaults():
    text = """\
# my own programme
format = "medius-programme"
version = 1
title = "Home programme"
patient = "Bo"
therapist = "Dr Ng"
date = "2026-11-30"

[[exercises]]
id = "clamshell"
sets = 2
reps = 15

[[exercises]]
id = "step-down"
sets = 3
reps = 8
sides = "auto"
note = '''
Hold the rail.'''

[exercises.limits]
pelvic_drop = 6
"""
    p = parse_programme(text)
    assert p.date == dt.date(2026, 11, 30) and p.note == ""
    clam, step = p.entries
    assert (clam.sides, clam.rest_s, clam.limits, clam.note) == ("both", 60.0, (), "")
    assert step.limits == (("pelvic_drop", 6.0),) and step.note == "Hold the rail."
    plan = to_plan(p, "bo.medius.toml")
    assert [b.sides for b in plan.blocks] == [("left", "right"), ("auto",)]
    assert plan.blocks[1].limits == (("pelvic_drop", 6.0),) and plan.name == "Home programme"
    assert plan.programme.file_name == "bo.medius.toml" and plan.programme.sha256 == p.content_hash()


GOOD = """\
format = "medius-programme"
version = 1
title = "T"
patient = "P"
therapist = "Th"
date = 2026-12-01

[[exercises]]
id = "side-lying-abduction"
sets = 3
reps = 10

[[exercises]]
id = "clamshell"
sets = 2
reps = 12
rest_s = 30
"""


def _line_of(text: str, fragment: str) -> int:
    """1-based line of the first line holding `fragment`, counted as TOML counts lines ("\n" only)."""
    return next(i for i, line in enumerate(text.split("\n"), 1) if fragment in line)


def _bad(text: str, fragment_line: str | None, *words: str) -> DataFileError:
    with pytest.raises(DataFileError) as info:
        parse_programme(text, "anna.medius.toml")
    err = info.value
    message = str(err)
    assert message.startswith("anna.medius.toml, line ") and "\n" not in message
    if fragment_line is not None:
        assert err.line == _line_of(text, fragment_line), message
    for w in words:
        assert w in message, message
    return err


def test_the_good_file_is_good():
    assert len(parse_programme(GOOD).entries) == 2


def test_syntax_error_names_its_line():
    _bad(GOOD.replace("sets = 2", "sets = = 2"), "sets = = 2", "not valid TOML")


def test_unknown_exercise_id():
    err = _bad(GOOD.replace('"clamshell"', '"clamshel"'), "clamshel", "unknown exercise 'clamshel'", "clamshell")
    assert "exercises[2].id" in str(err)


def test_missing_required_key():
    _bad(GOOD.replace("reps = 12\n", ""), None, "exercises[2]", "missing required key 'reps'")
    _bad(GOOD.replace('patient = "P"\n', ""), None, "missing required key 'patient'")


def test_wrong_type_text_for_sets():
    _bad(GOOD.replace("sets = 2", 'sets = "two"'), 'sets = "two"', "exercises[2].sets", "expected a whole number",
         "'two'")


@pytest.mark.parametrize("old,new,words", [
    ("sets = 2", "sets = 0", ("sets", "0 is outside the range 1 to")),
    ("rest_s = 30", "rest_s = -5", ("rest_s", "-5 is outside the range 0 to")),
    ("reps = 12", "reps = 500", ("reps", "500 is outside the range")),
])
def test_out_of_range_numbers(old, new, words):
    _bad(GOOD.replace(old, new), new, *words)


def test_a_threshold_code_the_exercise_does_not_have():
    other = next(c for e in Exercise for c in default_limits(e) if c not in default_limits(Exercise.CLAMSHELL))
    text = GOOD + f"\n[exercises.limits]\n{other} = 10\n"
    _bad(text, f"{other} = 10", f"'clamshell' has no fault '{other}'", "its faults:")


def test_a_threshold_outside_its_range():
    code = next(iter(default_limits(Exercise.SIDE_LYING_ABDUCTION)))
    low, high = limit_range(Exercise.SIDE_LYING_ABDUCTION, code)
    text = GOOD.replace("reps = 10\n", f"reps = 10\n\n[exercises.limits]\n{code} = {high + 1:g}\n")
    _bad(text, f"{code} = ", f"exercises[1].limits.{code}", "outside the range", f"{low:g} to {high:g}")


def test_a_newer_format_version_asks_to_update_the_app():
    _bad(GOOD.replace("version = 1", f"version = {FORMAT_VERSION + 1}") + "new_key_of_the_future = 1\n",
         "version =", "made by a newer Medius Coach", "update the app")


def test_not_a_programme_at_all():
    _bad(GOOD.replace('format = "medius-programme"', 'format = "medius-exercise"'), "format =",
         "not a Medius Coach programme")


def test_unknown_key_typo():
    _bad(GOOD.replace("rest_s = 30", "rest_sec = 30"), "rest_sec", "rest_sec", "unknown key", "rest_s")
    _bad(GOOD.replace('title = "T"', 'titel = "T"'), "titel", "unknown key")


def test_an_empty_exercise_list():
    head = GOOD.split("[[exercises]]")[0]
    _bad(head + "exercises = []\n", "exercises = []", "no exercises")
    _bad(head, None, "no exercises", "[[exercises]]")


def test_the_same_exercise_twice():
    text = GOOD.replace('"clamshell"', '"side-lying-abduction"')
    err = _bad(text, None, "already in this programme", "exercise 1")
    second = [i for i, line in enumerate(text.splitlines(), 1) if "side-lying-abduction" in line][1]
    assert err.line == second


def test_a_bad_date():
    _bad(GOOD.replace("date = 2026-12-01", 'date = "1 Dec"'), "date =", "expected a date like 2026-12-01")


def test_reps_for_a_hold_and_hold_s_for_a_rep_exercise():
    _bad(GOOD.replace("reps = 12", "hold_s = 30"), "hold_s = 30", "counted in reps", "not hold_s")
    holds = [e for e in Exercise if exercise_kind(e) == "hold"]
    if not holds:
        pytest.skip("the exercise library has no timed hold yet (ExerciseParams.kind)")
    text = GOOD.replace('"clamshell"', f'"{holds[0].value}"')
    _bad(text, "reps = 12", "timed hold", "hold_s")
    good = parse_programme(text.replace("reps = 12", "hold_s = 25"))
    assert good.entries[1].hold_s == 25.0 and good.entries[1].reps is None


def test_file_level_problems_name_the_file(tmp_path):
    with pytest.raises(DataFileError, match="file not found"):
        load_programme(tmp_path / "missing.medius.toml")
    binary = tmp_path / "x.medius.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DataFileError, match="x.medius.toml: not a text file"):
        load_programme(binary)


def test_medius_program_with_a_bad_file_is_one_line_on_the_terminal(tmp_path):
    """`medius --program FILE` checks the file before any window opens: exit 2 and the file's error."""
    import os
    import subprocess
    import sys

    from medius_testdata import REPO

    bad = tmp_path / "anna.medius.toml"
    bad.write_text(GOOD.replace("sets = 2", "sets = 0"), encoding="utf-8")
    env = {**os.environ, "MEDIUS_LOG_DIR": str(tmp_path / "logs"), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "ui.launcher", "--program", str(bad)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    line = _line_of(GOOD, "sets = 2")
    assert result.stderr.strip() == (f"medius: the programme cannot be opened: anna.medius.toml, line {line}: "
                                     f"exercises[2].sets: 0 is outside the range 1 to {MAX_SETS}")


def test_a_note_that_reads_like_toml_keeps_error_lines_right():
    """A note line like "[[exercises]]" or "sets = 99" is written escaped, so the line search of a later error
    still points at the real key."""
    tricky = "Like this:\n[[exercises]]\nsets = 99\n"
    p = parse_programme(GOOD)
    p = Programme(p.title, p.patient, p.therapist, p.date, (
        ProgrammeEntry(p.entries[0].exercise, sets=3, reps=10, note=tricky), p.entries[1]))
    text = programme_toml(p)
    assert parse_programme(text) == p
    broken = text.replace("sets = 2", "sets = 0")
    _bad(broken, "sets = 0", "exercises[2].sets")


def test_the_documented_example_is_a_valid_programme():
    """The example in app.session.programme_file's docstring is what a therapist copies: it must read."""
    import textwrap

    import app.session.programme_file as module

    doc = module.__doc__
    example = textwrap.dedent(doc[doc.index("    format ="):doc.index("Reading goes")])
    p = parse_programme(example)
    assert p.entries[0].limits == (("leg_above_hip", 35.0),) and p.note == "Stop if it hurts."


def test_another_app_process_reads_the_same_programme(tmp_path):
    """App -> file -> another user's app: a fresh interpreter reads the same content hash and entries."""
    import json
    import subprocess
    import sys

    from medius_testdata import REPO

    p = sample()
    path = save_programme(p, tmp_path / p.suggested_file_name())
    code = ("import json, sys; from app.session.programme_file import load_programme; "
            "q = load_programme(sys.argv[1]); print(json.dumps([q.content_hash(), q.to_json()]))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], cwd=REPO, capture_output=True, text=True,
                         timeout=120, check=True)
    digest, data = json.loads(out.stdout)
    assert digest == p.content_hash() and data == p.to_json()


def test_an_inline_limits_table_is_found_on_its_own_line():
    """Entry 1 writes its limits inline, entry 2 as a [exercises.limits] table: an error in entry 1's limits
    names entry 1's line, not entry 2's header."""
    code = next(iter(default_limits(Exercise.SIDE_LYING_ABDUCTION)))
    clam = next(iter(default_limits(Exercise.CLAMSHELL)))
    text = (GOOD.replace("reps = 10\n", f"reps = 10\nlimits = {{ {code} = 9999 }}\n")
            + f"\n[exercises.limits]\n{clam} = {default_limits(Exercise.CLAMSHELL)[clam]}\n")
    _bad(text, "limits = {", f"exercises[1].limits.{code}", "outside the range")


def test_unusual_line_breaks_in_a_note_keep_error_lines_right():
    """U+2028, NEL and form feeds are written as escapes, and lines are counted as TOML counts them."""
    p = parse_programme(GOOD)
    odd = "a\u2028b\x85c\x0cd\u2029e"
    p = Programme(p.title, p.patient, p.therapist, p.date, (
        ProgrammeEntry(p.entries[0].exercise, sets=3, reps=10, note=odd), p.entries[1]), note=odd)
    text = programme_toml(p)
    assert "\u2028" not in text and "\x85" not in text and parse_programme(text) == p
    _bad(text.replace("sets = 2", "sets = 0"), "sets = 0", "exercises[2].sets")
    # A hand-written file with a raw U+2028 inside a string: the line of a later error is still right.
    raw = GOOD.replace('title = "T"', 'title = "T\u2028U"')
    _bad(raw.replace("sets = 2", "sets = 0"), "sets = 0", "exercises[2].sets")


def test_a_programme_made_in_code_follows_the_files_rules():
    ok = parse_programme(GOOD)
    with pytest.raises(ValueError, match="patient must be one non-empty line"):
        Programme(ok.title, " ", ok.therapist, ok.date, ok.entries)
    with pytest.raises(ValueError, match="at least one exercise"):
        Programme(ok.title, ok.patient, ok.therapist, ok.date, ())
    with pytest.raises(ValueError, match="once"):
        Programme(ok.title, ok.patient, ok.therapist, ok.date, (ok.entries[0], ok.entries[0]))
    with pytest.raises(ValueError, match="rep exercise takes reps"):
        ProgrammeEntry(Exercise.CLAMSHELL, reps=None, hold_s=10)
    code = next(iter(default_limits(Exercise.CLAMSHELL)))
    with pytest.raises(ValueError, match=f"the {code} limit must be"):
        ProgrammeEntry(Exercise.CLAMSHELL, limits=((code, limit_range(Exercise.CLAMSHELL, code)[1] * 2),))
    with pytest.raises(ValueError, match="once"):
        ProgrammeEntry(Exercise.CLAMSHELL, limits=((code, default_limits(Exercise.CLAMSHELL)[code]),) * 2)
    assert ProgrammeEntry("clamshell").exercise is not None  # an id given as text is checked and kept


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 3),
                          st.sampled_from(list('="[]\n0-9.aZ#\'\\{},x ') + ["", "\u2028", "é", "true", "-1"])),
                min_size=1, max_size=4))
def test_a_mangled_file_gives_a_programme_or_one_clear_line_never_a_crash(edits):
    """Random edits of a good file (delete, insert, replace characters): the reader returns a programme or a
    DataFileError whose message is one line naming the file; nothing else escapes."""
    text = GOOD
    for pos, cut, new in edits:
        pos = min(pos, len(text))
        text = text[:pos] + new + text[pos + cut:]
    try:
        parse_programme(text, "anna.medius.toml")
    except DataFileError as err:
        assert str(err).startswith("anna.medius.toml") and "\n" not in str(err)


def test_a_wrong_value_with_line_breaks_is_shown_on_one_line():
    err = _bad(GOOD.replace("sets = 2", 'sets = """two\nor three"""'), 'sets = """two', "exercises[2].sets",
               "expected a whole number", "'two\\nor three'")
    assert "\n" not in str(err)
    long = "x" * 500
    err = _bad(GOOD.replace("sets = 2", f'sets = "{long}"'), 'sets = "x', "…")
    assert len(str(err)) < 200
