"""The schools dashboard: a school's and its classes' participation and mean scores over its
live games and homework contests, and the questions each class gets wrong most.

Every figure is read through the teachers' reports (:mod:`quizapp.schools.reports_services`):
one report per game or contest, so the dashboard and the report pages cannot disagree. The
sessions are those the reports page lists (:func:`reports_services.reports_index`): finished
live games and homework contests that have started.

Rules (the class rules are the reports'):

- a class's **participation** in a session = its students who took part ÷ class size, and its
  **mean score %** the mean of its students' score % (``reports_services.ClassRow``). A homework
  contest is open to every class of the school, so a class nobody of took it part in scores 0%
  participation (no mean); a live game is played by the classes in the room, so a class with no
  seat has no point for that game;
- the **school's participation** in a session = the participants of the classes invited (every
  class for homework, the classes in the room for a game) ÷ the sum of their sizes; classes of
  unknown size are left out of both; no figure when no size is known;
- the **school's mean score %** = the mean score % of every student of the session (students
  without a class included);
- a class's **most-missed questions**: over all its sessions, per question version (the item),
  wrong answers ÷ answers given (an unanswered question is not counted, as in the reports), the
  highest wrong rate first, then the most answers, then the earliest asked; only questions
  somebody got wrong; the first :data:`MISSED_SHOWN`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from quizapp.engine import clock
from quizapp.extensions import db
from quizapp.models import Organisation, SchoolClass
from quizapp.schools import reports_services as reports
from quizapp.shared import charts
from quizapp.shared.charts import Chart, Point, Series
from quizapp.shared.labels import class_label
from quizapp.timezone import to_local

MISSED_SHOWN = 5
STEM_SHOWN = 9  # characters of a question's stem on a chart row (the table has it whole)


@dataclass(frozen=True)
class SessionFigures:
    """One game or contest of a school: the school's figures and each class's."""

    kind: str  # "game" | "homework"
    source_id: int
    title: str
    held_at: datetime
    participants: int  # students of the invited classes of known size who took part
    invited_size: int  # the sum of those classes' sizes
    mean_percent: float | None
    classes: dict[int, reports.ClassRow]  # class id → the report's row for it
    invited: tuple[int, ...]  # ids of the classes invited (see the module's rules)

    @property
    def participation(self) -> float | None:
        return self.participants / self.invited_size if self.invited_size else None

    @property
    def day(self) -> str:
        return to_local(self.held_at).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class MissedQuestion:
    """A question a class got wrong: its answers and wrong answers over the class's sessions."""

    version_id: int
    stem: str
    answered: int
    wrong: int

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.answered


@dataclass(frozen=True)
class ClassSection:
    """One class: its label, size and most-missed questions (with their chart)."""

    class_id: int
    label: str
    size: int | None
    sessions: int
    missed: tuple[MissedQuestion, ...]
    chart: Chart | None


@dataclass(frozen=True)
class SchoolDashboard:
    """One school's dashboard (``school`` None: the person may see no school)."""

    school: Organisation | None
    schools: list[Organisation]  # every school the person may see (the picker)
    sessions: list[SessionFigures]
    classes: list[ClassSection]
    participation_chart: Chart | None
    score_chart: Chart | None

    @property
    def charts(self) -> list[Chart]:
        found = [self.participation_chart, self.score_chart, *(c.chart for c in self.classes)]
        return [c for c in found if c is not None]


# ---------------------------------------------------------------- the sessions' figures

def _reports(school_id: int, now: datetime) -> list[reports.Report]:
    """The reports of the school's finished games and started homework contests, oldest
    first."""
    index = reports.reports_index([school_id])
    found = [reports.game_report(g) for g in index.games if g.status == "finished"]
    found += [reports.homework_report(c) for c in index.contests if c.starts_at <= now]
    found.sort(key=lambda r: (r.held_at, r.kind, r.source_id))
    return found


def session_figures(report: reports.Report, classes: list[SchoolClass]) -> SessionFigures:
    """The school's and its classes' figures in one report (the module's rules)."""
    rows = {row.class_id: row for row in report.classes if row.class_id is not None}
    if report.kind == "homework":
        invited = tuple(c.id for c in classes)
    else:
        invited = tuple(c.id for c in classes if c.id in rows)
    sizes = {c.id: c.size for c in classes}
    known = [class_id for class_id in invited if sizes.get(class_id)]
    participants = sum(rows[class_id].participants for class_id in known if class_id in rows)
    percents = [s.percent for s in report.students if s.percent is not None]
    return SessionFigures(
        kind=report.kind, source_id=report.source_id, title=report.title,
        held_at=report.held_at, participants=participants,
        invited_size=sum(sizes[class_id] for class_id in known),
        mean_percent=sum(percents) / len(percents) if percents else None,
        classes=rows, invited=invited)


