"""The replay of an analysed set: the video with skeleton and working leg, the live screen's counter and range
meter as they were at each frame, the therapist's angles, the faults so far, a timeline of reps and marks
(click to jump), play / pause / frame step / 0.25× / 0.5× / 1×, best and worst rep side by side, export of the
annotated video (whole set or one rep) and logging the set.

Everything shown for frame i comes from `ReplayModel.state(i)` (app.pipeline.replay_model): the tracker's own snapshot
of that frame, so the replay cannot disagree with the analysis. Pictures come from `app.adapters.frame_source.VideoFrames`
(random access); the frames the timeline and the best/worst panels jump to are decoded ahead on a helper thread
(app.pipeline.replay_prefetch), so a jump does not wait for a phone video's distant keyframe. Playback is paced by the wall clock (frame = start + elapsed × fps × speed), so a slow decode
drops pictures instead of slowing the replay down. Opens in its own window: a session on the main window is
never interrupted.
"""

from __future__ import annotations

import logging
import pathlib
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.reports.export import exercise_label, fault_label
from app.adapters.frame_source import VideoFrames
from app.pipeline.replay_analysis import AnalysisCancelled, Replay
from app.pipeline.replay_model import FrameState, ReplayModel
from ui.replay_jobs import Job
from ui.timeline_widget import TimelineWidget
from ui.video_view import VideoView
from ui.widgets import RomMeter, big_label, centred_row

log = logging.getLogger(__name__)

SPEEDS = (0.25, 0.5, 1.0)
TICK_MS = 15  # playback timer; the frame shown is computed from the clock, so this only bounds the latency


def metric_line(name: str, value: float) -> str:
    unit = "°" if name.endswith("_deg") else ""
    return f"{name.removesuffix('_deg').replace('_', ' '):<16}{value:6.1f}{unit}"


