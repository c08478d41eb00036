"""Running the survey estimator for the web page through the analysis API.

The page's choices become an :class:`analysis.EstimateSpec` and :func:`analysis.estimate`
computes the :class:`analysis.Report`, the same entry point ``python -m analysis estimate``
calls; the page also shows the equivalent command line (``analysis.cli.arguments_for``),
which reproduces the figures.  Uploaded files live only in a temporary directory that is
deleted before the page is sent.  The page caps each breakdown at ``MAX_LEVELS`` groups.
"""

from __future__ import annotations

import dataclasses
import shlex
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import surveys
from analysis import EstimateSpec, Report, SurveyError, estimate
from analysis.cli import arguments_for
from analysis.io import PlaceholderMarginsError, read_header
from analysis.options import CIMethod, LonelyPSU, choices
from quizapp.shared.charts import FONT_FAMILY, ROLE_COLOURS
from quizapp.shared.figures import num, pct, pct_range  # noqa: F401 - the page's helpers
from quizapp.shared.labels import language, survey_level_label, survey_level_rank

SURVEYS_DIR = Path(surveys.__file__).resolve().parent
DEMO_SURVEY = SURVEYS_DIR / "demo" / "simulated_survey.csv"
SHIPPED_MARGINS = SURVEYS_DIR / "margins" / "xinzheng_adults_18_69.csv"
# The grouping variables the survey files usually carry; each is used when the file has it.
STANDARD_BY = ("sex", "urban_rural", "age_band", "education", "group")
CI_METHODS = choices(CIMethod)
LONELY_PSU_RULES = choices(LonelyPSU)
MAX_NAME = 120
# More groups than this per breakdown is not a table or chart anyone can read on a page
# (and a column of ids chosen by mistake); the command line has no cap.
MAX_LEVELS = 200


@dataclass(frozen=True)
class Upload:
    """An uploaded file: the name the user's browser gave it, and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class EstimateRequest:
    """Everything the page asks for; a ``Path`` is a file shipped with the platform."""

    survey: Upload | Path
    margins: Upload | Path | None = None
    indicator: str = "meets"
    weight: str = "weight"
    strata: str = ""
    psu: str = ""
    fpc: str = ""
    by: tuple[str, ...] = ()  # used as given: a missing column is the estimator's error
    by_if_present: tuple[str, ...] = ()  # used only when the survey file has the column
    allow_placeholder_margins: bool = False
    ci: str = "logit"
    level: float = 0.95
    goal: float = 0.178
    lonely_psu: str = "fail"

    @property
    def simulated(self) -> bool:
        return self.survey == DEMO_SURVEY


@dataclass(frozen=True)
class EstimateResult:
    """The estimator's report and how it was made."""

    report: Report
    command: str  # the equivalent command line, with the file names the user knows
    skipped_by: tuple[str, ...]  # standard grouping variables the file does not have
    simulated: bool

    @property
    def json(self) -> str:
        """The report as ``--format json`` prints it."""
        return self.report.to_json()

    @property
    def placeholder_margins(self) -> list[dict[str, str]]:
        return [dataclasses.asdict(p) for p in self.report.method.placeholder_margins]


class EstimatorRefused(Exception):
    """The estimator refused the input; the message is its one line, with file names in
    place of temporary paths.  ``error`` is the estimator's exception (its type and
    figures say what was refused); ``placeholder`` tells a refusal of placeholder margins."""

    def __init__(self, message: str, error: SurveyError | None = None) -> None:
        super().__init__(message)
        self.error = error
        self.placeholder = isinstance(error, PlaceholderMarginsError)


def spec_for(request: EstimateRequest, survey: str, margins: str | None,
             by: list[str]) -> EstimateSpec:
    """The :class:`EstimateSpec` of ``request`` on these file paths."""
    return EstimateSpec(
        data=survey, outcome=request.indicator, weight=request.weight,
        strata=request.strata or None, psu=request.psu or None, fpc=request.fpc or None,
        by=tuple(by), margins=margins, allow_placeholder_margins=request.allow_placeholder_margins,
        ci=request.ci, level=request.level, goal=request.goal, lonely_psu=request.lonely_psu,
        max_levels=MAX_LEVELS)


def safe_filename(name: str, default: str) -> str:
    """The last part of an uploaded file's name, usable as a file name (else ``default``)."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = "".join(c for c in base if c.isprintable())
    if base in ("", ".", "..") or base.startswith("."):
        return default
    if len(base) > MAX_NAME:
        suffix = PurePosixPath(base).suffix[:10]
        base = base[: MAX_NAME - len(suffix)] + suffix
    return base


def _place(source: Upload | Path, directory: Path, default: str,
           names: dict[str, str]) -> str:
    """The path the estimator reads ``source`` from; records the name users see for it."""
    if isinstance(source, Path):
        names[str(source)] = str(source.relative_to(SURVEYS_DIR.parent))
        return str(source)
    directory.mkdir()
    path = directory / safe_filename(source.name, default)
    path.write_bytes(source.data)
    names[str(path)] = path.name
    return str(path)


def _by_list(request: EstimateRequest, survey: str) -> tuple[list[str], tuple[str, ...]]:
    """The breakdowns and the standard ones skipped because the file lacks them."""
    try:
        header = set(read_header(survey))
    except SurveyError:  # the estimator reports the unreadable file itself
        header = set()
    wanted = [v for v in request.by_if_present if v in header]
    skipped = tuple(v for v in request.by_if_present if v not in header) if header else ()
    return list(dict.fromkeys([*wanted, *request.by])), skipped


def _shown(message: str, names: dict[str, str]) -> str:
    for path, name in sorted(names.items(), key=lambda item: -len(item[0])):
        message = message.replace(path, name)
    return " ".join(message.split())


def run(request: EstimateRequest) -> EstimateResult:
    """Estimate what ``request`` asks for on its files (the analysis API, in-process).

    Raises :class:`EstimatorRefused` with the estimator's one-line message for bad input.
    """
    names: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="kexue-estimate-") as tmp:
        survey = _place(request.survey, Path(tmp) / "survey", "survey.csv", names)
        margins = (None if request.margins is None else
                   _place(request.margins, Path(tmp) / "margins", "margins.csv", names))
        by, skipped = _by_list(request, survey)
        try:
            spec = spec_for(request, survey, margins, by)
            report = estimate(spec)
        except SurveyError as error:
            raise EstimatorRefused(_shown(str(error), names), error) from None
    argv = arguments_for(spec, names[survey], names[margins] if margins else None)
    command = shlex.join(["python", "-m", "analysis", *argv])
    return EstimateResult(report, command, skipped, request.simulated)


# --- presentation helpers (plain functions, tested without a request) --------------------------

def chinese() -> bool:
    """Whether the page is in Chinese (lists are then joined with 、)."""
    return language() == "zh"


def labelled_domains(by: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The report's domain rows of each breakdown in their label table's order (education
    from the lowest level up, age bands ascending, the plan's order of groups), each with the
    ``label`` pages show for its ``level`` code."""
    return {key: [dict(row, label=survey_level_label(key, row["level"]))
                  for row in sorted(rows, key=lambda r: survey_level_rank(key, r["level"]))]
            for key, rows in by.items()}


