"""The city literacy dashboard: where Xinzheng stands against its 17.8% goal, built only from
stored, published estimate runs.

Every share, interval, flag and verdict is the stored run's, read through
:func:`run_pages.estimate_page` (the estimate run page's own reading, so the two pages cannot
disagree); the trend is :func:`estimate_runs.trend_rows`; the published national, provincial
and prefecture figures come from :mod:`surveys.published_rates`.  The one thing added is each
domain's share of the population, W_d, summed from the run's own final weights, for
:mod:`surveys.levers` ("what would move the number most").

``public``: the version anyone may see; domains with fewer than ``min_n`` respondents or a
coefficient of variation above ``max_cv`` lose their figures (and their lever), as on the
estimate run's public view.  The internal version shows them, flagged.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from quizapp.extensions import db
from quizapp.models import SurveyEstimateRun, SurveyWave, SurveyWeightingRun
from quizapp.shared import charts
from quizapp.shared.charts import Chart, Point, Reference, Series
from quizapp.surveys import estimate_runs, run_pages, weighting_runs
from surveys import levers as lever_rules
from surveys import published_rates
from surveys.estimation import BREAKDOWNS

LEVERS_SHOWN = 10
PLACE_LABELS = {"China": _l("National"), "Henan": _l("Henan province"),
                "Zhengzhou": _l("Zhengzhou")}
ROLE_OF_LEVEL = {published_rates.NATIONAL: "national", published_rates.PROVINCE: "province",
                 published_rates.PREFECTURE: "prefecture"}


@dataclass(frozen=True)
class DomainSection:
    """One breakdown: its rows as the estimate run page shows them, and its chart."""

    key: str
    label: str
    rows: list
    chart: Chart


@dataclass(frozen=True)
class LeverRow:
    """A lever with its labels; ``flag`` the domain's flag text (internal page only)."""

    breakdown_label: str
    level_label: str
    lever: lever_rules.Lever
    flag: str | None


@dataclass(frozen=True)
class CityPage:
    public: bool
    run: SurveyEstimateRun | None = None
    wave: SurveyWave | None = None
    estimate: run_pages.EstimatePage | None = None
    verdict: tuple[str, str] | None = None
    headline_chart: Chart | None = None
    domains: list[DomainSection] = field(default_factory=list)
    trend_chart: Chart | None = None
    trend: list = field(default_factory=list)
    levers: list[LeverRow] = field(default_factory=list)
    levers_chart: Chart | None = None
    levers_refused: str | None = None
    step: float = lever_rules.DEFAULT_STEP

    @property
    def charts(self) -> list[Chart]:
        found = [self.headline_chart, *(d.chart for d in self.domains), self.trend_chart,
                 self.levers_chart]
        return [c for c in found if c is not None]


def latest_published() -> SurveyEstimateRun | None:
    """The published run of the most recent wave (by year), or None."""
    runs = estimate_runs.published_runs()
    return runs[-1] if runs else None


def _place(rate: published_rates.PublishedRate) -> str:
    return _("%(place)s (%(year)s)", place=PLACE_LABELS.get(rate.place, rate.place),
             year=rate.year)


def city_label(wave: SurveyWave) -> str:
    return _("Xinzheng, this survey (%(year)s)", year=wave.year)


def headline_chart(page: run_pages.EstimatePage) -> Chart:
    """The city's share and interval beside the latest published national, provincial and
    prefecture figures, against the goal line."""
    h = page.headline
    points = [Point(city_label(page.wave), h.get("estimate"), h.get("ci_low"), h.get("ci_high"),
                    note=_("suppressed") if h.get("estimate") is None else "")]
    for level in (published_rates.NATIONAL, published_rates.PROVINCE,
                  published_rates.PREFECTURE):
        rate = published_rates.latest(level)
        if rate is not None:
            points.append(Point(_place(rate), rate.share, note=_("published figure"),
                                role=ROLE_OF_LEVEL[level]))
    goal = h.get("goal") if h.get("goal") is not None else published_rates.CITY_GOAL.share
    return Chart(
        key="city-headline", title=_("Share meeting the standard against the goal"),
        kind=charts.INTERVALS, value_label=_("Share meeting the standard"),
        label_header=_("Where"), interval_label=_("Confidence interval (95%)"),
        note_label=_("Note"),
        points=tuple(points), references=(Reference(goal_label(goal), goal, "goal"),))


