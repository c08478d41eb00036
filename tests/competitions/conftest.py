"""Fixtures for quizzes and competitions: a small question bank and a competition."""

from __future__ import annotations

import hashlib
import itertools
import random
import secrets
import types
from datetime import UTC, datetime, timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import Competition, Question, QuestionVersion, Township
from quizapp.models.questions import GROUPS, groups_to_mask

TOPICS = ("health", "emergency", "method", "sts")
_counter = itertools.count(1)


def add_question(type_: str = "single", topic: str = "health", difficulty: int = 1,
                 groups=GROUPS, survey: bool = False, status: str = "active",
                 stem: str | None = None) -> QuestionVersion:
    """One question with a current version. Single: right answer is option index 1 ("乙");
    multiple: 0 and 2; true/false: true."""
    number = next(_counter)
    options = {"single": ["甲", "乙", "丙", "丁"], "multiple": ["甲", "乙", "丙", "丁"],
               "true_false": []}[type_]
    answer = {"single": [1], "multiple": [0, 2], "true_false": [0]}[type_]
    question = Question(code=f"t-{number:05d}", survey_reserved=survey)
    version = QuestionVersion(
        version=1, status=status, type=type_, topic=topic, stem=stem or f"题目{number}",
        options=options, answer=answer, explanation=f"解析{number}", authority="教材",
        groups_mask=groups_to_mask(groups), dimension="K", difficulty=difficulty,
        content_hash=hashlib.sha256(str(number).encode()).hexdigest())
    question.versions.append(version)
    db.session.add(question)
    db.session.flush()
    question.current_version_id = version.id
    db.session.commit()
    return version


@pytest.fixture
def bank(app):
    """60 active questions: 20 of each type over four topics and three difficulties,
    plus survey-reserved and draft ones that must never be drawn."""
    versions = []
    for index in range(60):
        type_ = ("true_false", "single", "multiple")[index % 3]
        versions.append(add_question(type_, TOPICS[index % 4], 1 + index % 3))
    add_question("single", "health", survey=True, stem="调查专用题")
    add_question("single", "health", status="draft", stem="草稿题")
    return versions


@pytest.fixture(autouse=True)
def seeded_draws(monkeypatch):
    """Every draw in these tests is seeded: the seeds the draw code takes from ``secrets``
    (attempts, practice rounds, pools) come from one seeded generator instead."""
    from quizapp.competitions import pool, services
    from quizapp.practice import services as practice_services

    source = random.Random(2025)
    seeded = types.SimpleNamespace(randbits=source.getrandbits,
                                   token_urlsafe=secrets.token_urlsafe)
    for module in (pool, services, practice_services):
        monkeypatch.setattr(module, "secrets", seeded)


class FrozenClock:
    """The server clock, frozen and movable: ``now.move(seconds=...)``."""

    def __init__(self, value: datetime) -> None:
        self.value = value

    def __call__(self) -> datetime:
        return self.value

    def move(self, **delta) -> datetime:
        self.value = self.value + timedelta(**delta)
        return self.value


@pytest.fixture
def now(monkeypatch) -> FrozenClock:
    from quizapp.engine import clock

    frozen = FrozenClock(datetime(2025, 5, 1, 2, 0, tzinfo=UTC))
    monkeypatch.setattr(clock, "now", frozen)
    return frozen


@pytest.fixture
def township(app):
    town = Township(code="xuedian", name="薛店镇", kind="town", population=50000)
    db.session.add(town)
    db.session.commit()
    return town


POOL_SEED = 20250501


@pytest.fixture
def competition(app, bank, now):
    """Open for ten more days, 6 questions (2 of each type) per attempt from its own pool of
    30 questions (10 of each type) drawn with a fixed seed; answers shown after the attempt."""
    from quizapp.competitions.pool import draw_pool

    contest = Competition(
        slug="test-cup", title="测试竞赛", starts_at=now.value - timedelta(days=1),
        ends_at=now.value + timedelta(days=10),
        registration={"name": "required", "township": "optional", "organisation": "off",
                      "phone": "off"},
        question_count=6, quotas={"type": {"true_false": 2, "single": 2, "multiple": 2}},
        seconds_per_question=30, attempts_per_day=2, counting="best", points_per_correct=5.0,
        reveal="after_attempt", pool_size=30, published=True)
    db.session.add(contest)
    draw_pool(contest, POOL_SEED)
    db.session.commit()
    return contest
