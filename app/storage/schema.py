"""The exercise log's schema and its migrations, versioned with `PRAGMA user_version`.

Each migration takes the database from version N-1 to N inside one transaction, so an interrupted upgrade
leaves the old version intact. Never edit a released migration: add a new one. `V1_SCHEMA` is kept verbatim
(and as a fixture in tests) so the upgrade path from the very first log is tested forever.

Times: wall-clock instants are UTC epoch seconds in columns ending `_utc_s`; `local_day` is the session's
calendar day in the user's time zone when it started (what streaks and the calendar count). Rep and fault
times (`t_*_s`) are seconds on the set's own source clock (video time or the tracker's clock), as the engine
reports them.
"""

from __future__ import annotations

import sqlite3

V1_SCHEMA = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    started_utc_s REAL NOT NULL,
    ended_utc_s REAL,
    local_day TEXT NOT NULL,
    plan_name TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT ''
);
CREATE TABLE sets (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    exercise TEXT NOT NULL,
    side TEXT NOT NULL,
    target_reps INTEGER,
    achieved_reps INTEGER,
    started_utc_s REAL NOT NULL,
    ended_utc_s REAL,
    source TEXT NOT NULL DEFAULT ''
);
CREATE TABLE reps (
    id INTEGER PRIMARY KEY,
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    side TEXT NOT NULL,
    t_start_s REAL NOT NULL,
    t_peak_s REAL NOT NULL,
    t_end_s REAL NOT NULL,
    peak_deg REAL NOT NULL,
    faults TEXT NOT NULL DEFAULT ''
);
CREATE TABLE fault_events (
    id INTEGER PRIMARY KEY,
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    t_s REAL NOT NULL,
    code TEXT NOT NULL,
    value REAL NOT NULL,
    message TEXT NOT NULL DEFAULT ''
);
"""


def _script(conn: sqlite3.Connection, sql: str) -> None:
    """Run several statements inside the caller's transaction (sqlite3's executescript would COMMIT first)."""
    buf = ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                conn.execute(buf)
            buf = ""
    if buf.strip():
        conn.execute(buf)


def _v1(conn: sqlite3.Connection) -> None:
    _script(conn, V1_SCHEMA)


def _v2(conn: sqlite3.Connection) -> None:
    """Exercises within a session, tempo per rep, faults per rep as rows, per-set aggregates, indexes.

    v1 kept a rep's faults as one comma-separated string, so counting faults meant scanning text; and every
    history chart had to aggregate all reps. v2 keeps per-set running totals (updated in the same transaction
    as each rep), which is what lets the history screen open in milliseconds on years of data.
    """
    _script(
        conn,
        """
        CREATE TABLE session_exercises (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            exercise TEXT NOT NULL,
            UNIQUE (session_id, exercise)
        );
        ALTER TABLE sets ADD COLUMN session_exercise_id INTEGER REFERENCES session_exercises(id);
        ALTER TABLE sets ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sets ADD COLUMN rep_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sets ADD COLUMN peak_deg_sum REAL NOT NULL DEFAULT 0;
        ALTER TABLE sets ADD COLUMN peak_deg_max REAL;
        ALTER TABLE sets ADD COLUMN faulty_reps INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sets ADD COLUMN fault_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sets ADD COLUMN local_day TEXT NOT NULL DEFAULT '';

        ALTER TABLE reps ADD COLUMN up_s REAL NOT NULL DEFAULT 0;
        ALTER TABLE reps ADD COLUMN down_s REAL NOT NULL DEFAULT 0;
        ALTER TABLE reps ADD COLUMN recorded_utc_s REAL;

        CREATE TABLE rep_faults (
            rep_id INTEGER NOT NULL REFERENCES reps(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            code TEXT NOT NULL,
            PRIMARY KEY (rep_id, position)
        ) WITHOUT ROWID;
        """
    )
    # Carry v1 data over: exercises, set order, tempo, faults as rows, per-set totals.
    conn.execute(
        """
        INSERT INTO session_exercises (session_id, position, exercise)
        SELECT session_id, ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY MIN(id)) - 1, exercise
        FROM sets GROUP BY session_id, exercise
        """
    )
    conn.execute(
        """
        UPDATE sets SET
            session_exercise_id = (SELECT e.id FROM session_exercises e
                                   WHERE e.session_id = sets.session_id AND e.exercise = sets.exercise),
            position = (SELECT COUNT(*) FROM sets s2 WHERE s2.session_id = sets.session_id AND s2.id < sets.id),
            local_day = (SELECT local_day FROM sessions WHERE sessions.id = sets.session_id)
        """
    )
    conn.execute("UPDATE reps SET up_s = t_peak_s - t_start_s, down_s = t_end_s - t_peak_s")
    rows = conn.execute("SELECT id, faults FROM reps WHERE faults <> ''").fetchall()
    conn.executemany(
        "INSERT INTO rep_faults (rep_id, position, code) VALUES (?, ?, ?)",
        [(rep_id, i, code) for rep_id, text in rows for i, code in enumerate(text.split(",")) if code],
    )
    conn.execute(
        """
        UPDATE sets SET
            rep_count = (SELECT COUNT(*) FROM reps r WHERE r.set_id = sets.id),
            peak_deg_sum = COALESCE((SELECT SUM(peak_deg) FROM reps r WHERE r.set_id = sets.id), 0),
            peak_deg_max = (SELECT MAX(peak_deg) FROM reps r WHERE r.set_id = sets.id),
            faulty_reps = (SELECT COUNT(*) FROM reps r WHERE r.set_id = sets.id AND r.faults <> ''),
            fault_count = (SELECT COUNT(*) FROM rep_faults f JOIN reps r ON r.id = f.rep_id
                           WHERE r.set_id = sets.id)
        """
    )
    _script(
        conn,
        """
        CREATE INDEX sessions_started ON sessions (started_utc_s);
        CREATE INDEX sessions_day ON sessions (local_day);
        CREATE INDEX sets_session ON sets (session_id, position);
        CREATE INDEX sets_series ON sets (exercise, local_day, side);
        CREATE INDEX sets_day ON sets (local_day);
        CREATE INDEX reps_set ON reps (set_id, idx);
        CREATE INDEX fault_events_set ON fault_events (set_id, t_s);
        CREATE INDEX rep_faults_code ON rep_faults (code);
        """
    )


def _v3(conn: sqlite3.Connection) -> None:
    """Faults a rep could not be judged on, and why (e.g. pelvis roll-back while the hips overlap on camera).

    Not judged is neither a fault nor good form, so it gets its own table instead of a pseudo-code in
    rep_faults (which every fault count reads). Older reps simply have no rows here: nothing to carry over.
    `position` keeps the engine's order, as rep_faults does, so a rep reads back exactly as it was reported.
    """
    _script(
        conn,
        """
        CREATE TABLE rep_unjudged (
            rep_id INTEGER NOT NULL REFERENCES reps(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            code TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (rep_id, position)
        ) WITHOUT ROWID;
        """
    )


def _v4(conn: sqlite3.Connection) -> None:
    """Single-leg stance (Trendelenburg) tests: one row per test, one per stance bout (app.stance.bouts).

    A test is not a set of reps (no rep counter, no faults), so it has its own tables rather than rows in sets
    with a pseudo-exercise that every rep query would have to skip. Numbers a bout could not measure are NULL,
    never zero: "not judged" keeps its reason.
    """
    _script(
        conn,
        """
        CREATE TABLE stance_tests (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            started_utc_s REAL NOT NULL,
            local_day TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            drop_tolerance_deg REAL NOT NULL,
            lean_tolerance_deg REAL NOT NULL,
            not_judged_reason TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE stance_bouts (
            id INTEGER PRIMARY KEY,
            test_id INTEGER NOT NULL REFERENCES stance_tests(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            stance_leg TEXT NOT NULL,
            t_start_s REAL NOT NULL,
            t_end_s REAL NOT NULL,
            duration_s REAL NOT NULL,
            max_pelvic_drop_deg REAL,
            mean_pelvic_drop_deg REAL,
            trunk_lean_deg REAL,
            onset_s REAL,
            max_hike_deg REAL,
            free_side TEXT,
            sway_cm REAL,
            verdict TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            ended_by TEXT NOT NULL DEFAULT '',
            UNIQUE (test_id, position)
        );
        CREATE INDEX stance_tests_day ON stance_tests (local_day);
        """
    )


def _v5(conn: sqlite3.Connection) -> None:
    """A set's video, when the user turned recording on (app.pipeline.set_recording): the file's name in the recordings
    folder beside the log. Its own table, so no existing row changes and a set without a recording (the default:
    video is stored only on request) has no row. A name, not a path, so the data folder can move."""
    _script(
        conn,
        """
        CREATE TABLE set_recordings (
            set_id INTEGER PRIMARY KEY REFERENCES sets(id) ON DELETE CASCADE,
            file TEXT NOT NULL
        );
        """
    )


def _v6(conn: sqlite3.Connection) -> None:
    """The therapist's programme a session followed (app.session.programme), when it followed one: who it is for,
    who wrote it, its date, a hash of its content, and the whole prescription as JSON (exercises, sets, reps or
    hold, sides, rest, limits, notes), so done vs prescribed can be worked out long after the file is gone. Its
    own table: no existing row changes, and a session from the plan screen has no row."""
    _script(
        conn,
        """
        CREATE TABLE session_programmes (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            title TEXT NOT NULL,
            patient TEXT NOT NULL,
            therapist TEXT NOT NULL,
            prescribed_day TEXT NOT NULL,
            content_sha256 TEXT NOT NULL,
            file_name TEXT NOT NULL DEFAULT '',
            prescription_json TEXT NOT NULL
        );
        CREATE INDEX session_programmes_hash ON session_programmes (content_sha256);
        """
    )


def _v7(conn: sqlite3.Connection) -> None:
    """How long each rep was held at the top (RepCompleted.held_s): for a timed hold it is the result itself.
    Older reps were not timed: 0, as the engine reports a rep with no hold."""
    _script(conn, "ALTER TABLE reps ADD COLUMN held_s REAL NOT NULL DEFAULT 0;")


# MIGRATIONS[i] takes the schema from version i to version i + 1.
MIGRATIONS = [_v1, _v2, _v3, _v4, _v5, _v6, _v7]
LATEST_VERSION = len(MIGRATIONS)


def current_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int = LATEST_VERSION) -> int:
    """Bring the schema up to `target`; returns the version found before. The caller maps sqlite errors."""
    found = current_version(conn)
    for version in range(found, target):
        # One transaction per step: an interrupted upgrade leaves the previous version intact.
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the write lock: another process may have migrated meanwhile.
            if current_version(conn) != version:
                conn.execute("ROLLBACK")
                continue
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return found
