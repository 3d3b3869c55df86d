"""Spoken cues: every phrase the app can say has a valid audio file rendered from its current text."""

from __future__ import annotations

import json
import wave

import numpy as np

from app.assets import asset_path
from app.engine.events import Fault
from app.handsfree.spoken_phrases import MANIFEST, SESSION_PHRASES, SOUNDS_DIR, all_phrases, count_key, fault_key
from ui.cue_policy import SpeechQueue


def test_every_phrase_has_a_file_rendered_from_its_current_text():
    manifest = json.loads(asset_path(SOUNDS_DIR, MANIFEST).read_text(encoding="utf-8"))["phrases"]
    phrases = all_phrases()
    stale = {k: (t, manifest.get(k)) for k, t in phrases.items() if manifest.get(k) != t}
    assert not stale, f"re-render with tools/render_phrases.py: {stale}"
    for code in Fault:  # every warning the engine can give is spoken
        assert fault_key(code.value) in phrases
    for key in ("go", "turn_over", "rest", "set_done", count_key(1), count_key(3)):
        assert key in phrases


def test_phrase_files_are_valid_speech_audio():
    total_bytes = 0
    for key in all_phrases():
        path = asset_path(SOUNDS_DIR, f"{key}.wav")
        total_bytes += path.stat().st_size
        with wave.open(str(path), "rb") as w:
            assert (w.getnchannels(), w.getsampwidth()) == (1, 2), key
            rate, n = w.getframerate(), w.getnframes()
            x = np.frombuffer(w.readframes(n), dtype="<i2").astype(float) / 32768
        duration = n / rate
        longest = 1.0 + 0.12 * len(all_phrases()[key])  # generous: a trimmed phrase is far shorter
        assert rate >= 16000 and 0.15 <= duration <= longest, (key, duration)
        assert np.sqrt(np.mean(x ** 2)) > 0.03, f"{key} is (nearly) silent"
    assert total_bytes < 4_000_000  # shipped in every install


def test_speech_queue_one_at_a_time_in_order_counts_superseded_stale_dropped():
    q = SpeechQueue(stale_s=2.0)
    q.offer("count_1", 0.0)
    assert q.next(0.0, busy=False) == "count_1"
    q.offer("count_2", 0.3)
    q.offer("count_3", 0.4)  # while "1" still plays: "2" is superseded
    q.offer("set_done", 0.4)
    q.offer("rest", 0.4)
    assert q.next(0.5, busy=True) is None
    assert [q.next(t, busy=False) for t in (0.9, 1.2, 1.5, 1.8)] == ["count_3", "set_done", "rest", None]
    q.offer(fault_key("knee_valgus"), 2.0)
    assert q.next(4.5, busy=False) is None  # waited too long behind a long phrase: not said late


def test_session_phrases_are_short():
    assert all(len(text.split()) <= 6 for text in SESSION_PHRASES.values())


def test_sound_cues_say_nothing_when_muted_and_survive_without_audio(qtbot):
    from ui.sound import SoundCues, phrase_path

    s = SoundCues(enabled=True)
    assert phrase_path("go") is not None and phrase_path("no_such_phrase") is None
    s.say("go")
    s.rep(1)
    s.warning("knee_valgus")
    s.set_muted(True)
    s.say("turn_over")
    assert s.queue.waiting is None
