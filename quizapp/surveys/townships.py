"""The townships ranking (map-free): each township's share meeting the standard from the latest
published estimate run, beside its competition participation per 10,000 residents.

The estimates are the stored run's township domains, read as the city dashboard reads them
(:func:`run_pages.estimate_page`, the office's version: townships with fewer than ``min_n``
respondents or a CV above ``max_cv`` keep their figure but are flagged, drawn hollow and
ranked after the supported ones).  Nothing is recomputed.  Participation is
:func:`quizapp.engine.participation.by_township` over every network competition.

Order (one township axis for both charts): supported estimates from the highest, then
flagged ones from the highest, then townships without an estimate in the township list's
order.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from flask_babel import gettext as _

from quizapp.engine import participation
from quizapp.extensions import db
from quizapp.models import SurveyEstimateRun, SurveyWave
from quizapp.shared import charts
from quizapp.shared.charts import Chart, Point, Reference
from quizapp.surveys import city, run_pages


@dataclass(frozen=True)
class TownshipRank:
    """One township: its stored estimate (``None`` when the run has none) and participation."""

    name: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    flag: str | None
    participants: int
    person_times: int
    population: int | None
    per_10000: float | None
    participation_rank: int | None = None


@dataclass(frozen=True)
class TownshipsPage:
    run: SurveyEstimateRun | None
    wave: SurveyWave | None
    rows: list[TownshipRank] = field(default_factory=list)
    estimate_chart: Chart | None = None
    participation_chart: Chart | None = None
    min_n: int | None = None
    max_cv: float | None = None

    @property
    def charts(self) -> list[Chart]:
        return [c for c in (self.estimate_chart, self.participation_chart) if c is not None]


def order_key(row: TownshipRank, position: int) -> tuple:
    """Supported estimates first (highest first), then flagged ones, then none."""
    if row.estimate is None:
        return (2, 0.0, position)
    return (1 if row.flag else 0, -row.estimate, position)


def ranked(rows: list[TownshipRank]) -> list[TownshipRank]:
    """``rows`` in the page's order, each with its rank by participation per 10,000 (known
    rates only, highest first)."""
    order = sorted(range(len(rows)), key=lambda i: order_key(rows[i], i))
    known = [r.per_10000 for r in rows if r.per_10000 is not None]
    return [replace(rows[i], participation_rank=None if rows[i].per_10000 is None
                    else 1 + sum(1 for rate in known if rate > rows[i].per_10000))
            for i in order]


def estimate_chart(rows: list[TownshipRank], headline: dict) -> Chart:
    points = tuple(Point(r.name, r.estimate, r.ci_low, r.ci_high,
                         note=(r.flag or "") if r.estimate is not None else
                         _("not in the survey's estimates"),
                         flagged=r.flag is not None and r.estimate is not None)
                   for r in rows)
    refs = []
    if headline.get("goal") is not None:
        refs.append(Reference(city.goal_label(headline["goal"]), headline["goal"], "goal"))
    if headline.get("estimate") is not None:
        refs.append(Reference(_("City %(share)s", share=f"{100 * headline['estimate']:.1f}%"),
                              headline["estimate"], "overall"))
    return Chart(key="townships-estimate", title=_("Share meeting the standard"),
                 kind=charts.INTERVALS, value_label=_("Share meeting the standard"),
                 label_header=_("Township"), interval_label=_("Confidence interval (95%)"),
                 note_label=_("Note"), points=points, references=tuple(refs))


def participation_chart(rows: list[TownshipRank]) -> Chart:
    points = tuple(Point(r.name, r.per_10000, role="prefecture",
                         note="" if r.per_10000 is not None else _("population not known"))
                   for r in rows)
    return Chart(key="townships-participation",
                 title=_("Competition participants per 10,000 residents"), kind=charts.BARS,
                 unit=charts.RATE, value_label=_("Participants per 10,000 residents"),
                 label_header=_("Township"), note_label=_("Note"), points=points)


def townships_page() -> TownshipsPage:
    """The ranking from the latest published run (participation alone when none is)."""
    run = city.latest_published()
    wave = None if run is None else db.session.get(SurveyWave, run.wave_id)
    domains: dict[str, run_pages.DomainRow] = {}
    headline: dict = {}
    min_n = max_cv = None
    if run is not None:
        page = run_pages.estimate_page(wave, run, public=False)
        domains = {row.level: row for row in page.domains["meets"].get("township", [])}
        headline = page.headline
        min_n, max_cv = page.result.settings.min_n, page.result.settings.max_cv
    rows = []
    for t in participation.by_township(participation.Scope()):
        d = domains.get(t.name)
        rows.append(TownshipRank(
            t.name, d.estimate if d else None, d.ci_low if d else None,
            d.ci_high if d else None, d.n if d else None, d.flag if d else None,
            t.participants, t.person_times, t.population, t.per_10000))
    rows = ranked(rows)
    left, right = estimate_chart(rows, headline), participation_chart(rows)
    height = max(charts.rows_height(left), charts.rows_height(right))  # rows side by side
    return TownshipsPage(run, wave, rows, replace(left, extra={"height": height}),
                         replace(right, extra={"height": height}), min_n, max_cv)
