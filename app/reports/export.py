"""Export the exercise log: CSV and JSON of sessions/sets/reps, and a one-page HTML report for a physiotherapist.

No Qt here (app/ never imports it): the report's charts are inline SVG drawn by `app.reports.svg_chart`; `ui.history_pdf`
turns the same HTML into a PDF where Qt is available.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import pathlib
from collections import defaultdict
from html import escape

from app import __version__
from app.engine import library
from app.storage import SessionRecord, Store
from app.reports.svg_chart import date_line_chart, grouped_bar_chart, horizontal_bars

FORMATS = ("csv", "json", "html", "pdf")
CSV_TABLES = ("reps", "sets", "sessions", "faults")

EXERCISE_LABELS = {
    "side-lying-abduction": "Side-lying hip abduction",
    "clamshell": "Clamshell",
    "step-down": "Step-down",
}
FAULT_LABELS = {
    "leg_above_hip": "Leg above hip height",
    "pelvis_roll_back": "Pelvis rolls back",
    "leg_forward": "Leg drifts forward",
    "knee_bent": "Knee bent",
    "feet_apart": "Feet apart",
    "pelvic_drop": "Pelvis drops",
    "knee_valgus": "Knee falls inwards",
    "trunk_lean": "Trunk leans sideways",
    "too_fast": "Too fast",
}
# What each fault rule watches, for "… not judged" lines: the fault's own label ("Pelvis rolls back") would read as
# if the fault had happened. One table for the GUI (live screen, summary, history) and the report.
JUDGED_PARTS = {
    "leg_above_hip": "leg height",
    "pelvis_roll_back": "pelvis",
    "leg_forward": "leg direction",
    "knee_bent": "knee",
    "feet_apart": "feet",
    "pelvic_drop": "pelvis",
    "knee_valgus": "knee",
    "trunk_lean": "trunk",
    "too_fast": "tempo",
}
ANGLE_LABELS = {
    "side-lying-abduction": "abduction °",
    "clamshell": "opening °",
    "step-down": "knee flexion °",
}


def exercise_label(code: str) -> str:
    if code in EXERCISE_LABELS:
        return EXERCISE_LABELS[code]
    return library.spec(code).title if code in library.specs() else code.replace("-", " ").capitalize()


def fault_label(code: str) -> str:
    """The report's wording; faults of newer exercises take their exercise file's label."""
    return FAULT_LABELS.get(code) or library.fault_label(code).capitalize()


def judged_part(code: str) -> str:
    """'pelvis_roll_back' → 'pelvis': what could not be judged, lower case (callers capitalise a line start)."""
    return JUDGED_PARTS.get(code, fault_label(code).lower())


def unjudged_cell(unjudged) -> str:
    """A rep's not-judged faults in one CSV cell: 'code: reason', separated by ';' like the faults cell."""
    return ";".join(f"{code}: {reason}" for code, reason in unjudged)


