"""`medius` entry point. No arguments, or --source/--loop/--exercise: the GUI. A subcommand (analyze, history,
export, ...): app.cli.main, without importing Qt, so the command line works on machines without a display."""

from __future__ import annotations

import argparse
import logging
import os
import pathlib
import sys

GUI_OPTIONS = {"--source", "--loop", "--exercise", "--program", "--fast", "-h", "--help"}


def _wants_gui(argv: list[str]) -> bool:
    return not argv or argv[0].split("=")[0] in GUI_OPTIONS


def _gui_parser() -> argparse.ArgumentParser:
    from app.engine.events import Exercise

    p = argparse.ArgumentParser(prog="medius", description="Medius Coach: guided gluteus medius exercise sessions. "
                                "Subcommands (analyze, history, export, ...) run without the GUI; see `medius analyze -h`.")
    p.add_argument("--source", help="a video file to use instead of the camera, or a camera number")
    p.add_argument("--loop", action="store_true", help="restart the video at its end (demonstrations)")
    p.add_argument("--exercise", action="append", choices=[e.value for e in Exercise],
                   help="only this exercise (repeat for more); default: the gluteus medius session")
    p.add_argument("--program", metavar="FILE",
                   help="open a programme file from your physiotherapist (*.medius.toml) on the plan screen")
    p.add_argument("--fast", action="store_true", help=argparse.SUPPRESS)  # read files as fast as analysed
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Before anything native loads: what MediaPipe, FFmpeg and Qt print to fd 2 (even at exit) goes to
    # native.log in the log folder, never to the user's terminal.
    from app.adapters.native_logs import route_native_stderr

    route_native_stderr(log_dir())
    if argv and argv[0] == "session":  # a guided GUI session prepared on the command line
        from ui.session_cli import main as session_main

        return session_main(argv[1:])
    if argv and argv[0] == "voice-test":  # the microphone path uses QtMultimedia
        from ui.voice_cli import main as voice_main

        return voice_main(argv[1:])
    if not _wants_gui(argv):
        try:
            from app.cli import main as cli
            from app.cli import history as cli_history
        except ImportError as exc:
            print(f"medius: the command line is not available in this build ({exc}).", file=sys.stderr)
            return 2
        from ui.history_pdf import write_pdf  # imports Qt only when a PDF is written

        cli_history.set_pdf_writer(write_pdf)
        return cli.main(argv)
    args = _gui_parser().parse_args(argv)
    if args.program:
        # Checked before any window opens: a bad file is one line on the terminal, not a crash.
        from app.datafile import DataFileError
        from app.session.programme_file import load_programme

        try:
            args.programme = load_programme(args.program)
        except DataFileError as exc:
            print(f"medius: the programme cannot be opened: {exc}", file=sys.stderr)
            return 2
    _setup_logging()
    return run_gui(args)


def log_dir() -> pathlib.Path:
    from platformdirs import user_log_dir

    return pathlib.Path(os.environ.get("MEDIUS_LOG_DIR") or user_log_dir("medius-coach"))


def _setup_logging() -> None:
    """stderr plus a rotating file under the user's log dir (what "details are in the log" points to)."""
    import logging.handlers

    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    logging.basicConfig(level=logging.INFO, format=fmt)
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(folder / "medius.log", maxBytes=1_000_000, backupCount=3,
                                                       encoding="utf-8")
        handler.setFormatter(logging.Formatter(fmt))
        logging.getLogger().addHandler(handler)
    except OSError as exc:
        logging.getLogger("medius").warning("no log file: %s", exc)


def run_gui(args) -> int:
    from ui.qt_env import ensure_app

    qapp = ensure_app(sys.argv[:1])
    from app.engine.events import Exercise
    from app.session.plan import default_plan
    from ui.main_window import MainWindow

    window = MainWindow(source=args.source, loop=args.loop, pace=None if args.fast else 1.0)
    # The exercise log listens to the controller's one event stream (SessionController._on_event); tests build
    # MainWindow without it so they never write to a real log.
    from ui.history_entry import attach_recorder

    window.recorder_bridge = attach_recorder(window)
    if args.exercise:
        plan = default_plan()
        chosen = {Exercise(e) for e in args.exercise}
        from dataclasses import replace

        window.plan_screen.load_plan(replace(plan, blocks=tuple(b for b in plan.blocks if b.exercise in chosen)))
    if getattr(args, "programme", None) is not None:
        window.plan_screen.set_programme(args.programme, args.program)
    _install_excepthook(window)
    window.show()
    return qapp.exec()


def _install_excepthook(window) -> None:
    """A bug in a slot must not vanish into stderr: log it with its traceback and tell the user once."""
    log = logging.getLogger("medius")
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        log.error("unexpected error", exc_info=(exc_type, exc, tb))
        try:
            window.show_banner(f"Something went wrong ({exc_type.__name__}: {exc}). Details are in the log.", 10000)
        except Exception:  # noqa: BLE001 - the window may already be gone
            previous(exc_type, exc, tb)

    sys.excepthook = hook


if __name__ == "__main__":
    sys.exit(main())
