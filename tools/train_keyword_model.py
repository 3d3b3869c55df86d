"""Trains the keyword network (app.handsfree.keyword_model) on out/keyword_speech.pkl and writes
assets/models/voice_keywords.npz. Needs PyTorch, which the app does not: the app runs the exported weights with
numpy.

    python3 -m venv /tmp/trainvenv && /tmp/trainvenv/bin/pip install torch==2.13.0 numpy
    .venv/bin/python tools/render_keyword_speech.py --kokoro-python /tmp/kokorovenv/bin/python
    /tmp/trainvenv/bin/python tools/train_keyword_model.py [--examples 80000] [--epochs 14] [--data-seed 1]
    /tmp/trainvenv/bin/python tools/train_keyword_model.py --merge A.npz B.npz --out assets/models/voice_keywords.npz

The shipped file merges two runs of this script, 80 000 scenes and 14 epochs each (about 20 min each on 2 cores),
on speech rendered with --kokoro-python: --data-seed 1 --seed 1 and --data-seed 2 --seed 2.

Each training example is one window of the network's length (keyword_model.WINDOW_FRAMES) cut from a scene built
at random: a command said on its own, wholly inside the window (its label); a command cut off by either edge of
the window, a command run together with talk as loud as itself, any other speech, counting or noise ("other");
half of the speech played up to 10 % slower or faster; under it a room: white, pink, brown or fan noise, other voices
talking or counting, tones and chords, at -3 to 30 dB SNR or none; reverberation (0.2-0.9 s) on a third of the
scenes; a random level (-45 to -1 dBFS peak), a microphone's hiss and a random tilt of the spectrum. Voices are
split: one voice in ten is kept for validation, so the printed accuracy is on voices the network did not learn.
"""

from __future__ import annotations

import argparse
import pathlib
import pickle
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.handsfree.keyword_features import FRAME, HOP, RATE_HZ, log_mel
from app.handsfree.keyword_model import LABELS, LAYERS, WINDOW_FRAMES, normalise

SPEECH = ROOT / "out" / "keyword_speech.pkl"
OUT = ROOT / "assets" / "models" / "voice_keywords.npz"
WINDOW = FRAME + HOP * (WINDOW_FRAMES - 1)  # samples


def _pink(n: int, rng: np.random.Generator, exponent: float) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.maximum(np.fft.rfftfreq(n), 1.0 / n)
    return np.fft.irfft(spectrum / f ** (exponent / 2), n)


