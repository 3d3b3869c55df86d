"""Generate exercise logs for screenshots, tests and timing.

    python tools/make_history_db.py weeks --out out/history_weeks.sqlite3 [--weeks 6] [--videos ../shared/videos]
    python tools/make_history_db.py years --out out/history_5y.sqlite3 [--years 5]
    python tools/make_history_db.py day --out out/history_day.sqlite3 [--sessions 3]

`weeks`: runs the real engine (`app.pipeline.analysis.analyze_video`) once on each labelled clip of our three exercises,
then replays those results as a user's daily sessions over the last N weeks, written through the real
`SessionRecorder` (one commit per rep, as live). The reps, their timing, angles and faults come from the engine;
to make a history worth looking at, each replayed day scales the peak angles by a slow progression (+0–8 %),
drops a growing share of faulty reps' faults (the user improving), skips some days, and logs the clip's side
plus the other side (with the side label swapped). Engine results are cached in out/engine_cache/.

`years`: a synthetic daily session for every day of N years (2 exercises × 2 sides × 3 sets × 10 reps), bulk
imported (one transaction per session, synchronous=OFF) — for timing the history screen, not for looking at.

`day`: a new user's log: N synthetic sessions on one day (today), the sparse case the charts must still show.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import pathlib
import pickle
import random
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.engine.events import FormWarning, RepCompleted  # noqa: E402
from app.storage import SessionRecord, SessionRecorder, SetRecord, Store  # noqa: E402

DEFAULT_VIDEOS = ROOT.parent / "shared" / "videos"
EXERCISES = ("side-lying-abduction", "clamshell", "step-down")


@dataclasses.dataclass
class ClipResult:
    """One labelled clip and what the engine made of it."""

    file: str
    exercise: str
    side: str
    reps: list[RepCompleted]
    warnings: list[FormWarning]
    duration_s: float
    source: str
    result: object  # the AnalysisResult itself


# A quick subset (one short clip per exercise, ~40 s of video) for tests.
QUICK_CLIPS = ("sidelying_leg_raise_front_physiobody_1.mp4", "rendered_clamshell_banded_frontoblique_dosipov_1.mp4",
               "lateral_stepdown_front_cornell_1.mp4")


def engine_fingerprint() -> str:
    """A hash of the engine's code and model, so cached results are recomputed when the engine changes."""
    h = hashlib.sha256()
    for path in sorted((ROOT / "app").rglob("*.py")):
        rel = path.relative_to(ROOT / "app").as_posix()
        if rel.startswith(("storage/", "export", "svg_chart", "cli")):
            continue
        h.update(rel.encode())
        h.update(path.read_bytes())
    for path in sorted((ROOT / "assets" / "models").glob("*.sha256")):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def analyse_clips(videos: pathlib.Path, cache_dir: pathlib.Path | None = None,
                  only: tuple[str, ...] | None = None) -> list[ClipResult]:
    """Run the engine on the labelled clips of our exercises (`only`: a subset of file names), cached per clip
    by file size, mtime and the engine's fingerprint."""
    from app.pipeline.analysis import analyze_video
    from app.storage.analysis_log import rep_events_of, source_of

    labels = json.loads((videos / "labels.json").read_text())
    fingerprint = engine_fingerprint()
    results = []
    for entry in labels:
        if entry.get("exercise_id") not in EXERCISES or (only and entry["file"] not in only):
            continue
        path = videos / entry["file"]
        st = path.stat()
        key = f"{entry['file']}-{st.st_size}-{int(st.st_mtime)}-{fingerprint}.pickle"
        cached = cache_dir / key if cache_dir else None
        if cached and cached.exists():
            try:
                results.append(pickle.loads(cached.read_bytes()))
                continue
            except Exception:  # a stale or truncated cache file: recompute
                pass
        t0 = time.perf_counter()
        r = analyze_video(str(path), entry["exercise_id"])
        events = rep_events_of(r)
        side = getattr(r, "side", "") or (events[0].side if events else "")
        clip = ClipResult(entry["file"], entry["exercise_id"], side if side in ("left", "right") else "left",
                          events, list(r.warnings), float(getattr(r, "duration_s", 0.0) or 0.0), source_of(r), r)
        print(f"  analysed {entry['file']}: {len(clip.reps)} reps in {time.perf_counter() - t0:.1f} s", flush=True)
        if cached:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(clip))
            tmp.replace(cached)
        results.append(clip)
    return results


