"""Voice commands on real audio: phrases spoken by two synthetic voices at two speeds (tests/data/voice, rendered
with tools/render_phrases.py), and talk, counting aloud and a TV-like sentence that must give no command."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("pocketsphinx")

from app.handsfree.voice_commands import commands_in, read_wav_16k  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "voice"
PIPER = ["pause", "pause", "resume", "resume", "next", "next", "repeat", "repeat", "stop", "stop"]
ESPEAK = ["pause", "resume", "repeat", "stop"]


def test_every_command_is_recognised_in_order():
    assert [h.command for h in commands_in(read_wav_16k(DATA / "commands_piper.wav"))] == PIPER
    assert [h.command for h in commands_in(read_wav_16k(DATA / "commands_espeak.wav"))] == ESPEAK


def test_talk_counting_and_tv_give_no_command():
    assert commands_in(read_wav_16k(DATA / "no_commands.wav")) == []


def test_commands_survive_room_noise():
    audio = read_wav_16k(DATA / "commands_piper.wav").astype(float)
    noisy = audio + np.random.default_rng(7).normal(0, 0.01 * 32767, len(audio))
    heard = [h.command for h in commands_in(np.clip(noisy, -32768, 32767).astype("<i2"))]
    assert heard == PIPER


def test_voice_test_command_prints_json_with_times(tmp_path):
    out = subprocess.run([sys.executable, "-m", "ui.launcher", "voice-test", "--wav", str(DATA / "commands_espeak.wav"),
                          "--json"], capture_output=True, text=True, timeout=120,
                         env={"MEDIUS_LOG_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    commands = json.loads(out.stdout)["commands"]
    assert [c["command"] for c in commands] == ESPEAK
    assert all(0 < a["t_s"] < b["t_s"] for a, b in zip(commands, commands[1:]))
    bad = subprocess.run([sys.executable, "-m", "ui.launcher", "voice-test", "--wav", str(tmp_path / "none.wav")],
                         capture_output=True, text=True, timeout=60, env={"MEDIUS_LOG_DIR": str(tmp_path)})
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
