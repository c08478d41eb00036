"""Charts: one model, drawn by Plotly in the browser (:func:`to_plotly`) and as a static SVG
in reports (:mod:`quizapp.shared.svg_charts`), with a table as its text alternative.

A :class:`Chart` is plain data: what to draw (its points, its reference lines or series), not
how.  Every chart uses the palette and the font stack below, so they look the same on every
page, in PNG and SVG downloads and in the PDF.

Palette: Okabe & Ito (2008), *Color Universal Design*, eight colours told apart by people with
the common colour-vision deficiencies.  Roles keep their colour everywhere: the survey's
estimate blue, the goal vermilion, national figures bluish green, the province reddish purple,
the prefecture orange.  Colour is never the only cue: the goal is a dashed line, flagged
estimates are hollow markers and say so in the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
# The order Plotly gives traces their colours (yellow last: weak on white).
COLORWAY = tuple(OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion",
                                         "reddish_purple", "sky_blue", "black", "yellow"))
ROLE_COLOURS = {
    "estimate": OKABE_ITO["blue"], "goal": OKABE_ITO["vermillion"],
    "national": OKABE_ITO["bluish_green"], "province": OKABE_ITO["reddish_purple"],
    "prefecture": OKABE_ITO["orange"], "overall": OKABE_ITO["sky_blue"],
    "other": OKABE_ITO["black"],
}
ROLE_SYMBOLS = {"estimate": "circle", "national": "square", "province": "diamond",
                "prefecture": "triangle-up", "overall": "circle", "other": "x"}
GRID = "#d9d9d9"
INK = "#1b1f24"
# A CJK-capable stack: Chinese labels render on Android, iOS, Windows, macOS and Linux, and in
# the PNG/SVG downloads (drawn with the browser's fonts); the PDF embeds the server's CJK font.
FONT_FAMILY = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
               '"Microsoft YaHei", "WenQuanYi Micro Hei", "Droid Sans Fallback", sans-serif')

INTERVALS, BARS, TREND = "intervals", "bars", "trend"
HEATMAP, SCATTER = "heatmap", "scatter"
# Several like series (classes of a school): roles "series-0", "series-1", … take the
# palette's colours and symbols in this order (blue and sky blue are kept for the estimate
# and the overall figure; yellow, weak on white, is left out).
SERIES_COLOURS = tuple(OKABE_ITO[k] for k in ("orange", "bluish_green", "vermillion",
                                               "reddish_purple", "black", "blue"))
SERIES_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")
# A count heat map: white to the palette's blue (one hue, read by colour-blind people too).
HEAT_SCALE = [[0.0, "#ffffff"], [1.0, OKABE_ITO["blue"]]]


def role_colour(role: str) -> str:
    """The colour of a role (:data:`ROLE_COLOURS`; ``series-N``: the N-th series colour)."""
    if role.startswith("series-") and role[7:].isdigit():
        return SERIES_COLOURS[int(role[7:]) % len(SERIES_COLOURS)]
    return ROLE_COLOURS.get(role, INK)


def role_symbol(role: str) -> str:
    """The marker of a role (``series-N``: the N-th series symbol)."""
    if role.startswith("series-") and role[7:].isdigit():
        return SERIES_SYMBOLS[int(role[7:]) % len(SERIES_SYMBOLS)]
    return ROLE_SYMBOLS.get(role, "circle")


def _line_dash(role: str) -> str:
    return "solid" if role == "estimate" or role.startswith("series-") else "dot"

# Units besides "%" (shares) and "pp" (percentage points): people or attempts counted, and
# rates such as participants per 10,000 residents (one decimal).
COUNT, RATE = "count", "rate"


@dataclass(frozen=True)
class Point:
    """One row of a chart: ``value`` (a share 0-1 for percent charts, points for ``pp``) with
    its interval; ``note`` says why it is flagged or missing; ``role`` picks its colour."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    note: str = ""
    flagged: bool = False
    role: str = "estimate"
    x: float | None = None  # a :data:`SCATTER` point's x value (``value`` is its y)


@dataclass(frozen=True)
class Reference:
    """A line across the chart at ``value`` (the goal, an overall figure); on a
    :data:`SCATTER` chart ``axis="x"`` draws it across the x axis."""

    label: str
    value: float
    role: str = "goal"
    axis: str = "value"


