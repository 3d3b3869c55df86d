"""The real app under Xvfb on a clip: tools/screenshots.py must produce every screen, none of them blank."""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from .conftest import clip

pytestmark = [pytest.mark.gui, pytest.mark.clips]
ROOT = pathlib.Path(__file__).resolve().parents[2]
EXPECTED = ("0_plan", "1_instruction", "2_live_set", "3_rest", "4_summary")  # 5_live_cue_* needs a cue to appear


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run not installed (apt-get install xvfb)")
def test_screenshot_script_under_xvfb(tmp_path, qapp):
    from PySide6.QtGui import QImage

    clip("lateral_stepdown_front_cornell_1.mp4")
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env["MEDIUS_CONFIG_DIR"] = str(tmp_path / "config")
    subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable, str(ROOT / "tools" / "screenshots.py"),
         "--out", str(tmp_path / "shots")],
        check=True, env=env, timeout=300, capture_output=True,
    )
    for name in EXPECTED:
        image = QImage(str(tmp_path / "shots" / f"{name}.png"))
        assert (image.width(), image.height()) == (1280, 800), name
        # Not blank: a real screen has many distinct colours.
        colours = {image.pixel(x, y) for x in range(0, 1280, 40) for y in range(0, 800, 40)}
        assert len(colours) > 8, name
