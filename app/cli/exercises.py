"""`medius exercises [--json]`: the exercise library, each exercise with the file it comes from, and the files
that could not be read (with the line and what is wrong)."""

from __future__ import annotations

import argparse
import json
import sys

from app.engine import library


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("exercises", help="list the exercise library (one data file per exercise)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def describe(spec: library.ExerciseSpec) -> dict:
    return {
        "id": spec.id, "title": spec.title, "kind": spec.kind, "path": str(spec.path),
        "posture": spec.posture, "working_leg": spec.working_leg,
        "rep_signal": {"kind": spec.signal.kind, "enter_deg": spec.enter_deg, "exit_deg": spec.exit_deg},
        "hold_target_s": spec.hold_target_s,
        "faults": [{"code": f.code, "label": f.label, "measure": f.measure.kind, "limit": f.limit,
                    "range": list(f.limit_range), "absolute": f.absolute} for f in spec.faults],
        "dosing": spec.dosing, "camera": {"view": spec.camera_view, "distance": spec.camera_distance,
                                          "height": spec.camera_height},
    }


def run(args: argparse.Namespace) -> int:
    specs, problems = library.specs(), library.problems()
    if args.json:
        print(json.dumps({"library": str(library.library_dir()),
                          "exercises": [describe(s) for s in specs.values()],
                          "problems": [{"path": str(p.path), "line": p.line, "message": p.message} for p in problems]},
                         indent=2, ensure_ascii=False))
    else:
        print(f"exercise library: {library.library_dir()}")
        for s in specs.values():
            what = f"hold {s.hold_target_s:g} s" if s.kind == "hold" else f"{s.dosing['sets']}×{s.dosing['reps']}"
            faults = ", ".join(f.label for f in s.faults) or "none"
            print(f"  {s.id:24s} {s.title:28s} {s.posture:11s} {what:10s} faults: {faults}")
            print(f"  {'':24s} {s.path}")
        for p in problems:
            print(f"  could not read {p}", file=sys.stderr)
    return 1 if problems else 0
