"""Every phrase the app can speak, by key: the texts come from where the app defines them.

The GUI plays a pre-rendered audio file per key (assets/sounds/<key>.wav, made once by tools/render_phrases.py
with an offline voice), so no speech engine is needed on the user's machine. `phrases.json` beside the files
records the text each file was rendered from; a test fails when a text here changed and the file was not
rendered again.
"""

from __future__ import annotations

from app.engine.exercise_params import messages
from app.session.plan import MAX_REPS_PER_SET
from app.stance.flow import STANCE_PHRASES

SOUNDS_DIR = "sounds"  # under assets/
MANIFEST = "phrases.json"

# Session steps the hands-free session announces.
SESSION_PHRASES = {
    "go": "Go",
    "get_ready": "Get into your starting position",
    "turn_over": "Turn over",
    "rest": "Rest",
    "set_done": "Set done",
    "paused": "Paused",
    "resumed": "Carry on",
    "session_done": "Session complete. Well done",
}


def count_key(n: int) -> str:
    return f"count_{n}"


def fault_key(code: str) -> str:
    return f"fault_{code}"


def all_phrases() -> dict[str, str]:
    """key → text for every phrase (counts 1..the largest set; the countdown reuses 3, 2, 1)."""
    phrases = {count_key(n): str(n) for n in range(1, MAX_REPS_PER_SET + 1)}
    phrases.update({fault_key(code): text for code, text in messages().items()})
    phrases.update(SESSION_PHRASES)
    phrases.update(STANCE_PHRASES)  # the guided single-leg stance test
    return phrases


def sound_file_name(key: str) -> str:
    return f"{key}.wav"
