"""Offline voice commands: "coach pause / resume / next / repeat / stop" from 16 kHz mono audio. No Qt.

Recogniser: pocketsphinx (PyPI wheel with its US English acoustic model, dictionary and phone model inside, so
nothing is downloaded and nothing leaves the machine). Chosen over Vosk/sherpa-onnx, whose models are separate
downloads. Its keyword-spotting mode was measured and set aside (9 voices, clean, pink noise and background talk):
at a threshold that kept false alarms to 2 in 20 min it found 15 of 45 clean commands; at one that found 24 of 45
it heard 237 false commands.

How a command is heard, and why talk is not (numbers from tools/voice_benchmark.py):
1. app.handsfree.audio_cleanup cleans the audio (high-pass, Wiener noise suppression against a running noise
   estimate) and cuts it into utterances where speech stands out of the room's own sound. pocketsphinx's
   Endpointer, used before, is a voice detector: in 10-15 dB noise it never ended an utterance (0-15 % of the
   commands heard). Each utterance is decoded on its own with a fresh search.
2. An utterance of command length (`MIN_UTTERANCE_S`..`MAX_UTTERANCE_S`) that follows a pause (`MIN_GAP_S`) is
   decoded with a grammar that can only say "coach <command>", and with free phones (the phone loop: any sound).
   A grammar always answers, even for "one, two, three", so the command must also pass four checks:
   - the grammar explains the sound about as well as free phones do (`MIN_SCORE_MARGIN`, per frame);
   - the free phones are close to the command's own pronunciation (`MAX_PHONE_DISTANCE`, edit distance over
     the number of phones, a swap within a broad phone class counting half): talk the grammar bent into
     "coach repeat" mostly came out as other phones;
   - the chosen command explains the sound better than the best other command does (`MIN_WORD_MARGIN`): most
     commands heard as the wrong one were a close call;
   - the grammar's alignment gives "coach" and the command word plausible lengths, with no pause between, and
     the two fill most of the speech span (`MIN_WORD_COVERAGE`).
3. The lightly cleaned version of the audio (at most -8 dB of suppression) is decoded too: it must name the
   same command with `MIN_SCORE_MARGIN`, its phones within `MAX_LIGHT_PHONE_DISTANCE`. Talk that passes one by
   chance rarely passes the other; a command mostly does.

Thresholds were set on a development half of the benchmark's voices (tools/voice_benchmark.py prints the
held-out half apart), with zero false commands in its 27 min of talk, counting and noise and in 27 min more of
the same talk in other noise; out/voice_work/r2/ (not in git) has the measurements. Benchmark: 60 % of the
commands (53 % before these checks), none in 39 min of talk, 0.54 s / 0.84 s median / p95, under 10 % of one
core (median 5.8 %).

Where commands are still lost (17 voices x 21 conditions, out/voice_work/r2/exp11.py):
pocketsphinx's acoustic model hears the synthetic voices wrongly even when clean (the grammar picks the wrong
command for 8 % of all commands, espeak-ng's "next" as "repeat" in several voices), and its free phones are too
rough to tell a command from a short stretch of talk well (the phone check rejects 7 %), so keeping false
commands at zero costs recall. Behind a television or someone counting, the utterance is mostly found (at 15 dB
in 72 of 85 cases) but the background voice under the command spoils the decode; at 10 dB the command also
runs into the background voice or is lost in it (33 of 85, see Utterances).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from app.handsfree.audio_cleanup import FFT, HOP, NoiseSuppressor, Utterances

RATE_HZ = 16000
COMMANDS = ("pause", "resume", "next", "repeat", "stop")
WAKE_WORD = "coach"
MIN_UTTERANCE_S = 0.45  # the loud core of "coach next" said quickly, in noise, was 0.47 s and more
MAX_UTTERANCE_S = 1.5  # "coach repeat" said slowly took 1.3 s
MIN_GAP_S = 0.6  # quiet before a command: said on its own, not at the end of a sentence
# Grammar score minus phone-loop score, per 10 ms frame (thousandths of the log score): commands measured a
# median of 1.0 and a 5th percentile of 0.2; half of the talk that the grammar turned into a command was below 0.
MIN_SCORE_MARGIN = 0.0
# Free phones against the command's pronunciation (edit distance over its phones, a swap within a broad phone
# class counting half). Set on a development half of the benchmark's voices (out/voice_work/r2/rules.py): with
# 0.75 no talk got through and 64 % of the commands did (0.86: 68 %, but talk began to pass).
MAX_PHONE_DISTANCE = 0.75
# The grammar's score minus that of the best other command, per frame as above: a command heard as the wrong
# one mostly measured below 0.2 (median 0.12, a quarter below -0.13), a right one above (median 1.0, 10 % below
# 0.13). Checked on the cleaned version only: there, at 0.2, the wrong commands fall from 47 to 24 in 1785 and
# the right ones from 64 % to 60 % (on both versions: 58 %, and a third decode more).
MIN_WORD_MARGIN = 0.2
# The lightly cleaned version must name the same command with MIN_SCORE_MARGIN; its free phones are rougher
# (more noise left), so it only needs to be no further than this: at 0.75 it cost 2.5 % of the commands and
# kept out no talk that the cleaned version let through.
MAX_LIGHT_PHONE_DISTANCE = 1.0
FRAME_S = 0.01  # pocketsphinx's frame
MIN_WAKE_WORD_S = 0.2  # aligned "coach": commands measured 0.25 s and more
MIN_COMMAND_WORD_S = 0.25  # aligned command word: commands measured 0.31 s and more
MAX_INNER_PAUSE_S = 0.1  # silence or noise the alignment puts between the two words
# The two aligned words against the speech span's length: a command's fill it (1 % of the commands measured
# below 0.62), talk the grammar explained partly as silence does not (median 0.46 where the grammar answered).
MIN_WORD_COVERAGE = 0.6
PRE_ROLL_S = 0.25  # audio before and after the speech span that goes to the decoder (soft starts and endings)
POST_ROLL_S = 0.25
CLEAN_DELAY = FFT - HOP  # the suppressor's output runs this many samples behind its input
GRAMMAR = ("#JSGF V1.0;\ngrammar medius;\n"
           f"public <command> = {WAKE_WORD} ( {' | '.join(COMMANDS)} );\n")


def _grammar_without(command: str) -> str:
    """The command grammar without one word: how well the best OTHER command explains the sound."""
    return GRAMMAR.replace(f"( {' | '.join(COMMANDS)} )", f"( {' | '.join(c for c in COMMANDS if c != command)} )")


# The phone loop's own symbols for silence and noise (SIL, +NSN+, +SPN+) are not phones of a word.
PHONES = frozenset("AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V "
                   "W Y Z ZH".split())


class VoiceUnavailable(RuntimeError):
    """pocketsphinx is not installed or its model does not load."""


@dataclass(frozen=True)
class Heard:
    t_s: float  # end of the command in the audio (seconds from the start of the stream)
    command: str  # one of COMMANDS
    margin: float  # how much better the command grammar explains the sound than free phones do (higher: surer)
    phone_distance: float  # free phones against the command's pronunciation (0 = the same phones)


class CommandRecognizer:
    """Feed 16-bit mono PCM at 16 kHz in any chunk size; get the commands that ended in it."""

    def __init__(self) -> None:
        try:
            from pocketsphinx import Decoder, get_model_path
        except ImportError as exc:
            raise VoiceUnavailable(f"pocketsphinx is not installed ({exc})") from exc
        model = get_model_path()
        common = {"hmm": os.path.join(model, "en-us", "en-us"),
                  "dict": os.path.join(model, "en-us", "cmudict-en-us.dict"), "lm": None, "loglevel": "FATAL",
                  "samprate": RATE_HZ}
        try:
            # bestpath off: the lattice pass after the search lost the command word of 1 utterance in 12 (the
            # hypothesis came back as "coach" alone, the word's frames as silence); the search's own best path
            # keeps it.
            self._grammar = Decoder(**common, bestpath=False)
            self._grammar.add_jsgf_string("commands", GRAMMAR)
            for c in COMMANDS:
                self._grammar.add_jsgf_string(f"without_{c}", _grammar_without(c))
            self._grammar.activate_search("commands")
            self._phones = Decoder(**common, allphone=os.path.join(model, "en-us", "en-us-phone.lm.bin"))
        except RuntimeError as exc:
            raise VoiceUnavailable(f"the speech model did not load ({exc})") from exc
        wake = _pronunciations(self._grammar, WAKE_WORD)
        self._references = {c: [w + p for w in wake for p in _pronunciations(self._grammar, c)] for c in COMMANDS}
        self._phone_set = {p for refs in self._references.values() for ref in refs for p in ref} | PHONES
        self._suppressor = NoiseSuppressor()
        self._segmenter = Utterances()
        # The audio since shortly before the utterance in progress, cleaned and lightly cleaned (both run
        # CLEAN_DELAY behind the input).
        self._cleaned = np.zeros(0)
        self._cleaned_start = -CLEAN_DELAY  # stream sample of self._cleaned[0]
        self._light = np.zeros(0)  # the same stretch lightly cleaned
        self._light_start = -CLEAN_DELAY
        self._samples_in = 0
        self._pending_spans: list = []
        self._last_end_s = -1e9  # end of the utterance before (any length)
        self.utterances = 0  # how many were decoded (for the benchmark)
        self.trace: list | None = None  # set to a list to collect every utterance's figures (for tuning)

    def feed(self, pcm: bytes | np.ndarray) -> list[Heard]:
        x = np.frombuffer(pcm, dtype="<i2") if isinstance(pcm, (bytes, bytearray, memoryview)) else np.asarray(pcm)
        x = x.astype(np.float64)
        cleaned, light, band_power = self._suppressor.process(x)
        self._samples_in += len(x)
        self._light = np.concatenate([self._light, light])
        self._cleaned = np.concatenate([self._cleaned, cleaned])
        self._pending_spans += self._segmenter.push(band_power)
        heard = self._judge_ready()
        self._trim()
        return heard

    def finish(self) -> list[Heard]:
        """End of the stream: an utterance still open is judged as it is."""
        self._pending_spans += self._segmenter.flush()
        return self._judge_ready(final=True)

    def _judge_ready(self, final: bool = False) -> list[Heard]:
        heard = []
        while self._pending_spans:
            span = self._pending_spans[0]
            need = int((span.end_s + POST_ROLL_S) * RATE_HZ)
            have = self._cleaned_start + len(self._cleaned)
            if have < need and not final:
                break
            self._pending_spans.pop(0)
            heard.extend(self._judge(span))
        return heard

    def _trim(self) -> None:
        keep_from = int(self._segmenter_start_s() * RATE_HZ) - int(PRE_ROLL_S * RATE_HZ) - HOP
        cut = max(0, min(len(self._cleaned), keep_from - self._cleaned_start))
        if cut:
            self._cleaned = self._cleaned[cut:]
            self._cleaned_start += cut
        cut = max(0, min(len(self._light), keep_from - self._light_start))
        if cut:
            self._light = self._light[cut:]
            self._light_start += cut

    def _segmenter_start_s(self) -> float:
        if self._pending_spans:
            return self._pending_spans[0].start_s
        if self._segmenter.in_speech:
            return self._segmenter.current_start_s
        return self._samples_in / RATE_HZ - 1.0

    def _audio(self, start_s: float, end_s: float, cleaned: bool = True) -> bytes:
        """The stream from start_s to end_s, cleaned or lightly cleaned, as 16-bit PCM for the decoder."""
        buf, start = (self._cleaned, self._cleaned_start) if cleaned else (self._light, self._light_start)
        a = max(0, int(start_s * RATE_HZ) - start)
        b = max(a, int(end_s * RATE_HZ) - start)
        return np.clip(buf[a:b], -32768, 32767).astype("<i2").tobytes()

    def _judge(self, span) -> list[Heard]:
        duration = span.end_s - span.start_s
        gap_s, self._last_end_s = span.start_s - self._last_end_s, span.end_s
        info = {"start_s": span.start_s, "end_s": span.end_s, "gap_s": gap_s}
        if self.trace is not None:
            self.trace.append(info)
        if not MIN_UTTERANCE_S <= duration <= MAX_UTTERANCE_S or gap_s < MIN_GAP_S:
            return []
        self.utterances += 1
        verdicts = []
        for cleaned in (True, False):
            audio = self._audio(span.start_s - PRE_ROLL_S, span.end_s + POST_ROLL_S, cleaned)
            verdict = self._verdict(audio, strict=cleaned, speech_s=duration,
                                    expected=verdicts[0]["command"] if verdicts else None)
            info["cleaned" if cleaned else "light"] = verdict
            if verdict is None or not verdict["accepted"]:
                return []
            verdicts.append(verdict)
        if verdicts[0]["command"] != verdicts[1]["command"]:
            return []
        return [Heard(round(span.end_s, 2), verdicts[0]["command"], min(v["margin"] for v in verdicts),
                      max(v["phone_distance"] for v in verdicts))]

    def _verdict(self, audio: bytes, strict: bool, speech_s: float, expected: str | None = None) -> dict | None:
        """What the grammar heard in `audio` and whether it passes the checks; None when it is no command (or
        not `expected`). The checks run cheapest first: the free-phone decode costs three grammar decodes."""
        grammar = _decode(self._grammar, audio)
        words = grammar.hypstr.split() if grammar is not None else []
        if len(words) != 2 or words[0] != WAKE_WORD or words[1] not in COMMANDS:
            return None
        if expected is not None and words[1] != expected:
            return None
        command = words[1]
        verdict = {"command": command, "margin": None, "phone_distance": None, "word_margin": None, "phones": "",
                   "accepted": False}
        segments = [(x.word, (x.end_frame - x.start_frame + 1) * FRAME_S) for x in self._grammar.seg()]
        frames = max(1, self._grammar.n_frames())
        if strict:  # the cleaned version: word timing, and the best other command
            if not _plausible_timing(segments, speech_s):
                return verdict
            self._grammar.activate_search(f"without_{command}")
            other = _decode(self._grammar, audio)
            self._grammar.activate_search("commands")
            other_score = other.score if other is not None and other.hypstr else 1e-300
            word_margin = 1000.0 * (math.log(max(grammar.score, 1e-300)) - math.log(max(other_score, 1e-300))) / frames
            verdict["word_margin"] = round(word_margin, 2)
            if word_margin < MIN_WORD_MARGIN:
                return verdict
        phones = _decode(self._phones, audio)
        if phones is None:
            return None
        # hyp().score is a likelihood (the decoder's log score, exponentiated): per frame, in thousandths.
        margin = 1000.0 * (math.log(max(grammar.score, 1e-300)) - math.log(max(phones.score, 1e-300))) / frames
        heard = [x.word for x in self._phones.seg() if x.word in self._phone_set]
        distance = min(_edit_distance(heard, ref) / len(ref) for ref in self._references[command])
        limit = MAX_PHONE_DISTANCE if strict else MAX_LIGHT_PHONE_DISTANCE
        verdict.update(margin=round(margin, 2), phone_distance=round(distance, 2), phones=" ".join(heard),
                       accepted=margin >= MIN_SCORE_MARGIN and distance <= limit)
        return verdict


def _plausible_timing(segments: list[tuple[str, float]], speech_s: float) -> bool:
    """The grammar's alignment: "coach" and the command each long enough to be those words, no pause between.
    Talk squeezed into the grammar had a median "coach" of 0.19 s and a silence inside one time in seven."""
    words = [(w, d) for w, d in segments if w not in ("<s>", "</s>", "(NULL)")]  # (NULL): the grammar's own links
    spoken = [i for i, (w, _) in enumerate(words) if w != "<sil>" and not w.startswith("+")]
    if len(spoken) != 2:
        return False
    (_, coach), (_, command) = words[spoken[0]], words[spoken[1]]
    inner = sum(d for w, d in words[spoken[0] + 1:spoken[1]])
    return (coach >= MIN_WAKE_WORD_S and command >= MIN_COMMAND_WORD_S and inner <= MAX_INNER_PAUSE_S
            and coach + command >= MIN_WORD_COVERAGE * speech_s)


# Broad phone classes: the free-phone decode often hears a phone as its neighbour (IH for IY, D for T, N for M),
# so a swap within a class costs SAME_CLASS_COST instead of 1.
PHONE_CLASS = {p: cls for cls, phones in {"vowel": "AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW",
                                          "stop": "B D G K P T", "fricative": "CH DH F HH JH S SH TH V Z ZH",
                                          "nasal": "M N NG", "approximant": "L R W Y"}.items()
               for p in phones.split()}
SAME_CLASS_COST = 0.5


def _edit_distance(a: list[str], b: list[str]) -> float:
    """Phones inserted, dropped or swapped to turn `a` into `b`; a swap within a broad class counts half."""
    row = [float(j) for j in range(len(b) + 1)]
    for i, x in enumerate(a, 1):
        diagonal, row[0] = row[0], float(i)
        for j, y in enumerate(b, 1):
            swap = 0.0 if x == y else SAME_CLASS_COST if PHONE_CLASS.get(x, x) == PHONE_CLASS.get(y, y) else 1.0
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + swap)
    return row[-1]


def _pronunciations(decoder, word: str) -> list[list[str]]:
    """Every pronunciation the dictionary has for `word` (word, word(2), word(3)...)."""
    found, n = [], 1
    while (phones := decoder.lookup_word(word if n == 1 else f"{word}({n})")) is not None:
        found.append(phones.split())
        n += 1
    return found


def _decode(decoder, audio: bytes):
    decoder.start_utt()
    decoder.process_raw(audio, full_utt=True)
    decoder.end_utt()
    return decoder.hyp()


def read_wav_16k(path) -> np.ndarray:
    """A WAV file as 16 kHz mono int16 (converted if it is not); raises ValueError on anything unreadable."""
    import wave

    try:
        with wave.open(str(path), "rb") as w:
            rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
            raw = w.readframes(w.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise ValueError(f"{path}: not a readable WAV file ({exc})") from exc
    if width != 2:
        raise ValueError(f"{path}: only 16-bit WAV files are supported (this one has {8 * width}-bit samples)")
    x = np.frombuffer(raw, dtype="<i2").astype(np.float32)
    if channels > 1:
        x = x.reshape(-1, channels).mean(axis=1)
    if rate != RATE_HZ:
        t = np.arange(int(len(x) * RATE_HZ / rate)) / RATE_HZ
        x = np.interp(t, np.arange(len(x)) / rate, x)
    return np.clip(x, -32768, 32767).astype("<i2")


def commands_in(audio: np.ndarray, chunk_s: float = 0.1) -> list[Heard]:
    """Every command in a recording, fed in chunks as a microphone would deliver it."""
    rec = CommandRecognizer()
    step = int(chunk_s * RATE_HZ)
    heard = []
    for i in range(0, len(audio), step):
        heard.extend(rec.feed(audio[i:i + step]))
    return heard + rec.finish()
