"""Connects the session's event stream to app.storage's SessionRecorder (one listener, no Qt needed).

    controller.event_listeners.append(recorder_listener(SessionRecorder()))
"""

from __future__ import annotations

from typing import Callable

from app.engine.events import FormWarning, RepCompleted
from app.session.plan import SessionEnded, SessionStarted, SetEnded, SetStarted


def recorder_listener(recorder) -> Callable[[object], None]:
    def on_event(event: object) -> None:
        if isinstance(event, RepCompleted):
            recorder.record_rep(event)
        elif isinstance(event, FormWarning):
            recorder.record_warning(event)
        elif isinstance(event, SetStarted):
            recorder.start_set(event.step.exercise.value, side=event.step.side,
                               target_reps=event.step.target_reps, source=event.source)
        elif isinstance(event, SetEnded):
            recorder.finish_set(achieved_reps=event.result.reps)
        elif isinstance(event, SessionStarted):
            recorder.start_session(plan_name=event.plan.name, source=event.source, programme=event.plan.programme)
        elif isinstance(event, SessionEnded):
            recorder.finish_session(notes="ended early" if event.ended_early else None)

    return on_event
