"""`medius` subcommands that need no GUI: analyze, evaluate, history, export, exercises.

Exit codes: 0 ok; 2 bad arguments or unreadable input; 3 pose model missing or damaged; 4 a source stopped;
5 the exercise log could not be written; 1 anything unexpected (with the traceback in the log file).
"""

from __future__ import annotations

import argparse
import json
import logging
import pathlib
import sys

from app.cli import exercises as cli_exercises
from app.cli import history as cli_history
from app.errors import MediusError
from app.engine.events import Exercise
from app.stance.bouts import STANCE_TEST

log = logging.getLogger("medius")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on bad arguments already; keep its one-line style
        self.print_usage(sys.stderr)
        self.exit(2, f"medius: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="medius", description="Medius Coach: count reps and check form for gluteus medius "
                     "exercises. Run without arguments to open the app.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    a = sub.add_parser("analyze", help="count reps and find form faults in a recorded video")
    a.add_argument("video", type=pathlib.Path, help="a video file OpenCV can read (mp4, mov, avi, mkv, ...)")
    # The single-leg stance test is not a rep exercise (no entry in Exercise): its own engine, app.stance.bouts.
    a.add_argument("--exercise", required=True, choices=[e.value for e in Exercise] + [STANCE_TEST])
    a.add_argument("--side", choices=["auto", "left", "right"], default="auto",
                   help="working leg (default: detected)")
    a.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    a.add_argument("--drop-tolerance", type=float, metavar="DEG",
                   help=f"{STANCE_TEST} only: pelvic drop beyond the standing baseline that is positive")
    a.add_argument("--log", action="store_true", help="also record the result in the exercise log")
    a.add_argument("--every", type=int, default=1, metavar="N", help="analyse every N-th frame (faster)")
    # Checked by analyze_video rather than `choices`, so that other commands do not import OpenCV.
    a.add_argument("--transform", metavar="NAME",
                   help="analyse the video as another camera would film it (robustness checks), e.g. mirror, "
                        "rot90, half_fps, dim; an unknown name lists them all (app/adapters/camera_transforms.py)")
    a.add_argument("--annotate", type=pathlib.Path, metavar="OUT.mp4",
                   help="also write the video with skeleton, counter, range meter and fault captions drawn in")
    a.add_argument("--annotate-rep", type=int, metavar="N",
                   help="with --annotate: write only rep N (and half a second either side)")
    a.set_defaults(func=run_analyze)

    e = sub.add_parser("evaluate", help="accuracy on the labelled clips (developer tool)")
    e.add_argument("--videos", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parents[2] / "shared" / "videos",
                   help="folder with the clips and labels.json (default: ../shared/videos)")
    e.add_argument("--every", type=int, default=1, metavar="N", help="analyse every N-th frame")
    e.add_argument("--fault-labels", type=pathlib.Path,
                   default=pathlib.Path(__file__).resolve().parents[1] / "tests" / "data" / "fault_labels.json",
                   help="the project's per-rep fault labels, scored with the faults in labels.json "
                        "(default: tests/data/fault_labels.json of the source tree)")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=run_evaluate)

    cli_history.register(sub)
    cli_exercises.register(sub)
    return parser


def _progress_bar(enabled: bool):
    if not enabled:
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(unit="frame", file=sys.stderr, leave=False, dynamic_ncols=True)

    def update(done: int, total: int | None) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh() if done % 15 == 0 else None

    return update, bar.close


