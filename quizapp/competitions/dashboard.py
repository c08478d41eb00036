"""The competitions dashboard (admins) and its public board: participation by township, by
week and by target group, per 10,000 residents, the distribution of counted scores and the
hardest questions, for one competition (or one of its rounds) or all network competitions.

Every figure is :mod:`quizapp.engine.participation`'s (its docstring states the counting
rules).  The public board:

- covers published network competitions only;
- never names a person and never shows a question (the hardest questions are admins' only:
  a competition's pool stays secret while it runs);
- suppresses small cells: a count of people or attempts from 1 to ``PUBLIC_MIN_CELL - 1``
  (9) is shown as "fewer than 10", and the rate per 10,000 of a suppressed township with it.
  Totals are not shown there; but each breakdown (townships, weeks, groups, score bands) adds
  up to the same total as another one, so a single withheld cell could be worked out by
  subtraction. Where one cell of a breakdown is withheld, the next smallest is withheld too
  (complementary suppression, :func:`protect`): the two are only known together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from quizapp.engine import participation
from quizapp.engine.participation import CountRow, ItemRow, Scope, TownshipRow
from quizapp.extensions import db
from quizapp.models import Competition, Round
from quizapp.shared import charts
from quizapp.shared.charts import Chart, Point
from quizapp.shared.labels import GROUP_LABELS

PUBLIC_MIN_CELL = 10  # the public board's small-cell threshold: counts of 1-9 are withheld
HARDEST_SHOWN = 10
GROUP_NAMES = {**GROUP_LABELS, participation.UNKNOWN_GROUP: _l("Not known")}


class NotFound(LookupError):
    """No such competition or round for this page (the view answers 404)."""


def published_count(count: int, public: bool) -> int | None:
    """``count`` as the page may show it: ``None`` (suppressed) on the public board when it is
    a small cell, 1 to ``PUBLIC_MIN_CELL - 1``; zero and larger counts are shown."""
    if public and 0 < count < PUBLIC_MIN_CELL:
        return None
    return count


def protect(small: list[bool], counts: list[int]) -> list[bool]:
    """Which cells of one breakdown to withhold: the ``small`` ones and, when exactly one is
    small, the smallest other non-zero cell with it (so no withheld cell is its breakdown's
    total less the shown ones)."""
    withheld = list(small)
    if sum(withheld) == 1:
        others = [i for i, count in enumerate(counts) if not withheld[i] and count > 0]
        if others:
            withheld[min(others, key=lambda i: (counts[i], i))] = True
    return withheld


def small_cell_note() -> str:
    return _("fewer than %(n)s", n=PUBLIC_MIN_CELL)


@dataclass(frozen=True)
class TownshipFigures:
    """A township's figures as the page shows them (``None``: suppressed or not known)."""

    name: str
    participants: int | None
    person_times: int | None
    population: int | None
    per_10000: float | None
    suppressed: bool


@dataclass(frozen=True)
class CountFigures:
    label: str
    participants: int | None
    person_times: int | None


@dataclass
class CompetitionsDashboard:
    public: bool
    competitions: list[Competition]
    competition: Competition | None = None
    round: Round | None = None
    townships: list[TownshipFigures] = field(default_factory=list)
    weeks: list[CountFigures] = field(default_factory=list)
    groups: list[CountFigures] = field(default_factory=list)
    bins: list[tuple[str, int | None]] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)
    totals: tuple[int, int] | None = None
    charts: dict[str, Chart] = field(default_factory=dict)


def competitions_for(public: bool) -> list[Competition]:
    """The network competitions a version lists (the public board: published ones)."""
    return Scope(published_only=public).competitions()


def choose(public: bool, competition_id: int | None, round_id: int | None
           ) -> tuple[Competition | None, Round | None]:
    """The competition and round asked for; :class:`NotFound` when the competition is not
    one this version shows or the round does not exist.  A round of another competition (the
    form kept it while the competition changed) is dropped: the whole competition is shown."""
    competition = round_ = None
    if competition_id is not None:
        competition = next((c for c in competitions_for(public) if c.id == competition_id), None)
        if competition is None:
            raise NotFound(competition_id)
    if round_id is not None:
        round_ = db.session.get(Round, round_id)
        if round_ is None:
            raise NotFound(round_id)
        if competition is None or round_.competition_id != competition.id:
            round_ = None
    return competition, round_


def township_figures(rows: list[TownshipRow], public: bool) -> list[TownshipFigures]:
    """Townships by participants (most first; suppressed ones after, in list order)."""
    small = [published_count(r.participants, public) is None
             or published_count(r.person_times, public) is None for r in rows]
    withheld = protect(small, [r.person_times for r in rows]) if public else small
    out = []
    for r, suppressed in zip(rows, withheld, strict=True):
        out.append(TownshipFigures(
            r.name, None if suppressed else r.participants,
            None if suppressed else r.person_times, r.population,
            None if suppressed else r.per_10000, suppressed))
    order = {id(f): i for i, f in enumerate(out)}
    return sorted(out, key=lambda f: (f.suppressed, -(f.participants or 0), order[id(f)]))


