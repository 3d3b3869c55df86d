"""Small GUI parts: cue policy, launcher routing, settings dialog, sound fallbacks, screens render."""

import subprocess
import sys

import pytest

from app.engine.events import Exercise
from app.settings import Settings
from ui.cue_policy import CuePolicy

pytestmark = pytest.mark.gui


def test_cue_policy_one_at_a_time_held_then_cooled_down():
    cues = CuePolicy(hold_s=2.5, cooldown_s=6.0)
    assert cues.offer("feet_apart", "Keep your feet together", 0.0)
    assert cues.update(0.1) == ("feet_apart", "Keep your feet together")
    assert cues.offer("too_fast", "Slower", 1.0)  # queued behind the one showing
    assert cues.update(2.0)[0] == "feet_apart"  # held long enough to read
    assert cues.update(2.6)[0] == "too_fast"
    assert not cues.offer("too_fast", "Slower", 3.0)  # already showing
    assert cues.update(5.2) is None
    assert not cues.offer("feet_apart", "Keep your feet together", 7.0)  # cooling down (ended at 2.6)
    assert cues.offer("feet_apart", "Keep your feet together", 9.0)


def test_subcommands_never_import_qt():
    code = (
        "import sys; from ui import launcher; assert not launcher._wants_gui(['history']);"
        "assert launcher._wants_gui([]) and launcher._wants_gui(['--source', 'x.mp4']);"
        "assert 'PySide6' not in sys.modules, 'launcher imported Qt'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_settings_dialog_round_trip(qtbot):
    from ui.engine import engine_default
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert dialog.ceiling.value() == engine_default("ceiling_deg")
    assert dialog.result_settings() == Settings()  # untouched thresholds stay "engine default"
    dialog.ceiling.setValue(35.0)
    dialog.mirror.setChecked(False)
    s = dialog.result_settings()
    assert s.ceiling_deg == 35.0 and s.mirror is False and s.pelvic_drop_tol_deg is None


def test_therapist_thresholds_reach_the_engine_params():
    from app.engine.events import Fault
    from ui.engine import therapist_params

    assert therapist_params(Exercise.CLAMSHELL, Settings(ceiling_deg=30.0)) is None
    params = therapist_params(Exercise.SIDE_LYING_ABDUCTION, Settings(ceiling_deg=30.0))
    assert params.fault_limits[Fault.LEG_ABOVE_HIP.value] == 30.0
    params = therapist_params(Exercise.STEP_DOWN, Settings(pelvic_drop_tol_deg=5.0))
    assert params.fault_limits[Fault.PELVIC_DROP.value] == 5.0


def test_sound_is_silent_without_an_audio_device_and_survives_everything(qtbot):
    from ui.sound import SoundCues

    s = SoundCues(enabled=True)
    s.rep(1)
    s.warning()
    s.set_muted(True)
    s.rep(2)
    assert s.mode in ("silent", "tones", "speech")


def test_tone_wav_is_valid(tmp_path):
    import wave

    from ui.sound import REP_NOTES, write_tone_wav

    path = write_tone_wav(tmp_path / "rep.wav", REP_NOTES)
    with wave.open(str(path)) as w:
        assert w.getnchannels() == 1 and w.getnframes() > 1000


def test_sound_without_qtmultimedia(monkeypatch, qtbot):
    import builtins

    real_import = builtins.__import__

    def no_multimedia(name, *args, **kwargs):
        if name.startswith("PySide6.QtMultimedia"):
            raise ImportError("libpulse.so.0: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_multimedia)
    from ui.sound import SoundCues

    s = SoundCues(enabled=True)
    assert s.mode == "silent"
    s.rep(1)
    s.warning()


@pytest.mark.parametrize("exercise", list(Exercise))
def test_instruction_screen_renders_every_exercise(qtbot, exercise):
    from app.session.plan import SetStep
    from ui.instruction_screen import InstructionScreen

    screen = InstructionScreen()
    qtbot.addWidget(screen)
    screen.resize(1280, 760)
    screen.show_step(SetStep(0, exercise, 1, 3, "left", 10))
    assert not screen.grab().isNull()
    assert "Camera placement" in screen.camera_text.text()


def test_malformed_settings_file_shows_a_banner(qtbot, config_dir):
    from app.settings import load_settings
    from ui.main_window import MainWindow

    config_dir.mkdir(parents=True)
    (config_dir / "settings.json").write_text("{broken")
    window = MainWindow(load_settings(), save_geometry=False)
    qtbot.addWidget(window)
    assert "using the default settings" in window.banner.text()
    window.close()


def test_chosen_session_is_remembered_in_the_settings_file(qtbot, config_dir):
    from app.session.plan import SessionPlan
    from app.settings import load_settings
    from ui.main_window import MainWindow

    from .conftest import RecordingSound

    window = MainWindow(load_settings(), save_geometry=False, controller_kwargs={"sound": RecordingSound()})
    qtbot.addWidget(window)
    rows = {r.exercise: r for r in window.plan_screen.rows}
    rows[Exercise.CLAMSHELL].enabled.setChecked(False)
    rows[Exercise.SIDE_LYING_ABDUCTION].reps.setValue(12)
    window.plan_screen.rest.setValue(45)
    window.plan_screen.start.click()
    saved = load_settings().settings
    plan = SessionPlan.from_dict(saved.plan)
    assert [b.exercise for b in plan.blocks] == [Exercise.SIDE_LYING_ABDUCTION, Exercise.STEP_DOWN]
    assert plan.blocks[0].reps_per_set == 12 and plan.rest_s == 45 and saved.rest_s == 45
    window.close()
    again = MainWindow(load_settings(), save_geometry=False, controller_kwargs={"sound": RecordingSound()})
    qtbot.addWidget(again)
    assert again.plan_screen.plan() == plan  # the plan screen opens with the last session
    again.close()


@pytest.mark.parametrize("mirror", [False, True])
def test_video_view_colours_and_mirroring(qtbot, mirror):
    import numpy as np

    from ui.video_view import VideoView

    bgr = np.zeros((100, 200, 3), np.uint8)
    bgr[:, :100] = (0, 0, 255)  # left half red (BGR), right half black
    view = VideoView()
    qtbot.addWidget(view)
    view.mirror = mirror
    view.resize(200, 100)
    view.show()
    xy = np.zeros((33, 2))
    view.set_frame(bgr, xy, np.zeros(33), None)  # invisible landmarks: nothing drawn over the picture
    img = view.grab().toImage()
    left, right = img.pixelColor(20, 50), img.pixelColor(180, 50)
    red, dark = (left, right) if not mirror else (right, left)
    assert red.red() > 200 and red.blue() < 50
    assert dark.red() < 50
