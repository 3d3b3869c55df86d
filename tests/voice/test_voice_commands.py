"""Voice commands on real audio: phrases spoken by two synthetic voices at two speeds (tests/data/voice, see its
README; neither voice is one the keyword network was trained on), mixed here with generated room noise, and talk,
counting aloud and a TV-like sentence that must give no command. The recogniser runs for real: the shipped keyword
network over the stream as a microphone delivers it, and `medius voice-test` as a user runs it."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

from app.handsfree import voice_commands
from app.handsfree.keyword_model import KeywordNetwork
from app.handsfree.voice_commands import RATE_HZ, CommandRecognizer, VoiceUnavailable, commands_in, read_wav_16k

from .audio_mix import pink, with_noise

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "voice"
PIPER = ["pause", "pause", "resume", "resume", "next", "next", "repeat", "repeat", "stop", "stop"]
ESPEAK = ["pause", "resume", "repeat", "stop"]  # what commands_espeak.wav says


def heard(audio: np.ndarray) -> list[str]:
    return [h.command for h in commands_in(audio)]


def is_in_order_within(got: list[str], expected: list[str]) -> bool:
    """Every command heard is one that was said, in the order said (some may be missed, none made up)."""
    it = iter(expected)
    return all(any(g == e for e in it) for g in got)


def test_every_command_is_recognised_in_order():
    assert heard(read_wav_16k(DATA / "commands_espeak.wav")) == ESPEAK
    # Piper is an engine the network never heard (the benchmark: about two thirds of its commands); here 8 of
    # its 10, every command at least once, nothing made up.
    got = heard(read_wav_16k(DATA / "commands_piper.wav"))
    assert is_in_order_within(got, PIPER) and len(got) >= 8 and set(got) == set(PIPER), got


def test_talk_counting_and_tv_give_no_command():
    assert commands_in(read_wav_16k(DATA / "no_commands.wav")) == []
    assert commands_in(read_wav_16k(DATA / "counting.wav")) == []


def test_commands_are_recognised_in_pink_noise_at_10_db_snr():
    for seed in (7, 8):
        audio = read_wav_16k(DATA / "commands_espeak.wav")
        assert heard(with_noise(audio, pink(len(audio), np.random.default_rng(seed)), 10)) == ESPEAK
        audio = read_wav_16k(DATA / "commands_piper.wav")
        got = heard(with_noise(audio, pink(len(audio), np.random.default_rng(seed)), 10))
        assert is_in_order_within(got, PIPER) and len(got) >= 7, got


def test_commands_are_recognised_over_a_fan_hum():
    audio = read_wav_16k(DATA / "commands_espeak.wav")
    t = np.arange(len(audio)) / RATE_HZ
    hum = sum(np.sin(2 * np.pi * 50 * k * t) / k for k in range(1, 6)) + pink(len(audio), np.random.default_rng(3))
    assert heard(with_noise(audio, hum / np.sqrt(np.mean(hum ** 2)), 15)) == ESPEAK


def test_commands_are_recognised_behind_someone_counting_aloud():
    """Another voice counting under the commands, 15 dB quieter: most commands are heard, no number is one (the
    benchmark's weakest condition: 59 % at 15 dB)."""
    counting = read_wav_16k(DATA / "counting.wav").astype(float)
    for name, said, least in (("commands_espeak.wav", ESPEAK, 3), ("commands_piper.wav", PIPER, 5)):
        audio = read_wav_16k(DATA / name)
        background = np.resize(counting, len(audio))
        got = heard(with_noise(audio, background / np.sqrt(np.mean(background ** 2)), 15))
        assert is_in_order_within(got, said) and len(got) >= least, (name, got)


def test_commands_are_recognised_from_a_quiet_microphone():
    """Said far away: the voice 30 dB down, near the microphone's own hiss."""
    audio = read_wav_16k(DATA / "commands_espeak.wav").astype(float) * 10 ** (-30 / 20)
    hiss = np.random.default_rng(4).normal(size=len(audio)) * 32768 * 10 ** (-70 / 20)
    assert heard((audio + hiss).astype("<i2")) == ESPEAK


def test_counting_aloud_in_noise_gives_no_command():
    audio = read_wav_16k(DATA / "counting.wav")
    assert heard(with_noise(audio, pink(len(audio), np.random.default_rng(11)), 15)) == []


def test_chunk_size_does_not_change_what_is_heard():
    """A microphone delivers audio in any chunk size; the result is the same as for the whole file at once."""
    audio = read_wav_16k(DATA / "commands_espeak.wav")
    whole = CommandRecognizer()
    at_once = whole.feed(audio.tobytes()) + whole.finish()
    assert [(h.t_s, h.command) for h in commands_in(audio, chunk_s=0.023)] == [(h.t_s, h.command) for h in at_once]
    assert [h.command for h in at_once] == ESPEAK


def test_a_broken_keyword_model_makes_voice_unavailable_not_a_crash(tmp_path, monkeypatch):
    broken = tmp_path / "models" / "voice_keywords.npz"
    broken.parent.mkdir()
    broken.write_bytes(b"not weights")
    monkeypatch.setattr(voice_commands, "default_network", lambda: KeywordNetwork(broken))
    with pytest.raises(VoiceUnavailable, match="keyword model does not load"):
        CommandRecognizer()


def test_voice_test_command_prints_json_with_times(tmp_path):
    out = subprocess.run([sys.executable, "-m", "ui.launcher", "voice-test", "--wav", str(DATA / "commands_espeak.wav"),
                          "--json"], capture_output=True, text=True, timeout=120,
                         env={"MEDIUS_LOG_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    commands = json.loads(out.stdout)["commands"]
    assert [c["command"] for c in commands] == ESPEAK
    assert all(set(c) == {"t_s", "command"} for c in commands)
    assert all(0 < a["t_s"] < b["t_s"] for a, b in zip(commands, commands[1:]))
    bad = subprocess.run([sys.executable, "-m", "ui.launcher", "voice-test", "--wav", str(tmp_path / "none.wav")],
                         capture_output=True, text=True, timeout=60, env={"MEDIUS_LOG_DIR": str(tmp_path)})
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_voice_test_reports_a_damaged_model_in_one_line(tmp_path):
    """A copy of the app whose keyword weights were damaged says so and exits 3; it does not crash."""
    assets = pathlib.Path(__file__).resolve().parents[2] / "assets"
    if not (assets / "models" / "voice_keywords.npz").is_file():
        pytest.skip("the keyword model is not in this checkout's assets/")
    copy = tmp_path / "medius_assets"
    shutil.copytree(assets, copy, ignore=shutil.ignore_patterns("*.task", "sounds", "__pycache__"))
    (copy / "models" / "voice_keywords.npz").write_bytes(b"damaged")
    out = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                          "from ui.launcher import main; sys.exit(main(sys.argv[2:]))", str(tmp_path), "voice-test",
                          "--wav", str(DATA / "counting.wav")], capture_output=True, text=True, timeout=120,
                         env={"MEDIUS_LOG_DIR": str(tmp_path), "PATH": "/usr/bin:/bin",
                              "PYTHONPATH": str(pathlib.Path(__file__).resolve().parents[2])})
    assert out.returncode == 3, (out.stdout, out.stderr)
    assert "keyword model does not load" in out.stderr and out.stderr.count("\n") == 1
