"""The single-leg stance tests' section of the therapist report (app.reports.export): a left/right trend of the free-hip
drop with the camera's uncertainty, and a table of the tests. HTML with an inline SVG; no Qt.

The drop is signed (+ below the standing hip line, − above), so this chart draws negative values, which the
shared charts of app.reports.svg_chart (counts and angles from zero up) do not.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from app.stance.verdict import CAMERA_UNCERTAINTY_DEG
from app.storage.repository import Store
from app.storage.stance_log import StanceBoutRecord, StanceTestRecord, stance_tests
from app.reports.svg_chart import SIDE_COLOURS

WIDTH, HEIGHT = 520, 170
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 36, 22


def _side_cell(b: StanceBoutRecord | None) -> str:
    if b is None:
        return "not tested"
    if b.max_pelvic_drop_deg is None or b.verdict == "not judged":
        return f"not judged: {escape(b.reason)}"
    lean = "" if b.trunk_lean_deg is None else f", trunk {b.trunk_lean_deg:+.0f}°"
    return (f"<b>{escape(b.verdict)}</b> {b.max_pelvic_drop_deg:+.0f}° ±{CAMERA_UNCERTAINTY_DEG:.0f}°{lean}, "
            f"held {b.duration_s:.0f} s")


def trend_svg(tests: list[StanceTestRecord]) -> str:
    """Worst-1-s drop per test and side over time (oldest left), each with a ±uncertainty bar."""
    pts = []
    for t in tests:
        for leg in ("left", "right"):
            b = t.side(leg)
            if b is not None and b.verdict != "not judged" and b.max_pelvic_drop_deg is not None:
                pts.append((dt.date.fromisoformat(t.local_day).toordinal() + t.started_utc_s % 86400 / 86400.0,
                            leg, b.max_pelvic_drop_deg))
    if not pts:
        return ""
    tol = tests[0].drop_tolerance_deg
    x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
    if x1 - x0 < 7:
        x1 = x0 + 7
    values = [p[2] for p in pts] + [tol]
    y0 = min(-5.0, min(values) - CAMERA_UNCERTAINTY_DEG)
    y1 = max(values) + CAMERA_UNCERTAINTY_DEG
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(x):
        return LEFT + (x - x0) / (x1 - x0) * pw

    def sy(y):
        return TOP + (y1 - y) / (y1 - y0) * ph

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {WIDTH} {HEIGHT}' font-size='10'>",
             f"<text x='{LEFT}' y='14' font-weight='bold'>Free-hip drop on one leg, worst 1 s "
             f"(bars: ±{CAMERA_UNCERTAINTY_DEG:.0f}° camera uncertainty)</text>"]
    for y, colour, label in ((0.0, "#999", "0°"), (tol, "#b3261e", f"tolerance {tol:.0f}°")):
        parts.append(f"<line x1='{LEFT}' x2='{WIDTH - RIGHT}' y1='{sy(y):.1f}' y2='{sy(y):.1f}' stroke='{colour}' "
                     f"stroke-dasharray='{'' if y == 0 else '4 3'}'/>"
                     f"<text x='{LEFT - 4}' y='{sy(y) + 3:.1f}' text-anchor='end' fill='{colour}'>{label.split()[-1]}"
                     f"</text>")
    for i in range(3):
        o = x0 + (x1 - x0) * i / 2
        anchor = ("start", "middle", "end")[i]
        parts.append(f"<text x='{sx(o):.1f}' y='{HEIGHT - 6}' text-anchor='{anchor}' fill='#444'>"
                     f"{dt.date.fromordinal(int(o)).strftime('%d %b %y')}</text>")
    for leg in ("left", "right"):
        mine = sorted((x, v) for x, side, v in pts if side == leg)
        if not mine:
            continue
        c = SIDE_COLOURS.get(leg, "#555")
        parts.append("<polyline fill='none' stroke='{}' stroke-width='1.6' points='{}'/>".format(
            c, " ".join(f"{sx(x):.1f},{sy(v):.1f}" for x, v in mine)))
        for x, v in mine:
            parts.append(f"<line x1='{sx(x):.1f}' x2='{sx(x):.1f}' y1='{sy(v + CAMERA_UNCERTAINTY_DEG):.1f}' "
                         f"y2='{sy(v - CAMERA_UNCERTAINTY_DEG):.1f}' stroke='{c}' stroke-opacity='0.45'/>"
                         f"<circle cx='{sx(x):.1f}' cy='{sy(v):.1f}' r='2.8' fill='{c}'/>")
    parts.append(f"<text x='{LEFT}' y='27'>"
                 f"<tspan fill='{SIDE_COLOURS.get('left')}'>■ standing on left</tspan> "
                 f"<tspan fill='{SIDE_COLOURS.get('right')}'>■ standing on right</tspan></text></svg>")
    return "".join(parts)


def stance_report_html(store: Store, *, since_day: str | None = None, until_day: str | None = None,
                       max_rows: int = 8) -> str:
    """The report's section, or "" when no stance test was logged in the period."""
    tests = list(reversed(stance_tests(store, since_day=since_day, until_day=until_day)))  # oldest first
    if not tests:
        return ""
    rows = []
    for t in tests[-max_rows:]:
        diff = t.left_minus_right_deg()
        rows.append(f"<tr><td align='left'>{escape(t.local_day)}</td><td align='left'>{_side_cell(t.side('left'))}"
                    f"</td><td align='left'>{_side_cell(t.side('right'))}</td>"
                    f"<td>{'–' if diff is None else f'{diff:+.0f}°'}</td></tr>")
    more = f" (the last {max_rows} of {len(tests)})" if len(tests) > max_rows else ""
    return (f"<h2>Single-leg stance test (Trendelenburg){more}</h2>"
            f"<div class='charts'><div>{trend_svg(tests)}</div></div>"
            "<table><tr><th align='left'>Day</th><th align='left'>Standing on the left</th>"
            "<th align='left'>Standing on the right</th><th>Left − right</th></tr>" + "".join(rows) + "</table>"
            f"<p class='unjudged'>Drop of the free-side hip against the person's own two-leg standing posture "
            f"(positive beyond {tests[-1].drop_tolerance_deg:.0f}°, or when the trunk leans over the stance leg). "
            f"A single camera measures pelvic tilt to about ±{CAMERA_UNCERTAINTY_DEG:.0f}°: read the trend, "
            "not one test.</p>")


def stance_tests_json(store: Store, *, since_day: str | None = None, until_day: str | None = None) -> list[dict]:
    """The period's stance tests for `medius export --format json`, oldest first, every bout as logged."""
    out = []
    for t in reversed(stance_tests(store, since_day=since_day, until_day=until_day)):
        out.append({"id": t.id, "local_day": t.local_day, "started_utc_s": t.started_utc_s, "source": t.source,
                    "drop_tolerance_deg": t.drop_tolerance_deg, "lean_tolerance_deg": t.lean_tolerance_deg,
                    "not_judged_reason": t.not_judged_reason or None,
                    "uncertainty_deg": CAMERA_UNCERTAINTY_DEG, "left_minus_right_deg": t.left_minus_right_deg(),
                    "bouts": [dict(b.__dict__) for b in t.bouts]})
    return out
