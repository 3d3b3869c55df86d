"""Does recording a set (Settings → Recording) slow the live path? The same clip at real time through the live
pipeline and the GUI, recording off and on, alternately (tools/benchmark_latency.run_one with the exercise log
and the recording hook attached, as the app runs).

    python tools/benchmark_recording.py [--clip PATH --exercise ID] [--pairs 1]

Prints, per run, capture → GUI latency per drawn frame and per rep/warning event (median, p95), frames analysed
and dropped, and for recording runs the frames written and dropped by the recorder; then the ratio of the p95s.
Target: capture → GUI p95 with recording on within 10 % of off.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import pathlib
import statistics
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
VIDEOS = ROOT.parent / "shared" / "videos"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clip", type=pathlib.Path, default=VIDEOS / "lateral_stepdown_front_cornell_1.mp4")
    ap.add_argument("--exercise", default="step-down")
    ap.add_argument("--pairs", type=int, default=1)
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="medius-bench-rec-"))
    os.environ["MEDIUS_CONFIG_DIR"] = str(scratch / "config")
    os.environ["MEDIUS_DATA_DIR"] = str(scratch / "data")  # never the user's own log or recordings
    if not args.clip.exists():
        print(f"clip not found: {args.clip}", file=sys.stderr)
        return 2
    import benchmark_latency

    from app.settings import Settings
    from app.storage import SessionRecorder
    from ui.history_entry import attach_recorder
    from ui.qt_env import ensure_app

    qapp = ensure_app()
    results: dict[bool, list[dict]] = {False: [], True: []}
    for pair in range(args.pairs):
        for record in (False, True):
            bridges = []

            def prepare(window):
                bridges.append(attach_recorder(window, SessionRecorder(scratch / f"log{pair}{record}.sqlite3")))

            r = benchmark_latency.run_one(qapp, args.clip, args.exercise,
                                          dataclasses.replace(Settings(), record_sets=record), prepare)
            (bridge,) = bridges
            bridge.close()
            recs = bridge.set_recording.finished
            rec_note = (f"; recorder wrote {sum(x.frames_written for x in recs)} frames, dropped "
                        f"{sum(x.dropped for x in recs)}" if record else "")
            print(f"recording {'on ' if record else 'off'}: {r['reps']} reps; capture→GUI per drawn frame median "
                  f"{r['frame_median_ms']:.1f} ms, p95 {r['frame_p95_ms']:.1f} ms; per event median "
                  f"{r['median_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms; frames {r['frames_processed']} analysed, "
                  f"{r['frames_dropped']} dropped{rec_note}", flush=True)
            results[record].append(r)
    off = statistics.median(r["frame_p95_ms"] for r in results[False])
    on = statistics.median(r["frame_p95_ms"] for r in results[True])
    ratio = on / off if off else float("nan")
    ok = ratio <= 1.10
    print(f"capture→GUI p95 per drawn frame: off {off:.1f} ms, on {on:.1f} ms, ratio {ratio:.2f} "
          f"(target ≤ 1.10): {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
