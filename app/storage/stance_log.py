"""Single-leg stance tests in the exercise log (schema tables stance_tests, stance_bouts).

Write one test in one transaction (`add_stance_test`, or `log_stance_test` for `medius analyze --log`); read
them back newest first (`stance_tests`), or as a per-test left/right trend (`stance_trend`) for History and the
therapist report. Each side of a test is represented by its longest judged bout (as StanceResult.side_summary).
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field

from app.stance.bouts import StanceResult
from app.storage.repository import Store, _day_range, local_day_of


@dataclass(frozen=True)
class StanceBoutRecord:
    stance_leg: str
    t_start_s: float
    t_end_s: float
    duration_s: float
    max_pelvic_drop_deg: float | None
    mean_pelvic_drop_deg: float | None
    trunk_lean_deg: float | None
    onset_s: float | None
    max_hike_deg: float | None
    free_side: str | None
    sway_cm: float | None
    verdict: str
    reason: str
    ended_by: str


@dataclass(frozen=True)
class StanceTestRecord:
    id: int
    started_utc_s: float
    local_day: str
    source: str
    drop_tolerance_deg: float
    lean_tolerance_deg: float
    not_judged_reason: str
    bouts: list[StanceBoutRecord] = field(default_factory=list)

    def side(self, leg: str) -> StanceBoutRecord | None:
        """The bout that stands for one stance leg: the longest judged one, else the longest."""
        mine = [b for b in self.bouts if b.stance_leg == leg]
        judged = [b for b in mine if b.verdict != "not judged"]
        pool = judged or mine
        return max(pool, key=lambda b: b.duration_s) if pool else None

    def left_minus_right_deg(self) -> float | None:
        left, right = self.side("left"), self.side("right")
        if (left is None or right is None or "not judged" in (left.verdict, right.verdict)
                or left.max_pelvic_drop_deg is None or right.max_pelvic_drop_deg is None):
            return None
        return left.max_pelvic_drop_deg - right.max_pelvic_drop_deg


@dataclass(frozen=True)
class StanceTrendPoint:
    test_id: int
    local_day: str
    started_utc_s: float
    leg: str
    max_pelvic_drop_deg: float
    verdict: str


_BOUT_COLUMNS = ("stance_leg", "t_start_s", "t_end_s", "duration_s", "max_pelvic_drop_deg", "mean_pelvic_drop_deg",
                 "trunk_lean_deg", "onset_s", "max_hike_deg", "free_side", "sway_cm", "verdict", "reason",
                 "ended_by")


def add_stance_test(store: Store, result: StanceResult, *, started_utc_s: float | None = None,
                    source: str = "") -> int:
    started = time.time() if started_utc_s is None else started_utc_s
    with store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO stance_tests (uid, started_utc_s, local_day, source, drop_tolerance_deg, "
            "lean_tolerance_deg, not_judged_reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (uuid.uuid4().hex, started, local_day_of(started), source, result.params.drop_tolerance_deg,
             result.params.lean_tolerance_deg, result.not_judged_reason or ""))
        test_id = int(cur.lastrowid)
        conn.executemany(
            f"INSERT INTO stance_bouts (test_id, position, {', '.join(_BOUT_COLUMNS)}) "
            f"VALUES (?, ?, {', '.join('?' * len(_BOUT_COLUMNS))})",
            [(test_id, i, *(getattr(b, c) for c in _BOUT_COLUMNS)) for i, b in enumerate(result.bouts)])
    return test_id


def log_stance_test(result: StanceResult, db: Store | str | os.PathLike | None = None, **kwargs) -> int:
    """Store one test (CLI `--log`); raises StorageError with a user message if the log cannot be written."""
    if isinstance(db, Store):
        return add_stance_test(db, result, **kwargs)
    with Store(db) as store:
        return add_stance_test(store, result, **kwargs)


def stance_tests(store: Store, *, since_day: str | None = None, until_day: str | None = None,
                 limit: int | None = None) -> list[StanceTestRecord]:
    """Tests newest first, each with its bouts in order."""
    where, params = _day_range("local_day", since_day, until_day)
    sql = ("SELECT id, started_utc_s, local_day, source, drop_tolerance_deg, lean_tolerance_deg, not_judged_reason "
           "FROM stance_tests" + (f" WHERE {' AND '.join(where)}" if where else "")
           + " ORDER BY started_utc_s DESC, id DESC" + (" LIMIT ?" if limit is not None else ""))
    rows = store._read(sql, tuple(params) + ((limit,) if limit is not None else ()))
    if not rows:
        return []
    ids = [r[0] for r in rows]
    bouts: dict[int, list[StanceBoutRecord]] = {i: [] for i in ids}
    marks = ", ".join("?" * len(ids))
    for row in store._read(f"SELECT test_id, {', '.join(_BOUT_COLUMNS)} FROM stance_bouts "
                           f"WHERE test_id IN ({marks}) ORDER BY test_id, position", tuple(ids)):
        bouts[row[0]].append(StanceBoutRecord(*row[1:]))
    return [StanceTestRecord(*r, bouts=bouts[r[0]]) for r in rows]


def stance_trend(store: Store, *, since_day: str | None = None, until_day: str | None = None
                 ) -> list[StanceTrendPoint]:
    """Per test and stance leg with a judged bout, its worst-1-s drop; oldest first (for a trend chart)."""
    points = []
    for test in reversed(stance_tests(store, since_day=since_day, until_day=until_day)):
        for leg in ("left", "right"):
            b = test.side(leg)
            if b is not None and b.verdict != "not judged" and b.max_pelvic_drop_deg is not None:
                points.append(StanceTrendPoint(test.id, test.local_day, test.started_utc_s, leg,
                                               b.max_pelvic_drop_deg, b.verdict))
    return points