def goal_label(goal: float) -> str:
    return _("Goal %(goal)s (2025)", goal=f"{100 * goal:.1f}%")


def domain_chart(key: str, label: str, rows: list, page: run_pages.EstimatePage) -> Chart:
    """One breakdown's domains with their intervals; flagged ones hollow, suppressed ones
    empty with the reason; the goal and the city's share as lines."""
    h = page.headline
    points = tuple(Point(row.level, row.estimate, row.ci_low, row.ci_high,
                         note=(row.flag or "") if row.estimate is not None else
                         _("suppressed: %(why)s", why=row.flag) if row.flag else "—",
                         flagged=row.flag is not None and row.estimate is not None)
                   for row in rows)
    refs = []
    if h.get("goal") is not None:
        refs.append(Reference(goal_label(h["goal"]), h["goal"], "goal"))
    if h.get("estimate") is not None:
        refs.append(Reference(_("City %(share)s", share=f"{100 * h['estimate']:.1f}%"),
                              h["estimate"], "overall"))
    return Chart(key=f"city-{key}", title=_("By %(variable)s", variable=label),
                 kind=charts.INTERVALS, value_label=_("Share meeting the standard"),
                 label_header=label, interval_label=_("Confidence interval (95%)"),
                 note_label=_("Note"),
                 points=points, references=tuple(refs))


def trend_chart(trend: list, goal: float | None) -> Chart:
    """The city's published waves with their intervals, the national and provincial series,
    and the goal."""
    city = tuple(Point(str(wave.year), row.share, row.ci_low, row.ci_high)
                 for _run, wave, row in trend)
    series = [Series(_("Xinzheng (this survey)"), city, "estimate")]
    for level in (published_rates.NATIONAL, published_rates.PROVINCE):
        rates = published_rates.series(level)
        if rates:
            series.append(Series(
                _("%(place)s (published)", place=PLACE_LABELS.get(rates[0].place,
                                                                    rates[0].place)),
                tuple(Point(str(r.year), r.share) for r in rates), ROLE_OF_LEVEL[level]))
    goal = published_rates.CITY_GOAL.share if goal is None else goal
    return Chart(key="city-trend", title=_("Trend across published waves"), kind=charts.TREND,
                 value_label=_("Share meeting the standard"), label_header=_("Wave"),
                 interval_label=_("Confidence interval (95%)"), x_label=_("Year"),
                 series=tuple(series),
                 references=(Reference(goal_label(goal), goal, "goal"),))


# --- population shares and levers ---------------------------------------------------------

@dataclass(frozen=True)
class WeightedFileSummary:
    """What the dashboard and the report read from a run's weighted file: W_d of every domain
    of every breakdown, and the strata and PSUs with respondents."""

    shares: dict[str, dict[str, float]]
    strata: int
    psus: int


_SUMMARIES: OrderedDict[tuple[int, str], WeightedFileSummary] = OrderedDict()
_SUMMARIES_KEPT = 16
_SUMMARIES_LOCK = threading.Lock()


def weighted_file_summary(weighting_run: SurveyWeightingRun) -> WeightedFileSummary:
    """The summary of the weighting run's weighted file (its stored final weights and its
    rebuilt cases file, ``weighting_runs.weighted_file``: refused when the cases have changed
    since the run).  Kept per process: a stored run's weighted file never changes."""
    key = (weighting_run.id, weighting_run.input_sha256)
    with _SUMMARIES_LOCK:
        found = _SUMMARIES.get(key)
    if found is not None:
        return found
    data = weighting_runs.weighted_file(weighting_run)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    psus = {(row["stratum"], row["psu"]) for row in rows}
    found = WeightedFileSummary(lever_rules.population_shares(rows, BREAKDOWNS),
                                len({stratum for stratum, _psu in psus}), len(psus))
    with _SUMMARIES_LOCK:
        _SUMMARIES[key] = found
        while len(_SUMMARIES) > _SUMMARIES_KEPT:
            _SUMMARIES.popitem(last=False)
    return found


