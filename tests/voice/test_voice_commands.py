"""Voice commands on real audio: phrases spoken by two synthetic voices at two speeds (tests/data/voice, see its
README), mixed here with generated room noise, and talk, counting aloud and a TV-like sentence that must give no
command. The recogniser, the noise suppressor and the segmenter all run for real (pocketsphinx's own model)."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("pocketsphinx")

from app.handsfree.audio_cleanup import NoiseSuppressor, Utterances  # noqa: E402
from app.handsfree.voice_commands import (  # noqa: E402
    RATE_HZ, CommandRecognizer, _edit_distance, _plausible_timing, commands_in, read_wav_16k)

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "voice"
PIPER = ["pause", "pause", "resume", "resume", "next", "next", "repeat", "repeat", "stop", "stop"]
ESPEAK = ["pause", "resume", "repeat", "stop"]


def speech_rms(x: np.ndarray) -> float:
    loud = np.abs(x) > 0.01 * np.abs(x).max()
    return float(np.sqrt(np.mean(x[loud] ** 2)))


def pink(n: int, rng) -> np.ndarray:
    spec = np.fft.rfft(rng.normal(size=n))
    spec[1:] /= np.sqrt(np.arange(1, len(spec)))
    x = np.fft.irfft(spec, n)
    return x / np.sqrt(np.mean(x ** 2))


def with_noise(audio: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    x = audio.astype(float)
    return np.clip(x + noise * speech_rms(x) / 10 ** (snr_db / 20), -32768, 32767).astype("<i2")


def heard(audio: np.ndarray) -> list[str]:
    return [h.command for h in commands_in(audio)]


def test_every_command_is_recognised_in_order():
    assert heard(read_wav_16k(DATA / "commands_piper.wav")) == PIPER
    assert heard(read_wav_16k(DATA / "commands_espeak.wav")) == ESPEAK


def test_talk_counting_and_tv_give_no_command():
    assert commands_in(read_wav_16k(DATA / "no_commands.wav")) == []
    assert commands_in(read_wav_16k(DATA / "counting.wav")) == []


def is_in_order_within(got: list[str], expected: list[str]) -> bool:
    """Every command heard is one that was said, in the order said (some may be missed, none made up)."""
    it = iter(expected)
    return all(any(g == e for e in it) for g in got)


def test_commands_are_recognised_in_pink_noise_at_15_db_snr():
    """The pocketsphinx endpointer used before heard none of these (one never-ending utterance). Most are heard
    now (the benchmark's rate in pink noise at 15 dB is ~80 %), and nothing is heard that was not said."""
    audio = read_wav_16k(DATA / "commands_piper.wav")
    for seed in (7, 8):
        got = heard(with_noise(audio, pink(len(audio), np.random.default_rng(seed)), 15))
        assert is_in_order_within(got, PIPER) and len(got) >= 7, got


def test_commands_are_recognised_over_a_fan_hum():
    audio = read_wav_16k(DATA / "commands_espeak.wav")
    t = np.arange(len(audio)) / RATE_HZ
    hum = sum(np.sin(2 * np.pi * 50 * k * t) / k for k in range(1, 6)) + pink(len(audio), np.random.default_rng(3))
    assert heard(with_noise(audio, hum / np.sqrt(np.mean(hum ** 2)), 15)) == ESPEAK


def test_counting_aloud_in_noise_gives_no_command():
    audio = read_wav_16k(DATA / "counting.wav")
    assert heard(with_noise(audio, pink(len(audio), np.random.default_rng(11)), 15)) == []


def test_chunk_size_does_not_change_what_is_heard():
    """A microphone delivers audio in any chunk size; the result is the same as for the whole file at once."""
    audio = read_wav_16k(DATA / "commands_espeak.wav")
    whole = CommandRecognizer()
    at_once = whole.feed(audio.tobytes()) + whole.finish()
    assert [(h.t_s, h.command) for h in commands_in(audio, chunk_s=0.023)] == [(h.t_s, h.command) for h in at_once]


def test_segmenter_finds_each_command_as_one_utterance_in_noise():
    audio = read_wav_16k(DATA / "commands_espeak.wav")
    noisy = with_noise(audio, pink(len(audio), np.random.default_rng(5)), 10).astype(float)
    _, _, band = NoiseSuppressor().process(noisy)
    seg = Utterances()
    spans = seg.push(band) + seg.flush()
    assert len(spans) == len(ESPEAK)
    assert all(0.3 <= s.end_s - s.start_s <= 1.5 for s in spans)


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


def test_phone_distance_counts_a_swap_within_a_phone_class_half():
    next_ = "K OW CH N EH K S T".split()
    assert _edit_distance(next_, next_) == 0
    assert _edit_distance("K OW CH N IH K S T".split(), next_) == 0.5  # a vowel for a vowel
    assert _edit_distance("K OW CH N EH K AA T".split(), next_) == 1  # a vowel for a fricative
    assert _edit_distance("K OW CH N EH K T".split(), next_) == 1  # one dropped


def test_word_timing_ignores_the_grammars_null_links():
    """The search without its lattice pass puts (NULL) entries between words; they are not a third word."""
    aligned = [("<sil>", 0.2), ("coach", 0.4), ("(NULL)", 0.01), ("pause", 0.5), ("(NULL)", 0.01), ("<sil>", 0.2)]
    assert _plausible_timing(aligned, speech_s=1.0)
    assert not _plausible_timing([("coach", 0.1), ("(NULL)", 0.01), ("pause", 0.5)], 0.7)  # "coach" too short
    assert not _plausible_timing([("coach", 0.4), ("<sil>", 0.3), ("pause", 0.5)], 1.2)  # a pause between


def test_words_must_fill_the_speech_span():
    """Talk that the grammar explained as "coach resume" plus a second of silence is not a command."""
    aligned = [("<sil>", 0.23), ("coach", 0.2), ("resume", 0.44), ("<sil>", 1.01)]
    assert _plausible_timing(aligned, speech_s=0.8)
    assert not _plausible_timing(aligned, speech_s=1.39)
