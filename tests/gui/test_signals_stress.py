"""Thousands of signal emissions, same-thread and cross-thread: PySide6 6.12.0 on CPython 3.11 aborted the
interpreter (bool_dealloc) after a few hundred emits; this must keep passing with whatever PySide6 is installed."""

import threading

import pytest
from PySide6.QtCore import QObject, Qt, Signal

from app.pipeline.live import SourceEnded
from ui.pipeline_bridge import PipelineBridge

pytestmark = pytest.mark.gui
N = 5000


class Emitter(QObject):
    flag = Signal(bool)
    payload = Signal(object)
    plain = Signal()


def test_thousands_of_direct_and_queued_emits(qtbot):
    e = Emitter()
    got = {"flag": 0, "payload": 0, "plain": 0}
    e.flag.connect(lambda v: got.__setitem__("flag", got["flag"] + 1))
    e.payload.connect(lambda v: got.__setitem__("payload", got["payload"] + 1))
    e.plain.connect(lambda: got.__setitem__("plain", got["plain"] + 1), Qt.ConnectionType.QueuedConnection)
    for i in range(N):
        e.flag.emit(i % 2 == 0)
        e.payload.emit(SourceEnded(i))
        e.plain.emit()
    qtbot.waitUntil(lambda: got["plain"] == N, timeout=10_000)
    assert got == {"flag": N, "payload": N, "plain": N}


def test_bridge_wakeups_from_a_worker_thread(qtbot):
    received = []
    bridge = PipelineBridge(lambda out, t: received.append(out))

    def hammer():
        for _ in range(N):
            bridge._wake_pending = False  # force an emit every time: the worst case for the binding
            bridge._notify()

    t = threading.Thread(target=hammer)
    t.start()
    t.join()
    qtbot.waitUntil(lambda: bridge.wakeups > 0, timeout=10_000)
    qtbot.wait(200)
    assert bridge.wakeups <= N


def test_stopping_never_blocks_the_gui_thread_on_a_busy_worker(qtbot):
    import time

    from app.adapters.frame_source import VideoFileSource

    from .conftest import clip
    from .helpers import FakeAnalyzer

    path = clip("clamshell_banded_front_chloe_gif_1.mp4")

    class Slow(FakeAnalyzer):
        def process(self, frame):
            time.sleep(0.4)  # an inference that takes long
            return super().process(frame)

    bridge = PipelineBridge(lambda out, t: None)
    bridge.start(lambda: VideoFileSource(path), Slow, pace=1.0, loop=True)
    qtbot.waitUntil(lambda: bridge.pipeline.frames_processed >= 1, timeout=5_000)
    t0 = time.monotonic()
    bridge.stop()
    assert time.monotonic() - t0 < 0.05 and not bridge.running
    qtbot.waitUntil(lambda: not bridge.threads_alive, timeout=5_000)  # the reaper joins them
    bridge.start(lambda: VideoFileSource(path), Slow, pace=1.0, loop=True)
    bridge.shutdown()  # window closing: joins everything now
    assert not bridge.threads_alive
