"""Reading the TOML files people write by hand (exercise definitions, therapists' programmes) with errors that
say which file, which line and what is wrong.

`tomllib` reports syntax errors with a line and column but knows nothing of meaning, and the tables it returns
carry no positions. `Fields` walks a parsed table and knows where it came from: each table remembers the line of
its header (`[rep_signal]`, the n-th `[[faults]]`), and a key is looked up from there, so "faults[2].limit: expected
a number" can say "line 41". Array-of-tables are the only repeated structure these files use, which keeps the
line search exact without a position-keeping parser.
"""

from __future__ import annotations

import datetime
import math
import pathlib
import re
import tomllib
from dataclasses import dataclass
from typing import Any


class DataFileError(ValueError):
    """A hand-written data file is wrong: `str()` is one line a user can act on."""

    def __init__(self, path: pathlib.Path | str, line: int | None, message: str):
        self.path, self.line, self.message = pathlib.Path(path), line, message
        where = f"{self.path.name}, line {line}" if line else self.path.name
        super().__init__(f"{where}: {message}")


def load_toml(path: pathlib.Path | str) -> Fields:
    path = pathlib.Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(path, None, "file not found") from None
    except UnicodeDecodeError:
        raise DataFileError(path, None, "not a text file (expected UTF-8 TOML)") from None
    except OSError as exc:
        raise DataFileError(path, None, f"cannot be read ({exc.strerror or exc})") from None
    return parse_toml(text, path)


def parse_toml(text: str, path: pathlib.Path | str) -> Fields:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _line_of_toml_error(str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc)) or "not valid TOML"
        raise DataFileError(path, line, f"not valid TOML: {message}") from None
    # Lines as TOML counts them ("\n" only): str.splitlines() would also break at form feeds or U+2028 inside a
    # string and shift every line number after it.
    return Fields(data, "", _Lines(text.replace("\r\n", "\n").split("\n")), pathlib.Path(path), 1)


def _line_of_toml_error(message: str) -> int | None:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else None


@dataclass
class _Lines:
    lines: list[str]

    def header(self, name: str, index: int | None, after: int) -> int:
        """Line (1-based) of `[name]`, or of the index-th `[[name]]`, searched from `after`."""
        pattern = re.compile(r"^\s*\[\[\s*" + re.escape(name) + r"\s*\]\]" if index is not None
                             else r"^\s*\[\s*" + re.escape(name) + r"\s*\]")
        seen = -1
        for i in range(max(0, after - 1), len(self.lines)):
            if pattern.match(self.lines[i]):
                seen += 1
                if index is None or seen == index:
                    return i + 1
        return after

    def key(self, key: str, after: int) -> int:
        """Line of `key = ...` in the table starting at `after` (before the next table header)."""
        found = self.find_key(key, after)
        return after if found is None else found

    def find_key(self, key: str, after: int) -> int | None:
        pattern = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
        for i in range(max(0, after - 1), len(self.lines)):
            if i >= after and re.match(r"^\s*\[", self.lines[i]):
                break
            if pattern.match(self.lines[i]):
                return i + 1
        return None


