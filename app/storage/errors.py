"""Storage errors: each says what happened to the exercise log and what the user can do about it.

They are `MediusError`s, so the CLI prints them on one line and the GUI shows them in its banner. The live
recorder never raises them to its caller: it keeps the data in memory, shows the message and retries.
"""

from __future__ import annotations

import sqlite3

from app.errors import MediusError


class StorageError(MediusError):
    exit_code = 5

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.path = path


class DatabaseLockedError(StorageError):
    """Another program holds a write lock on the log longer than we wait."""


class DatabaseReadOnlyError(StorageError):
    """The log file or its folder cannot be written (permissions, read-only disk)."""


class DatabaseCorruptError(StorageError):
    """The file is not an SQLite database or its pages are damaged."""


class DatabaseFullError(StorageError):
    """The disk (or the database's page limit) is full."""


class DatabaseTooNewError(StorageError):
    """The log was written by a newer Medius Coach whose schema this version does not know."""


class DatabaseUnavailableError(StorageError):
    """Any other failure to open or write the log (missing folder, I/O error)."""


def translate(exc: BaseException, path: str) -> StorageError:
    """Map an sqlite3 exception to the user-facing error for the log at `path`."""
    if isinstance(exc, StorageError):
        return exc
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return DatabaseLockedError(
            f"The exercise log {path} is locked by another program (another Medius Coach window or a backup tool?). "
            f"Close that program.",
            path,
        )
    if "readonly" in text or "read-only" in text or "read only" in text:
        return DatabaseReadOnlyError(
            f"The exercise log {path} is read-only. Give your user write permission on the file and its folder, "
            f"or set MEDIUS_DATA_DIR to a writable folder.",
            path,
        )
    if "full" in text:
        return DatabaseFullError(
            f"The disk holding the exercise log {path} is full. Free some space on it.",
            path,
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text or "encrypted" in text:
        return DatabaseCorruptError(
            f"The exercise log {path} is damaged ({exc}). Move the file aside (or restore it from a backup); "
            f"Medius Coach then starts a new, empty log.",
            path,
        )
    if "unable to open" in text:
        return DatabaseUnavailableError(
            f"The exercise log {path} cannot be opened ({exc}). Check that its folder exists and is writable, or "
            f"set MEDIUS_DATA_DIR to a writable folder.",
            path,
        )
    if isinstance(exc, sqlite3.Error | OSError):
        return DatabaseUnavailableError(
            f"The exercise log {path} cannot be written ({exc}).",
            path,
        )
    raise exc
