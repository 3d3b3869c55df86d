"""`medius analyze VIDEO --exercise single-leg-stance`: the stance test on a recording, as text or JSON."""

from __future__ import annotations

import json
import pathlib

from app.errors import InputError
from app.stance.verdict import StanceParams


def run_stance_analyze(args, progress, close_bar) -> int:
    from app.pipeline.stance_analysis import analyze_stance_video

    params = StanceParams()
    if args.drop_tolerance is not None:
        low, high = StanceParams.DROP_TOLERANCE_RANGE
        if not low <= args.drop_tolerance <= high:
            raise InputError(f"--drop-tolerance must be between {low:g} and {high:g} degrees")
        params = StanceParams(drop_tolerance_deg=args.drop_tolerance)
    try:
        video = analyze_stance_video(args.video, params, progress=progress, frame_step=args.every,
                                     transform=args.transform)
    finally:
        close_bar()
    test_id, log_error = None, None
    if args.log:
        from app.storage import StorageError
        from app.storage.stance_log import log_stance_test

        try:
            test_id = log_stance_test(video.result, source=f"file:{pathlib.Path(args.video).name}")
        except StorageError as exc:
            log_error = exc  # the result is still printed first: nothing measured is lost
    if args.json:
        payload = video.to_json()
        if test_id is not None:
            payload["stance_test_id"] = test_id
        print(json.dumps(payload))
    else:
        print(stance_summary_text(video))
        if test_id is not None:
            print(f"Recorded in the exercise log as stance test {test_id}.")
    if log_error is not None:
        raise log_error
    return 0


def stance_summary_text(video) -> str:
    r = video.result
    lines = [f"{pathlib.Path(video.video).name}: single-leg stance test "
             f"(pose found in {video.frames_with_pose} of {video.frames} frames)"]
    if r.not_judged_reason:
        lines.append(f"  Not judged: {r.not_judged_reason}.")
    for b in r.bouts:
        drop = "—" if b.max_pelvic_drop_deg is None else f"{b.max_pelvic_drop_deg:+.1f}° ±{b.uncertainty_deg:.0f}°"
        lean = "—" if b.trunk_lean_deg is None else f"{b.trunk_lean_deg:+.1f}°"
        lines.append(f"  on the {b.stance_leg:<5} leg {b.t_start_s:6.1f}-{b.t_end_s:5.1f} s ({b.duration_s:4.1f} s): "
                     f"drop {drop}, trunk lean {lean}: {b.verdict} ({b.reason}); {b.ended_by}")
    diff = r.left_right_difference_deg()
    if diff is not None:
        lines.append(f"  left minus right: {diff:+.1f}° of drop")
    return "\n".join(lines)


def _side_text(bout) -> str:
    if bout is None:
        return "not tested"
    if bout.max_pelvic_drop_deg is None or bout.verdict == "not judged":
        return f"not judged ({bout.reason})"
    return f"{bout.verdict} {bout.max_pelvic_drop_deg:+.1f}°"


def print_stance_history(store, out, *, since_day: str | None = None, limit: int = 20) -> None:
    """The stance tests part of `medius history`: one line per test, each side's verdict and worst drop."""
    from app.storage.stance_log import stance_tests

    tests = stance_tests(store, since_day=since_day, limit=limit)
    if not tests:
        return
    print("\nSingle-leg stance tests (worst 1 s of free-hip drop vs standing, ±7° camera uncertainty; "
          "+ dropped, − rose):", file=out)
    print(f"{'id':>6}  {'day':10}  {'standing on left':32}  {'standing on right':32}  left−right", file=out)
    for t in tests:
        diff = t.left_minus_right_deg()
        print(f"{t.id:>6}  {t.local_day:10}  {_side_text(t.side('left'))[:32]:32}  "
              f"{_side_text(t.side('right'))[:32]:32}  {'' if diff is None else f'{diff:+.1f}°'}", file=out)
