"""`medius voice-test [--wav FILE] [--json]`: which voice commands the app hears, from a WAV file or the microphone.

With --wav nothing of Qt is loaded (app.handsfree.voice_commands does the work). Without it the default microphone
is read through QtMultimedia for `--seconds` (default 10); no microphone gives a one-line notice and exit code 0,
since a microphone is optional. Prints one line per command, or with --json `{"commands": [{"t_s": 1.9, "command":
"pause"}, ...]}`. Exit codes: 0 ok, 2 bad arguments or unreadable file, 3 the keyword model is missing or damaged.
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="medius voice-test", description="List the voice commands heard.")
    p.add_argument("--wav", help="a WAV file instead of the microphone")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--seconds", type=float, default=10.0, help="how long to listen to the microphone")
    args = p.parse_args(argv)
    from app.handsfree.voice_commands import VoiceUnavailable, commands_in, read_wav_16k

    try:
        if args.wav:
            audio = read_wav_16k(args.wav)
        else:
            audio = record_microphone(args.seconds)
            if audio is None:
                print("medius voice-test: no microphone found; voice commands are off (keys and gestures work).")
                return 0
        heard = commands_in(audio)
    except ValueError as exc:
        print(f"medius voice-test: {exc}", file=sys.stderr)
        return 2
    except VoiceUnavailable as exc:
        print(f"medius voice-test: voice commands unavailable: {exc}", file=sys.stderr)
        return 3
    if args.json:
        print(json.dumps({"commands": [{"t_s": h.t_s, "command": h.command} for h in heard]}))
    else:
        for h in heard:
            print(f"{h.t_s:7.2f} s  coach {h.command}")
        if not heard:
            print("no command heard")
    return 0


def record_microphone(seconds: float):
    """`seconds` of 16 kHz mono audio from the default microphone, or None when there is none."""
    try:
        from PySide6.QtMultimedia import QAudioFormat, QAudioSource, QMediaDevices
    except ImportError:
        return None
    from ui.qt_env import ensure_app

    app = ensure_app(sys.argv[:1])
    device = QMediaDevices.defaultAudioInput()
    if device.isNull():
        return None
    import numpy as np
    from PySide6.QtCore import QElapsedTimer

    fmt = QAudioFormat()
    fmt.setSampleRate(16000)
    fmt.setChannelCount(1)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    source = QAudioSource(device, fmt)
    stream = source.start()
    chunks, clock = [], QElapsedTimer()
    clock.start()
    while clock.elapsed() < seconds * 1000:
        app.processEvents()
        data = stream.readAll()
        if data.size():
            chunks.append(bytes(data.data()))
    source.stop()
    return np.frombuffer(b"".join(chunks), dtype="<i2")
