"""Streaming keyword spotting with the keyword network: 16 kHz mono audio in, commands out. No Qt.

Every `STEP_FRAMES` (0.1 s) the network looks at the last `WINDOW_FRAMES` (1.8 s) of log-mel frames. A command is
heard when the network's answers averaged over the last `CONFIRM` looks give it at least `THRESHOLD` and the latest
look agrees: a whole command stays inside the window for several looks, a sound that resembles one for a single
look mostly does not. After a command the spotter is deaf for `REFRACTORY_S`, so one command is not heard twice as
the window slides over it.

Where it stands (tools/voice_benchmark.py, 17 voices x 21 rooms and noises, none of the voices trained on):
91.7 % of the commands (pocketsphinx, used before: 61 %); 0.27 s / 0.40 s median / p95 after the command's end;
2.7 % of one core (median; 5.9 % at most). No command heard in the 39 min of talk, counting and noise the rule was
chosen on; one ("stop", under white noise) in the 22 min of talk kept out of that choice, and "coach stop" must be
heard twice to end a session. The shipped weights are two networks trained on different scenes, their answers
averaged. What limits it:
- it learned from synthetic speech only: formant and diphone synthesis (espeak-ng, flite, festival) and Kokoro's
  neural voices speaking English with a Japanese accent. The benchmark's espeak-ng voices (variants it did not
  learn) are heard 98 %, Piper's neural voice, an engine it never heard, 76 % (66 % before Kokoro was added to
  the training voices). A real person is more like Piper than like espeak-ng, and no recording of a person has
  been measured: recordings of people saying the commands, for training and for a test, would move it most;
- someone else counting aloud under the command (57-92 %): numbers said to the rhythm of a command look like one,
  and the threshold that keeps counting from giving commands also loses commands said over it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from app.handsfree.keyword_features import HOP, RATE_HZ, MelFrames
from app.handsfree.keyword_model import LABELS, WINDOW_FRAMES, KeywordNetwork

STEP_FRAMES = 10  # a look every 0.1 s, as a microphone delivers chunks
# Chosen on the benchmark's answers recorded once (2-5 looks x 0.4-0.8, mean rule; 1-4 looks in a row x 0.3-0.9):
# the most commands with no command heard in its 39 min of talk, counting and noise. The mean of 3 looks at 0.6:
# 91 % there; 3 looks in a row at 0.6 (the rule before): 89 %; the mean of 2 at 0.5: 94 % and 4 commands in the talk.
THRESHOLD = 0.6
CONFIRM = 3
REFRACTORY_S = 1.2  # one command per 1.2 s: the window slides over a command for about a second
MODEL_FILE = ("models", "voice_keywords.npz")


@dataclass(frozen=True)
class Spotted:
    t_s: float  # end of the first of the looks averaged: about when the command ended (seconds into the stream)
    command: str
    probability: float  # the network's mean answer over the confirming looks


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
        self._recent: deque[tuple[float, np.ndarray]] = deque(maxlen=CONFIRM)  # (look's end s, answers)
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
            self._recent.clear()
            return []
        end = frame_end - self._start
        window = self._frames[max(0, end - WINDOW_FRAMES): end]
        if len(window) < WINDOW_FRAMES:  # the start of a stream: before it, the first sound heard
            window = np.concatenate([np.repeat(window[:1], WINDOW_FRAMES - len(window), axis=0), window])
        self.looks += 1
        p = self._net.probabilities(window)
        self._recent.append((t_s, p))
        if len(self._recent) < CONFIRM:
            return []
        mean = np.mean([answers for _, answers in self._recent], axis=0)
        best = int(np.argmax(mean[1:])) + 1
        # The mean over the last looks must be sure, and the latest look must agree: one look that is very sure
        # of something that sounds like a command for 0.1 s does not carry two doubtful ones.
        if mean[best] < THRESHOLD or int(np.argmax(p[1:])) + 1 != best:
            return []
        heard = Spotted(round(self._recent[0][0], 2), LABELS[best], round(float(mean[best]), 3))
        self._deaf_until_s = t_s + REFRACTORY_S
        self._recent.clear()
        return [heard]
