"""Glue between the pure session model (app.session.plan), the vision pipeline and the screens.

Hands-free (Settings.auto_start): while the instruction card or a rest is up, the pipeline runs an "arming"
tracker (auto side) for the set to come; app.handsfree.start_gate watches its status and detected side, and when the user
is settled in position on the right side it starts the set with a spoken and visible "3, 2, 1, go" (the set's
own tracker learns the starting posture during the countdown; reps before "go" are not counted). Keys, buttons,
voice commands and the raised-hand gesture all end up in the same few methods (start_set, toggle_pause, next,
redo, end_session).

Every event of a session — tracker events from the vision thread and the session's own lifecycle events — goes
through `SessionController._on_event`, on the GUI thread. That is where the session log attaches:

    controller.event_listeners.append(recorder_listener(recorder))   # see ui/recorder_hook.py
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.engine.events import FormWarning, RepCompleted, Status, StatusChanged
from app.handsfree.gestures import HandRaiseDetector
from app.pipeline.live import LiveSnapshot, PipelineError, PipelineEvent, SourceEnded
from app.session.plan import (
    Phase, SessionEnded, SessionPlan, SessionRun, SessionStarted, SetEnded, SetStarted,
)
from app.settings import Settings
from app.handsfree.spoken_phrases import count_key
from app.handsfree.start_gate import StartGate
from ui import engine
from ui.cue_policy import CuePolicy
from ui.exercise_texts import exercise_text
from ui.sound import SoundCues

log = logging.getLogger(__name__)

TICK_MS = 100  # rest countdown and cue expiry: text a person reads changes slowly, 10 Hz is plenty

INSTRUCTION_MIN_S = 4.0  # a hands-free start never comes before the card was up this long (its title is read)
REARM_S = 3.0  # waiting for the other side: a fresh arming tracker this often (its side votes start anew)
STOP_CONFIRM_S = 6.0  # "coach stop" ends the session only when said again within this time
PAUSED_PROMPT = "Paused — press Space to continue"
PAUSED_PROMPT_HANDS_FREE = "Paused — Space, a raised hand or \u201ccoach resume\u201d to continue"

STATUS_PROMPTS = {
    Status.NO_PERSON: "Get into frame",
    Status.PARTIAL: "Move so your whole body is in the picture",
    Status.WRONG_VIEW: "Turn your side to the camera",
}


class SessionController(QObject):
    phase_changed = Signal(str)  # Phase value, after the screens were updated

    def __init__(self, window, settings: Settings, source: str | int | None = None, *, loop: bool = False,
                 pace: float | None = 1.0, clock: Callable[[], float] = time.monotonic,
                 analyzer_factory=engine.analyzer_factory, worker_context=engine.worker_context,
                 sound: SoundCues | None = None, voice_microphone: bool = True) -> None:
        super().__init__(window)
        from ui.pipeline_bridge import PipelineBridge

        self.window = window  # MainWindow: owns the screens
        self.settings = settings
        self.source = source
        self.loop = loop
        self.pace = pace
        self._clock = clock
        self._analyzer_factory = analyzer_factory
        self._worker_context = worker_context
        self.sound = sound if sound is not None else SoundCues(enabled=settings.sound, parent=self)
        self.cues = CuePolicy()
        self.bridge = PipelineBridge(self._on_output, self)
        self.bridge.snapshot_arrived.connect(self._on_snapshot_arrived)
        self.event_listeners: list[Callable[[object], None]] = []
        self.run: SessionRun | None = None
        self.generation = -1  # outputs of other generations belong to an earlier set and are ignored
        self.latencies_s: list[float] = []  # capture → GUI thread, per rep/warning (for the benchmark)
        self.frame_latencies_s: list[float] = []  # capture → GUI thread, per drawn snapshot (newest-wins slot)
        self.source_message = ""
        self._tempo_phase = ("rest", 0.0)
        self._peak_fraction = 0.0
        self._status = Status.SETTLING
        self._paused_at_mono_s = 0.0
        # Hands-free state (see the module docstring).
        self._gate: StartGate | None = None
        self._arming_step = None  # the SetStep the arming tracker runs for
        self._arming_generation: int | None = None
        self._armed_at_s = 0.0
        self._counting = True  # False in a live set until "go"
        self._await_position = False  # the next live set waits for the user (entered by a timer or the voice)
        self._card_shown_s = 0.0
        self.gestures = HandRaiseDetector()
        self.voice = None  # ui.voice_input.VoiceListener while a session listens
        self._stop_asked_s: float | None = None  # when "coach stop" was last heard without its confirmation
        self._voice_microphone = voice_microphone  # False: tests feed recorded speech to voice.feed_pcm
        self.voice_latencies_s: list[float] = []  # recognised → acted on, per voice command (benchmark)
        self.commands: list[tuple[float, str]] = []  # (clock, what) of hands-free actions, for tests/benchmarks
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)

    # -- the one entry point for session events ----------------------------------------------------------------
    def _on_event(self, event: object) -> None:
        """Everything that happens in a session passes here once, on the GUI thread, in order."""
        if isinstance(event, PipelineEvent):
            if event.generation != self.generation or self.run is None or self.run.phase is not Phase.LIVE:
                return  # a straggler from the previous set, or the tracker running between sets
            if not self._counting:
                return  # the countdown: the set's tracker is learning the starting posture
            # A rep finished in a frame captured before Space was pressed still counts (it was in flight).
            before_pause = self.run.paused and event.captured_mono_s < self._paused_at_mono_s
            if self.run.paused and not before_pause:
                return
            inner = event.event
            if isinstance(inner, RepCompleted) and self.run.current_result.reps >= self.run.current.target_reps:
                # The set reached its target and is ending (deferred, see _on_rep): a rep already in flight is
                # neither counted nor logged. On a loaded machine a stand-in's reps 60 ms apart logged 4 of 3.
                return
            if isinstance(inner, RepCompleted):
                self._on_rep(inner, before_pause)
            elif isinstance(inner, FormWarning):
                self._on_warning(inner, before_pause)
            elif isinstance(inner, StatusChanged):
                self._on_status(inner.status, inner.message)
            event = inner
        elif isinstance(event, SourceEnded):
            self._on_source_ended()
        elif isinstance(event, PipelineError):
            self._on_source_error(event)
        for listener in self.event_listeners:
            try:
                listener(event)
            except Exception:  # noqa: BLE001 - a broken log must not end the workout; it is reported
                log.exception("session event listener failed")
                self.window.show_banner("The session log could not be written; see the log file.")

    def _on_output(self, output, received_mono_s: float) -> None:
        if isinstance(output, PipelineEvent) and isinstance(output.event, (RepCompleted, FormWarning)):
            self.latencies_s.append(received_mono_s - output.captured_mono_s)
        self._on_event(output)

    # -- user actions (buttons and shortcuts) --------------------------------------------------------------------
    def start_session(self, plan: SessionPlan) -> None:
        self.stop_pipeline()
        self.run = SessionRun(plan)
        self._timer.start()
        self._listen(self.settings.voice_control)
        self._on_event(SessionStarted(plan, self._source_description()))
        self._show_phase()

    def start_set(self) -> None:
        if self.run is not None and self.run.phase is Phase.INSTRUCTION:
            self.run.start_set(self._clock())
            self._show_phase()

    def toggle_pause(self) -> None:
        run = self.run
        if run is None:
            return
        if run.phase is Phase.INSTRUCTION:
            self.start_set()
            return
        if run.phase not in (Phase.LIVE, Phase.REST):
            return
        if run.phase is Phase.LIVE and not self._counting:
            self._go()  # waiting for the position or counting down: Space starts the set now
            return
        run.toggle_pause(self._clock())
        self.sound.say("paused" if run.paused else "resumed")  # heard by someone who cannot see the screen
        if run.paused:
            self._paused_at_mono_s = time.monotonic()  # same clock as the frames' capture stamps
        if run.phase is Phase.LIVE:
            if run.paused:
                # With the gesture on, the pose must go on being read: it is how a raised hand resumes.
                self._pipeline_paused(not self.settings.gesture_control)
                self.window.live.video.set_overlay(prompt=PAUSED_PROMPT_HANDS_FREE if self._hands_free_input()
                                                   else PAUSED_PROMPT)
            else:
                self.window.live.video.set_overlay(prompt="")
                if not self.bridge.running:  # the camera was lost: open it again, same set, count kept
                    self._begin_live_set(announce=False)
                else:
                    self._pipeline_paused(False)
        self._refresh_rest()

    def next(self) -> None:
        run = self.run
        if run is None or run.phase is Phase.SUMMARY:
            return
        was_live = run.phase is Phase.LIVE
        result = run.current_result
        run.skip(self._clock())
        if was_live:
            self._on_event(SetEnded(result))
        self._show_phase()

    def redo(self) -> None:
        run = self.run
        if run is None or run.phase not in (Phase.LIVE, Phase.REST):
            return
        if run.phase is Phase.LIVE:
            run.current_result.note = "redone"
            self._on_event(SetEnded(run.current_result))
        run.redo(self._clock())
        self._show_phase()

    def end_session(self) -> None:
        run = self.run
        if run is None or run.phase is Phase.SUMMARY:
            return
        was_live, result = run.phase is Phase.LIVE, run.current_result
        run.end_early(self._clock())
        if was_live:
            self._on_event(SetEnded(result))
        self._show_phase()

    def wrap_analyzers(self, wrap) -> None:
        """Every analyzer the sets (and the hands-free start) use from now on is `wrap(analyzer)`: the seam where
        frames meet the engine, for ui.set_recording_hook."""
        original = self._analyzer_factory

        def factory(exercise, side, settings, **programme):  # a programme's limits / hold target, when set
            make = original(exercise, side, settings, **programme)
            return lambda *args, **kwargs: wrap(make(*args, **kwargs))

        self._analyzer_factory = factory

    def voice_command(self, command: str, heard_mono_s: float | None = None) -> None:
        """"coach pause / resume / next / repeat / stop", from ui.voice_input (on the GUI thread)."""
        run = self.run
        if run is None or run.phase is Phase.SUMMARY:
            return
        if heard_mono_s is not None:
            self.voice_latencies_s.append(time.monotonic() - heard_mono_s)
        self.commands.append((self._clock(), f"voice:{command}"))
        if command == "pause" and not run.paused and run.phase in (Phase.LIVE, Phase.REST) and self._counting:
            self.toggle_pause()
        elif command == "resume" and run.paused:
            self.toggle_pause()
        elif command == "resume" and run.phase is Phase.INSTRUCTION:
            self.start_set()
        elif command == "next":
            self._await_position = self.settings.auto_start and run.phase is not Phase.LIVE
            self.next()
        elif command == "repeat" and run.phase in (Phase.LIVE, Phase.REST):
            self._await_position = self.settings.auto_start
            self.redo()
        elif command == "stop":
            # Ending the session is the one command that cannot be undone, and the recogniser does mishear
            # talk now and then (one false "stop" in 15 minutes of talk and TV in tools/voice_benchmark.py):
            # it must be said twice.
            now = self._clock()
            if self._stop_asked_s is not None and now - self._stop_asked_s <= STOP_CONFIRM_S:
                self._stop_asked_s = None
                self.end_session()
            else:
                self._stop_asked_s = now
                self.window.show_banner('Say "coach stop" again to end the session', int(STOP_CONFIRM_S * 1000))

    def _listen(self, on: bool) -> None:
        """Voice commands on or off; a machine without a microphone gets one notice, then silence."""
        if not on:
            if self.voice is not None:
                self.voice.stop()
            return
        if self.voice is None:
            from ui.voice_input import VoiceListener

            self.voice = VoiceListener(self)
            self.voice.command_heard.connect(self.voice_command)
        notice = self.voice.start(with_microphone=self._voice_microphone)
        if notice:
            log.info("%s", notice)
            if not getattr(self, "_voice_notice_shown", False):
                self._voice_notice_shown = True
                self.window.show_banner(notice, 6000)

    def toggle_mute(self) -> bool:
        self.sound.set_muted(not self.sound.muted)
        self.window.show_banner("Sound off" if self.sound.muted else f"Sound on ({self.sound.mode})", 1500)
        return self.sound.muted

    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        self.window.live.video.mirror = settings.mirror
        self.sound.set_muted(not settings.sound)
        if self.run is not None and self.run.phase is not Phase.SUMMARY:
            self._listen(settings.voice_control)

    def shutdown(self) -> None:
        """Window closing: end the session for the log (what was done is kept), stop the timer, join threads."""
        if self.run is not None and self.run.phase is not Phase.SUMMARY:
            self.end_session()
        self._timer.stop()
        self._listen(False)
        self.bridge.shutdown()

    def stop_pipeline(self) -> None:
        self.bridge.stop()

    # -- phases --------------------------------------------------------------------------------------------------
    def _show_phase(self) -> None:
        run = self.run
        w = self.window
        self.cues.clear()
        w.live.video.set_overlay(prompt="", cue="")
        await_position, self._await_position = self._await_position, False
        if run.phase is Phase.INSTRUCTION:
            if run.index > 0:
                self.sound.say("set_done")  # the last set of the exercise before
            self._pipeline_paused(True)
            w.instruction.show_step(run.current)
            w.instruction.show_therapist_note(run.plan.blocks[run.current.block_index].note)
            w.instruction.show_preview(not engine.is_file_source(self.source), self.settings.mirror)
            w.show_screen(w.instruction)
            self._card_shown_s = self._clock()
            if self.settings.auto_start:
                self._arm(run.current)
                want = self._gate.want_side
                w.instruction.set_hands_free(True, side_prompt(run.current.exercise, want) if want else "")
            else:
                w.instruction.set_hands_free(False)
                self._prepare_pipeline()
        elif run.phase is Phase.LIVE:
            w.live.show_step(run.current, run.current_result.reps)
            w.show_screen(w.live)
            if await_position and self.settings.auto_start:
                self._begin_waiting()
            else:
                self._gate = None
                self._counting = True
                self._begin_live_set()
        elif run.phase is Phase.REST:
            self._counting = True
            self._gate = None
            side_change = run.side_changes_next()
            w.rest.show_rest(run.current_result, run.next_step, side_change)
            self._refresh_rest()
            w.show_screen(w.rest)
            self.sound.say("set_done")
            self.sound.say("turn_over" if side_change else "rest")
            if self.settings.auto_start or self.settings.gesture_control:
                self._arm(run.next_step)  # poses for the gesture; the next set's start position
            else:
                self._pipeline_paused(True)
        elif run.phase is Phase.SUMMARY:
            self._gate = None
            self.sound.say("session_done")
            self._listen(False)
            self.stop_pipeline()
            self._timer.stop()
            w.summary.show_run(run)
            w.show_screen(w.summary)
            self._on_event(SessionEnded(run.ended_early))
        self.phase_changed.emit(run.phase.value)

    # -- hands-free start --------------------------------------------------------------------------------------
    def _arm(self, step) -> None:
        """Run an auto-side tracker for `step` (nothing it sees is counted) and a fresh start gate for it."""
        if step is None:
            return
        want = step.side if self.settings.wait_for_side and step.side != "auto" else None
        self._gate = StartGate(want_side=want)
        self._arming_step = step
        self._armed_at_s = self._clock()
        factory = self._factory_for(step, "auto")
        if self.bridge.running:
            self._arming_generation = self.bridge.pipeline.reconfigure(factory)
            self._pipeline_paused(False)
        else:
            self._arming_generation = self.bridge.start(
                engine.source_factory(self.source, self.settings), factory,
                pace=self.pace if engine.is_file_source(self.source) else 1.0, loop=self.loop,
                worker_context=self._worker_context)

    def _begin_waiting(self) -> None:
        """A live set that starts when the user is in position: announced now, counted from "go"."""
        run = self.run
        self._counting = False
        fresh = self._gate is None or self._arming_step is not run.current or not self.bridge.running
        if fresh or (run.index > 0 and run.steps[run.index - 1].side != run.current.side and not self._gate.started):
            self._arm(run.current)  # after a side change: votes from before the turn must not count
        self._on_event(SetStarted(run.current, self._source_description()))
        if self._gate.started:
            self._begin_live_set(announce=False)  # the countdown began on the card: the set's tracker settles
        self._show_wait_prompt()

    def _feed_gate(self, live: LiveSnapshot) -> None:
        gate, snap = self._gate, live.snapshot
        if gate is None or snap is None:
            return
        ours = self.generation if gate.started else self._arming_generation
        if live.generation != ours:
            return
        was_started = gate.started
        words = gate.update(self._clock(), snap.status, snap.side)
        if not gate.started and gate.want_side and snap.side and snap.side != gate.want_side \
                and self._clock() - self._armed_at_s >= REARM_S:
            self._arm(self._arming_step)  # still the other side: count the votes again from now
            return
        if gate.started and not was_started and self.run.phase is Phase.LIVE:
            self._begin_live_set(announce=False)  # the set's own tracker learns the posture during the countdown
        for word in words:
            log.info("hands-free start: %s (status %s, side %s)", word, snap.status.value, snap.side)
            self._announce_beat(word)

    def _announce_beat(self, word: str) -> None:
        if word == "go":
            self.sound.say("go")
            self._go()
        elif word == "wait":
            self.sound.say("get_ready")
            self._arm(self.run.current)
            self._show_wait_prompt()
        else:
            self.sound.say(count_key(int(word)))
            self.window.live.video.set_overlay(prompt=word)

    def _go(self) -> None:
        """Count from now (the countdown ended, or Space was pressed while waiting)."""
        if self._gate is None or not self._gate.started:
            self._begin_live_set(announce=False)  # skipped the wait: a fresh tracker for the set
        self._gate = None
        self._counting = True
        self.commands.append((self._clock(), "go"))
        self.window.live.video.set_overlay(prompt="Go!")
        QTimer.singleShot(1000, self._clear_go_prompt)

    def _clear_go_prompt(self) -> None:
        if self.window.live.video.prompt == "Go!":
            self.window.live.video.set_overlay(prompt="")

    def _show_wait_prompt(self) -> None:
        gate = self._gate
        if gate is None or gate.started:
            return
        text = "Get into the starting position and hold still"
        if gate.want_side:
            text = side_prompt(self.run.current.exercise, gate.want_side)
        self.window.live.video.set_overlay(prompt=text + "\n(or press Space to start now)")

    def _hands_free_input(self) -> bool:
        return self.settings.gesture_control or self.settings.voice_control

    def _auto_start_from_card(self) -> None:
        run = self.run
        if run is not None and run.phase is Phase.INSTRUCTION:
            run.start_set(self._clock())
            self._await_position = True
            self._show_phase()

    def _prepare_pipeline(self) -> None:
        """Open the source and load the pose model while the user reads the card (paused: nothing is counted).

        Loading the model holds the GIL for a moment; here it happens on a static screen instead of at the start
        of the set, and a camera shows a live preview for placing it."""
        if self.bridge.running:
            return
        step = self.run.current
        self.generation = self.bridge.start(
            engine.source_factory(self.source, self.settings),
            self._factory_for(step, step.side),
            pace=self.pace if engine.is_file_source(self.source) else 1.0, loop=self.loop,
            worker_context=self._worker_context, paused=True)

    def _begin_live_set(self, announce: bool = True) -> None:
        """A fresh tracker for this set; open the source if it is not running (first set, after a loss).
        `announce=False` when the same set goes on after the camera came back (the log keeps one set)."""
        step = self.run.current
        factory = self._factory_for(step, step.side)
        self._peak_fraction = 0.0
        self._tempo_phase = ("rest", 0.0)
        self._status = Status.SETTLING
        self.source_message = ""
        if self.bridge.running:
            self.generation = self.bridge.pipeline.reconfigure(factory)
            self._pipeline_paused(False)
        else:
            self.window.live.video.clear("Starting the camera…" if not engine.is_file_source(self.source)
                                         else "Opening the video…")
            self.generation = self.bridge.start(engine.source_factory(self.source, self.settings), factory,
                                                pace=self.pace if engine.is_file_source(self.source) else 1.0,
                                                loop=self.loop, worker_context=self._worker_context)
        if announce:
            self._on_event(SetStarted(step, self._source_description()))

    def _finish_live_set(self, note: str = "") -> None:
        run = self.run
        result = run.current_result
        run.finish_set(self._clock(), note)
        self._on_event(SetEnded(result))
        self._show_phase()

    def _factory_for(self, step, side: str):
        """The analyzer factory for a set; a programme's own limits for this exercise (ExerciseBlock.limits) and
        a hold's target (ExerciseBlock.hold_s) go with it, so they apply to this session's analysis only (the
        limits over the Settings thresholds). Passed only when set: plain plans keep the 3-argument call."""
        block = self.run.plan.blocks[step.block_index] if self.run is not None else None
        extra = {}
        if block is not None and block.limits:
            extra["limits"] = block.limits
        if block is not None and block.hold_s is not None:
            extra["hold_s"] = block.hold_s
        return self._analyzer_factory(step.exercise, side, self.settings, **extra)

    def _pipeline_paused(self, paused: bool) -> None:
        if self.bridge.pipeline is not None:
            self.bridge.pipeline.set_paused(paused)

    # -- tracker events ------------------------------------------------------------------------------------------
    def _on_rep(self, rep: RepCompleted, before_pause: bool = False) -> None:
        run = self.run
        reached = run.record_rep(before_pause)
        reps = run.current_result.reps
        self.window.live.set_count(reps, run.current.target_reps)
        self.sound.rep(reps)
        # Told once per set and silently: not judged is not a warning, so no cue and no sound.
        for code, reason in run.record_unjudged(rep.unjudged, before_pause):
            self.window.live.add_unjudged(rep.t_end_s, code, reason)
        self._peak_fraction = 0.0
        if reached:
            # Deferred: listeners must see this rep before the SetEnded that it causes.
            QTimer.singleShot(0, self._finish_if_target_reached)

    def _finish_if_target_reached(self) -> None:
        run = self.run
        if run is not None and run.phase is Phase.LIVE and run.current_result.reps >= run.current.target_reps:
            self._finish_live_set()

    def _on_warning(self, warning: FormWarning, before_pause: bool = False) -> None:
        self.run.record_fault(warning.t_s, warning.code, before_pause)
        self.window.live.add_fault(warning.t_s, warning.message, warning.value, warning.code)
        if self.cues.offer(warning.code, warning.message, self._clock()):
            self.sound.warning(warning.code)
            self._refresh_cue()

    def _on_status(self, status: Status, message: str = "") -> None:
        self._status = status
        prompt = STATUS_PROMPTS.get(status, "")
        if prompt and message and status is not Status.NO_PERSON:
            prompt = message  # the tracker knows best what is missing
        self.window.live.video.set_overlay(prompt=prompt)
        self.window.live.status_label.setText("Getting your starting position…" if status is Status.SETTLING else "")

    def _on_source_ended(self) -> None:
        self.bridge.stop()
        if self.run is not None and self.run.phase is Phase.LIVE:
            self.window.show_banner("The video ended. The set so far is kept.", 5000)
            self._finish_live_set("video ended")

    def _on_source_error(self, error: PipelineError) -> None:
        self.bridge.stop()
        self.source_message = error.message
        log.warning("pipeline stopped (%s): %s", error.where, error.message)
        run = self.run
        if run is not None and run.phase is Phase.LIVE:
            # Keep the set so far; the user fixes the camera and presses Space to go on (or Esc to finish).
            run.pause(self._clock())
            self._paused_at_mono_s = time.monotonic()
            self.window.live.video.set_overlay(prompt=f"{error.message}\nSpace: try again · Esc: end session")
        else:
            self.window.show_banner(error.message, 8000)

    # -- drawing -------------------------------------------------------------------------------------------------
    def _on_snapshot_arrived(self, live: LiveSnapshot) -> None:
        run = self.run
        if run is None:
            return
        # The gesture pauses and resumes a set or a rest; while a set waits for the start position it means nothing.
        if live.snapshot is not None and run.phase in (Phase.LIVE, Phase.REST) and self.settings.gesture_control \
                and self._counting:
            snap = live.snapshot
            if self.gestures.update(self._clock(), snap.xy_px, snap.visibility):
                self.commands.append((self._clock(), "gesture"))
                self.toggle_pause()
        if run.phase is Phase.INSTRUCTION:
            if self.window.instruction.preview.isVisible():
                self.window.instruction.preview.set_frame(live.frame.bgr)  # camera placement: framing check
            if self._gate is not None and self._clock() - self._card_shown_s >= INSTRUCTION_MIN_S:
                self._feed_gate(live)
                if self._gate is not None and self._gate.started:
                    self._auto_start_from_card()
            return
        if run.phase is not Phase.LIVE:
            return
        if not self._counting:
            self._feed_gate(live)
        view = self.window.live
        snap = live.snapshot
        if len(self.frame_latencies_s) < 100_000:
            self.frame_latencies_s.append(time.monotonic() - live.captured_mono_s)
        if snap is not None and not self._counting and live.generation == self._arming_generation:
            # Waiting for the position: show the skeleton the arming tracker sees, so the user knows they are seen.
            view.video.set_frame(live.frame.bgr, snap.xy_px, snap.visibility, snap.side, False)
            return
        if snap is None or live.generation != self.generation:
            view.video.set_frame(live.frame.bgr)
            return
        view.video.set_frame(live.frame.bgr, snap.xy_px, snap.visibility, snap.side, bool(snap.active_faults))
        if snap.status is not self._status and self._counting:
            self._on_status(snap.status)
        if run.current.side == "auto" and snap.side:
            view.side_label.setText(f"{snap.side.capitalize()} leg")  # detected by the tracker
        frac = snap.rom_fraction
        self._peak_fraction = max(self._peak_fraction, frac) if snap.phase != "rest" else self._peak_fraction
        view.rom.set_fraction(frac, self._peak_fraction)
        view.set_hold(snap.hold_s, snap.hold_target_s)  # a timed hold's clock (None for counted reps)
        phase, since_s = self._tempo_phase
        if snap.phase != phase:
            self._tempo_phase = (snap.phase, snap.t_s)
            if snap.phase == "rising":
                self._peak_fraction = 0.0
            phase, since_s = self._tempo_phase
        tempo = exercise_text(run.current.exercise).tempo
        target_s = {"rising": tempo.up_s, "top": tempo.hold_s, "lowering": tempo.down_s}.get(phase, 0.0)
        view.tempo.set_state(phase, snap.t_s - since_s, target_s)
        view.set_metrics(snap.metrics, live.frames_processed, live.frames_dropped)

    def _on_tick(self) -> None:
        run = self.run
        if run is None:
            return
        now = self._clock()
        if run.phase is Phase.REST:
            if run.tick(now):
                self._await_position = True  # nobody pressed anything: the next set starts when the user is ready
                self._show_phase()
            else:
                self._refresh_rest()
        elif run.phase is Phase.LIVE:
            self._refresh_cue()

    def _refresh_cue(self) -> None:
        shown = self.cues.update(self._clock())
        text = shown[1] if shown else ""
        if text != self.window.live.video.cue:
            self.window.live.video.set_overlay(cue=text)

    def _refresh_rest(self) -> None:
        run = self.run
        if run is not None and run.phase is Phase.REST:
            self.window.rest.set_remaining(run.rest_left_s(self._clock()), run.paused)

    def _source_description(self) -> str:
        if engine.is_file_source(self.source):
            import pathlib

            return f"file:{pathlib.Path(self.source).name}"
        index = self.settings.camera_index if self.source in (None, "") else self.source
        return f"camera:{index}"


def side_prompt(exercise, side: str) -> str:
    """What to do to be seen on `side` (the working leg): the top leg when lying, the stance leg on the step."""
    from app.engine.events import Exercise

    if Exercise(exercise) is Exercise.STEP_DOWN:
        return f"Stand on your {side} leg on the step"
    other = "left" if side == "right" else "right"
    return f"Turn over: lie on your {other} side, {side} leg on top"
