"""Export (CSV, JSON, HTML report) and the `history` / `export` CLI on a real log file."""

import csv
import datetime as dt
import io
import json
import re

import pytest

from app.cli import history as cli_history

from app.reports import export
from app.engine.events import FormWarning, RepCompleted
from app.storage import SessionRecord, SetRecord, Store


@pytest.fixture(autouse=True)
def _env(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIUS_DATA_DIR", str(tmp_path / "data"))


def _session(day: dt.date, k: int) -> SessionRecord:
    t = dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.timezone.utc).timestamp()
    sets = []
    for j, (ex, side) in enumerate([("clamshell", "left"), ("clamshell", "right"), ("step-down", "left")]):
        reps = [RepCompleted(i, side, 3.0 * i + 0.123456789, 3.0 * i + 1.5, 3.0 * i + 2.75, 35.0 + k + i / 7,
                             ("pelvis_roll_back", "too_fast") if (i + k) % 4 == 0 else ()) for i in range(1, 6)]
        sets.append(SetRecord(ex, side, t + 100 * j, 10, 5, t + 100 * j + 40, "camera:0", reps,
                              [FormWarning(4.5, "pelvis_roll_back", 11.25, "Keep your hips stacked")]))
    return SessionRecord(started_utc_s=t, ended_utc_s=t + 400, plan_name="Plan, \"A\"", notes="ok", source="camera:0",
                         local_day=day.isoformat(), sets=sets)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "h.db"
    with Store(path) as store:
        for k in range(10):
            store.import_session(_session(dt.date(2026, 10, 1) + dt.timedelta(days=2 * k), k))
    return path


def test_csv_reps_one_row_per_rep_with_exact_numbers(db):
    with Store(db) as store:
        buf = io.StringIO()
        n = export.write_csv(store, buf, since_day="2026-10-11")
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert n == len(rows) == 5 * 3 * 5  # sessions from 10-11 on: days 11,13,15,17,19
    first = rows[0]
    assert first["local_day"] == "2026-10-11" and first["plan_name"] == 'Plan, "A"'
    assert float(first["t_start_s"]) == 3.123456789 and first["exercise"] == "clamshell"
    assert any(r["faults"] == "pelvis_roll_back;too_fast" for r in rows)


@pytest.mark.parametrize("table, expected", [("sessions", 10), ("sets", 30), ("faults", 30)])
def test_csv_other_tables(db, table, expected):
    with Store(db) as store:
        buf = io.StringIO()
        assert export.write_csv(store, buf, table=table) == expected


def test_json_is_complete_and_exact(db):
    with Store(db) as store:
        buf = io.StringIO()
        export.write_json(store, buf)
        original = store.get_session(3)
    data = json.loads(buf.getvalue())
    assert data["format"] == "medius-coach-history" and len(data["sessions"]) == 10
    s = data["sessions"][2]
    assert s["id"] == 3 and s["exercises"] == ["clamshell", "step-down"]
    rep = s["sets"][1]["reps"][3]
    want = original.sets[1].reps[3]
    assert (rep["t_start_s"], rep["peak_deg"], tuple(rep["faults"])) == (want.t_start_s, want.peak_deg, want.faults)
    assert s["sets"][0]["fault_events"][0] == {"t_s": 4.5, "code": "pelvis_roll_back", "value": 11.25,
                                               "message": "Keep your hips stacked"}
    assert s["started_utc"].endswith("T09:00:00Z")


def test_html_report_has_charts_sides_faults_and_trend(db):
    with Store(db) as store:
        html = export.build_report_html(store, since_day="2026-10-01", until_day="2026-10-31",
                                        today=dt.date(2026, 10, 31), patient="J. Doe")
    assert html.count("<svg") == 6  # 3 charts for each of 2 exercises
    assert "Clamshell" in html and "Step-down" in html and "J. Doe" in html
    assert "Pelvis rolls back" in html and "Too fast" in html
    assert re.search(r"<td align='left'>Clamshell</td><td align='left'>left</td><td>10</td><td>10</td><td>50</td>", html)
    assert "ROM" in html and "01 Oct 2026 – 31 Oct 2026" in html


def test_empty_report_says_so(tmp_path):
    with Store(tmp_path / "empty.db") as store:
        html = export.build_report_html(store)
    assert "No exercise was logged in this period." in html


