"""The standalone Linux bundle (tools/build_bundle.sh) works on a machine without Python.

The bundle is built once per session, and only when its sources changed since the last build
(build/bundle/sources.sha256, kept by the build script). Every run of the bundle happens in an environment with
nothing but PATH=/usr/bin:/bin, HOME and MEDIUS_DATA_DIR, and, where the kernel allows a private mount namespace
(unshare, as root), with every Python installation of this machine hidden: the venv, the interpreter it was made
from, /usr/lib/python3* and the python executables on PATH. A bundle that still leans on any of them fails here.

    .venv/bin/python -m pytest -m bundle tests/packaging/test_bundle.py
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import glob
import hashlib
import json
import os
import pathlib
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import time

import pytest

from medius_testdata import LABELS_PATH, REPO, SKIP_NO_CLIPS, VIDEOS_DIR

pytestmark = [pytest.mark.bundle, pytest.mark.timeout(2400)]  # a cold build takes minutes on 2 busy cores

APP = "medius-coach"
DIST = REPO / "build" / "bundle" / "dist" / APP
INTERNAL = DIST / "_internal"
SHORT_CLIP = VIDEOS_DIR / "clamshell_banded_front_chloe_gif_1.mp4"  # 3 s, 1 rep
LONG_CLIP = VIDEOS_DIR / "clamshell_banded_front_curvelog_1.mp4"  # 16 s, 6 labelled reps
# About 400 MB today (OpenCV with its FFmpeg 150, Qt 125, numpy 40, MediaPipe 28). The budget catches a
# regression such as QtWebEngine (200 MB) or the QML stack coming back in, not a few MB.
SIZE_BUDGET_MB = 480
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?P<level>[A-Z]+) (?P<message>.*)$")


# --- the build ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def bundle() -> pathlib.Path:
    """The bundle's executable, (re)built by tools/build_bundle.sh when its sources changed."""
    started = time.monotonic()
    built = subprocess.run(["bash", str(REPO / "tools" / "build_bundle.sh"), "--if-changed"], cwd=REPO,
                           capture_output=True, text=True, timeout=2400)
    assert built.returncode == 0, f"the bundle build failed:\n{built.stdout[-3000:]}\n{built.stderr[-6000:]}"
    print(f"bundle build: {time.monotonic() - started:.0f} s; {built.stdout.strip().splitlines()[-1]}")
    exe = DIST / APP
    assert exe.is_file() and os.access(exe, os.X_OK), f"no executable at {exe}"
    return exe


# --- running it with no Python around ----------------------------------------------------------------------------
def _python_installations() -> tuple[list[str], list[str]]:
    """(directories, executables) of every Python on this machine a frozen app could wrongly depend on."""
    dirs = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    for root in ("/usr/lib", "/usr/lib64", "/usr/local/lib"):
        dirs.update(os.path.realpath(p) for p in glob.glob(f"{root}/python3*") if os.path.isdir(p))
    exes = set()
    for folder in ("/usr/bin", "/bin", "/usr/local/bin"):
        for path in glob.glob(f"{folder}/python*"):
            if re.fullmatch(r"python[0-9.]*", os.path.basename(path)) and os.path.isfile(path):
                exes.add(os.path.realpath(path))
    bundle_dir = os.path.realpath(DIST)
    dirs = {d for d in dirs if not bundle_dir.startswith(d + os.sep)}  # never hide the bundle itself
    return sorted(dirs), sorted(exes)


def _can_hide_pythons() -> bool:
    unshare = shutil.which("unshare")
    return bool(unshare) and subprocess.run([unshare, "--mount", "true"], capture_output=True).returncode == 0


HIDE_PYTHONS = _can_hide_pythons()


def without_python(cmd: list[str]) -> list[str]:
    """`cmd` in a private mount namespace where every Python installation is an empty, read-only folder and
    every python executable is /dev/null (not executable). Where that is not allowed, `cmd` as it is: the
    environment from `bare_env` still has no Python on PATH."""
    if not HIDE_PYTHONS:
        return cmd
    dirs, exes = _python_installations()
    script = ["set -e"]
    script += [f"mount -t tmpfs -o ro,size=1k tmpfs {shlex.quote(d)}" for d in dirs]
    script += [f"mount --bind /dev/null {shlex.quote(e)}" for e in exes]
    script.append('exec "$@"')
    return [shutil.which("unshare"), "--mount", "--propagation", "private", "/bin/sh", "-c", "\n".join(script),
            "sh", *cmd]


