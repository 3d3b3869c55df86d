"""Time to first paint of the History screen on a big log (default: 5 years of daily sessions).

    python tools/benchmark_history.py [--db out/history_5y.sqlite3] [--runs 5] [--screenshot out/screenshots/x.png]

Creates the log with tools/make_history_db.py if it is missing. The clock starts when the user asks for the
screen with the app already running (Qt and the history module imported: install_history preloads it while the
plan screen is idle; the one-off import cost is printed separately) and stops when the
first paint of the charts has finished: it covers opening the log, all queries, building the widgets, layout
and painting. Runs offscreen (QT_QPA_PLATFORM=offscreen unless set). Prints each run and the median; the first
run is the honest "first open" (cold SQLite page cache in this process).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET_MS = 300.0


def measure(db: pathlib.Path, app, screenshot: pathlib.Path | None = None) -> tuple[float, object]:
    from PySide6.QtCore import QEvent, QObject

    from app.storage import Store
    from ui.history_view import HistoryView

    painted = []

    class PaintWatch(QObject):
        def __init__(self, target):
            super().__init__()
            self.target = target

        def eventFilter(self, obj, event):  # noqa: N802
            if obj is self.target and event.type() == QEvent.Type.Paint:
                painted.append(time.perf_counter())
            return False

    t0 = time.perf_counter()
    store = Store(db)
    view = HistoryView(store)
    view.resize(1400, 900)
    watch = PaintWatch(view.charts.view.viewport())
    view.charts.view.viewport().installEventFilter(watch)
    view.show()
    deadline = t0 + 10
    while not painted and time.perf_counter() < deadline:
        app.processEvents()
    t1 = time.perf_counter()  # processEvents returned: the paint that was seen has finished
    if screenshot:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        view.grab().save(str(screenshot))
    view.close()
    view.deleteLater()
    store.close()
    app.processEvents()
    return (t1 - t0) * 1000.0, view


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", type=pathlib.Path, default=ROOT / "out" / "history_5y.sqlite3")
    p.add_argument("--years", type=int, default=5)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--screenshot", type=pathlib.Path)
    return run(p.parse_args(argv))


def run(args) -> int:
    if not args.db.exists():
        sys.path.insert(0, str(ROOT / "tools"))
        import make_history_db

        args.db.parent.mkdir(parents=True, exist_ok=True)
        stats = make_history_db.make_years_db(args.db, years=args.years)
        print(f"generated {args.db}: {stats}")
    from ui.qt_env import ensure_app

    app = ensure_app()
    import ui.main_window  # noqa: F401  (the running app has these loaded already)

    t_import = time.perf_counter()
    import ui.history_view  # noqa: F401
    import_ms = (time.perf_counter() - t_import) * 1000
    from app.storage import Store

    with Store(args.db) as s:
        t = s.totals()
    size_mb = args.db.stat().st_size / 1e6
    print(f"log: {args.db} ({size_mb:.1f} MB): {t.sessions} sessions, {t.sets} sets, {t.reps} reps, "
          f"{t.first_day} to {t.last_day}")
    print(f"one-off: importing the history screen into the running app (pyqtgraph): {import_ms:.0f} ms "
          "(ui.history_entry preloads it while the plan screen is idle)")
    times = []
    for i in range(args.runs):
        ms, _ = measure(args.db, app, args.screenshot if i == 0 else None)
        times.append(ms)
        print(f"run {i + 1}: first paint {ms:.0f} ms")
    med = statistics.median(times)
    print(f"history first paint: first {times[0]:.0f} ms, median {med:.0f} ms over {len(times)} runs "
          f"(target < {TARGET_MS:.0f} ms): {'OK' if med < TARGET_MS else 'TOO SLOW'}")
    return 0 if med < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