class FakeClock:
    def __init__(self, t: float):
        self.t = t

    def __call__(self) -> float:
        return self.t


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def make_weeks_db(out: pathlib.Path, clips: list[ClipResult], *, weeks: int = 6, seed: int = 4,
                  end_day: dt.date | None = None) -> dict:
    """Daily sessions over `weeks` ending on `end_day`, replaying engine results through the SessionRecorder."""
    rng = random.Random(seed)
    by_ex: dict[str, list[ClipResult]] = {}
    for c in clips:
        if c.reps:
            by_ex.setdefault(c.exercise, []).append(c)
    if not by_ex:
        raise SystemExit("the engine found no reps in any clip; nothing to replay")
    end_day = end_day or dt.date.today()
    start = end_day - dt.timedelta(days=7 * weeks - 1)
    n_days = (end_day - start).days + 1
    store = Store(out)
    clock = FakeClock(0.0)
    rec = SessionRecorder(store, clock=clock)
    stats = {"sessions": 0, "sets": 0, "reps": 0}
    for d in range(n_days):
        day = start + dt.timedelta(days=d)
        if rng.random() < 0.22 and day != end_day:
            continue  # rest days (but the last day is active, so the current streak shows)
        progress = d / max(1, n_days - 1)
        clock.t = dt.datetime.combine(day, dt.time(hour=rng.choice([7, 8, 18, 19]), minute=rng.randrange(60))
                                      ).timestamp()
        rec.start_session(plan_name=rng.choice(["Glute med – week plan", "Home programme A"]), source="camera:0")
        todays = rng.sample(sorted(by_ex), k=min(len(by_ex), rng.choice([1, 2, 2, 3])))
        for ex in todays:
            clip = rng.choice(by_ex[ex])
            for side in (clip.side, _other(clip.side)):
                for _set in range(rng.choice([2, 3])):
                    clock.t += 20
                    rec.start_set(ex, side, 10, f"replay:{clip.file}")
                    scale = 1.0 + 0.08 * progress + rng.uniform(-0.03, 0.03) - (0.04 if side != clip.side else 0)
                    t0 = clock.t
                    # A short clip is replayed back to back until the set has 10 reps, shifted in time.
                    cycle_s = clip.reps[-1].t_end_s - clip.reps[0].t_start_s + 1.0
                    for i in range(1, 11):
                        k, r = divmod(i - 1, len(clip.reps))
                        r = clip.reps[r]
                        shift = k * cycle_s
                        faults = tuple(f for f in r.faults if rng.random() > 0.7 * progress)
                        rep = RepCompleted(i, side, r.t_start_s + shift, r.t_peak_s + shift, r.t_end_s + shift,
                                           round(r.peak_deg * scale, 3), faults)
                        clock.t = t0 + rep.t_end_s
                        rec.record_rep(rep)
                        for w in clip.warnings:
                            if r.t_start_s <= w.t_s <= r.t_end_s and w.code in faults:
                                rec.record_warning(dataclasses.replace(w, t_s=w.t_s + shift))
                        stats["reps"] += 1
                    clock.t += 5
                    rec.finish_set()
                    stats["sets"] += 1
        clock.t += 60
        rec.finish_session()
        stats["sessions"] += 1
    assert rec.pending_writes == 0, rec.last_error
    store.close()
    return stats


