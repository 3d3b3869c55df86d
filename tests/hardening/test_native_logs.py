"""What native libraries print on fd 2, even at process exit after Python's own code has finished, never reaches
the terminal; Python's messages still do. (mediapipe 1.2.x prints `DestroyAccelerator` from static destructors.)"""

from __future__ import annotations

import os
import subprocess
import sys

from medius_testdata import REPO

# The child routes fd 2 as the `medius` launcher does, then writes through libc at exit (as C++ destructors do)
# and through Python's sys.stderr (as our one-line error messages do).
CHILD = """
import atexit, ctypes, pathlib, sys
from app.adapters.native_logs import route_native_stderr
route_native_stderr(pathlib.Path(sys.argv[1]))
libc = ctypes.CDLL(None)
atexit.register(lambda: libc.write(2, b"INFO: DestroyAccelerator at exit\\n", 33))
libc.write(2, b"WARNING: native start-up notice\\n", 32)
print("medius: a message for the user", file=sys.stderr)
"""


def run_child(tmp_path, **env):
    return subprocess.run([sys.executable, "-c", CHILD, str(tmp_path)], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, **env}, timeout=60)


def test_native_output_goes_to_the_native_log_and_python_messages_to_the_terminal(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "MEDIUS_NATIVE_LOGS"}
    result = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path)], capture_output=True, text=True, cwd=REPO,
                            env=env, timeout=60)
    assert result.returncode == 0
    assert result.stderr == "medius: a message for the user\n"
    native = (tmp_path / "native.log").read_text()
    assert "native start-up notice" in native and "DestroyAccelerator at exit" in native


def test_native_logs_on_request(tmp_path):
    result = run_child(tmp_path, MEDIUS_NATIVE_LOGS="1")
    assert "native start-up notice" in result.stderr and "DestroyAccelerator at exit" in result.stderr
    assert not (tmp_path / "native.log").exists()


def test_an_unwritable_log_folder_falls_back_to_silence(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    env = {k: v for k, v in os.environ.items() if k != "MEDIUS_NATIVE_LOGS"}
    result = subprocess.run([sys.executable, "-c", CHILD, str(blocker / "log")], capture_output=True, text=True,
                            cwd=REPO, env=env, timeout=60)
    assert result.returncode == 0 and result.stderr == "medius: a message for the user\n"
