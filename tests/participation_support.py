"""A network competition with known participation, written straight into the tables (no draw,
no clock), for the dashboards' and the competition report's tests.

Each attempt answers the same four questions q0..q3 and gets the first ``k`` right (score
25 × k of 100), so every figure can be worked out by hand in the test that uses it.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptItem,
    Competition,
    Organisation,
    Participant,
    Question,
    QuestionVersion,
    Round,
    Township,
)

ROUND_1_FINISH = datetime(2025, 4, 29, 4, 0, tzinfo=UTC)  # a Tuesday: week of 2025-04-28
ROUND_2_FINISH = datetime(2025, 5, 6, 4, 0, tzinfo=UTC)  # the next Tuesday: 2025-05-05
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
_tokens = itertools.count(1)


@dataclass
class Built:
    competition: Competition
    rounds: list[Round]
    questions: list[QuestionVersion]
    participants: list[Participant]


def township(code: str, name: str, population: int | None, kind: str = "town") -> Township:
    found = db.session.query(Township).filter_by(code=code).one_or_none()
    if found is None:
        found = Township(code=code, name=name, kind=kind)
        db.session.add(found)
    found.population = population
    db.session.commit()
    return found


def organisation(town: Township, name: str, kind: str) -> Organisation:
    org = Organisation(name=name, kind=kind, township=town)
    db.session.add(org)
    db.session.commit()
    return org


def questions(prefix: str = "dash") -> list[QuestionVersion]:
    out = []
    for k in range(4):
        q = Question(code=f"{prefix}-q{k}")
        v = QuestionVersion(version=1, status="active", type="single", topic="health",
                            stem=f"看板题{k}", options=["甲", "乙", "丙", "丁"], answer=[1],
                            explanation="解析", authority="教材", groups_mask=0, dimension="K",
                            difficulty=1,
                            content_hash=hashlib.sha256(f"{prefix}{k}".encode()).hexdigest())
        q.versions.append(v)
        db.session.add(q)
        db.session.flush()
        q.current_version_id = v.id
        out.append(v)
    db.session.commit()
    return out


def competition(slug: str = "dash-cup", published: bool = True) -> tuple[Competition,
                                                                          list[Round]]:
    c = Competition(slug=slug, title="看板测试竞赛", starts_at=datetime(2025, 4, 27, tzinfo=UTC),
                    ends_at=datetime(2025, 5, 20, tzinfo=UTC), question_count=4,
                    points_per_correct=25.0, counting="best", published=published,
                    registration={"name": "required", "township": "required"})
    rounds = [Round(competition=c, number=1, title="第一周",
                    starts_at=datetime(2025, 4, 27, tzinfo=UTC),
                    ends_at=datetime(2025, 5, 4, tzinfo=UTC)),
              Round(competition=c, number=2, title="第二周",
                    starts_at=datetime(2025, 5, 4, tzinfo=UTC),
                    ends_at=datetime(2025, 5, 11, tzinfo=UTC))]
    db.session.add(c)
    db.session.add_all(rounds)
    db.session.commit()
    return c, rounds


def participant(c: Competition, name: str, town: Township | None,
                org: Organisation | None = None) -> Participant:
    p = Participant(competition_id=c.id, name=name, township_id=town.id if town else None,
                    organisation_id=org.id if org else None,
                    device_id=f"device-{next(_tokens)}")
    db.session.add(p)
    db.session.commit()
    return p


def attempt(p: Participant, round_: Round, versions: list[QuestionVersion], right: int,
            finished: datetime, seconds: int = 60, status: str = "finished") -> Attempt:
    """An attempt with the first ``right`` of the four questions right."""
    a = Attempt(token=f"dash{next(_tokens):08d}", kind="competition", status=status,
                competition_id=p.competition_id, round_id=round_.id, participant_id=p.id,
                device_id=p.device_id, started_at=finished - timedelta(seconds=seconds),
                finished_at=finished, question_count=4, correct_count=right,
                score=25.0 * right, duration_ms=1000 * seconds)
    for k, v in enumerate(versions):
        a.items.append(AttemptItem(position=k, question_version_id=v.id,
                                   option_order=[0, 1, 2, 3], choices=[1 if k < right else 0],
                                   correct=k < right, points=25.0 if k < right else 0.0))
    db.session.add(a)
    db.session.commit()
    return a


def name(k: int) -> str:
    """A three-character name, unique per k (masked: first and last character kept)."""
    middle, last = "甲乙丙丁戊己庚辛壬癸", "一二三四五六七八九十"
    return f"{SURNAMES[k % 20]}{middle[k // 20 % 10]}{last[k % 10]}"
