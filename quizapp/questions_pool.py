"""Which question versions quizzes and competitions may draw from.

Rules:
- Only the current, active version of a question is drawn, and never a question reserved for
  the survey (survey items are held back so they are not learned in advance).
- A competition draws only from its own pool (``competition_items``).
- Practice never draws a question in the pool of a competition that has not closed yet
  (upcoming, open, published or not): practice shows the right answer after each question, so
  anything it draws is public. A pool returns to practice when its competition closes.
- Teachers' question sets (class games, homework) likewise never offer or play a question in
  the pool of a network competition that has not closed: the teacher sees the key and a class
  game reveals it to the room. (Homework pools do not count: homework shows each student the
  key after their attempt anyway.)
- Every candidate carries its question's enemy groups, so the draw never puts two questions
  that give each other away into one attempt (``quizapp.engine.draw``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select

from quizapp.engine.draw import Candidate
from quizapp.extensions import db
from quizapp.models import Competition, CompetitionItem, Question, QuestionVersion
from quizapp.models.questions import groups_to_mask, parse_enemy_groups


def drawable_query(groups: list[str] | None = None) -> Select:
    """The query of current, active, non-survey versions aimed at any of ``groups``
    (``None`` or empty: all groups)."""
    query = (select(QuestionVersion)
             .join(Question, Question.current_version_id == QuestionVersion.id)
             .where(QuestionVersion.status == "active", Question.survey_reserved.is_(False)))
    if groups:
        query = query.where(QuestionVersion.groups_mask.op("&")(groups_to_mask(groups)) != 0)
    return query


def drawable_versions(groups: list[str] | None = None,
                      exclude_question_ids: set[int] | None = None) -> list[QuestionVersion]:
    """Current, active versions of questions not reserved for the survey (see the rules)."""
    versions = list(db.session.scalars(drawable_query(groups)))
    if exclude_question_ids:
        versions = [v for v in versions if v.question_id not in exclude_question_ids]
    return versions


def reserved_question_ids(now: datetime, kind: str | None = None) -> Select:
    """The ids of questions in the pool of any competition (of ``kind``, if given) not closed
    at ``now`` (a subquery)."""
    query = (select(CompetitionItem.question_id)
             .join(Competition, Competition.id == CompetitionItem.competition_id)
             .where(Competition.ends_at > now))
    return query.where(Competition.kind == kind) if kind else query


def class_drawable_query(groups: list[str] | None, now: datetime) -> Select:
    """What a teacher's set may offer and play at ``now``: drawable, and in no unclosed
    network competition's pool (see the rules)."""
    return drawable_query(groups).where(
        Question.id.not_in(reserved_question_ids(now, kind="network")))


def practice_versions(groups: list[str] | None, now: datetime) -> list[QuestionVersion]:
    """What practice may draw at ``now``: drawable, and in no unclosed competition's pool."""
    return list(db.session.scalars(drawable_query(groups).where(
        Question.id.not_in(reserved_question_ids(now)))))


def pool_question_ids(competition_id: int) -> Select:
    """The ids of the questions in a competition's pool (a subquery)."""
    return select(CompetitionItem.question_id).where(
        CompetitionItem.competition_id == competition_id)


def pool_versions(competition_id: int, groups: list[str] | None = None) -> list[QuestionVersion]:
    """What a competition's attempts may draw: drawable and in its pool."""
    return list(db.session.scalars(drawable_query(groups).where(
        Question.id.in_(pool_question_ids(competition_id)))))


def enemy_groups_by_question() -> dict[int, tuple[str, ...]]:
    """The enemy groups of every question that has any (a few dozen rows), by question id."""
    return {question_id: parse_enemy_groups(stored) for question_id, stored in db.session.execute(
        select(Question.id, Question.enemy_groups).where(Question.enemy_groups.is_not(None)))}


def as_candidates(versions: list[QuestionVersion]) -> list[Candidate]:
    """What the draw needs of each version, its question's enemy groups included."""
    enemies = enemy_groups_by_question() if versions else {}
    return [Candidate(v.id, v.type, v.topic, v.difficulty, enemies.get(v.question_id, ()))
            for v in versions]


@dataclass(frozen=True)
class DrawnVersion:
    """What starting an attempt needs of a drawn version (plain values, so a process may keep
    them between requests)."""

    id: int
    type: str
    choice_count: int


def pool_draw_inputs(competition_id: int, groups: list[str] | None = None
                     ) -> tuple[list[Candidate], dict[int, DrawnVersion]]:
    """A competition's draw candidates and its versions by id (see :func:`pool_versions`)."""
    pool = pool_versions(competition_id, groups)
    return as_candidates(pool), {v.id: DrawnVersion(v.id, v.type, v.choice_count) for v in pool}
