"""Test data for the teachers' reports, written straight into the models (the live engine and
homework contests are built by other work; the reports only read their records).

School 一中 has classes 七年级1班 (30 students) and 七年级2班 (40 students); school 二中 is
another school with its own teacher. Three questions (choices are ORIGINAL option indexes):

- Q1 single choice 甲 乙 丙 丁, key 乙 (1)
- Q2 true/false, key 正确 (0)
- Q3 multiple choice 甲 乙 丙 丁, key 甲 丙 (0, 2)

Live game "光合作用小测" (2025-05-01), speed points, answers (points, milliseconds):

=========  =====  ================  ================  ==================  ======
player     class  Q1                Q2                Q3                  score
=========  =====  ================  ================  ==================  ======
小明       1班    乙 ✓ 1000 2000    正确 ✓ 800 5000   丙甲 ✓ 600 9000     2400
小红       1班    丁 ✗ 4000         正确 ✓ 500 3000   甲 ✗ 7000           500
小刚       2班    丙 ✗ 6000         错误 ✗ 2500       乙甲 ✗ 8000         0
小丽       2班    丙 ✗ 3000         正确 ✓ 700 4000   (not answered)      700
捣蛋       1班    乙 ✓ 1000 1000    REMOVED by the teacher: never counted
=========  =====  ================  ================  ==================  ======

A second game "第二场" (2025-05-02) has only 小丽 (2班): 乙 ✓ 1000, the rest unanswered.

Homework "第一单元作业" (from 2025-05-03), 5 points per correct answer, items stored in a
per-student order (not the set's):

- 张三 (1班) finished: Q1 乙 ✓, Q2 正确 ✓, Q3 丙 ✗ → 10
- 李四 (1班) expired: Q1 乙 ✓, Q2 错误 ✗, Q3 not answered → 5
- 王五 (2班): an earlier finished attempt (all wrong, 0), then a finished one: Q1 甲 ✗,
  Q2 正确 ✓, Q3 甲丙 ✓ → 10 (the latest scored one counts), then a voided one (all right, 15:
  never counted)
- 赵六 (2班): an attempt still open → not counted
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptItem,
    Competition,
    LiveGame,
    LivePlayer,
    Organisation,
    Participant,
    QuestionSet,
    QuestionSetItem,
    QuestionVersion,
    SchoolClass,
    Township,
    User,
)
from tests.competitions.conftest import add_question

GAME_DAY = datetime(2025, 5, 1, 2, 0, tzinfo=UTC)
_seats = itertools.count(1)


@dataclass
class ReportData:
    school: Organisation
    other_school: Organisation
    class1: SchoolClass
    class2: SchoolClass
    other_class: SchoolClass
    questions: list[QuestionVersion]
    game: LiveGame
    game2: LiveGame
    other_game: LiveGame
    homework: Competition
    other_homework: Competition
    network: Competition


def _attempt(kind: str, versions: list[QuestionVersion], answers, *, status: str = "open",
             started: datetime, order=None, **extra) -> Attempt:
    """An attempt whose items hold ``answers``: per version (choices, points, elapsed_ms) or
    None (not answered); ``order`` is the shown order of the versions (indexes)."""
    order = order or list(range(len(versions)))
    attempt = Attempt(token=secrets.token_hex(8), kind=kind, status=status,
                      started_at=started, question_count=len(versions), **extra)
    score = 0.0
    correct_count = 0
    for position, index in enumerate(order):
        version, answer = versions[index], answers[index]
        item = AttemptItem(position=position, question_version_id=version.id,
                           option_order=list(range(version.choice_count)),
                           shown_at=started + timedelta(seconds=30 * position))
        if answer is not None:
            choices, points, elapsed = answer
            item.choices = choices
            item.correct = version.is_correct(choices)
            item.points = points
            item.elapsed_ms = elapsed
            item.answered_at = item.shown_at + timedelta(milliseconds=elapsed)
            score += points
            correct_count += bool(item.correct)
        attempt.items.append(item)
    attempt.score = score
    attempt.correct_count = correct_count
    if status != "open":
        attempt.finished_at = started + timedelta(minutes=10)
    db.session.add(attempt)
    db.session.flush()
    return attempt


def _player(game: LiveGame, nickname: str, cls: SchoolClass, answers, *,
            removed: bool = False) -> LivePlayer:
    versions = [db.session.get(QuestionVersion, i) for i in game.version_ids]
    attempt = _attempt("class_game", versions, answers, started=game.started_at)
    player = LivePlayer(game=game, nickname=nickname, nickname_key=nickname,
                        school_class_id=cls.id, attempt_id=attempt.id, removed=removed,
                        seat_hash=hashlib.sha256(f"seat-{next(_seats)}".encode()).hexdigest())
    db.session.add(player)
    return player


def _game(school: Organisation, title: str, versions, started: datetime) -> LiveGame:
    game = LiveGame(token=secrets.token_hex(8), code=f"{next(_seats):06d}", title=title,
                    school_id=school.id, status="finished",
                    version_ids=[v.id for v in versions], current_index=len(versions),
                    started_at=started, created_at=started, finished_at=started +
                    timedelta(minutes=15))
    db.session.add(game)
    db.session.flush()
    return game


def _homework(school: Organisation, title: str, qset: QuestionSet | None,
              starts: datetime, slug: str, kind: str = "homework") -> Competition:
    contest = Competition(
        slug=slug, title=title, kind=kind, starts_at=starts, ends_at=starts + timedelta(days=7),
        registration={"name": "required", "school_class": "required"}, question_count=3,
        points_per_correct=5.0, reveal="after_attempt", published=True,
        school_id=school.id if kind == "homework" else None,
        question_set_id=qset.id if qset else None, attempts_total=1, pool_seed=1)
    db.session.add(contest)
    db.session.flush()
    return contest


def _taker(contest: Competition, name: str, cls: SchoolClass | None, versions, answers,
           *, status: str, started: datetime, order=None, phone: str | None = None
           ) -> Participant:
    participant = Participant(competition_id=contest.id, name=name,
                              school_class_id=cls.id if cls else None,
                              device_id=secrets.token_hex(8), phone=phone, ip="10.1.2.3")
    db.session.add(participant)
    db.session.flush()
    _attempt("competition", versions, answers, status=status, started=started, order=order,
             competition_id=contest.id, participant_id=participant.id, ip="10.1.2.3")
    return participant


def build_report_data() -> ReportData:
    """Write the data described in this module's docstring; return its rows."""
    township = db.session.query(Township).first() or Township(
        code="reports-town", name="报告镇", kind="town")
    school = Organisation(name="一中", kind="school", township=township)
    other_school = Organisation(name="二中", kind="school", township=township)
    class1 = SchoolClass(school=school, grade=7, name="1班", size=30)
    class2 = SchoolClass(school=school, grade=7, name="2班", size=40)
    other_class = SchoolClass(school=other_school, grade=7, name="1班", size=35)
    db.session.add_all([school, other_school, class1, class2, other_class])
    db.session.flush()

    q1 = add_question("single", stem="植物进行光合作用需要哪种气体？")
    q2 = add_question("true_false", stem="水在标准大气压下100℃沸腾。")
    q3 = add_question("multiple", stem="下列哪些属于可再生能源？")
    versions = [q1, q2, q3]
    qset = QuestionSet(school_id=school.id, title="第一单元", items=[
        QuestionSetItem(position=k, question_id=v.question_id) for k, v in enumerate(versions)])
    db.session.add(qset)
    db.session.flush()

    game = _game(school, "光合作用小测", versions, GAME_DAY)
    _player(game, "小明", class1, [([1], 1000, 2000), ([0], 800, 5000), ([2, 0], 600, 9000)])
    _player(game, "小红", class1, [([3], 0, 4000), ([0], 500, 3000), ([0], 0, 7000)])
    _player(game, "小刚", class2, [([2], 0, 6000), ([1], 0, 2500), ([1, 0], 0, 8000)])
    _player(game, "小丽", class2, [([2], 0, 3000), ([0], 700, 4000), None])
    _player(game, "捣蛋", class1, [([1], 1000, 1000), None, None], removed=True)

    game2 = _game(school, "第二场", versions, GAME_DAY + timedelta(days=1))
    _player(game2, "小丽", class2, [([1], 1000, 1500), None, None])

    other_game = _game(other_school, "二中的游戏", versions, GAME_DAY)
    _player(other_game, "外校生", other_class, [([1], 1000, 1000), None, None])

    start = GAME_DAY + timedelta(days=2)
    homework = _homework(school, "第一单元作业", qset, start, "hw-unit-1")
    _taker(homework, "张三", class1, versions, [([1], 5, 10000), ([0], 5, 8000), ([2], 0, 12000)],
           status="finished", started=start + timedelta(hours=1), order=[2, 0, 1],
           phone="13800000000")
    _taker(homework, "李四", class1, versions, [([1], 5, 9000), ([1], 0, 4000), None],
           status="expired", started=start + timedelta(hours=2), order=[1, 2, 0])
    wang = _taker(homework, "王五", class2, versions, [([0], 0, 1000), ([1], 0, 1000),
                                                      ([1], 0, 1000)],
                  status="finished", started=start + timedelta(hours=3))
    for status, answers, hours in (
            ("finished", [([0], 0, 6000), ([0], 5, 5000), ([0, 2], 5, 11000)], 4),
            ("voided", [([1], 5, 1000), ([0], 5, 1000), ([0, 2], 5, 1000)], 5)):
        _attempt("competition", versions, answers, status=status,
                 started=start + timedelta(hours=hours), competition_id=homework.id,
                 participant_id=wang.id, order=[1, 0, 2])
    _taker(homework, "赵六", class2, versions, [([1], 5, 1000), None, None], status="open",
           started=start + timedelta(hours=6))

    other_homework = _homework(other_school, "二中作业", None, start, "hw-other")
    _taker(other_homework, "外校生", other_class, versions, [([1], 5, 1000), None, None],
           status="finished", started=start)
    network = _homework(school, "网络竞赛", None, start, "network-cup", kind="network")
    db.session.commit()
    return ReportData(school, other_school, class1, class2, other_class, versions, game, game2,
                      other_game, homework, other_homework, network)


@pytest.fixture
def report_data(app) -> ReportData:
    return build_report_data()


@pytest.fixture
def teachers(app, make_user, report_data) -> tuple[User, User]:
    """``teacher1`` of 一中 and ``teacher2`` of 二中."""
    first = make_user("teacher1", "teacher")
    first.schools = [report_data.school]
    second = make_user("teacher2", "teacher")
    second.schools = [report_data.other_school]
    db.session.commit()
    return first, second
