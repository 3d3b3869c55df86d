"""Tiny, dependency-free SVG charts for the therapist report (inline in HTML, also rendered to PDF by ui/).

Only what the report needs: a line chart over dates and a grouped bar chart. Text sizes are in px of the SVG's
own coordinate system; the report scales the SVG to its column, so charts stay readable when printed.
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape

SIDE_COLOURS = {"left": "#1f6fb4", "right": "#e0701a", "": "#555555"}
FONT = "font-family='Helvetica, Arial, sans-serif'"


def _nice_step(v: float, max_ticks: int = 5) -> float:
    """The smallest 1/2/5×10^k step that covers v in at most max_ticks steps."""
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v / max_ticks))
    for m in (1, 2, 5, 10, 20):
        if math.ceil(v / (m * exp) - 1e-9) <= max_ticks:
            return m * exp
    return 20 * exp


def _nice_max(v: float) -> float:
    step = _nice_step(v)
    return max(step, math.ceil(v / step - 1e-9) * step)


def _fmt(v: float) -> str:
    return f"{v:.0f}" if abs(v) >= 10 or v == int(v) else f"{v:.1f}"


def _frame(width, height, title, y_label, y_max, left, right, top, bottom) -> list[str]:
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' "
             f"height='{height}' {FONT} font-size='11'>",
             f"<rect x='0' y='0' width='{width}' height='{height}' fill='white'/>",
             f"<text x='{left}' y='14' font-size='13' font-weight='bold' fill='#222'>{escape(title)}</text>"]
    plot_h = height - top - bottom
    step = _nice_step(y_max)
    n = max(1, round(y_max / step))
    for i in range(n + 1):
        v = step * i
        y = top + plot_h - plot_h * v / y_max
        parts.append(f"<line x1='{left}' y1='{y:.1f}' x2='{width - right}' y2='{y:.1f}' stroke='#e3e3e3'/>")
        parts.append(f"<text x='{left - 4}' y='{y + 4:.1f}' text-anchor='end' fill='#444'>{_fmt(v)}</text>")
    parts.append(f"<text x='12' y='{top + plot_h / 2:.1f}' transform='rotate(-90 12 {top + plot_h / 2:.1f})' "
                 f"text-anchor='middle' fill='#444'>{escape(y_label)}</text>")
    parts.append(f"<line x1='{left}' y1='{top + plot_h}' x2='{width - right}' y2='{top + plot_h}' stroke='#888'/>")
    return parts


def _legend(parts, names, colours, x, y):
    for name in names:
        parts.append(f"<rect x='{x}' y='{y - 9}' width='10' height='10' fill='{colours[name]}'/>")
        parts.append(f"<text x='{x + 14}' y='{y}' fill='#222'>{escape(name)}</text>")
        x += 14 + 7 * len(name) + 14


def date_line_chart(series: dict[str, list[tuple[str, float]]], *, title: str, y_label: str, width: int = 360,
                    height: int = 190, colours: dict[str, str] | None = None, y_max: float | None = None) -> str:
    """One line per series over ISO dates (gaps between sessions are drawn as lines; markers show sessions)."""
    colours = colours or SIDE_COLOURS
    left, right, top, bottom = 42, 10, 42, 24
    pts = [(dt.date.fromisoformat(d).toordinal(), v) for s in series.values() for d, v in s]
    if not pts:
        return _empty(width, height, title)
    x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    ymax = y_max or _nice_max(max(p[1] for p in pts) * 1.05)
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = _frame(width, height, title, y_label, ymax, left, right, top, bottom)

    def sx(o):
        return left + (o - x0) / (x1 - x0) * plot_w

    def sy(v):
        return top + plot_h - min(v, ymax) / ymax * plot_h

    for i in range(4):  # date ticks
        o = round(x0 + (x1 - x0) * i / 3)
        d = dt.date.fromordinal(o)
        label = d.strftime("%d %b %y") if (x1 - x0) > 330 else d.strftime("%d %b")
        anchor = "start" if i == 0 else "end" if i == 3 else "middle"
        parts.append(f"<text x='{sx(o):.1f}' y='{height - 8}' text-anchor='{anchor}' fill='#444'>{label}</text>")
    for name, s in series.items():
        if not s:
            continue
        c = colours.get(name, "#555")
        coords = [(sx(dt.date.fromisoformat(d).toordinal()), sy(v)) for d, v in s]
        parts.append("<polyline fill='none' stroke='{}' stroke-width='1.8' points='{}'/>".format(
            c, " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)))
        if len(coords) <= 120:
            parts.extend(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='2.4' fill='{c}'/>" for x, y in coords)
    _legend(parts, [n for n in series if series[n]], colours, left, 29)
    parts.append("</svg>")
    return "".join(parts)


def grouped_bar_chart(groups: list[str], series: dict[str, list[float]], *, title: str, y_label: str,
                      width: int = 360, height: int = 190, colours: dict[str, str] | None = None,
                      percent: bool = False, label_every: int = 1) -> str:
    """Bars for each group (x categories), one bar per series side by side."""
    colours = colours or SIDE_COLOURS
    left, right, top, bottom = 42, 10, 42, 24
    values = [v for s in series.values() for v in s]
    if not groups or not values:
        return _empty(width, height, title)
    ymax = 100.0 if percent and max(values) > 50 else _nice_max(max(values) * 1.05)
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = _frame(width, height, title, y_label, ymax, left, right, top, bottom)
    slot = plot_w / len(groups)
    names = list(series)
    bar_w = max(1.0, slot * 0.8 / max(1, len(names)))
    for gi, g in enumerate(groups):
        for si, name in enumerate(names):
            v = series[name][gi]
            h = min(v, ymax) / ymax * plot_h
            x = left + gi * slot + slot * 0.1 + si * bar_w
            parts.append(f"<rect x='{x:.1f}' y='{top + plot_h - h:.1f}' width='{bar_w:.1f}' height='{h:.1f}' "
                         f"fill='{colours.get(name, '#555')}'/>")
        if gi % label_every == 0:
            parts.append(f"<text x='{left + gi * slot + slot / 2:.1f}' y='{height - 8}' text-anchor='middle' "
                         f"fill='#444'>{escape(g)}</text>")
    _legend(parts, names, colours, left, 29)
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(rows: list[tuple[str, dict[str, float]]], *, title: str, width: int = 360,
                    colours: dict[str, str] | None = None, unit: str = "%") -> str:
    """Labelled horizontal bars (fault names), one bar per series for each row."""
    colours = colours or SIDE_COLOURS
    if not rows:
        return _empty(width, 80, title, "no faults recorded")
    names = sorted({n for _, vals in rows for n in vals}, key=lambda n: (n != "left", n))
    row_h = 10 * len(names) + 8
    label_w, top = 150, 38
    height = top + row_h * len(rows) + 8
    vmax = _nice_max(max(v for _, vals in rows for v in vals.values()) * 1.05)
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' "
             f"height='{height}' {FONT} font-size='11'>",
             f"<rect x='0' y='0' width='{width}' height='{height}' fill='white'/>",
             f"<text x='4' y='14' font-size='13' font-weight='bold' fill='#222'>{escape(title)}</text>"]
    plot_w = width - label_w - 44
    for ri, (label, vals) in enumerate(rows):
        y = top + ri * row_h
        parts.append(f"<text x='{label_w - 6}' y='{y + row_h / 2 + 3:.1f}' text-anchor='end' "
                     f"fill='#222'>{escape(label)}</text>")
        for si, n in enumerate(names):
            v = vals.get(n, 0.0)
            w = v / vmax * plot_w
            yy = y + 4 + si * 10
            parts.append(f"<rect x='{label_w}' y='{yy}' width='{w:.1f}' height='8' fill='{colours.get(n, '#555')}'/>")
            parts.append(f"<text x='{label_w + w + 3:.1f}' y='{yy + 8}' font-size='9' fill='#444'>"
                         f"{_fmt(v)}{unit}</text>")
    _legend(parts, names, colours, 4, 29)
    parts.append("</svg>")
    return "".join(parts)


def _empty(width, height, title, text="no data in this period") -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' "
            f"height='{height}' {FONT} font-size='11'><rect x='0' y='0' width='{width}' height='{height}' "
            f"fill='white'/><text x='4' y='14' font-size='13' font-weight='bold' fill='#222'>{escape(title)}</text>"
            f"<text x='{width / 2}' y='{height / 2 + 8}' text-anchor='middle' fill='#888'>{text}</text></svg>")
