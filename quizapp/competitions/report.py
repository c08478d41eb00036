"""The competition report of a round: one self-contained HTML file (styles and charts inline as
SVG, no script, no external address: it opens with the network off) and the same document as
an A4 PDF with the Chinese font embedded (:mod:`quizapp.shared.pdf`, WeasyPrint, as the survey
report).

Contents, all of the round's scored attempts: participation by township
(:func:`quizapp.engine.participation.by_township`) and by organisation (the organisation board,
:func:`quizapp.engine.boards.group_board`), the distribution of counted scores, the top
scorers in board order (:func:`quizapp.engine.boards.ranked_rows`) with their names always
masked (:func:`quizapp.shared.names.mask_name`, whatever the boards publish: a report is
handed on), and the item statistics of the questions answered
(:func:`quizapp.engine.participation.item_rows`, the bank's item analysis).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import render_template
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from quizapp.engine import boards, participation
from quizapp.engine.participation import ItemRow, Scope, TownshipRow
from quizapp.extensions import db
from quizapp.models import Competition, Participant, Round
from quizapp.shared import charts, fonts, pdf
from quizapp.shared.charts import FONT_FAMILY, Chart, Point
from quizapp.shared.names import mask_name
from quizapp.shared.svg_charts import to_svg
from quizapp.timezone import to_local

TOP_SCORERS = 20
FONT_FAMILY_NAME = "KexueCJK"


@dataclass(frozen=True)
class Scorer:
    rank: int
    name: str  # masked
    township: str | None
    organisation: str | None
    score: float
    seconds: float


@dataclass
class CompetitionReport:
    competition: Competition
    round: Round
    made_at: datetime
    totals: tuple[int, int]
    townships: list[TownshipRow]
    organisations: list[boards.GroupRow]
    scorers: list[Scorer]
    items: list[ItemRow]
    bins: list[tuple[str, int]]
    charts: list[Chart]


def get_round(competition_id: int, round_id: int) -> Round | None:
    """The round of a network competition, or None."""
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.competition_id != competition_id \
            or round_.competition.kind != participation.NETWORK:
        return None
    return round_


def top_scorers(competition: Competition, round_: Round, limit: int = TOP_SCORERS
                ) -> list[Scorer]:
    """The round's top ``limit`` in board order, names masked."""
    rows = boards.ranked_rows(competition, round_.id, limit=limit)
    names = dict(db.session.execute(select(Participant.id, Participant.name).where(
        Participant.id.in_([r.participant_id for r in rows]))).all())
    return [Scorer(r.rank, mask_name(names.get(r.participant_id)) or f"#{r.participant_id}",
                   r.township, r.organisation, r.score, round(r.duration_ms / 1000, 1))
            for r in rows]


def _charts(townships: list[TownshipRow], bins: list[tuple[str, int]]) -> list[Chart]:
    shown = sorted(townships, key=lambda t: -t.participants)
    return [
        Chart(key="report-townships", title=_("Participants by township"), kind=charts.BARS,
              unit=charts.COUNT, value_label=_("Participants"), label_header=_("Township"),
              points=tuple(Point(t.name, t.participants) for t in shown)),
        Chart(key="report-per-10000", title=_("Participants per 10,000 residents"),
              kind=charts.BARS, unit=charts.RATE,
              value_label=_("Participants per 10,000 residents"), label_header=_("Township"),
              points=tuple(Point(t.name, t.per_10000, role="prefecture",
                                 note="" if t.per_10000 is not None else
                                 _("population not known")) for t in shown)),
        Chart(key="report-scores", title=_("Distribution of counted scores"),
              kind=charts.BARS, unit=charts.COUNT, value_label=_("Participants"),
              label_header=_("Score (percent of the maximum)"),
              points=tuple(Point(label, n) for label, n in bins)),
    ]


def build(round_: Round, made_at: datetime) -> CompetitionReport:
    """The report of ``round_`` (of a network competition)."""
    competition = round_.competition
    scope = Scope(competition.id, round_.id)
    townships = participation.by_township(scope)
    bins = [(participation.bin_label(i), n)
            for i, n in enumerate(participation.score_distribution(scope))]
    return CompetitionReport(
        competition=competition, round=round_, made_at=made_at,
        totals=participation.totals(scope), townships=townships,
        organisations=boards.group_board(competition, "organisation", round_.id),
        scorers=top_scorers(competition, round_), items=participation.item_rows(scope),
        bins=bins, charts=_charts(townships, bins))


def filename(report: CompetitionReport, extension: str) -> str:
    """An ASCII file name: ``competition-report-3-round-2.pdf``."""
    return (f"competition-report-{report.competition.id}-round-{report.round.number}"
            f".{extension}")


def render_html(report: CompetitionReport, *, for_pdf: bool = False,
                font: Path | None = None, bold: Path | None = None) -> str:
    """The report as one HTML document (``for_pdf``: with the embedded font's @font-face, a
    local file only the PDF renderer reads)."""
    family = f"{FONT_FAMILY_NAME}, {FONT_FAMILY}" if for_pdf else FONT_FAMILY

    def svg(chart: Chart) -> Markup:
        return Markup(to_svg(chart, family))  # noqa: S704 - built from escaped parts

    return render_template("competitions/report.html", report=report, for_pdf=for_pdf,
                           font=font, bold=bold, font_family=family, svg=svg,
                           local=to_local)


def render_pdf(report: CompetitionReport) -> bytes:
    """The report as an A4 PDF with the CJK font embedded (:class:`fonts.FontMissing`,
    :class:`pdf.PdfFailed` as the survey report)."""
    font = fonts.require_cjk_font()
    bold = fonts.cjk_bold_font_path()
    html = render_html(report, for_pdf=True, font=font, bold=bold)
    return pdf.html_to_pdf(html, [p for p in (font, bold) if p is not None])
