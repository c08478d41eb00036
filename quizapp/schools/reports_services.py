"""Teachers' reports on live class games and homework contests.

One report shape serves both: per student (score and each answer), per question (share
correct, the most common wrong choice, a re-teach flag) and per class; and a class's history
over every game and contest it took part in. Everything is read from the engine's records:

- a live game: its seats (``LivePlayer``, removed seats left out) → their ``class_game``
  attempts → attempt items, whose ``choices`` are ORIGINAL option indexes;
- a homework contest: its participants (with their class) → their scored competition attempts
  (finished or expired; the latest one when a participant has several).

Definitions, used on the pages and in the workbook alike:

- a student's **score %** = score ÷ the most the attempt could score × 100 (a live game
  gives at most ``GAME_POINTS_PER_QUESTION`` per question, a homework contest its points per
  correct answer);
- **share correct** = correct answers ÷ answers given (an unanswered question is not counted);
- the **most common wrong choice**: the option (or, for multiple choice, the set of options)
  chosen most often among wrong answers; a tie goes to the lowest option index;
- **re-teach** when fewer than ``RETEACH_BELOW`` of the answers given were correct;
- a class's **mean score %** = the mean of its students' score %; **participation** =
  students who took part ÷ class size (none when the size is unknown).

Only the names students gave (a nickname in a live game, the registration name in a homework
contest) and their class are shown: no other personal data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from quizapp import spreadsheets
from quizapp.engine.attempts import close_overdue
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptItem,
    Competition,
    LiveGame,
    LivePlayer,
    Participant,
    QuestionSetItem,
    QuestionVersion,
    SchoolClass,
)
from quizapp.models.attempts import SCORED_STATUSES
from quizapp.schools import live_scoring
from quizapp.shared.labels import class_label
from quizapp.timezone import to_local

RETEACH_BELOW = 0.6
# The most a live-game answer scores (1000 for a correct answer, less when slower with speed
# points: quizapp/schools/live_scoring.py).
GAME_POINTS_PER_QUESTION = live_scoring.POINTS  # the most one live-game answer scores
CHOICE_JOINER = "；"
SHEET_STUDENTS, SHEET_QUESTIONS, SHEET_CLASSES = "学生", "题目", "班级"
RECENT = 50  # games and contests listed on the reports page


@dataclass(frozen=True)
class Answer:
    """One student's answer to one question of the report."""

    chosen: str | None  # the chosen option text(s); None: not answered
    correct: bool | None  # None: not answered
    seconds: float | None  # from the question appearing to the answer


@dataclass(frozen=True)
class StudentRow:
    """A student's result: name given, class, score, and an answer per report question."""

    name: str
    class_id: int | None
    class_name: str
    score: float
    max_score: float
    correct: int
    answered: int
    answers: tuple[Answer, ...]

    @property
    def percent(self) -> float | None:
        return 100 * self.score / self.max_score if self.max_score else None


@dataclass(frozen=True)
class QuestionRow:
    """How the students answered one question."""

    number: int  # 1-based, in the report's order
    version_id: int
    stem: str
    key: str  # the correct option text(s)
    answered: int
    correct: int
    wrong_choice: str | None  # the most common wrong choice; None when nobody was wrong
    wrong_count: int  # how many chose it

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.answered if self.answered else None

    @property
    def reteach(self) -> bool:
        return self.answered > 0 and self.correct < RETEACH_BELOW * self.answered


@dataclass(frozen=True)
class ClassRow:
    """One class's figures in a game or contest (``class_id`` None: students without a class)."""

    class_id: int | None
    name: str
    size: int | None
    participants: int
    mean_percent: float | None
    correct: int
    answered: int

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.answered if self.answered else None

    @property
    def participation(self) -> float | None:
        return self.participants / self.size if self.size else None


@dataclass(frozen=True)
class Report:
    """A live game's or homework contest's report (possibly narrowed to one class)."""

    kind: str  # "game" | "homework"
    source_id: int
    title: str
    held_at: datetime
    school_id: int
    questions: tuple[QuestionRow, ...]
    students: tuple[StudentRow, ...]
    classes: tuple[ClassRow, ...]


@dataclass(frozen=True)
class Session:
    """A game or contest in a class's history, with that class's figures and questions."""

    kind: str
    source_id: int
    title: str
    held_at: datetime
    figures: ClassRow
    reteach: tuple[QuestionRow, ...]  # the questions this class should go over again
    question_count: int
    students: tuple[StudentRow, ...]


# ---------------------------------------------------------------- look-ups for the views

def game(game_id: int) -> LiveGame | None:
    """A live game by id."""
    return db.session.get(LiveGame, game_id)


