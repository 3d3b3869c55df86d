"""Done vs prescribed, for sessions that followed a therapist's programme (the HTML report's programme section).

The prescription comes from the session's own log row (app.storage.programme_log), not from the file, so it is
the programme as it was that day. Per exercise and side: sets done of sets prescribed, and the reps of each set
against the reps asked for (or the holds done for a timed hold). A set counts as done when it has at least one
rep; a set that reached its target is complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from app.session.programme import SIDE_LABELS
from app.storage.programme_log import LoggedSet, programme_sessions

SIDES_OF = {"both": ("left", "right"), "left": ("left",), "right": ("right",), "auto": ("",)}


@dataclass(frozen=True)
class SideComparison:
    side: str  # "left" | "right" | "" (any leg: the programme let the camera pick it)
    sets_prescribed: int
    reps_prescribed: int | None  # None for a hold
    hold_s: float | None
    reps_done: tuple[int, ...]  # per logged set, in order
    held_s: tuple[float | None, ...] = ()  # per logged set: its longest hold (timed holds)

    @property
    def sets_done(self) -> int:
        return sum(1 for r in self.reps_done if r > 0)

    @property
    def sets_complete(self) -> int:
        target = self.reps_prescribed or 1
        return sum(1 for r in self.reps_done if r >= target)


@dataclass(frozen=True)
class EntryComparison:
    exercise: str
    sides: tuple[SideComparison, ...]
    note: str
    limits: dict


def compare(entries: tuple[dict, ...], sets: list[LoggedSet]) -> list[EntryComparison]:
    """One comparison per prescribed exercise, in the programme's order."""
    out = []
    for e in entries:
        mine = [s for s in sets if s.exercise == e["exercise"]]
        sides = []
        for side in SIDES_OF.get(e.get("sides", "both"), ("",)):
            done = [s for s in mine if not side or s.side == side]
            sides.append(SideComparison(side, int(e["sets"]), e.get("reps"), e.get("hold_s"),
                                        tuple(_reps(s) for s in done), tuple(s.best_held_s for s in done)))
        out.append(EntryComparison(e["exercise"], tuple(sides), str(e.get("note", "")), dict(e.get("limits") or {})))
    return out


def compare_session(record) -> list[EntryComparison]:
    """`compare` for one SessionRecord read whole (the CLI's session detail): [] when it followed no programme."""
    if record.programme is None:
        return []
    sets = [LoggedSet(st.exercise, st.side, st.target_reps, st.achieved_reps, len(st.reps),
                      max((r.held_s for r in st.reps), default=None)) for st in record.sets]
    return compare(record.programme.entries, sets)


def comparison_lines(comparisons: list[EntryComparison], label=lambda code: code) -> list[str]:
    """Plain text, one line per exercise and side: 'Clamshell left: 2/3 sets, reps 10, 8 of 10'."""
    out = []
    for c in comparisons:
        for s in c.sides:
            if s.hold_s is not None:
                done = ", ".join(f"{h:.1f} s" if h else "–" for h in s.held_s) or "none"
                what = f"holds {done} of {s.hold_s:g} s"
            else:
                what = f"reps {', '.join(str(r) for r in s.reps_done) or 'none'} of {s.reps_prescribed}"
            out.append(f"{label(c.exercise)}{' ' + s.side if s.side else ''}: {s.sets_done}/{s.sets_prescribed} "
                       f"sets, {what}")
    return out


def _reps(s: LoggedSet) -> int:
    return s.achieved_reps if s.achieved_reps is not None else s.reps_logged


def programme_section_html(store, *, since_day: str | None = None, until_day: str | None = None,
                           limit: int = 8) -> str:
    """The report's "Programme: done vs prescribed" section for the newest `limit` programme sessions, or ""."""
    from app.reports.export import exercise_label, fault_label

    sessions = programme_sessions(store, since_day=since_day, until_day=until_day, limit=limit)
    if not sessions:
        return ""
    parts = ["<h2>Programme: done vs prescribed</h2>"]
    for _sid, day, stamp, sets in sessions:
        parts.append(f"<p class='programme'><b>{escape(stamp.title)}</b> for {escape(stamp.patient)}, by "
                     f"{escape(stamp.therapist)} ({escape(stamp.date)}) — session of {escape(day)}</p>")
        rows = []
        for c, entry in zip(compare(stamp.entries, sets), stamp.entries):
            limits = ", ".join(f"{fault_label(code)} {v:g}" for code, v in c.limits.items())
            for s in c.sides:
                asked = (f"{s.sets_prescribed} × {s.hold_s:g} s hold" if s.hold_s is not None
                         else f"{s.sets_prescribed} × {s.reps_prescribed}")
                if s.hold_s is not None:  # one hold per set: how long it was held, against the time asked
                    done = ", ".join(f"{h:.1f} s" if r > 0 and h else ("held" if r > 0 else "not held")
                                     for r, h in zip(s.reps_done, s.held_s)) or "–"
                    unit = f"(of {s.hold_s:g} s)"
                else:
                    done = ", ".join(str(r) for r in s.reps_done) or "–"
                    unit = f"reps (of {s.reps_prescribed})"
                rows.append(
                    f"<tr><td>{escape(exercise_label(c.exercise))}</td>"
                    f"<td>{escape(s.side or SIDE_LABELS.get(entry.get('sides', ''), 'any'))}</td>"
                    f"<td>{escape(asked)}</td><td>{s.sets_done}/{s.sets_prescribed}</td>"
                    f"<td>{escape(done)} {escape(unit)}</td><td>{escape(limits)}</td></tr>")
        parts.append("<table><tr><th align='left'>Exercise</th><th align='left'>Side</th><th>Prescribed</th>"
                     "<th>Sets done</th><th>Per set</th><th>Therapist's limits</th></tr>" + "".join(rows) + "</table>")
    return "".join(parts)