@dataclass(frozen=True)
class Grid:
    """A :data:`HEATMAP`'s cells: ``values[i][j]`` is row ``rows[i]``, column ``columns[j]``
    (a count; ``None``: no cell)."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]


@dataclass(frozen=True)
class Series:
    """A line over ``points`` (their labels are the x values, e.g. years)."""

    label: str
    points: tuple[Point, ...]
    role: str = "estimate"


@dataclass(frozen=True)
class Chart:
    """What one chart shows.

    ``kind``: :data:`INTERVALS` (a dot per row with its interval, rows down the page),
    :data:`BARS` (a bar per row), :data:`TREND` (series over x values: years, or dates as
    categories in order with ``x_type="category"``), :data:`SCATTER` (a dot per point at
    (``x``, ``value``)) or :data:`HEATMAP` (the counts of ``grid``).  ``unit``: ``"%"``
    (values are shares, drawn as percentages), ``"pp"`` (percentage points, or any plain
    number, drawn as they are), :data:`COUNT` (whole numbers) or :data:`RATE` (a rate such as
    per 10,000, one decimal); ``x_unit`` the same for a scatter's x values.  ``key`` names the
    chart's element and its downloaded files.
    """

    key: str
    title: str
    kind: str
    value_label: str
    points: tuple[Point, ...] = ()
    references: tuple[Reference, ...] = ()
    series: tuple[Series, ...] = ()
    unit: str = "%"
    label_header: str = ""
    interval_label: str = ""
    note_label: str = ""
    x_label: str = ""
    caption: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    grid: Grid | None = None
    x_type: str = "linear"  # a trend's x axis: "linear" (years) or "category" (ISO dates)
    x_unit: str = "%"

    def shown(self, value: float | None) -> float | None:
        """A value as drawn: shares in percent, rounded for the screen."""
        if value is None:
            return None
        return round(100 * value, 3) if self.unit == "%" else round(value, 4)

    def text(self, value: float | None, digits: int = 1) -> str:
        """A value as the table writes it: ``18.9%``, ``0.45``; ``—`` when missing."""
        if value is None:
            return "—"
        if self.unit == "%":
            return f"{100 * value:.{digits}f}%"
        if self.unit == COUNT:
            return f"{value:,.0f}"
        if self.unit == RATE:
            return f"{value:,.{digits}f}"
        return f"{value:.2f}"

    def table(self) -> tuple[list[str], list[list[str]]]:
        """The chart as a table (its text alternative): a header and one row per point (each
        series' points, then the reference lines); a heat map's rows and columns as they are;
        a scatter's label, x, value and note per point."""
        if self.kind == HEATMAP and self.grid is not None:
            return ([self.label_header, *self.grid.columns],
                    [[row, *("—" if v is None else f"{v:g}" for v in values)]
                     for row, values in zip(self.grid.rows, self.grid.values, strict=True)])
        if self.kind == SCATTER:
            x_chart = Chart(self.key, "", SCATTER, "", unit=self.x_unit)
            header = [self.label_header, self.x_label, self.value_label]
            if self.note_label:
                header.append(self.note_label)
            return header, [[p.label, x_chart.text(p.x), self.text(p.value),
                             *([p.note] if self.note_label else [])] for p in self.points]
        header = [self.label_header, self.value_label]
        if self.interval_label:
            header.append(self.interval_label)
        if self.note_label:
            header.append(self.note_label)
        rows = []

        def row(label: str, p: Point) -> list[str]:
            cells = [label, self.text(p.value)]
            if self.interval_label:
                cells.append("—" if p.low is None or p.high is None
                             else f"{self.text(p.low)} – {self.text(p.high)}")
            if self.note_label:
                cells.append(p.note)
            return cells

        for p in self.points:
            rows.append(row(p.label, p))
        for s in self.series:
            for p in s.points:
                rows.append(row(f"{s.label} · {p.label}", p))
        for ref in self.references:
            rows.append(row(ref.label, Point(ref.label, ref.value, role=ref.role)))
        return header, rows


# --- Plotly ------------------------------------------------------------------------------


def base_layout(**overrides: Any) -> dict[str, Any]:
    """The layout every chart starts from: the palette, the CJK font stack, small margins."""
    layout: dict[str, Any] = {
        "font": {"family": FONT_FAMILY, "size": 13, "color": INK},
        "colorway": list(COLORWAY),
        "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
        "margin": {"t": 40, "r": 16, "b": 40, "l": 10},
        "legend": {"orientation": "h", "x": 0, "y": -0.12, "yanchor": "top",
                   "font": {"size": 12}},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
    }
    layout.update(overrides)
    return layout


def _title(chart: Chart) -> dict[str, Any]:
    """The chart's title in the image (PNG/SVG downloads carry it), below the mode bar's row
    so the buttons never cover it on a phone."""
    return {"text": chart.title, "x": 0, "xanchor": "left", "xref": "container", "y": 1,
            "yanchor": "top", "yref": "container", "pad": {"t": 34, "l": 4},
            "font": {"size": 14}}


def wrap_label(label: str, width: int = 8) -> str:
    """A long row label on two lines (phones): after ``: `` or before ``（``/`` (``."""
    if len(label) <= width:
        return label
    for mark, keep in ((": ", ":"), ("：", "："), ("（", None), (" (", None)):
        at = label.find(mark)
        if 0 < at < len(label) - len(mark):
            if keep is None:
                return f"{label[:at]}<br>{label[at:].strip()}"
            return f"{label[:at]}{keep}<br>{label[at + len(mark):]}"
    return label


def wrap_words(label: str, latin: int = 9, cjk: int = 3) -> str:
    """A label on narrow lines (phones): Latin words on lines of about ``latin`` characters;
    Chinese (no spaces) in even pieces of at most ``cjk`` characters (产业<br>工人)."""
    if " " not in label:
        if label.isascii() or len(label) <= cjk:
            return label
        lines = -(-len(label) // cjk)
        size = -(-len(label) // lines)
        return "<br>".join(label[i:i + size] for i in range(0, len(label), size))
    lines_: list[str] = []
    for word in label.split():
        if lines_ and len(lines_[-1]) + 1 + len(word) <= latin:
            lines_[-1] += " " + word
        else:
            lines_.append(word)
    return "<br>".join(lines_)


def _error(chart: Chart, points: Sequence[Point]) -> dict[str, Any] | None:
    if not any(p.low is not None and p.high is not None for p in points):
        return None
    up = [None if p.value is None or p.high is None else chart.shown(p.high - p.value)
          for p in points]
    down = [None if p.value is None or p.low is None else chart.shown(p.value - p.low)
            for p in points]
    return {"type": "data", "symmetric": False, "array": up, "arrayminus": down,
            "thickness": 1.5, "width": 4}


def _value_axis(chart: Chart) -> dict[str, Any]:
    """Percent axes say so on every tick; a points axis is titled (its unit is not obvious)."""
    if chart.unit == "%":
        return {"ticksuffix": "%"}
    axis: dict[str, Any] = {"title": {"text": chart.value_label, "font": {"size": 12}}}
    if chart.unit == COUNT:  # whole people or attempts: no 0.5 ticks
        axis["tickformat"] = ",d"
        if _top(chart) <= 8:
            axis["dtick"] = 1
    return axis


def _hover(chart: Chart) -> str:
    if chart.unit == "%":
        return "%{y}: %{x:.1f}%<extra></extra>"
    if chart.unit == COUNT:
        return "%{y}: %{x:,.0f}<extra></extra>"
    if chart.unit == RATE:
        return "%{y}: %{x:,.1f}<extra></extra>"
    return "%{y}: %{x:.2f}<extra></extra>"


def _reference_shapes(chart: Chart, vertical: bool) -> list[dict[str, Any]]:
    shapes = []
    for ref in chart.references:
        at = chart.shown(ref.value)
        line = {"color": ROLE_COLOURS.get(ref.role, INK), "width": 2,
                "dash": "dash" if ref.role == "goal" else "dot"}
        shape = {"type": "line", "name": ref.label, "showlegend": True, "line": line,
                 "layer": "below"}
        if vertical:
            shape.update(xref="x", yref="paper", x0=at, x1=at, y0=0, y1=1)
        else:
            shape.update(xref="paper", yref="y", x0=0, x1=1, y0=at, y1=at)
        shapes.append(shape)
    return shapes


def _top(chart: Chart) -> float:
    values = [chart.shown(v) for p in (*chart.points, *(q for s in chart.series
                                                          for q in s.points))
              for v in (p.value, p.high) if v is not None]
    values += [chart.shown(r.value) for r in chart.references]
    return max([v for v in values if v is not None], default=1.0) or 1.0


def rows_height(chart: Chart) -> int:
    """The height of a rows chart (intervals, bars): its rows and its legend's lines.  A chart
    drawn beside another on the same rows takes the larger of the two in
    ``extra["height"]``, so that their rows line up."""
    legend_rows = len(chart.references) + any(p.flagged for p in chart.points)
    return 130 + 38 * max(len(chart.points), 1) + 24 * legend_rows


def _rows_figure(chart: Chart) -> dict[str, Any]:
    """Intervals and bars: a row per point, the first at the top."""
    labels = [p.label for p in chart.points]
    traces: list[dict[str, Any]] = []
    by_role: dict[tuple[str, bool], list[Point]] = {}
    for p in chart.points:
        by_role.setdefault((p.role, p.flagged), []).append(p)
    for (role, flagged), points in by_role.items():
        colour = ROLE_COLOURS.get(role, INK)
        name = points[0].note if flagged else (
            chart.value_label if role == "estimate" else points[0].label)
        # the rows name themselves; only "hollow = flagged" needs a legend entry
        legend = flagged
        if chart.kind == BARS:
            trace: dict[str, Any] = {
                "type": "bar", "orientation": "h", "y": [p.label for p in points],
                "x": [chart.shown(p.value) for p in points], "name": name,
                "showlegend": legend,
                "marker": {"color": colour if not flagged else "#ffffff",
                           "line": {"color": colour, "width": 1.5}},
                "hovertemplate": _hover(chart)}
        else:
            trace = {
                "type": "scatter", "mode": "markers", "y": [p.label for p in points],
                "x": [chart.shown(p.value) for p in points], "name": name,
                "showlegend": legend,
                "marker": {"size": 11, "color": "#ffffff" if flagged else colour,
                           "symbol": ROLE_SYMBOLS.get(role, "circle"),
                           "line": {"color": colour, "width": 2}},
                "hovertemplate": _hover(chart)}
        error = _error(chart, points)
        if error is not None:
            trace["error_x"] = {**error, "color": colour}
        traces.append(trace)
    height = chart.extra.get("height") or rows_height(chart)
    return {
        "data": traces,
        "layout": base_layout(
            title=_title(chart), height=height, barmode="overlay", showlegend=True,
            margin={"t": 76, "r": 16, "b": 30, "l": 10},
            xaxis={**_value_axis(chart), "rangemode": "tozero",
                   "range": [0, 1.12 * _top(chart)], "gridcolor": GRID, "zeroline": True,
                   "fixedrange": True, "automargin": True},
            yaxis={"type": "category", "categoryorder": "array",
                   "categoryarray": list(reversed(labels)), "automargin": True,
                   "tickvals": labels, "ticktext": [wrap_label(lb) for lb in labels],
                   "fixedrange": True},
            shapes=_reference_shapes(chart, vertical=True),
            annotations=[{"x": 0, "y": p.label, "xref": "x", "yref": "y", "text": p.note,
                          "xanchor": "left", "showarrow": False,
                          "font": {"size": 11, "color": "#595959"}}
                         for p in chart.points if p.value is None and p.note]),
    }


def _trend_figure(chart: Chart) -> dict[str, Any]:
    traces = []
    for s in chart.series:
        colour = role_colour(s.role)
        trace: dict[str, Any] = {
            "type": "scatter", "mode": "lines+markers", "name": s.label,
            "x": [p.label for p in s.points], "y": [chart.shown(p.value) for p in s.points],
            "line": {"color": colour, "width": 2, "dash": _line_dash(s.role)},
            "marker": {"size": 9, "color": colour, "symbol": role_symbol(s.role)},
            "hovertemplate": "%{x}: %{y:.2f}%<extra>" + s.label + "</extra>"}
        error = _error(chart, s.points)
        if error is not None:
            trace["error_y"] = {**error, "color": colour}
        traces.append(trace)
    return {
        "data": traces,
        "layout": base_layout(
            title=_title(chart), height=420, showlegend=True,
            margin={"t": 76, "r": 16, "b": 30, "l": 10},
            xaxis={"type": chart.x_type, **({"dtick": 2} if chart.x_type == "linear" else {}),
                   # categories (ISO dates) in their order, one tick each
                   **({"categoryorder": "category ascending"}
                      if chart.x_type == "category" else {}),
                   "gridcolor": GRID, "fixedrange": True, "automargin": True},
            yaxis={**_value_axis(chart), "rangemode": "tozero",
                   "range": [0, 1.12 * _top(chart)], "gridcolor": GRID, "fixedrange": True,
                   "automargin": True},
            shapes=_reference_shapes(chart, vertical=False)),
    }


def _scatter_figure(chart: Chart) -> dict[str, Any]:
    """A dot per point at (x, value), hollow when flagged; references on either axis."""
    x_chart = Chart(chart.key, "", SCATTER, "", unit=chart.x_unit)
    traces = []
    by_role: dict[tuple[str, bool], list[Point]] = {}
    for p in chart.points:
        by_role.setdefault((p.role, p.flagged), []).append(p)
    x_hover = "%{x:.1f}%" if chart.x_unit == "%" else "%{x:.2f}"
    y_hover = "%{y:.1f}%" if chart.unit == "%" else "%{y:.2f}"
    for (role, flagged), points in by_role.items():
        colour = role_colour(role)
        traces.append({
            "type": "scatter", "mode": "markers",
            "name": chart.extra.get("flagged_label", points[0].note) if flagged
            else chart.value_label, "showlegend": flagged,
            "x": [x_chart.shown(p.x) for p in points], "y": [chart.shown(p.value) for p in points],
            "text": [p.label for p in points],
            "marker": {"size": 8, "color": "#ffffff" if flagged else colour,
                       "symbol": role_symbol(role), "opacity": 0.85,
                       "line": {"color": colour, "width": 1.5}},
            "hovertemplate": f"%{{text}}: {x_hover}, {y_hover}<extra></extra>"})
    shapes = []
    for ref in chart.references:
        line = {"color": role_colour(ref.role), "width": 1.5,
                "dash": "dash" if ref.role == "goal" else "dot"}
        if ref.axis == "x":
            at = x_chart.shown(ref.value)
            shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": at, "x1": at,
                           "y0": 0, "y1": 1, "line": line, "layer": "below",
                           "name": ref.label})
        else:
            at = chart.shown(ref.value)
            shapes.append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                           "y0": at, "y1": at, "line": line, "layer": "below",
                           "name": ref.label})
    x_axis = {"ticksuffix": "%"} if chart.x_unit == "%" else {}
    return {
        "data": traces,
        "layout": base_layout(
            title=_title(chart), height=440, showlegend=any(p.flagged for p in chart.points),
            margin={"t": 90, "r": 16, "b": 40, "l": 10},
            legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top",
                    "font": {"size": 12}},
            xaxis={**x_axis, "title": {"text": chart.x_label, "font": {"size": 12}},
                   "gridcolor": GRID, "fixedrange": True, "automargin": True,
                   **({"range": [0, 100]} if chart.x_unit == "%" else {})},
            yaxis={"title": {"text": chart.value_label, "font": {"size": 12}},
                   "gridcolor": GRID, "zeroline": True, "fixedrange": True,
                   "automargin": True},
            shapes=shapes,
            annotations=[{"xref": "x", "yref": "paper", "x": x_chart.shown(r.value), "y": 1,
                          "yanchor": "bottom", "yshift": 14 * k, "text": r.label,
                          "showarrow": False, "font": {"size": 10, "color": "#595959"}}
                         for k, r in enumerate(r for r in chart.references if r.axis == "x")]),
    }


