"""Where the exercise log lives and how a connection to it is opened.

WAL lets the history screen read while a set is being written. `synchronous=FULL` makes every commit durable
against a power cut, not only against a crashed process (WAL's usual NORMAL may lose the last commits when the
power goes); at one commit per rep, every few seconds, the cost of the extra fsync is invisible.
"""

from __future__ import annotations

import os
import pathlib
import sqlite3

from app.storage import schema
from app.storage.errors import DatabaseTooNewError, StorageError, translate

DB_FILENAME = "history.sqlite3"
ENV_DATA_DIR = "MEDIUS_DATA_DIR"


def data_dir() -> pathlib.Path:
    """The folder for the log: $MEDIUS_DATA_DIR if set (tests always set it), else the platform's data dir."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return pathlib.Path(override).expanduser()
    import platformdirs

    return pathlib.Path(platformdirs.user_data_dir("medius-coach", appauthor=False))


def default_db_path() -> pathlib.Path:
    return data_dir() / DB_FILENAME


def connect(path: str | os.PathLike, *, timeout_s: float = 2.0, migrate: bool = True,
            durable: bool = True) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the log at `path`. Raises a StorageError with a user message.

    `durable=False` (synchronous=OFF) is only for bulk generators of test data.
    """
    path = pathlib.Path(path)
    conn = None
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise translate(sqlite3.OperationalError(f"unable to open database file: {exc}"), str(path)) from exc
        # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE ... COMMIT), never implicit.
        conn = sqlite3.connect(str(path), timeout=timeout_s, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA foreign_keys = ON")
        # Touching the schema is the first real read: a non-database file fails here, not later.
        version = schema.current_version(conn)
        if version > schema.LATEST_VERSION:
            raise DatabaseTooNewError(
                f"The exercise log {path} was written by a newer Medius Coach (schema {version}, this version knows "
                f"up to {schema.LATEST_VERSION}). Update Medius Coach; the log was not changed.",
                str(path),
            )
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'OFF'}")
        if migrate and version < schema.LATEST_VERSION:
            schema.migrate(conn)
        return conn
    except StorageError:
        if conn is not None:
            conn.close()
        raise
    except (sqlite3.Error, OSError) as exc:
        if conn is not None:
            conn.close()
        raise translate(exc, str(path)) from exc
