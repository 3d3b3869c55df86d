"""The exercise log: SQLite (standard library `sqlite3`, WAL, `PRAGMA user_version` migrations) under the user's
data dir, or $MEDIUS_DATA_DIR.

- `Store`: one connection; writes are short transactions, reads feed the history screen, CLI and export.
- `SessionRecorder`: the live GUI's writer; commits every rep as it happens and never raises to its caller.
- `log_analysis(result, db)`: store an offline analysis (`medius analyze --log`).
- `import_rescue_files(store)`: sessions the recorder saved beside the log when it could not write them.
"""

from app.storage.analysis_log import log_analysis, session_from_analysis
from app.storage.connection import ENV_DATA_DIR, data_dir, default_db_path
from app.storage.errors import (
    DatabaseCorruptError,
    DatabaseFullError,
    DatabaseLockedError,
    DatabaseReadOnlyError,
    DatabaseTooNewError,
    DatabaseUnavailableError,
    StorageError,
)
from app.storage.models import SeriesPoint, SessionRecord, SessionSummary, SetRecord, Totals
from app.storage.recorder import SessionRecorder
from app.storage.rescue import import_rescue_files
from app.storage.repository import Store, local_day_of, streaks

__all__ = [
    "ENV_DATA_DIR", "DatabaseCorruptError", "DatabaseFullError", "DatabaseLockedError", "DatabaseReadOnlyError",
    "DatabaseTooNewError", "DatabaseUnavailableError", "SeriesPoint", "SessionRecord", "SessionRecorder",
    "SessionSummary", "SetRecord", "Store", "StorageError", "Totals", "data_dir", "default_db_path",
    "import_rescue_files", "local_day_of", "log_analysis", "session_from_analysis", "streaks",
]