def published_counts(counts: list[int], public: bool) -> list[int | None]:
    """One breakdown's counts as the page may show them (:func:`published_count`, then
    :func:`protect` on the public board)."""
    if not public:
        return list(counts)
    withheld = protect([published_count(n, True) is None for n in counts], counts)
    return [None if hidden else n for n, hidden in zip(counts, withheld, strict=True)]


def count_figures(rows: list[CountRow], labels: dict, public: bool) -> list[CountFigures]:
    people = published_counts([r.participants for r in rows], public)
    times = published_counts([r.person_times for r in rows], public)
    return [CountFigures(str(labels.get(r.key, r.key)), p, t)
            for r, p, t in zip(rows, people, times, strict=True)]


def _count_chart(key: str, title: str, header: str, value_label: str,
                 rows: list[tuple[str, int | None]], public: bool) -> Chart:
    return Chart(key=key, title=title, kind=charts.BARS, unit=charts.COUNT,
                 value_label=value_label, label_header=header, note_label=_("Note"),
                 points=tuple(Point(label, value,
                                    note=small_cell_note() if value is None and public else "")
                              for label, value in rows))


def build_charts(d: CompetitionsDashboard) -> dict[str, Chart]:
    township, week = _("Township"), _("Week starting")
    people, times = _("Participants"), _("Person-times")
    found = {
        "townships-participants": _count_chart(
            "competitions-townships", _("Participants by township"), township, people,
            [(t.name, t.participants) for t in d.townships], d.public),
        "townships-times": _count_chart(
            "competitions-townships-times", _("Person-times by township"), township, times,
            [(t.name, t.person_times) for t in d.townships], d.public),
        "townships-rate": Chart(
            key="competitions-per-10000", title=_("Participants per 10,000 residents"),
            kind=charts.BARS, unit=charts.RATE,
            value_label=_("Participants per 10,000 residents"), label_header=township,
            note_label=_("Note"),
            points=tuple(Point(t.name, t.per_10000, role="prefecture", note=(
                small_cell_note() if t.suppressed else
                _("population not known") if t.per_10000 is None else ""))
                for t in d.townships)),
        "weeks-participants": _count_chart(
            "competitions-weeks", _("Participants by week"), week, people,
            [(w.label, w.participants) for w in d.weeks], d.public),
        "weeks-times": _count_chart(
            "competitions-weeks-times", _("Person-times by week"), week, times,
            [(w.label, w.person_times) for w in d.weeks], d.public),
        "scores": _count_chart(
            "competitions-scores", _("Distribution of counted scores"),
            _("Score (percent of the maximum)"), people, d.bins, d.public),
        "groups": _count_chart(
            "competitions-groups", _("Participants by target group"), _("Target group"),
            people, [(g.label, g.participants) for g in d.groups], d.public),
    }
    if d.items:
        found["hardest"] = Chart(
            key="competitions-hardest", title=_("The hardest questions"), kind=charts.BARS,
            value_label=_("Share answering correctly"), label_header=_("Question"),
            note_label=_("Answers"), points=tuple(
                Point(r.code, r.stat.p, note=str(r.stat.answered), role="national")
                for r in d.items[:HARDEST_SHOWN]))
    return found


def dashboard(public: bool, competition_id: int | None = None,
              round_id: int | None = None) -> CompetitionsDashboard:
    """The dashboard of one competition (or round), or of all the version's competitions;
    :class:`NotFound` for a competition or round it does not show."""
    competition, round_ = choose(public, competition_id, round_id)
    scope = Scope(competition.id if competition else None, round_.id if round_ else None,
                  published_only=public)
    towns = participation.by_township(scope)
    d = CompetitionsDashboard(public=public, competitions=competitions_for(public),
                              competition=competition, round=round_)
    d.townships = township_figures(towns, public)
    d.weeks = count_figures(participation.by_week(scope), {}, public)
    d.groups = count_figures(list(participation.by_group(scope).values()), GROUP_NAMES, public)
    scores = participation.score_distribution(scope)
    d.bins = [(participation.bin_label(i), n)
              for i, n in enumerate(published_counts(list(scores), public))]
    if not public:
        d.items = participation.item_rows(scope)
        d.totals = participation.totals(scope)
    d.charts = build_charts(d)
    return d


def rounds_of(competition: Competition) -> list[Round]:
    return list(db.session.scalars(select(Round).where(Round.competition_id == competition.id)
                                   .order_by(Round.number)))
