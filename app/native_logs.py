"""Keeping native libraries' console chatter away from the user."""

import contextlib
import os
import sys


@contextlib.contextmanager
def native_logs_silenced():
    """Drop what native libraries print straight to file descriptor 2 inside this block.

    MediaPipe's C++ start-up notices (GLOG_minloglevel does not reach them all) and FFmpeg's complaints about a
    damaged file mean nothing to a user, who gets our one-line message instead. MEDIUS_NATIVE_LOGS=1 keeps them
    for debugging. Use only around short calls: the redirection is process-wide."""
    if os.environ.get("MEDIUS_NATIVE_LOGS") == "1":
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