def make_years_db(out: pathlib.Path, *, years: int = 5, seed: int = 5, end_day: dt.date | None = None) -> dict:
    """One synthetic session per day for `years` years, bulk imported."""
    rng = random.Random(seed)
    end_day = end_day or dt.date.today()
    start = end_day - dt.timedelta(days=round(365.25 * years) - 1)
    store = Store(out, durable=False)
    store.conn.execute("PRAGMA journal_mode = WAL")
    codes = {"side-lying-abduction": ["leg_above_hip", "pelvis_roll_back", "too_fast"],
             "clamshell": ["pelvis_roll_back", "feet_apart", "too_fast"],
             "step-down": ["pelvic_drop", "knee_valgus", "trunk_lean"]}
    base = {"side-lying-abduction": 32.0, "clamshell": 38.0, "step-down": 55.0}
    stats = {"sessions": 0, "reps": 0}
    n = (end_day - start).days + 1
    for d in range(n):
        day = start + dt.timedelta(days=d)
        t = dt.datetime.combine(day, dt.time(8, rng.randrange(60))).timestamp()
        sets = []
        for ex in rng.sample(EXERCISES, 2):
            for side in ("left", "right"):
                for _ in range(3):
                    reps = []
                    for i in range(1, 11):
                        ts = 4.0 * i
                        faults = tuple(c for c in codes[ex] if rng.random() < 0.08)
                        reps.append(RepCompleted(i, side, ts, ts + 1.8, ts + 3.7,
                                                 base[ex] * (0.9 + 0.2 * d / n) + rng.gauss(0, 2), faults))
                    sets.append(SetRecord(ex, side, t, 10, 10, t + 45, "camera:0", reps))
                    t += 60
                    stats["reps"] += 10
        store.import_session(SessionRecord(started_utc_s=sets[0].started_utc_s, ended_utc_s=t, plan_name="Daily",
                                           source="camera:0", sets=sets))
        stats["sessions"] += 1
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return stats


def make_day_db(out: pathlib.Path, *, sessions: int = 3, seed: int = 6, day: dt.date | None = None) -> dict:
    """`sessions` synthetic sessions on one day, two exercises each: a first day's log."""
    rng = random.Random(seed)
    day = day or dt.date.today()
    store = Store(out)
    stats = {"sessions": 0, "reps": 0}
    for k in range(sessions):
        t = dt.datetime.combine(day, dt.time(8 + 4 * k, rng.randrange(60))).timestamp()
        sets = []
        for ex in EXERCISES[:2] if k % 2 == 0 else EXERCISES[1:]:
            for side in ("left", "right"):
                reps = [RepCompleted(i, side, 4.0 * i, 4.0 * i + 1.8, 4.0 * i + 3.7, 35.0 + rng.gauss(0, 3),
                                     ("too_fast",) if rng.random() < 0.15 else ()) for i in range(1, 11)]
                sets.append(SetRecord(ex, side, t, 10, 10, t + 45, "camera:0", reps))
                t += 60
                stats["reps"] += 10
        store.import_session(SessionRecord(started_utc_s=sets[0].started_utc_s, ended_utc_s=t, plan_name="First day",
                                           source="camera:0", sets=sets))
        stats["sessions"] += 1
    store.close()
    return stats


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="mode", required=True)
    w = sub.add_parser("weeks")
    w.add_argument("--out", type=pathlib.Path, default=ROOT / "out" / "history_weeks.sqlite3")
    w.add_argument("--weeks", type=int, default=6)
    w.add_argument("--videos", type=pathlib.Path, default=DEFAULT_VIDEOS)
    w.add_argument("--cache", type=pathlib.Path, default=ROOT / "out" / "engine_cache")
    w.add_argument("--quick", action="store_true", help="only one short clip per exercise")
    y = sub.add_parser("years")
    y.add_argument("--out", type=pathlib.Path, default=ROOT / "out" / "history_5y.sqlite3")
    y.add_argument("--years", type=int, default=5)
    one = sub.add_parser("day")
    one.add_argument("--out", type=pathlib.Path, default=ROOT / "out" / "history_day.sqlite3")
    one.add_argument("--sessions", type=int, default=3)
    args = p.parse_args(argv)
    for suffix in ("", "-wal", "-shm"):
        pathlib.Path(str(args.out) + suffix).unlink(missing_ok=True)
    t0 = time.perf_counter()
    if args.mode == "weeks":
        clips = analyse_clips(args.videos, args.cache, QUICK_CLIPS if args.quick else None)
        stats = make_weeks_db(args.out, clips, weeks=args.weeks)
    elif args.mode == "day":
        stats = make_day_db(args.out, sessions=args.sessions)
    else:
        stats = make_years_db(args.out, years=args.years)
    size_mb = args.out.stat().st_size / 1e6
    print(f"{args.out}: {stats}, {size_mb:.1f} MB, {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