def bare_env(tmp_path: pathlib.Path, **extra: str) -> dict[str, str]:
    """A user's minimal environment: no PYTHONPATH, VIRTUAL_ENV, PYTHONHOME, LD_LIBRARY_PATH, QT_* or DISPLAY."""
    home = tmp_path / "home"
    home.mkdir(parents=True, exist_ok=True)
    path = "/usr/bin:/bin"
    if not HIDE_PYTHONS:  # /usr/bin holds python3 on many systems: give a copy of PATH without it
        path = str(_python_free_bin(tmp_path))
    return {"PATH": path, "HOME": str(home), "MEDIUS_DATA_DIR": str(tmp_path / "data"), **extra}


def _python_free_bin(tmp_path: pathlib.Path) -> pathlib.Path:
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for source in ("/usr/bin", "/bin"):
        for name in os.listdir(source):
            target = folder / name
            if not name.startswith("python") and not target.exists():
                target.symlink_to(os.path.join(source, name))
    return folder


def run_bundle(exe: pathlib.Path, *args: str, env: dict[str, str], cwd: pathlib.Path,
               timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(without_python([str(exe), *args]), env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def test_the_sandbox_really_has_no_python(tmp_path):
    """The premise of the tests below: inside `without_python` + `bare_env`, no Python can be started."""
    probe = ("for p in python3 python python3.11 python3.12 python3.13; do $p -c 'print(\"PYTHON RAN\")'; done; "
             f"ls -A {shlex.quote(os.path.realpath(sys.base_prefix))}")
    result = subprocess.run(without_python(["/bin/sh", "-c", probe]), env=bare_env(tmp_path), cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert "PYTHON RAN" not in result.stdout, "a Python started inside the sandbox"
    if HIDE_PYTHONS:
        assert result.stdout.strip() == "", f"{sys.base_prefix} is still visible: {result.stdout}"


# --- what is in the folder ---------------------------------------------------------------------------------------
def test_the_bundle_holds_the_data_the_native_library_and_no_dead_weight(bundle):
    assets = INTERNAL / "medius_assets"
    model = assets / "models" / "pose_landmarker_full.task"
    want = (REPO / "assets" / "models" / "pose_landmarker_full.task.sha256").read_text().split()[0]
    assert hashlib.sha256(model.read_bytes()).hexdigest() == want
    for path in (REPO / "assets" / "exercises").glob("*.toml"):
        assert (assets / "exercises" / path.name).read_bytes() == path.read_bytes()
    for name in (f"{APP}.svg", f"{APP}.png"):
        assert (assets / "icons" / name).read_bytes() == (REPO / "assets" / "icons" / name).read_bytes()
    assert (assets / "__init__.py").is_file(), "medius_assets must be a real package on disk (app.assets)"
    assert (INTERNAL / "mediapipe" / "tasks" / "c" / "libmediapipe.so").is_file()
    plugins = INTERNAL / "PySide6" / "Qt" / "plugins"
    for plugin in ("platforms/libqxcb.so", "platforms/libqwayland.so", "platforms/libqoffscreen.so",
                   "multimedia/libffmpegmediaplugin.so", "imageformats/libqsvg.so", "iconengines/libqsvgicon.so"):
        assert (plugins / plugin).is_file(), f"missing Qt plugin {plugin}"
    assert (DIST / "install-desktop-entry.sh").is_file()
    assert (INTERNAL / "share" / "applications" / f"{APP}.desktop").is_file()

    files = [p.relative_to(DIST).as_posix() for p in DIST.rglob("*")]
    unwanted = re.compile(r"WebEngine|Qt6Quick3D|Qt63D|Qt6Pdf|VirtualKeyboard|Qt6Designer|qeglfs|qvnc|libqgtk3|"
                          r"translations/|tkinter|libtk|libtcl|matplotlib|portaudio|_sounddevice")
    assert not [f for f in files if unwanted.search(f)], "files the app never uses came back"

    from PyInstaller.archive.readers import CArchiveReader

    modules = set(CArchiveReader(str(bundle)).open_embedded_archive("PYZ.pyz").toc)
    assert {"app.pipeline.analysis", "ui.launcher", "ui.main_window", "mediapipe", "pyqtgraph"} <= modules
    assert list((INTERNAL / "cv2").glob("cv2*.so")), "OpenCV (collected beside the archive, as its hook does)"
    tops = {m.split(".")[0] for m in modules}
    assert not tops & {"pytest", "_pytest", "hypothesis", "pytestqt", "importlinter", "setuptools", "pip",
                       "tkinter", "matplotlib", "sounddevice", "PyInstaller"}
    assert not {m for m in modules if m.startswith("mediapipe.tasks.python.test")}

    size_mb = sum(p.stat().st_size for p in DIST.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20
    print(f"bundle size: {size_mb:.0f} MB")
    assert size_mb < SIZE_BUDGET_MB, f"the bundle grew to {size_mb:.0f} MB (budget {SIZE_BUDGET_MB} MB)"


# --- the command line --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("clip", [SHORT_CLIP, LONG_CLIP], ids=lambda p: p.stem)
@pytest.mark.clips
@pytest.mark.skipif(not LABELS_PATH.is_file(), reason=SKIP_NO_CLIPS)
def test_bundle_analyze_counts_like_the_engine_in_process(bundle, clip, tmp_path):
    assert clip.is_file(), f"labelled clip {clip} is listed but missing"
    started = time.monotonic()
    result = run_bundle(bundle, "analyze", str(clip), "--exercise", "clamshell", "--json",
                        env=bare_env(tmp_path), cwd=tmp_path)
    took = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "the bundle printed on stderr"
    report = json.loads(result.stdout)

    from app.pipeline.analysis import analyze_video

    started = time.monotonic()
    here = analyze_video(clip, "clamshell")
    print(f"analyze {clip.name}: bundle {took:.1f} s (process), in-process engine {time.monotonic() - started:.1f} s")
    assert report["reps"] == len(here.reps)
    assert [(r["t_start_s"], r["t_peak_s"], r["t_end_s"]) for r in report["rep_events"]] == \
        [(r.t_start_s, r.t_peak_s, r.t_end_s) for r in here.reps]
    assert report["reps"] >= 1, "the clip's reps were not found at all"


def test_bundle_hears_voice_commands_with_its_packaged_model(bundle, tmp_path):
    """The keyword model travels in the bundle: the recorded commands are heard as the venv hears them."""
    wav = REPO / "tests" / "data" / "voice" / "commands_piper.wav"
    result = run_bundle(bundle, "voice-test", "--wav", str(wav), "--json", env=bare_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    heard = [c["command"] for c in json.loads(result.stdout)["commands"]]

    from app.handsfree.voice_commands import commands_in, read_wav_16k

    assert heard == [c.command for c in commands_in(read_wav_16k(wav))]
    assert heard, "no command heard at all"


@pytest.mark.clips
@pytest.mark.skipif(not LABELS_PATH.is_file(), reason=SKIP_NO_CLIPS)
def test_bundle_logs_a_session_and_exports_a_pdf_report(bundle, tmp_path):
    """The exercise log (SQLite) and the PDF report (Qt's SVG renderer and PDF writer, offscreen) from the CLI."""
    env = bare_env(tmp_path)
    logged = run_bundle(bundle, "analyze", str(SHORT_CLIP), "--exercise", "clamshell", "--log", env=env,
                        cwd=tmp_path)
    assert logged.returncode == 0 and logged.stderr == "", logged.stderr
    assert (tmp_path / "data" / "history.sqlite3").is_file()
    history = run_bundle(bundle, "history", env=env, cwd=tmp_path)
    assert history.returncode == 0 and history.stderr == "", history.stderr
    assert "1 sessions" in history.stdout
    pdf = tmp_path / "report.pdf"
    exported = run_bundle(bundle, "export", "--format", "pdf", "--out", str(pdf), env=env, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert exported.stderr == f"Wrote {pdf}\n"  # export's one status line (stderr, as in the venv), nothing else
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000


# --- the GUI -------------------------------------------------------------------------------------------------------
def _messages(stderr: str) -> list[tuple[str, str]]:
    """(level, message) of each stderr line; a line that is not a log record comes back as ("RAW", line)."""
    out = []
    for line in stderr.splitlines():
        m = LOG_LINE.match(line)
        out.append((m["level"], m["message"]) if m else ("RAW", line))
    return out


def _run_for(cmd: list[str], seconds: float, env: dict[str, str], cwd: pathlib.Path) -> tuple[bool, str]:
    """Start `cmd`, let it run `seconds`, then stop it. (was it still running, its stderr)."""
    with _Running(cmd, env, cwd) as proc:
        time.sleep(seconds)
        alive = proc.poll() is None
    return alive, proc.stderr_text


class _Running(subprocess.Popen):
    """A process whose stderr goes to a file (a pipe nobody reads could fill up and stall it), stopped with
    SIGTERM (killed if it does not go) when the block ends; its stderr is then in `stderr_text`."""

    def __init__(self, cmd: list[str], env: dict[str, str], cwd: pathlib.Path) -> None:
        self._err_path = pathlib.Path(cwd) / f"stderr-{time.monotonic_ns()}.txt"
        self._err = open(self._err_path, "w")
        super().__init__(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=self._err, text=True)
        self.stderr_text = ""

    def stderr_so_far(self) -> str:
        self._err.flush()
        return self._err_path.read_text(errors="replace")

    def __exit__(self, *exc) -> None:
        if self.poll() is None:
            self.send_signal(signal.SIGTERM)
        try:
            self.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
            self.wait()
        self._err.close()
        self.stderr_text = self._err_path.read_text(errors="replace")
        self._err_path.unlink()  # the working folder may be the checkout


def _native_lines(home: pathlib.Path) -> set[str]:
    """What native code (Qt, FFmpeg, MediaPipe) printed: the launcher routes fd 2 to native.log in the log
    folder (under HOME by default). Numbers (times, thread ids, addresses) are blanked for comparing."""
    logs = list(home.rglob("native.log"))
    assert logs, f"no native.log under {home}: did the launcher route fd 2?"
    return {re.sub(r"\d+", "#", line) for line in logs[0].read_text(errors="replace").splitlines()}


# Native messages that mean part of the bundle is missing or broken (they go to native.log, not to stderr).
NATIVE_FAILURES = re.compile(r"Could not (load|find) the Qt platform plugin|Cannot load library|"
                             r"not currently supported|symbol lookup error|undefined symbol|Traceback")


@pytest.mark.gui
@pytest.mark.clips
@pytest.mark.skipif(not LABELS_PATH.is_file(), reason=SKIP_NO_CLIPS)
def test_bundle_gui_comes_up_offscreen_and_says_what_the_venv_says(bundle, tmp_path):
    """No arguments but a clip: the GUI opens (plan screen, video preview, History preloaded after 1.5 s)."""
    args = ["--source", str(SHORT_CLIP)]
    env = bare_env(tmp_path / "b", QT_QPA_PLATFORM="offscreen")
    alive, err = _run_for(without_python([str(bundle), *args]), 10, env, tmp_path)
    assert alive, f"the bundle's GUI exited early:\n{err}"
    got = _messages(err)
    assert not [m for m in got if m[0] not in ("INFO", "DEBUG")], f"the bundle's GUI complained:\n{err}"
    native = _native_lines(pathlib.Path(env["HOME"]))
    assert not [line for line in native if NATIVE_FAILURES.search(line)], "\n".join(sorted(native))
    # The same start in the venv: the bundle must say nothing the venv does not, on stderr (QtMultimedia, for
    # instance, shows in ui.sound's line: "no audio output device" here, "QtMultimedia unavailable" without it)
    # or in native.log (a Qt plugin or library that fails to load only in the bundle).
    venv_home = tmp_path / "v"
    venv_env = {**os.environ, "HOME": str(venv_home), "MEDIUS_DATA_DIR": str(venv_home / "data"),
                "QT_QPA_PLATFORM": "offscreen"}
    venv_env.pop("MEDIUS_LOG_DIR", None)
    venv_alive, venv_err = _run_for([sys.executable, "-m", "ui.launcher", *args], 10, venv_env, REPO)
    assert venv_alive, venv_err
    assert sorted(set(got)) == sorted(set(_messages(venv_err))), f"bundle:\n{err}\nvenv:\n{venv_err}"
    extra = native - _native_lines(venv_home)
    assert not extra, "native messages only the bundle prints:\n" + "\n".join(sorted(extra))


class _X11:
    """Just enough Xlib (ctypes) to find a window by WM_CLASS, focus it and type keys (XTest)."""

    def __init__(self, display: str) -> None:
        self.x = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
        self.xtst = ctypes.CDLL(ctypes.util.find_library("Xtst") or "libXtst.so.6")
        x, vp, ul = self.x, ctypes.c_void_p, ctypes.c_ulong
        x.XOpenDisplay.restype, x.XOpenDisplay.argtypes = vp, [ctypes.c_char_p]
        x.XDefaultRootWindow.restype, x.XDefaultRootWindow.argtypes = ul, [vp]
        x.XQueryTree.argtypes = [vp, ul, ctypes.POINTER(ul), ctypes.POINTER(ul), ctypes.POINTER(ctypes.POINTER(ul)),
                                 ctypes.POINTER(ctypes.c_uint)]
        x.XGetClassHint.argtypes = [vp, ul, ctypes.POINTER(_ClassHint)]
        x.XFree.argtypes = [vp]
        x.XSetInputFocus.argtypes = [vp, ul, ctypes.c_int, ul]
        x.XStringToKeysym.restype, x.XStringToKeysym.argtypes = ul, [ctypes.c_char_p]
        x.XKeysymToKeycode.restype, x.XKeysymToKeycode.argtypes = ctypes.c_ubyte, [vp, ul]
        x.XFlush.argtypes = [vp]
        x.XCloseDisplay.argtypes = [vp]
        self.xtst.XTestFakeKeyEvent.argtypes = [vp, ctypes.c_uint, ctypes.c_int, ul]
        self.d = x.XOpenDisplay(display.encode())
        assert self.d, f"cannot open X display {display}"

    def windows_with_class(self) -> list[tuple[int, str, str]]:
        """(window, WM_CLASS instance, WM_CLASS class) of the root window's children that have a WM_CLASS."""
        ul = ctypes.c_ulong
        root, parent, children, n = ul(), ul(), ctypes.POINTER(ul)(), ctypes.c_uint()
        if not self.x.XQueryTree(self.d, self.x.XDefaultRootWindow(self.d), ctypes.byref(root),
                                 ctypes.byref(parent), ctypes.byref(children), ctypes.byref(n)):
            return []
        found = []
        for i in range(n.value):
            hint = _ClassHint()
            if self.x.XGetClassHint(self.d, children[i], ctypes.byref(hint)):
                names = [ctypes.string_at(p).decode() if p else "" for p in (hint.res_name, hint.res_class)]
                found.append((children[i], *names))
                for p in (hint.res_name, hint.res_class):
                    if p:
                        self.x.XFree(p)
        if children:
            self.x.XFree(children)
        return found

    def type_keys(self, window: int, *keys: str, pause_s: float = 1.5) -> None:
        self.x.XSetInputFocus(self.d, window, 2, 0)  # RevertToParent, CurrentTime; there is no window manager
        self.x.XFlush(self.d)
        for key in keys:
            time.sleep(pause_s)
            code = self.x.XKeysymToKeycode(self.d, self.x.XStringToKeysym(key.encode()))
            self.xtst.XTestFakeKeyEvent(self.d, code, 1, 0)
            self.xtst.XTestFakeKeyEvent(self.d, code, 0, 0)
            self.x.XFlush(self.d)

    def close(self) -> None:
        self.x.XCloseDisplay(self.d)


class _ClassHint(ctypes.Structure):
    _fields_ = [("res_name", ctypes.c_void_p), ("res_class", ctypes.c_void_p)]  # Xlib's strings, freed with XFree


@contextlib.contextmanager
def _xvfb():
    """A private Xvfb; yields its display name (":N", chosen by Xvfb itself)."""
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten",
                               "tcp"], pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    try:
        ready, _, _ = select.select([read_fd], [], [], 30)
        number = os.read(read_fd, 64).decode().strip() if ready else ""
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        os.close(read_fd)
        server.terminate()
        server.wait(timeout=30)


def _x_testing_missing() -> str:
    missing = [name for name in ("Xvfb",) if not shutil.which(name)]
    missing += [f"lib{lib}" for lib in ("X11", "Xtst") if not ctypes.util.find_library(lib)]
    return ", ".join(missing)


@pytest.mark.gui
@pytest.mark.clips
@pytest.mark.skipif(not LABELS_PATH.is_file(), reason=SKIP_NO_CLIPS)
@pytest.mark.skipif(bool(_x_testing_missing()),
                    reason=f"a live set on X11 needs Xvfb and libXtst (apt-get install xvfb libxtst6); "
                           f"missing: {_x_testing_missing()}")
def test_bundle_gui_runs_a_live_set_on_x11_and_logs_its_reps(bundle, tmp_path):
    """A real X server (Xvfb, xcb platform plugin), keys typed as a user would: Enter starts the session, Enter
    starts the set; the live pipeline (MediaPipe on its worker thread) counts reps and the log records them."""
    desktop = (REPO / "tools" / f"{APP}.desktop").read_text()
    wm_class = re.search(r"^StartupWMClass=(.*)$", desktop, re.M).group(1)
    with _xvfb() as display:
        env = bare_env(tmp_path, DISPLAY=display)
        x = _X11(display)
        try:
            with _Running(without_python([str(bundle), "--source", str(SHORT_CLIP), "--loop", "--exercise",
                                          "clamshell"]), env, tmp_path) as proc:
                deadline = time.monotonic() + 90
                windows = []
                while not windows and time.monotonic() < deadline and proc.poll() is None:
                    time.sleep(0.5)
                    windows = [w for w in x.windows_with_class() if w[2] == "Medius Coach"]
                assert windows, f"no Medius Coach window appeared on the X display:\n{proc.stderr_so_far()}"
                window, instance, _ = windows[0]
                assert instance == wm_class, f"WM_CLASS instance {instance!r} is not StartupWMClass={wm_class}"
                x.type_keys(window, "Return", "Return")
                reps, deadline = [], time.monotonic() + 120
                while not reps and time.monotonic() < deadline and proc.poll() is None:
                    time.sleep(5)
                    exported = run_bundle(bundle, "export", "--format", "json", "--out", "-", env=env,
                                          cwd=tmp_path, timeout=120)
                    if exported.returncode == 0 and exported.stdout.strip():
                        sessions = json.loads(exported.stdout)["sessions"]
                        reps = [r for s in sessions for st in s["sets"] for r in st["reps"]]
                alive = proc.poll() is None
        finally:
            x.close()
    err = proc.stderr_text
    assert alive, f"the bundle's GUI exited during the set:\n{err}"
    assert reps, f"the live set recorded no rep in the exercise log within 2 minutes:\n{err}"
    assert all(r["t_start_s"] < r["t_peak_s"] < r["t_end_s"] for r in reps)
    assert not [m for m in _messages(err) if m[0] not in ("INFO", "DEBUG")], f"the GUI complained:\n{err}"
    native = _native_lines(pathlib.Path(env["HOME"]))
    assert not [line for line in native if NATIVE_FAILURES.search(line)], "\n".join(sorted(native))


# --- the desktop menu entry --------------------------------------------------------------------------------------
def _png_size(path: pathlib.Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


@pytest.mark.parametrize("installer", [DIST / "install-desktop-entry.sh", REPO / "tools" / "install_desktop_entry.sh"],
                         ids=["from-the-bundle", "from-the-repository"])
def test_desktop_entry_points_at_the_bundle_and_uninstalls(bundle, installer, tmp_path):
    share = tmp_path / "share"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(share)}
    done = subprocess.run(["bash", str(installer)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    entry = share / "applications" / f"{APP}.desktop"
    fields = dict(line.split("=", 1) for line in entry.read_text().splitlines() if "=" in line
                  and not line.startswith("#"))
    exe = os.path.realpath(bundle)
    assert fields["Exec"] == f'"{exe}"' and fields["TryExec"] == exe
    assert fields["Type"] == "Application" and fields["Name"] == "Medius Coach" and fields["Icon"] == APP
    assert fields["Terminal"] == "false" and fields["Categories"].endswith(";")
    svg = share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP}.svg"
    png = share / "icons" / "hicolor" / "256x256" / "apps" / f"{APP}.png"
    assert svg.read_bytes() == (REPO / "assets" / "icons" / f"{APP}.svg").read_bytes()
    assert _png_size(png) == (256, 256)
    gone = subprocess.run(["bash", str(installer), "--uninstall"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert gone.returncode == 0, gone.stderr
    assert not entry.exists() and not svg.exists() and not png.exists()
