"""A session produced by the real engine on a labelled clip is stored and read back exactly (both paths: the
offline `log_analysis` and the live `SessionRecorder`)."""

import os
import pathlib
import sys

import pytest

from app.engine.events import FormWarning, RepCompleted
from app.storage import SessionRecorder, Store, log_analysis

ROOT = pathlib.Path(__file__).resolve().parents[2]
VIDEOS = pathlib.Path(os.environ.get("MEDIUS_VIDEOS_DIR", ROOT.parent / "shared" / "videos"))
CLIP = "rendered_clamshell_banded_frontoblique_dosipov_1.mp4"

pytestmark = pytest.mark.clips


@pytest.fixture(scope="module")
def clip():
    if not (VIDEOS / "labels.json").is_file():
        pytest.skip(f"labelled clips not found at {VIDEOS} (set MEDIUS_VIDEOS_DIR or put shared/ beside the repo)")
    pytest.importorskip("app.pipeline.analysis", reason="the engine (app.pipeline.analysis) is not in this tree yet")
    sys.path.insert(0, str(ROOT / "tools"))
    import make_history_db

    (result,) = make_history_db.analyse_clips(VIDEOS, ROOT / "out" / "engine_cache", only=(CLIP,))
    assert result.reps, "the engine found no reps in the clip; nothing to round-trip"
    return result


def test_analysed_clip_round_trips_exactly(tmp_path, clip):
    path = tmp_path / "h.db"
    sid = log_analysis(clip.result, path, ended_utc_s=1_795_000_000.0)
    with Store(path) as store:
        s = store.get_session(sid)
    (st,) = s.sets
    assert st.exercise == "clamshell" and st.side == clip.side
    assert st.reps == clip.reps  # every RepCompleted field, bit for bit, faults in order
    assert all(isinstance(r, RepCompleted) for r in st.reps)
    assert st.warnings == clip.warnings and all(isinstance(w, FormWarning) for w in st.warnings)
    assert st.achieved_reps == len(clip.reps)
    assert st.source == s.source == f"file:{CLIP}"
    assert s.ended_utc_s == 1_795_000_000.0 and s.started_utc_s == pytest.approx(1_795_000_000.0 - clip.duration_s)
    assert "pose found in" in s.notes


def test_live_recorder_path_stores_the_same_events(tmp_path, clip):
    """Replay the engine's events in time order through the recorder, as the GUI does during a set."""
    path = tmp_path / "h.db"
    rec = SessionRecorder(path)
    rec.start_session("Clamshell plan", f"file:{CLIP}")
    rec.start_set("clamshell", "auto", 10, f"file:{CLIP}")
    events = sorted([(r.t_end_s, 1, r) for r in clip.reps] + [(w.t_s, 0, w) for w in clip.warnings],
                    key=lambda e: (e[0], e[1]))
    for _t, kind, ev in events:
        (rec.record_rep if kind else rec.record_warning)(ev)
    rec.finish_set()
    assert rec.close() and rec.last_error is None
    with Store(path) as store:
        (st,) = store.get_session(rec.last_session_id).sets
    assert st.reps == clip.reps and st.side == clip.side  # "auto" resolved from the first rep
    assert sorted(st.warnings, key=lambda w: w.t_s) == sorted(clip.warnings, key=lambda w: w.t_s)


def test_medius_analyze_log_records_a_session(tmp_path, capsys):
    """`medius analyze VIDEO --exercise E --log` (app.cli.main, as the user runs it) adds the analysis to the log."""
    import json

    if not (VIDEOS / "labels.json").is_file():
        pytest.skip(f"labelled clips not found at {VIDEOS}")
    cli = pytest.importorskip("app.cli.main", reason="app.cli.main is not in this tree yet")
    video = VIDEOS / "clamshell_banded_front_chloe_gif_1.mp4"
    assert cli.main(["analyze", str(video), "--exercise", "clamshell", "--log", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    with Store() as store:  # the default log: $MEDIUS_DATA_DIR, set per test
        s = store.get_session(payload["session_id"])
    assert s.source == f"file:{video.name}" and s.sets[0].exercise == "clamshell"
    assert [(r.index, r.t_peak_s, r.peak_deg) for r in s.sets[0].reps] == [
        (r["index"], r["t_peak_s"], r["peak_deg"]) for r in payload["rep_events"]]
    # What each rep could not judge is logged as the analysis reported it.
    assert [r.unjudged for r in s.sets[0].reps] == [
        tuple((u["code"], u["reason"]) for u in r["unjudged"]) for r in payload["rep_events"]]