class Fields:
    """One parsed table, with typed accessors that raise `DataFileError` naming the field and its line."""

    def __init__(self, data: dict, where: str, lines: _Lines, path: pathlib.Path, line: int):
        self.data, self.where, self._lines, self.path, self.line = data, where, lines, path, line

    def error(self, key: str | None, message: str) -> DataFileError:
        line = self._lines.key(key, self.line) if key else self.line
        field = f"{self.where}.{key}" if self.where and key else (key or self.where)
        return DataFileError(self.path, line, f"{field}: {message}" if field else message)

    def has(self, key: str) -> bool:
        return key in self.data

    def keys(self) -> list[str]:
        return list(self.data)

    def reject_unknown(self, allowed: set[str]) -> None:
        """A misspelt key would otherwise be silently ignored (a limit that never applies)."""
        for key in self.data:
            if key not in allowed:
                raise self.error(key, f"unknown key (expected one of: {', '.join(sorted(allowed))})")

    def _get(self, key: str, default: Any) -> Any:
        if key in self.data:
            return self.data[key]
        if default is _REQUIRED:
            raise self.error(None, f"missing required key '{key}'")
        return default

    def text(self, key: str, default: Any = None, choices: tuple[str, ...] | None = None) -> str:
        value = self._get(key, _REQUIRED if default is None else default)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"expected a non-empty text, got {_show(value)}")
        if choices is not None and value not in choices:
            raise self.error(key, f"'{value}' is not one of: {', '.join(choices)}")
        return value

    def optional_text(self, key: str) -> str | None:
        return self.text(key) if key in self.data else None

    def free_text(self, key: str, default: str = "") -> str:
        """Any text, empty allowed (a note): only the type is checked."""
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self.error(key, f"expected a text in quotes, got {_show(value)}")
        return value

    def date(self, key: str) -> datetime.date:
        """A TOML date (2026-12-01) or the same as text ("2026-12-01"); a date-time is refused."""
        value = self._get(key, _REQUIRED)
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value.strip())
            except ValueError:
                raise self.error(key, f"expected a date like 2026-12-01, got {_show(value)}") from None
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            raise self.error(key, f"expected a date like 2026-12-01, got {_show(value)}")
        return value

    def number(self, key: str, default: Any = None, low: float | None = None,
               high: float | None = None) -> float:
        value = self._get(key, _REQUIRED if default is None else default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.error(key, f"expected a number, got {_show(value)}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.error(key, f"{value:g} is outside the range {_range(low, high)}")
        return float(value)

    def integer(self, key: str, default: Any = None, low: int | None = None, high: int | None = None) -> int:
        value = self._get(key, _REQUIRED if default is None else default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"expected a whole number, got {_show(value)}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.error(key, f"{value} is outside the range {_range(low, high)}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {_show(value)}")
        return value

    def texts(self, key: str, default: Any = None) -> tuple[str, ...]:
        value = self._get(key, _REQUIRED if default is None else default)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(key, f"expected a list of texts, got {_show(value)}")
        return tuple(value)

    def numbers(self, key: str, length: int | None = None) -> tuple[float, ...]:
        value = self._get(key, _REQUIRED)
        if (not isinstance(value, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                    for v in value) or (length is not None and len(value) != length)):
            wanted = f"a list of {length} numbers" if length else "a list of numbers"
            raise self.error(key, f"expected {wanted}, got {_show(value)}")
        return tuple(float(v) for v in value)

    def table(self, key: str, required: bool = True) -> Fields | None:
        if key not in self.data:
            if required:
                raise self.error(None, f"missing table [{self._qualified(key)}]")
            return None
        value = self.data[key]
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table, got {_show(value)}")
        # An inline table (key = { ... }) sits on its key's line, in this table's own body; looked for first, so
        # that a later entry's [parent.key] header is not taken for this one's.
        line = self._lines.find_key(key, self.line)
        if line is None:
            line = self._lines.header(self._qualified(key), None, self.line)
        return Fields(value, f"{self.where}.{key}" if self.where else key, self._lines, self.path, line)

    def tables(self, key: str, required: bool = True) -> list[Fields]:
        """An array of tables (`[[key]]`), each with the line of its own header."""
        if key not in self.data:
            if required:
                raise self.error(None, f"missing [[{self._qualified(key)}]] entries")
            return []
        value = self.data[key]
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(key, f"expected [[{self._qualified(key)}]] tables, got {_show(value)}")
        out = []
        for i, item in enumerate(value):
            line = self._lines.header(self._qualified(key), i, 1)
            out.append(Fields(item, f"{self._qualified(key)}[{i + 1}]", self._lines, self.path, line))
        return out

    def _qualified(self, key: str) -> str:
        # Nested under an array entry ("faults[2]"), TOML headers drop the index: [[faults]] ... [faults.measure]
        base = re.sub(r"\[\d+\]", "", self.where)
        return f"{base}.{key}" if base else key


_REQUIRED = object()


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    return f"{low:g} or more" if low is not None else f"{high:g} or less"


def _show(value: Any) -> str:
    if isinstance(value, str):
        # The message is one line: a value's own line breaks are shown escaped, and a long value cut short.
        shown = value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return f"'{shown[:60]}…'" if len(shown) > 60 else f"'{shown}'"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)
