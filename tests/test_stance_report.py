"""The therapist report's single-leg stance section, from a real log file."""

from __future__ import annotations

import datetime as dt

from app.reports.export import build_report_html
from app.reports.stance_report import stance_report_html
from app.stance.bouts import StanceResult
from app.stance.verdict import NOT_JUDGED, BoutResult, StanceParams
from app.storage import Store
from app.storage.stance_log import add_stance_test

TODAY = dt.date(2026, 11, 30)


def bout(leg, drop, verdict="negative", reason="pelvis level within 5°"):
    return BoutResult(leg, 2.0, 22.0, 20.0, drop, None if drop is None else drop - 1.0,
                      None if drop is None else 2.0, verdict, reason, ended_by="held the full 30 s")


def noon(days_ago):
    return dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(12)).timestamp()


def test_report_has_the_stance_trend_and_table_with_signed_drops_and_not_judged_reasons(tmp_path):
    with Store(tmp_path / "log.db") as store:
        add_stance_test(store, StanceResult(None, (0, 2), [bout("left", 8.0, "positive", "dropped 8°"),
                                                           bout("right", -3.0)], StanceParams()),
                        started_utc_s=noon(14))
        add_stance_test(store, StanceResult(None, (0, 2), [
            bout("left", 4.0), bout("right", None, NOT_JUDGED, "camera not square-on")], StanceParams()),
            started_utc_s=noon(0))
        html = build_report_html(store, today=TODAY)
        assert stance_report_html(store, since_day=TODAY.isoformat()).count("<tr>") == 2  # header + today's
    assert "Single-leg stance test (Trendelenburg)" in html
    assert "<b>positive</b> +8° ±7°" in html and "<b>negative</b> -3° ±7°" in html
    assert "not judged: camera not square-on" in html
    assert "+11°" in html  # left − right of the first test
    svg = html[html.index("Free-hip drop on one leg"):]
    assert svg.count("<circle") == 3  # the not-judged side has no point
    assert "read the trend" in html


def test_json_export_carries_every_bout_with_nulls_for_what_was_not_measured(tmp_path):
    import io
    import json

    from app.reports.export import write_json

    with Store(tmp_path / "log.db") as store:
        add_stance_test(store, StanceResult(None, (0, 2), [bout("left", 6.0, "positive", "dropped 6°"),
                                                           bout("right", None, NOT_JUDGED, "hips hidden")],
                                            StanceParams(drop_tolerance_deg=4.0)), started_utc_s=noon(1))
        buf = io.StringIO()
        write_json(store, buf)
    (test,) = json.loads(buf.getvalue())["stance_tests"]
    assert test["drop_tolerance_deg"] == 4.0 and test["uncertainty_deg"] == 7.0
    left, right = test["bouts"]
    assert left["max_pelvic_drop_deg"] == 6.0 and left["verdict"] == "positive"
    assert right["max_pelvic_drop_deg"] is None and right["reason"] == "hips hidden"


def test_no_stance_test_no_section(tmp_path):
    with Store(tmp_path / "log.db") as store:
        assert stance_report_html(store) == ""
        assert "Trendelenburg" not in build_report_html(store, today=TODAY)
