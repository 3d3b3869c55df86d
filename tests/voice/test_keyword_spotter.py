"""The keyword network and its streaming spotter on real audio (tests/data/voice: synthetic voices the network was
not trained on, see its README), with room noise mixed in here; its features and its weights file on their own."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from app.handsfree.keyword_features import BANDS, MelFrames, log_mel
from app.handsfree.keyword_model import LABELS, WINDOW_FRAMES, KeywordNetwork, ModelError
from app.handsfree.keyword_spotter import KeywordSpotter, default_network
from app.handsfree.voice_commands import RATE_HZ, read_wav_16k

from .audio_mix import pink, with_noise

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "voice"
ESPEAK = ["pause", "resume", "repeat", "stop"]  # what commands_espeak.wav says


@pytest.fixture(scope="module")
def network() -> KeywordNetwork:
    return default_network()


def spotted(audio: np.ndarray, network: KeywordNetwork, chunk: int = 1600) -> list[str]:
    spotter = KeywordSpotter(network)
    heard = []
    for i in range(0, len(audio), chunk):
        heard += spotter.feed(audio[i:i + chunk])
    return [h.command for h in heard + spotter.finish()]


def test_streamed_frames_equal_the_whole_recording_at_once():
    x = read_wav_16k(DATA / "commands_espeak.wav").astype(float)
    stream = MelFrames()
    pieces = [stream.push(x[i:i + n]) for i, n in zip(range(0, len(x), 1237), [1237] * len(x))]
    streamed = np.concatenate([p for p in pieces if len(p)])
    whole = log_mel(x)
    assert streamed.shape == whole.shape and whole.shape[1] == BANDS
    assert np.allclose(streamed, whole, atol=1e-4)


def test_every_command_is_spotted_in_order_with_its_time(network):
    spotter = KeywordSpotter(network)
    x = read_wav_16k(DATA / "commands_espeak.wav")
    heard = [h for i in range(0, len(x), 1600) for h in spotter.feed(x[i:i + 1600])] + spotter.finish()
    assert [h.command for h in heard] == ESPEAK
    assert all(0.6 <= h.probability <= 1.0 for h in heard)
    assert all(b.t_s - a.t_s > 1.5 for a, b in zip(heard, heard[1:]))  # the commands are about 2.2 s apart


def test_counting_aloud_in_noise_gives_no_command(network):
    x = read_wav_16k(DATA / "counting.wav")
    assert spotted(with_noise(x, pink(len(x), np.random.default_rng(5)), 15), network) == []


def test_chunk_size_does_not_change_what_is_heard(network):
    x = read_wav_16k(DATA / "commands_espeak.wav")
    assert spotted(x, network, chunk=480) == spotted(x, network, chunk=4000) == ESPEAK


def test_a_command_cut_off_at_the_end_of_a_window_is_not_yet_a_command(network):
    """The network says "other" while the command word is still being said, and the command once it is over."""
    x = read_wav_16k(DATA / "commands_espeak.wav").astype(float)
    frames = log_mel(x)
    energy = frames.max(axis=1)
    loud = energy > energy.min() + 0.5 * (energy.max() - energy.min())
    first_end = int(np.flatnonzero(np.diff(loud.astype(int)) == -1)[1]) + 1  # "coach" ends, then "pause" ends
    while loud[first_end:first_end + 20].any():  # to the end of the first command's last loud frame
        first_end += 1
    whole = network.probabilities(frames[first_end + 15 - WINDOW_FRAMES: first_end + 15])
    cut = network.probabilities(frames[first_end - 25 - WINDOW_FRAMES: first_end - 25])
    assert LABELS[int(np.argmax(whole))] == "pause"
    assert LABELS[int(np.argmax(cut))] != "pause" or cut.max() < 0.8


def test_a_missing_or_broken_weights_file_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="does not load"):
        KeywordNetwork(tmp_path / "absent.npz")
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ModelError, match="does not load"):
        KeywordNetwork(broken)
    other = tmp_path / "other.npz"
    np.savez(other, labels=np.array(["a", "b"]))
    with pytest.raises(ModelError, match="not a keyword model|another version"):
        KeywordNetwork(other)


def test_the_shipped_weights_are_for_this_network(network):
    p = network.probabilities(np.zeros((WINDOW_FRAMES, BANDS), dtype=np.float32))
    assert p.shape == (len(LABELS),) and abs(p.sum() - 1) < 1e-5
    assert LABELS[int(np.argmax(p))] == "other"  # silence is no command
    assert RATE_HZ == 16000


class _ScriptedAnswers:
    """The network's answers set by the test, look by look, so the decision rule is what is tested here."""

    def __init__(self, looks: list[dict[str, float]]) -> None:
        self._looks = iter(looks)

    def probabilities(self, window: np.ndarray) -> np.ndarray:
        answers = next(self._looks, {})
        p = np.array([answers.get(label, 0.0) for label in LABELS])
        p[0] = max(0.0, 1.0 - p.sum())
        return p


def heard_with(looks: list[dict[str, float]]) -> list[tuple[float, str]]:
    spotter = KeywordSpotter(_ScriptedAnswers(looks))  # one look per 0.1 s of audio (+ a 25 ms frame's length)
    audio = np.zeros(len(looks) * RATE_HZ // 10 + RATE_HZ // 40, dtype=np.float32)
    return [(h.t_s, h.command) for h in spotter.feed(audio)]


def test_a_command_is_the_mean_of_three_looks_with_the_latest_agreeing():
    quiet: list[dict[str, float]] = [{}] * 4
    assert heard_with(quiet + [{"pause": 0.5}, {"pause": 0.7}, {"pause": 0.7}]) == [(0.5, "pause")]
    # one very sure look does not carry two doubtful ones
    assert heard_with(quiet + [{"pause": 0.4}, {"pause": 0.95}, {"pause": 0.4}]) == []
    # sure on average, but the latest look hears another command
    assert heard_with(quiet + [{"stop": 0.8}, {"stop": 0.8}, {"stop": 0.3, "next": 0.5}]) == []
    # heard once: the spotter is deaf while the window slides over the same command
    assert heard_with(quiet + [{"next": 0.8}] * 10) == [(0.5, "next")]