def test_cli_history_and_session_detail(db, capsys):
    assert cli_history.main(["history", "--db", str(db), "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert "10 sessions on 10 days, 30 sets, 150 reps" in out
    assert out.count("2026-10-") >= 3 and "Clamshell, Step-down" in out
    assert cli_history.main(["history", "--db", str(db), "--session", "2"]) == 0
    out = capsys.readouterr().out
    assert "set 1: Clamshell, left side, 5/10 reps" in out and "Pelvis rolls back" in out
    assert "! " in out and "Keep your hips stacked" in out


def test_cli_export_formats(db, tmp_path, capsys):
    for fmt in ("csv", "json", "html"):
        out = tmp_path / f"x.{fmt}"
        assert cli_history.main(["export", "--db", str(db), "--format", fmt, "--since", "2026-10-15",
                                 "--out", str(out)]) == 0
        assert out.stat().st_size > 200
    assert len(json.loads((tmp_path / "x.json").read_text())["sessions"]) == 3
    assert cli_history.main(["export", "--db", str(db), "--format", "csv", "--out", "-", "--table",
                             "sessions"]) == 0
    assert capsys.readouterr().out.count("\n") == 11


def test_cli_errors_are_clear(db, tmp_path, capsys):
    assert cli_history.main(["export", "--db", str(db), "--since", "last tuesday"]) == 2
    assert "Cannot read the date 'last tuesday'" in capsys.readouterr().err
    cli_history.set_pdf_writer(None)
    assert cli_history.main(["export", "--db", str(db), "--format", "pdf", "--out", str(tmp_path / "r.pdf")]) == 2
    assert "PDF export needs the GUI toolkit" in capsys.readouterr().err
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 500)
    assert cli_history.main(["history", "--db", str(bad)]) == 5
    assert "is damaged" in capsys.readouterr().err


def test_parse_day():
    today = dt.date(2026, 11, 21)
    assert cli_history.parse_day("30d", today=today) == "2026-10-22"
    assert cli_history.parse_day("2w", today=today) == "2026-11-07"
    assert cli_history.parse_day("2026-01-05") == "2026-01-05"


# ---- faults a rep could not be judged on ------------------------------------------------------------------------

OVERLAP = ("pelvis_roll_back", "hips overlap from this camera angle")
FEET = ("feet_apart", "feet not clearly seen")


@pytest.fixture
def unjudged_db(tmp_path):
    """Two clamshell sessions of one set each: the first set's reps 1-3 could not judge the pelvis (rep 3 not the
    feet either); the second set was judged throughout. Plus one step-down set with nothing unjudged."""
    path = tmp_path / "u.db"
    t = dt.datetime(2026, 10, 5, 9, tzinfo=dt.timezone.utc).timestamp()

    def reps(unjudged_for):
        return [RepCompleted(i, "left", 3.0 * i, 3.0 * i + 1.0, 3.0 * i + 2.0, 40.0, (),
                             unjudged_for.get(i, ())) for i in range(1, 5)]

    with Store(path) as store:
        store.import_session(SessionRecord(started_utc_s=t, local_day="2026-10-05", sets=[
            SetRecord("clamshell", "left", t, 4, 4, t + 60, "camera:0",
                      reps({1: (OVERLAP,), 2: (OVERLAP,), 3: (OVERLAP, FEET)})),
            SetRecord("step-down", "left", t + 100, 4, 4, t + 160, "camera:0", reps({}))]))
        store.import_session(SessionRecord(started_utc_s=t + 86400, local_day="2026-10-06", sets=[
            SetRecord("clamshell", "left", t + 86400, 4, 4, t + 86460, "camera:0", reps({}))]))
    return path


def test_json_export_has_unjudged_per_rep(unjudged_db):
    with Store(unjudged_db) as store:
        buf = io.StringIO()
        export.write_json(store, buf)
    first_set = json.loads(buf.getvalue())["sessions"][0]["sets"][0]
    assert [r["unjudged"] for r in first_set["reps"]] == [
        [{"code": OVERLAP[0], "reason": OVERLAP[1]}]] * 2 + [
        [{"code": OVERLAP[0], "reason": OVERLAP[1]}, {"code": FEET[0], "reason": FEET[1]}], []]
    assert first_set["reps"][0]["faults"] == []  # not judged is not a fault


def test_csv_reps_table_has_an_unjudged_column(unjudged_db):
    with Store(unjudged_db) as store:
        buf = io.StringIO()
        export.write_csv(store, buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert list(rows[0])[-2:] == ["faults", "unjudged"]
    assert [r["unjudged"] for r in rows[:4]] == [
        "pelvis_roll_back: hips overlap from this camera angle"] * 2 + [
        "pelvis_roll_back: hips overlap from this camera angle;feet_apart: feet not clearly seen", ""]
    assert all(r["unjudged"] == "" for r in rows[4:])


def test_report_says_per_exercise_which_faults_were_not_judged_in_how_many_sets(unjudged_db):
    with Store(unjudged_db) as store:
        html = export.build_report_html(store, since_day="2026-10-01", until_day="2026-10-31",
                                        today=dt.date(2026, 10, 31))
    line = ("<p class='unjudged'>Not judged: Pelvis rolls back in 1 of 2 sets (hips overlap from this camera angle)"
            " · Feet apart in 1 of 2 sets (feet not clearly seen).</p>")
    assert html.count("<p class='unjudged'>") == 1  # one line for clamshell, none for the judged step-downs
    assert line in html
    assert html.index("<h2>Clamshell</h2>") < html.index(line) < html.index("<h2>Step-down</h2>")
    assert "neither a fault nor good form" in html


def test_report_without_unjudged_faults_has_no_such_line(db):
    with Store(db) as store:
        html = export.build_report_html(store, today=dt.date(2026, 10, 31))
    assert "not judged" not in html.lower()


def test_cli_session_detail_says_once_per_set_what_was_not_judged(unjudged_db, capsys):
    outs = []
    for sid in (1, 2):
        assert cli_history.main(["history", "--db", str(unjudged_db), "--session", str(sid)]) == 0
        outs.append(capsys.readouterr().out)
    first_day = next(o for o in outs if "2026-10-05" in o)
    assert first_day.count("? Pelvis not judged on 3 of 4 reps: hips overlap from this camera angle") == 1
    assert first_day.count("? Feet not judged on 1 of 4 reps: feet not clearly seen") == 1
    assert "not judged" not in next(o for o in outs if "2026-10-06" in o)