class RepPanel(QFrame):
    """One rep at its peak, for the best/worst comparison; a click plays it in the main view."""

    clicked = Signal(int)

    def __init__(self, caption: str, parent=None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        self.title = QLabel(caption)
        self.title.setStyleSheet("font-weight: bold;")
        self.title.setWordWrap(True)
        self.video = VideoView()
        self.video.mirror = False
        self.video.setMinimumSize(160, 90)
        lay.addWidget(self.title)
        lay.addWidget(self.video, 1)
        self.rep: int | None = None

    def show_rep(self, caption: str, rep, bgr, state: FrameState | None) -> None:
        self.rep = rep.index if rep is not None else None
        if rep is None:
            self.title.setText(f"{caption}: no reps")
            self.video.clear("")
            return
        faults = ", ".join(fault_label(f) for f in rep.faults) or "no faults"
        self.title.setText(f"{caption}: rep {rep.index} · peak {rep.peak_deg:.0f}° · {faults} (click to play)")
        if bgr is not None and state is not None:
            self.video.set_frame(bgr, state.xy_px, state.visibility, state.side, bool(rep.faults))

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.rep is not None:
            self.clicked.emit(self.rep)


class ReplayScreen(QWidget):
    logged = Signal(int)  # session id in the exercise log

    def __init__(self, replay: Replay, parent=None, *, log_to=None) -> None:
        """`log_to`: the exercise log (a path or Store) for "Log this set"; None: the user's default log."""
        super().__init__(parent)
        self.replay = replay
        self.model: ReplayModel = replay.model
        self.frames = VideoFrames(self.model.video)
        from app.pipeline.replay_prefetch import FramePrefetcher

        jumps = [m.frame for m in self.model.marks] + [sp.first_frame for sp in self.model.spans]
        self.prefetch = FramePrefetcher(self.model.video, jumps).start()
        self._log_to = log_to
        self.frame = -1
        self.speed = 1.0
        self._play_from: tuple[float, int] | None = None  # (clock at start, frame at start) while playing
        self._fault_count = -1
        self.job: Job | None = None
        self.setWindowTitle(f"Medius Coach — Replay of {pathlib.Path(self.model.video).name}")

        root = QVBoxLayout(self)
        root.setContentsMargins(8, 6, 8, 6)
        root.setSpacing(4)
        head = QHBoxLayout()
        r = replay.result
        title = QLabel(f"<b>{exercise_label(r.exercise)}</b>, {r.side or 'unknown'} leg · "
                       f"{len(r.reps)} reps · {pathlib.Path(r.video).name}")
        title.setStyleSheet("font-size: 17px;")
        title.setToolTip(r.video)
        title.setMinimumWidth(120)  # a long file name is cut, not the buttons beside it
        title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        head.addWidget(title, 1)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #44515c;")
        head.addWidget(self.message)
        self.log_button = QPushButton("Log this set")
        self.log_button.setToolTip("Record these reps and faults in the exercise log")
        self.log_button.clicked.connect(self.log_set)
        self.export_button = QPushButton("Export video…")
        self.export_button.setToolTip("The video with skeleton, counter and fault captions drawn in (MP4)")
        self.export_button.clicked.connect(lambda: self._on_export_clicked(None))
        self.export_rep_button = QPushButton("Export this rep…")
        self.export_rep_button.clicked.connect(self._on_export_rep_clicked)
        for b in (self.log_button, self.export_button, self.export_rep_button):
            head.addWidget(b)
        root.addLayout(head)

        middle = QHBoxLayout()
        self.video = VideoView()
        self.video.mirror = False  # a recording is shown as filmed
        self.video.setMinimumSize(320, 200)
        middle.addWidget(self.video, 3)
        panel = QVBoxLayout()
        self.counter = big_label("0", 80)
        self.counter_caption = big_label(f"of {len(r.reps)} reps", 18, bold=False, color="#44515c")
        panel.addWidget(self.counter)
        panel.addWidget(self.counter_caption)
        self.rom = RomMeter()
        panel.addLayout(centred_row(self.rom), 1)
        panel.addWidget(QLabel("<b>Angles now</b>"))
        self.metrics = QLabel("")
        self.metrics.setStyleSheet("font-family: monospace; font-size: 13px;")
        panel.addWidget(self.metrics)
        panel.addWidget(QLabel("<b>Faults so far</b>"))
        self.fault_list = QListWidget()
        self.fault_list.setWordWrap(True)
        self.fault_list.setMinimumHeight(40)
        self.fault_list.itemActivated.connect(self._on_fault_item)
        self.fault_list.itemClicked.connect(self._on_fault_item)
        panel.addWidget(self.fault_list, 1)
        side = QFrame()
        side.setStyleSheet("QFrame { background: #ffffff; border-radius: 8px; }")
        side.setLayout(panel)
        side.setFixedWidth(300)
        middle.addWidget(side)
        root.addLayout(middle, 1)

        self.timeline = TimelineWidget()
        self.timeline.set_model(self.model)
        self.timeline.seek_requested.connect(self._on_seek_requested)
        root.addWidget(self.timeline)

        controls = QHBoxLayout()
        self.prev_mark = QPushButton("◀◀ Mark")
        self.prev_mark.setToolTip("Previous fault or not-judged mark (Page Up)")
        self.step_back = QPushButton("◀ Frame")
        self.play_button = QPushButton("▶ Play")
        self.play_button.setMinimumWidth(90)
        self.step_fwd = QPushButton("Frame ▶")
        self.next_mark = QPushButton("Mark ▶▶")
        self.next_mark.setToolTip("Next fault or not-judged mark (Page Down)")
        self.prev_mark.clicked.connect(lambda: self.jump_to_mark(-1))
        self.step_back.clicked.connect(lambda: self.step(-1))
        self.play_button.clicked.connect(self.toggle_play)
        self.step_fwd.clicked.connect(lambda: self.step(1))
        self.next_mark.clicked.connect(lambda: self.jump_to_mark(1))
        for b in (self.prev_mark, self.step_back, self.play_button, self.step_fwd, self.next_mark):
            controls.addWidget(b)
        controls.addSpacing(16)
        controls.addWidget(QLabel("Speed"))
        self.speed_group = QButtonGroup(self)
        self.speed_buttons: dict[float, QPushButton] = {}
        for s in SPEEDS:
            b = QPushButton(f"{s:g}×")
            b.setCheckable(True)
            b.setMaximumWidth(60)
            b.setChecked(s == 1.0)
            b.clicked.connect(lambda _=False, s=s: self.set_speed(s))
            self.speed_group.addButton(b)
            self.speed_buttons[s] = b
            controls.addWidget(b)
        controls.addStretch(1)
        self.position = QLabel("")
        self.position.setStyleSheet("font-family: monospace;")
        controls.addWidget(self.position)
        root.addLayout(controls)

        compare = QHBoxLayout()
        self.best = RepPanel("Best")
        self.worst = RepPanel("Worst")
        for panel_ in (self.best, self.worst):
            panel_.clicked.connect(self.play_rep)
            compare.addWidget(panel_)
        compare_box = QWidget()
        compare_box.setLayout(compare)
        compare_box.setFixedHeight(136)
        root.addWidget(compare_box)

        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._on_timer)
        self._stop_at: int | None = None
        self._install_keys()
        self._show_best_and_worst()
        self.show_frame(0)

    # ---- showing a frame ------------------------------------------------------------------------------------
    def show_frame(self, frame: int) -> None:
        frame = min(max(0, frame), self.model.frame_count - 1)
        ahead = None if self.frames.is_near(frame) else self.prefetch.picture(frame)
        bgr = ahead if ahead is not None else self.frames.frame(frame)
        st = self.model.state(frame)
        self.frame = frame
        if bgr is not None:
            self.video.set_frame(bgr, st.xy_px, st.visibility, st.side, bool(st.active_faults))
        self.video.set_overlay(cue=st.caption)
        self.counter.setText(str(st.reps))
        self.rom.set_fraction(st.rom_fraction, st.peak_fraction)
        self.metrics.setText("\n".join(metric_line(k, v) for k, v in sorted(st.metrics.items())) or "(not measured)")
        self._show_faults_until(frame)
        self.timeline.set_frame(frame)
        self.position.setText(f"frame {frame + 1}/{self.model.frame_count}  {st.t_s:6.2f} s"
                              + (f"  rep {st.rep}" if st.rep else ""))

    def _show_faults_until(self, frame: int) -> None:
        """The faults and not-judged marks reported by now, newest first (the live screen's list then)."""
        shown = self.model.shown_marks(frame)
        if len(shown) == self._fault_count:
            return
        self._fault_count = len(shown)
        self.fault_list.clear()
        for m in reversed(shown):
            item = QListWidgetItem(f"{m.t_s:5.1f} s  {m.text}")
            item.setData(Qt.ItemDataRole.UserRole, m.frame)
            if m.kind == "not_judged":
                item.setForeground(QBrush(QColor("#5f6b75")))
            self.fault_list.addItem(item)

    def shown_faults(self) -> list[str]:
        return [self.fault_list.item(i).text() for i in range(self.fault_list.count())]

    def _show_best_and_worst(self) -> None:
        for panel, caption, rep in ((self.best, "Best", self.model.best_rep()),
                                    (self.worst, "Worst", self.model.worst_rep())):
            if rep is None:
                panel.show_rep(caption, None, None, None)
                continue
            at = self.model.frame_at(rep.t_peak_s)
            panel.show_rep(caption, rep, self.frames.frame(at), self.model.state(at))
        self.frames.frame(0)  # back to the start for the main view (cheap: a seek)

    # ---- navigation -----------------------------------------------------------------------------------------
    def step(self, n: int) -> None:
        self.pause()
        self.show_frame(self.frame + n)

    def seek(self, frame: int) -> None:
        playing = self.timer.isActive()
        self.show_frame(frame)
        if playing:
            self._play_from = (time.monotonic(), self.frame)

    def jump_to_mark(self, direction: int) -> None:
        mark = self.model.next_mark(self.frame, direction)
        if mark is not None:
            self.seek(mark.frame)

    def play_rep(self, index: int) -> None:
        """Play one rep from its start (at the chosen speed) and stop at its end."""
        span = self.model.span_of(index)
        self.show_frame(span.first_frame)
        self._stop_at = max(span.last_frame, span.counted_frame)
        self.play()

    def set_speed(self, speed: float) -> None:
        self.speed = speed
        self.speed_buttons[speed].setChecked(True)
        if self.timer.isActive():
            self._play_from = (time.monotonic(), self.frame)

    def play(self) -> None:
        if self.frame >= self.model.frame_count - 1:
            self.show_frame(0)
        self._play_from = (time.monotonic(), self.frame)
        self.timer.start()
        self.play_button.setText("❚❚ Pause")

    def pause(self) -> None:
        self.timer.stop()
        self._play_from = None
        self._stop_at = None
        self.play_button.setText("▶ Play")

    def toggle_play(self) -> None:
        self.pause() if self.timer.isActive() else self.play()

    def _on_timer(self) -> None:
        if self._play_from is None:
            return
        t0, f0 = self._play_from
        target = f0 + int((time.monotonic() - t0) * self.model.fps * self.speed)
        end = self.model.frame_count - 1 if self._stop_at is None else self._stop_at
        if target != self.frame:
            self.show_frame(min(target, end))
        if target >= end:
            self.pause()

    def _on_seek_requested(self, frame: int) -> None:
        self.seek(frame)

    def _on_fault_item(self, item: QListWidgetItem) -> None:
        self.seek(int(item.data(Qt.ItemDataRole.UserRole)))

    def _install_keys(self) -> None:
        for key, slot in (("Space", self.toggle_play), ("Right", lambda: self.step(1)), ("Left", lambda: self.step(-1)),
                          ("PgDown", lambda: self.jump_to_mark(1)), ("PgUp", lambda: self.jump_to_mark(-1)),
                          ("1", lambda: self.set_speed(0.25)), ("2", lambda: self.set_speed(0.5)),
                          ("3", lambda: self.set_speed(1.0))):
            QShortcut(QKeySequence(key), self, activated=slot)

    # ---- logging and export ---------------------------------------------------------------------------------
    def log_set(self) -> int | None:
        from app.storage import StorageError, log_analysis

        try:
            session_id = log_analysis(self.replay.result, self._log_to)
        except StorageError as exc:
            self.message.setText(f"Not logged: {exc}")
            return None
        self.log_button.setEnabled(False)
        self.message.setText(f"Logged as session {session_id}.")
        self.logged.emit(session_id)
        return session_id

    def _on_export_rep_clicked(self) -> None:
        st = self.model.state(self.frame)
        rep = st.rep or (self.model.reps[-1].index if self.model.reps else None)
        if rep is None:
            self.message.setText("No rep to export.")
            return
        self._on_export_clicked(rep)

    def _on_export_clicked(self, rep: int | None) -> None:
        stem = pathlib.Path(self.model.video).stem + (f"-rep{rep}" if rep else "") + "-annotated.mp4"
        default = str(pathlib.Path.home() / stem)
        path, _ = QFileDialog.getSaveFileName(self, "Export the annotated video", default, "MP4 video (*.mp4)")
        if path:
            self.export_to(path, rep)

    def export_to(self, path: str | pathlib.Path, rep: int | None = None) -> Job:
        """Write the annotated video on a worker thread with a progress dialog; returns the job."""
        from app.pipeline.annotate import export_annotated

        model = self.model

        def work(progress, cancelled):
            def each(done, total):
                if cancelled():
                    raise AnalysisCancelled()
                progress(done, total)

            return export_annotated(model, path, rep=rep, progress=each)

        dialog = QProgressDialog("Writing the annotated video…", "Cancel", 0, 100, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        job = Job(work, "export", self)
        job.progressed.connect(lambda d, t: dialog.setValue(int(100 * d / t)) if t else None)
        dialog.canceled.connect(job.cancel)
        job.succeeded.connect(lambda res: (dialog.reset(), self.message.setText(f"Saved {res[0]} ({res[1]} frames).")))
        job.failed.connect(lambda msg: (dialog.reset(), self.message.setText(msg or "Export cancelled.")))
        self.job = job
        job.start()
        return job

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.pause()
        if self.job is not None and not self.job.done:
            self.job.cancel()
            self.job.wait()
        self.prefetch.stop()
        self.frames.close()
        super().closeEvent(event)
