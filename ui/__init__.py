"""The Qt GUI. Everything here sits above `app/`; nothing in `app/` imports it.

Guided session, one module per screen:
    launcher.py            `medius` entry point (GUI, or app.cli.main for subcommands without importing Qt)
    main_window.py         stacked screens, keyboard shortcuts, settings dialog, window geometry (QSettings)
    plan_screen.py         choose exercises, sets, reps per set, sides, rest, picture source
    instruction_screen.py  setup / movement / mistakes, drawn illustration, camera plan + live preview
    live_screen.py         video + skeleton, counter, set/side, range meter, tempo/hold, therapist detail
    rest_screen.py         countdown, what comes next ("turn over"), a form tip
    summary_screen.py      every set: reps against target, outcome, form notes
    stance_screen.py       the guided single-leg stance (Trendelenburg) test; stance_result.py its result card
    settings_dialog.py     camera, mirror, sound, therapist thresholds (saved by app.settings)
    programme_editor.py    a physiotherapist builds a patient's programme and saves it (app.session.programme_file)
    programme_view.py      the plan screen's view of a loaded programme; opening a file with a clear error box
Glue and parts:
    session_controller.py  app.session.plan + pipeline + cues + sound; `_on_event` is the one event stream
    pipeline_bridge.py     the one place where the vision thread's output reaches the GUI thread
    engine.py              builds sources, analyzers and therapist parameters for a set
    video_view.py, widgets.py, illustrations.py, cue_policy.py, sound.py, exercise_texts.py, qt_env.py
    recorder_hook.py       maps the event stream onto app.storage's SessionRecorder
History (exercise log) lives in history_*.py (history_stance.py: the stance tests' left/right trend).
Replay of an analysed recording (own window):
    replay_open.py         "Analyse a recording…" (Ctrl+O, in the Log menu): file, exercise, progress, worker thread
    replay_screen.py       video + skeleton, counter, range meter, angles, faults, controls, best/worst rep, export
    timeline_widget.py     reps and fault / not-judged marks; click to jump
    replay_jobs.py         analysis and export on a worker thread, results as queued signals
"""