def run_analyze(args) -> int:
    from app.pipeline.analysis import analyze_video

    if args.every < 1:
        raise _input_error("--every must be 1 or more")
    if args.transform and args.log:  # altered footage is a robustness check, not an exercise session
        raise _input_error("--transform cannot be combined with --log")
    if args.annotate_rep is not None and args.annotate is None:
        raise _input_error("--annotate-rep needs --annotate OUT.mp4")
    if args.annotate is not None and (args.transform or args.exercise == STANCE_TEST):
        raise _input_error("--annotate draws reps on the original video: not with --transform or a stance test")
    progress, close_bar = _progress_bar(sys.stderr.isatty() and not args.json)
    if args.exercise == STANCE_TEST:
        from app.cli.stance import run_stance_analyze

        return run_stance_analyze(args, progress, close_bar)
    try:
        if args.annotate is None:
            result = analyze_video(args.video, args.exercise, side=args.side, progress=progress,
                                   frame_step=args.every, transform=args.transform)
        else:
            result = _analyze_and_annotate(args, progress)
    finally:
        close_bar()
    session_id = None
    if args.log:
        from app.storage import log_analysis

        session_id = log_analysis(result)
    if args.json:
        payload = result.to_json()
        if session_id is not None:
            payload["session_id"] = session_id
        print(json.dumps(payload))
        return 0
    print(summary_text(result))
    if session_id is not None:
        print(f"Recorded in the exercise log as session {session_id}.")
    return 0


def _analyze_and_annotate(args, progress):
    from app.pipeline.annotate import export_annotated, frame_range
    from app.pipeline.replay_analysis import analyze_for_replay
    from app.adapters.video_writer import VideoWriter

    VideoWriter.check_path(args.annotate)  # a bad output name fails before minutes of analysis
    replay = analyze_for_replay(args.video, args.exercise, side=args.side, frame_step=args.every, progress=progress)
    frame_range(replay.model, args.annotate_rep)  # "there is no rep N" before anything is written
    out, frames = export_annotated(replay.model, args.annotate, rep=args.annotate_rep, video=args.video)
    print(f"Annotated video: {out} ({frames} frames).", file=sys.stderr)
    return replay.result


def summary_text(result) -> str:
    lines = [f"{pathlib.Path(result.video).name}: {result.exercise}, {result.side or 'side unknown'} leg",
             f"  {len(result.reps)} reps counted in {result.duration_s:.1f} s "
             f"(pose found in {result.frames_with_pose} of {result.frames} frames)"]
    for r in result.reps:
        faults = ", ".join(r.faults) if r.faults else "good form"
        lines.append(f"  rep {r.index:>2}: {r.t_start_s:6.1f}-{r.t_end_s:5.1f} s, peak {r.peak_deg:5.1f}° at "
                     f"{r.t_peak_s:5.1f} s  {faults}")
    if result.warnings:
        lines.append("  form warnings:")
        lines += [f"    {w.t_s:6.1f} s  {w.message} ({w.code} {w.value})" for w in result.warnings]
    if not result.reps:
        lines.append("  No reps found. Check that the whole body is in view and the exercise matches --exercise.")
    return "\n".join(lines)


def run_evaluate(args) -> int:
    from app.evaluation import counts as evaluation
    from app.evaluation import faults as fault_evaluation
    if not (args.videos / "labels.json").is_file():
        raise _input_error(f"No labels.json in {args.videos}: give the clips folder with --videos.")
    if args.every < 1:
        raise _input_error("--every must be 1 or more")
    try:
        label_set = fault_evaluation.load_labels(evaluation.load_labels(args.videos), args.fault_labels)
    except (ValueError, KeyError) as exc:
        raise _input_error(f"Bad fault labels in {args.fault_labels}: {exc}") from exc
    on_clip = None if args.json else (lambda s: print(evaluation.format_row(s), flush=True))
    runs = evaluation.evaluate_runs(args.videos, frame_step=args.every, on_clip=on_clip)
    scores = [run.score for run in runs]
    totals = evaluation.totals(scores)
    report = fault_evaluation.score({c.file: c for c in (fault_evaluation.clip_faults(r.result) for r in runs)},
                                    label_set)
    if args.json:
        print(json.dumps({"clips": [s.__dict__ | {"exact": s.exact} for s in scores], "totals": totals,
                          "faults": fault_evaluation.report_json(report)}))
    else:
        print(evaluation.format_totals(totals))
        if not args.fault_labels.is_file():
            print(f"(no project fault labels at {args.fault_labels}: scoring the shared labels' faults only)")
        print(fault_evaluation.format_report(report))
    return 0


def _input_error(message: str) -> MediusError:
    from app.errors import InputError

    return InputError(message)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except MediusError as exc:
        print(f"medius: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("medius: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