def iso_utc(t_utc_s: float | None) -> str:
    if t_utc_s is None:
        return ""
    return dt.datetime.fromtimestamp(t_utc_s, dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


# ---- CSV / JSON ------------------------------------------------------------------------------------------------

def session_to_dict(s: SessionRecord) -> dict:
    return {
        "id": s.id, "uid": s.uid, "local_day": s.local_day,
        "started_utc": iso_utc(s.started_utc_s), "ended_utc": iso_utc(s.ended_utc_s),
        "started_utc_s": s.started_utc_s, "ended_utc_s": s.ended_utc_s,
        "plan_name": s.plan_name, "notes": s.notes, "source": s.source, "exercises": s.exercises,
        "programme": s.programme.to_json() if s.programme is not None else None,
        "sets": [{
            "id": st.id, "position": i, "exercise": st.exercise, "side": st.side,
            "target_reps": st.target_reps, "achieved_reps": st.achieved_reps,
            "started_utc": iso_utc(st.started_utc_s), "ended_utc": iso_utc(st.ended_utc_s),
            "started_utc_s": st.started_utc_s, "ended_utc_s": st.ended_utc_s, "source": st.source,
            "reps": [{
                "index": r.index, "side": r.side, "t_start_s": r.t_start_s, "t_peak_s": r.t_peak_s,
                "t_end_s": r.t_end_s, "up_s": round(r.t_peak_s - r.t_start_s, 3),
                "down_s": round(r.t_end_s - r.t_peak_s, 3),
                "peak_deg": r.peak_deg, "held_s": r.held_s, "faults": list(r.faults),
                # Same shape as `medius analyze --json`; not judged is neither a fault nor good form.
                "unjudged": [{"code": code, "reason": reason} for code, reason in r.unjudged],
            } for r in st.reps],
            "fault_events": [{"t_s": w.t_s, "code": w.code, "value": w.value, "message": w.message}
                             for w in st.warnings],
        } for i, st in enumerate(s.sets)],
    }


def write_json(store: Store, out: io.TextIOBase, *, since_day: str | None = None,
               until_day: str | None = None) -> int:
    """All sessions in the period, nested sessions → sets → reps and fault events. Returns the session count."""
    sessions = [session_to_dict(s) for s in store.iter_sessions(since_day, until_day)]
    from app.reports.stance_report import stance_tests_json

    json.dump({"format": "medius-coach-history", "format_version": 1, "app_version": __version__,
               "exported_utc": iso_utc(dt.datetime.now(dt.timezone.utc).timestamp()),
               "since": since_day, "until": until_day, "sessions": sessions,
               "stance_tests": stance_tests_json(store, since_day=since_day, until_day=until_day)}, out, indent=1)
    out.write("\n")
    return len(sessions)


_CSV_COLUMNS = {
    "sessions": ["session_id", "local_day", "started_utc", "ended_utc", "plan_name", "exercises", "sets", "reps",
                 "notes", "source"],
    "sets": ["session_id", "local_day", "set_id", "set_position", "exercise", "side", "target_reps",
             "achieved_reps", "reps_recorded", "mean_peak_deg", "faulty_reps", "set_started_utc", "set_ended_utc",
             "source"],
    "reps": ["session_id", "local_day", "plan_name", "set_id", "set_position", "exercise", "side", "target_reps",
             "achieved_reps", "set_started_utc", "rep_index", "rep_side", "t_start_s", "t_peak_s", "t_end_s",
             "up_s", "down_s", "peak_deg", "faults", "unjudged"],
    "faults": ["session_id", "local_day", "set_id", "exercise", "side", "t_s", "code", "value", "message"],
}


def write_csv(store: Store, out: io.TextIOBase, *, since_day: str | None = None, until_day: str | None = None,
              table: str = "reps") -> int:
    """One table as CSV (default: one row per rep, with its set and session; a set without reps still gets a
    row). Faults inside a cell are separated by ';', and so are the not-judged ones ('code: reason'). Returns the
    number of data rows."""
    if table not in CSV_TABLES:
        raise ValueError(f"unknown table {table!r}; choose one of {', '.join(CSV_TABLES)}")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(_CSV_COLUMNS[table])
    n = 0
    for s in store.iter_sessions(since_day, until_day):
        if table == "sessions":
            w.writerow([s.id, s.local_day, iso_utc(s.started_utc_s), iso_utc(s.ended_utc_s), s.plan_name,
                        ";".join(s.exercises), len(s.sets), sum(len(st.reps) for st in s.sets), s.notes, s.source])
            n += 1
            continue
        for pos, st in enumerate(s.sets):
            if table == "sets":
                peaks = [r.peak_deg for r in st.reps]
                w.writerow([s.id, s.local_day, st.id, pos, st.exercise, st.side, _blank(st.target_reps),
                            _blank(st.achieved_reps), len(st.reps),
                            repr(sum(peaks) / len(peaks)) if peaks else "", sum(1 for r in st.reps if r.faults),
                            iso_utc(st.started_utc_s), iso_utc(st.ended_utc_s), st.source])
                n += 1
            elif table == "faults":
                for ev in st.warnings:
                    w.writerow([s.id, s.local_day, st.id, st.exercise, st.side, repr(ev.t_s), ev.code,
                                repr(ev.value), ev.message])
                    n += 1
            else:
                head = [s.id, s.local_day, s.plan_name, st.id, pos, st.exercise, st.side, _blank(st.target_reps),
                        _blank(st.achieved_reps), iso_utc(st.started_utc_s)]
                if not st.reps:
                    w.writerow(head + [""] * (len(_CSV_COLUMNS["reps"]) - len(head)))
                    n += 1
                for r in st.reps:
                    w.writerow(head + [r.index, r.side, repr(r.t_start_s), repr(r.t_peak_s), repr(r.t_end_s),
                                       round(r.t_peak_s - r.t_start_s, 3), round(r.t_end_s - r.t_peak_s, 3),
                                       repr(r.peak_deg), ";".join(r.faults), unjudged_cell(r.unjudged)])
                    n += 1
    return n


def _blank(v):
    return "" if v is None else v


# ---- the therapist's report --------------------------------------------------------------------------------------

def _bucket(day: str, weekly: bool) -> str:
    d = dt.date.fromisoformat(day)
    if weekly:
        return (d - dt.timedelta(days=d.weekday())).isoformat()
    return d.replace(day=1).isoformat()


def build_report_html(store: Store, *, since_day: str | None = None, until_day: str | None = None,
                      title: str = "Exercise report", patient: str = "", today: dt.date | None = None) -> str:
    """One printable page: what was done, left vs right, which faults, and the trend. Reads aggregates only."""
    today = today or dt.date.today()
    until_day = until_day or today.isoformat()
    points = store.series(since_day=since_day, until_day=until_day)
    first = since_day or (points[0].day if points else until_day)
    days = [d for d in store.active_days(since_day) if d <= until_day]
    span_days = (dt.date.fromisoformat(until_day) - dt.date.fromisoformat(first)).days + 1
    weekly = span_days <= 7 * 16
    faults = store.fault_counts(since_day=since_day, until_day=until_day)
    unjudged = store.unjudged_sets(since_day=since_day, until_day=until_day)

    by_ex: dict[str, list] = defaultdict(list)
    for p in points:
        by_ex[p.exercise].append(p)
    exercises = [e for e in EXERCISE_LABELS if e in by_ex] + sorted(e for e in by_ex if e not in EXERCISE_LABELS)

    total_reps = sum(p.reps for p in points)
    total_sets = sum(p.sets for p in points)
    sessions = len(store.session_ids(since_day, until_day))
    totals = store.totals(today=today)

    rows_html = []
    sections = []
    for ex in exercises:
        pts = by_ex[ex]
        sides = sorted({p.side for p in pts}, key=lambda s: (s != "left", s))
        for side in sides:
            sp = [p for p in pts if p.side == side]
            reps = sum(p.reps for p in sp)
            peak_sum = sum((p.mean_peak_deg or 0) * p.reps for p in sp)
            faulty = sum(p.faulty_reps for p in sp)
            half = len(sp) // 2
            trend = _trend(sp[:half], sp[half:]) if half >= 1 else "–"
            rows_html.append(
                f"<tr><td align='left'>{escape(exercise_label(ex))}</td><td align='left'>{escape(side or '?')}</td>"
                f"<td>{len({p.day for p in sp})}</td><td>{sum(p.sets for p in sp)}</td><td>{reps}</td>"
                f"<td>{peak_sum / reps:.0f}°</td><td>{max((p.max_peak_deg or 0) for p in sp):.0f}°</td>"
                f"<td>{100 * faulty / reps if reps else 0:.0f}%</td><td>{trend}</td></tr>")
        # Reps per week (or month), left vs right.
        buckets = sorted({_bucket(p.day, weekly) for p in pts})
        reps_by = {s: [sum(p.reps for p in pts if p.side == s and _bucket(p.day, weekly) == b) for b in buckets]
                   for s in sides}
        labels = [dt.date.fromisoformat(b).strftime("%d %b" if weekly else "%b %y") for b in buckets]
        reps_svg = grouped_bar_chart(labels, reps_by, title=f"Reps per {'week' if weekly else 'month'}",
                                     y_label="reps", width=250, height=160,
                                     label_every=max(1, (len(labels) + 5) // 6))
        rom = {s: [(p.day, p.mean_peak_deg) for p in pts if p.side == s and p.mean_peak_deg is not None]
               for s in sides}
        rom_svg = date_line_chart(rom, title="Range of motion (peak)", y_label=ANGLE_LABELS.get(ex, "°"),
                                  width=250, height=160)
        side_reps = {s: sum(p.reps for p in pts if p.side == s) for s in sides}
        per_code: dict[str, dict[str, float]] = defaultdict(dict)
        for f_ex, f_side, code, n in faults:
            if f_ex == ex and side_reps.get(f_side):
                per_code[code][f_side or "?"] = 100.0 * n / side_reps[f_side]
        fault_rows = sorted(per_code.items(), key=lambda kv: -sum(kv[1].values()))[:5]
        fault_svg = horizontal_bars([(fault_label(c), v) for c, v in fault_rows], title="Faults (% of reps)",
                                    width=250)
        not_judged = _unjudged_line([u for u in unjudged if u[0] == ex], sum(p.sets for p in pts))
        sections.append(f"<h2>{escape(exercise_label(ex))}</h2><div class='charts'>"
                        f"<div>{reps_svg}</div><div>{rom_svg}</div><div>{fault_svg}</div></div>{not_judged}")

    from app.reports.programme_report import programme_section_html
    from app.reports.stance_report import stance_report_html

    programme = programme_section_html(store, since_day=since_day, until_day=until_day)

    sections.append(stance_report_html(store, since_day=since_day, until_day=until_day))
    period = f"{_long_date(first)} – {_long_date(until_day)}"
    unjudged_foot = (" “Not judged” means the camera could not see enough to check that fault in those sets: it "
                     "is neither a fault nor good form." if unjudged else "")
    who = f" for {escape(patient)}" if patient else ""
    summary = (f"<div class='summary'><div><b>{sessions}</b> sessions</div><div><b>{len(days)}</b> active days</div>"
               f"<div><b>{total_sets}</b> sets</div><div><b>{total_reps}</b> reps</div>"
               f"<div><b>{totals.current_streak_days}</b> day streak now</div>"
               f"<div><b>{totals.longest_streak_days}</b> longest streak</div></div>")
    table = ("<table><tr><th align='left'>Exercise</th><th align='left'>Side</th><th>Days</th><th>Sets</th><th>Reps</th><th>Mean peak</th>"
             "<th>Best peak</th><th>Reps with a fault</th><th>Trend (2nd half vs 1st)</th></tr>"
             + "".join(rows_html) + "</table>") if rows_html else "<p>No exercise was logged in this period.</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
@page {{ size: A4; margin: 12mm; }}
body {{ font-family: Helvetica, Arial, sans-serif; color: #222; margin: 0 auto; max-width: 780px; font-size: 12px; }}
h1 {{ font-size: 20px; margin: 8px 0 2px; }}
h2 {{ font-size: 14px; margin: 10px 0 4px; border-bottom: 1px solid #ccc; }}
.meta {{ color: #555; margin-bottom: 8px; }}
.summary {{ display: flex; gap: 8px; margin: 6px 0 10px; }}
.summary div {{ flex: 1; border: 1px solid #ddd; border-radius: 4px; padding: 4px; text-align: center; color: #555; }}
.summary b {{ display: block; font-size: 18px; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #e4e4e4; padding: 3px 4px; text-align: right; }}
th:nth-child(-n+2), td:nth-child(-n+2) {{ text-align: left; }}
th {{ background: #f3f3f3; font-weight: 600; }}
.charts {{ display: flex; gap: 6px; align-items: flex-start; }}
.charts div {{ flex: 1; }}
.charts svg {{ width: 100%; height: auto; }}
.unjudged {{ color: #555; margin: 2px 0 0; }}
.foot {{ color: #777; font-size: 10px; margin-top: 10px; }}
</style></head><body>
<h1>{escape(title)}{who}</h1>
<div class="meta">Period {period} · generated {_long_date(today.isoformat())} by Medius Coach {__version__}</div>
{summary}
<h2>What was done (left vs right)</h2>
{table}
{programme}
{''.join(sections)}
<p class="foot">Reps, angles and faults are measured from a single webcam with pose estimation. Frontal-plane
angles (pelvic drop, knee valgus, trunk lean) are screening cues, not clinical measurements; the peak angle
is the rep signal at the top of each rep (abduction, clamshell opening, stance-knee flexion). Trend compares the
mean peak and the share of reps with a fault in the second half of the period with the first half.{unjudged_foot}</p>
</body></html>
"""


def _unjudged_line(rows: list[tuple], sets_done: int) -> str:
    """One line per exercise, not one per rep: each fault that could not be judged, in how many of the period's
    sets, and why (most frequent reason first). `rows` are `Store.unjudged_sets` rows of one exercise."""
    if not rows:
        return ""
    sets_of: dict[str, set[int]] = defaultdict(set)
    reps_of: dict[str, int] = defaultdict(int)
    reasons: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for _ex, _side, set_id, code, reason, reps in rows:
        sets_of[code].add(set_id)
        reps_of[code] += reps
        reasons[code][reason] += 1  # sets that gave this reason
    parts = []
    # Most widespread first: by sets, then by reps affected.
    for code, ids in sorted(sets_of.items(), key=lambda kv: (-len(kv[1]), -reps_of[kv[0]], kv[0])):
        why = ", ".join(r for r, _ in sorted(reasons[code].items(), key=lambda kv: -kv[1]) if r)
        parts.append(f"{fault_label(code)} in {len(ids)} of {max(sets_done, len(ids))} sets"
                     + (f" ({why})" if why else ""))
    return f"<p class='unjudged'>Not judged: {escape(' · '.join(parts))}.</p>"


def _trend(a, b) -> str:
    def stats(pts):
        reps = sum(p.reps for p in pts)
        if not reps:
            return None, None
        return sum((p.mean_peak_deg or 0) * p.reps for p in pts) / reps, 100.0 * sum(p.faulty_reps for p in pts) / reps

    (ra, fa), (rb, fb) = stats(a), stats(b)
    if ra is None or rb is None:
        return "–"
    return f"{rb - ra:+.0f}° ROM, {fb - fa:+.0f} pts faults"


def _long_date(day: str) -> str:
    return dt.date.fromisoformat(day).strftime("%d %b %Y")


# ---- one entry point for the CLI and the GUI --------------------------------------------------------------------

def export(store: Store, fmt: str, out_path: str | os.PathLike, *, since_day: str | None = None,
           until_day: str | None = None, table: str = "reps", write_pdf=None, patient: str = "",
           today: dt.date | None = None) -> pathlib.Path:
    """Write the export to `out_path`. `write_pdf(html, path)` (from ui.history_pdf) is needed for "pdf"."""
    out_path = pathlib.Path(out_path)
    if fmt == "csv":
        with open(out_path, "w", newline="", encoding="utf-8") as f:
            write_csv(store, f, since_day=since_day, until_day=until_day, table=table)
    elif fmt == "json":
        with open(out_path, "w", encoding="utf-8") as f:
            write_json(store, f, since_day=since_day, until_day=until_day)
    elif fmt in ("html", "pdf"):
        html = build_report_html(store, since_day=since_day, until_day=until_day, patient=patient, today=today)
        if fmt == "html":
            out_path.write_text(html, encoding="utf-8")
        else:
            if write_pdf is None:
                raise ValueError("PDF export needs the GUI toolkit (Qt); export html instead")
            write_pdf(html, out_path)
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return out_path
