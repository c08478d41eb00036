"""The survey report of a published estimate run: one self-contained HTML file (styles and
charts inline, no script, no external address: it opens with the network off) and the same
document as an A4 PDF with a Chinese font embedded.

Every figure is the stored run's, read as the city dashboard reads it
(:func:`run_pages.estimate_page` with ``public=True``: a report leaves the office, so domains
with fewer than ``min_n`` respondents or a CV above ``max_cv`` are suppressed, as on every
public output).  The comparison with the previous wave is :func:`estimate_runs.compare_runs`
(the comparison page's); the sample and response figures are the weighting run's stored class
counts; the margins and their sources are the run's margins version (checked by its sha256).

PDF renderer: WeasyPrint (HTML and CSS to PDF in Python, run in a child process by
:mod:`quizapp.shared.pdf` so a gevent worker is not stalled while it lays out).  Chosen over
Chromium's print-to-PDF for a production server: no browser to install, keep patched and run
(as root it would need ``--no-sandbox``) beside gunicorn's gevent workers, where Playwright's
synchronous API does not run; a few MB of memory instead of a browser process per report; and
the report needs no JavaScript, since its charts are drawn on the server as SVG
(:mod:`quizapp.shared.svg_charts`) from the same chart models as the dashboard's Plotly
figures.  It needs Pango (Debian ``libpango-1.0-0``, present on a standard Debian/Ubuntu
server) and a CJK font (:mod:`quizapp.shared.fonts`), which it subsets and embeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

import surveys
from quizapp.extensions import db
from quizapp.models import SurveyEstimateRun, SurveyWave
from quizapp.shared import fonts, pdf
from quizapp.shared.charts import FONT_FAMILY, Chart
from quizapp.shared.figures import num, pct, pct_range
from quizapp.shared.svg_charts import to_svg
from quizapp.surveys import city, design, estimate_runs, run_pages, weighting_runs
from surveys import levers as lever_rules
from surveys import published_rates

REPORTABLE = ("published", "superseded")
CLASS_VARIABLE_LABELS = {"stratum": _l("Township"), "psu_urban_rural": _l("Urban/rural")}
GEOGRAPHY_LABELS = {"city": _l("City level"), "prefecture": _l("Prefecture level"),
                    "province": _l("Province level")}
FONT_FAMILY_NAME = "KexueCJK"  # the @font-face name of the embedded font in the PDF


class ReportRefused(Exception):
    """No report for this run (not published); the message is for the page."""


@dataclass(frozen=True)
class SampleFigures:
    """The weighting run's stored counts, summed over its weighting classes, and the AAPOR
    rates they give (RR1 and RR3: accepted complete interviews as I; other eligible cases in
    the denominator; e estimated from the resolved cases)."""

    cases: int
    eligible: int
    ineligible: int
    unknown: int
    respondents: int
    rates: surveys.ResponseRates


@dataclass(frozen=True)
class MarginSource:
    variable: str
    levels: list
    sources: list[str]
    placeholder: bool


@dataclass(frozen=True)
class Comparison:
    """This run against the previous published wave (independent samples)."""

    previous_wave: SurveyWave
    previous_run: SurveyEstimateRun
    difference: object  # surveys.WaveComparison


@dataclass
class SurveyReport:
    wave: SurveyWave
    run: SurveyEstimateRun
    estimate: run_pages.EstimatePage
    verdict: tuple[str, str] | None
    sample: SampleFigures
    weighting_settings: dict
    margins_name: str | None
    margins: list[MarginSource]
    margin_checks: list
    design: object  # surveys.DesignSpec | None
    strata: int
    psus: int
    headline_chart: Chart
    domains: list[city.DomainSection]
    trend: list
    trend_chart: Chart
    comparison: Comparison | None
    levers: list[city.LeverRow]
    levers_chart: Chart | None
    levers_refused: str | None
    national: published_rates.PublishedRate | None
    province: published_rates.PublishedRate | None
    step: float = lever_rules.DEFAULT_STEP

    @property
    def weighting_classes(self) -> str:
        """The weighting classes in words: ``乡镇（街道） × 城乡``."""
        return " × ".join(str(CLASS_VARIABLE_LABELS.get(v, v))
                          for v in self.weighting_settings.get("class_variables") or ())

    @property
    def charts(self) -> list[Chart]:
        found = [self.headline_chart, *(d.chart for d in self.domains), self.trend_chart,
                 self.levers_chart]
        return [c for c in found if c is not None]


def sample_figures(weighting_run) -> SampleFigures:
    """The sample and response figures of a weighting run, from its stored classes."""
    classes = weighting_runs.result_of(weighting_run).classes
    cases = sum(c.cases for c in classes)
    eligible = sum(c.eligible for c in classes)
    ineligible = sum(c.ineligible for c in classes)
    unknown = sum(c.unknown for c in classes)
    respondents = sum(c.respondents for c in classes)
    counts = surveys.DispositionCounts(I=respondents, R=eligible - respondents, UO=unknown,
                                       NE=ineligible)
    return SampleFigures(cases, eligible, ineligible, unknown, respondents,
                         surveys.response_rates(counts))


def margin_sources(weighting_run) -> list[MarginSource]:
    """The run's margins version by variable: its levels (with totals) and sources."""
    version = weighting_runs.load_margins(weighting_run.margins_name,
                                          weighting_run.margins_sha256)
    if version is None:
        return []
    grouped: dict[str, list] = {}
    for row in version.file.rows:
        grouped.setdefault(row.variable, []).append(row)
    townships = run_pages.township_names()
    out = []
    for variable, rows in grouped.items():
        sources = list(dict.fromkeys(r.source for r in rows if r.source))
        out.append(MarginSource(
            str(run_pages.MARGIN_VARIABLE_LABELS.get(variable, variable)),
            [(run_pages.level_label(variable, r.level, townships), r.population_total,
              str(GEOGRAPHY_LABELS.get(r.geography, r.geography)), r.year, r.age_base)
             for r in rows],
            sources, any(r.placeholder for r in rows)))
    return out


