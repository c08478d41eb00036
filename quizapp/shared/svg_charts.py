"""A :class:`~quizapp.shared.charts.Chart` as a static SVG: the same chart as the browser's
Plotly figure, drawn on the server for reports (the self-contained HTML file and the PDF, where
no script runs).  Same palette, same font stack; no external reference of any kind.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from quizapp.shared.charts import (
    BARS,
    COUNT,
    FONT_FAMILY,
    GRID,
    INK,
    INTERVALS,
    ROLE_COLOURS,
    TREND,
    Chart,
    Point,
)

WIDTH = 640
ROW = 30
FONT = 12


def _attr(value: object) -> str:
    return escape(str(value), {'"': "&quot;"})


def _text_width(text: str, size: float = FONT) -> float:
    """Roughly how wide ``text`` is drawn: CJK characters a full em, others about half."""
    return sum(size if ord(ch) > 0x2E80 else 0.58 * size for ch in text)


def nice_top(value: float) -> tuple[float, float]:
    """An axis end at or above ``value`` and its tick step (1, 2 or 5 × a power of ten,
    four to eight ticks)."""
    if value <= 0:
        return 1.0, 0.25
    raw = value / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return step * math.ceil(value / step - 1e-9), step


def _tick(value: float, chart: Chart) -> str:
    shown = f"{value:g}"
    return f"{shown}%" if chart.unit == "%" else shown


def _legend(items: list[tuple[str, str, str]], y: float) -> tuple[list[str], float]:
    """Legend entries (label, colour, dash) wrapped over lines from ``y``; returns the SVG
    pieces and the height used."""
    out, x, line = [], 12.0, 0
    for label, colour, dash in items:
        width = 30 + _text_width(label) + 18
        if x + width > WIDTH - 8 and x > 12:
            x, line = 12.0, line + 1
        yy = y + 18 * line
        if dash == "point":
            out.append(f'<circle cx="{x + 10:.1f}" cy="{yy - 4:.1f}" r="5" fill="{colour}"/>')
        elif dash == "hollow":
            out.append(f'<circle cx="{x + 10:.1f}" cy="{yy - 4:.1f}" r="5" fill="#fff" '
                       f'stroke="{colour}" stroke-width="2"/>')
        elif dash == "bar":
            out.append(f'<rect x="{x:.1f}" y="{yy - 10:.1f}" width="20" height="10" '
                       f'fill="{colour}"/>')
        else:
            out.append(f'<line x1="{x:.1f}" y1="{yy - 4:.1f}" x2="{x + 20:.1f}" '
                       f'y2="{yy - 4:.1f}" stroke="{colour}" stroke-width="2"'
                       f'{_dash(dash)}/>')
        out.append(f'<text x="{x + 26:.1f}" y="{yy:.1f}">{escape(label)}</text>')
        x += width
    return out, 18 * (line + 1) if items else 0


def _error_bar(low: float, high: float, at: float, colour: str, *, across: bool) -> list[str]:
    """An interval from ``low`` to ``high`` with end ticks: along x at height ``at``, or
    (``across``) along y at ``at`` on the x axis."""
    def line(a1: float, b1: float, a2: float, b2: float) -> str:
        x1, y1, x2, y2 = (b1, a1, b2, a2) if across else (a1, b1, a2, b2)
        return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="{colour}" stroke-width="2"/>')
    return [line(low, at, high, at)] + [line(end, at - 5, end, at + 5) for end in (low, high)]


def _dash(dash: str) -> str:
    return {"dash": ' stroke-dasharray="6 4"', "dot": ' stroke-dasharray="2 3"'}.get(dash, "")


def _wrap(chart: Chart, body: list[str], height: float, font_family: str) -> str:
    title = escape(chart.title)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" '
            f'font-family="{_attr(font_family)}" font-size="{FONT}" fill="{INK}" '
            f'aria-label="{_attr(chart.title)}"><title>{title}</title>'
            f'<text x="12" y="20" font-size="15" font-weight="bold">{title}</text>'
            + "".join(body) + "</svg>")


def _rows_svg(chart: Chart, font_family: str) -> str:
    points = chart.points
    label_w = min(max((_text_width(p.label) for p in points), default=40) + 16, 240)
    left, right, top = 12 + label_w, WIDTH - 24, 40
    values = [chart.shown(v) for p in points for v in (p.value, p.high) if v is not None]
    values += [chart.shown(r.value) for r in chart.references]
    end, step = nice_top(max([v for v in values if v is not None], default=1.0) * 1.05)
    if chart.unit == COUNT and step < 1:  # whole people: no 0.5 ticks
        step, end = 1.0, max(math.ceil(end), 1.0)

    def x(value: float) -> float:
        return left + (right - left) * min(max(value / end, 0.0), 1.0)

    bottom = top + ROW * len(points)
    body = []
    k = 0.0
    while k <= end + 1e-9:
        body.append(f'<line x1="{x(k):.1f}" y1="{top}" x2="{x(k):.1f}" y2="{bottom}" '
                    f'stroke="{GRID}" stroke-width="1"/>')
        body.append(f'<text x="{x(k):.1f}" y="{bottom + 16}" text-anchor="middle">'
                    f'{escape(_tick(k, chart))}</text>')
        k += step
    for i, p in enumerate(points):
        cy = top + ROW * i + ROW / 2
        colour = ROLE_COLOURS.get(p.role, INK)
        body.append(f'<text x="{left - 8:.1f}" y="{cy + 4:.1f}" text-anchor="end">'
                    f'{escape(p.label)}</text>')
        if p.value is None:
            body.append(f'<text x="{left + 6:.1f}" y="{cy + 4:.1f}" fill="#595959">'
                        f'{escape(p.note or "—")}</text>')
            continue
        v = chart.shown(p.value)
        if chart.kind == BARS:
            fill = "#fff" if p.flagged else colour
            body.append(f'<rect x="{left:.1f}" y="{cy - 8:.1f}" width="{x(v) - left:.1f}" '
                        f'height="16" fill="{fill}" stroke="{colour}" stroke-width="1.5"/>')
            body.append(f'<text x="{x(v) + 4:.1f}" y="{cy + 4:.1f}">'
                        f'{escape(chart.text(p.value))}</text>')
        if p.low is not None and p.high is not None:
            body += _error_bar(x(chart.shown(p.low)), x(chart.shown(p.high)), cy, colour,
                               across=False)
        if chart.kind == INTERVALS:
            fill = "#fff" if p.flagged else colour
            body.append(f'<circle cx="{x(v):.1f}" cy="{cy:.1f}" r="5.5" fill="{fill}" '
                        f'stroke="{colour}" stroke-width="2"/>')
    for ref in chart.references:
        rx = x(chart.shown(ref.value))
        body.append(f'<line x1="{rx:.1f}" y1="{top - 4}" x2="{rx:.1f}" y2="{bottom}" '
                    f'stroke="{ROLE_COLOURS.get(ref.role, INK)}" stroke-width="2"'
                    f'{_dash("dash" if ref.role == "goal" else "dot")}/>')
    legend = [(r.label, ROLE_COLOURS.get(r.role, INK), "dash" if r.role == "goal" else "dot")
              for r in chart.references]
    if any(p.flagged for p in points):
        note = next(p.note for p in points if p.flagged)
        legend.append((note, ROLE_COLOURS["estimate"], "hollow"))
    pieces, used = _legend(legend, bottom + 40)
    return _wrap(chart, body + pieces, bottom + 30 + used + 8, font_family)


def _trend_svg(chart: Chart, font_family: str) -> str:
    xs = sorted({float(p.label) for s in chart.series for p in s.points})
    if not xs:
        return _wrap(chart, [], 40, font_family)
    lo_x, hi_x = xs[0], xs[-1] if xs[-1] > xs[0] else xs[0] + 1
    values = [chart.shown(v) for s in chart.series for p in s.points
              for v in (p.value, p.high) if v is not None]
    values += [chart.shown(r.value) for r in chart.references]
    end, step = nice_top(max([v for v in values if v is not None], default=1.0) * 1.05)
    left, right, top, bottom = 52, WIDTH - 20, 40, 280

    def x(year: float) -> float:
        return left + (right - left) * (year - lo_x) / (hi_x - lo_x)

    def y(value: float) -> float:
        return bottom - (bottom - top) * min(max(value / end, 0.0), 1.0)

    body = []
    k = 0.0
    while k <= end + 1e-9:
        body.append(f'<line x1="{left}" y1="{y(k):.1f}" x2="{right}" y2="{y(k):.1f}" '
                    f'stroke="{GRID}"/><text x="{left - 6}" y="{y(k) + 4:.1f}" '
                    f'text-anchor="end">{escape(_tick(k, chart))}</text>')
        k += step
    year_step = 1 if hi_x - lo_x <= 8 else 2 if hi_x - lo_x <= 16 else 5
    year = math.ceil(lo_x)
    while year <= hi_x:
        body.append(f'<text x="{x(year):.1f}" y="{bottom + 16}" text-anchor="middle">'
                    f'{year:g}</text>')
        year += year_step
    for ref in chart.references:
        ry = y(chart.shown(ref.value))
        body.append(f'<line x1="{left}" y1="{ry:.1f}" x2="{right}" y2="{ry:.1f}" '
                    f'stroke="{ROLE_COLOURS.get(ref.role, INK)}" stroke-width="2"'
                    f'{_dash("dash" if ref.role == "goal" else "dot")}/>')
    for s in chart.series:
        colour = ROLE_COLOURS.get(s.role, INK)
        drawn = [(x(float(p.label)), p) for p in s.points if p.value is not None]
        if len(drawn) > 1:
            path = " ".join(f"{px:.1f},{y(chart.shown(p.value)):.1f}" for px, p in drawn)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                        f'stroke-width="2"{"" if s.role == "estimate" else _dash("dot")}/>')
        for px, p in drawn:
            if p.low is not None and p.high is not None:
                body += _error_bar(y(chart.shown(p.low)), y(chart.shown(p.high)), px, colour,
                                   across=True)
            body.append(f'<circle cx="{px:.1f}" cy="{y(chart.shown(p.value)):.1f}" r="4.5" '
                        f'fill="{colour}"/>')
    legend = [(s.label, ROLE_COLOURS.get(s.role, INK),
               "solid" if s.role == "estimate" else "dot") for s in chart.series]
    legend += [(r.label, ROLE_COLOURS.get(r.role, INK), "dash" if r.role == "goal" else "dot")
               for r in chart.references]
    pieces, used = _legend(legend, bottom + 44)
    return _wrap(chart, body + pieces, bottom + 34 + used + 8, font_family)


def to_svg(chart: Chart, font_family: str = FONT_FAMILY) -> str:
    """The chart as one ``<svg>`` element (text, no script, no external reference);
    ``font_family`` puts a font first (the PDF's embedded one)."""
    if chart.kind == TREND:
        return _trend_svg(chart, font_family)
    if chart.kind in (INTERVALS, BARS):
        return _rows_svg(chart, font_family)
    raise ValueError(f"unknown chart kind {chart.kind!r}")


__all__ = ["Point", "nice_top", "to_svg"]