def _heatmap_figure(chart: Chart) -> dict[str, Any]:
    """The grid's counts as coloured cells with their numbers written in (so colour is never
    the only cue), rows down the page in the grid's order."""
    grid = chart.grid or Grid((), (), ())
    top = max((v for row in grid.values for v in row if v is not None), default=0) or 1
    return {
        "data": [{
            "type": "heatmap", "x": list(grid.columns), "y": list(grid.rows),
            "z": [list(row) for row in grid.values], "zmin": 0, "zmax": top,
            "colorscale": HEAT_SCALE, "showscale": False, "xgap": 1, "ygap": 1,
            "texttemplate": "%{z}", "textfont": {"size": 11},
            "hovertemplate": "%{y} · %{x}: %{z}<extra></extra>"}],
        "layout": base_layout(
            title=_title(chart), height=130 + 34 * max(len(grid.rows), 1),
            margin={"t": 110, "r": 8, "b": 10, "l": 10},
            xaxis={"side": "top", "type": "category", "fixedrange": True, "automargin": True,
                   "tickangle": 0, "tickfont": {"size": 10},
                   "ticktext": [wrap_words(c) for c in grid.columns],
                   "tickvals": list(grid.columns)},
            yaxis={"type": "category", "autorange": "reversed", "fixedrange": True,
                   "automargin": True, "tickfont": {"size": 12},
                   "ticktext": [wrap_words(r, 14, 99) for r in grid.rows],
                   "tickvals": list(grid.rows)}),
    }


def to_plotly(chart: Chart) -> dict[str, Any]:
    """The chart as a Plotly figure (``data`` and ``layout``), JSON-ready."""
    if chart.kind == HEATMAP:
        return _heatmap_figure(chart)
    if chart.kind == SCATTER:
        return _scatter_figure(chart)
    if chart.kind == TREND:
        return _trend_figure(chart)
    if chart.kind in (INTERVALS, BARS):
        return _rows_figure(chart)
    raise ValueError(f"unknown chart kind {chart.kind!r}")
