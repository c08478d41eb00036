"""Proposed difficulty from the share of answers that are right, and where the author's guess
is clearly off.

Rule (a project choice; the thresholds are stated so that they can be argued with):

- An item's share correct *p* comes from :mod:`quizapp.questions.item_stats` (the ``quiz``
  source: practice and competition attempts that count, answered items only), per question
  version, so a reworded question starts again.
- Bands of *p*: **easy (1)** p ≥ 0.80; **medium (2)** 0.55 ≤ p < 0.80; **hard (3)** p < 0.55.
  The proposed difficulty is the band of *p*.
- A label is **clearly off** only when the item has at least ``min_answers`` answers (100 by
  default) and the whole 95% Wilson interval of *p* lies in one band other than the author's:
  a small sample never moves a label.
- Only the current version of a question is proposed for; applying writes the bank files
  (``question_bank.rewrite``) for questions from the files, and UI questions are reported only.

Guessing is not corrected for: a true/false item answered at random is right half the time, so
a true/false item in the medium band may in fact be hard. The report shows the type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizapp.extensions import db
from quizapp.questions.item_stats import item_stats_from_db

EASY_FROM = 0.80
MEDIUM_FROM = 0.55
MIN_ANSWERS = 100
Z95 = 1.959963984540054


def band(p: float) -> int:
    """The difficulty whose band holds the share correct ``p``."""
    if p >= EASY_FROM:
        return 1
    if p >= MEDIUM_FROM:
        return 2
    return 3


def wilson(correct: int, answered: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (``(0, 1)`` when nothing was answered)."""
    if answered <= 0:
        return 0.0, 1.0
    p = correct / answered
    centre = p + z * z / (2 * answered)
    margin = z * math.sqrt(p * (1 - p) / answered + z * z / (4 * answered * answered))
    scale = 1 + z * z / answered
    return max(0.0, (centre - margin) / scale), min(1.0, (centre + margin) / scale)


@dataclass(frozen=True)
class Proposal:
    """One current version's figures and what the rule makes of them."""

    code: str
    source: str  # "bank" | "ui"
    type: str
    answered: int
    p: float
    low: float
    high: float
    author: int
    proposed: int
    clearly_off: bool


def judge(correct: int, answered: int, author: int, min_answers: int = MIN_ANSWERS
          ) -> tuple[int, bool]:
    """(proposed difficulty, whether the author's label is clearly off) by the module's rule."""
    p = correct / answered if answered else 0.0
    low, high = wilson(correct, answered)
    proposed = band(p)
    clearly_off = (answered >= min_answers and band(low) == band(high) == proposed
                   and proposed != author)
    return proposed, clearly_off


def proposals(source: str = "quiz", min_answers: int = MIN_ANSWERS) -> list[Proposal]:
    """Every answered current version with its proposal, most answered first."""
    from quizapp.models import Question, QuestionVersion

    stats = item_stats_from_db(source)
    if not stats:
        return []
    current = db.session.scalars(
        select(QuestionVersion).join(Question, Question.current_version_id == QuestionVersion.id)
        .where(QuestionVersion.id.in_(list(stats)))
        .options(selectinload(QuestionVersion.question)))
    result = []
    for version in current:
        stat = stats[version.id]
        proposed, off = judge(stat.correct, stat.answered, version.difficulty, min_answers)
        low, high = wilson(stat.correct, stat.answered)
        result.append(Proposal(
            code=version.question.code, source=version.question.source, type=version.type,
            answered=stat.answered, p=stat.p, low=low, high=high, author=version.difficulty,
            proposed=proposed, clearly_off=off))
    result.sort(key=lambda r: (-r.answered, r.code))
    return result