def _percent(x: float | None) -> float | None:
    return None if x is None else round(100 * x, 4)


def _tick(label: str, width: int = 18) -> str:
    """A label as an axis label that fits beside a phone's chart: wrapped between words,
    never inside one (a Chinese label has no spaces and stays whole)."""
    return "<br>".join(textwrap.wrap(label, width, break_long_words=False,
                                     break_on_hyphens=False)) or label


def chart_figures(report: dict[str, Any], titles: dict[str, str], *, points_label: str,
                  goal_label: str, overall_label: str) -> list[dict[str, Any]]:
    """One Plotly figure per ``by`` variable: the domain shares (in %) as points with their
    interval as error bars, a dashed line at the goal and a dotted line at the overall share
    with its interval as a band.  The groups are rows (their names on the left, where a phone
    has room for them whole; the first on top), the shares run across.  ``titles`` maps each
    variable to its (translated) title; the labels name the points and the two lines in the
    legend; a row's ``label`` (else its ``level``) names it."""
    goal, overall = _percent(report["goal"]), _percent(report["estimate"])
    low, high = _percent(report["ci_low"]), _percent(report["ci_high"])
    figures = []
    for key, rows in report["by"].items():
        levels = [str(r["level"]) for r in rows]
        names = [str(r.get("label", r["level"])) for r in rows]
        x = [_percent(r["estimate"]) for r in rows]
        up = [None if r["ci_high"] is None or r["estimate"] is None
              else _percent(r["ci_high"] - r["estimate"]) for r in rows]
        down = [None if r["ci_low"] is None or r["estimate"] is None
                else _percent(r["estimate"] - r["ci_low"]) for r in rows]
        tops = [v for v in [goal, high, *[_percent(r["ci_high"]) for r in rows], *x]
                if v is not None]
        traces: list[dict[str, Any]] = [
            {"type": "scatter", "mode": "markers", "x": x, "y": levels, "name": points_label,
             "customdata": names, "marker": {"size": 10, "color": ROLE_COLOURS["estimate"]},
             "error_x": {"type": "data", "symmetric": False, "array": up, "arrayminus": down,
                         "color": ROLE_COLOURS["estimate"], "thickness": 1.5},
             "hovertemplate": "%{customdata}: %{x:.2f}%<extra></extra>"}]
        shapes: list[dict[str, Any]] = []
        if low is not None and high is not None:
            shapes.append({"type": "rect", "yref": "paper", "y0": 0, "y1": 1, "x0": low,
                           "x1": high, "fillcolor": ROLE_COLOURS["overall"], "opacity": 0.15,
                           "line": {"width": 0}, "layer": "below"})
        # the lines are shapes across the whole plot; empty traces give them a legend entry
        for value, label, style in ((overall, overall_label, {"color": ROLE_COLOURS["overall"],
                                                           "dash": "dot"}),
                                    (goal, goal_label, {"color": ROLE_COLOURS["goal"],
                                                        "dash": "dash",
                                                        "width": 2})):
            if value is None:
                continue
            shapes.append({"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": value,
                           "x1": value, "line": style})
            traces.append({"type": "scatter", "mode": "lines", "x": [None], "y": [None],
                           "name": label, "line": style, "hoverinfo": "skip"})
        figures.append({
            "data": traces,
            "layout": {"font": {"family": FONT_FAMILY},
                       "title": {"text": titles.get(key, key), "font": {"size": 14},
                                 "x": 0, "xanchor": "left", "xref": "container", "y": 1,
                                 "yanchor": "top", "yref": "container", "pad": {"t": 6, "l": 4}},
                       "xaxis": {"title": {"text": "%"}, "rangemode": "tozero",
                                 "range": [0, 1.15 * max(tops, default=1.0)]},
                       "yaxis": {"type": "category", "tickfont": {"size": 12},
                                 "tickvals": levels, "ticktext": [_tick(n) for n in names],
                                 "range": [len(levels) - 0.5, -0.5], "automargin": True},
                       "shapes": shapes, "showlegend": True,
                       "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom",
                                  "font": {"size": 11}},
                       "margin": {"t": 110, "r": 10, "b": 40, "l": 10},
                       "height": 170 + 34 * len(levels)},
        })
    return figures
