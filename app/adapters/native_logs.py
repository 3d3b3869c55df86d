"""Keeping native libraries' console chatter away from the user.

MediaPipe's C++ side (glog/absl, TFLite), FFmpeg inside OpenCV and Qt's plugins write straight to file descriptor
2, below Python. Some of it comes at process exit, after Python has stopped running code: mediapipe 1.2.x prints
`DestroyAccelerator` lines from static destructors. A context manager around the calls cannot reach those, so the
`medius` process routes fd 2 once, at start-up, for its whole life:

    native code ──fd 2──▶ native.log in the log folder (or /dev/null)
    Python (sys.stderr: our messages, argparse, tracebacks) ──a copy of the original fd 2──▶ the terminal

MEDIUS_NATIVE_LOGS=1 leaves fd 2 alone, for debugging.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import sys

_routed = False


def native_logs_wanted() -> bool:
    return os.environ.get("MEDIUS_NATIVE_LOGS") == "1"


def route_native_stderr(log_dir: pathlib.Path | None = None) -> pathlib.Path | None:
    """Send fd 2 to `log_dir/native.log` (or /dev/null when that cannot be written) and give Python's
    sys.stderr the original terminal. Returns the native log's path, if any. Safe to call twice."""
    global _routed
    if _routed or native_logs_wanted():
        return None
    sys.stderr.flush()
    terminal_fd = os.dup(2)
    os.set_inheritable(terminal_fd, False)  # children (ffmpeg, ...) inherit only the routed fd 2
    target, path = _open_target(log_dir)
    os.dup2(target, 2)
    os.close(target)
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    sys.stderr = open(terminal_fd, "w", buffering=1, encoding=encoding, errors="backslashreplace", closefd=True)
    _routed = True
    return path


def _open_target(log_dir: pathlib.Path | None) -> tuple[int, pathlib.Path | None]:
    if log_dir is not None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            path = log_dir / "native.log"
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), path
        except OSError:
            pass
    return os.open(os.devnull, os.O_WRONLY), None


@contextlib.contextmanager
def native_logs_silenced():
    """Drop what native libraries print to fd 2 inside this block, for library use without the `medius`
    launcher (tests, tools). Once the process is routed this is not needed and does nothing. Use only around
    short calls: the redirection is process-wide."""
    if _routed or native_logs_wanted():
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