def population_shares(weighting_run: SurveyWeightingRun) -> dict[str, dict[str, float]]:
    """W_d of every domain of every breakdown, from the run's final weights."""
    return weighted_file_summary(weighting_run).shares


def lever_rows(page: run_pages.EstimatePage, public: bool, step: float
               ) -> tuple[list[LeverRow], str | None]:
    """Every domain's lever with its labels, largest first; a public page leaves flagged
    domains out.  (rows, None) or ([], the reason they cannot be shown)."""
    result = page.result
    goal = page.headline.get("goal")
    if goal is None:
        return [], _("The run has no goal to measure gaps against.")
    try:
        shares = population_shares(page.weighting_run)
    except weighting_runs.RunRefused as error:
        return [], str(error)
    flags = result.flags("meets")
    townships = run_pages.township_names()
    estimates = {b.key: [(row.level, row.estimate, flags[(b.key, row.level)])
                         for row in b.rows
                         if not (public and flags[(b.key, row.level)] is not None)]
                 for b in result.headline.by}
    rows = []
    for lever in lever_rules.levers(estimates, shares, goal, step):
        flag = run_pages.flag_text(lever.flag, result.settings)
        rows.append(LeverRow(
            str(run_pages.BREAKDOWN_LABELS.get(lever.breakdown, lever.breakdown)),
            run_pages.level_label(lever.breakdown, lever.level, townships), lever, flag))
    return rows, None


def levers_chart(rows: list[LeverRow]) -> Chart | None:
    shown = [r for r in rows if r.lever.to_goal > 0][:LEVERS_SHOWN]
    if not shown:
        return None
    return Chart(
        key="city-levers", title=_("What would move the city's share most"), kind=charts.BARS,
        unit="pp", value_label=_("City points gained if the group reached the goal"),
        label_header=_("Group"), note_label=_("Note"),
        points=tuple(Point(f"{r.breakdown_label}: {r.level_label}", 100 * r.lever.to_goal,
                           note=r.flag or "", flagged=r.flag is not None) for r in shown))


# --- the page -----------------------------------------------------------------------------

def verdict_words(headline: dict) -> tuple[str, str] | None:
    """The test against the goal in words (heading, sentence), or None without a verdict."""
    if not headline.get("verdict"):
        return None
    title, sentence = run_pages.VERDICTS[headline["verdict"]]
    return str(title), str(sentence) % {"goal": f"{100 * headline['goal']:.1f}%",
                                        "level": "95%"}


def domain_sections(page) -> list[DomainSection]:
    """One section (rows and chart) per breakdown of the share meeting the standard."""
    sections = []
    for key, rows in page.domains["meets"].items():
        label = str(run_pages.BREAKDOWN_LABELS.get(key, key))
        sections.append(DomainSection(key, label, rows, domain_chart(key, label, rows, page)))
    return sections


def city_page(public: bool, step: float = lever_rules.DEFAULT_STEP) -> CityPage:
    """The dashboard of the latest published run (an empty page when none is published)."""
    run = latest_published()
    if run is None:
        return CityPage(public=public)
    wave = db.session.get(SurveyWave, run.wave_id)
    page = run_pages.estimate_page(wave, run, public=public)
    verdict = verdict_words(page.headline)
    domains = domain_sections(page)
    trend = estimate_runs.trend_rows()
    levers, refused = lever_rows(page, public, step)
    return CityPage(
        public=public, run=run, wave=wave, estimate=page, verdict=verdict,
        headline_chart=headline_chart(page), domains=domains,
        trend_chart=trend_chart(trend, page.headline.get("goal")), trend=trend, levers=levers,
        levers_chart=levers_chart(levers), levers_refused=refused, step=step)