def missed_questions(class_id: int, found: Iterable[reports.Report],
                     limit: int = MISSED_SHOWN) -> tuple[MissedQuestion, ...]:
    """The questions the class got wrong most over these reports (the module's rule)."""
    tally: dict[int, list] = {}  # version id → [stem, answered, wrong, first seen]
    for report in found:
        for student in report.students:
            if student.class_id != class_id:
                continue
            for question, answer in zip(report.questions, student.answers, strict=True):
                if answer.correct is None:
                    continue
                entry = tally.setdefault(question.version_id,
                                         [question.stem, 0, 0, len(tally)])
                entry[1] += 1
                entry[2] += not answer.correct
    rows = [MissedQuestion(version_id, stem, answered, wrong)
            for version_id, (stem, answered, wrong, _first) in tally.items() if wrong]
    first = {version_id: entry[3] for version_id, entry in tally.items()}
    rows.sort(key=lambda q: (-q.wrong_rate, -q.answered, first[q.version_id]))
    return tuple(rows[:limit])


# ---------------------------------------------------------------- the charts

def _short(stem: str) -> str:
    return stem if len(stem) <= STEM_SHOWN else stem[:STEM_SHOWN] + "…"


def _trend(key: str, title: str, value_label: str, sessions: list[SessionFigures],
           classes: list[SchoolClass], value) -> Chart | None:
    """A series per class and one for the school over the sessions' dates; ``value(row)`` of
    a class row or of the session (a share)."""
    if not sessions:
        return None
    series = []
    for index, cls in enumerate(classes):
        points = []
        for s in sessions:
            row = s.classes.get(cls.id)
            if row is not None:
                points.append(Point(s.day, value(row), note=s.title))
            elif cls.id in s.invited:  # invited, nobody took part
                points.append(Point(s.day, value(None, cls), note=s.title))
        if points:
            series.append(Series(class_label(cls), tuple(points), f"series-{index}"))
    series.append(Series(_("Whole school"),
                         tuple(Point(s.day, value(s), note=s.title) for s in sessions),
                         "overall"))
    return Chart(key=key, title=title, kind=charts.TREND, value_label=value_label,
                 label_header=_("Class · date"), note_label=_("Game or contest"),
                 x_label=_("Date"), x_type="category", series=tuple(series))


def _participation(row, cls: SchoolClass | None = None) -> float | None:
    if row is None:  # an invited class nobody of took part
        return 0.0 if cls is not None and cls.size else None
    return row.participation


def _mean_share(row, cls: SchoolClass | None = None) -> float | None:
    if row is None or row.mean_percent is None:
        return None
    return row.mean_percent / 100


def _missed_chart(cls: SchoolClass, missed: tuple[MissedQuestion, ...]) -> Chart | None:
    if not missed:
        return None
    return Chart(
        key=f"missed-{cls.id}", title=_("Most missed: %(cls)s", cls=class_label(cls)),
        kind=charts.BARS, value_label=_("Wrong answers"), label_header=_("Question"),
        note_label=_("Answers"),
        points=tuple(Point(f"{n}. {_short(q.stem)}", q.wrong_rate, note=str(q.answered))
                     for n, q in enumerate(missed, start=1)))


# ---------------------------------------------------------------- the page

def school_dashboard(school_ids: Iterable[int], school_id: int | None = None,
                     now: datetime | None = None) -> SchoolDashboard:
    """The dashboard of ``school_id`` (one of ``school_ids``, the schools the person may
    see; the caller checks it), or of the first of them by name."""
    ids = sorted(set(school_ids))
    schools = list(db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))
                                      .order_by(Organisation.name))) if ids else []
    school = next((s for s in schools if s.id == school_id), schools[0] if schools else None)
    if school is None:
        return SchoolDashboard(None, schools, [], [], None, None)
    classes = list(db.session.scalars(
        select(SchoolClass).where(SchoolClass.organisation_id == school.id)
        .order_by(SchoolClass.grade, SchoolClass.name)))
    found = _reports(school.id, now or clock.now())
    sessions = [session_figures(r, classes) for r in found]
    sections = []
    for cls in classes:
        missed = missed_questions(cls.id, found)
        sections.append(ClassSection(
            cls.id, class_label(cls), cls.size,
            sum(1 for s in sessions if cls.id in s.classes), missed, _missed_chart(cls, missed)))
    return SchoolDashboard(
        school, schools, sessions, sections,
        _trend("participation", _("Participation by class over time"), _("Participation"),
               sessions, classes, _participation),
        _trend("mean-score", _("Mean score by class over time"), _("Mean score rate"),
               sessions, classes, _mean_share))
