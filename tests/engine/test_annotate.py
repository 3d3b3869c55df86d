"""`medius analyze --annotate`: the annotated video has every frame of the source, and the counter burned into
it changes exactly at the frames where the analysis reported each rep (checked on the decoded output's pixels
against the counter drawn for the right count and for the count one off). Real MediaPipe on a short real clip."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.events import RepCompleted
from medius_testdata import LABELS_PATH, SKIP_NO_CLIPS, VIDEOS_DIR

CLIP = "rendered_clamshell_banded_frontoblique_dosipov_1.mp4"
EXERCISE = "clamshell"


@pytest.fixture(scope="module")
def analysed():
    if not LABELS_PATH.is_file():
        pytest.skip(SKIP_NO_CLIPS)
    from app.pipeline.replay_analysis import analyze_for_replay

    emitted: dict[int, int] = {}  # rep index -> the frame whose step reported it

    def on_step(frame, step):
        for event in step.events:
            if isinstance(event, RepCompleted):
                emitted[event.index] = frame.index

    replay = analyze_for_replay(VIDEOS_DIR / CLIP, EXERCISE, on_step=on_step)
    assert len(replay.result.reps) >= 2, "the clip should give a few reps to check"
    return replay, emitted


def _frames(path):
    from app.adapters.frame_source import VideoFileSource

    source = VideoFileSource(path)
    try:
        while (frame := source.read()) is not None:
            yield frame
    finally:
        source.close()


def _counter_error(out_bgr, source_bgr, reps) -> float:
    """Mean absolute difference in the counter's box between the output frame and the source frame with the
    counter for `reps` drawn on it."""
    from app.pipeline.annotate import counter_box, draw_counter

    expected = source_bgr.copy()
    draw_counter(expected, reps)
    x0, y0, x1, y1 = counter_box((source_bgr.shape[1], source_bgr.shape[0]))
    return float(np.abs(out_bgr[y0:y1, x0:x1].astype(int) - expected[y0:y1, x0:x1].astype(int)).mean())


def test_annotated_video_has_every_frame_and_the_counter_of_the_analysis(analysed, tmp_path):
    from app.pipeline.annotate import export_annotated

    replay, emitted = analysed
    out, written = export_annotated(replay.model, tmp_path / "annotated.mp4")
    source = list(_frames(VIDEOS_DIR / CLIP))
    decoded = [f.bgr for f in _frames(out)]
    assert written == len(source) == len(decoded)
    assert [r.index for r in replay.result.reps] == sorted(emitted)
    checked = 0
    for rep, at in emitted.items():
        for frame, count in ((at - 1, rep - 1), (at, rep)):  # the frame before the rep, and the frame of it
            right = _counter_error(decoded[frame], source[frame].bgr, count)
            wrong = min(_counter_error(decoded[frame], source[frame].bgr, c) for c in (count - 1, count + 1) if c >= 0)
            assert right < wrong / 2, f"frame {frame}: counter does not show {count} (err {right:.1f} vs {wrong:.1f})"
            checked += 1
    assert checked == 2 * len(emitted)


def test_one_rep_clip_covers_that_rep(analysed, tmp_path):
    from app.pipeline.annotate import REP_PAD_S, export_annotated, frame_range

    replay, emitted = analysed
    rep = replay.result.reps[-1]
    first, last = frame_range(replay.model, rep.index)
    out, written = export_annotated(replay.model, tmp_path / "rep.mp4", rep=rep.index)
    clip = [f.bgr for f in _frames(out)]
    assert written == len(clip) == last - first + 1
    fps = replay.model.fps
    assert first <= round(rep.t_start_s * fps) and last >= emitted[rep.index]  # the whole rep, up to its count
    assert (last - first + 1) / fps <= rep.duration_s + 2 * REP_PAD_S + (emitted[rep.index] / fps - rep.t_end_s) + 0.2
    source = list(_frames(VIDEOS_DIR / CLIP))
    assert _counter_error(clip[-1], source[last].bgr, rep.index) < 8  # ends with this rep counted


def test_bad_requests_fail_in_one_line_before_writing(analysed, tmp_path):
    from app.pipeline.annotate import export_annotated
    from app.errors import InputError

    replay, _ = analysed
    with pytest.raises(InputError, match="no rep 99"):
        export_annotated(replay.model, tmp_path / "x.mp4", rep=99)
    with pytest.raises(InputError, match="ending in .mp4"):
        export_annotated(replay.model, tmp_path / "x.avi")
    with pytest.raises(InputError, match="does not exist"):
        export_annotated(replay.model, tmp_path / "missing" / "x.mp4")
    assert list(tmp_path.iterdir()) == []


def test_cli_checks_annotate_arguments_before_analysing(tmp_path, capsys):
    from app.cli import main as cli
    video = VIDEOS_DIR / CLIP
    if not video.is_file():
        pytest.skip(SKIP_NO_CLIPS)
    assert cli.main(["analyze", str(video), "--exercise", EXERCISE, "--annotate-rep", "1"]) == 2
    assert "--annotate-rep needs --annotate" in capsys.readouterr().err
    assert cli.main(["analyze", str(video), "--exercise", EXERCISE, "--annotate", str(tmp_path / "a.mov")]) == 2
    assert "ending in .mp4" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
