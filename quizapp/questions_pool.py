"""Which question versions quizzes and competitions may draw from."""

from __future__ import annotations

from sqlalchemy import select

from quizapp.engine.draw import Candidate
from quizapp.extensions import db
from quizapp.models import Question, QuestionVersion
from quizapp.models.questions import groups_to_mask


def drawable_versions(groups: list[str] | None = None,
                      exclude_question_ids: set[int] | None = None) -> list[QuestionVersion]:
    """Current, active versions of questions not reserved for the survey.

    Survey items are held back so they are not learned in advance. ``groups`` keeps questions
    aimed at any of those groups (``None`` or empty: all).
    """
    query = (select(QuestionVersion)
             .join(Question, Question.current_version_id == QuestionVersion.id)
             .where(QuestionVersion.status == "active", Question.survey_reserved.is_(False)))
    if groups:
        query = query.where(QuestionVersion.groups_mask.op("&")(groups_to_mask(groups)) != 0)
    versions = list(db.session.scalars(query))
    if exclude_question_ids:
        versions = [v for v in versions if v.question_id not in exclude_question_ids]
    return versions


def as_candidates(versions: list[QuestionVersion]) -> list[Candidate]:
    return [Candidate(v.id, v.type, v.topic, v.difficulty) for v in versions]