def _noise(kind: str, n: int, rng: np.random.Generator, others: list, counting: list) -> np.ndarray:
    t = np.arange(n) / RATE_HZ
    if kind == "white":
        return rng.standard_normal(n)
    if kind == "pink":
        return _pink(n, rng, 1.0)
    if kind == "brown":
        return _pink(n, rng, 2.0)
    if kind == "fan":
        mains = rng.choice([50.0, 60.0])
        hum = sum(rng.uniform(0.2, 1.0) * np.sin(2 * np.pi * mains * h * t + rng.uniform(0, 6)) for h in (1, 2, 3, 4))
        rumble = _pink(n, rng, 1.5)
        return hum / np.std(hum) * rng.uniform(0.3, 1.0) + rumble / np.std(rumble)
    if kind in ("voices", "counting"):
        pool = others if kind == "voices" else counting
        out = np.zeros(n)
        for _ in range(rng.integers(1, 4) if kind == "voices" else 1):
            pos = -int(rng.integers(0, RATE_HZ))
            while pos < n:
                a = pool[rng.integers(len(pool))].astype(np.float64)
                a = a[: n - pos] if pos >= 0 else a[-pos: n - pos]
                start = max(pos, 0)
                out[start:start + len(a)] += a * rng.uniform(0.5, 1.0)
                pos += len(a) + int(rng.integers(0, RATE_HZ // 2))
        return out + 1e-3 * rng.standard_normal(n)
    # music: chords of a few tones with slow envelopes
    out = np.zeros(n)
    pos = 0
    while pos < n:
        length = int(rng.uniform(0.2, 0.8) * RATE_HZ)
        seg = np.arange(min(length, n - pos)) / RATE_HZ
        env = np.minimum(1.0, seg / 0.02) * np.exp(-seg * rng.uniform(0.5, 4.0))
        for _ in range(rng.integers(1, 4)):
            f0 = 110.0 * 2 ** (rng.integers(0, 36) / 12)
            out[pos:pos + len(seg)] += env * sum(np.sin(2 * np.pi * f0 * k * seg) / k for k in (1, 2, 3))
        pos += len(seg)
    return out


def _reverb(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    rt60 = rng.uniform(0.2, 0.9)
    n = int(rt60 * RATE_HZ)
    tail = rng.standard_normal(n) * np.exp(-6.9 * np.arange(n) / n)
    ir = tail * rng.uniform(0.05, 0.3)
    ir[0] = 1.0
    size = len(x) + n
    return np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(ir, size), size)[: len(x)]


def _tilt(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A microphone's colour: a random slope of the spectrum (±6 dB per octave around 1 kHz) and a low cut."""
    spectrum = np.fft.rfft(x)
    f = np.maximum(np.fft.rfftfreq(len(x), 1.0 / RATE_HZ), 1.0)
    gain = (f / 1000.0) ** (rng.uniform(-1.0, 1.0) / 2) / (1 + (rng.uniform(50, 300) / f) ** 2)
    return np.fft.irfft(spectrum * gain, len(x))


def _rms_active(x: np.ndarray) -> float:
    frames = x[: len(x) // HOP * HOP].reshape(-1, HOP)
    energy = (frames ** 2).mean(axis=1)
    loud = energy[energy > 0.1 * energy.max()] if energy.max() > 0 else energy
    return float(np.sqrt(loud.mean() + 1e-12))


_POOLS: tuple = ()


def _init(pools: tuple) -> None:
    global _POOLS
    _POOLS = pools


def _perturb(a: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Half the time a larger or smaller speaker: played up to 10 % slower or faster (pitch and formants move)."""
    a = a.astype(np.float64)
    if rng.random() < 0.5:
        factor = rng.uniform(0.9, 1.1)
        a = np.interp(np.arange(0, len(a) - 1, factor), np.arange(len(a)), a)
    return a


def _example(seed: int) -> tuple[np.ndarray, int]:
    commands, others, near, counting = _POOLS
    rng = np.random.default_rng(seed)
    scene = np.zeros(WINDOW)
    label = 0  # other
    r = rng.random()
    if r < 0.45:  # a whole command, said on its own
        c = int(rng.integers(len(LABELS) - 1))
        cmd = _perturb(commands[c][rng.integers(len(commands[c]))], rng)
        if len(cmd) < WINDOW - HOP * 4:
            end = int(rng.integers(len(cmd) + HOP, WINDOW - HOP + 1))
            scene[end - len(cmd): end] = cmd
            label = c + 1
    elif r < 0.58:  # a command cut off by an edge of the window
        c = int(rng.integers(len(LABELS) - 1))
        cmd = _perturb(commands[c][rng.integers(len(commands[c]))], rng)
        cut = int(rng.uniform(0.12, 0.6) * RATE_HZ)
        if rng.random() < 0.6:  # the command word not yet over
            part = cmd[: max(len(cmd) - cut, HOP)][-WINDOW:]
            scene[WINDOW - len(part):] = part
        else:  # "coach" already gone
            part = cmd[min(cut, len(cmd) - HOP):]
            scene[: len(part)] = part[:WINDOW]
    elif r < 0.68:  # a command run together with other speech as loud: said within a sentence, not to us
        c = int(rng.integers(len(LABELS) - 1))
        cmd = _perturb(commands[c][rng.integers(len(commands[c]))], rng)
        talk = _perturb(others[rng.integers(len(others))], rng) * 10 ** (rng.uniform(-4, 4) / 20)
        gap = int(rng.uniform(0.0, 0.12) * RATE_HZ)
        least = int(0.2 * RATE_HZ)  # the talk must be plainly in the window, or the scene is a command alone
        if len(cmd) + gap + least < WINDOW:
            start = int(rng.integers(0, WINDOW - len(cmd) + 1))
            room_before, room_after = start - gap, WINDOW - (start + len(cmd)) - gap
            if max(room_before, room_after) >= least:
                scene[start: start + len(cmd)] = cmd
                if room_before >= least and (room_after < least or rng.random() < 0.6):  # talk, then "coach"
                    before = talk[-room_before:]
                    scene[room_before - len(before): room_before] = before
                else:  # the command word runs on into more talk
                    after = talk[:room_after]
                    scene[WINDOW - room_after: WINDOW - room_after + len(after)] = after
    elif r < 0.93:  # other speech (half of it near a command: a command word, "coach" and another word), counting
        u = rng.random()
        pool = near if u < 0.5 else others if u < 0.88 else counting
        a = _perturb(pool[rng.integers(len(pool))], rng)
        offset = int(rng.integers(-WINDOW // 2, max(len(a) - WINDOW // 2, 1)))
        src_a, dst_a = max(offset, 0), max(-offset, 0)
        piece = a[src_a: src_a + WINDOW - dst_a]
        scene[dst_a: dst_a + len(piece)] = piece
    # else: room sound alone
    if rng.random() < 0.33:
        scene = _reverb(scene, rng)
    speech_rms = _rms_active(scene) if np.abs(scene).max() > 0 else 3000.0
    if rng.random() < 0.85:
        kind = rng.choice(["white", "pink", "brown", "fan", "voices", "voices", "counting", "music"])
        noise = _noise(kind, WINDOW, rng, others, counting)
        snr = rng.uniform(5 if kind in ("voices", "counting") and label else -3, 30)
        scene = scene + noise / (np.sqrt(np.mean(noise ** 2)) + 1e-12) * speech_rms / 10 ** (snr / 20)
    if rng.random() < 0.5:
        scene = _tilt(scene, rng)
    peak = np.abs(scene).max()
    scene = scene / (peak + 1e-9) * 32767 * 10 ** (rng.uniform(-45, -1) / 20) if peak > 0 else scene
    scene = scene + rng.standard_normal(WINDOW) * 32767 * 10 ** (rng.uniform(-80, -60) / 20)
    return log_mel(np.clip(scene, -32768, 32767)).astype(np.float16), label


def build(records: list, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    commands = [[r["audio"] for r in records if r["label"] == c] for c in LABELS[1:]]
    others = [r["audio"] for r in records if r["label"] == "other" and r["kind"] != "counting"]
    near = [r["audio"] for r in records if r["kind"] in ("hard", "lead_in", "run_on", "split")]
    counting = [r["audio"] for r in records if r["kind"] == "counting"]
    xs, ys = [], []
    with ProcessPoolExecutor(2, initializer=_init, initargs=((commands, others, near, counting),)) as pool:
        for x, y in pool.map(_example, [seed * 1_000_003 + i for i in range(n)], chunksize=500):
            xs.append(x)
            ys.append(y)
    return np.stack(xs), np.array(ys)


def _masks(torch, n: int):
    """SpecAugment-style: per example, a band of up to 6 mel bands and a stretch of up to 15 frames zeroed."""
    bands = torch.arange(40)[None, :]
    f0, fw = torch.randint(0, 34, (n, 1)), torch.randint(0, 7, (n, 1))
    frames = torch.arange(WINDOW_FRAMES)[None, :]
    t0, tw = torch.randint(0, WINDOW_FRAMES - 15, (n, 1)), torch.randint(0, 16, (n, 1))
    keep_band = ~((bands >= f0) & (bands < f0 + fw))
    keep_time = ~((frames >= t0) & (frames < t0 + tw))
    return (keep_band[:, :, None] & keep_time[:, None, :]).float()


def make_net(torch):
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            layers, channels = [], LAYERS[0][0]
            for c_in, c_out, k, s in LAYERS:
                layers += [nn.Conv1d(c_in, c_out, k, stride=s, padding=k // 2, bias=False), nn.BatchNorm1d(c_out),
                           nn.ReLU()]
                channels = c_out
            self.body = nn.Sequential(*layers)
            self.head = nn.Linear(2 * channels, len(LABELS))

        def forward(self, x):
            h = self.body(x)
            return self.head(torch.cat([h.amax(dim=2), h.mean(dim=2)], dim=1))

    return Net()


def export(net, path: pathlib.Path, meta: dict) -> None:
    arrays = {}
    convs = [m for m in net.body if m.__class__.__name__ == "Conv1d"]
    norms = [m for m in net.body if m.__class__.__name__ == "BatchNorm1d"]
    for i, (conv, bn) in enumerate(zip(convs, norms)):  # batch-norm folded into the convolution before it
        scale = (bn.weight / (bn.running_var + bn.eps).sqrt()).detach().numpy()
        arrays[f"m0_w{i}"] = (conv.weight.detach().numpy() * scale[:, None, None]).astype(np.float32)
        arrays[f"m0_b{i}"] = (bn.bias.detach().numpy() - bn.running_mean.numpy() * scale).astype(np.float32)
    arrays["m0_head_w"] = net.head.weight.detach().numpy().astype(np.float32)
    arrays["m0_head_b"] = net.head.bias.detach().numpy().astype(np.float32)
    save(path, arrays, 1, [meta])


def save(path: pathlib.Path, member_arrays: dict, members: int, about: list) -> None:
    np.savez_compressed(path, **member_arrays, members=np.array(members), labels=np.array(LABELS),
                        layers=np.array(LAYERS), window_frames=np.array(WINDOW_FRAMES), about=np.array(str(about)))


def merge(paths: list[pathlib.Path], out: pathlib.Path) -> None:
    """One weights file holding the networks of several (their answers are averaged: an ensemble)."""
    arrays, about = {}, []
    for path in paths:
        with np.load(path) as f:
            for j in range(int(f["members"])):
                for key in (k for k in f.files if k.startswith(f"m{j}_")):
                    arrays[f"m{len(about)}_" + key.split("_", 1)[1]] = f[key]
                about.append(f"{path.name}#{j}: {f['about']}")
    save(out, arrays, len(about), about)


def main(argv: list[str] | None = None) -> int:
    import torch

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--examples", type=int, default=60000)
    p.add_argument("--epochs", type=int, default=14)
    p.add_argument("--seed", type=int, default=1, help="the network's initial weights and the batches")
    p.add_argument("--data-seed", type=int, default=1, help="the scenes (built once, kept in out/)")
    p.add_argument("--out", type=pathlib.Path, default=OUT)
    p.add_argument("--merge", type=pathlib.Path, nargs="+", help="no training: put these weights files into --out")
    args = p.parse_args(argv)
    if args.merge:
        merge(args.merge, args.out)
        print(f"{len(args.merge)} files -> {args.out}")
        return 0
    torch.manual_seed(args.seed)
    records = pickle.load(SPEECH.open("rb"))
    def base(voice: str) -> str:  # engine and voice without rate and pitch
        return "_".join(voice.split("_")[:2])

    voices = sorted({base(r["voice"]) for r in records})
    held = set(random.Random(args.data_seed).sample(voices, len(voices) // 10))
    train_records = [r for r in records if base(r["voice"]) not in held]
    val_records = [r for r in records if base(r["voice"]) in held]
    t0 = time.time()
    cache = SPEECH.with_name(f"keyword_examples_{args.examples}_{args.data_seed}.npz")
    if cache.is_file() and cache.stat().st_mtime > SPEECH.stat().st_mtime:
        with np.load(cache) as f:
            x_tr, y_tr, x_val, y_val = f["x_tr"], f["y_tr"], f["x_val"], f["y_val"]
    else:
        x_val, y_val = build(val_records, args.examples // 10, args.data_seed + 100)
        x_tr, y_tr = build(train_records, args.examples, args.data_seed)
        np.savez(cache, x_tr=x_tr, y_tr=y_tr, x_val=x_val, y_val=y_val)
    print(f"examples built in {time.time() - t0:.0f} s: {len(y_tr)} train, {len(y_val)} validation "
          f"({len(held)} of {len(voices)} voices held out); labels {np.bincount(y_tr)}", flush=True)
    net = make_net(torch)
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-3)
    steps = args.epochs * (len(y_tr) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    xt = torch.from_numpy(normalise(x_tr.astype(np.float32))).transpose(1, 2)
    yt = torch.from_numpy(y_tr)
    xv = torch.from_numpy(normalise(x_val.astype(np.float32))).transpose(1, 2)
    for epoch in range(args.epochs):
        net.train()
        order = torch.randperm(len(yt))
        for i in range(len(yt) // 128):
            idx = order[i * 128:(i + 1) * 128]
            xb = xt[idx] * _masks(torch, len(idx))
            loss = torch.nn.functional.cross_entropy(net(xb), yt[idx], label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        net.eval()
        with torch.no_grad():
            pv = torch.cat([net(xv[i:i + 512]) for i in range(0, len(xv), 512)]).softmax(1).numpy()
        pred = pv.argmax(1)
        pos = y_val > 0
        print(f"epoch {epoch + 1}: loss {loss.item():.3f}; validation: commands right "
              f"{np.mean(pred[pos] == y_val[pos]):.3f}, other called a command {np.mean(pred[~pos] > 0):.4f} ({time.time() - t0:.0f} s)", flush=True)
    export(net, args.out, {"examples": args.examples, "epochs": args.epochs, "seed": args.seed,
                           "data_seed": args.data_seed,
                           "voices": len(voices), "held_out_voices": len(held)})
    # The app runs the exported weights with numpy: they must give what the trained network gives.
    from app.handsfree.keyword_model import KeywordNetwork

    exported = KeywordNetwork(args.out)
    mine = np.stack([exported.probabilities(x_val[i].astype(np.float32)) for i in range(min(64, len(x_val)))])
    print(f"-> {args.out}; numpy against torch, largest difference in probability: "
          f"{np.abs(mine - pv[:len(mine)]).max():.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