def _previous(wave: SurveyWave) -> tuple[SurveyWave, SurveyEstimateRun] | None:
    earlier = [(db.session.get(SurveyWave, r.wave_id), r) for r in estimate_runs.published_runs()]
    earlier = [(w, r) for w, r in earlier if w.year < wave.year]
    return earlier[-1] if earlier else None


def build(wave: SurveyWave, run: SurveyEstimateRun,
          step: float = lever_rules.DEFAULT_STEP) -> SurveyReport:
    """The report of a published (or superseded) run; :class:`ReportRefused` for a draft."""
    if run.status not in REPORTABLE:
        raise ReportRefused(_("Only a published estimate run has a report."))
    page = run_pages.estimate_page(wave, run, public=True)
    h = page.headline
    verdict = city.verdict_words(h)
    domains = city.domain_sections(page)
    trend = [row for row in estimate_runs.trend_rows() if row[1].year <= wave.year]
    previous = _previous(wave)
    comparison = None
    if previous is not None:
        comparison = Comparison(previous[0], previous[1],
                                estimate_runs.compare_runs(run, previous[1]))
    levers, refused = city.lever_rows(page, True, step)
    try:
        summary = city.weighted_file_summary(page.weighting_run)
        strata, psus = summary.strata, summary.psus
    except weighting_runs.RunRefused:
        strata = psus = 0
    return SurveyReport(
        wave=wave, run=run, estimate=page, verdict=verdict,
        sample=sample_figures(page.weighting_run),
        weighting_settings=dict(page.weighting_run.settings),
        margins_name=page.weighting_run.margins_name,
        margins=margin_sources(page.weighting_run),
        margin_checks=run_pages.margin_groups(
            weighting_runs.result_of(page.weighting_run).margins),
        design=design.design_spec(wave), strata=strata, psus=psus,
        headline_chart=city.headline_chart(page), domains=domains, trend=trend,
        trend_chart=city.trend_chart(trend, h.get("goal")), comparison=comparison,
        levers=levers, levers_chart=city.levers_chart(levers), levers_refused=refused,
        national=published_rates.latest(published_rates.NATIONAL),
        province=published_rates.latest(published_rates.PROVINCE), step=step)


def filename(report: SurveyReport, extension: str) -> str:
    """An ASCII file name: ``survey-report-2024-run-1.html``."""
    return f"survey-report-{report.wave.year}-run-{report.run.id}.{extension}"


def render_html(report: SurveyReport, *, for_pdf: bool = False,
                font: Path | None = None, bold: Path | None = None) -> str:
    """The report as one HTML document.  ``for_pdf``: with the @font-face of the embedded
    font (a local file the PDF renderer reads; never in the HTML file handed out)."""
    family = f"{FONT_FAMILY_NAME}, {FONT_FAMILY}" if for_pdf else FONT_FAMILY

    def svg(chart: Chart) -> Markup:
        return Markup(to_svg(chart, family))  # noqa: S704 - built from escaped parts

    return render_template("surveys/report.html", report=report, for_pdf=for_pdf,
                           font=font, bold=bold, font_family=family, svg=svg,
                           pct=pct, pct_range=pct_range, num=num, run_pages=run_pages)


def render_pdf(report: SurveyReport) -> bytes:
    """The report as an A4 PDF with the CJK font embedded (:class:`fonts.FontMissing` when
    the server has none; :class:`pdf.PdfFailed` when the renderer fails)."""
    font = fonts.require_cjk_font()
    bold = fonts.cjk_bold_font_path()
    html = render_html(report, for_pdf=True, font=font, bold=bold)
    return pdf.html_to_pdf(html, [p for p in (font, bold) if p is not None])