def homework(competition_id: int) -> Competition | None:
    """A homework contest by id (None for a network competition)."""
    found = db.session.get(Competition, competition_id)
    return found if found is not None and found.kind == "homework" else None


def school_class(class_id: int) -> SchoolClass | None:
    """A school class by id."""
    return db.session.get(SchoolClass, class_id)


@dataclass(frozen=True)
class ReportsIndex:
    classes: list[tuple[int, str, str]]  # (class id, school name, class label)
    games: list[LiveGame]
    contests: list[Competition]


def reports_index(school_ids: Iterable[int]) -> ReportsIndex:
    """What the reports page lists for these schools: classes, recent games and contests."""
    ids = sorted(set(school_ids))
    if not ids:
        return ReportsIndex([], [], [])
    classes = db.session.scalars(
        select(SchoolClass).where(SchoolClass.organisation_id.in_(ids))
        .order_by(SchoolClass.organisation_id, SchoolClass.grade, SchoolClass.name)).all()
    games = db.session.scalars(
        select(LiveGame).where(LiveGame.school_id.in_(ids))
        .order_by(LiveGame.created_at.desc(), LiveGame.id.desc()).limit(RECENT)).all()
    contests = db.session.scalars(
        select(Competition).where(Competition.kind == "homework",
                                  Competition.school_id.in_(ids))
        .order_by(Competition.starts_at.desc(), Competition.id.desc()).limit(RECENT)).all()
    return ReportsIndex([(c.id, c.school.name, class_label(c)) for c in classes],
                        list(games), list(contests))


# ---------------------------------------------------------------- building a report

def option_text(version: QuestionVersion, choices: Sequence[int]) -> str:
    """The text of the chosen ORIGINAL option indexes, as the student saw them."""
    if version.type == "true_false":
        labels = [_("True"), _("False")]
    else:
        labels = [str(option) for option in version.options]
    return CHOICE_JOINER.join(labels[i] if 0 <= i < len(labels) else "?"
                              for i in sorted(set(choices)))


@dataclass(frozen=True)
class _Taker:
    """One student's attempt, as read from the database."""

    name: str
    class_id: int | None
    attempt: Attempt
    max_score: float


def _versions(version_ids: Sequence[int]) -> list[QuestionVersion]:
    found = {v.id: v for v in db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_(set(version_ids))))}
    return [found[i] for i in version_ids if i in found]


def _items(attempt_ids: Sequence[int]) -> dict[int, dict[int, AttemptItem]]:
    """attempt id → question version id → item; one query."""
    out: dict[int, dict[int, AttemptItem]] = {}
    if not attempt_ids:
        return out
    for item in db.session.scalars(
            select(AttemptItem).where(AttemptItem.attempt_id.in_(attempt_ids))):
        out.setdefault(item.attempt_id, {})[item.question_version_id] = item
    return out


def _answer(version: QuestionVersion, item: AttemptItem | None) -> Answer:
    if item is None or item.choices is None:
        return Answer(None, None, None)
    seconds = None if item.elapsed_ms is None else round(item.elapsed_ms / 1000, 1)
    return Answer(option_text(version, item.choices), bool(item.correct), seconds)


def _question_row(number: int, version: QuestionVersion,
                  items: list[AttemptItem]) -> QuestionRow:
    given = [item for item in items if item.choices is not None]
    wrong = Counter(tuple(sorted(set(item.choices))) for item in given if not item.correct)
    wrong_choice, wrong_count = None, 0
    if wrong:
        # The most chosen; a tie goes to the lowest option index.
        choice, wrong_count = min(wrong.items(), key=lambda pair: (-pair[1], pair[0]))
        wrong_choice = option_text(version, choice)
    return QuestionRow(
        number=number, version_id=version.id, stem=version.stem,
        key=option_text(version, version.answer), answered=len(given),
        correct=sum(1 for item in given if item.correct), wrong_choice=wrong_choice,
        wrong_count=wrong_count)


def _class_rows(students: Sequence[StudentRow],
                classes: dict[int, SchoolClass]) -> tuple[ClassRow, ...]:
    grouped: dict[int | None, list[StudentRow]] = {}
    for student in students:
        grouped.setdefault(student.class_id, []).append(student)
    rows = []
    for class_id, members in grouped.items():
        cls = classes.get(class_id) if class_id is not None else None
        percents = [s.percent for s in members if s.percent is not None]
        rows.append(ClassRow(
            class_id=class_id, name=class_label(cls), size=cls.size if cls else None,
            participants=len(members),
            mean_percent=sum(percents) / len(percents) if percents else None,
            correct=sum(s.correct for s in members), answered=sum(s.answered for s in members)))
    order = {class_id: (c.grade, c.name) for class_id, c in classes.items()}
    rows.sort(key=lambda r: (r.class_id is None, order.get(r.class_id, (0, "")), r.name))
    return tuple(rows)


