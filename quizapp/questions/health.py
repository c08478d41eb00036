"""The question bank's health at a glance (admins): coverage, difficulty against
discrimination, and the questions due for review.

- **Coverage**: active questions (a question whose current version is ``active``) by topic
  (rows) and target group (columns), one heat map per dimension. A question serving several
  groups counts once in each of them, as in ``python -m question_bank stats``;
  survey-reserved questions are counted too (they are part of the bank), and their number is
  given beside.
- **Difficulty against discrimination**: the item statistics of
  :mod:`quizapp.questions.item_stats` (the ``quiz`` source, read by
  :func:`item_stats.items_table` as on the item statistics page), for the *current* version of
  each question: share correct *p* across, point-biserial *r* up. Items with fewer than
  ``item_stats.MIN_ANSWERS`` answers are hollow (too few to flag); items whose *r* is undefined
  are left out of the chart and counted. The difficulty bands of
  :mod:`quizapp.questions.difficulty` are drawn as lines.
- **Due for review**: :func:`services.reviews_due`, the list the question page shows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from question_bank.schema import DIMENSIONS, GROUPS, TOPICS, mask_to_groups
from quizapp.extensions import db
from quizapp.models import Question, QuestionVersion
from quizapp.questions import difficulty, item_stats, services
from quizapp.questions.labels import FLAG_LABELS
from quizapp.shared import charts
from quizapp.shared.charts import Chart, Grid, Point, Reference
from quizapp.shared.labels import DIMENSION_LABELS, GROUP_LABELS, TOPIC_LABELS

DUE_SHOWN = 50


@dataclass(frozen=True)
class Coverage:
    """Active questions per (topic, dimension, group); ``total`` counts each question once."""

    cells: dict[tuple[str, str, str], int]
    total: int
    survey_reserved: int

    def count(self, topic: str, dimension: str, group: str) -> int:
        return self.cells.get((topic, dimension, group), 0)

    @property
    def empty_cells(self) -> int:
        return sum(1 for t in TOPICS for d in DIMENSIONS for g in GROUPS
                   if not self.count(t, d, g))


@dataclass(frozen=True)
class BankHealth:
    coverage: Coverage
    coverage_charts: list[Chart]
    items_chart: Chart | None
    items_plotted: int
    items_undefined: int  # answered current versions whose r is undefined
    due: services.ReviewsDue
    statuses: dict[str, int]


def coverage() -> Coverage:
    """Active questions by topic, dimension and group (the module's rule)."""
    current = aliased(QuestionVersion)
    rows = db.session.execute(
        select(current.topic, current.dimension, current.groups_mask, Question.survey_reserved,
               func.count())
        .join(Question, Question.current_version_id == current.id)
        .where(current.status == "active")
        .group_by(current.topic, current.dimension, current.groups_mask,
                  Question.survey_reserved)).all()
    cells: Counter = Counter()
    total = reserved = 0
    for topic, dimension, mask, survey, count in rows:
        total += count
        reserved += count if survey else 0
        for group in mask_to_groups(mask):
            cells[(topic, dimension, group)] += count
    return Coverage(dict(cells), total, reserved)


def coverage_charts(found: Coverage) -> list[Chart]:
    """The coverage as heat maps, one per dimension: a row per topic, a column per group
    (four small grids read better on a phone than one of 36 rows)."""
    columns = tuple(str(GROUP_LABELS[g]) for g in GROUPS)
    return [Chart(
        key=f"bank-coverage-{dimension}",
        title=_("Active questions: %(dimension)s", dimension=DIMENSION_LABELS[dimension]),
        kind=charts.HEATMAP, value_label=_("Active questions"), label_header=_("Topic"),
        grid=Grid(tuple(str(TOPIC_LABELS[t]) for t in TOPICS), columns,
                  tuple(tuple(found.count(t, dimension, g) for g in GROUPS) for t in TOPICS)))
        for dimension in DIMENSIONS]


def items_chart() -> tuple[Chart | None, int, int]:
    """(the difficulty-against-discrimination scatter, items drawn, items with undefined r)
    for the current version of every answered question."""
    rows = [(stat, version) for stat, version in item_stats.items_table("quiz", "flag")
            if version.question.current_version_id == version.id]
    few = _("Fewer than %(n)s answers", n=item_stats.MIN_ANSWERS)
    points = []
    undefined = 0
    for stat, version in rows:
        if stat.r_pb is None:
            undefined += 1
            continue
        flagged = stat.answered < item_stats.MIN_ANSWERS
        notes = [str(FLAG_LABELS[f]) for f in stat.flags]
        points.append(Point(version.question.code, stat.r_pb, x=stat.p, flagged=flagged,
                            note=" · ".join([_("%(n)s answers", n=stat.answered), *notes,
                                             *([few] if flagged else [])])))
    if not points:
        return None, 0, undefined
    return Chart(
        key="item-difficulty", title=_("Difficulty against discrimination"),
        kind=charts.SCATTER, value_label=_("Discrimination (point-biserial r)"), unit="pp",
        x_label=_("Share correct (p)"), x_unit="%", label_header=_("Question"),
        note_label=_("Note"), points=tuple(points), extra={"flagged_label": few},
        references=(
            Reference(_("Medium from %(p)s%%", p=round(100 * difficulty.MEDIUM_FROM)),
                      difficulty.MEDIUM_FROM, "other", axis="x"),
            Reference(_("Easy from %(p)s%%", p=round(100 * difficulty.EASY_FROM)),
                      difficulty.EASY_FROM, "other", axis="x"))), len(points), undefined


def bank_health(today: date) -> BankHealth:
    """Everything the bank health page shows."""
    found = coverage()
    chart, plotted, undefined = items_chart()
    return BankHealth(found, coverage_charts(found), chart, plotted, undefined,
                      services.reviews_due(today, DUE_SHOWN), services.counts_by_status())
