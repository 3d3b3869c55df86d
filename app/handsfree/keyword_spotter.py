"""Streaming keyword spotting with the keyword network: 16 kHz mono audio in, commands out. No Qt.

Every `STEP_FRAMES` (0.1 s) the network looks at the last `WINDOW_FRAMES` (1.8 s) of log-mel frames. A command is
heard when the same command is the network's answer with at least `THRESHOLD` in `CONFIRM` looks in a row: a
whole command stays inside the window for several looks, a sound that resembles one for a single look mostly
does not. After a command the spotter is deaf for `REFRACTORY_S`, so one command is not heard twice as the window
slides over it.

Where it stands (tools/voice_benchmark.py, 17 voices x 21 rooms and noises, none of the voices trained on):
88 % of the commands (pocketsphinx, used before: 61 %), none heard in 61 min of talk, counting and noise;
0.34 s / 0.47 s median / p95 after the command's end; 2.5 % of one core (median; 5.4 % at most). The shipped
weights are two networks trained on different scenes, their answers averaged: together they heard fewer false
commands at the same recall than either alone. What limits it:
- it learned from formant and diphone synthesis (espeak-ng, flite, festival): the espeak-ng voices of the
  benchmark (variants it did not learn) are heard 97 %, Piper's neural voice, an engine it never heard, 66 %
  ("coach stop" and "coach resume" the weakest). A real person is more like Piper than like espeak-ng, and no
  recording of a person has been measured: recordings of people saying the commands, for training and for a
  test, are what would move it most;
- someone else counting aloud under the command (52-81 %): numbers said to the rhythm of a command look like one,
  and the threshold that keeps counting from giving commands also loses commands said over it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.handsfree.keyword_features import HOP, RATE_HZ, MelFrames
from app.handsfree.keyword_model import LABELS, WINDOW_FRAMES, KeywordNetwork

STEP_FRAMES = 10  # a look every 0.1 s, as a microphone delivers chunks
# Chosen on tools/voice_benchmark.py (out/kws_rules.py tried 1-4 looks x 0.3-0.9): the fewest looks and lowest
# answer that heard no command in its 39 min of talk, counting and noise. 2 looks at 0.5 heard 93 % of the
# commands and 3 in the talk; 3 at 0.6: 88 % and none (and none in 22 min of talk kept out of this choice).
THRESHOLD = 0.6
CONFIRM = 3
REFRACTORY_S = 1.2  # one command per 1.2 s: the window slides over a command for about a second
MODEL_FILE = ("models", "voice_keywords.npz")


@dataclass(frozen=True)
class Spotted:
    t_s: float  # end of the first look that heard it: just after the command ended (seconds into the stream)
    command: str
    probability: float  # the network's lowest answer over the confirming looks


def default_network() -> KeywordNetwork:
    from app.assets import asset_path

    return KeywordNetwork(asset_path(*MODEL_FILE))


class KeywordSpotter:
    def __init__(self, network: KeywordNetwork | None = None) -> None:
        self._net = network or default_network()
        self._mel = MelFrames()
        self._frames = np.zeros((0, 0), dtype=np.float32)
        self._start = 0  # stream frame of self._frames[0]
        self._next_look = STEP_FRAMES  # stream frame at which the next look ends
        self._streak: tuple[str, int, float, float] = ("", 0, 1.0, 0.0)  # command, looks, lowest answer, first
        self._deaf_until_s = -1.0
        self.looks = 0  # network evaluations (for the benchmark)

    def feed(self, x: np.ndarray) -> list[Spotted]:
        return self._add(self._mel.push(x))

    def finish(self) -> list[Spotted]:
        """End of the stream: the last sound is heard as if the room went on (its last frame repeated)."""
        if self._frames.size == 0:
            return []
        return self._add(np.repeat(self._frames[-1:], WINDOW_FRAMES // 2, axis=0))

    def _add(self, frames: np.ndarray) -> list[Spotted]:
        if len(frames) == 0:
            return []
        self._frames = frames if self._frames.size == 0 else np.concatenate([self._frames, frames])
        heard = []
        while self._next_look <= self._start + len(self._frames):
            heard += self._look(self._next_look)
            self._next_look += STEP_FRAMES
        keep = WINDOW_FRAMES + STEP_FRAMES
        if len(self._frames) > keep:
            self._start += len(self._frames) - keep
            self._frames = self._frames[-keep:]
        return heard

    def _look(self, frame_end: int) -> list[Spotted]:
        """One evaluation of the window that ends at stream frame `frame_end`."""
        t_s = frame_end * HOP / RATE_HZ
        if t_s < self._deaf_until_s:
            self._streak = ("", 0, 1.0, 0.0)
            return []
        end = frame_end - self._start
        window = self._frames[max(0, end - WINDOW_FRAMES): end]
        if len(window) < WINDOW_FRAMES:  # the start of a stream: before it, the first sound heard
            window = np.concatenate([np.repeat(window[:1], WINDOW_FRAMES - len(window), axis=0), window])
        self.looks += 1
        p = self._net.probabilities(window)
        best = int(np.argmax(p[1:])) + 1
        if p[best] < THRESHOLD:
            self._streak = ("", 0, 1.0, 0.0)
            return []
        command, probability = LABELS[best], float(p[best])
        name, count, low, first_s = self._streak
        self._streak = ((command, count + 1, min(low, probability), first_s) if name == command
                        else (command, 1, probability, t_s))
        if self._streak[1] < CONFIRM:
            return []
        heard = Spotted(round(self._streak[3], 2), command, round(self._streak[2], 3))
        self._deaf_until_s = t_s + REFRACTORY_S
        self._streak = ("", 0, 1.0, 0.0)
        return [heard]
