"""Short versions of tools/soak.py for CI: start/stop cycles and a brief looping run leak no thread or file."""

from __future__ import annotations

import sys

from medius_testdata import REPO

from .videos import write_video

sys.path.insert(0, str(REPO / "tools"))
import soak  # noqa: E402


def test_twenty_start_stop_cycles_leak_no_thread_or_file(tmp_path):
    clip = write_video(tmp_path / "clip.mp4", 60, (320, 240), fps=30.0)
    before, baseline, after = soak.start_stop_cycles(clip, "clamshell", 20, print_row=None)
    # Threads and files exactly; RSS is reported by tools/soak.py --cycles 200 (it climbs with malloc-arena
    # fragmentation before levelling off, which 20 cycles cannot tell apart from a leak).
    ok, text = soak.cycles_verdict(baseline, after, check_rss=False)
    assert ok, text
    assert after.py_threads == before.py_threads, text  # the pipeline's own threads are all gone


def test_a_short_looping_run_keeps_threads_and_files_flat(tmp_path):
    clip = write_video(tmp_path / "clip.mp4", 30, (320, 240), fps=30.0)  # 1 s: loops many times
    rows, counts = soak.soak(clip, "step-down", minutes=0.4, interval_s=4.0, print_row=lambda _: None)
    # MediaPipe and XNNPACK start their native worker pools lazily during the first seconds (the several-people
    # search model, for one); from the second sample on, the count must stay flat.
    warm = rows[2:-1]
    assert counts["frames_processed"] > 30  # it looped
    assert len(warm) >= 3
    assert max(r.threads for r in warm) <= warm[0].threads
    assert max(r.fds for r in warm) <= warm[0].fds
    assert rows[-1].py_threads == rows[0].py_threads and rows[-1].fds <= rows[0].fds + 1