def _build(kind: str, source_id: int, title: str, held_at: datetime, school_id: int,
           versions: list[QuestionVersion], takers: list[_Taker]) -> Report:
    items = _items([t.attempt.id for t in takers])
    classes = {c.id: c for c in db.session.scalars(select(SchoolClass).where(
        SchoolClass.id.in_({t.class_id for t in takers if t.class_id is not None})))}
    students = []
    for taker in takers:
        mine = items.get(taker.attempt.id, {})
        answers = tuple(_answer(v, mine.get(v.id)) for v in versions)
        students.append(StudentRow(
            name=taker.name, class_id=taker.class_id,
            class_name=class_label(classes.get(taker.class_id)) if taker.class_id else
            class_label(None),
            score=float(taker.attempt.score), max_score=taker.max_score,
            correct=sum(1 for a in answers if a.correct),
            answered=sum(1 for a in answers if a.correct is not None), answers=answers))
    students.sort(key=lambda s: (-s.score, s.name))
    questions = tuple(
        _question_row(number, version,
                      [items[t.attempt.id][version.id] for t in takers
                       if version.id in items.get(t.attempt.id, {})])
        for number, version in enumerate(versions, start=1))
    return Report(kind, source_id, title, held_at, school_id, questions, tuple(students),
                  _class_rows(students, classes))


def game_report(live_game: LiveGame, school_class_id: int | None = None) -> Report:
    """A live game's report: every seat not removed by the teacher (or one class's seats)."""
    query = (select(LivePlayer, Attempt).join(Attempt, LivePlayer.attempt_id == Attempt.id)
             .where(LivePlayer.game_id == live_game.id, LivePlayer.removed.is_(False),
                    Attempt.status != "voided")
             .order_by(LivePlayer.id))
    if school_class_id is not None:
        query = query.where(LivePlayer.school_class_id == school_class_id)
    versions = _versions(live_game.version_ids)
    most = GAME_POINTS_PER_QUESTION * len(versions)
    takers = [_Taker(player.nickname, player.school_class_id, attempt, most)
              for player, attempt in db.session.execute(query)]
    return _build("game", live_game.id, live_game.title,
                  live_game.started_at or live_game.created_at, live_game.school_id,
                  versions, takers)


def _homework_versions(contest: Competition, attempt_ids: Sequence[int]) -> list[QuestionVersion]:
    """The versions the attempts were given, in the set's order (the contest's own order of
    questions is per student)."""
    version_ids = set(db.session.scalars(select(AttemptItem.question_version_id).where(
        AttemptItem.attempt_id.in_(attempt_ids)))) if attempt_ids else set()
    versions = _versions(sorted(version_ids))
    positions = {}
    if contest.question_set_id is not None:
        positions = dict(db.session.execute(
            select(QuestionSetItem.question_id, QuestionSetItem.position)
            .where(QuestionSetItem.question_set_id == contest.question_set_id)).all())
    fallback = len(positions)
    versions.sort(key=lambda v: (positions.get(v.question_id, fallback), v.question_id,
                                 v.version))
    return versions


def homework_report(contest: Competition, school_class_id: int | None = None) -> Report:
    """A homework contest's report: each participant's scored attempt (the latest, should
    there be more than one), or one class's participants."""
    close_overdue(competition_id=contest.id)
    query = (select(Participant, Attempt)
             .join(Attempt, Attempt.participant_id == Participant.id)
             .where(Participant.competition_id == contest.id,
                    Attempt.competition_id == contest.id, Attempt.kind == "competition",
                    Attempt.status.in_(SCORED_STATUSES))
             .order_by(Participant.id, Attempt.finished_at, Attempt.id))
    if school_class_id is not None:
        query = query.where(Participant.school_class_id == school_class_id)
    latest: dict[int, tuple[Participant, Attempt]] = {}
    for participant, attempt in db.session.execute(query):
        latest[participant.id] = (participant, attempt)
    takers = [_Taker(participant.display_name, participant.school_class_id, attempt,
                     attempt.question_count * contest.points_per_correct)
              for participant, attempt in latest.values()]
    versions = _homework_versions(contest, [t.attempt.id for t in takers])
    return _build("homework", contest.id, contest.title, contest.starts_at,
                  contest.school_id or 0, versions, takers)


