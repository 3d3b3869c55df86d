"""`medius history` and `medius export`: the exercise log from the command line.

Wiring (app/cli/main.py): `cli_history.register(subparsers)` adds both subcommands; each sets `func=<handler>` with
the signature `handler(args) -> int` (exit code). Storage problems raise `StorageError` (a MediusError with a
user message). PDF needs Qt, which app/ must not import: the launcher in ui/ calls `set_pdf_writer(...)` with
`ui.history_pdf.write_pdf`; without it `--format pdf` fails with a clear message.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import pathlib
import re
import sys
from collections.abc import Callable

from app.errors import InputError, MediusError

_pdf_writer: Callable[[str, pathlib.Path], None] | None = None


def set_pdf_writer(write_pdf: Callable[[str, pathlib.Path], None] | None) -> None:
    """Called by ui/ (where Qt may be imported) to enable `export --format pdf`."""
    global _pdf_writer
    _pdf_writer = write_pdf


def parse_day(text: str | None, *, today: dt.date | None = None) -> str | None:
    """YYYY-MM-DD, or relative: 'today', '7d', '4w', '6m' (days/weeks/months ago). Returns an ISO day."""
    if text is None:
        return None
    today = today or dt.date.today()
    t = text.strip().lower()
    if t == "today":
        return today.isoformat()
    m = re.fullmatch(r"(\d+)\s*([dwm])", t)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        days = n * {"d": 1, "w": 7, "m": 30}[unit]
        return (today - dt.timedelta(days=days)).isoformat()
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise InputError(f"Cannot read the date {text!r}: use YYYY-MM-DD (e.g. 2026-11-01) or a span like 30d, "
                         "4w or 6m.") from None


def register(subparsers) -> None:
    h = subparsers.add_parser("history", help="show the exercise log: totals, streaks, recent sessions",
                              description="Show the exercise log: totals and streaks, recent sessions, or one "
                                          "session's sets and reps with their faults.")
    h.add_argument("--since", metavar="DATE", help="only sessions on or after DATE (YYYY-MM-DD, or 30d/4w/6m)")
    h.add_argument("--limit", type=int, default=20, help="how many sessions to list (default 20)")
    h.add_argument("--session", type=int, metavar="ID", help="show one session in detail")
    h.add_argument("--db", metavar="FILE", help="the log file (default: the user's data dir, or $MEDIUS_DATA_DIR)")
    h.set_defaults(func=run_history)

    e = subparsers.add_parser("export", help="export the log as CSV, JSON, or a one-page report (HTML/PDF)",
                              description="Export the exercise log. csv: one row per rep (or --table sets/"
                                          "sessions/faults); json: sessions → sets → reps and fault events; "
                                          "html/pdf: a one-page report for a physiotherapist with charts.")
    e.add_argument("--format", choices=["csv", "json", "html", "pdf"], default="csv")
    e.add_argument("--since", metavar="DATE", help="from DATE (YYYY-MM-DD or 30d/4w/6m); default: everything")
    e.add_argument("--until", metavar="DATE", help="up to and including DATE (default: today)")
    e.add_argument("--out", metavar="FILE", help="output file ('-' for stdout; default medius-<date>.<format>)")
    e.add_argument("--table", choices=["reps", "sets", "sessions", "faults"], default="reps",
                   help="which table for csv (default reps)")
    e.add_argument("--patient", default="", help="name printed on the report")
    e.add_argument("--db", metavar="FILE", help="the log file (default: the user's data dir, or $MEDIUS_DATA_DIR)")
    e.set_defaults(func=run_export)


def _open_store(args):
    from app.storage import Store

    return Store(args.db) if args.db else Store()


def run_history(args, out=None) -> int:
    from app.reports.export import exercise_label, fault_label, iso_utc, judged_part

    from app.storage import import_rescue_files

    out = out or sys.stdout
    since = parse_day(args.since)
    with _open_store(args) as store:
        rescued = import_rescue_files(store)
        if rescued:
            print(f"Added {len(rescued)} session(s) that were saved aside while the log could not be written.",
                  file=out)
        if args.session is not None:
            s = store.get_session(args.session)
            if s is None:
                raise InputError(f"There is no session {args.session} in the log {store.path}.")
            print(f"Session {s.id} on {s.local_day} ({iso_utc(s.started_utc_s)} – {iso_utc(s.ended_utc_s) or 'open'})"
                  f"  {s.plan_name}", file=out)
            if s.programme is not None:
                print(f"  programme: {s.programme.label()}", file=out)
                from app.reports.programme_report import compare_session, comparison_lines

                for line in comparison_lines(compare_session(s), exercise_label):
                    print(f"    done vs prescribed: {line}", file=out)
            if s.notes:
                print(f"  notes: {s.notes}", file=out)
            for i, st in enumerate(s.sets, 1):
                print(f"  set {i}: {exercise_label(st.exercise)}, {st.side or '?'} side, "
                      f"{st.achieved_reps if st.achieved_reps is not None else len(st.reps)}"
                      f"{'/' + str(st.target_reps) if st.target_reps else ''} reps  [{st.source}]", file=out)
                for r in st.reps:
                    faults = ", ".join(fault_label(f) for f in r.faults) or "clean"
                    print(f"    rep {r.index:>2} at {r.t_start_s:7.1f}–{r.t_end_s:7.1f} s  peak {r.peak_deg:5.1f}°  "
                          f"up {r.t_peak_s - r.t_start_s:.1f} s, down {r.t_end_s - r.t_peak_s:.1f} s  {faults}",
                          file=out)
                for w in st.warnings:
                    print(f"    ! {w.t_s:7.1f} s  {fault_label(w.code)} ({w.value:.1f}): {w.message}", file=out)
                for code, reason, reps in st.not_judged():  # neither a fault nor good form: said once per set
                    print(f"    ? {judged_part(code).capitalize()} not judged on {reps} of {len(st.reps)} reps: "
                          f"{reason}", file=out)
            return 0
        t = store.totals()
        print(f"Log: {store.path}", file=out)
        print(f"{t.sessions} sessions on {t.active_days} days, {t.sets} sets, {t.reps} reps"
              + (f" ({t.first_day} to {t.last_day})" if t.first_day else ""), file=out)
        print(f"Streak: {t.current_streak_days} days now, longest {t.longest_streak_days}", file=out)
        rows = store.list_sessions(limit=args.limit, since_day=since)
        if rows:
            print(f"\n{'id':>6}  {'day':10}  {'sets':>4}  {'reps':>5}  {'faulty':>6}  exercises", file=out)
        for r in rows:
            print(f"{r.id:>6}  {r.local_day:10}  {r.sets:>4}  {r.reps:>5}  {r.faulty_reps:>6}  "
                  f"{', '.join(exercise_label(e) for e in r.exercises)}"
                  + (f"  (programme: {r.programme})" if r.programme else f"  ({r.plan_name})" if r.plan_name else ""),
                  file=out)
        from app.cli.stance import print_stance_history

        print_stance_history(store, out, since_day=since, limit=args.limit)
    return 0


def run_export(args, out=None) -> int:
    from app.reports import export
    since, until = parse_day(args.since), parse_day(args.until)
    if args.format == "pdf" and _pdf_writer is None:
        raise InputError("PDF export needs the GUI toolkit (Qt), which this command cannot load. Export "
                         "--format html and print it to PDF from a browser, or run the full Medius Coach.")
    dest = args.out or f"medius-{dt.date.today().isoformat()}.{args.format}"
    with _open_store(args) as store:
        if dest == "-":
            if args.format == "pdf":
                raise InputError("A PDF cannot be written to stdout; give --out FILE.")
            buf = io.StringIO()
            if args.format == "csv":
                export.write_csv(store, buf, since_day=since, until_day=until, table=args.table)
            elif args.format == "json":
                export.write_json(store, buf, since_day=since, until_day=until)
            else:
                buf.write(export.build_report_html(store, since_day=since, until_day=until, patient=args.patient))
            (out or sys.stdout).write(buf.getvalue())
            return 0
        try:
            path = export.export(store, args.format, dest, since_day=since, until_day=until, table=args.table,
                                 write_pdf=_pdf_writer, patient=args.patient)
        except OSError as exc:
            raise InputError(f"Cannot write {dest}: {exc.strerror or exc}. Choose another --out file.") from exc
    print(f"Wrote {path}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Standalone entry (`python -m app.cli.history history`), for use before app/cli/main.py wires it in."""
    parser = argparse.ArgumentParser(prog="medius")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except MediusError as exc:
        print(f"medius: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
