"""The guided single-leg stance test in the real window: plan screen button → live test on a real clip with the
real engine → result card, saved in a real log file; the same numbers as `medius analyze` gives offline."""

from __future__ import annotations

import pytest

from app.pipeline.stance_analysis import analyze_trace
from engine.stance_synthetic import landmarks
from app.storage import Store
from app.storage.stance_log import stance_tests
from ui.stance_result import StanceResultCard, side_lines

from .conftest import RecordingSound, clip
from .helpers import make_window

pytestmark = [pytest.mark.gui, pytest.mark.clips]
SQUAT = "singleleg_squat_front_musclewiki_barba_1.mp4"  # both feet, then ~4 s on the left leg, both feet


def test_guided_test_on_a_clip_ends_on_the_result_card_with_the_offline_numbers(qtbot):
    path = clip(SQUAT)
    sound = RecordingSound()
    window = make_window(qtbot, path, sound=sound)
    window.plan_screen.stance_button.click()
    screen = window.stance_screen
    assert screen.tolerance.value() == 5.0  # the engine's default until a therapist sets one
    assert window.stack.currentWidget() is screen
    qtbot.waitUntil(lambda: screen.video.frames_painted > 0, timeout=30_000)
    qtbot.waitUntil(lambda: screen.result is not None, timeout=60_000)  # the clip ends: the test is finished
    assert screen.pages.currentWidget() is screen.card
    samples, last_t, fps = landmarks(SQUAT)  # the clip's frames through the offline engine (shared cache)
    offline = analyze_trace(samples, SQUAT, fps, last_t).result
    assert [b.to_json() for b in screen.result.bouts] == [b.to_json() for b in offline.bouts]
    left = screen.result.side_summary()["left"]
    assert left.verdict == "negative"
    assert screen.card.left.headline.text().startswith("Negative")
    assert "±" in screen.card.left.details.text()
    assert screen.card.right.headline.text() == "Not tested"
    # "Stand still" at the start; this clip lifts the foot before the guided baseline's 2.5 s, so the flow goes
    # straight to the hold (no "go"), and when the left hold ends the right side is asked for. (The spoken steps
    # of a whole guided test: tests/engine/test_stance_flow.py.)
    assert sound.said == ["stance_stand_still", "stance_on_right"]
    with Store() as store:
        (saved,) = stance_tests(store)
    assert saved.id == screen.saved_test_id and saved.side("left").max_pelvic_drop_deg == pytest.approx(
        left.max_pelvic_drop_deg)
    (done,) = [b for b in screen.card.findChildren(type(screen.stop_button)) if b.text() == "Done"]
    done.click()
    assert window.stack.currentWidget() is window.plan_screen


def test_result_card_says_what_the_camera_cannot_tell_and_shows_not_judged_reasons(qtbot):
    from app.stance.bouts import StanceResult
    from app.stance.verdict import NOT_JUDGED, BoutResult, StanceParams

    hidden = BoutResult("right", 1.0, 9.0, 8.0, None, None, None, NOT_JUDGED, "hips hidden for most of the hold",
                        ended_by="the free foot touched down")
    card = StanceResultCard()
    qtbot.addWidget(card)
    card.show_result(StanceResult(None, (0.0, 2.0), [hidden], StanceParams()))
    texts = " ".join(label.text() for label in card.findChildren(type(card.saved)))
    assert "±7°" in texts and "not a diagnosis" in texts
    assert card.right.headline.text() == "Not judged" and "Hips hidden" in card.right.details.text()
    assert side_lines(None)[0] == "Not tested"


def test_the_therapists_tolerance_is_kept_for_the_next_test(qtbot):
    from app.stance.settings import load_drop_tolerance_deg
    from ui.stance_screen import StanceScreen

    first = StanceScreen()
    qtbot.addWidget(first)
    first.tolerance.setValue(3.0)
    assert load_drop_tolerance_deg() == 3.0 and first.params.drop_tolerance_deg == 3.0
    again = StanceScreen()  # a later start of the app
    qtbot.addWidget(again)
    assert again.tolerance.value() == 3.0 and again.params.drop_tolerance_deg == 3.0


def test_finishing_mid_hold_keeps_the_hold_as_stopped(qtbot):
    window = make_window(qtbot, clip(SQUAT), sound=RecordingSound())
    window.plan_screen.stance_button.click()
    screen = window.stance_screen
    qtbot.waitUntil(lambda: screen.flow.step == "holding", timeout=60_000)
    screen.stop_button.click()
    assert screen.result is not None and screen.pages.currentWidget() is screen.card
    (bout,) = screen.result.bouts
    assert bout.stance_leg == "left" and bout.ended_by == "the test was stopped" and bout.duration_s > 0
    assert screen.result.baseline_span_s is not None
    assert "the test was stopped" in screen.card.left.details.text()