def class_history(cls: SchoolClass) -> list[Session]:
    """Every game and homework contest of the class's school that the class took part in,
    oldest first, with the class's own figures and the questions it should go over again."""
    game_ids = db.session.scalars(
        select(LivePlayer.game_id).join(LiveGame, LivePlayer.game_id == LiveGame.id)
        .where(LivePlayer.school_class_id == cls.id, LivePlayer.removed.is_(False),
               LiveGame.school_id == cls.organisation_id).distinct()).all()
    contest_ids = db.session.scalars(
        select(Participant.competition_id)
        .join(Competition, Participant.competition_id == Competition.id)
        .where(Participant.school_class_id == cls.id, Competition.kind == "homework",
               Competition.school_id == cls.organisation_id).distinct()).all()
    reports = [game_report(db.session.get(LiveGame, i), cls.id) for i in game_ids]
    reports += [homework_report(db.session.get(Competition, i), cls.id) for i in contest_ids]
    sessions = []
    for report in reports:
        if not report.students:
            continue
        figures = next(row for row in report.classes if row.class_id == cls.id)
        sessions.append(Session(
            report.kind, report.source_id, report.title, report.held_at, figures,
            tuple(q for q in report.questions if q.reteach), len(report.questions),
            report.students))
    sessions.sort(key=lambda s: (s.held_at, s.kind, s.source_id))
    return sessions


# ---------------------------------------------------------------- the Excel workbook

def _percent(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _share(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _correct_word(answer: Answer) -> str:
    if answer.correct is None:
        return _("Not answered")
    return _("Right") if answer.correct else _("Wrong")


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _student_sheet(report: Report) -> spreadsheets.Table:
    header = [_("Student name"), _("School class"), _("Score"), _("Score %"),
              _("Correct answers"), _("Questions answered")]
    for q in report.questions:
        header += [_("Q%(n)s answer", n=q.number), _("Q%(n)s right or wrong", n=q.number),
                   _("Q%(n)s seconds", n=q.number)]
    rows = []
    for s in report.students:
        row: list[object] = [s.name, s.class_name, round(s.score, 1), _percent(s.percent),
                             s.correct, s.answered]
        for a in s.answers:
            row += [a.chosen, _correct_word(a), a.seconds]
        rows.append(row)
    return header, rows


def _question_sheet(questions: Iterable[QuestionRow],
                    lead: Sequence[str] = (), lead_values: Sequence[object] = ()
                    ) -> tuple[list[str], list[list[object]]]:
    header = [*lead, _("No."), _("Question"), _("Correct answer"), _("Students who answered"),
              _("Answered correctly"), _("Share correct %"), _("Most common wrong choice"),
              _("Chosen by"), _("Re-teach")]
    rows = [[*lead_values, q.number, q.stem, q.key, q.answered, q.correct,
             _share(q.share_correct), q.wrong_choice, q.wrong_count or None,
             _yes_no(q.reteach)] for q in questions]
    return header, rows


def _class_cells(row: ClassRow) -> list[object]:
    return [row.participants, row.size, _share(row.participation), _percent(row.mean_percent),
            _share(row.share_correct)]


def _class_header() -> list[str]:
    return [_("Participants"), _("Class size"), _("Participation %"), _("Mean score rate %"),
            _("Share correct %")]


def report_workbook(report: Report) -> bytes:
    """The report as an Excel workbook: sheets 学生 (students), 题目 (questions), 班级
    (classes), holding the figures the page shows."""
    return spreadsheets.xlsx_bytes({
        SHEET_STUDENTS: _student_sheet(report),
        SHEET_QUESTIONS: _question_sheet(report.questions),
        SHEET_CLASSES: ([_("School class"), *_class_header()],
                        [[row.name, *_class_cells(row)] for row in report.classes]),
    }, freeze_panes="B2")


def _kind_label(kind: str) -> str:
    return _("Live game") if kind == "game" else _("Homework contest")


def class_workbook(sessions: Sequence[Session]) -> bytes:
    """A class's history as a workbook: 班级 (each game or contest), 题目 (the questions to
    go over again), 学生 (each student's result in each)."""
    def when(session: Session) -> str:
        return to_local(session.held_at).strftime("%Y-%m-%d")

    lead = (_("Date"), _("Title"))
    question_rows: list[list[object]] = []
    for s in sessions:
        question_rows += _question_sheet(s.reteach, lead, (when(s), s.title))[1]
    student_rows = [[when(s), s.title, row.name, round(row.score, 1), _percent(row.percent),
                     row.correct, row.answered] for s in sessions for row in s.students]
    return spreadsheets.xlsx_bytes({
        SHEET_STUDENTS: ([*lead, _("Student name"), _("Score"), _("Score %"),
                          _("Correct answers"), _("Questions answered")], student_rows),
        SHEET_QUESTIONS: (_question_sheet((), lead, ())[0], question_rows),
        SHEET_CLASSES: ([_("Date"), _("Kind"), _("Title"), *_class_header()],
                        [[when(s), _kind_label(s.kind), s.title, *_class_cells(s.figures)]
                         for s in sessions]),
    }, freeze_panes="A2")
